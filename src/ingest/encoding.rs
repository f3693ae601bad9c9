//! Text encodings: detection and the labels users type.
//!
//! Detection, first rule that applies: a BOM; BOM-less UTF-16 (zeros in every
//! other byte); valid UTF-8; UTF-8 with a few invalid bytes (at least three
//! valid multi-byte characters per invalid sequence: a legacy encoding almost
//! never forms valid sequences by chance), read as UTF-8 with those cells
//! flagged; else the legacy candidates Windows-1252 (Latin-1), CP932,
//! Windows-1251, KOI8-R and CP866 each decode the sample and the decoded text
//! is scored for plausibility ([`plausibility`]): letters of one script per
//! word, the case pattern of Cyrillic words, Russian letter frequencies,
//! kana/kanji in runs rather than one kanji between Latin letters (`Cr馘ito` is
//! Windows-1252 read as CP932), no undecodable bytes, controls, box drawing or
//! private-use characters. The best wins; the runner-up is reported, and a
//! small margin is a low-confidence warning.

use encoding_rs::{
    Encoding, IBM866, KOI8_R, SHIFT_JIS, UTF_8, UTF_16BE, UTF_16LE, WINDOWS_1251, WINDOWS_1252,
};

/// How the encoding was decided, for `inspect`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Evidence {
    Bom,
    ValidUtf8,
    /// UTF-8 but for a few invalid byte sequences (those cells are flagged).
    MostlyUtf8,
    ZeroBytePattern,
    ByteStatistics,
    UserChoice,
}

impl Evidence {
    pub fn as_str(self) -> &'static str {
        match self {
            Evidence::Bom => "bom",
            Evidence::ValidUtf8 => "valid utf-8",
            Evidence::MostlyUtf8 => "utf-8 with invalid bytes",
            Evidence::ZeroBytePattern => "zero-byte pattern",
            Evidence::ByteStatistics => "byte statistics",
            Evidence::UserChoice => "--encoding",
        }
    }
}

/// What detection found.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Detection {
    pub encoding: &'static Encoding,
    pub evidence: Evidence,
    /// The second most plausible legacy encoding (byte statistics only).
    pub runner_up: Option<&'static Encoding>,
    /// Byte statistics only: the winner was not clearly more plausible.
    pub low_confidence: bool,
    /// Invalid UTF-8 sequences in the sample (`MostlyUtf8`).
    pub invalid_sequences: usize,
}

impl Detection {
    fn certain(encoding: &'static Encoding, evidence: Evidence) -> Self {
        Detection {
            encoding,
            evidence,
            runner_up: None,
            low_confidence: false,
            invalid_sequences: 0,
        }
    }
}

/// Legacy candidates, in tie-break order.
const LEGACY: [&Encoding; 5] = [WINDOWS_1251, SHIFT_JIS, WINDOWS_1252, KOI8_R, IBM866];

/// Plausibility per high byte the winner must reach, and its margin over the
/// runner-up, for a confident choice.
const MIN_SCORE: f64 = 0.5;
const MIN_MARGIN: f64 = 0.5;
/// With fewer non-ASCII bytes than this, a wider margin is needed.
const FEW_HIGH_BYTES: usize = 4;
const SMALL_SAMPLE_MARGIN: f64 = 2.0;

/// Detect the encoding of a text file from its first bytes.
pub fn detect(bytes: &[u8]) -> (&'static Encoding, Evidence) {
    let d = detect_full(bytes);
    (d.encoding, d.evidence)
}

/// [`detect`] with the runner-up and the confidence.
pub fn detect_full(bytes: &[u8]) -> Detection {
    if let Some((enc, _)) = Encoding::for_bom(bytes) {
        return Detection::certain(enc, Evidence::Bom);
    }
    let sample = &bytes[..bytes.len().min(1 << 20)];
    if let Some(enc) = utf16_without_bom(sample) {
        return Detection::certain(enc, Evidence::ZeroBytePattern);
    }
    let (valid, invalid) = utf8_counts(sample, sample.len() < bytes.len());
    if invalid == 0 {
        return Detection::certain(UTF_8, Evidence::ValidUtf8);
    }
    if valid >= 3 * invalid {
        return Detection {
            invalid_sequences: invalid,
            ..Detection::certain(UTF_8, Evidence::MostlyUtf8)
        };
    }
    legacy(sample)
}

