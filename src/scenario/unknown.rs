//! Every unknown key of a scenario file in one refusal. The TOML reader
//! stops at the first key the schema does not know, so a file with three
//! misspelt keys took three attempts to mend; the others are found here by
//! taking each found key out and reading the rest again. Each is named by
//! its line and, when a known key is spelt nearly alike, that key.

use super::Scenario;
use super::lines::KeyLines;

/// Files larger than this are refused with their first unknown key only
/// (each further key reads the whole file again).
const MAX_TEXT: usize = 1 << 20;

/// How many further keys are looked for.
const MAX_MORE: usize = 50;

/// The field the reader's message calls unknown, and the fields it names
/// as expected there ("unknown field `x`, expected one of `a`, `b`").
pub fn unknown_field(message: &str) -> Option<(String, Vec<String>)> {
    let rest = message.strip_prefix("unknown field `")?;
    let (field, rest) = rest.split_once('`')?;
    let expected = rest
        .split_once("expected")
        .map(|(_, list)| {
            list.split('`')
                .skip(1)
                .step_by(2)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    Some((field.to_string(), expected))
}

/// What a file's type adds to the search for unknown keys: its keys with
/// their defaults (to say which other table holds a key of the name), and
/// the further unknown keys it finds once the file reads (a reform's `set`
/// paths, checked after reading).
pub struct Schema<'a, T> {
    pub tree: Option<toml::Value>,
    pub after: &'a dyn Fn(&T) -> Vec<String>,
}

impl<T> Schema<'_, T> {
    /// Nothing more than the reader's own message.
    pub fn none() -> Self {
        Schema {
            tree: None,
            after: &|_| Vec::new(),
        }
    }
}

/// For a scenario: its default keys, and the reform paths its checks
/// refuse as unknown.
pub fn scenario_schema() -> Schema<'static, Scenario> {
    Schema {
        tree: toml::Value::try_from(Scenario::default()).ok(),
        after: &|s: &Scenario| match s.validate("") {
            Err(super::ScenarioError::Invalid { problems, .. }) => problems
                .into_iter()
                .filter(|p| p.contains("unknown key path"))
                .collect(),
            _ => Vec::new(),
        },
    }
}

/// After a reader's message for the key at `path`, what an unknown key
/// adds: the key meant, if one is spelt nearly alike, another table that
/// holds a key of that name, and the file's other unknown keys with their
/// lines; nothing for another kind of fault.
pub fn explained<T: serde::de::DeserializeOwned>(
    message: &str,
    text: &str,
    path: &str,
    schema: &Schema<T>,
) -> String {
    let Some((field, expected)) = unknown_field(message) else {
        return String::new();
    };
    let mut out = hint(&field, &expected, schema);
    let (more, stopped) = others_of::<T>(text, path, schema);
    if !more.is_empty() {
        out.push_str("\nthe file's other unknown keys:");
        for m in more {
            out.push_str(&format!("\n  - {m}"));
        }
    }
    if let Some(why) = stopped {
        out.push_str(&format!("\n(there may be more unknown keys: {why})"));
    }
    out
}

/// What an unknown key `field` may have meant: a key of its table spelt
/// nearly alike, and another table that holds a key of that name; the
/// first unknown key and the others of the list get the same.
fn hint<T>(field: &str, expected: &[String], schema: &Schema<T>) -> String {
    let mut out = did_you_mean(field, expected);
    let Some(tree) = schema.tree.as_ref() else {
        return out;
    };
    const WHY: &str = "a key belongs to the table whose header is the last above it";
    if let Some(e) = crate::paths::elsewhere(tree, field) {
        out.push_str(&format!(" ({e}; {WHY})"));
    } else if out.is_empty()
        && let Some(p) = crate::paths::nearest_elsewhere(tree, field)
    {
        out.push_str(&format!(" (did you mean `{p}`? {WHY})"));
    }
    out
}

/// Why the search for further unknown keys stopped before the file's end.
type Stopped = Option<&'static str>;

/// The expected name spelt most nearly like `field`, if one is near enough
/// to be a slip ([`crate::paths::nearest`]).
pub fn nearest(field: &str, expected: &[String]) -> Option<String> {
    crate::paths::nearest(field, expected.iter().map(String::as_str)).map(str::to_string)
}

/// " (did you mean `compression`?)", or nothing.
pub fn did_you_mean(field: &str, expected: &[String]) -> String {
    nearest(field, expected)
        .map(|n| format!(" (did you mean `{n}`?)"))
        .unwrap_or_default()
}

