//! The data steward's loop through the real binary on samples/demo: export the
//! review workbook, edit it as a steward would in Excel, import it, re-run, and
//! check that every decision was obeyed and is not asked again; bad workbooks
//! are refused whole; the page renders in headless Chromium.

use calamine::{Data, Reader, Xlsx};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

mod common;
use common::{copy_dir, dump_dom, golive, headless, ok};

/// A project in `dir` (region RU) with the given `[[source]]` tables.
fn project(dir: &Path, sources: &str) {
    std::fs::create_dir_all(dir.join("sources")).unwrap();
    std::fs::write(
        dir.join("golive.toml"),
        format!("[project]\nname = \"t\"\nregion = \"RU\"\n{sources}"),
    )
    .unwrap();
}

/// samples/demo, run once, in a temporary folder.
fn demo() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    copy_dir(Path::new("samples/demo"), &dir);
    ok(&["-q", "run", dir.to_str().unwrap()]);
    (tmp, dir)
}

/// One sheet as rows of text cells.
type Grid = Vec<Vec<String>>;
/// A workbook: its sheets by name, in order.
type Book = Vec<(String, Grid)>;

fn text(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Every sheet of a workbook, in order, as text.
fn read_book(path: &Path) -> Book {
    let mut book: Xlsx<_> = calamine::open_workbook(path).unwrap();
    let names = book.sheet_names();
    names
        .into_iter()
        .map(|n| {
            let range = book.worksheet_range(&n).unwrap();
            let (rows, cols) = range.end().map_or((0, 0), |(r, c)| (r + 1, c + 1));
            let grid = (0..rows)
                .map(|r| {
                    (0..cols)
                        .map(|c| range.get_value((r, c)).map_or(String::new(), text))
                        .collect()
                })
                .collect();
            (n, grid)
        })
        .collect()
}

/// Write the sheets back as Excel would after a steward's edits: same sheet
/// names and cells (the hidden sheet hidden), a new author.
fn write_book(path: &Path, sheets: &[(String, Grid)]) {
    let mut book = rust_xlsxwriter::Workbook::new();
    book.set_properties(
        &rust_xlsxwriter::DocProperties::new()
            .set_author("golive")
            .set_comment("edited"),
    );
    for (name, grid) in sheets {
        let ws = book.add_worksheet();
        ws.set_name(name).unwrap();
        for (r, row) in grid.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                if !v.is_empty() {
                    ws.write_string(r as u32, c as u16, v).unwrap();
                }
            }
        }
        if name == "golive" {
            ws.set_hidden(true);
        }
    }
    book.save(path).unwrap();
}

fn col(grid: &Grid, code: &str) -> usize {
    grid[0]
        .iter()
        .position(|c| c == code)
        .unwrap_or_else(|| panic!("no column {code}"))
}

fn sheet<'a>(book: &'a mut [(String, Grid)], name: &str) -> &'a mut Grid {
    &mut book.iter_mut().find(|(n, _)| n == name).unwrap().1
}

/// `out/clusters.csv`: (source, key) → golden ID.
fn clusters(dir: &Path) -> HashMap<(String, String), String> {
    let mut r = csv::Reader::from_path(dir.join("out/clusters.csv")).unwrap();
    r.records()
        .map(|x| {
            let x = x.unwrap();
            let source = x[0].trim_start_matches('\u{feff}').to_string();
            ((source, x[1].to_string()), x[3].to_string())
        })
        .collect()
}

/// (source, key as the workbook shows it) → golden ID: the workbook's key is
/// the source key, or the row's fingerprint where the key is its row number.
fn golden_by_shown_key(dir: &Path) -> HashMap<(String, String), String> {
    let by_source_key = clusters(dir);
    let ws = golive::workspace::Workspace::open(dir).unwrap();
    ws.load_parties()
        .unwrap()
        .iter()
        .map(|p| {
            let source = p.provenance.source.clone();
            let g = by_source_key[&(source.clone(), p.provenance.source_key.clone())].clone();
            ((source, golive::matching::golden_id::identity_key(p)), g)
        })
        .collect()
}

fn golden_of(c: &HashMap<(String, String), String>, source: &str, key: &str) -> String {
    c.get(&(source.to_string(), key.to_string()))
        .cloned()
        .unwrap_or_else(|| panic!("{source}:{key} not in clusters.csv"))
}

