//! Real export formats run as a user would: `golive inspect` picks the profile
//! and says why; `golive run` on a project turns each file into the right
//! organizations and persons, with their e-mails, and links each person
//! (fixtures under tests/fixtures/exports/, written from each tool's documented
//! columns).

use serde_json::Value;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

mod common;
use common::golive;

const FIXTURES: &str = "tests/fixtures/exports";

fn inspect(file: &str) -> Value {
    let out = golive(&["inspect", &format!("{FIXTURES}/{file}"), "--json"]);
    assert!(
        out.status.success(),
        "{file}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

type Row = HashMap<String, String>;

fn read_csv(path: &Path) -> Vec<Row> {
    let mut r = csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let headers = r.headers().unwrap().clone();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            headers
                .iter()
                .zip(rec.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

/// A project run on some fixtures: its outputs, by source key.
struct Run {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Run {
    /// `sources`: (fixture, extra `[[source]]` lines).
    fn new(region: &str, sources: &[(&str, &str)]) -> Run {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().to_path_buf();
        std::fs::create_dir_all(dir.join("sources")).unwrap();
        let mut toml = format!("[project]\nname = \"t\"\nregion = \"{region}\"\n");
        for (file, extra) in sources {
            std::fs::copy(
                Path::new(FIXTURES).join(file),
                dir.join("sources").join(file),
            )
            .unwrap();
            toml.push_str(&format!("[[source]]\npath = \"sources/{file}\"\n{extra}\n"));
        }
        std::fs::write(dir.join("golive.toml"), toml).unwrap();
        let out = golive(&["run", dir.to_str().unwrap()]);
        Run {
            _tmp: tmp,
            dir,
            code: out.status.code(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    fn ok(self) -> Run {
        assert_eq!(self.code, Some(0), "{}\n{}", self.stdout, self.stderr);
        self
    }

    fn out(&self, name: &str) -> Vec<Row> {
        read_csv(&self.dir.join("out").join(name))
    }

    /// (kind, golden record) of the party stored under `key`.
    fn party(&self, key: &str) -> (String, Row) {
        self.party_of("", key)
    }

    /// The same, in one source (`""`: any).
    fn party_of(&self, source: &str, key: &str) -> (String, Row) {
        let clusters = self.out("clusters.csv");
        let c = clusters
            .iter()
            .find(|c| c["source_key"] == key && (source.is_empty() || c["source"] == source))
            .unwrap_or_else(|| panic!("no party `{key}` in {clusters:?}"));
        let golden = self.out("golden.csv");
        let g = golden
            .iter()
            .find(|g| g["golden_id"] == c["golden_id"])
            .unwrap()
            .clone();
        (c["kind"].clone(), g)
    }

    fn keys_of_kind(&self, kind: &str) -> Vec<String> {
        let mut v: Vec<String> = self
            .out("clusters.csv")
            .into_iter()
            .filter(|c| c["kind"] == kind)
            .map(|c| c["source_key"].clone())
            .collect();
        v.sort();
        v
    }

    /// (method, organization's name) of a person's link.
    fn link(&self, person_key: &str) -> (String, String) {
        let links = self.out("links.csv");
        let l = links
            .iter()
            .find(|l| l["person_key"] == person_key)
            .unwrap_or_else(|| panic!("no link for `{person_key}` in {links:?}"));
        let golden = self.out("golden.csv");
        let name = golden
            .iter()
            .find(|g| g["golden_id"] == l["organization_golden_id"])
            .map(|g| g["name"].clone())
            .unwrap_or_default();
        (l["method"].clone(), name)
    }

    fn status(&self) -> String {
        String::from_utf8_lossy(&golive(&["status", self.dir.to_str().unwrap()]).stdout)
            .into_owned()
    }
}

#[test]
fn every_format_gets_its_own_profile() {
    for (file, profile) in [
        ("zoho_crm_accounts.csv", "zoho-crm-accounts"),
        ("zoho_crm_contacts.csv", "zoho-crm-contacts"),
        ("zoho_books_contacts.csv", "zoho-books-contacts"),
        ("odoo_partners.csv", "odoo-partners"),
        ("bitrix24_contacts.csv", "bitrix24-contacts"),
        ("bitrix24_companies.csv", "bitrix24-companies"),
        ("amocrm_contacts.csv", "amocrm-contacts"),
        ("hubspot_contacts_with_companies.csv", "hubspot-contacts"),
        ("pipedrive_people.csv", "pipedrive-people"),
        ("pipedrive_organizations.csv", "pipedrive-organizations"),
        ("myob_cards.csv", "myob-cards"),
        ("freshbooks_clients.csv", "freshbooks-clients"),
        ("wave_customers.csv", "wave-customers"),
        ("xero_contacts_import.csv", "xero-contacts"),
        ("jp_sfa_accounts.csv", "jp-sfa-accounts"),
        ("eight_cards.csv", "eight-cards"),
        ("google_contacts.csv", "google-contacts"),
        ("outlook_contacts.csv", "outlook-contacts"),
        ("thunderbird_contacts.csv", "thunderbird-contacts"),
        (
            "quickbooks_customers_individuals.csv",
            "quickbooks-customers",
        ),
        ("kontragenty_ru_cp1251.csv", "generic-org-ru"),
        ("1c_counterparties_groups_cp1251.csv", "1c-counterparties"),
        ("salesforce_accounts_export_all.csv", "salesforce-accounts"),
        ("nta_houjin_bangou.csv", "nta-houjin-bangou"),
        ("JIGYOSYO.CSV", "jp-post-jigyosyo"),
    ] {
        let r = inspect(file);
        let t = &r["tables"][0];
        assert_eq!(
            t["profile"], profile,
            "{file}: runner-up {}",
            t["runner_up"]
        );
        let maps = t["chosen"]["maps"].as_array().unwrap();
        assert!(maps.iter().any(|m| m == "name"), "{file}: {maps:?}");
        assert!(
            t["chosen"]["leaves_unmapped"]
                .as_array()
                .unwrap()
                .is_empty(),
            "{file}: {}",
            t["chosen"]
        );
    }
}

#[test]
fn inspect_says_why_a_profile_won_and_what_the_runner_up_leaves_out() {
    let out = golive(&["inspect", &format!("{FIXTURES}/zoho_crm_accounts.csv")]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("profile:   zoho-crm-accounts (score")
            && text.contains("maps name, e-mail, phone"),
        "{text}"
    );
    assert!(text.contains("runner-up "), "{text}");
    // The Salesforce profile maps the Billing columns but not `Email`: it must lose.
    let r = inspect("zoho_crm_accounts.csv");
    assert_ne!(r["tables"][0]["profile"], "salesforce-accounts");
}

#[test]
fn zoho_exports_keep_names_and_emails() {
    let run = Run::new(
        "US",
        &[("zoho_crm_accounts.csv", ""), ("zoho_crm_contacts.csv", "")],
    )
    .ok();
    let (kind, g) = run.party("zcrm_4150868000000224005");
    assert_eq!(kind, "organization");
    assert_eq!(g["name"], "Crédito Lenders Inc");
    assert!(g["emails"].contains("info@creditolenders.com"), "{g:?}");
    let (kind, g) = run.party("zcrm_4150868000000225001");
    assert_eq!(kind, "person");
    assert!(g["emails"].contains("kris@chemel.com"), "{g:?}");
    assert_eq!(run.link("zcrm_4150868000000225001").1, "Chemel LLC");
}

#[test]
fn zoho_books_business_rows_hold_a_company_and_its_person() {
    let run = Run::new("US", &[("zoho_books_contacts.csv", "")]).ok();
    let (kind, g) = run.party("460000000026049");
    assert_eq!(
        (kind.as_str(), g["name"].as_str()),
        ("organization", "Bowman and Co")
    );
    let (kind, g) = run.party("460000000026049/person");
    assert_eq!(kind, "person");
    assert!(g["emails"].contains("will@bowmanco.com"), "{g:?}");
    assert_eq!(
        run.link("460000000026049/person"),
        ("same_row".to_string(), "Bowman and Co".to_string())
    );
    // `Customer Sub Type` = individual: one person, with her e-mail.
    let (kind, g) = run.party("460000000026050");
    assert_eq!(kind, "person");
    assert!(g["emails"].contains("sarah.jones@gmail.com"), "{g:?}");
    assert_eq!(run.keys_of_kind("person").len(), 3);
}

#[test]
fn odoo_individuals_are_people_of_their_related_company() {
    let run = Run::new("US", &[("odoo_partners.csv", "")]).ok();
    assert_eq!(
        run.keys_of_kind("organization"),
        ["__import__.partner_azure", "__import__.partner_deco"]
    );
    let (kind, g) = run.party("__import__.partner_brandon");
    assert_eq!(kind, "person");
    assert!(g["emails"].contains("brandon.freeman55@example.com"));
    assert_eq!(run.link("__import__.partner_brandon").1, "Azure Interior");
    assert_eq!(run.link("__import__.partner_addison").1, "Deco Addict");
}

#[test]
fn bitrix24_and_amocrm_contacts_link_to_their_companies() {
    let run = Run::new(
        "RU",
        &[
            ("bitrix24_companies.csv", "name = \"bx-co\""),
            ("bitrix24_contacts.csv", "name = \"bx-people\""),
            ("amocrm_contacts.csv", "name = \"amo\""),
        ],
    )
    .ok();
    let (kind, g) = run.party("101");
    assert_eq!(kind, "person");
    assert!(g["emails"].contains("sidorov@romashka.ru"), "{g:?}");
    assert!(g["name"].contains("Сидоров"), "{g:?}");
    assert_eq!(run.link("101").1, "ООО «Ромашка»");
    assert_eq!(run.link("102").1, "ООО «Ромашка»");
    let (_, g) = run.party("5551");
    assert!(g["emails"].contains("smirnov@vektor.ru"), "{g:?}");
    assert_eq!(run.link("5551").1, "АО «Вектор»");
}

#[test]
fn hubspot_company_columns_are_the_companys() {
    let run = Run::new("US", &[("hubspot_contacts_with_companies.csv", "")]).ok();
    assert_eq!(run.keys_of_kind("organization"), ["9001", "9002"]);
    let (_, company) = run.party("9001");
    assert_eq!(company["name"], "Acme Tools");
    assert!(company["phones"].contains("+16175550000"), "{company:?}");
    let (_, jane) = run.party("751");
    assert!(jane["phones"].contains("+16175550101"), "{jane:?}");
    assert!(!jane["phones"].contains("+16175550000"), "{jane:?}");
    for person in ["751", "752"] {
        assert_eq!(
            run.link(person),
            ("same_row".to_string(), "Acme Tools".to_string())
        );
    }
    assert_eq!(run.link("753").0, "same_row");
    // No company is made up from a web domain.
    let created = run.out("created_organizations.csv");
    assert!(
        created.iter().all(|c| !c["name"].contains(".com")),
        "{created:?}"
    );
}

#[test]
fn pipedrive_people_link_to_their_organization() {
    let run = Run::new(
        "DE",
        &[
            ("pipedrive_organizations.csv", "name = \"orgs\""),
            ("pipedrive_people.csv", "name = \"people\""),
        ],
    )
    .ok();
    let (kind, g) = run.party("31");
    assert_eq!(kind, "person");
    assert!(g["emails"].contains("lena@foxglove.de"));
    assert_eq!(
        run.link("31"),
        ("same_row".to_string(), "Foxglove GmbH".to_string())
    );
    assert_eq!(run.link("32").0, "same_row");
}

#[test]
fn myob_cards_tell_individuals_from_companies_and_keep_the_contact() {
    let run = Run::new("AU", &[("myob_cards.csv", "")]).ok();
    let (kind, g) = run.party("CUS001");
    assert_eq!(
        (kind.as_str(), g["name"].as_str()),
        ("organization", "Bondi Bakery Pty Ltd")
    );
    assert!(g["emails"].contains("orders@bondibakery.com.au"), "{g:?}");
    assert_eq!(
        run.link("CUS001/person"),
        ("same_row".to_string(), "Bondi Bakery Pty Ltd".to_string())
    );
    // A card with a first name is an individual, not a company.
    let (kind, g) = run.party("CUS002");
    assert_eq!(kind, "person");
    assert_eq!(g["name"], "Smith", "{g:?}");
    assert!(g["emails"].contains("john.smith@bigpond.com"), "{g:?}");
    assert_eq!(run.keys_of_kind("person"), ["CUS001/person", "CUS002"]);
}

#[test]
fn freshbooks_and_wave_clients_hold_their_contact_person() {
    let run = Run::new(
        "CA",
        &[
            ("freshbooks_clients.csv", "name = \"fb\""),
            ("wave_customers.csv", "name = \"wave\""),
        ],
    )
    .ok();
    assert_eq!(
        run.link("1001/person"),
        ("same_row".to_string(), "Maple Leaf Design".to_string())
    );
    let (_, anne) = run.party("1001/person");
    assert!(
        anne["emails"].contains("anne@mapleleafdesign.ca"),
        "{anne:?}"
    );
    // No organization: the client is the person alone.
    let (kind, luc) = run.party("1002");
    assert_eq!(kind, "person");
    assert!(luc["emails"].contains("luc.gagnon@gmail.com"), "{luc:?}");
    let priya = "C-17/person";
    let (_, g) = run.party(priya);
    assert!(g["name"].contains("Natarajan"), "{g:?}");
    assert!(g["emails"].contains("owner@sunrisecafe.com"), "{g:?}");
    assert_eq!(
        run.link(priya),
        ("same_row".to_string(), "Sunrise Cafe".to_string())
    );
}

#[test]
fn xero_contacts_and_their_primary_persons_stay_apart() {
    let run = Run::new("NZ", &[("xero_contacts_import.csv", "")]).ok();
    let orgs = run.keys_of_kind("organization");
    assert_eq!(orgs.len(), 3, "{orgs:?}");
    let persons = run.keys_of_kind("person");
    // Three primary persons, plus Sam Taylor, an individual.
    assert_eq!(persons.len(), 4, "{persons:?}");
    let golden: Vec<String> = persons
        .iter()
        .map(|k| run.party(k).1["golden_id"].clone())
        .collect();
    let mut distinct = golden.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), 4, "each person is their own record");
    assert_eq!(
        run.link("Ridgeway University/person"),
        ("same_row".to_string(), "Ridgeway University".to_string())
    );
    let (kind, _) = run.party("Sam Taylor");
    assert_eq!(kind, "person");
}

#[test]
fn japanese_sfa_lists_read_required_marks_and_keep_the_seller_apart() {
    let run = Run::new("JP", &[("jp_sfa_accounts.csv", "")]).ok();
    let (kind, g) = run.party("A-001");
    assert_eq!(
        (kind.as_str(), g["name"].as_str()),
        ("organization", "株式会社山田商事")
    );
    assert!(g["emails"].contains("info@yamada-shoji.co.jp"), "{g:?}");
    assert!(!g["emails"].contains("seller.example.jp"), "{g:?}");
    let (kind, p) = run.party("A-001/person");
    assert_eq!(kind, "person");
    assert!(
        p["emails"].contains("taro.yamada@yamada-shoji.co.jp"),
        "{p:?}"
    );
    assert!(!p["emails"].contains("seller"), "{p:?}");
    assert_eq!(run.link("A-001/person").0, "same_row");
    assert_eq!(run.party("A-002").1["name"], "有限会社鈴木工業");
}

#[test]
fn business_cards_and_address_books_keep_every_email_and_phone() {
    let run = Run::new(
        "US",
        &[
            ("eight_cards.csv", "name = \"eight\"\nregion = \"JP\""),
            ("google_contacts.csv", "name = \"google\""),
            ("outlook_contacts.csv", "name = \"outlook\""),
            ("thunderbird_contacts.csv", "name = \"tb\""),
        ],
    )
    .ok();
    let clusters = run.out("clusters.csv");
    let key = |source: &str, n: usize| -> String {
        clusters
            .iter()
            .filter(|c| c["source"] == source)
            .nth(n)
            .unwrap()["source_key"]
            .clone()
    };
    let (kind, taro) = run.party_of("eight", &key("eight", 0));
    assert_eq!(kind, "person");
    assert!(
        taro["emails"].contains("taro.yamada@yamada-shoji.co.jp"),
        "{taro:?}"
    );
    assert!(taro["phones"].contains("+81312345600"), "{taro:?}");
    let (_, alice) = run.party_of("google", &key("google", 0));
    assert!(
        alice["emails"].contains("alice@walkerco.com")
            && alice["emails"].contains("alice.w@gmail.com"),
        "{alice:?}"
    );
    assert!(
        alice["phones"].contains("+13035550147") && alice["phones"].contains("+13035550100"),
        "{alice:?}"
    );
    let (_, chris) = run.party_of("outlook", &key("outlook", 0));
    assert!(
        chris["emails"].contains("chris.evans@contoso.com")
            && chris["emails"].contains("cevans@outlook.com"),
        "{chris:?}"
    );
    assert!(chris["phones"].contains("+14255550100"), "{chris:?}");
    let (_, erik) = run.party_of("tb", &key("tb", 0));
    assert!(
        erik["emails"].contains("erik.larsen@nordlys.no"),
        "{erik:?}"
    );
    assert!(erik["phones"].contains("+4722123456"), "{erik:?}");
}

#[test]
fn quickbooks_smith_comma_john_is_a_person_and_gmail_is_no_website() {
    let run = Run::new("US", &[("quickbooks_customers_individuals.csv", "")]).ok();
    assert_eq!(run.party("Smith, John").0, "person");
    assert_eq!(run.party("Garcia, Maria Elena").0, "person");
    assert_eq!(run.party("Cool Cars, Inc.").0, "organization");
    assert_eq!(run.party("Amy's Bird Sanctuary").0, "organization");
    let (_, john) = run.party("Smith, John");
    assert_eq!(john["website"], "", "{john:?}");
    assert!(run.status().contains("website_free_mail"));
}

#[test]
fn a_russian_counterparty_workbook_has_names_forms_and_no_placeholder_emails() {
    let run = Run::new("RU", &[("kontragenty_ru_cp1251.csv", "")]).ok();
    let golden = run.out("golden.csv");
    let romashka = golden
        .iter()
        .find(|g| g["name"] == "Ромашка")
        .unwrap_or_else(|| panic!("{golden:?}"));
    assert_eq!(romashka["legal_form"], "ООО");
    assert_eq!(
        romashka["emails"], "",
        "«Форма обратной связи» is no e-mail"
    );
    assert!(
        romashka["address"].contains("д. 5") && romashka["address"].contains("корп. 2"),
        "{romashka:?}"
    );
    let vektor = golden.iter().find(|g| g["name"] == "Вектор").unwrap();
    assert_eq!(vektor["legal_form"], "АО");
    assert_eq!(vektor["emails"], "");
    assert!(run.status().contains("placeholder_value"));
}

#[test]
fn one_c_folders_and_deletion_marks_are_skipped_with_a_reason() {
    let run = Run::new(
        "RU",
        &[("1c_counterparties_groups_cp1251.csv", "name = \"1c\"")],
    )
    .ok();
    let orgs = run.keys_of_kind("organization");
    assert_eq!(orgs, ["00-000002"], "{orgs:?}");
    assert_eq!(run.keys_of_kind("sole_proprietor"), ["00-000005"]);
    assert_eq!(
        run.link("00-000002/person"),
        ("same_row".to_string(), "ООО «Альфа»".to_string())
    );
    let status = run.status();
    assert!(status.contains("1C group (folder) row"), "{status}");
    assert!(status.contains("marked for deletion"), "{status}");
    assert!(status.contains("3 rejected"), "{status}");
}

#[test]
fn salesforce_deleted_records_are_not_loaded() {
    let run = Run::new(
        "US",
        &[("salesforce_accounts_export_all.csv", "name = \"sf\"")],
    )
    .ok();
    assert_eq!(
        run.keys_of_kind("organization"),
        ["0015g00000AAAAAAA1", "0015g00000AAAAAAA3"]
    );
    assert!(run.status().contains("deleted in Salesforce"));
}

#[test]
fn headerless_registries_are_read_by_their_layout() {
    let run = Run::new(
        "JP",
        &[
            ("nta_houjin_bangou.csv", "name = \"nta\""),
            ("JIGYOSYO.CSV", "name = \"post\""),
        ],
    )
    .ok();
    let (kind, g) = run.party("1000013040008");
    assert_eq!(
        (kind.as_str(), g["name"].as_str()),
        ("organization", "国立国会図書館")
    );
    assert!(g["tax_ids"].contains("1000013040008"), "{g:?}");
    // Row 3 is the superseded history of row 2's number.
    let nikkei = run.keys_of_kind("organization");
    assert!(nikkei.contains(&"2010001008824".to_string()), "{nikkei:?}");
    assert!(!nikkei.iter().any(|k| k.contains('~')), "{nikkei:?}");
    let (_, g) = run.party("0608611");
    assert_eq!(g["name"], "札幌市役所");
    assert!(
        !nikkei.contains(&"0608799".to_string()),
        "abolished entry skipped"
    );
    let status = run.status();
    assert!(
        status.contains("最新履歴 = 0") && status.contains("修正コード = 5"),
        "{status}"
    );
}

#[test]
fn a_bad_source_is_reported_and_the_others_still_run() {
    let run = Run::new(
        "JP",
        &[
            ("KEN_ALL.CSV", "name = \"kenall\""),
            ("headerless_contacts.csv", "name = \"nohead\""),
            ("eight_cards.csv", "name = \"eight\""),
        ],
    );
    assert_eq!(run.code, Some(2), "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains("KEN_ALL") && run.stderr.contains("postal-code"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("headerless_contacts.csv") && run.stderr.contains("header = false"),
        "{}",
        run.stderr
    );
    assert_eq!(
        run.keys_of_kind("person").len(),
        2,
        "eight was ingested, normalized and matched"
    );
}

#[test]
fn a_headerless_file_reads_with_declared_columns() {
    let run = Run::new(
        "US",
        &[(
            "headerless_contacts.csv",
            "profile = \"generic-contacts-en\"\nheader = false\ncolumns = [\"Company\", \"Name\", \"Email\", \"Phone\"]",
        )],
    )
    .ok();
    let persons = run.keys_of_kind("person");
    assert_eq!(
        persons.len(),
        2,
        "the first line is data, not a header: {persons:?}"
    );
    let (_, g) = run.party(&persons[0]);
    assert!(g["emails"].contains("john@acmewidgets.com"), "{g:?}");
}

#[test]
fn a_profile_without_a_name_column_is_warned_about_loudly() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::create_dir_all(dir.join("sources")).unwrap();
    std::fs::write(
        dir.join("sources/list.csv"),
        "Email,Phone\na@x.com,+1 312 555 0100\nb@y.com,+1 312 555 0101\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("golive.toml"),
        "[project]\nname = \"t\"\nregion = \"US\"\n[[source]]\npath = \"sources/list.csv\"\n",
    )
    .unwrap();
    let d = dir.to_str().unwrap();
    let out = golive(&["run", d]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("NO NAME COLUMN"));
    let status = String::from_utf8_lossy(&golive(&["status", d]).stdout).into_owned();
    assert!(status.contains("NO NAME COLUMN"), "{status}");
}
