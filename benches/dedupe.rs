//! Deduplication at scale: a synthetic set of RU/JP/EN counterparty cards with
//! known truth, run through the real `golive dedupe` command path (CSV →
//! ingest → build_party → engine → clusters.csv), timed, scored pairwise.
//!
//! `cargo bench --bench dedupe` — environment:
//! - `GOLIVE_BENCH_ROWS` cards (default 100000)
//! - `GOLIVE_BENCH_CSV` where the CSV goes (default `$TMPDIR/golive-dedupe-<rows>.csv`)
//! - `GOLIVE_BENCH_SEED` (default 1): same seed and rows → the same file
//! - `GOLIVE_BENCH_GEN_ONLY=1`: write the CSV and stop (then run the binary:
//!   `golive dedupe FILE --id id --truth truth --out DIR`)
//!
//! The cards: every entity (a company) gets 1–8 cards written the way people
//! write them: legal form long/short/prefix/suffix, quotes, case, Latin
//! transliteration of Russian names, (株)/株式会社/㈱, Inc/Inc./Incorporated,
//! typos, phone habits (`8 (495) 123-45-67`, `+7 495 1234567`, full-width JP
//! digits, US local numbers), e-mail case and other mailboxes of the same
//! domain, fields left empty. Hard negatives: namesakes (the same name and
//! form in another city, with another valid tax ID) and sister companies
//! (a related name sharing the phone switchboard or the mail domain, and
//! often the address, with their own tax ID).

use golive::cli::{DedupeArgs, DedupeKind};
use golive::commands::dedupe;
use std::collections::HashSet;
use std::path::PathBuf;
use std::time::Instant;

/// splitmix64: small, deterministic, good enough for test data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo + 1)
    }
    fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 > 1.0 - p
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Lang {
    Ru,
    Jp,
    En,
}

struct City {
    name: &'static str,
    /// Other ways the city column is written.
    alt: &'static str,
    area: &'static str,
    postal: &'static str,
    /// Prefix of the address (JP: prefecture + ward; US: unused).
    prefix: &'static str,
    state: &'static str,
}

const fn city(
    name: &'static str,
    alt: &'static str,
    area: &'static str,
    postal: &'static str,
    prefix: &'static str,
    state: &'static str,
) -> City {
    City {
        name,
        alt,
        area,
        postal,
        prefix,
        state,
    }
}

const RU_CITIES: [City; 10] = [
    city("Москва", "г. Москва", "495", "1", "", ""),
    city("Москва", "г Москва", "499", "12", "", ""),
    city("Санкт-Петербург", "г. Санкт-Петербург", "812", "19", "", ""),
    city("Новосибирск", "г. Новосибирск", "383", "630", "", ""),
    city("Екатеринбург", "г. Екатеринбург", "343", "620", "", ""),
    city("Казань", "г. Казань", "843", "420", "", ""),
    city("Нижний Новгород", "г. Н. Новгород", "831", "603", "", ""),
    city("Самара", "г. Самара", "846", "443", "", ""),
    city("Ростов-на-Дону", "г. Ростов-на-Дону", "863", "344", "", ""),
    city("Краснодар", "г. Краснодар", "861", "350", "", ""),
];
const JP_CITIES: [City; 7] = [
    city(
        "千代田区",
        "東京都千代田区",
        "3",
        "100",
        "東京都千代田区",
        "",
    ),
    city("港区", "東京都港区", "3", "105", "東京都港区", ""),
    city("大阪市", "大阪府大阪市", "6", "530", "大阪府大阪市北区", ""),
    city(
        "名古屋市",
        "愛知県名古屋市",
        "52",
        "460",
        "愛知県名古屋市中区",
        "",
    ),
    city(
        "札幌市",
        "北海道札幌市",
        "11",
        "060",
        "北海道札幌市中央区",
        "",
    ),
    city(
        "福岡市",
        "福岡県福岡市",
        "92",
        "812",
        "福岡県福岡市博多区",
        "",
    ),
    city(
        "横浜市",
        "神奈川県横浜市",
        "45",
        "220",
        "神奈川県横浜市西区",
        "",
    ),
];
const US_CITIES: [City; 8] = [
    city("Chicago", "CHICAGO", "312", "606", "", "IL"),
    city("New York", "NEW YORK", "212", "100", "", "NY"),
    city("Los Angeles", "LOS ANGELES", "213", "900", "", "CA"),
    city("San Francisco", "SAN FRANCISCO", "415", "941", "", "CA"),
    city("Boston", "BOSTON", "617", "021", "", "MA"),
    city("Seattle", "SEATTLE", "206", "981", "", "WA"),
    city("Austin", "AUSTIN", "512", "787", "", "TX"),
    city("Denver", "DENVER", "303", "802", "", "CO"),
];