/// The file's unknown keys after the first (at `first`), each as "line 5:
/// `politics.interfrence` is not a key (did you mean `interference`?)",
/// for a file read into `T` (a scenario, an experiment file, a target file);
/// empty when there are none or the file does not parse.
/// With the list, why the search stopped early, if it did: at a fault of
/// another kind (reported once the keys are mended), after [`MAX_MORE`]
/// keys, or for a file over [`MAX_TEXT`].
pub fn others_of<T: serde::de::DeserializeOwned>(
    text: &str,
    first: &str,
    schema: &Schema<T>,
) -> (Vec<String>, Stopped) {
    if text.len() > MAX_TEXT {
        return (Vec::new(), Some("the file is too large to search for more"));
    }
    let Ok(mut table) = text.parse::<toml::Table>() else {
        return (Vec::new(), None);
    };
    let lines = KeyLines::new(text);
    let mut out = Vec::new();
    let mut path = first.to_string();
    for _ in 0..MAX_MORE {
        // A path that names no key: one whose name holds dots or brackets
        // (`"x[0]" = 1`) reads back as another path. Said, not a silent
        // end of the list (an untrusted-input audit).
        if !remove(&mut table, &path) {
            return (
                out,
                Some("a key whose name holds dots or brackets stopped the search"),
            );
        }
        let e = match serde_path_to_error::deserialize::<_, T>(table.clone()) {
            Ok(read) => {
                // The rest reads: what the type checks after reading.
                for p in (schema.after)(&read) {
                    out.push(match &lines {
                        Some(l) => l.name_line(p),
                        None => p,
                    });
                }
                return (out, None);
            }
            Err(e) => e,
        };
        let next = e.path().to_string();
        // The same path again: the key taken out was another of that
        // name (a quoted key with dots, `"pay.level" = 3`, read as the
        // table's `level`), so the path cannot name it: stop.
        if next == path {
            return (
                out,
                Some("a key whose name holds dots or brackets stopped the search"),
            );
        }
        let Some((field, expected)) = unknown_field(e.into_inner().message()) else {
            return (
                out,
                Some(
                    "the search stopped at a fault of another kind, reported once these are mended",
                ),
            );
        };
        let line = lines
            .as_ref()
            .and_then(|l| l.line_of(&next))
            .map(|n| format!("line {n}: "))
            .unwrap_or_default();
        out.push(format!(
            "{line}`{next}` is not a key{}",
            hint(&field, &expected, schema)
        ));
        path = next;
    }
    (out, Some("the search stops after 50"))
}

/// Takes the key at `path` out of `table`; false if it is not there.
fn remove(table: &mut toml::Table, path: &str) -> bool {
    remove_at(table, &crate::paths::segments(path))
}

fn remove_at(table: &mut toml::Table, segs: &[String]) -> bool {
    match segs {
        [] => false,
        [last] => table.remove(last.as_str()).is_some(),
        [first, rest @ ..] => table
            .get_mut(first.as_str())
            .is_some_and(|v| remove_in(v, rest)),
    }
}

