//! golive.toml: the project, its sources and defaults. Errors name the key and line.

use crate::error::{Error, Result};
use crate::model::Kind;
use serde::Deserialize;
use std::path::{Path, PathBuf};
use toml::Spanned;

pub const FILE_NAME: &str = "golive.toml";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    project: RawProject,
    #[serde(default, rename = "source")]
    sources: Vec<RawSource>,
    #[serde(default)]
    target: Option<RawTarget>,
    #[serde(default)]
    output: RawOutput,
    #[serde(default, rename = "phase")]
    phases: Vec<RawPhase>,
}

/// `[[phase]]`: what one step of a phased or pilot migration loads.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPhase {
    name: Spanned<String>,
    #[serde(default)]
    sources: Vec<Spanned<String>>,
    #[serde(default)]
    region: Vec<String>,
    #[serde(default)]
    owner: Vec<String>,
    #[serde(rename = "where")]
    filter: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTarget {
    crm: Spanned<String>,
    mode: Option<Spanned<String>>,
    api_url: Option<Spanned<String>>,
    #[serde(default)]
    existing: Vec<Spanned<String>>,
    #[serde(default)]
    fields: RawTargetFields,
    format: Option<Spanned<String>>,
    max_rows: Option<Spanned<u64>>,
    max_mb: Option<Spanned<u64>>,
    batch: Option<Spanned<u64>>,
    rate_limit: Option<Spanned<String>>,
    #[serde(default)]
    load_on_run: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTargetFields {
    #[serde(default)]
    organization: std::collections::BTreeMap<String, Spanned<String>>,
    #[serde(default)]
    person: std::collections::BTreeMap<String, Spanned<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOutput {
    bom: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProject {
    name: String,
    #[serde(default = "default_region")]
    region: Spanned<String>,
    #[serde(default)]
    source_priority: Vec<Spanned<String>>,
}

fn default_region() -> Spanned<String> {
    Spanned::new(0..0, "RU".to_string())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSource {
    path: Spanned<String>,
    name: Option<Spanned<String>>,
    profile: Option<Spanned<String>>,
    sheet: Option<Spanned<String>>,
    header_row: Option<usize>,
    kind: Option<Kind>,
    region: Option<Spanned<String>>,
    encoding: Option<String>,
    delimiter: Option<String>,
    default_area_code: Option<String>,
    /// `false`: the file has no header row; `columns` names its columns.
    header: Option<bool>,
    columns: Option<Vec<String>>,
}

#[derive(Clone, Debug)]
pub struct Config {
    pub dir: PathBuf,
    pub name: String,
    /// Default country for phones, ISO 3166 alpha-2.
    pub region: String,
    /// Source names, most trusted first (golden-record survivorship).
    pub source_priority: Vec<String>,
    pub sources: Vec<Source>,
    pub target: Option<TargetConfig>,
    /// `out/*.csv` start with a UTF-8 BOM, so Excel reads them as UTF-8 (`[output] bom = false` for scripts).
    pub bom: bool,
    /// `[[phase]]`, in the order of golive.toml (the order they go live).
    pub phases: Vec<PhaseConfig>,
}

/// One `[[phase]]`: a golden record belongs to it when it passes every filter
/// given (a member from one of `sources`, its region, its owner, the `where`
/// expression). The load stage compiles `where`; its line is kept for messages.
#[derive(Clone, Debug, PartialEq)]
pub struct PhaseConfig {
    pub name: String,
    pub line: usize,
    pub sources: Vec<String>,
    pub region: Vec<String>,
    pub owner: Vec<String>,
    /// The `where` expression and its line.
    pub filter: Option<(String, usize)>,
}

#[derive(Clone, Debug)]
pub struct Source {
    /// Short name used in outputs; unique in the project.
    pub name: String,
    /// Absolute (or project-relative resolved) path of the file.
    pub path: PathBuf,
    /// The path as written in golive.toml, relative to the project.
    pub rel_path: String,
    pub profile: Option<String>,
    pub kind: Option<Kind>,
    pub region: Option<String>,
    pub default_area_code: Option<String>,
    pub read: ReadOptions,
    /// Line in golive.toml, for messages.
    pub line: usize,
    /// The target CRM's own export of records already there (`[target] existing`):
    /// its source keys are target record IDs.
    pub existing: bool,
}

/// `[target]`: the CRM to load into. The load stage checks the names against
/// its target profiles; lines are kept for its messages.
#[derive(Clone, Debug)]
pub struct TargetConfig {
    pub crm: String,
    pub crm_line: usize,
    /// `files` (default) or `api`.
    pub mode: String,
    pub mode_line: usize,
    pub api_url: Option<String>,
    /// Column → field expression overrides, per entity (`organization`, `person`);
    /// an empty expression removes the column.
    pub fields: Vec<FieldOverride>,
    /// `csv` or `xlsx`, for the generic target.
    pub format: Option<(String, usize)>,
    /// Split import files above this many data rows / megabytes (the CRM's own limits otherwise).
    pub max_rows: Option<u64>,
    pub max_mb: Option<u64>,
    /// API targets: records per request (at most the CRM's own limit).
    pub batch: Option<u64>,
    /// API targets: requests allowed per window (`"190/10s"`: HubSpot Professional).
    pub rate_limit: Option<(u32, f64)>,
    /// `golive run` loads for real (else it plans a dry run unless `--load`).
    pub load_on_run: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct FieldOverride {
    pub entity: Kind,
    pub column: String,
    pub expr: String,
    pub line: usize,
}

impl Config {
    pub fn load(dir: &Path) -> Result<Self> {
        let path = dir.join(FILE_NAME);
        let text = std::fs::read_to_string(&path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => Error::bad_input(
                &path,
                "not found: is this a golive project? Create one with `golive init DIR`",
            ),
            _ => Error::io(&path, e),
        })?;
        Self::parse(dir, &path, &text)
    }

    pub fn parse(dir: &Path, path: &Path, text: &str) -> Result<Self> {
        let err = |offset: usize, message: String| Error::Config {
            path: path.to_path_buf(),
            line: line_of(text, offset),
            message,
        };
        let raw: RawConfig = toml::from_str(text).map_err(|e| {
            let offset = e.span().map_or(0, |s| s.start);
            err(offset, e.message().trim().to_string())
        })?;
        let region = check_region(&raw.project.region)
            .map_err(|m| err(raw.project.region.span().start, m))?;
        let mut sources: Vec<Source> = Vec::new();
        for s in raw.sources {
            let at = s.path.span().start;
            if s.columns.is_some() && s.header != Some(false) {
                return Err(err(
                    at,
                    "`columns` names the columns of a file without a header row: add `header = false`, or remove `columns`".into(),
                ));
            }
            let region = match &s.region {
                Some(r) => Some(check_region(r).map_err(|m| err(r.span().start, m))?),
                None => None,
            };
            let files = expand(dir, s.path.get_ref()).map_err(|m| err(at, format!("path: {m}")))?;
            let glob = files.len() != 1 || files[0].1 != *s.path.get_ref();
            for (file, rel) in files {
                let stem = Path::new(&rel)
                    .file_stem()
                    .map_or_else(|| rel.clone(), |s| s.to_string_lossy().into_owned());
                let name = match &s.name {
                    Some(n) if !glob => n.get_ref().clone(),
                    Some(n) => format!("{}/{stem}", n.get_ref()),
                    None => stem,
                };
                if let Some(sheet) = &s.sheet
                    && !is_spreadsheet(&file)
                {
                    return Err(err(
                        sheet.span().start,
                        format!(
                            "`sheet` is for workbooks (xlsx, xls, ods…), but `{rel}` is a text file: remove it"
                        ),
                    ));
                }
                if let Some(other) = sources.iter().find(|o| same_file(&o.path, &file)) {
                    return Err(err(
                        at,
                        format!(
                            "`{rel}` is already read by source `{}` (line {}): a file belongs to one source; narrow the glob or remove one",
                            other.name, other.line
                        ),
                    ));
                }
                if sources.iter().any(|o| o.name == name) {
                    let at = s.name.as_ref().map_or(at, |n| n.span().start);
                    return Err(err(
                        at,
                        format!(
                            "source name `{name}` is used twice: give each [[source]] its own `name`"
                        ),
                    ));
                }
                if let Some(e) = &s.encoding
                    && encoding_for_label(e).is_none()
                {
                    return Err(err(
                        at,
                        format!(
                            "unknown encoding `{e}`: use utf-8, cp1251, cp932, cp866, koi8-r, utf-16 or another WHATWG label"
                        ),
                    ));
                }
                if let Some(d) = &s.delimiter
                    && let Err(e) = parse_delimiter(d)
                {
                    return Err(err(at, e.to_string()));
                }
                if s.header_row == Some(0) {
                    return Err(err(
                        at,
                        "header_row is 1-based: the first row is 1".to_string(),
                    ));
                }
                sources.push(Source {
                    name,
                    path: file,
                    rel_path: rel,
                    profile: s.profile.as_ref().map(|p| p.get_ref().clone()),
                    kind: s.kind,
                    region: region.clone(),
                    default_area_code: s.default_area_code.clone(),
                    read: ReadOptions {
                        sheet: s.sheet.as_ref().map(|x| x.get_ref().clone()),
                        encoding: s.encoding.clone(),
                        delimiter: s.delimiter.clone(),
                        header_row: s.header_row,
                        no_header: s.header == Some(false),
                        columns: s.columns.clone().unwrap_or_default(),
                    },
                    line: line_of(text, at),
                    existing: false,
                });
            }
        }
        let target = match raw.target {
            Some(t) => {
                Some(target_config(t, dir, text, &mut sources).map_err(|(at, m)| err(at, m))?)
            }
            None => None,
        };
        for p in &raw.project.source_priority {
            let p_name = p.get_ref();
            let glob_prefix = format!("{p_name}/");
            if !sources
                .iter()
                .any(|s| s.name == *p_name || s.name.starts_with(&glob_prefix))
            {
                let names: Vec<&str> = sources.iter().map(|s| s.name.as_str()).collect();
                return Err(err(
                    p.span().start,
                    format!(
                        "source_priority names `{p_name}`, which is no source; the sources are: {}",
                        names.join(", ")
                    ),
                ));
            }
        }
        let phases = phases(raw.phases, &sources, text).map_err(|(at, m)| err(at, m))?;
        Ok(Config {
            dir: dir.to_path_buf(),
            name: raw.project.name,
            region,
            source_priority: raw
                .project
                .source_priority
                .into_iter()
                .map(Spanned::into_inner)
                .collect(),
            sources,
            target,
            bom: raw.output.bom.unwrap_or(true),
            phases,
        })
    }

    /// The phase `name`, or a message listing the phases there are.
    pub fn phase(&self, name: &str) -> Result<&PhaseConfig> {
        self.phases.iter().find(|p| p.name == name).ok_or_else(|| {
            let names: Vec<&str> = self.phases.iter().map(|p| p.name.as_str()).collect();
            Error::Usage(if names.is_empty() {
                format!(
                    "--phase {name}: golive.toml has no [[phase]]; add one, e.g.\n[[phase]]\nname = \"{name}\"\nregion = [\"Tokyo\"]"
                )
            } else {
                format!(
                    "--phase {name}: golive.toml has no such [[phase]]; its phases are: {}",
                    names.join(", ")
                )
            })
        })
    }

    /// Where stage outputs are written.
    pub fn out_dir(&self) -> PathBuf {
        self.dir.join("out")
    }

    /// Region of a source: its own, else the project's.
    pub fn region_of<'a>(&'a self, source: &'a Source) -> &'a str {
        source.region.as_deref().unwrap_or(&self.region)
    }
}

/// `[[phase]]` checked: a name used once, known sources, at least one filter.
/// Errors: (byte offset, message).
fn phases(
    raw: Vec<RawPhase>,
    sources: &[Source],
    text: &str,
) -> std::result::Result<Vec<PhaseConfig>, (usize, String)> {
    let mut out: Vec<PhaseConfig> = Vec::new();
    for p in raw {
        let at = p.name.span().start;
        let name = p.name.get_ref().trim().to_string();
        if name.is_empty() {
            return Err((
                at,
                "a [[phase]] needs a name (`--phase NAME` picks it)".into(),
            ));
        }
        if let Some(other) = out.iter().find(|o| o.name == name) {
            return Err((
                at,
                format!(
                    "phase name `{name}` is used twice (line {}): give each [[phase]] its own name",
                    other.line
                ),
            ));
        }
        for s in &p.sources {
            let wanted = s.get_ref();
            let prefix = format!("{wanted}/");
            if !sources
                .iter()
                .any(|x| x.name == *wanted || x.name.starts_with(&prefix))
            {
                let names: Vec<&str> = sources.iter().map(|s| s.name.as_str()).collect();
                return Err((
                    s.span().start,
                    format!(
                        "phase `{name}` names source `{wanted}`, which is no source; the sources are: {}",
                        names.join(", ")
                    ),
                ));
            }
        }
        if p.sources.is_empty() && p.region.is_empty() && p.owner.is_empty() && p.filter.is_none() {
            return Err((
                at,
                format!(
                    "phase `{name}` selects nothing: give it `sources`, `region`, `owner` or `where` (e.g. where = \"city = 'Osaka'\")"
                ),
            ));
        }
        out.push(PhaseConfig {
            name,
            line: line_of(text, at),
            sources: p.sources.into_iter().map(Spanned::into_inner).collect(),
            region: p.region,
            owner: p.owner,
            filter: p
                .filter
                .map(|f| (f.get_ref().clone(), line_of(text, f.span().start))),
        });
    }
    Ok(out)
}

/// `[target]` checked for shape; its `existing` files become sources named
/// `existing/<file stem>`. Errors: (byte offset, message).
fn target_config(
    t: RawTarget,
    dir: &Path,
    text: &str,
    sources: &mut Vec<Source>,
) -> std::result::Result<TargetConfig, (usize, String)> {
    let mode = t
        .mode
        .as_ref()
        .map_or_else(|| "files".to_string(), |m| m.get_ref().clone());
    let mode_at = t
        .mode
        .as_ref()
        .map_or(t.crm.span().start, |m| m.span().start);
    if !matches!(mode.as_str(), "files" | "api") {
        return Err((
            mode_at,
            format!("mode `{mode}` is unknown: use \"files\" (import files) or \"api\""),
        ));
    }
    for e in &t.existing {
        let at = e.span().start;
        for (file, rel) in expand(dir, e.get_ref()).map_err(|m| (at, format!("existing: {m}")))? {
            if !file.is_file() {
                return Err((
                    at,
                    format!(
                        "existing: `{rel}` not found: give the path of the CRM's export, relative to golive.toml"
                    ),
                ));
            }
            if let Some(other) = sources.iter().find(|o| same_file(&o.path, &file)) {
                return Err((
                    at,
                    format!(
                        "existing: `{rel}` is already read by source `{}`: a file is either a source or the target's export",
                        other.name
                    ),
                ));
            }
            let stem = Path::new(&rel)
                .file_stem()
                .map_or_else(|| rel.clone(), |s| s.to_string_lossy().into_owned());
            let mut name = format!("existing/{stem}");
            let mut n = 1;
            while sources.iter().any(|o| o.name == name) {
                n += 1;
                name = format!("existing/{stem}-{n}");
            }
            sources.push(Source {
                name,
                path: file,
                rel_path: rel,
                profile: None,
                kind: None,
                region: None,
                default_area_code: None,
                read: ReadOptions::default(),
                line: line_of(text, at),
                existing: true,
            });
        }
    }
    let mut fields = Vec::new();
    for (entity, table) in [
        (Kind::Organization, &t.fields.organization),
        (Kind::Person, &t.fields.person),
    ] {
        for (column, expr) in table {
            fields.push(FieldOverride {
                entity,
                column: column.clone(),
                expr: expr.get_ref().trim().to_string(),
                line: line_of(text, expr.span().start),
            });
        }
    }
    if let Some(f) = &t.format
        && !matches!(f.get_ref().as_str(), "csv" | "xlsx")
    {
        return Err((
            f.span().start,
            format!(
                "format `{}` is unknown: use \"csv\" or \"xlsx\"",
                f.get_ref()
            ),
        ));
    }
    for (name, v) in [
        ("max_rows", &t.max_rows),
        ("max_mb", &t.max_mb),
        ("batch", &t.batch),
    ] {
        if let Some(v) = v
            && *v.get_ref() == 0
        {
            return Err((v.span().start, format!("{name} must be at least 1")));
        }
    }
    Ok(TargetConfig {
        crm: t.crm.get_ref().trim().to_ascii_lowercase(),
        crm_line: line_of(text, t.crm.span().start),
        mode,
        mode_line: line_of(text, mode_at),
        api_url: t.api_url.map(Spanned::into_inner),
        fields,
        format: t.format.map(|f| {
            let line = line_of(text, f.span().start);
            (f.into_inner(), line)
        }),
        max_rows: t.max_rows.map(Spanned::into_inner),
        max_mb: t.max_mb.map(Spanned::into_inner),
        batch: t.batch.map(Spanned::into_inner),
        load_on_run: t.load_on_run,
        rate_limit: match &t.rate_limit {
            None => None,
            Some(r) => Some(parse_rate_limit(r.get_ref()).ok_or_else(|| {
                (
                    r.span().start,
                    format!(
                        "rate_limit = \"{}\": write requests per window, e.g. \"190/10s\"",
                        r.get_ref()
                    ),
                )
            })?),
        },
    })
}

/// Two files are one when their paths resolve to the same file.
fn same_file(a: &Path, b: &Path) -> bool {
    a == b
        || matches!(
            (std::fs::canonicalize(a), std::fs::canonicalize(b)),
            (Ok(x), Ok(y)) if x == y
        )
}

/// A region the phone library has numbering plans for (`RU`, `JP`, not `XX`).
pub fn is_phone_region(code: &str) -> bool {
    use rlibphonenumber::{PHONE_NUMBER_UTIL, enums::Region};
    Region::from_code(code)
        .ok()
        .is_some_and(|r| PHONE_NUMBER_UTIL.get_country_code_for_region(r).is_some())
}

/// `--region` as given on the command line.
pub fn check_cli_region(region: &str) -> Result<()> {
    if is_phone_region(region) {
        Ok(())
    } else {
        Err(Error::Usage(format!(
            "--region `{region}` is not a country with a phone numbering plan: use an ISO 3166 code such as RU, JP, US"
        )))
    }
}

fn check_region(r: &Spanned<String>) -> std::result::Result<String, String> {
    let v = r.get_ref().trim().to_ascii_uppercase();
    if v.len() == 2 && v.bytes().all(|b| b.is_ascii_uppercase()) {
        if is_phone_region(&v) {
            Ok(v)
        } else {
            Err(format!(
                "region `{}` is not a country with a phone numbering plan: use an ISO 3166 code such as RU, JP, US",
                r.get_ref()
            ))
        }
    } else {
        Err(format!(
            "region `{}` is not a two-letter country code such as RU, JP, US",
            r.get_ref()
        ))
    }
}

/// A path or glob relative to the project, to sorted (absolute, relative) pairs.
fn expand(dir: &Path, pattern: &str) -> std::result::Result<Vec<(PathBuf, String)>, String> {
    if !pattern.contains(['*', '?', '[']) {
        return Ok(vec![(dir.join(pattern), pattern.to_string())]);
    }
    let full = dir.join(pattern);
    let full = full.to_str().ok_or("the path is not valid UTF-8")?;
    let mut found: Vec<(PathBuf, String)> = glob::glob(full)
        .map_err(|e| format!("bad pattern `{pattern}`: {e}"))?
        .filter_map(|p| p.ok())
        .filter(|p| p.is_file() && !is_rejects_file(p))
        .map(|p| {
            let rel = p
                .strip_prefix(dir)
                .unwrap_or(&p)
                .to_string_lossy()
                .replace('\\', "/");
            (p, rel)
        })
        .collect();
    found.sort();
    if found.is_empty() {
        return Err(format!("`{pattern}` matches no file"));
    }
    Ok(found)
}

/// The commented skeleton `golive init` writes.
pub const SKELETON: &str = r#"# golive project: one migration. Paths are relative to this file.
# Run every stage with `golive run DIR`; see what each holds with `golive status DIR`.

[project]
name = "my-migration"
# Default country for phone numbers written without +country code (ISO 3166: RU, JP, US…).
region = "RU"
# Source names, most trusted first: golden records take fields from the first.
# source_priority = ["1c", "crm", "excel"]

# One [[source]] per file or glob. Only `path` is required; everything else is detected.
# `golive inspect FILE` shows what golive detects, and which profile it picks.
#
# [[source]]
# name = "1c"                              # short name used in reports (default: file name)
# path = "sources/kontragenty.xlsx"        # or a glob: "sources/*.csv"
# profile = "1c-counterparties"            # mapping profile (see mappings/); default: detected
# sheet = "Лист1"                          # default: every sheet with a table
# header_row = 4                           # 1-based; default: detected under title rows
# kind = "organization"                    # organization | person | sole_proprietor
# region = "RU"                            # this source's default phone country
# default_area_code = "495"                # assume this city code for local numbers
# encoding = "cp1251"                      # text files: default detected (utf-8, utf-16, cp1251, cp932)
# delimiter = ";"                          # text files: default detected (, ; tab |)
# header = false                           # a file without a header row: name its columns
# columns = ["Name", "Email", "Phone"]     #   in order (NTA 法人番号 / Japan Post files are known)

# Files under out/. CSVs start with a UTF-8 byte order mark so that Excel shows
# Cyrillic and Japanese right; scripts that do not expect one can turn it off.
# [output]
# bom = false

# The CRM to load into (used by `golive load`; `golive load --dry-run` first).
# [target]
# crm = "bitrix24"                # salesforce | hubspot | bitrix24 | amocrm | odoo | zoho | csv
# mode = "files"                  # import files under out/load/<crm>/ (default)
# existing = ["exports/companies.csv"]  # the CRM's own export of what it holds already
## format = "xlsx"              # crm = "csv" only: csv (default) or xlsx
# max_rows = 50000                # split import files at this many rows
# max_mb = 20                     # ...or at this size
## mode = "api" loads through the API (hubspot): the token in HUBSPOT_ACCESS_TOKEN, never here
# rate_limit = "190/10s"          # requests per window (default: the CRM's lowest tier)
# batch = 100                     # records per request (at most the CRM's limit)
# load_on_run = false             # `golive run` loads too (else it plans a dry run; `--load`)
# [target.fields.organization]    # a CRM column filled from another field, or a constant
# "Источник" = "const:golive"
# "Сфера деятельности" = "industry"

# A phased or pilot migration: [[phase]]s in the order they go live;
# `golive run DIR --phase moscow` loads what the phases up to `moscow` select.
# [[phase]]
# name = "pilot"
# owner = ["Иванов"]              # and/or sources = ["1c"], region = ["Москва"]
# [[phase]]
# name = "moscow"
# where = "region = 'Москва' or city in ('Москва', 'Зеленоград')"
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_glob_leaves_the_fixed_rejects_out() {
        let tmp = tempfile::tempdir().unwrap();
        let sources = tmp.path().join("sources");
        std::fs::create_dir_all(&sources).unwrap();
        std::fs::write(sources.join("a.csv"), "Name\nAcme\n").unwrap();
        std::fs::write(
            sources.join("rejects.csv"),
            "\u{feff}source,file,sheet,row,reason,Name\n",
        )
        .unwrap();
        std::fs::write(
            sources.join("rejects-ru.csv"),
            "source;file;sheet;row;reason\n",
        )
        .unwrap();
        std::fs::write(sources.join("rejects_2019.csv"), "Name,Reason\nAcme,late\n").unwrap();
        let found: Vec<String> = expand(tmp.path(), "sources/*.csv")
            .unwrap()
            .into_iter()
            .map(|(_, rel)| rel)
            .collect();
        assert_eq!(found, ["sources/a.csv", "sources/rejects_2019.csv"]);
    }

    fn parse(text: &str) -> Result<Config> {
        Config::parse(Path::new("/p"), Path::new("/p/golive.toml"), text)
    }

    #[test]
    fn skeleton_parses() {
        let c = parse(SKELETON).unwrap();
        assert_eq!(c.region, "RU");
        assert!(c.sources.is_empty());
        let phases: Vec<&str> = SKELETON
            .lines()
            .skip_while(|l| !l.starts_with("# [[phase]]"))
            .map(|l| l.trim_start_matches("# "))
            .collect();
        let c = parse(&format!("[project]\nname = \"x\"\n{}", phases.join("\n"))).unwrap();
        let names: Vec<&str> = c.phases.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["pilot", "moscow"]);
    }

    #[test]
    fn rate_limits_read_as_requests_per_window() {
        assert_eq!(parse_rate_limit("190/10s"), Some((190, 10.0)));
        assert_eq!(parse_rate_limit(" 2 / s "), Some((2, 1.0)));
        assert_eq!(parse_rate_limit("0/10s"), None);
        assert_eq!(parse_rate_limit("1/1e20s"), None);
        assert_eq!(parse_rate_limit("100 per 10s"), None);
        let err =
            parse("[project]\nname = \"x\"\n[target]\ncrm = \"hubspot\"\nrate_limit = \"fast\"\n")
                .unwrap_err()
                .to_string();
        assert!(
            err.contains("golive.toml:5") && err.contains("190/10s"),
            "{err}"
        );
    }

    #[test]
    fn sources_get_names_and_overrides() {
        let c = parse(
            "[project]\nname = \"x\"\nregion = \"jp\"\n[[source]]\npath = \"a/b.csv\"\nencoding = \"cp932\"\n[[source]]\nname = \"crm\"\npath = \"c.xlsx\"\nregion = \"US\"\n",
        )
        .unwrap();
        assert_eq!(c.region, "JP");
        assert_eq!(c.sources[0].name, "b");
        assert_eq!(c.sources[0].read.encoding.as_deref(), Some("cp932"));
        assert_eq!(c.sources[0].line, 5);
        assert_eq!(c.region_of(&c.sources[0]), "JP");
        assert_eq!(c.region_of(&c.sources[1]), "US");
    }

    #[test]
    fn errors_name_the_key_and_line() {
        let e = parse("[project]\nname = \"x\"\nregoin = \"RU\"\n")
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("/p/golive.toml:3:") && e.contains("regoin"),
            "{e}"
        );
        let e = parse("[project]\nname = \"x\"\nregion = \"Russia\"\n")
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("/p/golive.toml:3:") && e.contains("two-letter"),
            "{e}"
        );
        let e = parse("[project]\nname = \"x\"\n[[source]]\npath = \"a.csv\"\n[[source]]\npath = \"b/a.csv\"\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("used twice"), "{e}");
        let e =
            parse("[project]\nname = \"x\"\n[[source]]\npath = \"a.csv\"\nkind = \"company\"\n")
                .unwrap_err()
                .to_string();
        assert!(e.contains(":5:") && e.contains("company"), "{e}");
    }

    #[test]
    fn read_options_are_checked_when_the_config_is_read() {
        let head = "[project]\nname = \"x\"\n[[source]]\npath = \"a.csv\"\n";
        for (extra, wanted) in [
            ("encoding = \"cp9999\"\n", "unknown encoding `cp9999`"),
            ("delimiter = \"#\"\n", "unknown delimiter `#`"),
            ("header_row = 0\n", "header_row is 1-based"),
        ] {
            let e = parse(&format!("{head}{extra}")).unwrap_err().to_string();
            assert!(
                e.starts_with("/p/golive.toml:4:") && e.contains(wanted),
                "{extra}: {e}"
            );
        }
        assert!(parse(&format!("{head}encoding = \"Shift_JIS\"\n")).is_ok());
    }

    #[test]
    fn config_mistakes_are_caught_before_any_work() {
        let head = "[project]\nname = \"x\"\n";
        let cases = [
            ("region = \"XX\"\n", ":3:", "numbering plan"),
            (
                "[[source]]\npath = \"a.csv\"\nregion = \"zz\"\n",
                ":5:",
                "numbering plan",
            ),
            (
                "[[source]]\npath = \"a.csv\"\nsheet = \"Лист1\"\n",
                ":5:",
                "`sheet` is for workbooks",
            ),
            (
                "[[source]]\nname = \"a\"\npath = \"a.csv\"\n[[source]]\nname = \"b\"\npath = \"./a.csv\"\n",
                ":8:",
                "already read by source `a` (line 5)",
            ),
            (
                "source_priority = [\"crm\", \"1c\"]\n[[source]]\nname = \"1c\"\npath = \"a.xlsx\"\n",
                ":3:",
                "`crm`, which is no source",
            ),
            (
                "[[source]]\nname = \"crm\"\npath = \"a.csv\"\n[[phase]]\nname = \"pilot\"\nsources = [\"erp\"]\n",
                ":8:",
                "phase `pilot` names source `erp`, which is no source",
            ),
            (
                "[[phase]]\nname = \"pilot\"\nregion = [\"Tokyo\"]\n[[phase]]\nname = \"pilot\"\nowner = [\"Sato\"]\n",
                ":7:",
                "used twice (line 4)",
            ),
            ("[[phase]]\nname = \"all\"\n", ":4:", "selects nothing"),
        ];
        for (body, line, what) in cases {
            let e = parse(&format!("{head}{body}")).unwrap_err().to_string();
            assert!(e.contains(line) && e.contains(what), "{body}: {e}");
        }
        let ok = parse(&format!(
            "{head}source_priority = [\"1c\"]\n[[source]]\nname = \"1c\"\npath = \"a.xlsx\"\nsheet = \"TDSheet\"\n[output]\nbom = false\n"
        ))
        .unwrap();
        assert!(!ok.bom);
        assert!(parse(head).unwrap().bom, "a BOM by default");
        let phased = parse(&format!(
            "{head}[[phase]]\nname = \"tokyo\"\nregion = [\"東京都\"]\nwhere = \"owner != 'Ito'\"\n"
        ))
        .unwrap();
        assert_eq!(
            phased.phases,
            [PhaseConfig {
                name: "tokyo".into(),
                line: 4,
                sources: Vec::new(),
                region: vec!["東京都".into()],
                owner: Vec::new(),
                filter: Some(("owner != 'Ito'".into(), 6)),
            }]
        );
        let e = phased.phase("osaka").unwrap_err().to_string();
        assert!(e.contains("its phases are: tokyo"), "{e}");
    }
}

/// What the user may force instead of detection.
#[derive(Clone, Debug, Default)]
pub struct ReadOptions {
    pub sheet: Option<String>,
    pub encoding: Option<String>,
    pub delimiter: Option<String>,
    /// 1-based.
    pub header_row: Option<usize>,
    /// `header = false`: the file has no header row…
    pub no_header: bool,
    /// …and these are its columns, in order (a built-in layout otherwise).
    pub columns: Vec<String>,
}

/// Workbook file extensions calamine reads.
pub const SPREADSHEET_EXTENSIONS: &[&str] = &["xlsx", "xlsm", "xlsb", "xls", "ods", "xla", "xlam"];

pub fn is_spreadsheet(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| SPREADSHEET_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
}

/// A fixed `out/rejects.csv` dropped into `sources/`: `rejects*.csv` whose
/// header starts `source,file,sheet,row,reason` (`;` or tab as Excel saves it).
/// Read as fixes of the rows it names, never as a source of its own.
pub fn is_rejects_file(path: &Path) -> bool {
    let named = path
        .file_name()
        .and_then(|n| n.to_str())
        .map(str::to_ascii_lowercase)
        .is_some_and(|n| n.starts_with("rejects") && n.ends_with(".csv"));
    if !named || !path.is_file() {
        return false;
    }
    let mut head = [0u8; 64];
    let n = std::fs::File::open(path)
        .and_then(|mut f| std::io::Read::read(&mut f, &mut head))
        .unwrap_or(0);
    let head = head[..n]
        .strip_prefix(b"\xEF\xBB\xBF")
        .unwrap_or(&head[..n]);
    [b',', b';', b'\t'].iter().any(|d| {
        let want: Vec<u8> = ["source", "file", "sheet", "row", "reason"]
            .iter()
            .flat_map(|c| c.bytes().chain([*d]))
            .collect();
        head.starts_with(&want[..want.len() - 1])
    })
}

/// 1-based line of a byte offset in a text (for TOML errors).
pub fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset).map_or(0, |t| t.matches('\n').count()) + 1
}

