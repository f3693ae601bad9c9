//! Command-line definitions (clap). Behaviour lives in `commands/`.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "golive",
    version,
    about = "Move customer data into a new CRM on go-live day",
    long_about = "golive reads the customer's spreadsheets and accounting/CRM exports, normalizes \
phones, e-mails, names and tax IDs, finds duplicate counterparties and builds golden records, \
and links contact persons to their organizations; every input row is accounted for.\n\n\
A migration is a project folder with a golive.toml. Start with:\n  \
golive inspect customers.xlsx     see how golive reads a file\n  \
golive init my-migration          write a commented golive.toml\n  \
golive run my-migration           run every stage\n  \
golive status my-migration        see what each stage holds",
    after_help = "Exit codes: 0 success, 1 failure, 2 bad usage or bad input."
)]
pub struct Cli {
    /// No progress bars or chatter; errors still go to stderr.
    #[arg(long, short, global = true)]
    pub quiet: bool,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show how golive reads a file: encoding, delimiter, sheets, header row, profile, mapping, samples.
    Inspect(InspectArgs),
    /// Write a commented golive.toml skeleton into DIR.
    Init(InitArgs),
    /// Run every stage in order per DIR/golive.toml: ingest, normalize, match, link, load
    /// (a dry run that plans, unless --load or [target] load_on_run = true) and the report
    /// (out/report.html, out/report.json, out/rejects.csv).
    ///
    /// A failed run says which stage stopped it; fix the cause and run the same command
    /// again: it resumes there, passing over normalize, match and link while nothing they
    /// read changed (golive, golive.toml, mappings/, the sources, the steward's decisions).
    /// Rehearse a part with --from (runs from that stage regardless) and --until (e.g.
    /// `--until match`). Phased migrations: --phase NAME loads what the [[phase]]s up to
    /// NAME select. Exit code 1 when a row is not accounted for, 2 for bad input or config.
    #[command(verbatim_doc_comment)]
    Run(RunArgs),
    /// Read every source into the workspace (unchanged files are skipped).
    Ingest(ProjectArgs),
    /// Turn ingested rows into parties with normalized fields and quality flags.
    Normalize(ProjectArgs),
    /// Find duplicate parties: clusters and golden records (out/clusters.csv, out/golden.csv).
    Match(ProjectArgs),
    /// Link contact persons to their organizations (out/links.csv).
    Link(ProjectArgs),
    /// The data steward's loop: export the open questions to out/review.xlsx, import the decisions.
    #[command(subcommand)]
    Review(ReviewCommand),
    /// Load the golden records and links into the target CRM ([target] in golive.toml): plan
    /// create / update / unchanged / skip per record against what was loaded before and
    /// against the CRM's own records ([target] existing), then write the CRM's import files
    /// under out/load/<crm>/ (IMPORT.txt says how to upload them), out/load-plan.csv and
    /// out/load-log.csv.
    ///
    /// Rehearse with --dry-run: it writes only out/load-plan.csv. A re-load plans only what
    /// changed; nothing is ever deleted in the CRM.
    ///
    /// With [target] mode = "api" (HubSpot, Bitrix24) the records go through the CRM's API
    /// instead, batch by batch, each confirmed batch recorded at once: a load cut off
    /// anywhere goes on from there when run again, without twins. The credential comes
    /// from the environment only: HUBSPOT_ACCESS_TOKEN, BITRIX24_WEBHOOK_URL. Exit code 1
    /// when the CRM refused records (their reasons in out/load-log.csv).
    #[command(verbatim_doc_comment)]
    Load(LoadArgs),
    /// Show what each stage holds: sources, rows, rejects, changes, quality flags, the load.
    Status(ProjectArgs),
    /// The migration report: the funnel per source with the row accounting checked, reject
    /// reasons, quality flags, duplicates, links, the steward's decisions, the load plan or
    /// result, timings and changes: on the terminal, in out/report.html and out/report.json;
    /// every rejected row with its cells in out/rejects.csv. `golive run` writes it too.
    Report(ReportArgs),
    /// Normalize one kind of value, one per line (or a CSV column), to CSV on stdout.
    Clean(CleanArgs),
    /// Find duplicates among CSV/XLSX rows without a project: clusters.csv and pairs.csv.
    Dedupe(DedupeArgs),
}

#[derive(Debug, Args)]
pub struct ProjectArgs {
    /// Project folder with golive.toml.
    #[arg(default_value = ".")]
    pub dir: PathBuf,

