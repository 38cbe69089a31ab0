//! The report as one self-contained HTML page (`report.html`): plots
//! inline as SVG, no network needed.

use std::fmt::Write as _;

use crate::experiment::plan::Plan;

use super::{ExperimentReport, scenario_lines};

pub(crate) fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Minimal Markdown for the report's own prose: `code` and **bold**.
pub(crate) fn inline(s: &str) -> String {
    let e = esc(s);
    let mut out = String::new();
    let mut code = false;
    for (k, part) in e.split('`').enumerate() {
        if k > 0 {
            out.push_str(if code { "</code>" } else { "<code>" });
            code = !code;
        }
        if code {
            out.push_str(part);
        } else {
            let mut bold = false;
            for (b, q) in part.split("**").enumerate() {
                if b > 0 {
                    out.push_str(if bold { "</strong>" } else { "<strong>" });
                    bold = !bold;
                }
                out.push_str(&q.replace("\\*", "*"));
            }
            if bold {
                out.push_str("</strong>");
            }
        }
    }
    if code {
        out.push_str("</code>");
    }
    out
}

/// A titled table that scrolls sideways when too wide; `cell(column,
/// text)` gives each body cell's markup.
pub(crate) fn table(
    title: &str,
    head: &[String],
    rows: &[Vec<String>],
    cell: impl Fn(usize, &str) -> String,
) -> String {
    let mut s = format!(
        "<h2>{}</h2>\n<div class=\"scroll\"><table>\n<thead><tr>\n",
        esc(title)
    );
    for h in head {
        let _ = write!(s, "<th>{}</th>", esc(h));
    }
    s.push_str("</tr></thead>\n<tbody>\n");
    for row in rows {
        s.push_str("<tr>");
        for (k, c) in row.iter().enumerate() {
            s.push_str(&cell(k, c));
        }
        s.push_str("</tr>\n");
    }
    s.push_str("</tbody>\n</table></div>\n");
    s
}

/// An SVG drawing inlined as a figure with its caption.
pub(crate) fn figure(svg: &str, caption: &str) -> String {
    let svg = svg
        .trim_start_matches(|c| c != '<')
        .trim_start_matches("<?xml version=\"1.0\" encoding=\"UTF-8\"?>")
        .trim_start();
    format!(
        "<figure>\n{svg}\n<figcaption>{}</figcaption>\n</figure>\n",
        inline(caption)
    )
}

pub(super) fn html(plan: &Plan, r: &ExperimentReport, svgs: &[String]) -> String {
    let mut s = String::new();
    let _ = write!(
        s,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>\n{}\n</style>\n</head>\n<body>\n<main>\n",
        esc(&r.title),
        CSS
    );
    let _ = writeln!(s, "<h1>{}</h1>", esc(&r.title));
    if let Some(sum) = &r.summary {
        let _ = writeln!(
            s,
            "<section class=\"summary\">\n<p>{}</p>\n<ul>",
            inline(&sum.lead)
        );
        for item in &sum.items {
            let _ = writeln!(s, "<li>{}</li>", inline(item));
        }
        let _ = writeln!(
            s,
            "</ul>\n<p class=\"small\">{}</p>\n</section>",
            inline(&sum.tail)
        );
    }
    for (f, svg) in r.figures.iter().zip(svgs).filter(|(f, _)| f.lead) {
        s.push_str(&figure(svg, &f.caption));
    }
    let _ = writeln!(
        s,
        "<p>Made by {}. To reproduce it:</p>\n<pre><code>{}</code></pre>",
        esc(&crate::version::made_by_words(&plan.made_by, "runs")),
        esc(&plan.command)
    );
    for p in &r.intro {
        let _ = writeln!(s, "<p>{}</p>", inline(p));
    }
    s.push_str("<h2>Scenarios</h2>\n<ul>\n");
    for (title, name, d) in scenario_lines(plan) {
        let name = name.map_or(String::new(), |n| format!(" (<code>{}</code>)", esc(&n)));
        let _ = writeln!(
            s,
            "<li><strong>{}</strong>{name}: {}</li>",
            esc(&title),
            if d.is_empty() {
                "(no description)".to_string()
            } else {
                inline(&d)
            }
        );
    }
    s.push_str("</ul>\n");
    if !plan.spec.sets.is_empty() {
        let _ = writeln!(
            s,
            "<p>Overrides applied to every scenario: <code>{}</code></p>",
            esc(&plan.spec.sets.join(" "))
        );
    }
    for (title, head, rows) in &r.tables {
        s.push_str(&table(title, head, rows, |k, c| {
            let class = if c.ends_with(" better") {
                " class=\"better\""
            } else if c.ends_with(" worse") {
                " class=\"worse\""
            } else if c.ends_with(" *") {
                " class=\"sig\""
            } else if c.starts_with(|ch: char| ch.is_ascii_digit() || "+-–([".contains(ch)) {
                ""
            } else {
                // Words read from the left.
                " class=\"txt\""
            };
            if k == 0 {
                format!("<th scope=\"row\">{}</th>", esc(c))
            } else {
                format!("<td{class}>{}</td>", esc(c))
            }
        }));
    }
    if r.figures.iter().any(|f| !f.lead) {
        s.push_str("<h2>Plots</h2>\n");
        for (f, svg) in r.figures.iter().zip(svgs).filter(|(f, _)| !f.lead) {
            s.push_str(&figure(svg, &f.caption));
        }
    }
    for n in &r.notes {
        let _ = writeln!(s, "<p>{}</p>", inline(n));
    }
    let _ = writeln!(
        s,
        "<p class=\"small\">Experiment fingerprint: <code>{}</code>.</p>\n</main>\n</body>\n</html>",
        plan.fingerprint.clone()
    );
    s
}

pub(crate) const CSS: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:0;color:#1a1a1a;background:#fff}
main{max-width:1200px;margin:0 auto;padding:1.5rem}
h1{font-size:1.6rem;overflow-wrap:anywhere}h2{font-size:1.25rem;margin-top:2rem;border-bottom:1px solid #ddd}
pre{background:#f5f5f5;padding:.75rem;overflow-x:auto}
code{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.92em}
.scroll{overflow-x:auto}
table{border-collapse:collapse;font-size:.9rem;font-variant-numeric:tabular-nums}
th,td{border:1px solid #ddd;padding:.3rem .5rem;text-align:right;white-space:normal;overflow-wrap:break-word}
table{width:100%}
th[scope=row],thead th{text-align:left;background:#fafafa}
td.sig{font-weight:600;background:#f2f2f2}td.txt{text-align:left}
td.better{font-weight:600;background:#dbe9f6;color:#08306b}
td.worse{font-weight:600;background:#fde0c5;color:#7f2704}
figure{margin:1.5rem 0}figure svg{max-width:100%;height:auto}
figcaption{font-size:.9rem;color:#444}
.summary{background:#f7f9fc;border-left:4px solid #0072B2;padding:.25rem 1rem;margin:1rem 0}
.summary ul{padding-left:1.2rem}.summary li{margin:.35rem 0;line-height:1.4}
.small{font-size:.8rem;color:#666}
@media print{@page{size:A4;margin:12mm}main{max-width:none;padding:0}body{font-size:10pt}
table{font-size:8pt}th,td{padding:.15rem .3rem}pre{white-space:pre-wrap;overflow-wrap:anywhere}
.scroll{overflow:visible}tr,figure,.summary li{break-inside:avoid}h2{break-after:avoid}
td.better,td.worse,td.sig{-webkit-print-color-adjust:exact;print-color-adjust:exact}}";
