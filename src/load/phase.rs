//! `[[phase]]`: which golden records a phased or pilot load includes.
//!
//! Phases go live in golive.toml's order. `--phase N` loads what phases 1..=N
//! select, because what went live earlier keeps receiving its changes (the old
//! system runs in parallel). On top of that: every record already in the
//! crosswalk (it is in the CRM: it stays current), every person whose
//! organization is selected (a company's contacts move with it), and every
//! organization a selected person works for (no contact arrives without its
//! company). The rest waits, with the phase that will take it as the reason.
//!
//! `where` is a small expression over the fields a target column can take
//! (`[target.fields]` names) and `source`:
//! `region = 'Tokyo' and (owner in ('Sato', 'Ito') or city starts with 'Yoko')`.
//! Operators: `=`, `!=`, `in (…)`, `not in (…)`, `contains`, `starts with`,
//! `is empty`, `is not empty`; `and`, `or`, `not`, parentheses. Text compares
//! as matching does: NFKC, case and Ё/Е folded.

use crate::config::{Config, PhaseConfig};
use crate::error::{Error, Result};
use crate::load::Record;
use crate::load::target::{Expr, RecordView, Value};
use crate::model::Kind;
use crate::normalize::text::fold;
use std::collections::{HashMap, HashSet};

/// The compiled phases of a project.
#[derive(Debug)]
pub struct Phases {
    phases: Vec<Phase>,
}

#[derive(Debug)]
struct Phase {
    name: String,
    /// Every filter the phase gives; all must hold.
    filters: Vec<Filter>,
}

#[derive(Clone, Debug, PartialEq)]
enum Filter {
    All(Vec<Filter>),
    Any(Vec<Filter>),
    Not(Box<Filter>),
    Test { subject: Subject, test: Test },
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Subject {
    /// The sources of the golden record's members (any of them).
    Source,
    Field(Expr),
}

#[derive(Clone, Debug, PartialEq)]
enum Test {
    /// Equal to one of these (folded).
    Equals(Vec<String>),
    Contains(String),
    StartsWith(String),
    Empty,
}

/// What a load of one phase takes: the golden IDs it leaves for later, each
/// with its reason, and those it brings forward for their contacts.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Selection {
    pub phase: String,
    pub deferred: HashMap<String, String>,
    pub pulled: HashSet<String>,
}

/// What a phased load keeps of one golden record.
#[derive(Clone, Debug)]
pub struct Candidate {
    pub golden_id: String,
    pub kind: Kind,
    /// Members from the sources (none: only in the target's export).
    pub source_members: usize,
    /// The first phase whose filters it meets.
    pub first: Option<usize>,
}

impl Phases {
    /// Compile golive.toml's phases; a bad `where` names its line.
    pub fn compile(config: &Config) -> Result<Self> {
        let toml = config.dir.join(crate::config::FILE_NAME);
        let phases = config
            .phases
            .iter()
            .map(|p| {
                compile_phase(p).map_err(|(line, message)| Error::Config {
                    path: toml.clone(),
                    line,
                    message,
                })
            })
            .collect::<Result<_>>()?;
        Ok(Phases { phases })
    }

    /// Position of the phase `name` (checked by [`Config::phase`]).
    fn position(&self, name: &str) -> Option<usize> {
        self.phases.iter().position(|p| p.name == name)
    }

    /// `record` as the phases see it, with the sources of its members.
    pub fn candidate(&self, record: &Record, sources: &[String]) -> Candidate {
        let view = RecordView {
            golden_id: &record.golden_id,
            party: &record.party,
            external_id: "",
            target_id: "",
            company: None,
        };
        Candidate {
            golden_id: record.golden_id.clone(),
            kind: record.party.kind,
            source_members: record.source_members,
            first: self
                .phases
                .iter()
                .position(|p| p.filters.iter().all(|f| f.holds(&view, sources))),
        }
    }

