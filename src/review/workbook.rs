//! `out/review.xlsx`: a summary, one sheet per kind of question, the clusters,
//! and a hidden `golive` sheet (format, language, the drop-down lists of
//! person links). Row 1 of each question sheet is hidden and holds the column
//! codes scripts and the import read; row 2 is the header a person reads.

use super::labels::{Lang, label};
use super::{Card, ClusterView, LinkQuestion, PairQuestion, ReviewSet};
use crate::export::{Column, neutralize};
use rust_xlsxwriter::{
    Color, DataValidation, DocProperties, ExcelDateTime, Format, FormatAlign, Formula, Workbook,
    Worksheet, XlsxError,
};

/// The workbook format the import understands.
pub const FORMAT_VERSION: &str = "1";
/// The hidden sheet's name (never translated).
pub const META_SHEET: &str = "golive";
/// First data row (0-based): row 0 holds the codes, row 1 the header.
pub const FIRST_ROW: u32 = 2;

const ORG_FIELDS: [&str; 6] = ["name", "tax_id", "phone", "email", "website", "address"];
const PERSON_FIELDS: [&str; 6] = ["name", "birth_date", "company", "phone", "email", "address"];
const SIDE_FIELDS: [&str; 5] = ["source", "key", "origin", "golden", "hash"];

/// Column codes of a pair sheet, in order.
pub fn pair_columns(persons: bool) -> Vec<String> {
    let fields = if persons { PERSON_FIELDS } else { ORG_FIELDS };
    let mut c: Vec<String> = ["pair_id", "decision", "note", "score", "band", "reasons"]
        .map(String::from)
        .to_vec();
    for f in fields {
        c.push(format!("left_{f}"));
        c.push(format!("right_{f}"));
    }
    for side in ["left", "right"] {
        c.extend(SIDE_FIELDS.iter().map(|f| format!("{side}_{f}")));
    }
    c
}

pub const LINK_COLUMNS: [&str; 12] = [
    "link_id",
    "decision",
    "note",
    "candidates",
    "person_name",
    "person_company",
    "person_email",
    "person_phone",
    "person_source",
    "person_key",
    "person_origin",
    "person_hash",
];

pub const CLUSTER_COLUMNS: [&str; 18] = [
    "golden_id",
    "role",
    "members",
    "name",
    "tax_id",
    "phone",
    "email",
    "address",
    "source",
    "key",
    "origin",
    "member_id",
    "hash",
    "take_out",
    "name_override",
    "phone_override",
    "email_override",
    "note",
];

/// The header a person reads for a column code.
fn header(lang: Lang, code: &str) -> String {
    for (prefix, side) in [
        ("left_", "side.left"),
        ("right_", "side.right"),
        ("person_", ""),
    ] {
        if let Some(field) = code.strip_prefix(prefix) {
            let f = label(lang, &format!("col.{field}"));
            return if side.is_empty() {
                f.to_string()
            } else {
                format!("{} · {f}", label(lang, side))
            };
        }
    }
    label(lang, &format!("col.{code}")).to_string()
}

fn width(code: &str) -> f64 {
    let base = code
        .trim_start_matches("left_")
        .trim_start_matches("right_")
        .trim_start_matches("person_");
    match base {
        "pair_id" | "link_id" | "golden_id" | "golden" | "member_id" | "score" | "band"
        | "members" => 12.0,
        "decision" | "take_out" | "role" | "source" | "key" => 15.0,
        "reasons" | "candidates" | "address" | "origin" => 40.0,
        _ => 24.0,
    }
}

/// The label of a drop-down value, as written in cells.
pub fn candidate_label(golden_id: &str, name: &str) -> String {
    format!("{golden_id} · {name}")
}

struct Styles {
    header: Format,
    text: Format,
    differ: Format,
    decision: Format,
    score: Format,
    golden: Format,
}

impl Styles {
    fn new() -> Styles {
        let text = Format::new().set_num_format("@");
        Styles {
            header: Format::new()
                .set_bold()
                .set_text_wrap()
                .set_align(FormatAlign::Top)
                .set_background_color(Color::RGB(0xD9E1F2)),
            differ: text.clone().set_background_color(Color::RGB(0xFFF2CC)),
            decision: text.clone().set_background_color(Color::RGB(0xE2EFDA)),
            golden: text.clone().set_bold(),
            score: Format::new().set_num_format("0.0"),
            text,
        }
    }
}

