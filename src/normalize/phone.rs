//! Phone numbers → E.164 + extension + type.
//!
//! Parsing and validation are delegated to `rlibphonenumber` (a port of Google's libphonenumber),
//! not to the `phonenumber` crate: `phonenumber` 0.3.x strips the Russian trunk `8` twice and so
//! corrupts every +7 number whose national part starts with 8 (St Petersburg 812, toll-free 800:
//! `8 800 555-35-35` → `+7005553535`), and it serializes threads through a global mutex around
//! its regex cache. rlibphonenumber gave correct results on all our cases and was ~5× faster in
//! the project's dependency check. The crate is used only here, behind [`normalize_phones`] and
//! [`normalize_phone`], so the golden table in `tests/fixtures/normalize/phone.tsv` guards a
//! future swap.
//!
//! What libphonenumber does not do, this module does before calling it: folding full-width digits
//! and dashes, splitting a cell into numbers, cutting off extensions (`доб.`, `вн.`, `内線`, …)
//! and annotations (`（代表）`, `(факс)`), and telling a number without area code or with a
//! leading zero lost in Excel from garbage. The parser only ever sees `+` and digits.

use crate::model::flags::{
    PHONE_AREA_CODE_ADDED, PHONE_EMPTY, PHONE_INVALID, PHONE_LEADING_ZERO_RESTORED,
    PHONE_NO_AREA_CODE, PHONE_NO_DIGITS, PHONE_UNKNOWN_REGION,
};
use std::borrow::Cow;
use std::cell::RefCell;

use rlibphonenumber::{
    NumberLengthType, PHONE_NUMBER_UTIL, PhoneNumber, PhoneNumberType, PhoneNumberUtil,
    enums::Region,
};

use crate::model::{Phone, PhoneRole, PhoneType};
use crate::normalize::text;

/// E.164 allows 15 digits; with an international prefix (`8 10`, `0011`) and a trunk prefix
/// nothing real exceeds this, so longer runs are rejected without asking the parser.
const MAX_DIGITS: usize = 20;
/// Longer digit runs after a marker are another number, not an extension.
const MAX_EXTENSION_DIGITS: usize = 10;

/// Extension markers, compared lower-cased. Letter markers must stand as a word of their own;
/// `#` and `内線` need no word boundary.
const EXTENSION_MARKERS: &[&str] = &[
    "добавочный",
    "доб",
    "доп",
    "внутренний",
    "внутр",
    "вн",
    "extension",
    "ext",
    "x",
    "#",
    "内線",
];

/// Weak separators (`/`, `・`) also occur inside a single number (`030/1234567`,
/// `03・1234・5678`): they split only when both sides have this many digits.
const WEAK_SEPARATOR_MIN_DIGITS: usize = 6;
/// Words between numbers; matched only with white space on both sides. The only ASCII first
/// letters are `o` and `a` (`word_separator` relies on it).
const SEPARATOR_WORDS: &[&str] = &["или", "либо", "и", "or", "and"];
/// Japanese "or", written without spaces.
const SEPARATOR_WORDS_CJK: &[&str] = &["または", "又は", "もしくは"];

/// What the caller knows about where a number was written.
#[derive(Clone, Debug)]
pub struct PhoneOptions<'a> {
    /// Default country, ISO 3166 alpha-2 (`RU`, `JP`, `US`…).
    pub region: &'a str,
    /// Area code to assume for local numbers written without one, when the
    /// source declares it; otherwise such numbers are flagged, never invented.
    pub default_area_code: Option<&'a str>,
    pub role: PhoneRole,
}

/// Every number in one cell (`84951234567; 8-916-…`), each normalized.
///
/// A blank cell gives no phones; a cell with text but no digits gives one phone flagged
/// [`PHONE_NO_DIGITS`]. An extension after a separator stays with its number
/// (`+7 495 123-45-67, доб. 12` is one number).
pub fn normalize_phones(cell: &str, opts: &PhoneOptions) -> Vec<Phone> {
    let ctx = Context::new(opts);
    let mut phones = Vec::new();
    let mut pending: Option<Piece> = None;
    for (start, end, weak) in Splitter::new(cell) {
        let piece = Piece::new(cell, start, end);
        if piece.digits == 0 {
            continue;
        }
        if let Some(prev) = &mut pending {
            let joins = starts_with_extension(&piece.folded)
                || (weak
                    && (piece.digits < WEAK_SEPARATOR_MIN_DIGITS
                        || prev.digits < WEAK_SEPARATOR_MIN_DIGITS));
            if joins {
                *prev = Piece::new(cell, prev.start, piece.end);
                continue;
            }
        }
        if let Some(prev) = pending.replace(piece) {
            phones.push(prev.normalize(cell, &ctx));
        }
    }
    if let Some(prev) = pending {
        phones.push(prev.normalize(cell, &ctx));
    }
    if phones.is_empty() && !cell.trim().is_empty() {
        phones.push(normalize_folded(cell.trim(), &fold(cell), &ctx));
    }
    phones
}