/// Resolve a user's label. WHATWG labels do not include `cp932` or `utf16`,
/// which is what consultants type, so those aliases come first.
pub fn encoding_for_label(label: &str) -> Option<&'static encoding_rs::Encoding> {
    let l = label.trim().to_ascii_lowercase().replace('_', "-");
    let alias = match l.as_str() {
        "cp932" | "ms932" | "windows-932" | "sjis" | "shift-jis" | "shiftjis" | "windows-31j" => {
            Some(encoding_rs::SHIFT_JIS)
        }
        "cp1251" | "win1251" | "windows1251" | "ansi" => Some(encoding_rs::WINDOWS_1251),
        "cp1252" | "win1252" | "windows1252" | "latin1" | "latin-1" => {
            Some(encoding_rs::WINDOWS_1252)
        }
        "cp866" | "dos" | "866" | "oem866" => Some(encoding_rs::IBM866),
        "koi8r" => Some(encoding_rs::KOI8_R),
        "utf8" | "utf-8-sig" => Some(encoding_rs::UTF_8),
        "utf16" | "utf-16" | "utf16le" | "ucs-2" | "unicode" => Some(encoding_rs::UTF_16LE),
        "utf16be" => Some(encoding_rs::UTF_16BE),
        _ => None,
    };
    alias.or_else(|| encoding_rs::Encoding::for_label(l.as_bytes()))
}

/// A `delimiter =` value (or `--delimiter`) as the byte it names.
/// `"190/10s"` → (190, 10.0); `"2/s"` → (2, 1.0).
fn parse_rate_limit(text: &str) -> Option<(u32, f64)> {
    let (n, window) = text.trim().split_once('/')?;
    let n: u32 = n.trim().parse().ok().filter(|n| *n > 0)?;
    let secs = window.trim().strip_suffix('s')?;
    let secs: f64 = if secs.is_empty() {
        1.0
    } else {
        secs.parse().ok()?
    };
    // A day at most: a window beyond it is a typo (and would overflow a Duration).
    (secs.is_finite() && secs > 0.0 && secs <= 86_400.0).then_some((n, secs))
}

pub fn parse_delimiter(d: &str) -> Result<u8> {
    match d {
        "tab" | "\\t" | "\t" | "TAB" => Ok(b'\t'),
        "," | ";" | "|" | ":" | "^" => Ok(d.as_bytes()[0]),
        _ => Err(Error::Usage(format!(
            "unknown delimiter `{d}`: use ',', ';', 'tab' or '|'"
        ))),
    }
}
