//! The files a run leaves in `out/`, written to staging and moved in when the
//! stage commits (see [`StagedOutputs`]).

use crate::config::Config;
use crate::error::{Error, Result};
use crate::export::{SafeCsv, StagedOutputs, XlsxRows, finish};
use crate::link::{NewOrganization, Outcome};
use crate::matching::{GoldenRecord, RowKeys};
use crate::model::{Field, Kind, Party};
use crate::workspace::matches::ClusterRow;
use std::path::Path;

fn write_clusters(
    outputs: &mut StagedOutputs,
    rows: &[RowKeys],
    kinds: &[Kind],
    clusters: &[ClusterRow],
) -> Result<()> {
    let mut w = outputs.csv("clusters.csv")?;
    row(&mut w, ["source", "source_key", "kind", "golden_id"])?;
    for ((r, k), c) in rows.iter().zip(kinds).zip(clusters) {
        row(
            &mut w,
            [r.source.as_str(), &r.source_key, k.as_str(), &c.golden_id],
        )?;
    }
    finish(w, Path::new("clusters.csv"))?;
    Ok(())
}

const GOLDEN_HEADER: [&str; 16] = [
    "golden_id",
    "kind",
    "members",
    "name",
    "full_name",
    "legal_form",
    "tax_ids",
    "phones",
    "emails",
    "website",
    "address",
    "sources",
    "title",
    "department",
    "notes",
    "extra",
];

/// One row of `out/golden.csv`.
pub fn golden_row(g: &GoldenRecord, parties: &[Party], id: &str) -> Vec<String> {
    let r = &g.record;
    let get = |f: Field| r.original(f).unwrap_or("").to_string();
    let name = r.display_name();
    let phones = r.phone_texts();
    let emails = r.email_texts();
    let tax = r.labelled_tax_ids();
    // The source's unmapped columns, `Header: value`, in header order.
    let extra: Vec<String> = r
        .extra
        .iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(k, v)| format!("{k}: {v}"))
        .collect();
    let sources: Vec<String> = g
        .members
        .iter()
        .map(|&m| {
            format!(
                "{}:{}",
                parties[m as usize].provenance.source, parties[m as usize].provenance.source_key
            )
        })
        .collect();
    vec![
        id.to_string(),
        r.kind.as_str().to_string(),
        g.members.len().to_string(),
        name,
        get(Field::FullName),
        r.org
            .as_ref()
            .and_then(|o| o.legal_form.clone())
            .unwrap_or_default(),
        tax.join("; "),
        phones.join("; "),
        emails.join("; "),
        r.website.clone().unwrap_or_default(),
        r.address.full.clone(),
        sources.join("; "),
        get(Field::Title),
        get(Field::Department),
        get(Field::Notes),
        extra.join("; "),
    ]
}

/// One CSV row; a write error names the staged file.
fn row<W: std::io::Write, I, T>(w: &mut crate::export::SafeCsv<W>, fields: I) -> Result<()>
where
    I: IntoIterator<Item = T>,
    T: AsRef<str>,
{
    w.row(fields)
        .map_err(|e| Error::io(Path::new("out"), std::io::Error::other(e)))
}

/// Files of the stages after link, which describe the golden records and links
/// they were made from: gone once those change, so `out/` never shows a plan
/// or a report of another run's data beside this one's.
const LATER_STAGES: [&str; 5] = [
    "load-plan.csv",
    "report.json",
    "report.html",
    "rejects.csv",
    "flags.csv",
];

/// The files in `out/` that `stage` writes: a resumed run passes over a stage
/// only while they are all there.
pub fn files_of(stage: super::Stage) -> &'static [&'static str] {
    match stage {
        super::Stage::Match => &["clusters.csv", "golden.csv", "golden.xlsx"],
        super::Stage::Link => &["links.csv", "created_organizations.csv"],
        _ => &[],
    }
}

/// The match stage's files: `out/golden.csv` and `out/golden.xlsx` (the same
/// rows, every cell text) written a page of golden records at a time, in
/// golden-ID order, as the stage builds them; `out/clusters.csv` at the end.
/// The links of the previous golden records go, and the later stages' files.
pub struct MatchFiles {
    outputs: StagedOutputs,
    golden_csv: SafeCsv<std::io::BufWriter<std::fs::File>>,
    golden_xlsx: XlsxRows,
}