/// One number (with an optional extension) normalized. The input is not split: use
/// [`normalize_phones`] for cells that may hold several numbers.
pub fn normalize_phone(input: &str, opts: &PhoneOptions) -> Phone {
    normalize_folded(input.trim(), &fold(input), &Context::new(opts))
}

/// Whether `code` is a region libphonenumber knows (a real country or territory).
pub fn is_known_region(code: &str) -> bool {
    Resolved::of(code).region.is_some()
}

/// The options resolved once per call.
struct Context<'a> {
    region: Option<Region>,
    country_code: i32,
    trunk: Option<u8>,
    default_area_code: Option<&'a str>,
    role: PhoneRole,
}

/// What a region code resolves to: libphonenumber's region, its country code and trunk prefix.
#[derive(Clone, Copy)]
struct Resolved {
    region: Option<Region>,
    country_code: i32,
    trunk: Option<u8>,
}

impl Resolved {
    /// Cached per thread: resolving costs more than normalizing an easy number, and a run
    /// sees a handful of regions.
    fn of(code: &str) -> Resolved {
        thread_local! {
            static CACHE: RefCell<text::FastMap<String, Resolved>> = RefCell::default();
        }
        let code = code.trim();
        if let Some(r) = CACHE.with_borrow(|c| c.get(code).copied()) {
            return r;
        }
        let known = Region::from_code(code).ok().and_then(|region| {
            PHONE_NUMBER_UTIL
                .get_country_code_for_region(region)
                .map(|cc| (region, cc))
        });
        let resolved = Resolved {
            region: known.map(|(region, _)| region),
            country_code: known.map_or(0, |(_, cc)| cc),
            trunk: known.and_then(|(region, _)| trunk_prefix(region)),
        };
        CACHE.with_borrow_mut(|c| {
            // Region codes come from the project and row hints: a few. Bounded all the same.
            if c.len() >= 1024 {
                c.clear();
            }
            c.insert(code.to_string(), resolved)
        });
        resolved
    }
}

impl<'a> Context<'a> {
    fn new(opts: &PhoneOptions<'a>) -> Self {
        let Resolved {
            region,
            country_code,
            trunk,
        } = Resolved::of(opts.region);
        Context {
            region,
            country_code,
            trunk,
            default_area_code: opts
                .default_area_code
                .filter(|a| a.bytes().any(|b| b.is_ascii_digit())),
            role: opts.role,
        }
    }
}

/// The trunk prefix of a region, `0` or `8`, found by asking the parser itself whether that
/// digit in front of an example number is dropped (rlibphonenumber does not expose the
/// metadata field). Needed to recognize lost leading zeros and short local numbers. `8` is
/// tried first: Belarus parses both (`8 0 29…`) but its numbers are not Excel-damaged when
/// written without the zero. Probed on first use, and cached with the rest of the region's
/// resolution ([`Resolved::of`]): probing all 240 regions up front would cost every run a
/// fifth of a second.
fn trunk_prefix(region: Region) -> Option<u8> {
    with_util(|util| {
        let example = util.get_example_number(region).ok()?;
        let nsn = example.get_national_significant_number();
        [b'8', b'0'].into_iter().find(|trunk| {
            let probe = format!("{}{nsn}", *trunk as char);
            util.parse(&probe, Some(region)).is_ok_and(|parsed| {
                parsed.country_code == example.country_code
                    && parsed.get_national_significant_number() == nsn
            })
        })
    })
}

/// A stretch of the cell between separators: byte range in the cell, folded text, digit count.
struct Piece<'c> {
    start: usize,
    end: usize,
    folded: Cow<'c, str>,
    digits: usize,
}

impl<'c> Piece<'c> {
    fn new(cell: &'c str, start: usize, end: usize) -> Self {
        let folded = fold(&cell[start..end]);
        let digits = folded.bytes().filter(u8::is_ascii_digit).count();
        Piece {
            start,
            end,
            folded,
            digits,
        }
    }

    fn normalize(&self, cell: &str, ctx: &Context) -> Phone {
        normalize_folded(cell[self.start..self.end].trim(), &self.folded, ctx)
    }
}

/// NFKC + dashes, skipped for ASCII (already in normal form), which most cells are.
fn fold(s: &str) -> Cow<'_, str> {
    if s.is_ascii() {
        Cow::Borrowed(s)
    } else {
        Cow::Owned(text::nfkc(s))
    }
}

