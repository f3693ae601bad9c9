//! `out/report.html`: one self-contained page (no scripts, no network assets),
//! its charts inline SVG, so it opens the same on a customer's laptop offline.

use super::{Count, Report, label};
use crate::model::lang::Lang;
use std::fmt::Write as _;

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

// Fonts named for Cyrillic and Japanese too, so a customer's laptop picks one that has the glyphs.
const STYLE: &str = "body{font:14px/1.45 system-ui,'Segoe UI','Hiragino Sans','Yu Gothic','Meiryo','Noto Sans CJK JP',sans-serif;margin:24px auto;max-width:1100px;color:#1d2330;padding:0 16px}
h1{font-size:24px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #d8dde6;padding-bottom:4px}
table{border-collapse:collapse;margin:6px 0 12px}th,td{padding:4px 10px;border-bottom:1px solid #e6e9ef;text-align:left}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}.meta{color:#5b6475}
.ok{background:#e8f6ec;border:1px solid #9fd5ae;padding:8px 12px;border-radius:6px}
.fail{background:#fdecec;border:1px solid #e59b9b;padding:8px 12px;border-radius:6px}
svg text{font:12px system-ui,'Segoe UI','Hiragino Sans','Yu Gothic','Meiryo','Noto Sans CJK JP',sans-serif;fill:#1d2330}.bar{fill:#4c78a8}.bar.alt{fill:#f58518}.bar.bad{fill:#e45756}";

/// Horizontal bars, one per item, scaled to the largest, each with its count.
fn bars(items: &[(String, i64)], class: &str) -> String {
    let shown: Vec<(String, f64, String)> = items
        .iter()
        .map(|(name, n)| (name.clone(), *n as f64, n.to_string()))
        .collect();
    shown_bars(&shown, class)
}

/// Horizontal bars of (name, value, value as shown).
fn shown_bars(items: &[(String, f64, String)], class: &str) -> String {
    if items.is_empty() {
        return String::new();
    }
    let max = items.iter().map(|(_, n, _)| *n).fold(0.0, f64::max);
    let max = if max > 0.0 { max } else { 1.0 };
    let (label_w, bar_w, row_h) = (300.0, 520.0, 22.0);
    let height = row_h * items.len() as f64 + 4.0;
    let mut o = format!(
        "<svg class=\"chart\" role=\"img\" width=\"{}\" height=\"{height}\" viewBox=\"0 0 {} {height}\">",
        label_w + bar_w + 90.0,
        label_w + bar_w + 90.0
    );
    for (i, (name, n, text)) in items.iter().enumerate() {
        let y = row_h * i as f64 + 2.0;
        let w = (n / max * bar_w).max(if *n > 0.0 { 1.0 } else { 0.0 });
        // Long labels (reject reasons) end in "…"; the bar's tooltip has them whole.
        let shown: String = if name.chars().count() > 44 {
            name.chars().take(43).chain(['…']).collect()
        } else {
            name.clone()
        };
        let _ = write!(
            o,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text><rect class=\"bar {class}\" x=\"{label_w}\" y=\"{y}\" width=\"{w:.1}\" height=\"{}\"><title>{}: {text}</title></rect><text x=\"{:.1}\" y=\"{}\">{text}</text>",
            label_w - 8.0,
            y + 15.0,
            escape(&shown),
            row_h - 6.0,
            escape(name),
            label_w + w + 6.0,
            y + 15.0,
        );
    }
    o.push_str("</svg>");
    o
}

fn counts(items: &[Count]) -> Vec<(String, i64)> {
    items.iter().map(|c| (c.label.clone(), c.count)).collect()
}

fn table(o: &mut String, header: &[&str], numeric_from: usize, rows: &[Vec<String>]) {
    o.push_str("<table><tr>");
    for (i, h) in header.iter().enumerate() {
        let class = if i >= numeric_from {
            " class=\"n\""
        } else {
            ""
        };
        let _ = write!(o, "<th{class}>{}</th>", escape(h));
    }
    o.push_str("</tr>");
    for r in rows {
        o.push_str("<tr>");
        for (i, v) in r.iter().enumerate() {
            let class = if i >= numeric_from {
                " class=\"n\""
            } else {
                ""
            };
            let _ = write!(o, "<td{class}>{}</td>", escape(v));
        }
        o.push_str("</tr>");
    }
    o.push_str("</table>");
}

/// The page.
pub fn render(r: &Report, lang: Lang) -> String {
    let l = |k: &str| label(lang, k);
    let opt = |v: Option<i64>| v.map_or_else(|| "–".to_string(), |n| n.to_string());
    let mut o = String::with_capacity(64 * 1024);
    let _ = write!(
        o,
        "<!DOCTYPE html><html lang=\"{}\"><head><meta charset=\"utf-8\"><title>{} — {}</title><style>{STYLE}</style></head><body>",
        lang.code(),
        escape(l("title")),
        escape(&r.project)
    );
    let _ = write!(
        o,
        "<h1>{}</h1><p class=\"meta\">{}: {} · {}: {}</p>",
        escape(l("title")),
        escape(l("project")),
        escape(&r.project),
        escape(l("generated")),
        escape(&r.generated_at)
    );

    let (class, verdict) = if r.accounting.ok {
        ("ok", l("accounting.ok"))
    } else {
        ("fail", l("accounting.fail"))
    };
    let _ = write!(
        o,
        "<h2>{}</h2><div class=\"{class}\" id=\"accounting\"><b>{}</b><br>{}",
        escape(l("accounting")),
        escape(verdict),
        escape(&super::accounting_sum(r, lang))
    );
    if !r.accounting.missing.is_empty() {
        o.push_str("<ul>");
        for m in &r.accounting.missing {
            let _ = write!(o, "<li>{}</li>", escape(m));
        }
        o.push_str("</ul>");
    }
    o.push_str("</div>");

    let _ = write!(o, "<h2>{}</h2>", escape(l("sources")));
    let header = [
        l("col.source"),
        l("col.file"),
        l("col.rows_read"),
        l("col.blank"),
        l("col.rejected"),
        l("col.parties"),
        l("col.merged"),
        l("col.golden"),
        l("col.linked"),
        l("col.planned"),
        l("col.skipped"),
        l("col.loaded"),
    ];
    let rows: Vec<Vec<String>> = r
        .sources
        .iter()
        .map(|s| {
            vec![
                s.name.clone(),
                s.file.clone(),
                s.rows_read.to_string(),
                s.blank.to_string(),
                s.rejected.to_string(),
                s.parties.to_string(),
                s.merged.to_string(),
                s.golden.to_string(),
                s.linked.to_string(),
                opt(s.planned),
                opt(s.skipped),
                opt(s.loaded),
            ]
        })
        .collect();
    table(&mut o, &header, 2, &rows);
    let _ = write!(o, "<h2>{}</h2>", escape(l("funnel")));
    for s in &r.sources {
        let mut steps = vec![
            (l("col.rows_read").to_string(), s.rows_read),
            (l("col.blank").to_string(), s.blank),
            (l("col.rejected").to_string(), s.rejected),
            (l("col.parties").to_string(), s.parties),
            (l("col.merged").to_string(), s.merged),
            (l("col.golden").to_string(), s.golden),
            (l("col.linked").to_string(), s.linked),
        ];
        for (k, v) in [
            ("col.planned", s.planned),
            ("col.skipped", s.skipped),
            ("col.loaded", s.loaded),
        ] {
            if let Some(v) = v {
                steps.push((l(k).to_string(), v));
            }
        }
        let _ = write!(
            o,
            "<h3>{}</h3><div class=\"funnel\">{}</div>",
            escape(&s.name),
            bars(&steps, "")
        );
    }

    let _ = write!(o, "<h2>{}</h2>", escape(l("rejects")));
    if r.rejects.is_empty() {
        let _ = write!(o, "<p>{}</p>", escape(l("none")));
    } else {
        o.push_str(&bars(&counts(&r.rejects), "bad"));
        let _ = write!(o, "<p>{}</p>", escape(l("rejects.file")));
    }

    let _ = write!(o, "<h2>{}</h2>", escape(l("quality")));
    let rows: Vec<Vec<String>> = r
        .quality
        .iter()
        .map(|f| vec![f.code.clone(), f.field.clone(), f.count.to_string()])
        .collect();
    table(
        &mut o,
        &[l("col.flag"), l("col.field"), l("col.count")],
        2,
        &rows,
    );

    let d = &r.duplicates;
    let _ = write!(
        o,
        "<h2>{}</h2><p>{}: {} · &gt; 1: {}</p><h3>{}</h3>",
        escape(l("duplicates")),
        escape(l("col.golden")),
        d.golden_records,
        d.merged_clusters,
        escape(l("duplicates.histogram"))
    );
    let sizes: Vec<(String, i64)> = d.sizes.iter().map(|(m, n)| (m.to_string(), *n)).collect();
    o.push_str(&bars(&sizes, "alt"));
    let _ = write!(o, "<h3>{}</h3>", escape(l("duplicates.largest")));
    let rows: Vec<Vec<String>> = d
        .largest
        .iter()
        .map(|c| {
            vec![
                c.golden_id.clone(),
                c.kind.clone(),
                c.name.clone(),
                c.members.to_string(),
            ]
        })
        .collect();
    table(
        &mut o,
        &[
            l("col.golden_id"),
            l("col.kind"),
            l("col.name"),
            l("col.members"),
        ],
        3,
        &rows,
    );

    let _ = write!(o, "<h2>{}</h2>", escape(l("links")));
    o.push_str(&bars(&counts(&r.links), ""));

    let _ = write!(o, "<h2>{}</h2>", escape(l("decisions")));
    if r.decisions.is_empty() {
        let _ = write!(o, "<p>{}</p>", escape(l("none")));
    } else {
        let rows: Vec<Vec<String>> = r
            .decisions
            .iter()
            .map(|(k, n)| vec![l(&format!("decision.{k}")).to_string(), n.to_string()])
            .collect();
        table(&mut o, &[l("col.decision"), l("col.count")], 1, &rows);
    }

    let _ = write!(o, "<h2>{}</h2>", escape(l("load")));
    match &r.load {
        None => {
            let _ = write!(o, "<p>{}</p>", escape(l("load.none")));
        }
        Some(load) => {
            let state = if load.dry_run {
                l("load.dry_run")
            } else {
                l("load.done")
            };
            let phase = load.phase.as_ref().map_or(String::new(), |p| {
                format!(" · {} {}", escape(l("load.phase")), escape(p))
            });
            let _ = write!(
                o,
                "<p>{}{phase} · {}</p>",
                escape(&load.target),
                escape(state)
            );
            let rows: Vec<Vec<String>> = load
                .entities
                .iter()
                .map(|e| {
                    vec![
                        e.entity.clone(),
                        e.create.to_string(),
                        e.update.to_string(),
                        e.unchanged.to_string(),
                        e.skip.to_string(),
                    ]
                })
                .collect();
            table(
                &mut o,
                &[
                    l("col.entity"),
                    l("col.create"),
                    l("col.update"),
                    l("col.unchanged"),
                    l("col.skip"),
                ],
                1,
                &rows,
            );
            if !load.skip_reasons.is_empty() {
                o.push_str(&bars(&counts(&load.skip_reasons), "bad"));
            }
        }
    }

    let _ = write!(o, "<h2>{}</h2>", escape(l("timings")));
    let times: Vec<(String, f64, String)> = r
        .timings
        .iter()
        .map(|(s, t)| (s.clone(), *t, format!("{t:.1} s")))
        .collect();
    o.push_str(&shown_bars(&times, "alt"));

    let _ = write!(o, "<h2>{}</h2>", escape(l("changes")));
    if r.changes.is_empty() {
        let _ = write!(o, "<p>{}</p>", escape(l("changes.none")));
    } else {
        let rows: Vec<Vec<String>> = r
            .changes
            .iter()
            .map(|c| {
                vec![
                    c.source.clone(),
                    c.version.to_string(),
                    c.added.to_string(),
                    c.changed.to_string(),
                    c.gone.to_string(),
                ]
            })
            .collect();
        table(
            &mut o,
            &[
                l("col.source"),
                l("col.version"),
                l("col.added"),
                l("col.changed"),
                l("col.gone"),
            ],
            1,
            &rows,
        );
    }
    o.push_str("</body></html>\n");
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_the_page_has_no_script_or_remote_asset() {
        let r = Report {
            project: "<script>alert(1)</script>".into(),
            rejects: vec![Count {
                label: "a \"bad\" <row>".into(),
                count: 3,
            }],
            ..Report::default()
        };
        let page = render(&r, Lang::En);
        assert!(!page.contains("<script"), "{page}");
        assert!(page.contains("&lt;script&gt;"));
        assert!(page.contains("a &quot;bad&quot; &lt;row&gt;"));
        // No asset from the network (inline SVG in HTML needs no namespace URL).
        assert!(!page.contains("http"), "{page}");
    }

    #[test]
    fn bars_scale_to_the_largest() {
        let svg = bars(&[("a".into(), 10), ("b".into(), 5), ("c".into(), 0)], "");
        assert!(svg.contains("width=\"520.0\""), "{svg}");
        assert!(svg.contains("width=\"260.0\""), "{svg}");
        assert!(svg.contains("width=\"0.0\""), "{svg}");
    }
}