#[test]
fn a_stewards_decisions_are_obeyed_and_not_asked_again() {
    let (_tmp, dir) = demo();
    let d = dir.to_str().unwrap();
    let said = ok(&["review", "export", d, "--lang", "en"]);
    assert!(said.contains("organization pairs"), "{said}");
    let xlsx = dir.join("out/review.xlsx");
    let mut book = read_book(&xlsx);
    let before = golden_by_shown_key(&dir);

    // Person pairs: keep apart one the matcher had merged (or any), merge one it had not.
    let persons = sheet(&mut book, "Person pairs");
    let (lg, rg) = (col(persons, "left_golden"), col(persons, "right_golden"));
    let rows: Vec<usize> = (2..persons.len()).collect();
    assert!(rows.len() >= 2, "the demo has person pairs to review");
    let apart = *rows
        .iter()
        .find(|&&r| persons[r][lg] == persons[r][rg])
        .unwrap_or(&rows[0]);
    let merge = *rows
        .iter()
        .find(|&&r| r != apart && persons[r][lg] != persons[r][rg])
        .expect("a review pair in two golden records");
    let dc = col(persons, "decision");
    persons[apart][dc] = "keep apart".into();
    persons[merge][dc] = "Merge".into();
    let pair = |g: &Grid, r: usize| {
        (
            (
                g[r][col(g, "left_source")].clone(),
                g[r][col(g, "left_key")].clone(),
            ),
            (
                g[r][col(g, "right_source")].clone(),
                g[r][col(g, "right_key")].clone(),
            ),
            g[r][col(g, "pair_id")].clone(),
        )
    };
    let (apart_l, apart_r, apart_id) = pair(persons, apart);
    let (merge_l, merge_r, merge_id) = pair(persons, merge);
    let touched: Vec<String> = [&apart_l, &apart_r, &merge_l, &merge_r]
        .iter()
        .map(|(s, k)| golden_of(&before, s, k))
        .collect();

    // Clusters: take a member out of one cluster, set the name of another.
    let cl = sheet(&mut book, "Clusters");
    let (gid, role, source, key) = (
        col(cl, "golden_id"),
        col(cl, "role"),
        col(cl, "source"),
        col(cl, "key"),
    );
    let golden_rows: Vec<usize> = (2..cl.len())
        .filter(|&r| cl[r][role] == "golden record")
        .filter(|&r| !touched.contains(&cl[r][gid]))
        .collect();
    assert!(
        golden_rows.len() >= 2,
        "two clusters the pairs do not touch"
    );
    let (out_cluster, named_cluster) = (cl[golden_rows[0]][gid].clone(), golden_rows[1]);
    let member = golden_rows[0] + 1;
    let take_out = col(cl, "take_out");
    cl[member][take_out] = "take out".into();
    let taken = (cl[member][source].clone(), cl[member][key].clone());
    let stay = (cl[member + 1][source].clone(), cl[member + 1][key].clone());
    let named_id = cl[named_cluster][gid].clone();
    let name_override = col(cl, "name_override");
    cl[named_cluster][name_override] = "ООО \"Стюард\"".into();
    let edited = dir.join("edited.xlsx");
    write_book(&edited, &book);

    let said = ok(&[
        "review",
        "import",
        edited.to_str().unwrap(),
        d,
        "--by",
        "Steward",
    ]);
    assert!(said.contains("review import by Steward"), "{said}");
    assert!(said.contains("golden values 1 new"), "{said}");
    assert!(said.contains("1 members taken out"), "{said}");
    ok(&["-q", "run", d]);

    let after = golden_by_shown_key(&dir);
    let g = |r: &(String, String)| golden_of(&after, &r.0, &r.1);
    assert_ne!(g(&apart_l), g(&apart_r), "kept apart");
    assert_eq!(g(&merge_l), g(&merge_r), "merged");
    assert_ne!(g(&taken), g(&stay), "taken out of {out_cluster}");
    assert_eq!(
        g(&stay),
        out_cluster,
        "the golden ID stays with the members that stay"
    );
    let golden = std::fs::read_to_string(dir.join("out/golden.csv")).unwrap();
    let line = golden
        .lines()
        .find(|l| l.starts_with(&named_id))
        .unwrap_or_else(|| panic!("{named_id} kept its golden ID"));
    assert!(line.contains("Стюард"), "the steward's name: {line}");

    // The next export asks none of it again.
    ok(&["review", "export", d, "--lang", "en"]);
    let again = read_book(&xlsx);
    let ids: Vec<&String> = again
        .iter()
        .flat_map(|(_, g)| g.iter().filter_map(|r| r.first()))
        .collect();
    for id in [&apart_id, &merge_id] {
        assert!(!ids.contains(&id), "{id} decided, yet exported again");
    }
    let cl = &again.iter().find(|(n, _)| n == "Clusters").unwrap().1;
    let named = (2..cl.len())
        .find(|&r| {
            cl[r][col(cl, "golden_id")] == named_id && cl[r][col(cl, "role")] == "golden record"
        })
        .expect("the named cluster");
    assert_eq!(
        cl[named][col(cl, "name_override")],
        "ООО \"Стюард\"",
        "the override shows"
    );
    assert!(
        !(2..cl.len()).any(|r| cl[r][col(cl, "golden_id")] == out_cluster
            && cl[r][col(cl, "source")] == taken.0
            && cl[r][col(cl, "key")] == taken.1),
        "the member taken out is out"
    );
}