/// Yields `(start, end, after_weak_separator)` byte ranges of the raw cell, so that each
/// phone's `input` is the cell text as written.
struct Splitter<'c> {
    cell: &'c str,
    pos: usize,
    weak: bool,
}

impl<'c> Splitter<'c> {
    fn new(cell: &'c str) -> Self {
        Splitter {
            cell,
            pos: 0,
            weak: false,
        }
    }

    /// The separator starting at byte `i`: its length and whether it is weak.
    fn separator_at(&self, i: usize, c: char) -> Option<(usize, bool)> {
        let rest = &self.cell[i..];
        match c {
            ',' | ';' | '|' | '\n' | '\r' | '、' | '，' | '；' | '｜' => {
                Some((c.len_utf8(), false))
            }
            '/' | '／' | '・' | '･' => Some((c.len_utf8(), true)),
            'ま' | '又' | 'も' => SEPARATOR_WORDS_CJK
                .iter()
                .find_map(|w| prefix_len_ci(rest, w))
                .map(|len| (len, false)),
            c if c.is_whitespace() => Self::word_separator(rest, c.len_utf8()),
            _ => None,
        }
    }

    /// ` или `, ` or `…: `rest` starts with a white space character of `word_start` bytes.
    fn word_separator(rest: &str, word_start: usize) -> Option<(usize, bool)> {
        // Digits and most ASCII after a space cannot start a separator word: skip the lookups.
        let next = rest.as_bytes().get(word_start)?;
        if next.is_ascii() && !matches!(next.to_ascii_lowercase(), b'o' | b'a') {
            return None;
        }
        SEPARATOR_WORDS.iter().find_map(|word| {
            let after = word_start + prefix_len_ci(&rest[word_start..], word)?;
            rest[after..]
                .starts_with(char::is_whitespace)
                .then_some((after, false))
        })
    }
}

impl Iterator for Splitter<'_> {
    type Item = (usize, usize, bool);

    fn next(&mut self) -> Option<Self::Item> {
        if self.pos > self.cell.len() {
            return None;
        }
        let start = self.pos;
        let weak = self.weak;
        for (offset, c) in self.cell[start..].char_indices() {
            let i = start + offset;
            if let Some((len, is_weak)) = self.separator_at(i, c) {
                self.pos = i + len;
                self.weak = is_weak;
                return Some((start, i, weak));
            }
        }
        self.pos = self.cell.len() + 1;
        Some((start, self.cell.len(), weak))
    }
}

/// Byte length of `prefix` at the start of `s`, compared case-insensitively.
fn prefix_len_ci(s: &str, prefix: &str) -> Option<usize> {
    let mut chars = s.char_indices();
    for p in prefix.chars() {
        let (_, c) = chars.next()?;
        if c != p
            && text::lower_fast(c).unwrap_or_else(|| c.to_lowercase().next().unwrap_or(c)) != p
        {
            return None;
        }
    }
    Some(chars.next().map_or(s.len(), |(i, _)| i))
}

/// An extension found in folded text: where its marker starts and its digits.
struct Extension<'s> {
    marker: usize,
    digits: &'s str,
}

/// The first extension marker at or after byte `from` that is followed by 1–10 digits.
fn find_extension(s: &str, from: usize) -> Option<Extension<'_>> {
    // Plain numbers (ASCII without letters or `#`) cannot hold a marker: skip the char walk.
    if s.as_bytes()[from..]
        .iter()
        .all(|&b| b.is_ascii() && !b.is_ascii_alphabetic() && b != b'#')
    {
        return None;
    }
    let mut prev = s[..from].chars().next_back();
    for (i, c) in s[from..].char_indices() {
        // A letter marker must start a word: the `x` of `fax` is not one.
        let starts_word = !(text::is_alpha(c) && !is_cjk(c) && prev.is_some_and(text::is_alpha));
        if (text::is_alpha(c) || c == '#')
            && starts_word
            && let Some(ext) = extension_at(s, i + from)
        {
            return Some(ext);
        }
        prev = Some(c);
    }
    None
}

fn is_cjk(c: char) -> bool {
    matches!(c, '\u{3040}'..='\u{30FF}' | '\u{3400}'..='\u{9FFF}')
}

/// An extension whose marker starts exactly at byte `i`.
fn extension_at(s: &str, i: usize) -> Option<Extension<'_>> {
    let rest = &s[i..];
    EXTENSION_MARKERS.iter().find_map(|marker| {
        let len = prefix_len_ci(rest, marker)?;
        let after = &rest[len..];
        let word_marker = marker.chars().all(|c| text::is_alpha(c) && !is_cjk(c));
        if word_marker && after.starts_with(text::is_alpha) {
            return None;
        }
        let digits_at = after.trim_start_matches([' ', '.', ':', '-', '=', '№', '#']);
        let n = digits_at.bytes().take_while(u8::is_ascii_digit).count();
        (1..=MAX_EXTENSION_DIGITS).contains(&n).then(|| Extension {
            marker: i,
            digits: &digits_at[..n],
        })
    })
}

