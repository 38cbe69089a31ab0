//! Where a scenario file sets a key: a refusal of a value the file gave
//! names its line, as the reader's own errors (a wrong type, an unknown
//! key) do.

use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// A parsed scenario text that answers "on which line is this key set?".
pub struct KeyLines<'t> {
    text: &'t str,
    doc: Spanned<DeTable<'t>>,
}

impl<'t> KeyLines<'t> {
    /// `None` when the text does not parse (its refusal already names a
    /// line).
    pub fn new(text: &'t str) -> Option<Self> {
        let doc = DeTable::parse(text).ok()?;
        Some(Self { text, doc })
    }

    /// The line (from 1) of the key path (`accountability.detection_rate`,
    /// `structure.grades[2].posts`, `reforms[0].set.pay.compression`), if
    /// the file sets it; a quoted key holding dots (`"pay.compression" =`)
    /// is found too.
    pub fn line_of(&self, path: &str) -> Option<usize> {
        let segs = crate::paths::segments(path);
        let at = in_table(self.doc.get_ref(), &segs)?;
        let before = self.text.as_bytes().get(..at)?;
        Some(before.iter().filter(|&&b| b == b'\n').count() + 1)
    }

    /// A refusal's problem with the line of the key it is about, when the
    /// file sets that key: the key it starts with ("line 6:
    /// `accountability.detection_rate` must be in [0, 12], got -3"), or,
    /// for a value a reform gives ("after the reforms: `pay.compression`
    /// … (`reforms[0].set` …"), that reform's entry for the key.
    pub fn name_line(&self, problem: String) -> String {
        let quoted: Vec<&str> = problem.split('`').skip(1).step_by(2).collect();
        let about = if problem.starts_with('`') || problem.starts_with("after the reforms: `") {
            quoted.first().copied()
        } else {
            None
        };
        let line = about.and_then(|key| {
            let given = quoted
                .iter()
                .filter(|q| q.starts_with("reforms[") && q.ends_with("].set"))
                .find_map(|set| self.line_of(&format!("{set}.{key}")));
            given.or_else(|| {
                problem
                    .starts_with('`')
                    .then(|| self.line_of(key))
                    .flatten()
            })
        });
        match line {
            Some(n) => format!("line {n}: {problem}"),
            None => problem,
        }
    }
}

/// The byte offset of the key `segs` names inside `table`.
fn in_table(table: &DeTable, segs: &[String]) -> Option<usize> {
    let (first, rest) = segs.split_first()?;
    if let Some((key, value)) = table.get_key_value(first.as_str()) {
        if rest.is_empty() {
            return Some(key.span().start);
        }
        if let Some(at) = in_value(value, rest) {
            return Some(at);
        }
    }
    // One quoted key that holds dots (`"pay.compression" = 3`).
    let joined = segs.join(".");
    table
        .get_key_value(joined.as_str())
        .map(|(key, _)| key.span().start)
}

fn in_value(value: &Spanned<DeValue>, segs: &[String]) -> Option<usize> {
    match value.get_ref() {
        DeValue::Table(t) => in_table(t, segs),
        DeValue::Array(items) => {
            let (first, rest) = segs.split_first()?;
            let item = items.get(first.parse::<usize>().ok()?)?;
            if rest.is_empty() {
                Some(item.span().start)
            } else {
                in_value(item, rest)
            }
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "name = \"x\"\n\
        [accountability]\n\
        detection_rate = -3.0\n\
        \n\
        [[structure.grades]]\n\
        posts = 10\n\
        [[structure.grades]]\n\
        name = \"b\"\n\
        posts = -1\n\
        [[reforms]]\n\
        year = 3\n\
        set = { \"pay.compression\" = 0.5, promotion.bar = 99 }\n";

    #[test]
    fn keys_are_found_on_their_lines() {
        let k = KeyLines::new(TEXT).unwrap();
        assert_eq!(k.line_of("name"), Some(1));
        assert_eq!(k.line_of("accountability.detection_rate"), Some(3));
        assert_eq!(k.line_of("structure.grades[1].posts"), Some(9));
        assert_eq!(k.line_of("structure.grades.0.posts"), Some(6));
        assert_eq!(k.line_of("reforms[0].year"), Some(11));
        assert_eq!(k.line_of("reforms[0].set.pay.compression"), Some(12));
        assert_eq!(k.line_of("reforms[0].set.promotion.bar"), Some(12));
    }

    #[test]
    fn keys_the_file_does_not_set_have_no_line() {
        let k = KeyLines::new(TEXT).unwrap();
        assert_eq!(k.line_of("accountability.selective_enforcement"), None);
        assert_eq!(k.line_of("structure.grades[2].posts"), None);
        assert_eq!(k.line_of("structure.grades[x].posts"), None);
        assert_eq!(k.line_of("name.inner"), None);
        assert!(KeyLines::new("a = = 1").is_none());
    }

    #[test]
    fn a_problem_gains_the_line_of_its_key() {
        let k = KeyLines::new(TEXT).unwrap();
        assert_eq!(
            k.name_line("`accountability.detection_rate` must be in [0, 12], got -3".into()),
            "line 3: `accountability.detection_rate` must be in [0, 12], got -3"
        );
        // Not a key the file sets, or no key first: unchanged.
        let other = "`sim.years` must be in [1, 5000], got 0".to_string();
        assert_eq!(k.name_line(other.clone()), other);
        let free = "the grades' posts add up to 0".to_string();
        assert_eq!(k.name_line(free.clone()), free);
        // A value a reform gives: the line of the reform's entry.
        assert_eq!(
            k.name_line(
                "after the reforms: `pay.compression` must be in [1, 100], got 0.5 (`reforms[0].set` (\"r\") gives it from year 3)".into()
            ),
            "line 12: after the reforms: `pay.compression` must be in [1, 100], got 0.5 (`reforms[0].set` (\"r\") gives it from year 3)"
        );
        // The file's own value of the key is not the reform's.
        let own = "after the reforms: `accountability.detection_rate` must be in [0, 12], got 13 (`reforms[0].set` (\"r\") gives it from year 3)".to_string();
        assert_eq!(k.name_line(own.clone()), own);
    }
}
