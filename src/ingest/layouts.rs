//! Files without a header row whose column layout is fixed and documented:
//! Japan's NTA 法人番号 open data (the 30-column CSV of 国税庁法人番号公表サイト)
//! and Japan Post's postal-code files (KEN_ALL, 15 columns; JIGYOSYO, 13
//! columns). They are recognised by the shape of their rows, and given the
//! column names of their specifications, which `mappings/` profiles map.

use super::RawRow;
use crate::model::cell::Cell;

/// A documented headerless layout.
#[derive(Debug)]
pub struct Layout {
    pub name: &'static str,
    pub title: &'static str,
    pub columns: &'static [&'static str],
    /// Set when the file holds no parties at all: the reason to refuse it.
    pub refuse: Option<&'static str>,
    shape: fn(&[String]) -> bool,
}

/// 国税庁 法人番号公表サイト 全件/差分データ (CSV, Unicode or Shift_JIS), version 2+.
const NTA_COLUMNS: &[&str] = &[
    "一連番号",
    "法人番号",
    "処理区分",
    "訂正区分",
    "更新年月日",
    "変更年月日",
    "商号又は名称",
    "商号又は名称イメージID",
    "法人種別",
    "国内所在地（都道府県）",
    "国内所在地（市区町村）",
    "国内所在地（丁目番地等）",
    "国内所在地イメージID",
    "都道府県コード",
    "市区町村コード",
    "郵便番号",
    "国外所在地",
    "国外所在地イメージID",
    "登記記録の閉鎖等年月日",
    "登記記録の閉鎖等の事由",
    "承継先法人番号",
    "変更事由の詳細",
    "法人番号指定年月日",
    "最新履歴",
    "商号又は名称（英語表記）",
    "国内所在地（都道府県）（英語表記）",
    "国内所在地（市区町村丁目番地等）（英語表記）",
    "国外所在地（英語表記）",
    "フリガナ",
    "検索対象除外",
];

/// 日本郵便 郵便番号データ (KEN_ALL.CSV and the per-prefecture files).
const KEN_ALL_COLUMNS: &[&str] = &[
    "全国地方公共団体コード",
    "旧郵便番号",
    "郵便番号",
    "都道府県名カナ",
    "市区町村名カナ",
    "町域名カナ",
    "都道府県名",
    "市区町村名",
    "町域名",
    "一町域が二以上の郵便番号で表される場合の表示",
    "小字毎に番地が起番されている町域の表示",
    "丁目を有する町域の場合の表示",
    "一つの郵便番号で二以上の町域を表す場合の表示",
    "更新の表示",
    "変更理由",
];

/// 日本郵便 事業所の個別郵便番号 (JIGYOSYO.CSV).
const JIGYOSYO_COLUMNS: &[&str] = &[
    "大口事業所の所在地のJISコード",
    "大口事業所名（カナ）",
    "大口事業所名（漢字）",
    "都道府県名",
    "市区町村名",
    "町域名",
    "小字名、丁目、番地等",
    "大口事業所個別番号",
    "旧郵便番号",
    "取扱局",
    "個別番号の種別の表示",
    "複数番号の有無",
    "修正コード",
];

pub const LAYOUTS: &[Layout] = &[
    Layout {
        name: "nta-houjin-bangou",
        title: "国税庁 法人番号公表サイト — 法人番号 CSV (no header row)",
        columns: NTA_COLUMNS,
        refuse: None,
        shape: nta_shape,
    },
    Layout {
        name: "jp-post-jigyosyo",
        title: "日本郵便 — 事業所の個別郵便番号 JIGYOSYO (no header row)",
        columns: JIGYOSYO_COLUMNS,
        refuse: None,
        shape: jigyosyo_shape,
    },
    Layout {
        name: "jp-post-ken-all",
        title: "日本郵便 — 郵便番号データ KEN_ALL (no header row)",
        columns: KEN_ALL_COLUMNS,
        refuse: Some(
            "is Japan Post's postal-code list (KEN_ALL layout): addresses only, no customers or companies; remove it from the [[source]] list (business postal codes are the JIGYOSYO file)",
        ),
        shape: ken_all_shape,
    },
];

fn digits(s: &str, n: usize) -> bool {
    s.len() == n && s.bytes().all(|b| b.is_ascii_digit())
}

fn date(s: &str) -> bool {
    let b = s.as_bytes();
    s.len() == 10 && b[4] == b'-' && b[7] == b'-' && digits(&s[..4], 4)
}

fn flag(s: &str) -> bool {
    s.len() == 1 && s.bytes().all(|b| b.is_ascii_digit())
}