const RU_SYL: [&str; 48] = [
    "ро", "маш", "ка", "век", "тор", "аль", "фа", "тех", "но", "сна", "бер", "ин", "вест", "гар",
    "ант", "се", "вер", "вос", "лог", "ти", "аг", "мед", "фар", "эн", "ерг", "сер", "про", "кап",
    "кон", "ми", "ра", "да", "ле", "на", "ви", "та", "лу", "зо", "ри", "бе", "за", "ли", "па",
    "ру", "си", "ду", "га", "нор",
];
const RU_BIZ: [&str; 14] = [
    "Строй",
    "Трейд",
    "Логистик",
    "Снаб",
    "Сервис",
    "Групп",
    "Техно",
    "Пром",
    "Агро",
    "Инвест",
    "Консалт",
    "Медиа",
    "Софт",
    "Энерго",
];
/// (short, long) forms, prefix only.
const RU_FORMS: [(&str, &str); 4] = [
    ("ООО", "Общество с ограниченной ответственностью"),
    ("АО", "Акционерное общество"),
    ("ПАО", "Публичное акционерное общество"),
    ("ЗАО", "Закрытое акционерное общество"),
];
const RU_STREETS: [&str; 15] = [
    "Ленина",
    "Мира",
    "Советская",
    "Гагарина",
    "Пушкина",
    "Лесная",
    "Садовая",
    "Школьная",
    "Центральная",
    "Молодёжная",
    "Набережная",
    "Заводская",
    "Октябрьская",
    "Кирова",
    "Профсоюзная",
];
/// (kana, romaji)
const JP_SYL: [(&str, &str); 32] = [
    ("サ", "sa"),
    ("ク", "ku"),
    ("ラ", "ra"),
    ("ミ", "mi"),
    ("ド", "do"),
    ("リ", "ri"),
    ("ア", "a"),
    ("オ", "o"),
    ("カ", "ka"),
    ("キ", "ki"),
    ("コ", "ko"),
    ("タ", "ta"),
    ("ト", "to"),
    ("ナ", "na"),
    ("ニ", "ni"),
    ("ハ", "ha"),
    ("ヒ", "hi"),
    ("マ", "ma"),
    ("モ", "mo"),
    ("ヤ", "ya"),
    ("ユ", "yu"),
    ("ロ", "ro"),
    ("ワ", "wa"),
    ("テ", "te"),
    ("ス", "su"),
    ("セ", "se"),
    ("ソ", "so"),
    ("ノ", "no"),
    ("ホ", "ho"),
    ("メ", "me"),
    ("ネ", "ne"),
    ("ル", "ru"),
];
/// (kanji, romaji)
const JP_KANJI: [(&str, &str); 24] = [
    ("山田", "yamada"),
    ("中央", "chuo"),
    ("東邦", "toho"),
    ("日本", "nippon"),
    ("大和", "yamato"),
    ("三和", "sanwa"),
    ("富士", "fuji"),
    ("北陸", "hokuriku"),
    ("東洋", "toyo"),
    ("関西", "kansai"),
    ("平和", "heiwa"),
    ("共栄", "kyoei"),
    ("丸山", "maruyama"),
    ("高橋", "takahashi"),
    ("田中", "tanaka"),
    ("鈴木", "suzuki"),
    ("佐藤", "sato"),
    ("伊藤", "ito"),
    ("渡辺", "watanabe"),
    ("中村", "nakamura"),
    ("小林", "kobayashi"),
    ("加藤", "kato"),
    ("松本", "matsumoto"),
    ("青木", "aoki"),
];
const JP_BIZ: [(&str, &str); 16] = [
    ("商事", "shoji"),
    ("工業", "kogyo"),
    ("製作所", "seisakusho"),
    ("物産", "bussan"),
    ("建設", "kensetsu"),
    ("電機", "denki"),
    ("運輸", "unyu"),
    ("食品", "foods"),
    ("産業", "sangyo"),
    ("技研", "giken"),
    ("精工", "seiko"),
    ("化学", "kagaku"),
    ("印刷", "insatsu"),
    ("不動産", "fudosan"),
    ("システム", "system"),
    ("ホールディングス", "hd"),
];
/// (long, short variants)
const JP_FORMS: [(&str, &[&str]); 3] = [
    ("株式会社", &["(株)", "㈱", "（株）"]),
    ("有限会社", &["(有)", "㈲"]),
    ("合同会社", &["合同会社"]),
];
const JP_TOWNS: [&str; 8] = [
    "丸の内",
    "大手町",
    "本町",
    "栄",
    "中央",
    "天神",
    "北町",
    "南町",
];