/// Does this piece begin with an extension (`доб. 12`, `(内線12)`) rather than a number?
fn starts_with_extension(folded: &str) -> bool {
    let first_digit = folded
        .bytes()
        .position(|b| b.is_ascii_digit())
        .unwrap_or(folded.len());
    find_extension(folded, 0).is_some_and(|ext| ext.marker < first_digit)
}

/// `+` (when written before the first digit) and the digits of the number part, skipping
/// parenthesized annotations that contain letters (`(代表)`, `(факс)`, `(с 9 до 18)`) and
/// the `(0)` of `+49 (0)30 …`, while keeping area codes in parentheses (`(495)`, `(03)`).
fn number_digits(s: &str) -> (bool, String) {
    let b = s.as_bytes();
    let mut plus = false;
    let mut digits = String::with_capacity(16);
    // Positions are byte offsets; ASCII bytes never occur inside multi-byte UTF-8, so scanning
    // bytes is safe. `plain_until` and `no_close` keep the scan linear on `((((…`.
    let mut plain_until = 0;
    let mut no_close = false;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            d @ b'0'..=b'9' => digits.push(d as char),
            b'+' if digits.is_empty() => plus = true,
            b'(' if i >= plain_until && !no_close => {
                match b[i + 1..].iter().position(|&x| x == b')') {
                    Some(k) => {
                        let close = i + 1 + k;
                        let inner = &s[i + 1..close];
                        // `+44 (0)20 …`: the trunk zero shown for national callers, not dialled.
                        let trunk_hint = plus && !digits.is_empty() && inner.trim() == "0";
                        if trunk_hint || inner.chars().any(text::is_alpha) {
                            i = close + 1;
                            continue;
                        }
                        plain_until = close;
                    }
                    None => no_close = true,
                }
            }
            _ => {}
        }
        i += 1;
    }
    (plus, digits)
}

/// Normalize one number: `input` is the trimmed original, `folded` its folded form.
fn normalize_folded(input: &str, folded: &str, ctx: &Context) -> Phone {
    let mut phone = Phone {
        input: input.to_string(),
        role: ctx.role,
        ..Phone::default()
    };
    if folded.trim().is_empty() {
        phone.flags.push(PHONE_EMPTY.to_string());
        return phone;
    }
    let first_digit = folded
        .bytes()
        .position(|b| b.is_ascii_digit())
        .unwrap_or(folded.len());
    let (number_part, extension) = match find_extension(folded, first_digit) {
        Some(ext) => (&folded[..ext.marker], Some(ext.digits)),
        None => (folded, None),
    };
    let (plus, digits) = number_digits(number_part);
    if digits.is_empty() {
        phone.flags.push(PHONE_NO_DIGITS.to_string());
        return phone;
    }
    phone.extension = extension.map(str::to_string);
    resolve(&mut phone, &digits, plus, ctx);
    phone.digits = digits;
    phone
}

/// Parse the digits of the number part and fill e164, type, validity and flags.
fn resolve(phone: &mut Phone, digits: &str, plus: bool, ctx: &Context) {
    if digits.len() > MAX_DIGITS {
        phone.flags.push(PHONE_INVALID.to_string());
        return;
    }
    if let Some((number, kind)) = direct(digits, plus, ctx) {
        // The parser reads these shapes as the same number (property-tested), so an unknown
        // type is its answer too; they are too long to be local numbers without area code.
        match kind {
            PhoneType::Unknown => phone.flags.push(PHONE_INVALID.to_string()),
            kind => accept(phone, &number, kind),
        }
        return;
    }
    let parsed = if plus {
        parse_international(digits)
    } else {
        parse(digits, ctx.region)
    };
    if let Some((number, kind)) = &parsed
        && *kind != PhoneType::Unknown
    {
        accept(phone, number, *kind);
        if !plus && lost_leading_zero(digits, number, ctx) {
            phone.flags.push(PHONE_LEADING_ZERO_RESTORED.to_string());
        }
        return;
    }
    // `00` is the international prefix in most of the world but not in the metadata of every
    // default region (RU dials 8~10, US 011, JP 010).
    if !plus
        && let Some(rest) = digits.strip_prefix("00")
        && let Some((number, kind)) = parse_international(rest)
        && kind != PhoneType::Unknown
    {
        accept(phone, &number, kind);
        return;
    }
    if plus || ctx.region.is_none() {
        phone.flags.push(PHONE_INVALID.to_string());
        if !plus {
            phone.flags.push(PHONE_UNKNOWN_REGION.to_string());
        }
        return;
    }
    let Some((number, _)) = parsed.filter(|(number, _)| is_local_only(digits, number, ctx)) else {
        phone.flags.push(PHONE_INVALID.to_string());
        return;
    };
    let Some(area) = ctx.default_area_code else {
        phone.flags.push(PHONE_NO_AREA_CODE.to_string());
        return;
    };
    phone.flags.push(PHONE_AREA_CODE_ADDED.to_string());
    let mut full: String = area.chars().filter(char::is_ascii_digit).collect();
    full.push_str(&number.get_national_significant_number());
    match parse(&full, ctx.region) {
        Some((number, kind)) if kind != PhoneType::Unknown => accept(phone, &number, kind),
        _ => phone.flags.push(PHONE_INVALID.to_string()),
    }
}

