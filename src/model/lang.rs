//! The languages golive writes its reports, workbooks and summaries in.

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Lang {
    En,
    Ru,
    Ja,
}

impl Lang {
    pub const ALL: [Lang; 3] = [Lang::En, Lang::Ru, Lang::Ja];

    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ru => "ru",
            Lang::Ja => "ja",
        }
    }

    /// The language a project's region suggests.
    pub fn of_region(region: &str) -> Lang {
        match region {
            "RU" | "BY" | "KZ" | "KG" | "UA" => Lang::Ru,
            "JP" => Lang::Ja,
            _ => Lang::En,
        }
    }
}

impl std::str::FromStr for Lang {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Lang::ALL
            .into_iter()
            .find(|l| l.code() == s.trim().to_ascii_lowercase())
            .ok_or_else(|| format!("unknown language `{s}` (use en, ru or ja)"))
    }
}