impl MatchFiles {
    pub fn new(config: &Config) -> Result<Self> {
        let mut outputs = StagedOutputs::new(config)?;
        let mut golden_csv = outputs.csv("golden.csv")?;
        row(&mut golden_csv, GOLDEN_HEADER)?;
        let xlsx = outputs.path("golden.xlsx");
        let golden_xlsx = XlsxRows::new(&xlsx, "golden", &GOLDEN_HEADER)
            .map_err(|e| Error::bad_input(&xlsx, e.to_string()))?;
        Ok(MatchFiles {
            outputs,
            golden_csv,
            golden_xlsx,
        })
    }

    /// The next golden rows ([`golden_row`]).
    pub fn golden(&mut self, rows: &[Vec<String>]) -> Result<()> {
        for fields in rows {
            row(&mut self.golden_csv, fields)?;
            self.golden_xlsx
                .row(fields)
                .map_err(|e| Error::bad_input(Path::new("out/golden.xlsx"), e.to_string()))?;
        }
        Ok(())
    }

    /// The golden rows written on a thread of their own, beside the stage's
    /// inserts into the workspace (which take one core).
    pub fn in_background(self) -> BackgroundFiles {
        let (send, pages) = std::sync::mpsc::sync_channel::<Vec<Vec<String>>>(2);
        let writing = std::thread::spawn(move || -> Result<MatchFiles> {
            let mut files = self;
            for rows in pages {
                files.golden(&rows)?;
            }
            Ok(files)
        });
        BackgroundFiles {
            send: Some(send),
            writing,
        }
    }

    /// Writes `out/clusters.csv` and moves the files into `out/`.
    pub fn commit(
        mut self,
        rows: &[RowKeys],
        kinds: &[Kind],
        clusters: &[ClusterRow],
    ) -> Result<()> {
        finish(self.golden_csv, Path::new("golden.csv"))?;
        self.golden_xlsx
            .finish()
            .map_err(|e| Error::bad_input(Path::new("out/golden.xlsx"), e.to_string()))?;
        write_clusters(&mut self.outputs, rows, kinds, clusters)?;
        let mut stale = vec!["links.csv", "created_organizations.csv"];
        stale.extend(LATER_STAGES);
        self.outputs.commit(&stale)
    }
}

/// [`MatchFiles`] being written on their own thread.
pub struct BackgroundFiles {
    send: Option<std::sync::mpsc::SyncSender<Vec<Vec<String>>>>,
    writing: std::thread::JoinHandle<Result<MatchFiles>>,
}

impl BackgroundFiles {
    /// The next golden rows. A write that failed shows at [`BackgroundFiles::finish`].
    pub fn golden(&mut self, rows: Vec<Vec<String>>) {
        if let Some(send) = &self.send
            && send.send(rows).is_err()
        {
            self.send = None;
        }
    }

    /// Waits for the rows sent so far to be written.
    pub fn finish(mut self) -> Result<MatchFiles> {
        self.send = None;
        self.writing.join().map_err(|_| {
            Error::Failed("writing out/golden.csv and out/golden.xlsx stopped".to_string())
        })?
    }
}

/// `out/links.csv` and `out/created_organizations.csv`.
pub fn write_links(
    config: &Config,
    parties: &[Party],
    outcomes: &[Option<Outcome>],
    golden: &[String],
    created: &[NewOrganization],
) -> Result<()> {
    let mut outputs = StagedOutputs::new(config)?;
    let mut w = outputs.csv("links.csv")?;
    row(
        &mut w,
        [
            "person_source",
            "person_key",
            "person_golden_id",
            "organization_golden_id",
            "method",
            "confidence",
        ],
    )?;
    for ((p, o), g) in parties.iter().zip(outcomes).zip(golden) {
        let Some(o) = o else { continue };
        let (org, confidence) = o
            .organization()
            .map_or(("", String::new()), |(g, c)| (g, format!("{c:.2}")));
        row(
            &mut w,
            [
                p.provenance.source.as_str(),
                &p.provenance.source_key,
                g,
                org,
                &o.method(),
                &confidence,
            ],
        )?;
    }
    finish(w, Path::new("links.csv"))?;
    let mut w = outputs.csv("created_organizations.csv")?;
    row(&mut w, ["golden_id", "name", "match_key", "created_from"])?;
    for c in created {
        row(
            &mut w,
            [
                c.golden_id.as_str(),
                &c.name,
                &c.match_key,
                "person's company name",
            ],
        )?;
    }
    finish(w, Path::new("created_organizations.csv"))?;
    outputs.commit(&LATER_STAGES)
}