/// The hot path for the commonest shapes: `+7` / `+1` / `+81` or a national number written
/// with its trunk prefix (RU/KZ `8` + 10 digits or the bare 10 digits, JP `0` + 9–10 digits,
/// NANP 10 digits or `1` + 10). The number is built directly and only its type is asked
/// for (`Unknown` when invalid), saving the parse (about half the time per number). Any
/// other shape, and the international prefixes (`810…`, JP `010…`), goes through the
/// parser. Property tests check that both paths agree, invalid numbers included.
fn direct(digits: &str, plus: bool, ctx: &Context) -> Option<(PhoneNumber, PhoneType)> {
    let b = digits.as_bytes();
    let (country_code, national) = match (plus, digits.len(), b.first()?) {
        (true, 11, b'7') => (7, &digits[1..]),
        // A NANP area code never starts with 0 or 1, so `1` here is the country code only.
        (true, 11, b'1') if matches!(b[1], b'2'..=b'9') => (1, &digits[1..]),
        (true, 11 | 12, b'8') if b[1] == b'1' && matches!(b[2], b'1'..=b'9') => (81, &digits[2..]),
        (true, ..) => return None,
        (false, 11, b'8') if ctx.country_code == 7 && !digits.starts_with("810") => {
            (7, &digits[1..])
        }
        (false, 10, b'3'..=b'9') if ctx.country_code == 7 && !digits.starts_with("810") => {
            (7, digits)
        }
        // `0` + a national number not starting with 0: the trunk prefix, never part of a
        // longer prefix (`010` is the international one).
        (false, 10 | 11, b'0')
            if ctx.country_code == 81
                && matches!(b[1], b'1'..=b'9')
                && !digits.starts_with("010") =>
        {
            (81, &digits[1..])
        }
        (false, 10, b'2'..=b'9') if ctx.country_code == 1 => (1, digits),
        (false, 11, b'1') if ctx.country_code == 1 && matches!(b[1], b'2'..=b'9') => {
            (1, &digits[1..])
        }
        _ => return None,
    };
    let number = PhoneNumber {
        country_code,
        national_number: national.parse().ok()?,
        ..PhoneNumber::default()
    };
    let kind = with_util(|util| phone_type(util.get_number_type(&number)));
    Some((number, kind))
}

/// Runs `f` with this thread's own `PhoneNumberUtil`. The library compiles its patterns
/// into `regex` objects, whose match caches are fast only for the thread that first used
/// them; every other thread takes a locked slow path. With the shared `PHONE_NUMBER_UTIL`
/// each rayon worker was ~45 % slower per number than one thread alone (BENCHMARKS.md);
/// an instance per thread costs ~12 ms and a few MB once.
fn with_util<R>(f: impl FnOnce(&PhoneNumberUtil) -> R) -> R {
    thread_local! {
        static UTIL: Option<PhoneNumberUtil> = PhoneNumberUtil::new().ok();
    }
    UTIL.with(|util| f(util.as_ref().unwrap_or(&PHONE_NUMBER_UTIL)))
}

/// The parsed number with its type; `Unknown` means invalid (libphonenumber's `is_valid` is
/// exactly "type is not unknown", so asking for both would match the patterns twice).
fn parse(s: &str, region: Option<Region>) -> Option<(PhoneNumber, PhoneType)> {
    with_util(|util| {
        let number = util.parse(s, region).ok()?;
        let kind = phone_type(util.get_number_type(&number));
        Some((number, kind))
    })
}

