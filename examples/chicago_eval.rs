//! Pairwise precision / recall / F1 of the matching engine on the Chicago
//! early-childhood truth set (dedupeio/dedupe-examples, 3,337 records).
//!
//! cargo run --release --example chicago_eval [-- PATH] [--explain N]

use golive::matching::{self, Constraints, Decision, Engine, MatchConfig};
use golive::model::{Address, Field, Kind, OrgName, Party, Phone, Provenance};
use golive::normalize::address::address_key;
use std::time::Instant;

const DEFAULT: &str =
    "/work/shared/bench-data/chicago-childcare/csv_example_input_with_true_ids.csv";

/// TEMPORARY: stands in for `normalize::org` (still a stub on this branch):
/// lower case, apostrophes dropped, other punctuation → space, a few legal
/// forms removed. Replace with `normalize_org_name(..).match_key` once merged.
fn temp_org_key(s: &str) -> String {
    let lower = s.to_lowercase();
    let cleaned: String = lower
        .chars()
        .filter(|c| !matches!(c, '\'' | '’' | '?'))
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect();
    cleaned
        .split_whitespace()
        .filter(|t| {
            !matches!(
                *t,
                "inc" | "incorporated" | "llc" | "corp" | "corporation" | "co" | "ltd"
            )
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// TEMPORARY: stands in for `normalize::phone`: the digits only, no E.164
/// (the file's numbers are mostly bare 7-digit local numbers).
fn temp_phone(s: &str) -> Vec<Phone> {
    let digits: String = s.chars().filter(char::is_ascii_digit).collect();
    if digits.is_empty() {
        return Vec::new();
    }
    vec![Phone {
        input: s.to_string(),
        digits,
        ..Phone::default()
    }]
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let path = args
        .iter()
        .find(|a| !a.starts_with("--") && a.parse::<usize>().is_err())
        .cloned();
    let explain: usize = args
        .iter()
        .position(|a| a == "--explain")
        .and_then(|i| args.get(i + 1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    let path = path.unwrap_or_else(|| DEFAULT.to_string());

    let mut rdr = csv::Reader::from_path(&path)?;
    let headers = rdr.headers()?.clone();
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .ok_or(format!("no column {name}"))
    };
    let (c_true, c_id, c_src, c_name, c_addr, c_zip, c_phone) = (
        col("True Id")?,
        col("Id")?,
        col("Source")?,
        col("Site name")?,
        col("Address")?,
        col("Zip")?,
        col("Phone")?,
    );
    let mut parties = Vec::new();
    let mut truth = Vec::new();
    for (row, rec) in rdr.records().enumerate() {
        let rec = rec?;
        let get = |i: usize| rec.get(i).unwrap_or("").trim().to_string();
        let name = get(c_name);
        let addr = get(c_addr);
        let zip = get(c_zip);
        let mut original = std::collections::BTreeMap::new();
        original.insert(Field::Name, name.clone());
        original.insert(Field::Address, addr.clone());
        original.insert(Field::PostalCode, zip.clone());
        original.insert(Field::Phone, get(c_phone));
        parties.push(Party {
            id: row as i64 + 1,
            provenance: Provenance {
                source: get(c_src),
                file: path.clone(),
                row: row as u64 + 2,
                source_key: get(c_id),
                ..Provenance::default()
            },
            kind: Kind::Organization,
            original,
            org: Some(OrgName {
                input: name.clone(),
                match_key: temp_org_key(&name),
                name,
                ..OrgName::default()
            }),
            phones: temp_phone(&get(c_phone)),
            address: Address {
                match_key: address_key(&addr),
                full: addr,
                postal_code: (!zip.is_empty()).then_some(zip),
                ..Address::default()
            },
            ..Party::default()
        });
        truth.push(get(c_true));
    }

    let t0 = Instant::now();
    // Optional overrides for experiments: GOLIVE_MATCH_CONFIG='{"blocking":{"lsh_bands":0}}'
    let config: MatchConfig = match std::env::var("GOLIVE_MATCH_CONFIG") {
        Ok(json) => serde_json::from_str(&json)?,
        Err(_) => MatchConfig::default(),
    };
    let engine = Engine::new(&parties, config);
    let result = engine.run(&Constraints::default(), None);
    let elapsed = t0.elapsed();
    let s = matching::pairwise(&result.clustering.cluster_of, &truth);
    println!("records          {}", parties.len());
    println!("candidate pairs  {}", result.stats.candidate_pairs);
    println!(
        "match / review   {} / {}",
        result.stats.matches, result.stats.reviews
    );
    println!(
        "clusters         {} ({} with 2+)",
        result.stats.clusters, result.stats.multi_clusters
    );
    println!("capped blocks    {}", result.blocking.capped.len());
    println!("bridges cut      {}", result.clustering.cut_bridges.len());
    let checksum = result
        .clustering
        .cluster_of
        .iter()
        .fold(0xcbf2_9ce4_8422_2325u64, |h, &c| {
            (h ^ c as u64).wrapping_mul(0x100_0000_01b3)
        });
    println!("clusters digest  {checksum:016x} (same input → same digest)");
    println!("engine time      {:.3} s", elapsed.as_secs_f64());
    println!(
        "pairwise         precision {:.4}  recall {:.4}  F1 {:.4}  (tp {}, predicted {}, true {})",
        s.precision, s.recall, s.f1, s.true_positives, s.predicted_pairs, s.true_pairs
    );
    let org = &result.params.by_kind[&Kind::Organization];
    println!(
        "lambda {:.4}, EM iterations {}, converged {}",
        org.lambda, org.em_iterations, org.converged
    );
    if explain > 0 {
        for f in &org.fields {
            let ws: Vec<String> = f
                .levels
                .iter()
                .skip(1)
                .map(|l| format!("{} {:+.1}", l.label, (l.m / l.u).log2()))
                .collect();
            println!("  {:<12} {}", f.field.as_str(), ws.join(", "));
        }
        // False positives and false negatives among scored pairs.
        let (mut fp, mut fneg) = (0, 0);
        for p in &result.pairs {
            let same = truth[p.a as usize] == truth[p.b as usize];
            let joined = result.clustering.cluster_of[p.a as usize]
                == result.clustering.cluster_of[p.b as usize];
            let show = (!same && joined && fp < explain)
                || (same && !joined && p.decision == Decision::Review && fneg < explain);
            if show {
                if same {
                    fneg += 1
                } else {
                    fp += 1
                }
                let (a, b) = (&parties[p.a as usize], &parties[p.b as usize]);
                println!(
                    "{} [{}] {:?} | {:?} {:?}\n   vs [{}] {:?} | {:?} {:?}\n   {}",
                    if same { "FN" } else { "FP" },
                    truth[p.a as usize],
                    a.org.as_ref().unwrap().name,
                    a.address.full,
                    a.original(Field::Phone),
                    truth[p.b as usize],
                    b.org.as_ref().unwrap().name,
                    b.address.full,
                    b.original(Field::Phone),
                    engine.explain(&result.params, p.a as usize, p.b as usize)
                );
            }
        }
    }
    Ok(())
}