    /// Print how long each stage took, and the run's peak memory, to stderr.
    #[arg(long)]
    pub timings: bool,
}

#[derive(Debug, Args)]
pub struct LoadArgs {
    #[command(flatten)]
    pub project: ProjectArgs,
    /// Plan only: write out/load-plan.csv and print the summary; no files, no crosswalk.
    #[arg(long)]
    pub dry_run: bool,
    /// Load into this target instead of [target] crm: salesforce, hubspot, bitrix24,
    /// amocrm, odoo, zoho or csv.
    #[arg(long, value_name = "NAME")]
    pub target: Option<String>,
    /// Write unchanged records into the files too (a full re-import; safe where the CRM
    /// upserts on the external ID).
    #[arg(long)]
    pub all: bool,
    /// API loads: send at most N organizations and N persons (a smoke test on the real
    /// portal); the rest stays planned for the next load.
    #[arg(long, value_name = "N")]
    pub limit: Option<usize>,
    /// API loads: send only organizations, or only persons (and their links).
    #[arg(long, value_enum, value_name = "ENTITY")]
    pub only: Option<Only>,
    /// A phased or pilot migration: load what golive.toml's [[phase]]s up to NAME select
    /// (with everything loaded before, and the companies of the contacts taken).
    #[arg(long, value_name = "NAME")]
    pub phase: Option<String>,
    /// With [[phase]]s in golive.toml, a real load must name its phase; this loads everything
    /// instead.
    #[arg(long, conflicts_with = "phase")]
    pub all_phases: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Only {
    Organizations,
    Persons,
}

#[derive(Debug, Subcommand)]
pub enum ReviewCommand {
    /// Write out/review.xlsx (and out/review.html) with every pair in the review band, every
    /// ambiguous person link and every multi-member cluster, ready for a data steward.
    #[command(
        long_about = "Write out/review.xlsx and out/review.html: one sheet per kind of question \
(organization pairs, person pairs, person links), the two cards side by side with the \
fields that differ highlighted, the score and the reasons in words, and a Decision column \
with a drop-down; a Clusters sheet where a member can be taken out and the golden name, \
phone or e-mail chosen. Pairs already decided are left out. Row 1 of each sheet is hidden \
and holds the column codes (pair_id, left_source, left_key, right_source, right_key, score, \
decision, note, …) that scripts and the import read.",
        after_help = "Then: edit the workbook, `golive review import out/review.xlsx`, and `golive run` \
applies the decisions (match: pairs, members taken out, golden values; link: person choices)."
    )]
    Export(ReviewExportArgs),
    /// Read an edited review workbook and store its decisions (checked first: nothing is stored
    /// if any cell is wrong).
    #[command(
        after_help = "Decisions are stored by source and key with who made them and when; they \
survive re-ingest and re-match. The next `golive run` obeys them: merge, keep apart, members \
taken out, golden values to keep, person links."
    )]
    Import(ReviewImportArgs),
}

/// A stage of `golive run`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum StageArg {
    Ingest,
    Normalize,
    Match,
    Link,
    Load,
    Report,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub project: ProjectArgs,
    /// Load into the target CRM for real (default: the load stage plans a dry run).
    #[arg(long)]
    pub load: bool,
    /// Start at this stage (the ones before keep what they hold).
    #[arg(long, value_enum)]
    pub from: Option<StageArg>,
    /// Stop after this stage.
    #[arg(long, value_enum)]
    pub until: Option<StageArg>,
    /// Language of the report and its summary (default: from the project's region).
    #[arg(long, value_parser = ["en", "ru", "ja"])]
    pub lang: Option<String>,
    /// A phased or pilot migration: the load takes what golive.toml's [[phase]]s up to
    /// NAME select.
    #[arg(long, value_name = "NAME")]
    pub phase: Option<String>,
    /// With [[phase]]s in golive.toml, a real load must name its phase; this loads everything
    /// instead.
    #[arg(long, conflicts_with = "phase")]
    pub all_phases: bool,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    #[command(flatten)]
    pub project: ProjectArgs,
    /// Language of the report and its summary (default: from the project's region).
    #[arg(long, value_parser = ["en", "ru", "ja"])]
    pub lang: Option<String>,
}