/// One text cell, neutralized; `format` only where it differs from the column's.
fn cell(
    ws: &mut Worksheet,
    row: u32,
    col: u16,
    value: &str,
    code: &str,
    format: Option<&Format>,
) -> Result<(), XlsxError> {
    if value.is_empty() {
        return Ok(());
    }
    // A content hash (48 bits) is exact as a number and costs Excel's shared
    // string table nothing: 400,000 unique strings fewer at 100,000 pairs.
    if code.ends_with("hash")
        && let Ok(n) = u64::from_str_radix(value, 16)
    {
        ws.write_number(row, col, n as f64)?;
        return Ok(());
    }
    let column = if code.ends_with("phone") || code.ends_with("phone_override") {
        Column::Phone
    } else {
        Column::Text
    };
    let value = neutralize(value, column);
    match format {
        Some(f) => ws.write_string_with_format(row, col, value.as_ref(), f)?,
        None => ws.write_string(row, col, value.as_ref())?,
    };
    Ok(())
}

/// Columns a steward writes in: green, and text.
fn editable(code: &str) -> bool {
    matches!(code, "decision" | "note" | "take_out") || code.ends_with("_override")
}

/// Row 0 (hidden): codes; row 1: the header; frozen, filtered, sized. Each
/// column carries its format (text, or the editable green), so cells are
/// written without one: a per-cell format costs a hash of it per write.
fn heading(
    ws: &mut Worksheet,
    codes: &[String],
    lang: Lang,
    rows: usize,
    s: &Styles,
) -> Result<(), XlsxError> {
    ws.set_row_hidden(0)?;
    for (c, code) in codes.iter().enumerate() {
        let c = c as u16;
        ws.set_column_width(c, width(code))?;
        let format = if editable(code) {
            &s.decision
        } else if code == "score" {
            &s.score
        } else {
            &s.text
        };
        ws.set_column_format(c, format)?;
        // For the import, not for people: what each row said when shown.
        if code.ends_with("hash") {
            ws.set_column_hidden(c)?;
        }
    }
    for (c, code) in codes.iter().enumerate() {
        ws.write_string(0, c as u16, code)?;
    }
    for (c, code) in codes.iter().enumerate() {
        ws.write_string_with_format(1, c as u16, header(lang, code), &s.header)?;
    }
    ws.set_freeze_panes(FIRST_ROW, 1)?;
    let last_row = FIRST_ROW + rows.max(1) as u32 - 1;
    ws.autofilter(1, 0, last_row, codes.len() as u16 - 1)?;
    Ok(())
}

fn col_of(codes: &[String], code: &str) -> u16 {
    codes.iter().position(|c| c == code).unwrap_or(0) as u16
}

fn list(values: &[&str]) -> Result<DataValidation, XlsxError> {
    DataValidation::new()
        .allow_list_strings(values)?
        .ignore_blank(true)
        .set_error_title("golive")
}

fn pair_sheet(
    ws: &mut Worksheet,
    pairs: &[PairQuestion],
    persons: bool,
    lang: Lang,
    s: &Styles,
) -> Result<(), XlsxError> {
    let codes = pair_columns(persons);
    heading(ws, &codes, lang, pairs.len(), s)?;
    let fields = if persons { PERSON_FIELDS } else { ORG_FIELDS };
    for (i, q) in pairs.iter().enumerate() {
        let r = FIRST_ROW + i as u32;
        let reasons: Vec<String> = q.reasons.iter().map(|x| x.words(lang)).collect();
        let band = label(lang, &format!("band.{}", q.band));
        for (c, code) in codes.iter().enumerate() {
            let c = c as u16;
            let (value, format): (&str, Option<&Format>) = match code.as_str() {
                "pair_id" => (&q.pair_id, None),
                "decision" | "note" => continue,
                "score" => {
                    ws.write_number(r, c, (q.score * 10.0).round() / 10.0)?;
                    continue;
                }
                "band" => (band, None),
                "reasons" => {
                    cell(ws, r, c, &reasons.join("; "), code, None)?;
                    continue;
                }
                other => {
                    let (side, field) = other.split_once('_').unwrap_or(("", other));
                    let (this, that) = if side == "left" {
                        (&q.left, &q.right)
                    } else {
                        (&q.right, &q.left)
                    };
                    let v = this.field(field);
                    let differ = fields.contains(&field)
                        && !v.is_empty()
                        && !that.field(field).is_empty()
                        && v != that.field(field);
                    (v, differ.then_some(&s.differ))
                }
            };
            cell(ws, r, c, value, code, format)?;
        }
    }
    if !pairs.is_empty() {
        let c = col_of(&codes, "decision");
        let last = FIRST_ROW + pairs.len() as u32 - 1;
        let v = list(&[label(lang, "value.merge"), label(lang, "value.keep_apart")])?;
        ws.add_data_validation(FIRST_ROW, c, last, c, &v)?;
    }
    Ok(())
}