/// Decisions, overrides and link choices as stored.
fn stored(dir: &Path) -> (usize, usize, usize) {
    let ws = golive::workspace::Workspace::open(dir).unwrap();
    (
        ws.decisions().unwrap().len(),
        ws.golden_overrides().unwrap().len(),
        ws.link_decisions().unwrap().len(),
    )
}

#[test]
fn a_bad_workbook_is_refused_whole_naming_the_sheet_and_cell() {
    let (_tmp, dir) = demo();
    let d = dir.to_str().unwrap();
    ok(&["review", "export", d, "--lang", "ru"]);
    let xlsx = dir.join("out/review.xlsx");
    let book = read_book(&xlsx);
    let before = stored(&dir);
    let try_import = |edit: &dyn Fn(&mut Book)| {
        let mut b = book.clone();
        edit(&mut b);
        let path = dir.join("bad.xlsx");
        write_book(&path, &b);
        let o = golive(&["review", "import", path.to_str().unwrap(), d]);
        assert_eq!(
            o.status.code(),
            Some(2),
            "{}",
            String::from_utf8_lossy(&o.stdout)
        );
        assert_eq!(stored(&dir), before, "nothing stored");
        String::from_utf8_lossy(&o.stderr).into_owned()
    };
    // A valid decision first, so a half import would show.
    let first_valid = |b: &mut Book| {
        let g = sheet(b, "Пары организаций");
        let c = col(g, "decision");
        g[2][c] = "объединить".into();
    };
    let err = try_import(&|b| {
        first_valid(b);
        let g = sheet(b, "Пары лиц");
        let c = col(g, "decision");
        g[3][c] = "mrege".into();
    });
    assert!(
        err.contains("sheet \"Пары лиц\", cell B4") && err.contains("`mrege` is not a decision"),
        "{err}"
    );
    let err = try_import(&|b| {
        first_valid(b);
        let g = sheet(b, "Пары лиц");
        let c = col(g, "pair_id");
        g[2][c] = "P000000000000".into();
    });
    assert!(
        err.contains("cell A3") && err.contains("does not match"),
        "{err}"
    );
    let err = try_import(&|b| {
        first_valid(b);
        let g = sheet(b, "Пары лиц");
        let c = col(g, "pair_id");
        g[2][c] = "banana".into();
    });
    assert!(err.contains("`banana` is not a pair ID"), "{err}");
    let err = try_import(&|b| {
        first_valid(b);
        let g = sheet(b, "Пары лиц");
        let c = col(g, "right_key");
        g[2][c].push('9');
    });
    assert!(
        err.contains("does not match this row's sources and keys"),
        "{err}"
    );
    let err = try_import(&|b| {
        first_valid(b);
        b.iter_mut().find(|(n, _)| n == "Кластеры").unwrap().0 = "Clusters (old)".into();
    });
    assert!(err.contains("sheet \"Clusters\" is missing"), "{err}");
    let phone_column = {
        let g = &book.iter().find(|(n, _)| n == "Кластеры").unwrap().1;
        (b'A' + col(g, "phone_override") as u8) as char
    };
    let err = try_import(&|b| {
        first_valid(b);
        let g = sheet(b, "Кластеры");
        let r = (2..g.len())
            .find(|&r| g[r][col(g, "role")] == "золотая запись")
            .unwrap();
        let c = col(g, "phone_override");
        g[r][c] = "call me".into();
    });
    assert!(
        err.contains(&format!("sheet \"Кластеры\", cell {phone_column}"))
            && err.contains("not a phone number"),
        "{err}"
    );

    let err = try_import(&|b| {
        first_valid(b);
        let g = sheet(b, "Кластеры");
        let r = (2..g.len())
            .find(|&r| g[r][col(g, "role")] == "запись")
            .unwrap();
        let c = col(g, "key");
        g[r][c].push('x');
    });
    assert!(
        err.contains("member ID") && err.contains("does not match"),
        "{err}"
    );
    let err = try_import(&|b| {
        let g = sheet(b, "Кластеры");
        let c = col(g, "take_out");
        let r = g.len();
        g.push(vec![String::new(); g[0].len()]);
        g[r][c] = "исключить".into();
    });
    assert!(err.contains("belongs to no cluster"), "{err}");
    // A pair merged on a pair sheet and taken apart on the clusters sheet.
    let err = try_import(&|b| {
        let g = sheet(b, "Кластеры");
        let (gid, role, source, key) = (
            col(g, "golden_id"),
            col(g, "role"),
            col(g, "source"),
            col(g, "key"),
        );
        let r = (2..g.len()).find(|&r| g[r][role] == "запись").unwrap();
        let (a, other) = (
            (g[r][source].clone(), g[r][key].clone()),
            (g[r + 1][source].clone(), g[r + 1][key].clone()),
        );
        assert_eq!(g[r][gid], g[r + 1][gid]);
        let c = col(g, "take_out");
        g[r][c] = "исключить".into();
        let p = sheet(b, "Пары организаций");
        let row = p.len();
        p.push(vec![String::new(); p[0].len()]);
        for (code, v) in [
            ("left_source", &a.0),
            ("left_key", &a.1),
            ("right_source", &other.0),
            ("right_key", &other.1),
        ] {
            let c = col(p, code);
            p[row][c] = v.clone();
        }
        let c = col(p, "pair_id");
        p[row][c] = golive::review::pair_id((&a.0, &a.1), (&other.0, &other.1));
        let c = col(p, "decision");
        p[row][c] = "объединить".into();
    });
    assert!(err.contains("keep one of the two decisions"), "{err}");

    let not_a_workbook = dir.join("notes.xlsx");
    std::fs::write(&not_a_workbook, "left,right\n1,2\n").unwrap();
    let o = golive(&["review", "import", not_a_workbook.to_str().unwrap(), d]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("is not an Excel workbook"));
    assert_eq!(stored(&dir), before);

    // An edited, unimported workbook is not overwritten by a new export.
    let mut b = book.clone();
    first_valid(&mut b);
    write_book(&xlsx, &b);
    let o = golive(&["review", "export", d]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("import"));
    ok(&["review", "import", xlsx.to_str().unwrap(), d]);
    assert_eq!(stored(&dir).0, before.0 + 1, "the one decision stored");
    ok(&["review", "export", d]);
}