    /// What a load of phase `name` takes of `candidates`: organizations and
    /// persons, with `person_organization` (person golden ID → organization
    /// golden ID) and `loaded` (golden IDs already in the CRM).
    pub fn select(
        &self,
        name: &str,
        candidates: &[Candidate],
        person_organization: &HashMap<String, String>,
        loaded: &HashSet<&str>,
    ) -> Result<Selection> {
        let Some(upto) = self.position(name) else {
            return Err(Error::Usage(format!("--phase {name}: no such [[phase]]")));
        };
        let own: HashMap<&str, Option<usize>> = candidates
            .iter()
            .map(|c| (c.golden_id.as_str(), c.first))
            .collect();
        // A person goes live with its organization, if that comes first.
        let phase_of = |c: &Candidate| -> Option<usize> {
            let mine = own[c.golden_id.as_str()];
            if c.kind != Kind::Person {
                return mine;
            }
            let org = person_organization
                .get(&c.golden_id)
                .and_then(|o| own.get(o.as_str()).copied().flatten());
            match (mine, org) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            }
        };
        let mut selection = Selection {
            phase: name.to_string(),
            ..Selection::default()
        };
        let mut taken: HashSet<&str> = HashSet::new();
        for c in candidates {
            let id = c.golden_id.as_str();
            // Only in the target: nothing to load, nothing to wait for.
            if c.source_members == 0 || loaded.contains(id) {
                taken.insert(id);
                continue;
            }
            match phase_of(c) {
                Some(p) if p <= upto => {
                    taken.insert(id);
                }
                Some(p) => {
                    selection.deferred.insert(
                        id.to_string(),
                        format!("waits for phase `{}`", self.phases[p].name),
                    );
                }
                None => {
                    selection.deferred.insert(
                        id.to_string(),
                        "in no [[phase]], so no phased load takes it: widen a phase's filters, or load without --phase".to_string(),
                    );
                }
            }
        }
        for c in candidates {
            let id = c.golden_id.as_str();
            // A contact only in the target sends nothing: it brings nothing forward.
            if c.kind != Kind::Person || c.source_members == 0 || !taken.contains(id) {
                continue;
            }
            if let Some(org) = person_organization.get(id)
                && selection.deferred.remove(org).is_some()
            {
                selection.pulled.insert(org.clone());
            }
        }
        Ok(selection)
    }

    /// How many of `candidates` each phase selects first, in order.
    pub fn counts(&self, candidates: &[Candidate]) -> Vec<(String, usize)> {
        let mut n = vec![0usize; self.phases.len()];
        for c in candidates {
            if let Some(p) = c.first {
                n[p] += 1;
            }
        }
        self.phases.iter().map(|p| p.name.clone()).zip(n).collect()
    }
}

impl Filter {
    fn holds(&self, view: &RecordView<'_>, sources: &[String]) -> bool {
        match self {
            Filter::All(fs) => fs.iter().all(|f| f.holds(view, sources)),
            Filter::Any(fs) => fs.iter().any(|f| f.holds(view, sources)),
            Filter::Not(f) => !f.holds(view, sources),
            Filter::Test { subject, test } => match subject {
                Subject::Source => match test {
                    // A glob source's files are `name/stem`: its name selects them all.
                    Test::Equals(vs) => sources.iter().any(|s| {
                        let s = fold(s);
                        vs.iter().any(|v| {
                            s == *v
                                || s.strip_prefix(v.as_str())
                                    .is_some_and(|r| r.starts_with('/'))
                        })
                    }),
                    Test::Empty => sources.is_empty(),
                    t => sources.iter().any(|s| t.holds(&fold(s))),
                },
                Subject::Field(e) => test.holds(&fold(&view.value(&Value::Field(*e)))),
            },
        }
    }
}

impl Test {
    fn holds(&self, value: &str) -> bool {
        match self {
            Test::Equals(vs) => vs.iter().any(|v| v == value),
            Test::Contains(v) => value.contains(v.as_str()),
            Test::StartsWith(v) => value.starts_with(v.as_str()),
            Test::Empty => value.is_empty(),
        }
    }
}

