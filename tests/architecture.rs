//! The direction of dependencies between golive's top-level modules, read from
//! their `crate::…` paths: the shared core at the bottom, each stage's engine
//! on it, the stage layer above them, the commands on top. A new arrow that
//! points the other way (or a cycle) fails here, naming the file.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Each module and the modules it may use (test code inside a file counts too:
/// a test should not need a layer above its module).
const ALLOWED: &[(&str, &[&str])] = &[
    ("error", &[]),
    ("model", &["error"]),
    ("progress", &[]),
    ("config", &["error", "model"]),
    ("normalize", &["error", "model"]),
    ("workspace", &["error", "model"]),
    ("export", &["error", "config", "model"]),
    (
        "ingest",
        &["error", "model", "config", "normalize", "export"],
    ),
    ("matching", &["error", "model", "normalize"]),
    ("link", &["error", "model", "normalize"]),
    ("report", &["error", "model"]),
    (
        "load",
        &[
            "error",
            "model",
            "progress",
            "config",
            "normalize",
            "workspace",
            "export",
        ],
    ),
    (
        "review",
        &[
            "error",
            "model",
            "config",
            "normalize",
            "workspace",
            "export",
            "matching",
        ],
    ),
    (
        "pipeline",
        &[
            "error",
            "model",
            "progress",
            "config",
            "normalize",
            "workspace",
            "export",
            "ingest",
            "matching",
            "link",
            "load",
            "report",
        ],
    ),
    (
        "commands",
        &[
            "error",
            "model",
            "progress",
            "config",
            "normalize",
            "workspace",
            "export",
            "ingest",
            "matching",
            "link",
            "pipeline",
            "review",
            "load",
            "report",
            "cli",
        ],
    ),
    ("cli", &[]),
];

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The top-level module a file belongs to (`src/ingest/rows.rs` → `ingest`).
fn module_of(path: &Path) -> Option<String> {
    let rel = path.strip_prefix("src").ok()?;
    let first = rel.components().next()?.as_os_str().to_str()?;
    let name = first.trim_end_matches(".rs");
    (!matches!(name, "lib" | "main")).then(|| name.to_string())
}

#[test]
fn top_level_modules_depend_only_downwards() {
    let allowed: BTreeMap<&str, BTreeSet<&str>> = ALLOWED
        .iter()
        .map(|(m, deps)| (*m, deps.iter().copied().collect()))
        .collect();
    let mut files = Vec::new();
    rust_files(Path::new("src"), &mut files);
    files.sort();
    let mut wrong = Vec::new();
    for file in &files {
        let Some(module) = module_of(file) else {
            continue;
        };
        let Some(ok) = allowed.get(module.as_str()) else {
            wrong.push(format!(
                "{}: module `{module}` is not in tests/architecture.rs: place it in a layer",
                file.display()
            ));
            continue;
        };
        let text = std::fs::read_to_string(file).unwrap();
        let mut used = BTreeSet::new();
        for (i, _) in text.match_indices("crate::") {
            let rest = &text[i + "crate::".len()..];
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            // `crate::say!` is the commands' own macro; `$crate` is the same.
            if !name.is_empty() && name != module && name != "say" {
                used.insert(name);
            }
        }
        for name in used {
            let known = allowed.contains_key(name.as_str());
            if known && !ok.contains(name.as_str()) {
                wrong.push(format!("{}: `{module}` uses `{name}`", file.display()));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "dependencies against the layering:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn the_allowed_graph_has_no_cycle() {
    let graph: BTreeMap<&str, &[&str]> = ALLOWED.iter().copied().collect();
    fn visit<'a>(
        n: &'a str,
        g: &BTreeMap<&'a str, &'a [&'a str]>,
        path: &mut Vec<&'a str>,
        done: &mut BTreeSet<&'a str>,
    ) {
        assert!(!path.contains(&n), "cycle: {path:?} → {n}");
        if done.contains(n) {
            return;
        }
        path.push(n);
        for d in g.get(n).copied().unwrap_or(&[]) {
            visit(d, g, path, done);
        }
        path.pop();
        done.insert(n);
    }
    let mut done = BTreeSet::new();
    for n in graph.keys() {
        visit(n, &graph, &mut Vec::new(), &mut done);
    }
}
