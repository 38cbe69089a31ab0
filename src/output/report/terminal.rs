//! The report's tables as the terminal shows them.

/// A table aligned in columns for the terminal.
pub(crate) fn text_table(head: &[String], rows: &[Vec<String>]) -> String {
    let width = |s: &str| s.chars().count();
    let mut w: Vec<usize> = head.iter().map(|h| width(h)).collect();
    for r in rows {
        for (k, c) in r.iter().enumerate() {
            w[k] = w[k].max(width(c));
        }
    }
    let line = |cells: &[String]| {
        let mut s = String::from(" ");
        for (k, c) in cells.iter().enumerate() {
            let pad = w[k] - width(c);
            if k == 0 {
                s.push_str(&format!(" {c}{}", " ".repeat(pad)));
            } else {
                s.push_str(&format!("  {}{c}", " ".repeat(pad)));
            }
        }
        s.trim_end().to_string() + "\n"
    };
    let mut out = line(head);
    for r in rows {
        out.push_str(&line(r));
    }
    out
}