fn compile_phase(p: &PhaseConfig) -> std::result::Result<Phase, (usize, String)> {
    let list = |subject: Subject, values: &[String]| Filter::Test {
        subject,
        test: Test::Equals(values.iter().map(|v| fold(v)).collect()),
    };
    let mut filters = Vec::new();
    if !p.sources.is_empty() {
        filters.push(list(Subject::Source, &p.sources));
    }
    if !p.region.is_empty() {
        filters.push(list(Subject::Field(Expr::Region), &p.region));
    }
    if !p.owner.is_empty() {
        filters.push(list(Subject::Field(Expr::Owner), &p.owner));
    }
    if let Some((text, line)) = &p.filter {
        let f = parse(text).map_err(|m| (*line, format!("phase `{}` where: {m}", p.name)))?;
        filters.push(f);
    }
    Ok(Phase {
        name: p.name.clone(),
        filters,
    })
}

#[derive(Clone, Debug, PartialEq)]
enum Token {
    Word(String),
    Quoted(String),
    Open,
    Close,
    Comma,
    Eq,
    Ne,
}

impl Token {
    fn show(&self) -> String {
        match self {
            Token::Word(w) => format!("`{w}`"),
            Token::Quoted(q) => format!("'{q}'"),
            Token::Open => "`(`".into(),
            Token::Close => "`)`".into(),
            Token::Comma => "`,`".into(),
            Token::Eq => "`=`".into(),
            Token::Ne => "`!=`".into(),
        }
    }
}

fn tokens(text: &str) -> std::result::Result<Vec<Token>, String> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(&c) = chars.peek() {
        match c {
            c if c.is_whitespace() => {
                chars.next();
            }
            '(' | ')' | ',' | '=' => {
                chars.next();
                out.push(match c {
                    '(' => Token::Open,
                    ')' => Token::Close,
                    ',' => Token::Comma,
                    _ => Token::Eq,
                });
            }
            '!' => {
                chars.next();
                if chars.next() != Some('=') {
                    return Err("`!` must be followed by `=` (`!=`: not equal)".into());
                }
                out.push(Token::Ne);
            }
            '\'' | '"' => {
                chars.next();
                let mut s = String::new();
                loop {
                    match chars.next() {
                        // A doubled quote is the quote itself.
                        Some(q) if q == c && chars.peek() == Some(&c) => {
                            chars.next();
                            s.push(c);
                        }
                        Some(q) if q == c => break,
                        Some(x) => s.push(x),
                        None => return Err(format!("the text {c}{s} has no closing {c}")),
                    }
                }
                out.push(Token::Quoted(s));
            }
            _ => {
                let mut w = String::new();
                while let Some(&x) = chars.peek() {
                    if x.is_whitespace() || "(),=!'\"".contains(x) {
                        break;
                    }
                    w.push(x);
                    chars.next();
                }
                out.push(Token::Word(w));
            }
        }
    }
    Ok(out)
}

/// Parse a `where` expression.
fn parse(text: &str) -> std::result::Result<Filter, String> {
    let tokens = tokens(text)?;
    let mut p = Parser { tokens, at: 0 };
    if p.tokens.is_empty() {
        return Err("empty: write a condition, e.g. city = 'Osaka'".into());
    }
    let f = p.or()?;
    match p.peek() {
        None => Ok(f),
        Some(t) => Err(format!(
            "{} after a complete condition: join conditions with `and` / `or`",
            t.show()
        )),
    }
}

struct Parser {
    tokens: Vec<Token>,
    at: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn next(&mut self) -> Option<Token> {
        let t = self.tokens.get(self.at).cloned();
        self.at += 1;
        t
    }

    /// Whether the next token is the keyword `k` (any case); takes it if so.
    fn keyword(&mut self, k: &str) -> bool {
        match self.peek() {
            Some(Token::Word(w)) if w.eq_ignore_ascii_case(k) => {
                self.at += 1;
                true
            }
            _ => false,
        }
    }

    /// `item (word item)*`; a single item stands as it is.
    fn chain(
        &mut self,
        word: &str,
        item: fn(&mut Self) -> std::result::Result<Filter, String>,
        join: fn(Vec<Filter>) -> Filter,
    ) -> std::result::Result<Filter, String> {
        let mut items = vec![item(self)?];
        while self.keyword(word) {
            items.push(item(self)?);
        }
        Ok(if items.len() == 1 {
            items.remove(0)
        } else {
            join(items)
        })
    }

