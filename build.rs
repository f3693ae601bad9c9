//! Embeds every mapping profile under mappings/ so the binary works from any folder.

use std::{env, fs, path::Path};

fn main() {
    println!("cargo:rerun-if-changed=mappings");
    // Read at run time: a compile-time `env!` would keep pointing at the checkout the
    // build script was first compiled in when a target directory is copied or shared.
    let manifest = env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let dir = Path::new(&manifest).join("mappings");
    let mut files: Vec<_> = fs::read_dir(&dir)
        .map(|rd| rd.filter_map(|e| e.ok()).map(|e| e.path()).collect())
        .unwrap_or_default();
    files.retain(|p| p.extension().is_some_and(|e| e == "toml"));
    files.sort();
    let mut code = String::from("pub const BUILTIN_PROFILES: &[(&str, &str)] = &[\n");
    for path in files {
        let name = path
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        code.push_str(&format!(
            "    ({name:?}, include_str!({:?})),\n",
            path.display().to_string()
        ));
    }
    code.push_str("];\n");
    let out =
        Path::new(&env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("builtin_profiles.rs");
    fs::write(out, code).expect("write builtin_profiles.rs");
}
