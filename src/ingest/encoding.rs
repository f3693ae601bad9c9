//! Text encodings: detection (BOM, UTF-8, UTF-16 without BOM, Windows-1251 vs
//! CP932) and the labels users type.

use encoding_rs::{Encoding, SHIFT_JIS, UTF_8, UTF_16BE, UTF_16LE, WINDOWS_1251};

/// Resolve a user's label. WHATWG labels do not include `cp932` or `utf16`,
/// which is what consultants type, so those aliases come first.
pub fn encoding_for_label(label: &str) -> Option<&'static Encoding> {
    let l = label.trim().to_ascii_lowercase().replace('_', "-");
    let alias = match l.as_str() {
        "cp932" | "ms932" | "windows-932" | "sjis" | "shift-jis" | "shiftjis" | "windows-31j" => {
            Some(SHIFT_JIS)
        }
        "cp1251" | "win1251" | "windows1251" | "ansi" => Some(WINDOWS_1251),
        "utf8" | "utf-8-sig" => Some(UTF_8),
        "utf16" | "utf-16" | "utf16le" | "ucs-2" | "unicode" => Some(UTF_16LE),
        "utf16be" => Some(UTF_16BE),
        _ => None,
    };
    alias.or_else(|| Encoding::for_label(l.as_bytes()))
}

/// How the encoding was decided, for `inspect`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Evidence {
    Bom,
    ValidUtf8,
    ZeroBytePattern,
    ByteStatistics,
    UserChoice,
}

/// Detect the encoding of a text file from its first bytes.
pub fn detect(bytes: &[u8]) -> (&'static Encoding, Evidence) {
    if let Some((enc, _)) = Encoding::for_bom(bytes) {
        return (enc, Evidence::Bom);
    }
    let sample = &bytes[..bytes.len().min(1 << 20)];
    if let Some(enc) = utf16_without_bom(sample) {
        return (enc, Evidence::ZeroBytePattern);
    }
    if is_utf8_prefix(sample, sample.len() < bytes.len()) {
        return (UTF_8, Evidence::ValidUtf8);
    }
    (cyrillic_or_japanese(sample), Evidence::ByteStatistics)
}

/// A sample cut at an arbitrary byte may end inside a UTF-8 sequence.
fn is_utf8_prefix(sample: &[u8], truncated: bool) -> bool {
    match std::str::from_utf8(sample) {
        Ok(_) => true,
        Err(e) => truncated && e.error_len().is_none(),
    }
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

/// Windows-1251 letters live in 0xC0–0xFF; CP932 text is dominated by lead bytes
/// 0x81–0x9F and 0xE0–0xEF and trail bytes below 0xC0. Russian text in CP1251
/// therefore has nearly all high bytes in 0xC0–0xFF, Japanese text far fewer.
fn cyrillic_or_japanese(sample: &[u8]) -> &'static Encoding {
    let high = sample.iter().filter(|&&b| b >= 0x80).count();
    let letters = sample.iter().filter(|&&b| b >= 0xC0).count();
    let sjis_clean = {
        let (_, _, had_errors) = SHIFT_JIS.decode(sample);
        !had_errors
    };
    if sjis_clean && letters * 10 < high * 8 {
        SHIFT_JIS
    } else {
        WINDOWS_1251
    }
}

/// The name `inspect` shows: `cp932` rather than WHATWG's `Shift_JIS`, since
/// that is what Windows users call it.
pub fn display_name(enc: &'static Encoding) -> &'static str {
    if enc == SHIFT_JIS {
        "cp932"
    } else if enc == WINDOWS_1251 {
        "windows-1251"
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