/// `+` and `digits` parsed without a default region, built on the stack: `+` numbers are
/// common and this is the hot path.
fn parse_international(digits: &str) -> Option<(PhoneNumber, PhoneType)> {
    let mut buf = [b'+'; MAX_DIGITS + 1];
    buf.get_mut(1..=digits.len())?
        .copy_from_slice(digits.as_bytes());
    parse(std::str::from_utf8(&buf[..=digits.len()]).ok()?, None)
}

fn accept(phone: &mut Phone, number: &PhoneNumber, kind: PhoneType) {
    phone.e164 = Some(e164(number));
    phone.phone_type = kind;
    phone.valid = true;
}

/// `+`, country code, national significant number (with the leading zeros Italy keeps):
/// what `format_as(E164)` returns for a valid number, without its general formatting machinery.
fn e164(number: &PhoneNumber) -> String {
    let mut out = String::with_capacity(16);
    out.push('+');
    match u64::try_from(number.country_code) {
        Ok(cc) => push_decimal(&mut out, cc),
        Err(_) => out.push_str(&number.country_code.to_string()),
    }
    if number.italian_leading_zero == Some(true) {
        for _ in 0..number.number_of_leading_zeros.unwrap_or(1).clamp(1, 10) {
            out.push('0');
        }
    }
    push_decimal(&mut out, number.national_number);
    out
}

/// `n` in decimal, as `write!(out, "{n}")` without the formatting machinery (hot path).
fn push_decimal(out: &mut String, mut n: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    // ASCII digits: always UTF-8.
    if let Ok(digits) = std::str::from_utf8(&buf[i..]) {
        out.push_str(digits);
    }
}

/// Written as the bare national significant number in a region whose trunk prefix is `0`.
fn lost_leading_zero(digits: &str, number: &PhoneNumber, ctx: &Context) -> bool {
    ctx.trunk == Some(b'0')
        && !digits.starts_with('0')
        && number.country_code == ctx.country_code
        && digits
            .parse::<u64>()
            .is_ok_and(|n| n == number.national_number)
}

/// A subscriber number without area code: the metadata says so (RU, US: 7 digits), or, in a
/// country with trunk prefix `0` or `8` (JP has no local lengths in the metadata; small Russian
/// towns have 5–6 digit numbers), 5–8 digits not starting with the trunk prefix.
fn is_local_only(digits: &str, number: &PhoneNumber, ctx: &Context) -> bool {
    with_util(|util| util.is_possible_number_with_reason(number))
        == Ok(NumberLengthType::IsPossibleLocalOnly)
        || ctx.trunk.is_some_and(|trunk| {
            (5..=8).contains(&digits.len()) && !digits.starts_with(trunk as char)
        })
}