const EN_SYL: [&str; 40] = [
    "nor", "vex", "bri", "well", "ta", "lon", "mar", "quest", "zen", "ith", "cor", "da", "lex",
    "ion", "sol", "ara", "vi", "pra", "xis", "ver", "dant", "kel", "ton", "ash", "ford", "bel",
    "mont", "ri", "stone", "gate", "sun", "field", "oak", "wood", "pine", "crest", "har", "bor",
    "lin", "den",
];
const EN_BIZ: [&str; 14] = [
    "Logistics",
    "Holdings",
    "Systems",
    "Foods",
    "Partners",
    "Technologies",
    "Supply",
    "Consulting",
    "Manufacturing",
    "Energy",
    "Labs",
    "Group",
    "Industries",
    "Services",
];
const EN_FORMS: [&[&str]; 4] = [
    &["Inc", "Inc.", "Incorporated", "INC."],
    &["LLC", "L.L.C.", "LLC"],
    &["Ltd", "Ltd.", "Limited"],
    &["Corp", "Corp.", "Corporation"],
];
/// (short, long)
const EN_STREETS: [(&str, &str); 10] = [
    ("Main St", "Main Street"),
    ("Oak Ave", "Oak Avenue"),
    ("Lake St", "Lake Street"),
    ("Washington Blvd", "Washington Boulevard"),
    ("Market St", "Market Street"),
    ("2nd Ave", "Second Avenue"),
    ("Elm St", "Elm Street"),
    ("Park Ave", "Park Avenue"),
    ("Cedar Rd", "Cedar Road"),
    ("Hill Dr", "Hill Drive"),
];
const RU_FREE: [&str; 4] = ["mail.ru", "yandex.ru", "gmail.com", "bk.ru"];
const JP_FREE: [&str; 3] = ["yahoo.co.jp", "gmail.com", "outlook.jp"];
const EN_FREE: [&str; 3] = ["gmail.com", "yahoo.com", "outlook.com"];
const BOXES: [&str; 6] = ["info", "sales", "office", "contact", "buh", "zakaz"];

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// A user's transliteration of Russian (two schemes, as people mix them).
fn ru_latin(s: &str, alt: bool) -> String {
    let mut out = String::new();
    for ch in s.chars() {
        let lower = ch.to_lowercase().next().unwrap_or(ch);
        let t: &str = match lower {
            'а' => "a",
            'б' => "b",
            'в' => "v",
            'г' => "g",
            'д' => "d",
            'е' | 'ё' => "e",
            'ж' => "zh",
            'з' => "z",
            'и' => "i",
            'й' => {
                if alt {
                    "i"
                } else {
                    "y"
                }
            }
            'к' => "k",
            'л' => "l",
            'м' => "m",
            'н' => "n",
            'о' => "o",
            'п' => "p",
            'р' => "r",
            'с' => "s",
            'т' => "t",
            'у' => "u",
            'ф' => "f",
            'х' => {
                if alt {
                    "h"
                } else {
                    "kh"
                }
            }
            'ц' => "ts",
            'ч' => "ch",
            'ш' => "sh",
            'щ' => "shch",
            'ъ' | 'ь' => "",
            'ы' => "y",
            'э' => "e",
            'ю' => {
                if alt {
                    "iu"
                } else {
                    "yu"
                }
            }
            'я' => {
                if alt {
                    "ia"
                } else {
                    "ya"
                }
            }
            _ => {
                out.push(ch);
                continue;
            }
        };
        if ch != lower {
            out.push_str(&capitalize(t));
        } else {
            out.push_str(t);
        }
    }
    out
}

fn weighted(digits: &[u8], w: &[u32]) -> u32 {
    digits.iter().zip(w).map(|(&d, &w)| d as u32 * w).sum()
}

fn inn10(rng: &mut Rng) -> String {
    let mut d: Vec<u8> = (0..9).map(|_| rng.below(10) as u8).collect();
    d[0] = rng.range(1, 9) as u8;
    d.push((weighted(&d, &[2, 4, 10, 3, 5, 9, 4, 6, 8]) % 11 % 10) as u8);
    d.iter().map(|x| (b'0' + x) as char).collect()
}

fn jp_corporate(rng: &mut Rng) -> String {
    let body: Vec<u8> = (0..12).map(|_| rng.below(10) as u8).collect();
    let sum: u32 = body
        .iter()
        .rev()
        .enumerate()
        .map(|(n, &d)| d as u32 * if n % 2 == 0 { 1 } else { 2 })
        .sum();
    let check = 9 - sum % 9;
    std::iter::once(check as u8)
        .chain(body)
        .map(|x| (b'0' + x) as char)
        .collect()
}

fn ein(rng: &mut Rng) -> String {
    const PREFIXES: [u64; 8] = [12, 20, 36, 45, 52, 61, 84, 94];
    format!("{:02}-{:07}", rng.pick(&PREFIXES), rng.range(0, 9_999_999))
}

