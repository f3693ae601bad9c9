//! `golive init DIR`: a commented golive.toml skeleton.

use crate::cli::InitArgs;
use crate::config::{FILE_NAME, SKELETON};
use crate::error::Error;

pub fn run(args: &InitArgs) -> anyhow::Result<()> {
    std::fs::create_dir_all(args.dir.join("sources")).map_err(|e| Error::io(&args.dir, e))?;
    let path = args.dir.join(FILE_NAME);
    if path.exists() && !args.force {
        return Err(Error::bad_input(
            &path,
            "already exists: edit it, or pass --force to overwrite it",
        )
        .into());
    }
    let name = args
        .dir
        .canonicalize()
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "my-migration".to_string());
    let text = SKELETON.replacen("name = \"my-migration\"", &format!("name = {name:?}"), 1);
    std::fs::write(&path, text).map_err(|e| Error::io(&path, e))?;
    crate::say!("wrote {}", path.display());
    crate::say!(
        "next: put the customer's files into {}, add a [[source]] for each, then `golive run {}`",
        args.dir.join("sources").display(),
        args.dir.display()
    );
    Ok(())
}