fn nta_shape(c: &[String]) -> bool {
    (24..=30).contains(&c.len())
        && c[0].bytes().all(|b| b.is_ascii_digit())
        && !c[0].is_empty()
        && digits(&c[1], 13)
        && digits(&c[2], 2)
        && date(&c[4])
        && !c[6].is_empty()
}

fn ken_all_shape(c: &[String]) -> bool {
    c.len() == 15 && digits(&c[0], 5) && digits(&c[2], 7) && c[9..14].iter().all(|s| flag(s))
}

fn jigyosyo_shape(c: &[String]) -> bool {
    c.len() == 13
        && digits(&c[0], 5)
        && digits(&c[7], 7)
        && c[10..13].iter().all(|s| flag(s))
        && !c[2].is_empty()
}

/// The layout every one of the first non-blank rows fits (at least one).
pub fn detect(rows: &[RawRow]) -> Option<&'static Layout> {
    let texts: Vec<Vec<String>> = rows
        .iter()
        .filter(|r| !r.is_blank())
        .take(10)
        .map(|r| {
            r.cells
                .iter()
                .map(|c| c.to_text().trim().to_string())
                .collect()
        })
        .collect();
    if texts.is_empty() {
        return None;
    }
    LAYOUTS
        .iter()
        .find(|l| texts.iter().all(|row| (l.shape)(row)))
}

/// A header row made of names (a layout's, or the ones a source declares).
pub fn header_row(columns: &[String]) -> RawRow {
    RawRow {
        number: 0,
        cells: columns.iter().map(|c| Cell::Text(c.clone())).collect(),
        problem: None,
    }
}

/// Does a would-be header row hold data instead of captions: an e-mail
/// address, a date, or a long run of digits, with no caption any profile knows?
pub fn looks_like_data(row: &RawRow, known: impl Fn(&str) -> bool) -> bool {
    let texts: Vec<String> = row
        .cells
        .iter()
        .map(|c| c.to_text().trim().to_string())
        .filter(|t| !t.is_empty())
        .collect();
    if texts.iter().any(|t| known(t)) {
        return false;
    }
    texts.iter().any(|t| {
        let digit_count = t.chars().filter(char::is_ascii_digit).count();
        (t.contains('@') && t.contains('.'))
            || date(t)
            || digit_count >= 7
            || row.cells.iter().any(|c| matches!(c, Cell::Date { .. }))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(cells: &[&str]) -> RawRow {
        RawRow {
            number: 1,
            cells: cells.iter().map(|s| Cell::Text(s.to_string())).collect(),
            problem: None,
        }
    }

    #[test]
    fn recognises_the_nta_and_japan_post_layouts_by_shape() {
        let mut nta = vec![""; 30];
        nta[0] = "1";
        nta[1] = "1000013040008";
        nta[2] = "01";
        nta[3] = "0";
        nta[4] = "2018-04-02";
        nta[6] = "国立国会図書館";
        assert_eq!(
            detect(&[row(&nta)]).map(|l| l.name),
            Some("nta-houjin-bangou")
        );
        let ken = [
            "01101",
            "060  ",
            "0600000",
            "ﾎｯｶｲﾄﾞｳ",
            "ｻｯﾎﾟﾛｼﾁｭｳｵｳｸ",
            "ｲｶﾆｹｲｻｲｶﾞﾅｲﾊﾞｱｲ",
            "北海道",
            "札幌市中央区",
            "以下に掲載がない場合",
            "0",
            "0",
            "0",
            "0",
            "0",
            "0",
        ];
        assert_eq!(
            detect(&[row(&ken)]).map(|l| l.name),
            Some("jp-post-ken-all")
        );
        let jig = [
            "01101",
            "(ｶﾌﾞ) ﾆﾂｹｲｼﾝﾌﾞﾝｼﾔ ｻﾂﾎﾟﾛｼｼﾔ",
            "株式会社　日本経済新聞社　札幌支社",
            "北海道",
            "札幌市中央区",
            "北一条西",
            "６丁目１－２アーバンネット札幌ビル２Ｆ",
            "0608621",
            "060  ",
            "札幌中央",
            "0",
            "0",
            "0",
        ];
        assert_eq!(
            detect(&[row(&jig)]).map(|l| l.name),
            Some("jp-post-jigyosyo")
        );
        assert!(detect(&[row(&["Name", "Email"])]).is_none());
    }

    #[test]
    fn a_row_of_values_is_not_a_header() {
        let data = row(&["Acme", "john@acme.com", "555-0100"]);
        assert!(looks_like_data(&data, |_| false));
        assert!(!looks_like_data(&data, |h| h == "Acme"));
        assert!(!looks_like_data(&row(&["Company", "Contact"]), |_| false));
    }
}