/// The workbook's structure as text: sheets (hidden or not), each question
/// sheet's codes and headers, frozen panes and drop-down lists (from the XML).
fn structure(path: &Path) -> String {
    let book = read_book(path);
    let mut out = String::new();
    let file = std::fs::File::open(path).unwrap();
    let mut zip = zip::ZipArchive::new(file).unwrap();
    let mut xml = |name: &str| {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut zip.by_name(name).unwrap(), &mut s).unwrap();
        s
    };
    let workbook = xml("xl/workbook.xml");
    for (i, (name, grid)) in book.iter().enumerate() {
        let sheet_xml = xml(&format!("xl/worksheets/sheet{}.xml", i + 1));
        let hidden = workbook.contains(&format!(
            "name=\"{name}\" sheetId=\"{}\" state=\"hidden\"",
            i + 1
        ));
        out.push_str(&format!(
            "sheet {name}{}\n",
            if hidden { " (hidden)" } else { "" }
        ));
        if grid.len() > 1 && grid[0].first().is_some_and(|c| c.contains('_')) {
            out.push_str(&format!("  codes:   {}\n", grid[0].join(" | ")));
            out.push_str(&format!("  headers: {}\n", grid[1].join(" | ")));
            out.push_str(&format!("  rows:    {}\n", grid.len() - 2));
        }
        if sheet_xml.contains("<pane ") {
            let pane = &sheet_xml[sheet_xml.find("<pane ").unwrap()..];
            out.push_str(&format!(
                "  pane:    {}\n",
                &pane[..pane.find("/>").unwrap() + 2]
            ));
        }
        let mut lists = BTreeMap::new();
        for v in sheet_xml.split("<dataValidation ").skip(1) {
            let f = v
                .split("<formula1>")
                .nth(1)
                .and_then(|x| x.split("</formula1>").next())
                .unwrap_or("");
            let f = if f.starts_with("golive!") {
                "golive!<row of candidates>"
            } else {
                f
            };
            *lists.entry(f.to_string()).or_insert(0) += 1;
        }
        for (f, n) in lists {
            out.push_str(&format!("  list:    {f} ×{n}\n"));
        }
    }
    out
}