/// Valid non-ASCII characters and invalid sequences; a sample cut at an
/// arbitrary byte may end inside a sequence, which is not counted.
fn utf8_counts(sample: &[u8], truncated: bool) -> (usize, usize) {
    let (mut valid, mut invalid) = (0, 0);
    let mut chunks = sample.utf8_chunks().peekable();
    while let Some(chunk) = chunks.next() {
        valid += chunk.valid().chars().filter(|c| !c.is_ascii()).count();
        let last = chunks.peek().is_none();
        if !(chunk.invalid().is_empty() || (last && truncated)) {
            invalid += 1;
        }
    }
    (valid, invalid)
}

/// The most plausible legacy decoding of `sample`.
fn legacy(sample: &[u8]) -> Detection {
    // A quarter megabyte reads like the whole file, at a fraction of five decodes.
    let sample = &sample[..sample.len().min(1 << 18)];
    let high_bytes = sample.iter().filter(|&&b| b >= 0x80).count();
    let high = high_bytes.max(1) as f64;
    let mut scored: Vec<(f64, usize)> = LEGACY
        .iter()
        .enumerate()
        .map(|(i, enc)| {
            let (text, _) = enc.decode_without_bom_handling(sample);
            (plausibility(&text) / high, i)
        })
        .collect();
    // Highest score first; equal scores keep the tie-break order.
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let (best, runner) = (scored[0], scored[1]);
    let margin = if high_bytes < FEW_HIGH_BYTES {
        SMALL_SAMPLE_MARGIN
    } else {
        MIN_MARGIN
    };
    Detection {
        encoding: LEGACY[best.1],
        evidence: Evidence::ByteStatistics,
        runner_up: Some(LEGACY[runner.1]),
        low_confidence: best.0 < MIN_SCORE || best.0 - runner.0 < margin,
        invalid_sequences: 0,
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Class {
    Ascii,
    /// Latin letters beyond ASCII (é, ß, ñ).
    Latin,
    Cyrillic,
    /// Kana and kanji.
    Cjk,
    HalfKana,
    Other,
}

fn class(c: char) -> Class {
    match c {
        'a'..='z' | 'A'..='Z' => Class::Ascii,
        '\u{C0}'..='\u{24F}' => Class::Latin,
        '\u{400}'..='\u{4FF}' => Class::Cyrillic,
        '\u{3040}'..='\u{30FF}'
        | '\u{3400}'..='\u{4DBF}'
        | '\u{4E00}'..='\u{9FFF}'
        | '\u{F900}'..='\u{FAFF}' => Class::Cjk,
        '\u{FF66}'..='\u{FF9F}' => Class::HalfKana,
        _ => Class::Other,
    }
}

/// Russian letters with their frequency in running text (%), most frequent first.
const RU_FREQUENCY: [(char, f64); 33] = [
    ('о', 10.97),
    ('е', 8.45),
    ('а', 8.01),
    ('и', 7.35),
    ('н', 6.70),
    ('т', 6.26),
    ('с', 5.47),
    ('р', 4.73),
    ('в', 4.54),
    ('л', 4.40),
    ('к', 3.49),
    ('м', 3.21),
    ('д', 2.98),
    ('п', 2.81),
    ('у', 2.62),
    ('я', 2.01),
    ('ы', 1.90),
    ('ь', 1.74),
    ('г', 1.70),
    ('з', 1.65),
    ('б', 1.59),
    ('ч', 1.44),
    ('й', 1.21),
    ('х', 0.97),
    ('ж', 0.94),
    ('ш', 0.73),
    ('ю', 0.64),
    ('ц', 0.48),
    ('щ', 0.36),
    ('э', 0.32),
    ('ф', 0.26),
    ('ъ', 0.04),
    // Rare in print (written е) but common enough in names.
    ('ё', 0.4),
];

/// Twice the log of the letter's frequency against an average letter's: an
/// all-capitals CP1251 list read as KOI8-R (same letters, permuted) scores
/// near zero, the right reading well above.
fn cyrillic_letter_score(c: char) -> f64 {
    let lower = c.to_lowercase().next().unwrap_or(c);
    match RU_FREQUENCY.iter().find(|(r, _)| *r == lower) {
        Some((_, f)) => (2.0 * (f / 2.5).ln()).max(-3.0),
        // Ukrainian and Belarusian letters are fine; Serbian/Macedonian ones in
        // a Russian-looking word are what CP866 bytes read as CP1251 give.
        None if matches!(lower, 'і' | 'ї' | 'є' | 'ґ' | 'ў') => 0.0,
        None => -2.0,
    }
}

/// Score of a decoded sample: positive for text that reads like a language,
/// negative for mojibake; summed over non-ASCII characters (see the module docs).
pub fn plausibility(text: &str) -> f64 {
    let mut score = 0.0;
    let mut word: Vec<char> = Vec::with_capacity(32);
    for c in text.chars().chain(std::iter::once(' ')) {
        if c.is_alphabetic() {
            word.push(c);
            continue;
        }
        if !word.is_empty() {
            score += word_score(&word);
            word.clear();
        }
        if !c.is_ascii() {
            score += symbol_score(c);
        } else if c.is_ascii_control() && !matches!(c, '\n' | '\r' | '\t') {
            score -= 8.0;
        }
    }
    score
}

fn symbol_score(c: char) -> f64 {
    match c {
        '\u{FFFD}' | '\u{80}'..='\u{9F}' => -8.0,
        '\u{E000}'..='\u{F8FF}' => -6.0,
        '\u{2500}'..='\u{25FF}' => -4.0,
        // Punctuation real data has: quotes, dashes, №, NBSP, currency, ©®™°.
        '«' | '»' | '„' | '“' | '”' | '‘' | '’' | '–' | '—' | '…' | '•' | '№' | '\u{A0}' | '€'
        | '£' | '¥' | '©' | '®' | '™' | '°' | '±' | '§' | '·' | '¿' | '¡' => 0.0,
        // CJK punctuation and full-width forms: Japanese text.
        '\u{3000}'..='\u{303F}' | '\u{FF01}'..='\u{FF60}' => 1.0,
        _ => -1.0,
    }
}

fn word_score(word: &[char]) -> f64 {
    let classes: Vec<Class> = word.iter().map(|&c| class(c)).collect();
    let has = |k: Class| classes.contains(&k);
    let non_ascii = classes.iter().filter(|&&k| k != Class::Ascii).count() as f64;
    if non_ascii == 0.0 {
        return 0.0;
    }
    let scripts = [
        Class::Latin,
        Class::Cyrillic,
        Class::Cjk,
        Class::HalfKana,
        Class::Other,
    ]
    .iter()
    .filter(|&&k| has(k))
    .count();
    if scripts > 1 || has(Class::Other) {
        return -3.0 * non_ascii;
    }
    if has(Class::Latin) {
        latin_word(word, &classes)
    } else if has(Class::Cyrillic) {
        if has(Class::Ascii) {
            return -3.0 * non_ascii;
        }
        cyrillic_word(word)
    } else if has(Class::Cjk) {
        cjk_word(&classes)
    } else if word.len() >= 2 && !has(Class::Ascii) {
        // Half-width katakana (bank and reading columns), in runs of its own.
        // Capital Cyrillic in CP1251 (0xC0–0xDF) reads as half-width ﾀ–ﾟ
        // only; real readings use the a/ka/sa rows (ｱ–ｿ, 0xA6–0xBF) too.
        if word.iter().any(|c| matches!(c, '\u{FF66}'..='\u{FF7F}')) {
            non_ascii
        } else {
            0.0
        }
    } else {
        -2.0 * non_ascii
    }
}

/// Accented letters among ASCII ones; runs of three or more, or a word of
/// accented letters only, are Cyrillic or Japanese bytes read as Latin-1.
fn latin_word(word: &[char], classes: &[Class]) -> f64 {
    let ascii = classes.iter().filter(|&&k| k == Class::Ascii).count();
    let latin = classes.len() - ascii;
    let longest_run = classes
        .chunk_by(|a, b| a == b)
        .filter(|r| r[0] == Class::Latin)
        .map(<[Class]>::len)
        .max()
        .unwrap_or(0);
    let upper_after_lower = word
        .windows(2)
        .any(|w| w[0].is_lowercase() && w[1].is_uppercase() && !w[1].is_ascii());
    if longest_run >= 3 || (ascii == 0 && latin >= 2) || upper_after_lower {
        -2.0 * latin as f64
    } else {
        1.5 * latin as f64
    }
}

/// All lower, all upper or capitalized; letters by Russian frequency.
fn cyrillic_word(word: &[char]) -> f64 {
    let upper = word.iter().filter(|c| c.is_uppercase()).count();
    let case_ok = upper == 0 || upper == word.len() || (upper == 1 && word[0].is_uppercase());
    if !case_ok {
        return -2.0 * word.len() as f64;
    }
    word.iter().map(|&c| cyrillic_letter_score(c)).sum()
}

/// Kana/kanji in runs score; one kanji between Latin letters is a Latin
/// accented letter and its neighbour read as one CP932 character.
fn cjk_word(classes: &[Class]) -> f64 {
    classes
        .chunk_by(|a, b| a == b)
        .filter(|r| r[0] == Class::Cjk)
        .map(|r| {
            if r.len() >= 2 {
                2.5 * r.len() as f64
            } else if classes.len() == 1 {
                // 株 in (株): a kanji alone is common.
                1.0
            } else {
                -3.0
            }
        })
        .sum()
}

/// Excel's "Unicode text" is UTF-16LE with a BOM, but BOM-less files exist:
/// mostly-ASCII UTF-16 has a zero in every other byte.
fn utf16_without_bom(sample: &[u8]) -> Option<&'static Encoding> {
    let n = sample.len() / 2 * 2;
    if n < 4 {
        return None;
    }
    let (mut even, mut odd) = (0usize, 0usize);
    for pair in sample[..n].chunks_exact(2) {
        even += usize::from(pair[0] == 0);
        odd += usize::from(pair[1] == 0);
    }
    let pairs = n / 2;
    if odd * 10 > pairs * 3 && even * 20 < pairs {
        Some(UTF_16LE)
    } else if even * 10 > pairs * 3 && odd * 20 < pairs {
        Some(UTF_16BE)
    } else {
        None
    }
}

/// The name `inspect` shows: `cp932` rather than WHATWG's `Shift_JIS`, since
/// that is what Windows users call it.
pub fn display_name(enc: &'static Encoding) -> &'static str {
    if enc == SHIFT_JIS {
        "cp932"
    } else if enc == WINDOWS_1251 {
        "windows-1251"
    } else if enc == WINDOWS_1252 {
        "windows-1252"
    } else if enc == IBM866 {
        "cp866"
    } else if enc == KOI8_R {
        "koi8-r"
    } else if enc == UTF_8 {
        "utf-8"
    } else if enc == UTF_16LE {
        "utf-16le"
    } else if enc == UTF_16BE {
        "utf-16be"
    } else {
        enc.name()
    }
}

/// Decode the whole file; the BOM is removed. Returns the text and whether any
/// byte could not be decoded (those become U+FFFD, and rows holding them are rejected).
pub fn decode(bytes: &[u8], enc: &'static Encoding) -> (String, bool) {
    let (text, _, had_errors) = enc.decode(bytes);
    (text.into_owned(), had_errors)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::encoding_for_label;

    #[test]
    fn labels_users_type_resolve() {
        assert_eq!(encoding_for_label("cp932"), Some(SHIFT_JIS));
        assert_eq!(encoding_for_label("Shift_JIS"), Some(SHIFT_JIS));
        assert_eq!(encoding_for_label("CP1251"), Some(WINDOWS_1251));
        assert_eq!(encoding_for_label("utf-16"), Some(UTF_16LE));
        assert_eq!(
            encoding_for_label("koi8-r").map(|e| e.name()),
            Some("KOI8-R")
        );
        assert_eq!(encoding_for_label("cp866"), Some(IBM866));
        assert_eq!(encoding_for_label("latin1"), Some(WINDOWS_1252));
        assert_eq!(encoding_for_label("no-such"), None);
    }

    #[test]
    fn detects_russian_and_japanese_legacy_encodings() {
        let ru = "Наименование;ИНН;Телефон\nООО «Ромашка»;7707083893;8 (495) 123-45-67\n";
        let (bytes, _, _) = WINDOWS_1251.encode(ru);
        assert_eq!(detect(&bytes).0, WINDOWS_1251);
        let jp = "取引先コード,名前（通称）,電話番号\n001,株式会社山田商事,03-1234-5678\n";
        let (bytes, _, _) = SHIFT_JIS.encode(jp);
        assert_eq!(detect(&bytes).0, SHIFT_JIS);
    }

    /// Real-shaped exports: a Salesforce/Zoho account list, a French and a
    /// Portuguese contact list (Windows-1252); 1C and supplier lists (Russian,
    /// saved as CP1251, KOI8-R or CP866); freee / Yayoi style lists (CP932).
    const LATIN: &[&str] = &[
        "Account Name,Billing City,Description\nBanco de Crédito del Perú,Lima,Sociedad anónima\nCafé Müller GmbH,München,Bäckerei & Konditorei\n",
        "Nom;Ville;Téléphone\nSociété Générale;Paris;01 42 14 20 00\nL'Oréal;Clichy;01 47 56 70 00\n",
        "First Name,Last Name,Mailing City\nJosé,Núñez,São Paulo\nFrançois,Lefèvre,Besançon\nZoë,Ødegård,Tromsø\n",
        "Id,Name,Type\n001,Crédito Agrícola,Customer\n002,Acme Inc,Prospect\n",
        "ACCOUNTNAME,BILLINGSTREET\nÉCOLE SAINT-JOSÉ,12 RUE DE L'ÉGLISE\n",
    ];
    const RUSSIAN: &[&str] = &[
        "Наименование;ИНН;Телефон\nООО \"Ромашка\";7707083893;8 (495) 123-45-67\n",
        "Контрагент;Адрес\nАО \"Лютик\";г. Москва, ул. Ленина, д. 1\nИП Иванов Иван Иванович;г. Тверь, пр. Мира, 2\n",
        "ФИО,Должность,Примечание\nПетрова Мария Сергеевна,главный бухгалтер,звонить после обеда\n",
        "НАИМЕНОВАНИЕ;ИНН;ГОРОД\nООО РОМАШКА;7707083893;МОСКВА\nЗАО ЛЮТИК;7702070139;САНКТ-ПЕТЕРБУРГ\n",
    ];
    const JAPANESE: &[&str] = &[
        "取引先コード,名前（通称）,電話番号\n001,株式会社山田商事,03-1234-5678\n",
        "会社名,担当者,住所\n(株)サンプル,佐藤 花子,東京都千代田区丸の内1-1-1\n",
        "顧客名,フリガナ,メモ\n山田太郎,ﾔﾏﾀﾞ ﾀﾛｳ,請求書は月末締め\n",
        "Code,Name\nA01,ABC株式会社\nA02,有限会社テスト\n",
    ];

    fn encoded(enc: &'static Encoding, text: &str) -> Vec<u8> {
        let (bytes, _, unmappable) = enc.encode(text);
        assert!(!unmappable, "{} cannot encode {text:?}", enc.name());
        bytes.into_owned()
    }

    #[test]
    fn tells_latin1_cp932_cp1251_koi8r_and_cp866_apart() {
        let cases = LATIN
            .iter()
            .map(|t| (WINDOWS_1252, *t))
            .chain(
                RUSSIAN
                    .iter()
                    .flat_map(|t| [WINDOWS_1251, KOI8_R, IBM866].map(|e| (e, *t))),
            )
            .chain(JAPANESE.iter().map(|t| (SHIFT_JIS, *t)));
        let mut failures = Vec::new();
        for (enc, text) in cases {
            let d = detect_full(&encoded(enc, text));
            if d.encoding != enc || d.low_confidence {
                failures.push(format!(
                    "{} → {} (runner-up {:?}, low confidence {}): {text:?}",
                    enc.name(),
                    d.encoding.name(),
                    d.runner_up.map(Encoding::name),
                    d.low_confidence
                ));
            }
            assert_eq!(d.evidence, Evidence::ByteStatistics);
            assert!(d.runner_up.is_some_and(|r| r != d.encoding));
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn the_salesforce_export_is_not_read_as_cp932() {
        let bytes = encoded(WINDOWS_1252, "Name,Description\nBanco,Crédito\n");
        let d = detect_full(&bytes);
        assert_eq!(d.encoding, WINDOWS_1252);
        assert!(decode(&bytes, d.encoding).0.contains("Crédito"));
    }

    #[test]
    fn utf8_with_a_few_bad_bytes_stays_utf8() {
        let mut bytes = "Наименование;Город\nООО Ромашка;Москва\nАО Лютик;Тверь\n"
            .as_bytes()
            .to_vec();
        let at = bytes.iter().position(|&b| b == b';').unwrap_or(0);
        bytes.insert(at, 0xFF);
        let d = detect_full(&bytes);
        assert_eq!((d.encoding, d.evidence), (UTF_8, Evidence::MostlyUtf8));
        assert_eq!(d.invalid_sequences, 1);
        let (text, errors) = decode(&bytes, d.encoding);
        assert!(errors && text.contains("Москва") && text.contains('\u{FFFD}'));
        // A legacy file never passes for mostly-UTF-8.
        for t in RUSSIAN {
            assert_eq!(
                detect_full(&encoded(WINDOWS_1251, t)).evidence,
                Evidence::ByteStatistics
            );
        }
    }

    #[test]
    fn a_hint_of_latin_text_is_low_confidence() {
        // One accented letter between digits: nothing to go on.
        let d = detect_full(b"1,2\n3,\xE9\n");
        assert!(d.low_confidence, "{d:?}");
    }

    #[test]
    fn detects_boms_and_bomless_utf16() {
        assert_eq!(detect(b"\xEF\xBB\xBFa,b").0, UTF_8);
        assert_eq!(detect(b"\xFF\xFEa\0,\0b\0").0, UTF_16LE);
        let le: Vec<u8> = "name\tphone\nAcme\t555\n"
            .encode_utf16()
            .flat_map(|u| u.to_le_bytes())
            .collect();
        assert_eq!(detect(&le), (UTF_16LE, Evidence::ZeroBytePattern));
        assert_eq!(detect("plain, ascii".as_bytes()).0, UTF_8);
    }

    #[test]
    fn decode_strips_bom_and_reports_errors() {
        assert_eq!(
            decode(b"\xEF\xBB\xBFabc", UTF_8),
            ("abc".to_string(), false)
        );
        assert!(decode(b"ab\xFFc", UTF_8).1);
    }

    proptest::proptest! {
        /// Any bytes: detection and decoding never panic, and UTF-8 text is recognised.
        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..2000)) {
            let (enc, _) = detect(&bytes);
            let _ = decode(&bytes, enc);
        }

        #[test]
        fn utf8_text_is_detected_as_utf8(text in "[a-zA-Zа-яА-Я山田 ,;]{1,200}") {
            proptest::prop_assert_eq!(detect(text.as_bytes()).0, UTF_8);
        }
    }
}
