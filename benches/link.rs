//! Linking contact persons to organizations on synthetic data with known truth:
//! precision and recall of the links, and time for 1,000,000 persons against
//! 300,000 organizations. Company names are written the ways people write
//! them (with or without legal form, transliterated, upper case, one typo,
//! absent), e-mails are partly free-mail, some people give only an office phone.
//!
//! `cargo bench --bench link` (sizes: GOLIVE_BENCH_ORGS, GOLIVE_BENCH_PERSONS).

use golive::link::{Outcome, link_all};
use golive::model::{Field, Kind, Party, PhoneRole};
use golive::normalize::{email, org, phone};
use rayon::prelude::*;
use std::time::Instant;

const RU: [&str; 12] = [
    "Ромашка",
    "Лютик",
    "Вектор",
    "Сириус",
    "Техносфера",
    "Альянс",
    "Горизонт",
    "Меридиан",
    "Орион",
    "Прогресс",
    "Север",
    "Восход",
];
const JP: [&str; 8] = ["山田", "東京", "大阪", "桜", "富士", "中央", "北海", "青葉"];
const JP2: [&str; 6] = ["商事", "テクノ", "工業", "物産", "建設", "電機"];
const EN: [&str; 12] = [
    "Acme",
    "Globex",
    "Initech",
    "Umbrella",
    "Stark",
    "Wayne",
    "Hooli",
    "Vandelay",
    "Soylent",
    "Cyberdyne",
    "Tyrell",
    "Wonka",
];
const EN2: [&str; 6] = [
    "Widgets",
    "Systems",
    "Logistics",
    "Foods",
    "Partners",
    "Labs",
];

/// Splitmix64: a fixed, dependency-free random stream.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// Organization `i`: (written name, translit-able core, e-mail domain, office phone).
fn organization(i: usize) -> (String, String, String) {
    let n = i / 3;
    match i % 3 {
        0 => (
            format!("ООО «{} {}»", RU[n % RU.len()], n),
            format!(
                "{}{}.ru",
                [
                    "romashka", "lutik", "vektor", "sirius", "tehno", "alians", "gorizont",
                    "meridian", "orion", "progress", "sever", "voshod"
                ][n % RU.len()],
                n
            ),
            format!("+7 495 {:03} {:04}", n % 1000, n % 10_000),
        ),
        1 => (
            format!("株式会社{}{}{}", JP[n % JP.len()], JP2[n % JP2.len()], n),
            format!("jp{n}.co.jp"),
            format!("+81 3 {:04} {:04}", n % 10_000, (n / 7) % 10_000),
        ),
        _ => (
            format!("{} {} {}, Inc.", EN[n % EN.len()], EN2[n % EN2.len()], n),
            format!("en{n}.com"),
            format!("+1 312 {:03} {:04}", 200 + n % 700, n % 10_000),
        ),
    }
}

fn org_party(i: usize) -> Party {
    let (name, domain, tel) = organization(i);
    let mut p = Party {
        kind: Kind::Organization,
        ..Party::default()
    };
    p.provenance.source_key = format!("O{i}");
    p.org = Some(org::normalize_org_name(&name));
    p.emails = email::normalize_emails(&format!("info@{domain}"));
    let opts = phone::PhoneOptions {
        region: "RU",
        default_area_code: None,
        role: PhoneRole::Phone,
    };
    p.phones = phone::normalize_phones(&tel, &opts);
    p
}

/// A person of organization `o`, written one of the usual ways.
fn person_party(rng: &mut Rng, o: usize) -> Party {
    let (name, domain, tel) = organization(o);
    let core = org::normalize_org_name(&name).name;
    let company = match rng.below(10) {
        0 => name.clone(),
        1 | 2 => core.clone(),
        3 => core.to_uppercase(),
        4 => {
            // One typo: a letter dropped from the middle.
            let chars: Vec<char> = core.chars().collect();
            let k = chars.len() / 2;
            chars[..k].iter().chain(&chars[k + 1..]).collect()
        }
        5 => golive::normalize::translit::to_latin(&core),
        _ => String::new(),
    };
    let mut p = Party {
        kind: Kind::Person,
        ..Party::default()
    };
    if !company.is_empty() {
        p.original.insert(Field::OrganizationRef, company);
    }
    let mail = match rng.below(10) {
        0..=3 => format!("person{}@{domain}", rng.below(1000)),
        4..=6 => format!("person{}@gmail.com", rng.below(100_000)),
        _ => String::new(),
    };
    if !mail.is_empty() {
        p.emails = email::normalize_emails(&mail);
    }
    if rng.below(5) == 0 {
        let opts = phone::PhoneOptions {
            region: "RU",
            default_area_code: None,
            role: PhoneRole::Phone,
        };
        p.phones = phone::normalize_phones(&tel, &opts);
    }
    p
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let env = |k: &str, d: usize| {
        std::env::var(k)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(d)
    };
    let (n_orgs, n_persons) = (
        env("GOLIVE_BENCH_ORGS", 300_000),
        env("GOLIVE_BENCH_PERSONS", 1_000_000),
    );
    let t = Instant::now();
    let mut parties: Vec<Party> = (0..n_orgs).into_par_iter().map(org_party).collect();
    let truth_start = parties.len();
    let persons: Vec<(usize, Party)> = (0..n_persons)
        .into_par_iter()
        .map(|i| {
            let mut rng = Rng(i as u64);
            let o = rng.below(n_orgs as u64) as usize;
            (o, person_party(&mut rng, o))
        })
        .collect();
    let truth: Vec<usize> = persons.iter().map(|(o, _)| *o).collect();
    parties.extend(persons.into_iter().map(|(_, p)| p));
    let golden: Vec<String> = (0..parties.len()).map(|i| format!("G{i}")).collect();
    let generate = t.elapsed().as_secs_f64();

    let t = Instant::now();
    let (outcomes, created) = link_all(&parties, &golden, &Default::default());
    let secs = t.elapsed().as_secs_f64();

    let (mut linked, mut correct, mut should) = (0u64, 0u64, 0u64);
    for (k, o) in outcomes[truth_start..].iter().enumerate() {
        let p = &parties[truth_start + k];
        let has_evidence = p.original(Field::OrganizationRef).is_some()
            || p.emails.iter().any(|e| !e.free_mail)
            || !p.phones.is_empty();
        should += u64::from(has_evidence);
        if let Some(Outcome::Linked { organization, .. }) = o
            && organization.starts_with('G')
        {
            linked += 1;
            correct += u64::from(*organization == golden[truth[k]]);
        }
    }
    println!("| generate + normalize {n_orgs} orgs, {n_persons} persons | {generate:.1} s |");
    println!(
        "| link {n_persons} persons → {n_orgs} orgs | {secs:.1} s | precision {:.4} | recall {:.4} (of persons with any evidence) | {} organizations created from text |",
        correct as f64 / linked.max(1) as f64,
        correct as f64 / should.max(1) as f64,
        created.len()
    );
}