#[derive(Debug, Args)]
pub struct ReviewExportArgs {
    #[command(flatten)]
    pub project: ProjectArgs,
    /// Language of sheets, headers, reasons and drop-downs (default: from the project's region).
    #[arg(long, value_parser = ["en", "ru", "ja"])]
    pub lang: Option<String>,
    /// Include automatic matches too, for spot checks.
    #[arg(long)]
    pub all: bool,
    /// Overwrite an out/review.xlsx that was edited and not imported.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct ReviewImportArgs {
    /// The edited review workbook (.xlsx).
    pub file: PathBuf,
    #[command(flatten)]
    pub project: ProjectArgs,
    /// Who decided (default: the workbook's last editor, else the login name).
    #[arg(long)]
    pub by: Option<String>,
}

#[derive(Debug, Args)]
pub struct InspectArgs {
    /// A spreadsheet (xlsx, xlsm, xlsb, xls, ods) or delimited text (csv, tsv, txt).
    pub file: PathBuf,
    /// Read only this sheet (default: every sheet).
    #[arg(long)]
    pub sheet: Option<String>,
    /// Use this profile instead of detecting one (see mappings/).
    #[arg(long)]
    pub profile: Option<String>,
    /// Text encoding, e.g. utf-8, cp1251, cp932, shift_jis, utf-16le (default: detect).
    #[arg(long)]
    pub encoding: Option<String>,
    /// Field delimiter for text files: ',', ';', 'tab' or '|' (default: detect).
    #[arg(long)]
    pub delimiter: Option<String>,
    /// 1-based row of the header (default: detect).
    #[arg(long)]
    pub header_row: Option<usize>,
    /// Machine-readable output.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Folder to create the project in (created if missing).
    pub dir: PathBuf,
    /// Overwrite an existing golive.toml.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CleanKind {
    Phone,
    Email,
    Website,
    OrgName,
    PersonName,
    TaxId,
}

#[derive(Debug, Args)]
pub struct CleanArgs {
    /// What the values are.
    #[arg(value_enum)]
    pub kind: CleanKind,
    /// Default country (ISO 3166 alpha-2), e.g. RU, JP, US.
    #[arg(long, default_value = "RU")]
    pub region: String,
    /// Read this column of a CSV file instead of one value per line.
    #[arg(long)]
    pub column: Option<String>,
    /// Input file, or - for standard input.
    #[arg(default_value = "-")]
    pub input: String,
}

#[derive(Debug, Args)]
#[command(after_help = "Example (the Chicago childcare truth set):\n  \
golive dedupe records.csv --id Id --map 'Site name=name' --map Address=address \\\n    \
--map Zip=postal_code --map Phone=phone --region US --truth 'True Id'")]
pub struct DedupeArgs {
    /// CSV or spreadsheet files, matched together; their ids must be unique.
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
    /// Column holding each row's unique id.
    #[arg(long)]
    pub id: String,
    /// What the rows are.
    #[arg(long, value_enum, default_value = "organization")]
    pub kind: DedupeKind,
    /// COLUMN=FIELD: which column holds which canonical field (name, phone, email,
    /// tax_id, address, postal_code, …). Columns named like a field map themselves.
    #[arg(long = "map", value_name = "COLUMN=FIELD")]
    pub maps: Vec<String>,
    /// Default country of phone numbers (ISO 3166 alpha-2).
    #[arg(long, default_value = "RU")]
    pub region: String,
    /// Folder for clusters.csv and pairs.csv.
    #[arg(long, default_value = "dedupe-out")]
    pub out: PathBuf,
    /// Score the clusters against this column of true ids: pairwise precision, recall, F1.
    #[arg(long, value_name = "COLUMN")]
    pub truth: Option<String>,
    /// Print the field-by-field score of two rows, by id.
    #[arg(long, num_args = 2, value_names = ["LEFT", "RIGHT"])]
    pub explain: Vec<String>,
    /// Use saved match parameters instead of estimating them from the data.
    #[arg(long, value_name = "FILE")]
    pub params: Option<PathBuf>,
    /// Save the parameters used (estimated or given) to reuse them.
    #[arg(long, value_name = "FILE")]
    pub save_params: Option<PathBuf>,
    /// Steward decisions that refine the estimated weights: a CSV with
    /// `left_id,right_id,decision` (decision `match` or `non_match`), e.g. a
    /// handful of pairs checked by hand on a hard data set. Optional: the
    /// default needs no labels.
    #[arg(long, value_name = "FILE")]
    pub labels: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DedupeKind {
    Organization,
    Person,
}