#[test]
fn the_workbook_and_the_page_keep_their_structure() {
    let (_tmp, dir) = demo();
    let d = dir.to_str().unwrap();
    for lang in ["en", "ru", "ja"] {
        ok(&["review", "export", d, "--lang", lang]);
        insta::assert_snapshot!(
            format!("review_workbook_{lang}"),
            structure(&dir.join("out/review.xlsx"))
        );
    }
    ok(&["review", "export", d, "--lang", "en"]);
    let page = std::fs::read_to_string(dir.join("out/review.html")).unwrap();
    insta::assert_snapshot!("review_page_en", page);
    // Same questions, same bytes.
    let first = std::fs::read(dir.join("out/review.xlsx")).unwrap();
    ok(&["review", "export", d, "--lang", "en"]);
    assert_eq!(first, std::fs::read(dir.join("out/review.xlsx")).unwrap());
}

#[test]
fn exported_cells_are_safe_in_excel() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    project(dir, "[[source]]\nname = \"a\"\npath = \"sources/a.csv\"\n");
    std::fs::write(
        dir.join("sources/a.csv"),
        "Код,Наименование,ИНН,Телефон\n\
         0001,\"=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",7707083893,+7 495 123-45-67\n\
         0002,\"=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",7707083893,+7 495 123-45-67\n\
         0003,@SUM(A1),0012345678,8 (495) 765-43-21\n\
         0004,@SUM(A1),0012345678,8 (495) 765-43-21\n",
    )
    .unwrap();
    let d = dir.to_str().unwrap();
    ok(&["-q", "run", d]);
    ok(&["review", "export", d, "--all", "--lang", "en"]);
    let book = read_book(&dir.join("out/review.xlsx"));
    let mut cells = 0;
    for (_, grid) in &book {
        for v in grid.iter().flatten() {
            cells += 1;
            assert!(
                !v.starts_with(['=', '+', '-', '@', '\t', '\r']) || v.starts_with("+7"),
                "unsafe cell {v:?}"
            );
        }
    }
    assert!(cells > 20);
    let cl = &book.iter().find(|(n, _)| n == "Clusters").unwrap().1;
    let keys: Vec<&String> = (2..cl.len()).map(|r| &cl[r][col(cl, "key")]).collect();
    assert!(
        keys.iter().any(|k| *k == "0001"),
        "keys keep their zeros: {keys:?}"
    );
    assert!(
        cl.iter()
            .flatten()
            .any(|v| v == "'=HYPERLINK(\"http://x\",\"y\")")
    );
}