fn full_width(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '0'..='9' => char::from_u32(c as u32 - '0' as u32 + 0xFF10).unwrap_or(c),
            '-' => '－',
            _ => c,
        })
        .collect()
}

/// One company, as it really is.
struct Entity {
    lang: Lang,
    /// Name without legal form (RU Cyrillic, JP kana/kanji, EN Latin).
    name: String,
    /// Romanized stem for domains.
    stem: String,
    form: usize,
    /// JP: form before the name.
    prefix_form: bool,
    city: usize,
    tax: String,
    /// Local number (RU 7 digits, JP 8 / 7 digits, US 7 digits).
    phone: String,
    domain: String,
    free_mail: bool,
    /// Whether the domain is also the company's web site.
    own_site: bool,
    mailbox: String,
    street: usize,
    house: u32,
    office: u32,
    postal: String,
}

fn ru_word(rng: &mut Rng) -> String {
    let n = if rng.chance(0.8) { 3 } else { 2 };
    let w: String = (0..n).map(|_| *rng.pick(&RU_SYL)).collect();
    capitalize(&w)
}

fn base_name(rng: &mut Rng, lang: Lang) -> (String, String) {
    match lang {
        Lang::Ru => {
            let w = ru_word(rng);
            let name = if rng.chance(0.6) {
                format!("{w} {}", rng.pick(&RU_BIZ))
            } else if rng.chance(0.3) {
                format!("{w} {}", ru_word(rng))
            } else {
                w
            };
            let stem = ru_latin(name.split(' ').next().unwrap_or(""), false).to_lowercase();
            (name, stem)
        }
        Lang::Jp => {
            let (biz, biz_r) = *rng.pick(&JP_BIZ);
            if rng.chance(0.5) {
                let n = rng.range(2, 4) as usize;
                let (mut kana, mut roma) = (String::new(), String::new());
                for _ in 0..n {
                    let (k, r) = *rng.pick(&JP_SYL);
                    kana.push_str(k);
                    roma.push_str(r);
                }
                (format!("{kana}{biz}"), format!("{roma}-{biz_r}"))
            } else {
                let (a, ar) = *rng.pick(&JP_KANJI);
                let (k1, r1) = *rng.pick(&JP_SYL);
                let (k2, r2) = *rng.pick(&JP_SYL);
                (format!("{a}{k1}{k2}{biz}"), format!("{ar}{r1}{r2}-{biz_r}"))
            }
        }
        Lang::En => {
            let n = rng.range(2, 3) as usize;
            let w: String = (0..n).map(|_| *rng.pick(&EN_SYL)).collect();
            let w = capitalize(&w);
            let stem = w.to_lowercase();
            if rng.chance(0.7) {
                (format!("{w} {}", rng.pick(&EN_BIZ)), stem)
            } else {
                (w, stem)
            }
        }
    }
}

fn local_phone(rng: &mut Rng, lang: Lang, city: usize) -> String {
    match lang {
        Lang::Ru => format!("{}", rng.range(2_000_000, 9_999_999)),
        Lang::Jp => {
            let area = JP_CITIES[city].area;
            let len = 10 - 1 - area.len();
            let lo = 10u64.pow(len as u32 - 1) * 2;
            format!("{}", rng.range(lo, 10u64.pow(len as u32) - 1))
        }
        Lang::En => format!(
            "{}{:04}",
            rng.range(201, 989).to_string().replace("555", "556"),
            rng.range(0, 9999)
        ),
    }
}

fn postal(rng: &mut Rng, lang: Lang, city: usize) -> String {
    match lang {
        Lang::Ru => {
            let p = RU_CITIES[city].postal;
            let rest = 6 - p.len();
            format!(
                "{p}{:0w$}",
                rng.range(0, 10u64.pow(rest as u32) - 1),
                w = rest
            )
        }
        Lang::Jp => format!("{}{:04}", JP_CITIES[city].postal, rng.range(1, 9999)),
        Lang::En => format!("{}{:02}", US_CITIES[city].postal, rng.range(1, 99)),
    }
}

fn new_entity(rng: &mut Rng, lang: Lang) -> Entity {
    let (name, stem) = base_name(rng, lang);
    let ncities = match lang {
        Lang::Ru => RU_CITIES.len(),
        Lang::Jp => JP_CITIES.len(),
        Lang::En => US_CITIES.len(),
    };
    let city = rng.below(ncities);
    let mut e = Entity {
        lang,
        name,
        stem,
        form: 0,
        prefix_form: true,
        city,
        tax: String::new(),
        phone: String::new(),
        domain: String::new(),
        free_mail: rng.chance(0.15),
        own_site: true,
        mailbox: String::new(),
        street: 0,
        house: 0,
        office: 0,
        postal: String::new(),
    };
    e.form = match lang {
        Lang::Ru => [0, 0, 0, 0, 0, 0, 1, 1, 2, 3][rng.below(10)],
        Lang::Jp => [0, 0, 0, 0, 0, 0, 0, 0, 1, 2][rng.below(10)],
        Lang::En => rng.below(EN_FORMS.len()),
    };
    e.prefix_form = rng.chance(0.5);
    relocate(rng, &mut e, city);
    e
}