fn phone_type(t: PhoneNumberType) -> PhoneType {
    match t {
        PhoneNumberType::FixedLine => PhoneType::FixedLine,
        PhoneNumberType::Mobile => PhoneType::Mobile,
        PhoneNumberType::FixedLineOrMobile => PhoneType::FixedLineOrMobile,
        PhoneNumberType::TollFree => PhoneType::TollFree,
        PhoneNumberType::PremiumRate => PhoneType::PremiumRate,
        PhoneNumberType::SharedCost => PhoneType::SharedCost,
        PhoneNumberType::VoIP => PhoneType::Voip,
        PhoneNumberType::PersonalNumber => PhoneType::PersonalNumber,
        PhoneNumberType::Pager => PhoneType::Pager,
        PhoneNumberType::UAN => PhoneType::Uan,
        PhoneNumberType::VoiceMail => PhoneType::Voicemail,
        PhoneNumberType::Unknown => PhoneType::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOLDEN: &str = include_str!("../../tests/fixtures/normalize/phone.tsv");

    fn opts<'a>(region: &'a str, area: Option<&'a str>) -> PhoneOptions<'a> {
        PhoneOptions {
            region,
            default_area_code: area,
            role: PhoneRole::Phone,
        }
    }

    fn unescape(s: &str) -> String {
        s.replace("\\n", "\n").replace("\\t", "\t")
    }

    fn type_name(t: PhoneType) -> String {
        serde_json::to_string(&t)
            .unwrap_or_default()
            .trim_matches('"')
            .to_string()
    }

    /// The expected-value columns (e164, extension, type, flags) for a cell's phones.
    fn render(phones: &[Phone]) -> [String; 4] {
        if phones.is_empty() {
            return ["(none)".into(), "-".into(), "-".into(), "-".into()];
        }
        let col = |f: &dyn Fn(&Phone) -> String| phones.iter().map(f).collect::<Vec<_>>().join("|");
        let or_dash = |s: Option<&String>| s.cloned().unwrap_or_else(|| "-".into());
        [
            col(&|p| or_dash(p.e164.as_ref())),
            col(&|p| or_dash(p.extension.as_ref())),
            col(&|p| type_name(p.phone_type)),
            col(&|p| {
                if p.flags.is_empty() {
                    "-".into()
                } else {
                    p.flags.join(",")
                }
            }),
        ]
    }

    fn golden_rows() -> impl Iterator<Item = (usize, Vec<&'static str>)> {
        GOLDEN
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.starts_with('#') && !l.starts_with("region\t"))
            .map(|(i, l)| (i + 1, l.split('\t').collect()))
    }

    #[test]
    fn golden_table() {
        let mut failures = Vec::new();
        let mut rows = 0;
        for (line, f) in golden_rows() {
            assert_eq!(f.len(), 7, "phone.tsv line {line}: 7 columns expected");
            rows += 1;
            let region = if f[0] == "-" { "" } else { f[0] };
            let area = (f[1] != "-").then_some(f[1]);
            let phones = normalize_phones(&unescape(f[2]), &opts(region, area));
            let got = render(&phones);
            if got != [f[3], f[4], f[5], f[6]] {
                failures.push(format!("line {line} {:?}: got {}", f[2], got.join("  ")));
            }
        }
        assert!(rows >= 120, "only {rows} golden cases");
        assert!(
            failures.is_empty(),
            "{} golden failures:\n{}",
            failures.len(),
            failures.join("\n")
        );
    }

    /// valid ⇔ e164; an invalid phone says why with exactly one reason flag.
    fn assert_consistent(p: &Phone) {
        const REASONS: [&str; 4] = [
            PHONE_EMPTY,
            PHONE_NO_DIGITS,
            PHONE_INVALID,
            PHONE_NO_AREA_CODE,
        ];
        assert_eq!(p.valid, p.e164.is_some(), "{p:?}");
        let reasons = p
            .flags
            .iter()
            .filter(|f| REASONS.contains(&f.as_str()))
            .count();
        assert_eq!(reasons, usize::from(!p.valid), "{p:?}");
        assert_eq!(p.valid, p.phone_type != PhoneType::Unknown, "{p:?}");
        assert!(p.digits.bytes().all(|b| b.is_ascii_digit()), "{p:?}");
    }

    #[test]
    fn golden_phones_are_consistent() {
        for (_, f) in golden_rows() {
            let region = if f[0] == "-" { "" } else { f[0] };
            for p in normalize_phones(
                &unescape(f[2]),
                &opts(region, (f[1] != "-").then_some(f[1])),
            ) {
                assert_consistent(&p);
            }
        }
    }

    #[test]
    fn input_is_the_piece_as_written_and_role_is_copied() {
        let o = PhoneOptions {
            region: "RU",
            default_area_code: None,
            role: PhoneRole::Fax,
        };
        let phones = normalize_phones(
            " ８（４９５）１２３－４５－６７ ; +7 495 123-45-67, доб. 12 ",
            &o,
        );
        let inputs: Vec<_> = phones.iter().map(|p| p.input.as_str()).collect();
        assert_eq!(
            inputs,
            [
                "８（４９５）１２３－４５－６７",
                "+7 495 123-45-67, доб. 12"
            ]
        );
        assert!(phones.iter().all(|p| p.role == PhoneRole::Fax));
        assert_eq!(phones[0].digits, "84951234567");
        assert_eq!(phones[1].digits, "74951234567");
    }

    #[test]
    fn single_number_api_does_not_split() {
        let p = normalize_phone("8 (812) 123-45-67 доб. 7", &opts("RU", None));
        assert_eq!(
            (p.e164.as_deref(), p.extension.as_deref()),
            (Some("+78121234567"), Some("7"))
        );
        let p = normalize_phone("84951234567; 89161234567", &opts("RU", None));
        assert_eq!(p.flags, [PHONE_INVALID]);
        assert_eq!(
            normalize_phone("  ", &opts("RU", None)).flags,
            [PHONE_EMPTY]
        );
    }

    #[test]
    fn trunk_prefixes_come_from_the_metadata() {
        let trunk = |r: &str| Region::from_code(r).ok().and_then(trunk_prefix);
        for r in ["JP", "GB", "DE", "FR"] {
            assert_eq!(trunk(r), Some(b'0'), "{r}");
        }
        for r in ["RU", "KZ", "BY"] {
            assert_eq!(trunk(r), Some(b'8'), "{r}");
        }
        for r in ["US", "IT"] {
            assert_eq!(trunk(r), None, "{r}");
        }
    }

    #[test]
    fn huge_inputs_do_not_panic() {
        let o = opts("RU", Some("495"));
        for cell in [
            "8".repeat(10_000),
            "(".repeat(10_000),
            "(1".repeat(5_000),
            "доб. ".repeat(2_000),
            "8 (495) 123-45-67, ".repeat(500),
            "x1".repeat(5_000),
            " или ".repeat(2_000),
        ] {
            for p in normalize_phones(&cell, &o) {
                assert_consistent(&p);
            }
            assert_consistent(&normalize_phone(&cell, &o));
        }
        assert_eq!(
            normalize_phones(&"8 (495) 123-45-67, ".repeat(500), &o).len(),
            500
        );
    }

    /// Whenever `direct` answers, the parser gives the same number and type; for an invalid
    /// number, the parser finds it invalid too and not a local number it would flag as such.
    fn direct_matches_parser(
        digits: &str,
        plus: bool,
        ctx: &Context,
    ) -> Result<(), proptest::test_runner::TestCaseError> {
        let Some((fast, kind)) = direct(digits, plus, ctx) else {
            return Ok(());
        };
        let slow = if plus {
            parse_international(digits)
        } else {
            parse(digits, ctx.region)
        };
        if kind == PhoneType::Unknown {
            if let Some((n, k)) = slow {
                proptest::prop_assert_eq!(k, PhoneType::Unknown);
                proptest::prop_assert!(!is_local_only(digits, &n, ctx));
            }
        } else {
            proptest::prop_assert_eq!(slow.map(|(n, k)| (e164(&n), k)), Some((e164(&fast), kind)));
        }
        Ok(())
    }

    proptest::proptest! {
        #[test]
        fn never_panics_and_stays_consistent(cell in "\\PC{0,200}", region in "RU|JP|US|GB|ZZ|") {
            for p in normalize_phones(&cell, &opts(&region, Some("495"))) {
                assert_consistent(&p);
            }
            assert_consistent(&normalize_phone(&cell, &opts(&region, None)));
        }

        #[test]
        fn long_arbitrary_strings_never_panic(cell in "[\\PC0-9+()\\-., ]{1000,12000}") {
            for p in normalize_phones(&cell, &opts("JP", None)) {
                assert_consistent(&p);
            }
        }

        /// The direct construction gives what the parser gives whenever it answers.
        #[test]
        fn direct_agrees_with_the_parser(
            national in "[0-9]{9,11}",
            form in 0..3u8,
            region in "RU|KZ|JP|US|CA|GB",
        ) {
            let ctx = Context::new(&opts(&region, None));
            let (digits, plus) = match form {
                0 => (format!("{}{national}", ctx.country_code), true),
                1 => (format!("{}{national}", ctx.trunk.map_or('1', char::from)), false),
                _ => (national, false),
            };
            direct_matches_parser(&digits, plus, &ctx)?;
        }

        /// The same, on numbers that are mostly valid: real area codes, random subscribers.
        #[test]
        fn direct_agrees_with_the_parser_on_real_ranges(
            area in "(3|6|52|90|80|70|120|495|812|916|800|212|312|415|905)",
            rest in "[0-9]{6,9}",
            form in 0..3u8,
            region in "RU|JP|US|CA",
        ) {
            let ctx = Context::new(&opts(&region, None));
            let (digits, plus) = match form {
                0 => (format!("{}{area}{rest}", ctx.country_code), true),
                1 => (format!("{}{area}{rest}", ctx.trunk.map_or('1', char::from)), false),
                _ => (format!("{area}{rest}"), false),
            };
            direct_matches_parser(&digits, plus, &ctx)?;
        }

        /// Writing the result back as `E.164 ext. N` gives the same number and extension.
        #[test]
        fn normalizing_the_output_is_idempotent(
            prefix in "(\\+7|8|7|)",
            area in "(495|812|800|916|3452|999)",
            rest in "[0-9]{3,8}",
            sep in "[ ()\\-]{0,2}",
            ext in proptest::option::of("[0-9]{1,5}"),
            marker in "( доб\\. | ext | x|#| вн\\. | 内線)",
            region in "RU|JP|US|",
        ) {
            let input = match &ext {
                Some(e) => format!("{prefix}{sep}{area}{sep}{rest}{marker}{e}"),
                None => format!("{prefix}{sep}{area}{sep}{rest}"),
            };
            let first = normalize_phone(&input, &opts(&region, None));
            assert_consistent(&first);
            if let Some(e164) = &first.e164 {
                let again = match &first.extension {
                    Some(e) => format!("{e164} ext. {e}"),
                    None => e164.clone(),
                };
                for r in ["RU", "JP", "ZZ"] {
                    let second = normalize_phone(&again, &opts(r, None));
                    proptest::prop_assert_eq!(&second.e164, &first.e164);
                    proptest::prop_assert_eq!(&second.extension, &first.extension);
                    proptest::prop_assert_eq!(second.phone_type, first.phone_type);
                }
            }
        }
    }
}