/// Debian's Chromium: `.ci/run` installs it when absent.
#[test]
fn the_review_page_renders_in_headless_chromium() {
    let (tmp, dir) = demo();
    let d = dir.to_str().unwrap();
    let said = ok(&["review", "export", d, "--lang", "ja"]);
    let page = dir.join("out/review.html");
    let dom = dump_dom(&tmp.path().join("profile-dom"), &page);
    let body = dom
        .split("<body")
        .nth(1)
        .and_then(|b| b.split('>').next())
        .unwrap_or("");
    assert!(!body.contains("data-errors"), "a script error: {body}");
    let pairs = dom.matches("<tr class=\"pair\">").count();
    // "review: 5 organization pairs, 18 person pairs, …"
    let count = |what: &str| -> usize {
        said.split(", ")
            .find_map(|p| p.trim_start_matches("review: ").strip_suffix(what))
            .and_then(|n| n.trim().parse().ok())
            .unwrap_or_else(|| panic!("{what} in {said}"))
    };
    assert_eq!(
        pairs,
        count("organization pairs") + count("person pairs"),
        "{said}"
    );
    assert!(pairs > 0);
    assert!(
        body.contains(&format!(
            "data-rendered=\"{}\"",
            pairs + count("person links")
        )),
        "{body}"
    );

    let shot = Path::new(env!("CARGO_TARGET_TMPDIR")).join("review-page.png");
    let _ = std::fs::remove_file(&shot);
    let o = headless(&tmp.path().join("profile-shot"))
        .arg(format!("--screenshot={}", shot.display()))
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let png = std::fs::read(&shot).unwrap();
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 10_000,
        "a screenshot under target/"
    );
}

#[test]
fn a_person_goes_to_the_organization_the_steward_chose() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    project(
        dir,
        "[[source]]\nname = \"orgs\"\npath = \"sources/orgs.csv\"\n\
         [[source]]\nname = \"people\"\npath = \"sources/people.csv\"\nkind = \"person\"\n",
    );
    // Two companies on one mail domain: a person with only an address there is a question.
    std::fs::write(
        dir.join("sources/orgs.csv"),
        "Код,Наименование,ИНН,Email\n\
         1,ООО \"Ромашка\",7707083893,info@romashka.ru\n\
         2,АО \"Ромашка Трейд\",7728168971,sales@romashka.ru\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("sources/people.csv"),
        "Код,Фамилия,Имя,Email\n\
         10,Иванов,Иван,ivanov@romashka.ru\n\
         11,Петров,Пётр,petrov@romashka.ru\n",
    )
    .unwrap();
    let d = dir.to_str().unwrap();
    ok(&["-q", "run", d]);
    let said = ok(&["review", "export", d, "--lang", "en"]);
    assert!(said.contains("2 person links"), "{said}");
    let mut book = read_book(&dir.join("out/review.xlsx"));
    let links = sheet(&mut book, "Person links");
    let (key, decision, candidates) = (
        col(links, "person_key"),
        col(links, "decision"),
        col(links, "candidates"),
    );
    let choice: Vec<String> = links[2][candidates].split("; ").map(String::from).collect();
    assert_eq!(choice.len(), 2, "{choice:?}");
    let row_of = |links: &Grid, k: &str| (2..links.len()).find(|&r| links[r][key] == k).unwrap();
    let (ivanov, petrov) = (row_of(links, "10"), row_of(links, "11"));
    let chosen = links[ivanov][candidates]
        .split("; ")
        .nth(1)
        .unwrap()
        .to_string();
    links[ivanov][decision] = chosen.clone();
    links[petrov][decision] = "без организации".into();
    let edited = dir.join("edited.xlsx");
    write_book(&edited, &book);
    let said = ok(&["review", "import", edited.to_str().unwrap(), d]);
    assert!(said.contains("link choices 2 new"), "{said}");
    let said = ok(&["run", d]);
    assert!(
        said.contains("2 persons placed as the data steward chose"),
        "{said}"
    );
    let links = std::fs::read_to_string(dir.join("out/links.csv")).unwrap();
    let org = chosen.split(' ').next().unwrap();
    let line = |k: &str| {
        links
            .lines()
            .find(|l| l.starts_with(&format!("people,{k},")))
            .unwrap_or_else(|| panic!("{k} in {links}"))
            .to_string()
    };
    assert!(
        line("10").contains(&format!(",{org},steward,")),
        "{}",
        line("10")
    );
    assert!(
        line("11").contains("unlinked: the data steward left"),
        "{}",
        line("11")
    );
    let said = ok(&["review", "export", d, "--lang", "en"]);
    assert!(
        said.contains("0 person links"),
        "decided links are not asked again: {said}"
    );

    // Petrov's row changes: the choice stands and is reported.
    std::fs::write(
        dir.join("sources/people.csv"),
        "Код,Фамилия,Имя,Email\n\
         10,Иванов,Иван,ivanov@romashka.ru\n\
         11,Петров,Пётр Алексеевич,petrov@romashka.ru\n",
    )
    .unwrap();
    let said = ok(&["run", d]);
    assert!(
        said.contains("changed since") && said.contains("people:11"),
        "{said}"
    );
    assert!(!said.contains("people:10"), "{said}");
    let links = std::fs::read_to_string(dir.join("out/links.csv")).unwrap();
    assert!(links.contains("unlinked: the data steward left"), "{links}");
}

