//! `out/review.html`: the same questions as the workbook, for reading in a
//! browser. One self-contained file (no network), a filter box, sortable
//! columns, each pair's reasons. Values reach the page as JSON and are set as
//! text, never as markup.

use super::labels::{Lang, label};
use super::{Card, PairQuestion, ReviewSet};
use serde::Serialize;

#[derive(Serialize)]
struct CardView<'a> {
    name: &'a str,
    details: String,
    from: String,
}

fn card(c: &Card, persons: bool) -> CardView<'_> {
    let details: [&str; 5] = if persons {
        [&c.birth_date, &c.company, &c.phone, &c.email, &c.address]
    } else {
        [&c.tax_id, &c.phone, &c.email, &c.website, &c.address]
    };
    CardView {
        name: &c.name,
        details: details
            .into_iter()
            .filter(|d| !d.is_empty())
            .collect::<Vec<_>>()
            .join(" · "),
        from: format!("{} {} ({})", c.source, c.key, c.origin),
    }
}

#[derive(Serialize)]
struct ReasonView {
    text: String,
    weight: f64,
}

#[derive(Serialize)]
struct PairView<'a> {
    id: &'a str,
    score: f64,
    band: &'static str,
    reasons: Vec<ReasonView>,
    a: CardView<'a>,
    b: CardView<'a>,
}

#[derive(Serialize)]
struct Section<'a> {
    title: &'static str,
    pairs: Vec<PairView<'a>>,
}

#[derive(Serialize)]
struct LinkView<'a> {
    id: &'a str,
    person: CardView<'a>,
    candidates: Vec<String>,
}

#[derive(Serialize)]
struct Data<'a> {
    sections: [Section<'a>; 2],
    links: Vec<LinkView<'a>>,
    labels: std::collections::BTreeMap<&'static str, &'static str>,
}

fn pairs(list: &[PairQuestion], persons: bool, lang: Lang) -> Vec<PairView<'_>> {
    list.iter()
        .map(|q| PairView {
            id: &q.pair_id,
            score: (q.score * 10.0).round() / 10.0,
            band: label(lang, &format!("band.{}", q.band)),
            reasons: q
                .reasons
                .iter()
                .map(|r| ReasonView {
                    text: r.words(lang),
                    weight: (r.weight * 10.0).round() / 10.0,
                })
                .collect(),
            a: card(&q.left, persons),
            b: card(&q.right, persons),
        })
        .collect()
}