    fn or(&mut self) -> std::result::Result<Filter, String> {
        self.chain("or", Self::and, Filter::Any)
    }

    fn and(&mut self) -> std::result::Result<Filter, String> {
        self.chain("and", Self::unary, Filter::All)
    }

    fn unary(&mut self) -> std::result::Result<Filter, String> {
        if self.keyword("not") {
            return Ok(Filter::Not(Box::new(self.unary()?)));
        }
        if self.peek() == Some(&Token::Open) {
            self.at += 1;
            let f = self.or()?;
            return match self.next() {
                Some(Token::Close) => Ok(f),
                Some(t) => Err(format!("{} where `)` closes the `(`", t.show())),
                None => Err("a `(` is not closed".into()),
            };
        }
        self.test()
    }

    fn test(&mut self) -> std::result::Result<Filter, String> {
        let subject = match self.next() {
            Some(Token::Word(w)) => subject(&w)?,
            Some(t) => return Err(format!("{} where a field name belongs", t.show())),
            None => return Err("a field name is missing at the end".into()),
        };
        let fold_value = |v: String| fold(&v);
        let test = |test| Filter::Test { subject, test };
        match self.next() {
            Some(Token::Eq) => Ok(test(Test::Equals(vec![fold_value(self.value()?)]))),
            Some(Token::Ne) => Ok(Filter::Not(Box::new(test(Test::Equals(vec![fold_value(
                self.value()?,
            )]))))),
            Some(Token::Word(w)) if w.eq_ignore_ascii_case("in") => {
                Ok(test(Test::Equals(self.list()?)))
            }
            Some(Token::Word(w)) if w.eq_ignore_ascii_case("not") => {
                if !self.keyword("in") {
                    return Err("`not` after a field must be `not in (…)`".into());
                }
                Ok(Filter::Not(Box::new(test(Test::Equals(self.list()?)))))
            }
            Some(Token::Word(w)) if w.eq_ignore_ascii_case("contains") => {
                Ok(test(Test::Contains(fold_value(self.value()?))))
            }
            Some(Token::Word(w)) if w.eq_ignore_ascii_case("starts") => {
                if !self.keyword("with") {
                    return Err("write `starts with 'text'`".into());
                }
                Ok(test(Test::StartsWith(fold_value(self.value()?))))
            }
            Some(Token::Word(w)) if w.eq_ignore_ascii_case("is") => {
                let negated = self.keyword("not");
                if !self.keyword("empty") {
                    return Err("write `is empty` or `is not empty`".into());
                }
                let f = test(Test::Empty);
                Ok(if negated { Filter::Not(Box::new(f)) } else { f })
            }
            Some(t) => Err(format!(
                "{} where an operator belongs: use =, !=, in (…), not in (…), contains, starts with, is empty, is not empty",
                t.show()
            )),
            None => Err("an operator is missing at the end (=, !=, in, contains…)".into()),
        }
    }

    fn value(&mut self) -> std::result::Result<String, String> {
        match self.next() {
            Some(Token::Quoted(q)) => Ok(q),
            Some(Token::Word(w)) if !matches!(w.to_ascii_lowercase().as_str(), "and" | "or") => {
                Ok(w)
            }
            Some(t) => Err(format!(
                "{} where a value belongs ('quoted text')",
                t.show()
            )),
            None => Err("a value is missing at the end".into()),
        }
    }

    fn list(&mut self) -> std::result::Result<Vec<String>, String> {
        if self.next() != Some(Token::Open) {
            return Err("`in` takes a list in parentheses: in ('Tokyo', 'Osaka')".into());
        }
        let mut values = vec![fold(&self.value()?)];
        loop {
            match self.next() {
                Some(Token::Comma) => values.push(fold(&self.value()?)),
                Some(Token::Close) => return Ok(values),
                Some(t) => return Err(format!("{} in a list: separate values with `,`", t.show())),
                None => return Err("a list is not closed with `)`".into()),
            }
        }
    }
}