/// Give the entity its own tax ID, phone, domain and address in `city`.
fn relocate(rng: &mut Rng, e: &mut Entity, city: usize) {
    e.city = city;
    e.tax = match e.lang {
        Lang::Ru => inn10(rng),
        Lang::Jp => jp_corporate(rng),
        Lang::En => ein(rng),
    };
    e.phone = local_phone(rng, e.lang, city);
    let tld = match e.lang {
        Lang::Ru => "ru",
        Lang::Jp => "co.jp",
        Lang::En => "com",
    };
    e.domain = if e.free_mail {
        match e.lang {
            Lang::Ru => rng.pick(&RU_FREE),
            Lang::Jp => rng.pick(&JP_FREE),
            Lang::En => rng.pick(&EN_FREE),
        }
        .to_string()
    } else if rng.chance(0.3) {
        format!("{}{}.{tld}", e.stem, rng.range(1, 99))
    } else {
        format!("{}.{tld}", e.stem)
    };
    e.mailbox = if e.free_mail {
        format!("{}{}", e.stem, rng.range(1, 999))
    } else {
        rng.pick(&BOXES).to_string()
    };
    e.street = rng.below(15);
    e.house = rng.range(1, 250) as u32;
    e.office = if rng.chance(0.5) {
        rng.range(1, 900) as u32
    } else {
        0
    };
    e.postal = postal(rng, e.lang, city);
}

/// A typo: a letter dropped, doubled, swapped with the next or replaced.
fn typo(rng: &mut Rng, s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let letters: Vec<usize> = (0..chars.len())
        .filter(|&i| chars[i].is_alphabetic())
        .collect();
    if letters.len() < 5 {
        return s.to_string();
    }
    // Not the first letter: people get those right.
    let i = letters[1 + rng.below(letters.len() - 1)];
    let mut c = chars.clone();
    match rng.below(4) {
        0 => {
            c.remove(i);
        }
        1 => c.insert(i, chars[i]),
        2 if i + 1 < c.len() && c[i + 1].is_alphabetic() => c.swap(i, i + 1),
        _ => {
            let j = letters[rng.below(letters.len())];
            c[i] = chars[j];
        }
    }
    c.into_iter().collect()
}

fn card_name(rng: &mut Rng, e: &Entity) -> String {
    let mut name = e.name.clone();
    if rng.chance(0.08) {
        name = typo(rng, &name);
    }
    match e.lang {
        Lang::Ru => {
            if rng.chance(0.2) {
                name = name.replacen(' ', "-", 1);
            }
            let (short, long) = RU_FORMS[e.form];
            if rng.chance(0.15) {
                // Written in Latin letters: OOO Romashka.
                let alt = rng.chance(0.5);
                let lat = ru_latin(&name, alt);
                let form = ru_latin(short, false).to_uppercase();
                return match rng.below(3) {
                    0 => format!("{form} {lat}"),
                    1 => format!("{form} \"{lat}\""),
                    _ => format!("{lat} {form}"),
                };
            }
            let quoted = match rng.below(4) {
                0 => format!("«{name}»"),
                1 => format!("\"{name}\""),
                2 => name.clone(),
                _ => format!("'{name}'"),
            };
            let s = match rng.below(10) {
                0..=5 => format!("{short} {quoted}"),
                6..=7 => format!("{long} {quoted}"),
                8 => format!("{quoted} {short}"),
                _ => quoted,
            };
            match rng.below(12) {
                0 => s.to_uppercase(),
                1 => s.to_lowercase(),
                _ => s,
            }
        }
        Lang::Jp => {
            let (long, shorts) = JP_FORMS[e.form];
            let form = if rng.chance(0.6) {
                long
            } else {
                rng.pick(shorts)
            };
            let sep = if rng.chance(0.2) { " " } else { "" };
            match rng.below(10) {
                0 => name,
                _ if e.prefix_form => format!("{form}{sep}{name}"),
                _ => format!("{name}{sep}{form}"),
            }
        }
        Lang::En => {
            let forms = EN_FORMS[e.form];
            let form = rng.pick(forms);
            let comma = if rng.chance(0.4) { "," } else { "" };
            let s = match rng.below(10) {
                0 => name,
                1 => format!("The {name} {form}"),
                _ => format!("{name}{comma} {form}"),
            };
            match rng.below(10) {
                0 => s.to_uppercase(),
                1 => s.to_lowercase(),
                _ => s,
            }
        }
    }
}

