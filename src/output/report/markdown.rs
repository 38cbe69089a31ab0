//! The report as Markdown (`report.md`).

use std::fmt::Write as _;

use crate::experiment::plan::Plan;

use super::{ExperimentReport, scenario_lines};

/// A table row: its cells between pipes (escaped), ending the line.
fn md_row(cells: &[String]) -> String {
    let cells: Vec<String> = cells
        .iter()
        .map(|c| md_inline(c).replace('|', "\\|").replace('\n', " "))
        .collect();
    format!("| {} |\n", cells.join(" | "))
}

/// Report text that may quote a scenario's title or a label (the In
/// short, the introduction, table cells) with no raw HTML for a viewer to
/// render: `<`, `>` and `&` as entities, which read the same (an
/// untrusted-input audit: a title `<b>T</b>` came out bold in the In short
/// and every table row, though escaped in the scenario list).
fn md_inline(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Text from a scenario or experiment file (a title, a description) in
/// Markdown: one line, and no raw HTML for a viewer to render.
fn md_text(text: &str) -> String {
    md_inline(text)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

pub(super) fn markdown(plan: &Plan, r: &ExperimentReport) -> String {
    let mut s = format!("# {}\n\n", md_text(&r.title));
    if let Some(sum) = &r.summary {
        let _ = writeln!(s, "{}\n", md_inline(&sum.lead));
        for item in &sum.items {
            let _ = writeln!(s, "- {}", md_inline(item).replace('\n', " "));
        }
        let _ = writeln!(s, "\n{}\n", md_inline(&sum.tail));
    }
    for f in r.figures.iter().filter(|f| f.lead) {
        let _ = writeln!(
            s,
            "![{}]({}.png)\n\n{}\n",
            f.stem,
            f.stem,
            md_inline(&f.caption)
        );
    }
    let _ = writeln!(
        s,
        "Made by {}. To reproduce it:\n\n```sh\n{}\n```\n",
        crate::version::made_by_words(&plan.made_by, "runs"),
        plan.command
    );
    for p in &r.intro {
        let _ = writeln!(s, "{}\n", md_inline(p));
    }
    s.push_str("## Scenarios\n\n");
    for (title, name, d) in scenario_lines(plan) {
        let name = name.map_or(String::new(), |n| format!(" (`{n}`)"));
        let (title, d) = (md_text(&title), md_text(&d));
        let _ = writeln!(
            s,
            "- **{title}**{name}: {}",
            if d.is_empty() { "(no description)" } else { &d }
        );
    }
    s.push('\n');
    if !plan.spec.sets.is_empty() {
        let _ = writeln!(
            s,
            "Overrides applied to every scenario: `{}`\n",
            plan.spec.sets.join("`, `")
        );
    }
    for (title, head, rows) in &r.tables {
        let _ = writeln!(s, "## {}\n", md_text(title));
        s.push_str(&md_row(head));
        let _ = writeln!(s, "|{}", "---|".repeat(head.len()));
        for row in rows {
            s.push_str(&md_row(row));
        }
        s.push('\n');
    }
    if r.figures.iter().any(|f| !f.lead) {
        s.push_str("## Plots\n\n");
        for f in r.figures.iter().filter(|f| !f.lead) {
            let _ = writeln!(
                s,
                "![{}]({}.png)\n\n{}\n",
                f.stem,
                f.stem,
                md_inline(&f.caption)
            );
        }
    }
    for n in &r.notes {
        let _ = writeln!(s, "{}\n", md_inline(n));
    }
    let _ = writeln!(s, "Experiment fingerprint: `{}`.", plan.fingerprint.clone());
    s
}
