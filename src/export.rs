//! Writing CSV for people who open it in Excel: formula injection neutralized.

/// A cell Excel would run as a formula gets a leading `'`. A cell starting with
/// `+`/`-` is only arithmetic unless it can call something (a function `X(`, DDE
/// `|`, a sheet reference `!`), so phones like `+7 812 1234567 доб. 12` stay
/// intact for the scripts that read these files.
pub fn neutralize(value: &str) -> std::borrow::Cow<'_, str> {
    let risky = match value.as_bytes().first() {
        Some(b'=' | b'@' | b'\t' | b'\r') => true,
        Some(b'+' | b'-') => can_call(value),
        _ => false,
    };
    if risky {
        format!("'{value}").into()
    } else {
        value.into()
    }
}

fn can_call(value: &str) -> bool {
    let b = value.as_bytes();
    b.iter().any(|c| matches!(c, b'|' | b'!' | b'=' | b'@'))
        || b.windows(2)
            .any(|w| w[0].is_ascii_alphabetic() && w[1] == b'(')
}

/// A CSV writer whose every field goes through [`neutralize`].
pub struct SafeCsv<W: std::io::Write> {
    inner: csv::Writer<W>,
}

impl<W: std::io::Write> SafeCsv<W> {
    pub fn new(w: W) -> Self {
        SafeCsv {
            inner: csv::WriterBuilder::new()
                .terminator(csv::Terminator::CRLF)
                .from_writer(w),
        }
    }

    pub fn row<I, S>(&mut self, fields: I) -> csv::Result<()>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        self.inner.write_record(
            fields
                .into_iter()
                .map(|f| neutralize(f.as_ref()).into_owned()),
        )
    }

    pub fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralized_numbers_are_not() {
        assert_eq!(
            neutralize("=HYPERLINK(\"http://x\")"),
            "'=HYPERLINK(\"http://x\")"
        );
        assert_eq!(neutralize("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(neutralize("+cmd|' /C calc'!A0"), "'+cmd|' /C calc'!A0");
        assert_eq!(neutralize("-SUM(A1:A9)"), "'-SUM(A1:A9)");
        assert_eq!(
            neutralize("+7 812 1234567 доб. 12"),
            "+7 812 1234567 доб. 12"
        );
        assert_eq!(
            neutralize("+74951234567; +79161234567"),
            "+74951234567; +79161234567"
        );
        assert_eq!(neutralize("+74951234567"), "+74951234567");
        assert_eq!(neutralize("-15.00"), "-15.00");
        assert_eq!(neutralize("ООО Ромашка"), "ООО Ромашка");
        assert_eq!(neutralize(""), "");
    }
}