fn card_phone(rng: &mut Rng, e: &Entity) -> String {
    let p = &e.phone;
    match e.lang {
        Lang::Ru => {
            let a = RU_CITIES[e.city].area;
            let (x, y, z) = (&p[..3], &p[3..5], &p[5..]);
            match rng.below(6) {
                0 => format!("8 ({a}) {x}-{y}-{z}"),
                1 => format!("+7 {a} {p}"),
                2 => format!("+7 ({a}) {x}-{y}-{z}"),
                3 => format!("8{a}{p}"),
                4 => format!("8-{a}-{x}-{y}-{z} доб. {}", rng.range(100, 999)),
                _ => format!("7{a}{p}"),
            }
        }
        Lang::Jp => {
            let a = JP_CITIES[e.city].area;
            let split = p.len() - 4;
            let (x, y) = (&p[..split], &p[split..]);
            match rng.below(5) {
                0 => format!("0{a}-{x}-{y}"),
                1 => full_width(&format!("0{a}-{x}-{y}")),
                2 => format!("+81 {a} {x} {y}"),
                3 => format!("0{a}{p}"),
                _ => format!("(0{a}) {x}-{y}"),
            }
        }
        Lang::En => {
            let a = US_CITIES[e.city].area;
            let (x, y) = (&p[..3], &p[3..]);
            match rng.below(5) {
                0 => format!("({a}) {x}-{y}"),
                1 => format!("+1 {a} {x} {y}"),
                2 => format!("{a}-{x}-{y}"),
                3 => format!("{a}.{x}.{y}"),
                _ => format!("+1 ({a}) {x}-{y}"),
            }
        }
    }
}

fn card_email(rng: &mut Rng, e: &Entity) -> String {
    let mailbox = if !e.free_mail && rng.chance(0.3) {
        rng.pick(&BOXES).to_string()
    } else {
        e.mailbox.clone()
    };
    let s = format!("{mailbox}@{}", e.domain);
    match rng.below(8) {
        0 => s.to_uppercase(),
        1 => format!("{}@{}", capitalize(&mailbox), capitalize(&e.domain)),
        2 => format!(" {s} "),
        _ => s,
    }
}

fn card_website(rng: &mut Rng, e: &Entity) -> String {
    match rng.below(4) {
        0 => format!("www.{}", e.domain),
        1 => format!("https://{}/", e.domain),
        2 => format!("http://www.{}", e.domain.to_uppercase()),
        _ => e.domain.clone(),
    }
}

fn card_address(rng: &mut Rng, e: &Entity) -> String {
    let h = e.house;
    let o = e.office;
    let s = match e.lang {
        Lang::Ru => {
            let c = &RU_CITIES[e.city];
            let street = RU_STREETS[e.street];
            let city = if rng.chance(0.5) { c.alt } else { c.name };
            let office = if o > 0 {
                match rng.below(3) {
                    0 => format!(", оф. {o}"),
                    1 => format!(", офис {o}"),
                    _ => String::new(),
                }
            } else {
                String::new()
            };
            match rng.below(4) {
                0 => format!("{city}, ул. {street}, д. {h}{office}"),
                1 => format!("{}, {city}, улица {street}, {h}{office}", e.postal),
                2 => format!("{city}, ул {street} д{h}{office}"),
                _ => format!("ул. {street}, д. {h}{office}"),
            }
        }
        Lang::Jp => {
            let c = &JP_CITIES[e.city];
            let town = JP_TOWNS[e.street % JP_TOWNS.len()];
            let (a, b, d) = (1 + e.street / 4, 1 + (h % 30), 1 + (h / 30));
            match rng.below(4) {
                0 => format!("{}{town}{a}-{b}-{d}", c.prefix),
                1 => format!("{}{town}{a}丁目{b}番{d}号", c.prefix),
                2 => full_width(&format!("{}{town}{a}-{b}-{d}", c.prefix)),
                _ => format!("〒{} {}{town}{a}-{b}-{d}", e.postal, c.prefix),
            }
        }
        Lang::En => {
            let (short, long) = EN_STREETS[e.street % EN_STREETS.len()];
            let street = if rng.chance(0.5) { short } else { long };
            let suite = if o > 0 {
                match rng.below(3) {
                    0 => format!(" Suite {o}"),
                    1 => format!(", Ste {o}"),
                    _ => format!(" #{o}"),
                }
            } else {
                String::new()
            };
            format!("{} {street}{suite}", h * 10 + 1)
        }
    };
    if rng.chance(0.04) { typo(rng, &s) } else { s }
}