/// The link sheet; returns each row's drop-down values, for the hidden sheet
/// (an inline list is limited to 255 characters).
fn link_sheet(
    ws: &mut Worksheet,
    links: &[LinkQuestion],
    lang: Lang,
    s: &Styles,
) -> Result<Vec<Vec<String>>, XlsxError> {
    let codes: Vec<String> = LINK_COLUMNS.map(String::from).to_vec();
    heading(ws, &codes, lang, links.len(), s)?;
    let none = label(lang, "value.no_organization");
    let mut lists = Vec::with_capacity(links.len());
    for (i, q) in links.iter().enumerate() {
        let r = FIRST_ROW + i as u32;
        let mut choices: Vec<String> = q
            .candidates
            .iter()
            .map(|(g, n)| candidate_label(g, n))
            .collect();
        let p: &Card = &q.person;
        for (c, code) in codes.iter().enumerate() {
            let value = match code.as_str() {
                "link_id" => q.link_id.clone(),
                "decision" | "note" => continue,
                "candidates" => choices.join("; "),
                other => p.field(other.trim_start_matches("person_")).to_string(),
            };
            cell(ws, r, c as u16, &value, code, None)?;
        }
        choices.push(none.to_string());
        let last = rust_xlsxwriter::utility::column_number_to_name(choices.len() as u16 - 1);
        let range = format!("={META_SHEET}!$A${0}:${last}${0}", r + 1);
        let v = DataValidation::new()
            .allow_list_formula(Formula::new(range))
            .ignore_blank(true);
        let c = col_of(&codes, "decision");
        ws.add_data_validation(r, c, r, c, &v)?;
        lists.push(choices);
    }
    Ok(lists)
}

fn cluster_sheet(
    ws: &mut Worksheet,
    clusters: &[ClusterView],
    lang: Lang,
    s: &Styles,
) -> Result<(), XlsxError> {
    let codes: Vec<String> = CLUSTER_COLUMNS.map(String::from).to_vec();
    let rows: usize = clusters.iter().map(|c| c.members.len() + 1).sum();
    heading(ws, &codes, lang, rows, s)?;
    let mut r = FIRST_ROW;
    for cl in clusters {
        let members = cl.members.len().to_string();
        let rows = std::iter::once(&cl.golden).chain(cl.members.iter().map(|m| m.as_ref()));
        for (m, card) in rows.enumerate() {
            let golden = m == 0;
            let role = label(
                lang,
                if golden {
                    "value.golden"
                } else {
                    "value.member"
                },
            );
            for (c, code) in codes.iter().enumerate() {
                let value = match code.as_str() {
                    "golden_id" => cl.golden_id.as_str(),
                    "role" => role,
                    "members" if golden => &members,
                    "take_out" | "note" | "members" => continue,
                    "member_id" | "hash" if golden => continue,
                    "member_id" => {
                        let id = super::member_id(&cl.golden_id, &card.source, &card.key);
                        cell(ws, r, c as u16, &id, code, None)?;
                        continue;
                    }
                    o if o.ends_with("_override") => match golden {
                        true => cl
                            .overrides
                            .get(o.trim_end_matches("_override"))
                            .map_or("", String::as_str),
                        false => continue,
                    },
                    field => card.field(field),
                };
                let format = (golden && !editable(code)).then_some(&s.golden);
                cell(ws, r, c as u16, value, code, format)?;
            }
            r += 1;
        }
    }
    // One list for the column (the import refuses it on a golden row): one
    // per member row would swell the file at 100,000 clusters.
    if r > FIRST_ROW {
        let c = col_of(&codes, "take_out");
        let v = list(&[label(lang, "value.take_out")])?;
        ws.add_data_validation(FIRST_ROW, c, r - 1, c, &v)?;
    }
    Ok(())
}

