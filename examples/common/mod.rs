//! Shared by the two data generators (`make_demo`, `make_fixtures`): identifiers
//! with real check digits, deterministic workbooks, CSV quoting and encodings.
//! Each generator uses a subset, hence the allowance below.
#![allow(dead_code)]

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Workbook};

pub fn digits(s: &str) -> Vec<u32> {
    s.chars().map(|c| c.to_digit(10).expect("digit")).collect()
}

/// 10-digit ИНН of a legal entity from its first 9 digits.
pub fn inn10(base: &str) -> String {
    assert_eq!(base.len(), 9);
    let d = digits(base);
    let w = [2, 4, 10, 3, 5, 9, 4, 6, 8];
    let c = d.iter().zip(w).map(|(a, b)| a * b).sum::<u32>() % 11 % 10;
    format!("{base}{c}")
}

/// 12-digit ИНН of a person / ИП from its first 10 digits.
pub fn inn12(base: &str) -> String {
    assert_eq!(base.len(), 10);
    let mut d = digits(base);
    let w11 = [7, 2, 4, 10, 3, 5, 9, 4, 6, 8];
    let c11 = d.iter().zip(w11).map(|(a, b)| a * b).sum::<u32>() % 11 % 10;
    d.push(c11);
    let w12 = [3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8];
    let c12 = d.iter().zip(w12).map(|(a, b)| a * b).sum::<u32>() % 11 % 10;
    format!("{base}{c11}{c12}")
}

/// 13-digit ОГРН from its first 12 digits.
pub fn ogrn(base: &str) -> String {
    let n: u64 = base.parse().expect("digits");
    format!("{base}{}", n % 11 % 10)
}

/// 15-digit ОГРНИП from its first 14 digits (`mod 13 mod 10`).
pub fn ogrn_ip(base: &str) -> String {
    let n: u64 = base.parse().expect("digits");
    format!("{base}{}", n % 13 % 10)
}

/// 13-digit 法人番号 (check digit first) from its 12-digit base.
pub fn houjin(base: &str) -> String {
    assert_eq!(base.len(), 12);
    let sum: u32 = digits(base)
        .iter()
        .rev()
        .enumerate()
        .map(|(i, v)| v * if i % 2 == 0 { 1 } else { 2 })
        .sum();
    format!("{}{base}", 9 - sum % 9)
}

/// The same identifier with its last digit changed, so the checksum fails.
pub fn break_check(id: &str) -> String {
    let mut s: Vec<char> = id.chars().collect();
    if let Some(last) = s.last_mut() {
        *last = char::from_digit((last.to_digit(10).expect("digit") + 3) % 10, 10).expect("digit");
    }
    s.into_iter().collect()
}

/// The generators' check digits agree with published numbers.
pub fn self_check() {
    assert_eq!(houjin("011001098993"), "4011001098993");
    assert_eq!(houjin("010705000725"), "7010705000725");
    assert_eq!(houjin("835678256246"), "5835678256246");
    assert_eq!(inn12("2304103432"), "230410343285");
    assert_eq!(inn12("7727961199"), "772796119977");
}

/// A workbook with fixed document properties, so files are identical byte for byte.
pub fn workbook(author: &str) -> Workbook {
    let mut wb = Workbook::new();
    let date = ExcelDateTime::from_ymd(2024, 3, 15)
        .and_then(|d| d.and_hms(9, 0, 0))
        .expect("fixed date");
    wb.set_properties(
        &DocProperties::new()
            .set_author(author)
            .set_creation_datetime(&date),
    );
    wb
}

/// A CSV field, quoted only when it must be.
pub fn csv_field(v: &str, delim: char) -> String {
    if v.contains(delim) || v.contains('"') || v.contains('\n') || v.contains('\r') {
        format!("\"{}\"", v.replace('"', "\"\""))
    } else {
        v.to_string()
    }
}

pub fn csv_line(fields: &[&str], delim: char) -> String {
    fields
        .iter()
        .map(|f| csv_field(f, delim))
        .collect::<Vec<_>>()
        .join(&delim.to_string())
}

/// Encode; panics on anything unmappable instead of silently writing `&#NNNN;`.
pub fn encode(text: &str, enc: &'static encoding_rs::Encoding) -> Vec<u8> {
    let (bytes, _, unmappable) = enc.encode(text);
    assert!(!unmappable, "text not representable in {}", enc.name());
    bytes.into_owned()
}

/// freee 会計's 取引先 import/export header (partner_import.csv), 57 columns.
pub const FREEE_HEADER: [&str; 57] = [
    "名前（通称）",
    "取引先コード",
    "ショートカット1",
    "ショートカット2",
    "正式名称（帳票出力時に使用される名称）",
    "カナ名称",
    "敬称",
    "事業所種別",
    "地域",
    "郵便番号",
    "都道府県",
    "市区町村・番地",
    "建物名・部屋番号など",
    "電話番号",
    "営業担当者名",
    "営業担当者メールアドレス",
    "請求書送付方法",
    "入力候補",
    "銀行名",
    "銀行名（カナ）",
    "銀行番号",
    "支店名",
    "支店名（カナ）",
    "支店番号",
    "口座種別",
    "口座番号",
    "受取人名",
    "受取人名（カナ）",
    "締め日(支払期日設定)",
    "支払月(支払期日設定)",
    "支払日(支払期日設定)",
    "締め日(入金期日設定)",
    "入金月(入金期日設定)",
    "入金日(入金期日設定)",
    "手数料負担",
    "振込元口座",
    "適格請求書発行事業者（該当する/該当しない）",
    "適格請求書発行事業者の登録番号",
    "取引先担当者敬称",
    "取引先担当者部署",
    "顧客として利用する",
    "見込顧客として利用する",
    "請求先として利用する",
    "入金元として利用する",
    "仕入先として利用する",
    "支払先として利用する",
    "外税/内税",
    "締め日(請求期日設定)",
    "請求予定月(請求期日設定)",
    "請求予定日(請求期日設定)",
    "入金方法",
    "振込手数料負担区分(請求)",
    "支払方法",
    "帳票共有ポータル",
    "従業員として利用する",
    "販売設定の送付先として利用する",
    "調達設定の送付先として利用する",
];