fn card_city(rng: &mut Rng, e: &Entity) -> String {
    let c = match e.lang {
        Lang::Ru => &RU_CITIES[e.city],
        Lang::Jp => &JP_CITIES[e.city],
        Lang::En => &US_CITIES[e.city],
    };
    match rng.below(4) {
        0 => c.alt.to_string(),
        1 if e.lang == Lang::En => format!("{}, {}", c.name, c.state),
        _ => c.name.to_string(),
    }
}

fn card_postal(rng: &mut Rng, e: &Entity) -> String {
    match e.lang {
        Lang::Jp => {
            let p = format!("{}-{}", &e.postal[..3], &e.postal[3..]);
            match rng.below(3) {
                0 => p,
                1 => format!("〒{p}"),
                _ => e.postal.clone(),
            }
        }
        _ => e.postal.clone(),
    }
}

fn card(rng: &mut Rng, e: &Entity) -> [String; 8] {
    let f = |p: f64, rng: &mut Rng, make: &dyn Fn(&mut Rng) -> String| {
        if rng.chance(p) {
            make(rng)
        } else {
            String::new()
        }
    };
    [
        card_name(rng, e),
        f(0.7, rng, &|r| {
            // Tax IDs written with a label or spaces now and then.
            match (e.lang, r.below(8)) {
                (Lang::Ru, 0) => format!("ИНН {}", e.tax),
                (Lang::Jp, 0) => format!("法人番号 {}", e.tax),
                (_, 1) => format!(" {} ", e.tax),
                _ => e.tax.clone(),
            }
        }),
        f(0.8, rng, &|r| card_phone(r, e)),
        f(0.7, rng, &|r| card_email(r, e)),
        f(
            if e.free_mail || !e.own_site { 0.0 } else { 0.5 },
            rng,
            &|r| card_website(r, e),
        ),
        f(0.8, rng, &|r| card_address(r, e)),
        f(0.85, rng, &|r| card_city(r, e)),
        f(0.6, rng, &|r| card_postal(r, e)),
    ]
}

/// Cards of one entity: 1 (55%), 2 (25%), 3 (12%), 4 (5%), 5–8 (3%).
fn copies(rng: &mut Rng) -> usize {
    match rng.below(100) {
        0..=54 => 1,
        55..=79 => 2,
        80..=91 => 3,
        92..=96 => 4,
        _ => rng.range(5, 8) as usize,
    }
}

/// `n` cards: (truth, [name, tax_id, phone, email, website, address, city, postal_code]).
pub fn generate(n: usize, seed: u64) -> Vec<(String, [String; 8])> {
    let mut rng = Rng(seed.wrapping_mul(0x2545_F491_4F6C_DD1D) ^ 0x5EED);
    let mut cards: Vec<(String, [String; 8])> = Vec::with_capacity(n + 8);
    let mut entity = 0usize;
    // Distinct companies have distinct names (namesakes below are made on
    // purpose) and never the same domain or free-mail address by accident.
    let mut names: HashSet<String> = HashSet::new();
    let mut addresses: HashSet<String> = HashSet::new();
    let mut claim = |rng: &mut Rng, e: &mut Entity| {
        while !addresses.insert(format!("{}@{}", e.mailbox, e.domain)) {
            if e.free_mail {
                e.mailbox = format!("{}{}", e.stem, rng.range(1, 9999));
            } else {
                e.domain = e.domain.replacen('.', &format!("{}.", rng.range(1, 99)), 1);
            }
        }
        if !e.free_mail {
            // The domain itself, for the other mailboxes.
            addresses.insert(format!("@{}", e.domain));
        }
    };
    let mut emit = |rng: &mut Rng, e: &Entity, cards: &mut Vec<(String, [String; 8])>| {
        entity += 1;
        let truth = format!("E{entity}");
        for _ in 0..copies(rng) {
            cards.push((truth.clone(), card(rng, e)));
        }
    };
    while cards.len() < n {
        let lang = match rng.below(10) {
            0..=3 => Lang::Ru,
            4..=6 => Lang::Jp,
            _ => Lang::En,
        };
        let mut e = new_entity(&mut rng, lang);
        for _ in 0..50 {
            if names.insert(e.name.clone()) {
                break;
            }
            e = new_entity(&mut rng, lang);
        }
        claim(&mut rng, &mut e);
        emit(&mut rng, &e, &mut cards);
        // Namesake: the same name and form elsewhere, another company.
        if rng.chance(0.06) {
            let mut other = Entity { ..clone_entity(&e) };
            let ncities = match lang {
                Lang::Ru => RU_CITIES.len(),
                Lang::Jp => JP_CITIES.len(),
                Lang::En => US_CITIES.len(),
            };
            let c = (e.city + 1 + rng.below(ncities - 1)) % ncities;
            other.free_mail = rng.chance(0.4);
            other.stem = format!("{}-{}", e.stem, c + 1);
            relocate(&mut rng, &mut other, c);
            claim(&mut rng, &mut other);
            emit(&mut rng, &other, &mut cards);
        }
        // Sister company: a related name, the same switchboard or mail
        // domain (and often address), its own tax ID.
        if rng.chance(0.06) {
            let mut sis = clone_entity(&e);
            sis.stem = format!("{}{}", e.stem, rng.pick(&["trade", "group", "pro", "hold"]));
            relocate(&mut rng, &mut sis, e.city);
            claim(&mut rng, &mut sis);
            sis.name = match lang {
                Lang::Ru => {
                    let first = e.name.split(' ').next().unwrap_or("");
                    let mut biz = *rng.pick(&RU_BIZ);
                    if e.name.ends_with(biz) {
                        biz = "Холдинг";
                    }
                    format!("{first} {biz}")
                }
                Lang::Jp => {
                    let (biz, _) = *rng.pick(&JP_BIZ);
                    let stem = JP_BIZ
                        .iter()
                        .find_map(|(b, _)| e.name.strip_suffix(b))
                        .unwrap_or(&e.name);
                    if e.name.ends_with(biz) {
                        format!("{stem}ホールディングス")
                    } else {
                        format!("{stem}{biz}")
                    }
                }
                Lang::En => {
                    let first = e.name.split(' ').next().unwrap_or("");
                    let mut biz = *rng.pick(&EN_BIZ);
                    if e.name.ends_with(biz) {
                        biz = "Capital";
                    }
                    format!("{first} {biz}")
                }
            };
            if rng.chance(0.5) {
                sis.phone = e.phone.clone();
            } else {
                // The group's mail domain (its web site is the parent's).
                sis.domain = e.domain.clone();
                sis.free_mail = e.free_mail;
                sis.own_site = false;
            }
            if rng.chance(0.6) {
                sis.street = e.street;
                sis.house = e.house;
                sis.postal = e.postal.clone();
            }
            emit(&mut rng, &sis, &mut cards);
        }
    }
    cards.truncate(n);
    // Cards of one entity are scattered through the file.
    for i in (1..cards.len()).rev() {
        let j = rng.below(i + 1);
        cards.swap(i, j);
    }
    cards
}