fn summary_sheet(
    ws: &mut Worksheet,
    set: &ReviewSet,
    lang: Lang,
    s: &Styles,
) -> Result<(), XlsxError> {
    let bold = Format::new().set_bold();
    let title = Format::new().set_bold().set_font_size(14);
    ws.set_column_width(0, 40)?;
    ws.set_column_width(1, 14)?;
    ws.write_string_with_format(0, 0, label(lang, "summary.title"), &title)?;
    let mut r = 2;
    ws.write_string_with_format(r, 0, label(lang, "summary.band"), &s.header)?;
    ws.write_string_with_format(r, 1, label(lang, "summary.count"), &s.header)?;
    let count =
        |band: &str, pairs: &[PairQuestion]| pairs.iter().filter(|p| p.band == band).count();
    let mut lines: Vec<(String, usize)> = Vec::new();
    for (sheet, pairs) in [
        ("sheet.org_pairs", &set.org_pairs),
        ("sheet.person_pairs", &set.person_pairs),
    ] {
        for band in ["review", "match"] {
            if band == "match" && !set.all {
                continue;
            }
            lines.push((
                format!(
                    "{} · {}",
                    label(lang, sheet),
                    label(lang, &format!("band.{band}"))
                ),
                count(band, pairs),
            ));
        }
    }
    lines.push((label(lang, "sheet.links").to_string(), set.links.len()));
    lines.push((
        label(lang, "sheet.clusters").to_string(),
        set.clusters.len(),
    ));
    for (text, n) in lines {
        r += 1;
        ws.write_string(r, 0, neutralize(&text, Column::Text).as_ref())?;
        ws.write_number(r, 1, n as f64)?;
    }
    r += 2;
    ws.write_string_with_format(r, 0, label(lang, "summary.by_source"), &s.header)?;
    ws.write_string_with_format(r, 1, label(lang, "summary.count"), &s.header)?;
    for (source, n) in &set.by_source {
        r += 1;
        ws.write_string(r, 0, neutralize(source, Column::Text).as_ref())?;
        ws.write_number(r, 1, *n as f64)?;
    }
    r += 2;
    ws.write_string_with_format(r, 0, label(lang, "summary.what"), &bold)?;
    for step in [
        "summary.step1",
        "summary.step2",
        "summary.step3",
        "summary.step4",
    ] {
        r += 1;
        ws.write_string(r, 0, label(lang, step))?;
    }
    r += 2;
    ws.write_string_with_format(r, 0, label(lang, "summary.import"), &bold)?;
    ws.write_string(r + 1, 0, label(lang, "summary.command"))?;
    Ok(())
}

/// Write the review workbook. The same questions give the same bytes.
pub fn write(path: &std::path::Path, set: &ReviewSet, lang: Lang) -> Result<(), XlsxError> {
    let mut book = Workbook::new();
    let created = ExcelDateTime::from_ymd(2000, 1, 1)?;
    book.set_properties(
        &DocProperties::new()
            .set_creation_datetime(&created)
            .set_author("golive")
            .set_title(label(lang, "summary.title")),
    );
    // Question sheets stream rows to temporary files beside the output (the
    // data stays in the project), never holding 100,000 rows of cells.
    if let Some(dir) = path.parent() {
        book.set_tempdir(dir)?;
    }
    // Fastest deflate: 100,000 pairs save in a third of the time, ~25 % larger.
    book.set_zip_compression_level(1);
    let s = Styles::new();
    let mut summary = Worksheet::new();
    summary.set_name(label(lang, "sheet.summary"))?;
    summary_sheet(&mut summary, set, lang, &s)?;
    book.push_worksheet(summary);
    let mut orgs = book.new_worksheet_with_constant_memory()?;
    orgs.set_name(label(lang, "sheet.org_pairs"))?;
    let mut persons = book.new_worksheet_with_constant_memory()?;
    persons.set_name(label(lang, "sheet.person_pairs"))?;
    let mut links = book.new_worksheet_with_constant_memory()?;
    links.set_name(label(lang, "sheet.links"))?;
    let mut clusters = book.new_worksheet_with_constant_memory()?;
    clusters.set_name(label(lang, "sheet.clusters"))?;
    // Constant-memory sheets number their formats as they first use them; two
    // threads filling sheets would number them in a race. Every format is
    // met here first, in one order, on cells the sheet's heading overwrites.
    for (c, format) in [
        &s.header,
        &s.text,
        &s.decision,
        &s.score,
        &s.differ,
        &s.golden,
    ]
    .into_iter()
    .enumerate()
    {
        orgs.write_blank(0, c as u16, format)?;
    }
    // Pairs on this thread, clusters (as many rows) on a second one.
    let lists = std::thread::scope(|scope| {
        let other = scope.spawn(|| cluster_sheet(&mut clusters, &set.clusters, lang, &s));
        pair_sheet(&mut orgs, &set.org_pairs, false, lang, &s)?;
        pair_sheet(&mut persons, &set.person_pairs, true, lang, &s)?;
        let lists = link_sheet(&mut links, &set.links, lang, &s)?;
        other
            .join()
            .unwrap_or_else(|_| Err(XlsxError::ParameterError("clusters sheet".into())))?;
        Ok::<_, XlsxError>(lists)
    })?;
    for ws in [orgs, persons, links, clusters] {
        book.push_worksheet(ws);
    }

    let mut meta = Worksheet::new();
    meta.set_name(META_SHEET)?;
    meta.write_string(0, 0, "golive review workbook")?;
    meta.write_string(0, 1, FORMAT_VERSION)?;
    meta.write_string(0, 2, lang.code())?;
    meta.write_string(0, 3, if set.all { "all" } else { "review" })?;
    for (i, choices) in lists.iter().enumerate() {
        for (k, choice) in choices.iter().enumerate() {
            let v = neutralize(choice, Column::Text);
            meta.write_string(FIRST_ROW + i as u32, k as u16, v.as_ref())?;
        }
    }
    meta.set_hidden(true);
    book.push_worksheet(meta);
    book.save(path)
}