fn subject(word: &str) -> std::result::Result<Subject, String> {
    if word.eq_ignore_ascii_case("source") {
        return Ok(Subject::Source);
    }
    match Expr::parse(&word.to_ascii_lowercase()) {
        Some(Value::Field(
            e @ (Expr::CompanyName
            | Expr::CompanyExternalId
            | Expr::CompanyKey
            | Expr::ExternalId
            | Expr::TargetId
            | Expr::RecordKey),
        )) => Err(format!(
            "`{}` is decided by the load, so a phase cannot test it (a person goes with its organization's phase anyway): test golden_id or the record's own fields",
            e.name()
        )),
        Some(Value::Field(e)) => Ok(Subject::Field(e)),
        _ => Err(format!(
            "unknown field `{word}`: use source or a [target.fields] name ({})",
            Expr::ALL
                .iter()
                .map(|(_, n, _)| *n)
                .filter(|n| {
                    !n.starts_with("company_")
                        && !matches!(*n, "external_id" | "target_id" | "record_key")
                })
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Address, Field, OrgName, Party};

    fn org(id: &str, name: &str, city: &str, owner: &str) -> Record {
        let mut party = Party {
            kind: Kind::Organization,
            org: Some(OrgName {
                input: name.into(),
                name: name.into(),
                ..OrgName::default()
            }),
            address: Address {
                city: Some(city.into()),
                ..Address::default()
            },
            ..Party::default()
        };
        party.original.insert(Field::Owner, owner.into());
        party.original.insert(Field::Name, name.into());
        Record {
            golden_id: id.into(),
            party,
            existing: Vec::new(),
            source_members: 1,
            anchor: String::new(),
        }
    }

    fn person(id: &str) -> Record {
        Record {
            golden_id: id.into(),
            party: Party {
                kind: Kind::Person,
                ..Party::default()
            },
            existing: Vec::new(),
            source_members: 1,
            anchor: String::new(),
        }
    }

    /// Phases from (name, `where`) pairs.
    fn phases(list: &[(&str, &str)]) -> Phases {
        Phases {
            phases: list
                .iter()
                .map(|(name, expr)| Phase {
                    name: name.to_string(),
                    filters: vec![parse(expr).unwrap()],
                })
                .collect(),
        }
    }

    fn as_candidates(phases: &Phases, records: &[Record]) -> Vec<Candidate> {
        records.iter().map(|r| phases.candidate(r, &[])).collect()
    }

    fn holds(expr: &str, r: &Record, sources: &[&str]) -> bool {
        let f = parse(expr).unwrap_or_else(|e| panic!("{expr}: {e}"));
        let sources: Vec<String> = sources.iter().map(|s| s.to_string()).collect();
        let view = RecordView {
            golden_id: &r.golden_id,
            party: &r.party,
            external_id: "",
            target_id: "",
            company: None,
        };
        f.holds(&view, &sources)
    }

    #[test]
    fn expressions_test_fields_folded_with_and_or_not_and_lists() {
        let r = org("O1", "Ромашка", "Москва", "Ivanov");
        let s = &["crm"];
        assert!(holds("city = 'москва'", &r, s));
        assert!(holds("CITY = МОСКВА", &r, s));
        assert!(!holds("city != 'Москва'", &r, s));
        assert!(holds("city in ('Казань', 'Москва')", &r, s));
        assert!(!holds("city not in ('Казань', 'Москва')", &r, s));
        assert!(holds("name contains 'маш'", &r, s));
        assert!(holds("name starts with 'ром'", &r, s));
        assert!(holds("region is empty and owner is not empty", &r, s));
        assert!(holds(
            "owner = 'Petrov' or (city = 'Москва' and not owner = 'Sidorov')",
            &r,
            s
        ));
        assert!(!holds("owner = 'Petrov' or city = 'Казань'", &r, s));
        // `and` binds tighter than `or`.
        assert!(holds(
            "owner = 'Ivanov' or city = 'x' and city = 'y'",
            &r,
            s
        ));
        assert!(holds("source = crm", &r, s));
        assert!(holds("source = 'sheets'", &r, &["sheets/2024"]));
        assert!(!holds("source = 'sheet'", &r, &["sheets/2024"]));
        assert!(holds("name = 'It''s'", &org("O2", "It's", "", ""), s));
    }

    #[test]
    fn mistakes_in_an_expression_say_what_belongs_there() {
        for (expr, says) in [
            ("", "empty"),
            ("regoin = 'Tokyo'", "unknown field `regoin`"),
            ("city 'Tokyo'", "where an operator belongs"),
            ("city =", "value is missing"),
            ("city = 'Tokyo", "no closing '"),
            ("city in 'Tokyo'", "list in parentheses"),
            ("(city = 'a'", "not closed"),
            ("city = 'a' city = 'b'", "join conditions with `and`"),
            ("company_name = 'x'", "decided by the load"),
            ("target_id is empty", "decided by the load"),
            ("city ! 'a'", "`!=`"),
        ] {
            let e = parse(expr).expect_err(expr);
            assert!(e.contains(says), "{expr}: {e}");
        }
    }

    #[test]
    fn phases_accumulate_and_contacts_move_with_their_company() {
        let phases = phases(&[("moscow", "city = 'Москва'"), ("kazan", "city = 'Казань'")]);
        let records = [
            org("O1", "Ромашка", "Москва", ""),
            org("O2", "Лютик", "Казань", ""),
            org("O3", "Василёк", "Омск", ""),
            org("O4", "Астра", "Омск", ""),
            person("P1"),
            person("P2"),
            person("P4"),
        ];
        let candidates = as_candidates(&phases, &records);
        let works_at: HashMap<String, String> = [("P1", "O1"), ("P2", "O2"), ("P4", "O4")]
            .into_iter()
            .map(|(p, o)| (p.to_string(), o.to_string()))
            .collect();
        let loaded: HashSet<&str> = HashSet::new();
        let first = phases
            .select("moscow", &candidates, &works_at, &loaded)
            .unwrap();
        let mut deferred: Vec<(&str, &str)> = first
            .deferred
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        deferred.sort();
        assert_eq!(deferred.len(), 5, "{deferred:?}");
        assert_eq!(deferred[0], ("O2", "waits for phase `kazan`"));
        assert!(deferred[1].1.starts_with("in no [[phase]]"));
        assert_eq!(deferred[3], ("P2", "waits for phase `kazan`"));
        assert!(!first.deferred.contains_key("P1") && first.pulled.is_empty());

        // Phase 2 takes phase 1 too. O4 was loaded meanwhile (by hand, say),
        // yet its new contact P4 still waits: only a selected organization
        // takes its contacts along.
        let loaded: HashSet<&str> = ["O1", "P1", "O4"].into_iter().collect();
        let second = phases
            .select("kazan", &candidates, &works_at, &loaded)
            .unwrap();
        let mut left: Vec<&str> = second.deferred.keys().map(String::as_str).collect();
        left.sort();
        assert_eq!(
            left,
            ["O3", "P4"],
            "P4's company is loaded, but P4 is in no phase"
        );
        assert_eq!(
            phases.counts(&candidates),
            [("moscow".to_string(), 1), ("kazan".to_string(), 1)]
        );
    }

    #[test]
    fn a_selected_contact_brings_its_organization_forward() {
        let phases = phases(&[("pilot", "owner = 'Sato'"), ("rest", "owner is not empty")]);
        let mut p = person("P1");
        p.party.original.insert(Field::Owner, "Sato".into());
        let records = [org("O1", "三和印刷", "大阪市", "Ito"), p];
        let candidates = as_candidates(&phases, &records);
        let works_at: HashMap<String, String> =
            [("P1".to_string(), "O1".to_string())].into_iter().collect();
        let s = phases
            .select("pilot", &candidates, &works_at, &HashSet::new())
            .unwrap();
        assert!(s.deferred.is_empty(), "{s:?}");
        assert_eq!(s.pulled, ["O1".to_string()].into_iter().collect());

        // The same contact only in the CRM's export sends nothing: its
        // company waits for its own phase.
        let mut records = records;
        records[1].source_members = 0;
        let candidates = as_candidates(&phases, &records);
        let s = phases
            .select("pilot", &candidates, &works_at, &HashSet::new())
            .unwrap();
        assert!(s.pulled.is_empty(), "{s:?}");
        assert_eq!(s.deferred["O1"], "waits for phase `rest`");
    }
}