#[test]
fn a_pair_decided_on_a_row_that_changed_is_reported_and_asked_again() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    project(
        dir,
        "[[source]]\nname = \"crm\"\npath = \"sources/crm.csv\"\n",
    );
    let write = |second_phone: &str| {
        std::fs::write(
            dir.join("sources/crm.csv"),
            format!(
                "Код,Наименование,Телефон\n1,ООО \"Ромашка\",+7 495 123-45-67\n2,ООО Ромашка,{second_phone}\n"
            ),
        )
        .unwrap()
    };
    write("8 (495) 123-45-67");
    let d = dir.to_str().unwrap();
    ok(&["-q", "run", d]);
    ok(&["review", "export", d, "--all", "--lang", "en"]);
    let mut book = read_book(&dir.join("out/review.xlsx"));
    let pairs = sheet(&mut book, "Organization pairs");
    assert_eq!(pairs.len(), 3, "one pair");
    let c = col(pairs, "decision");
    pairs[2][c] = "keep apart".into();
    let edited = dir.join("edited.xlsx");
    write_book(&edited, &book);
    ok(&["review", "import", edited.to_str().unwrap(), d]);
    let said = ok(&["run", d]);
    assert!(!said.contains("changed since"), "{said}");
    let said = ok(&["review", "export", d, "--all", "--lang", "en"]);
    assert!(said.contains("0 organization pairs"), "{said}");
    write("8 (495) 123-45-68");
    let said = ok(&["run", d]);
    assert!(
        said.contains("changed since") && said.contains("crm:2"),
        "{said}"
    );
    let c = clusters(dir);
    assert_ne!(
        c[&("crm".to_string(), "1".to_string())],
        c[&("crm".to_string(), "2".to_string())],
        "the decision stands"
    );
    let said = ok(&["review", "export", d, "--all", "--lang", "en"]);
    assert!(said.contains("1 organization pairs"), "asked again: {said}");
}

#[test]
fn a_decision_on_rows_without_keys_survives_a_row_inserted_above() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    project(
        dir,
        "[[source]]\nname = \"list\"\npath = \"sources/list.csv\"\n",
    );
    let twins = "ООО \"Ромашка\",+7 495 123-45-67\nООО Ромашка,8 (495) 123-45-67\n";
    std::fs::write(
        dir.join("sources/list.csv"),
        format!("Наименование,Телефон\n{twins}"),
    )
    .unwrap();
    let d = dir.to_str().unwrap();
    ok(&["-q", "run", d]);
    let together = |dir: &Path| {
        let c = clusters(dir);
        let mut g: Vec<&String> = c.values().collect();
        g.sort();
        g.dedup();
        g.len()
    };
    assert_eq!(together(dir), 1, "the twins are one golden record");
    ok(&["review", "export", d, "--all", "--lang", "en"]);
    let mut book = read_book(&dir.join("out/review.xlsx"));
    let pairs = sheet(&mut book, "Organization pairs");
    assert_eq!(pairs.len(), 3, "one pair");
    let key = pairs[2][col(pairs, "left_key")].clone();
    assert!(
        key.starts_with('~'),
        "a content key, not a row number: {key}"
    );
    let c = col(pairs, "decision");
    pairs[2][c] = "keep apart".into();
    let edited = dir.join("edited.xlsx");
    write_book(&edited, &book);
    ok(&["review", "import", edited.to_str().unwrap(), d]);
    // A row inserted above moves both twins down one row number.
    std::fs::write(
        dir.join("sources/list.csv"),
        format!("Наименование,Телефон\nАО \"Вектор\",+7 812 765-43-21\n{twins}"),
    )
    .unwrap();
    let said = ok(&["run", d]);
    assert!(!said.contains("decision not applied"), "{said}");
    assert_eq!(together(dir), 3, "kept apart after the rows moved: {said}");
}
