//! Every quality-flag code golive writes, in one registry: stages flag rows
//! and parties with these, status and reports count them, and [`ALL`] lets a
//! test (and a debug build) refuse a code nobody registered.

// normalize
pub const EMAIL_INVALID: &str = "email_invalid";
pub const WEBSITE_INVALID: &str = "website_invalid";
/// A phone invalid under the source's region was valid under a region the row
/// or the project hints at.
pub const PHONE_REGION_INFERRED: &str = "phone_region_inferred";
/// A cell that says "nothing here" («нет», "n/a", «Форма обратной связи»): dropped.
pub const PLACEHOLDER: &str = "placeholder_value";
/// A free-mail domain (gmail.com) in a website column is no company's site.
pub const WEBSITE_FREE_MAIL: &str = "website_free_mail";
/// The legal form column holds a form golive does not know; kept as written.
pub const LEGAL_FORM_UNKNOWN: &str = "legal_form_unknown";
// tax IDs
/// The check digit does not match: a typo, or not the kind of number assumed.
pub const TAX_ID_CHECKSUM: &str = "tax_id_checksum";
/// Wrong length or characters for any known identifier (or for the kind a
/// label names), an unknown EIN prefix, or text that is not an identifier.
pub const TAX_ID_FORMAT: &str = "tax_id_format";
/// Excel dropped a leading zero (ИНН of regions 01–09); the checksum confirmed
/// the padded number, which is what `normalized` holds (`repaired = true`).
pub const TAX_ID_LEADING_ZERO_RESTORED: &str = "tax_id_leading_zero_restored";
/// Written in scientific notation (`7.70708E+09`). Repaired only when the
/// mantissa still holds every digit and the checksum confirms; otherwise the
/// digits are lost, `normalized` is empty and only the kind is guessed from the
/// exponent.
pub const TAX_ID_EXCEL_SCIENTIFIC: &str = "tax_id_excel_scientific";
/// Written as a float (`7707083893.0`); the integer part was used.
pub const TAX_ID_EXCEL_FLOAT: &str = "tax_id_excel_float";
/// The cell held an ИНН and a КПП together; see the module documentation.
pub const TAX_ID_COMBINED_INN_KPP: &str = "tax_id_combined_inn_kpp";
/// EU VAT number of a country whose checksum is not implemented: `valid`
/// means the format only (BG CY CZ ES IE LT LV MT RO, UK GD/HA numbers).
pub const TAX_ID_FORMAT_ONLY: &str = "tax_id_format_only";
/// A number that is no identifier the region (or a label) allows: kept as
/// written, neither valid nor called wrong (kind `unknown`).
pub const TAX_ID_UNKNOWN_TYPE: &str = "tax_id_unknown_type";
// phones
/// Blank input (only [`normalize_phone`]; a blank cell gives no phones at all).
pub const PHONE_EMPTY: &str = "phone_empty";
/// Text without a single digit (`нет`, `-`, `см. сайт`).
pub const PHONE_NO_DIGITS: &str = "phone_no_digits";
/// Digits that do not form a valid number of any numbering plan (wrong length, unused range,
/// unparseable).
pub const PHONE_INVALID: &str = "phone_invalid";
/// A local number written without its area code (RU `123-45-67`, JP `1234-5678`) and no
/// default area code given: the number is kept in `digits`, never completed by guessing.
pub const PHONE_NO_AREA_CODE: &str = "phone_no_area_code";
/// `PhoneOptions::default_area_code` was put in front of a local number.
pub const PHONE_AREA_CODE_ADDED: &str = "phone_area_code_added";
/// A national number of a country whose trunk prefix is `0` (JP, GB, DE…) was written without
/// it (`312345678`, `90-1234-5678`): typically Excel stored it as a number. The E.164 is
/// still right; the flag says the source was damaged.
pub const PHONE_LEADING_ZERO_RESTORED: &str = "phone_leading_zero_restored";
/// `PhoneOptions::region` is not a region libphonenumber knows, and the number was not written
/// internationally (`+…`, `00…`), so it could not be read. Comes with `phone_invalid`.
pub const PHONE_UNKNOWN_REGION: &str = "phone_unknown_region";
// ingest
pub const DUPLICATE_SOURCE_KEY: &str = "duplicate_source_key";
pub const UNKNOWN_KIND_VALUE: &str = "unknown_kind_value";
pub const SHORT_ROW: &str = "short_row";
/// A cell held bytes the file's encoding cannot decode (shown as U+FFFD);
/// the row is kept, the rest of the cell is right.
pub const UNDECODABLE_BYTES: &str = "undecodable_bytes";
/// A person linked to the organization of the same row; the detail is the
/// organization's source key.
pub const SAME_ROW: &str = "same_row";
/// A party read from the second party's columns of a row (a company's contact
/// person, a contact's company); the detail is the main party's source key.
pub const SECOND_PARTY: &str = "second_party_in_row";
/// A rejected row read from its fix in `sources/rejects*.csv`; the detail
/// names the file.
pub const ROW_FIXED: &str = "row_fixed_from_rejects";
// Excel damage
pub const NUMBER_IN_IDENTIFIER: &str = "excel_number_in_identifier";
pub const SCIENTIFIC_NOTATION: &str = "excel_scientific_notation";
pub const DATE_IN_IDENTIFIER: &str = "excel_date_in_identifier";

/// Every registered code.
pub const ALL: &[&str] = &[
    EMAIL_INVALID,
    WEBSITE_INVALID,
    PHONE_REGION_INFERRED,
    PLACEHOLDER,
    WEBSITE_FREE_MAIL,
    LEGAL_FORM_UNKNOWN,
    TAX_ID_CHECKSUM,
    TAX_ID_FORMAT,
    TAX_ID_LEADING_ZERO_RESTORED,
    TAX_ID_EXCEL_SCIENTIFIC,
    TAX_ID_EXCEL_FLOAT,
    TAX_ID_COMBINED_INN_KPP,
    TAX_ID_FORMAT_ONLY,
    TAX_ID_UNKNOWN_TYPE,
    PHONE_EMPTY,
    PHONE_NO_DIGITS,
    PHONE_INVALID,
    PHONE_NO_AREA_CODE,
    PHONE_AREA_CODE_ADDED,
    PHONE_LEADING_ZERO_RESTORED,
    PHONE_UNKNOWN_REGION,
    DUPLICATE_SOURCE_KEY,
    UNKNOWN_KIND_VALUE,
    SHORT_ROW,
    UNDECODABLE_BYTES,
    SAME_ROW,
    SECOND_PARTY,
    ROW_FIXED,
    NUMBER_IN_IDENTIFIER,
    SCIENTIFIC_NOTATION,
    DATE_IN_IDENTIFIER,
];

pub fn is_registered(code: &str) -> bool {
    ALL.contains(&code)
}