/// The page, deterministic for the same questions.
pub fn page(set: &ReviewSet, lang: Lang) -> String {
    let l = |k: &str| label(lang, k);
    let data = Data {
        sections: [
            Section {
                title: l("sheet.org_pairs"),
                pairs: pairs(&set.org_pairs, false, lang),
            },
            Section {
                title: l("sheet.person_pairs"),
                pairs: pairs(&set.person_pairs, true, lang),
            },
        ],
        links: set
            .links
            .iter()
            .map(|q| LinkView {
                id: &q.link_id,
                person: card(&q.person, true),
                candidates: q
                    .candidates
                    .iter()
                    .map(|(g, n)| super::workbook::candidate_label(g, n))
                    .collect(),
            })
            .collect(),
        labels: [
            ("links", "sheet.links"),
            ("id", "col.pair_id"),
            ("score", "col.score"),
            ("band", "col.band"),
            ("reasons", "col.reasons"),
            ("a", "side.left"),
            ("b", "side.right"),
            ("person", "col.person"),
            ("candidates", "col.candidates"),
            ("nothing", "html.nothing"),
        ]
        .into_iter()
        .map(|(k, v)| (k, l(v)))
        .collect(),
    };
    // `</` could end the script element early; JSON allows `<\/`.
    // Inside <script>, `</script>` or `<!--` in a customer's value would end or
    // derail the block: JSON may write those characters as escapes.
    let data = serde_json::to_string(&data)
        .unwrap_or_default()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026");
    let title = escape(l("html.title"));
    format!(
        r#"<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body {{ font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #222; }}
h1 {{ font-size: 1.4em; }}
h2 {{ font-size: 1.1em; margin-top: 2em; }}
input {{ font-size: 1em; padding: .3em .5em; width: 24em; }}
table {{ border-collapse: collapse; margin-top: .5em; width: 100%; }}
th, td {{ border: 1px solid #ccc; padding: .3em .5em; vertical-align: top; text-align: left; }}
th {{ background: #d9e1f2; cursor: pointer; user-select: none; }}
th.sorted-asc::after {{ content: " ▲"; }}
th.sorted-desc::after {{ content: " ▼"; }}
td.num {{ text-align: right; white-space: nowrap; }}
.details, .from {{ color: #555; font-size: .9em; }}
.pos {{ color: #1a7f37; }} .neg {{ color: #b42318; }}
.note {{ color: #555; }}
</style>
</head>
<body>
<h1>{title}</h1>
<p class="note">{readonly}</p>
<label>{filter}: <input id="filter" type="search" autofocus></label>
<div id="content"></div>
<script type="application/json" id="data">{data}</script>
<script>
"use strict";
window.addEventListener("error", function (e) {{
  document.body.setAttribute("data-errors", String(e.message));
}});
(function () {{
  var data = JSON.parse(document.getElementById("data").textContent);
  var L = data.labels;
  var content = document.getElementById("content");
  function el(tag, cls, text) {{
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }}
  function cardCell(c) {{
    var td = el("td");
    td.appendChild(el("div", "name", c.name));
    if (c.details) td.appendChild(el("div", "details", c.details));
    td.appendChild(el("div", "from", c.from));
    return td;
  }}
  function table(headers, rows, sortKeys) {{
    var t = el("table"), thead = el("thead"), tr = el("tr"), tbody = el("tbody");
    headers.forEach(function (h, i) {{
      var th = el("th", "", h);
      th.addEventListener("click", function () {{
        var asc = !th.classList.contains("sorted-asc");
        Array.prototype.forEach.call(tr.children, function (x) {{ x.className = ""; }});
        th.className = asc ? "sorted-asc" : "sorted-desc";
        var sorted = rows.slice().sort(function (a, b) {{
          var x = sortKeys[i](a.item), y = sortKeys[i](b.item);
          return (x < y ? -1 : x > y ? 1 : 0) * (asc ? 1 : -1);
        }});
        sorted.forEach(function (r) {{ tbody.appendChild(r.tr); }});
      }});
      tr.appendChild(th);
    }});
    thead.appendChild(tr);
    t.appendChild(thead);
    rows.forEach(function (r) {{ tbody.appendChild(r.tr); }});
    t.appendChild(tbody);
    return t;
  }}
  var all = [];
  data.sections.forEach(function (s) {{
    content.appendChild(el("h2", "", s.title + " (" + s.pairs.length + ")"));
    if (!s.pairs.length) {{ content.appendChild(el("p", "note", L.nothing)); return; }}
    var rows = s.pairs.map(function (p) {{
      var tr = el("tr", "pair");
      tr.appendChild(el("td", "", p.id));
      tr.appendChild(el("td", "num", p.score.toFixed(1)));
      tr.appendChild(el("td", "", p.band));
      var why = el("td");
      p.reasons.forEach(function (r) {{
        var d = el("div", r.weight >= 0 ? "pos" : "neg", r.text + " (" + (r.weight >= 0 ? "+" : "") + r.weight.toFixed(1) + ")");
        why.appendChild(d);
      }});
      tr.appendChild(why);
      tr.appendChild(cardCell(p.a));
      tr.appendChild(cardCell(p.b));
      var r = {{ tr: tr, item: p, text: tr.textContent.toLowerCase() }};
      all.push(r);
      return r;
    }});
    content.appendChild(table(
      [L.id, L.score, L.band, L.reasons, L.a, L.b],
      rows,
      [function (p) {{ return p.id; }}, function (p) {{ return p.score; }},
       function (p) {{ return p.band; }}, function (p) {{ return p.reasons.length ? p.reasons[0].text : ""; }},
       function (p) {{ return p.a.name; }}, function (p) {{ return p.b.name; }}]));
  }});
  content.appendChild(el("h2", "", L.links + " (" + data.links.length + ")"));
  if (!data.links.length) {{
    content.appendChild(el("p", "note", L.nothing));
  }} else {{
    var rows = data.links.map(function (q) {{
      var tr = el("tr", "link");
      tr.appendChild(el("td", "", q.id));
      tr.appendChild(cardCell(q.person));
      var c = el("td");
      q.candidates.forEach(function (x) {{ c.appendChild(el("div", "", x)); }});
      tr.appendChild(c);
      var r = {{ tr: tr, item: q, text: tr.textContent.toLowerCase() }};
      all.push(r);
      return r;
    }});
    content.appendChild(table([L.id, L.person, L.candidates], rows,
      [function (q) {{ return q.id; }}, function (q) {{ return q.person.name; }},
       function (q) {{ return q.candidates.join(" "); }}]));
  }}
  document.getElementById("filter").addEventListener("input", function (e) {{
    var words = e.target.value.toLowerCase().split(/\s+/).filter(Boolean);
    all.forEach(function (r) {{
      r.tr.hidden = !words.every(function (w) {{ return r.text.indexOf(w) >= 0; }});
    }});
  }});
  document.body.setAttribute("data-rendered", String(all.length));
}})();
</script>
</body>
</html>
"#,
        lang = lang.code(),
        readonly = escape(l("html.readonly")),
        filter = escape(l("html.filter")),
    )
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::review::{PairQuestion, Reason};

    #[test]
    fn values_cannot_close_the_script_or_inject_markup() {
        let hostile = Card {
            name: "</script><img src=x onerror=alert(1)><!--<script>".into(),
            ..Card::default()
        };
        let set = ReviewSet {
            org_pairs: vec![PairQuestion {
                pair_id: "P1".into(),
                band: "review".into(),
                score: 3.0,
                reasons: vec![Reason {
                    field: "name".into(),
                    level: "fuzzy high".into(),
                    similarity: Some(0.95),
                    weight: 2.0,
                }],
                left: std::sync::Arc::new(hostile.clone()),
                right: std::sync::Arc::new(hostile),
            }],
            ..ReviewSet::default()
        };
        let page = page(&set, Lang::En);
        assert_eq!(page.matches("</script>").count(), 2, "only the page's own");
        assert!(page.contains("\\u003c/script\\u003e\\u003cimg"));
        assert!(!page.contains("<!--"));
        assert!(
            !page.contains("http://") && !page.contains("https://"),
            "no network assets"
        );
    }
}
