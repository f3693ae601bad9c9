//! `golive init DIR`: a commented golive.toml, with a `[[source]]` for each file
//! already in `DIR/sources/` and the profile detected for it.

use crate::cli::InitArgs;
use crate::config::{FILE_NAME, ReadOptions, SKELETON, is_rejects_file, is_spreadsheet};
use crate::error::Error;
use crate::ingest::profiles::ProfileSet;
use crate::ingest::rows::{WEAK_PROFILE_SCORE, choose_profile};
use std::collections::{BTreeMap, HashSet};
use std::path::Path;

/// Text tables golive reads (spreadsheets go by [`is_spreadsheet`]).
const TEXT_EXTENSIONS: &[&str] = &["csv", "tsv", "txt", "tab"];

/// One table of a file found in `sources/`, as detected.
struct Found {
    sheet: Option<String>,
    profile: String,
    score: f64,
    region: Option<String>,
}

/// What `init` makes of one file: its tables, or why it could not be read.
enum Survey {
    Read(Vec<Found>),
    Unreadable(String),
}

fn survey(path: &Path, profiles: &ProfileSet) -> Survey {
    let tables = match crate::ingest::open(path, &ReadOptions::default(), profiles) {
        Ok((tables, _skipped)) => tables,
        Err(e) => return Survey::Unreadable(e.to_string()),
    };
    let mut found = Vec::new();
    for t in &tables {
        match choose_profile(profiles, &t.headers, None, path) {
            Ok((profile, score, _)) => found.push(Found {
                sheet: t.sheet.clone(),
                profile: profile.name.clone(),
                score,
                region: profile.options.region.clone(),
            }),
            Err(e) => return Survey::Unreadable(e.to_string()),
        }
    }
    Survey::Read(found)
}

fn toml_string(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// A source name from a file name: its stem, spaces as `_`, unique.
fn source_name(stem: &str, taken: &mut HashSet<String>) -> String {
    let base: String = stem
        .trim()
        .chars()
        .map(|c| if c.is_whitespace() { '_' } else { c })
        .collect();
    let base = if base.is_empty() {
        "source".to_string()
    } else {
        base
    };
    let mut name = base.clone();
    let mut n = 2;
    while !taken.insert(name.clone()) {
        name = format!("{base}-{n}");
        n += 1;
    }
    name
}

fn entry(name: &str, rel: &str, t: &Found, one_sheet_of_many: bool) -> String {
    let mut s = format!(
        "[[source]]\nname = {}\npath = {}\n",
        toml_string(name),
        toml_string(rel)
    );
    if one_sheet_of_many && let Some(sheet) = &t.sheet {
        s.push_str(&format!("sheet = {}\n", toml_string(sheet)));
    }
    let pct = t.score * 100.0;
    if t.score >= WEAK_PROFILE_SCORE {
        s.push_str(&format!(
            "profile = {}   # detected: fits {pct:.0}% of the headers\n",
            toml_string(&t.profile)
        ));
    } else {
        s.push_str(&format!(
            "# profile = {}   # the best fit covers only {pct:.0}% of the headers: check `golive inspect {rel}`\n",
            toml_string(&t.profile)
        ));
    }
    s
}

pub fn run(args: &InitArgs) -> anyhow::Result<()> {
    let sources = args.dir.join("sources");
    std::fs::create_dir_all(&sources).map_err(|e| Error::io(&args.dir, e))?;
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

    let mut files: Vec<_> = std::fs::read_dir(&sources)
        .map_err(|e| Error::io(&sources, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    let profiles = ProfileSet::for_project(&args.dir)?;
    let mut entries = String::new();
    let mut registered = Vec::new();
    let mut passed_over = Vec::new();
    let mut regions: BTreeMap<String, usize> = BTreeMap::new();
    let mut taken = HashSet::new();
    for file in &files {
        let Some(file_name) = file.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        let ext = file
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .unwrap_or_default();
        let rel = format!("sources/{file_name}");
        if file_name.starts_with('.') || file_name.starts_with("~$") || is_rejects_file(file) {
            continue;
        }
        if !is_spreadsheet(file) && !TEXT_EXTENSIONS.contains(&ext.as_str()) {
            passed_over.push(format!("{rel}: not a table golive reads"));
            continue;
        }
        let stem = file
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("source");
        match survey(file, &profiles) {
            Survey::Unreadable(why) => {
                entries.push_str(&format!(
                    "# [[source]]   # {rel} could not be read: {why}\n# path = {}\n\n",
                    toml_string(&rel)
                ));
                passed_over.push(format!("{rel}: {why}"));
            }
            Survey::Read(tables) => {
                let one_profile = tables.windows(2).all(|w| w[0].profile == w[1].profile);
                let chosen: Vec<&Found> = if one_profile {
                    tables.iter().take(1).collect()
                } else {
                    tables.iter().collect()
                };
                for t in chosen {
                    let stem = match (&t.sheet, one_profile) {
                        (Some(sheet), false) => format!("{stem}-{sheet}"),
                        _ => stem.to_string(),
                    };
                    let name = source_name(&stem, &mut taken);
                    entries.push_str(&entry(&name, &rel, t, !one_profile));
                    entries.push('\n');
                    if let Some(r) = &t.region {
                        *regions.entry(r.clone()).or_default() += 1;
                    }
                    registered.push(format!("{name} ({})", t.profile));
                }
            }
        }
    }
    let mut text = SKELETON.replacen("name = \"my-migration\"", &format!("name = {name:?}"), 1);
    // The region most sources' profiles are made for (the skeleton's otherwise).
    if let Some((region, _)) = regions
        .iter()
        .max_by_key(|(r, n)| (**n, std::cmp::Reverse(*r)))
    {
        text = text.replacen("region = \"RU\"", &format!("region = {region:?}"), 1);
    }
    if !entries.is_empty() {
        text = text.replacen(
            "\n# Files under out/.",
            &format!("\n# Found in sources/ by `golive init`:\n\n{entries}# Files under out/."),
            1,
        );
    }
    std::fs::write(&path, text).map_err(|e| Error::io(&path, e))?;
    crate::say!("wrote {}", path.display());
    if registered.is_empty() {
        crate::say!(
            "next: put the customer's files into {}, add a [[source]] for each (or run `golive init --force` again), then `golive run {}`",
            sources.display(),
            args.dir.display()
        );
    } else {
        crate::say!(
            "registered {} source(s) from {}: {}",
            registered.len(),
            sources.display(),
            registered.join(", ")
        );
        crate::say!(
            "next: check the profiles (`golive inspect FILE`), then `golive run {}`",
            args.dir.display()
        );
    }
    for p in &passed_over {
        crate::say!("  passed over {p}");
    }
    Ok(())
}