fn remove_in(v: &mut toml::Value, segs: &[String]) -> bool {
    match v {
        toml::Value::Table(t) => remove_at(t, segs),
        toml::Value::Array(items) => {
            let Some((i, rest)) = segs.split_first() else {
                return false;
            };
            match i.parse::<usize>().ok().and_then(|i| items.get_mut(i)) {
                Some(item) if !rest.is_empty() => remove_in(item, rest),
                _ => false,
            }
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_readers_message_is_read() {
        let (f, e) = unknown_field(
            "unknown field `compresion`, expected one of `morale`, `compression`, `level`",
        )
        .unwrap();
        assert_eq!(f, "compresion");
        assert_eq!(e, ["morale", "compression", "level"]);
        let (_, e) = unknown_field("unknown field `x`, expected `a` or `b`").unwrap();
        assert_eq!(e, ["a", "b"]);
        let (_, e) = unknown_field("unknown field `x`, there are no fields").unwrap();
        assert!(e.is_empty());
        assert!(unknown_field("invalid type: string").is_none());
    }

    #[test]
    fn a_near_spelling_is_suggested_and_a_far_one_not() {
        let known: Vec<String> = ["compression", "market_compression", "level"]
            .map(String::from)
            .into();
        assert_eq!(
            nearest("compresion", &known).as_deref(),
            Some("compression")
        );
        assert_eq!(nearest("levle", &known).as_deref(), Some("level"));
        assert_eq!(nearest("pension", &known), None);
        assert_eq!(did_you_mean("zzz", &known), "");
    }

    #[test]
    fn every_unknown_key_is_named_with_its_line() {
        let text = "name = \"x\"\n[pay]\ncompresion = 3\n[politics]\ninterfrence = 0.2\n\
                    [[structure.grades]]\nname = \"a\"\nposts = 3\nshare = 1\n\
                    [[structure.grades]]\nname = \"b\"\npostss = 3\n";
        let e = Scenario::from_toml(text, "t.toml").unwrap_err().to_string();
        assert!(e.contains("at key `pay.compresion`"), "{e}");
        assert!(e.contains("(did you mean `compression`?)"), "{e}");
        for more in [
            "line 5: `politics.interfrence` is not a key (did you mean `interference`?)",
            "line 9: `structure.grades[0].share` is not a key",
            "line 12: `structure.grades[1].postss` is not a key (did you mean `posts`?)",
        ] {
            assert!(e.contains(more), "{more} not in {e}");
        }
    }

    /// A typo in a reform's `set`, checked only after reading, is listed
    /// with the others; a key under the wrong header says which table holds
    /// it (a scenario author's audit, 2026-12-06: `years = 12` after a
    /// `[[reforms]]` header was only offered `year`).
    #[test]
    fn reform_paths_and_keys_under_the_wrong_header_are_named() {
        let text = "name = \"x\"\n[pay]\ncompresion = 3\n\n[[reforms]]\nyear = 2\n\
                    set = { transparency.egov_targt = 0.5 }\nyears = 12\n";
        let e = Scenario::from_toml(text, "t.toml").unwrap_err().to_string();
        assert!(
            e.contains("at key `pay.compresion` (did you mean `compression`?)"),
            "{e}"
        );
        assert!(
            e.contains("line 8: `reforms[0].years` is not a key (did you mean `year`?)"),
            "{e}"
        );
        assert!(
            e.contains("unknown key path `transparency.egov_targt`")
                && e.contains("(did you mean `transparency.egov_target`?)"),
            "{e}"
        );
        let e = Scenario::from_toml("[[reforms]]\nyear = 2\nset = {}\nyears = 12\n", "t")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("(did you mean `year`?) (`years` is a key of `sim`; a key belongs to the table whose header is the last above it)"),
            "{e}"
        );
    }

    /// A key slipped both in spelling and in place is pointed to its
    /// table: `replicate` at the top level means `sim.replicates`.
    #[test]
    fn a_near_key_of_another_table_is_named_by_its_path() {
        let e = Scenario::from_toml("replicate = 2\n[sim]\nyears = 5\n", "t")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("at key `replicate` (did you mean `sim.replicates`? a key belongs"),
            "{e}"
        );
        // A near key of its own table comes first, and alone.
        let e = Scenario::from_toml("[sim]\nyeras = 5\n", "t")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("(did you mean `years`?)") && !e.contains("`sim.years`"),
            "{e}"
        );
        let tree = toml::Value::try_from(Scenario::default()).unwrap();
        assert_eq!(crate::paths::nearest_elsewhere(&tree, "zzzzzz"), None);
        // Two keys equally near: neither is named (a review).
        assert_eq!(crate::paths::nearest_elsewhere(&tree, "moraleweight"), None);
    }

    /// A top-level quoted key with dots reads as the table's key of that
    /// path: the search stops without calling the real key unknown.
    #[test]
    fn a_quoted_key_with_dots_stops_the_search_without_a_false_name() {
        let text = "name = \"x\"\n\"pay.level\" = 3\n[pay]\nlevel = 1.0\n[politics]\nzzz = 1\n";
        let e = Scenario::from_toml(text, "t.toml").unwrap_err().to_string();
        assert!(!e.contains("line 4"), "{e}");
        assert!(e.contains("(there may be more unknown keys: "), "{e}");
        // A name with brackets reads back as another path: said too (an
        // untrusted-input audit: the list ended there without a word).
        let text = "[pay]\n\"x[0]\" = 1\n\"y.z\" = 2\nlevle = 2\n";
        let e = Scenario::from_toml(text, "t.toml").unwrap_err().to_string();
        assert!(
            e.contains("a key whose name holds dots or brackets stopped the search"),
            "{e}"
        );
    }

    /// Another kind of fault after an unknown key ends the search, and
    /// says so.
    #[test]
    fn a_fault_of_another_kind_ends_the_search_and_says_so() {
        let text = "[pay]\ncompresion = 3\nlevel = \"a\"\nlevle = 2\n";
        let e = Scenario::from_toml(text, "t.toml").unwrap_err().to_string();
        assert!(
            e.contains(
                "(there may be more unknown keys: the search stopped at a fault of another kind"
            ),
            "{e}"
        );
        // A long key gets no suggestion, quickly.
        let long = "x".repeat(100_000);
        assert_eq!(nearest(&long, &["level".to_string()]), None);
    }

    #[test]
    fn keys_are_taken_out_through_arrays() {
        let mut t: toml::Table = "[[a]]\nb = 1\n[[a]]\nc = { d = 2, e = 3 }\n"
            .parse()
            .unwrap();
        assert!(remove(&mut t, "a[1].c.d"));
        assert!(!remove(&mut t, "a[1].c.d"));
        assert!(remove(&mut t, "a[0].b"));
        assert!(!remove(&mut t, "a[5].b"));
        assert_eq!(t.to_string(), "[[a]]\n\n[[a]]\n\n[a.c]\ne = 3\n");
    }
}