fn clone_entity(e: &Entity) -> Entity {
    Entity {
        lang: e.lang,
        name: e.name.clone(),
        stem: e.stem.clone(),
        form: e.form,
        prefix_form: e.prefix_form,
        city: e.city,
        tax: e.tax.clone(),
        phone: e.phone.clone(),
        domain: e.domain.clone(),
        free_mail: e.free_mail,
        own_site: e.own_site,
        mailbox: e.mailbox.clone(),
        street: e.street,
        house: e.house,
        office: e.office,
        postal: e.postal.clone(),
    }
}

fn write_csv(path: &std::path::Path, cards: &[(String, [String; 8])]) -> std::io::Result<()> {
    let mut w = csv::Writer::from_path(path)?;
    w.write_record([
        "id",
        "truth",
        "name",
        "tax_id",
        "phone",
        "email",
        "website",
        "address",
        "city",
        "postal_code",
    ])?;
    for (i, (truth, f)) in cards.iter().enumerate() {
        let id = format!("C{:07}", i + 1);
        w.write_record(
            [id.as_str(), truth.as_str()]
                .into_iter()
                .chain(f.iter().map(String::as_str)),
        )?;
    }
    w.flush()
}

fn main() {
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    let rows: usize = env("GOLIVE_BENCH_ROWS")
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(100_000);
    let seed: u64 = env("GOLIVE_BENCH_SEED")
        .and_then(|v| v.parse().ok())
        .unwrap_or(1);
    let path = env("GOLIVE_BENCH_CSV")
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join(format!("golive-dedupe-{rows}.csv")));

    let t = Instant::now();
    let cards = generate(rows, seed);
    write_csv(&path, &cards).expect("write the bench CSV");
    drop(cards);
    println!(
        "generated {rows} cards → {} in {:.1} s",
        path.display(),
        t.elapsed().as_secs_f64()
    );
    if env("GOLIVE_BENCH_GEN_ONLY").is_some() {
        return;
    }
    let out = std::env::temp_dir().join(format!("golive-dedupe-{rows}-out"));
    let args = DedupeArgs {
        inputs: vec![path],
        id: "id".into(),
        kind: DedupeKind::Organization,
        maps: Vec::new(),
        region: "RU".into(),
        out: out.clone(),
        truth: Some("truth".into()),
        explain: Vec::new(),
        params: None,
        save_params: None,
        labels: None,
    };
    let t = Instant::now();
    dedupe::run(&args, golive::progress::Silent, false).expect("golive dedupe");
    println!(
        "dedupe of {rows} cards: {:.2} s wall (→ {})",
        t.elapsed().as_secs_f64(),
        out.display()
    );
}
