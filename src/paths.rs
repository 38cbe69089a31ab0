//! Key paths into a scenario (`promotion.weights.appraisal`,
//! `structure.grades[2].posts` or `structure.grades.2.posts`): reading and
//! type-checked writing on the scenario's TOML tree. `--set` and reform
//! timelines both go through here, so both are validated the same way.

use toml::Value;

/// Splits a key path into segments; `a.b[2].c` and `a.b.2.c` are the same.
/// Lenient (for a path already checked by [`parse`]).
pub fn segments(path: &str) -> Vec<String> {
    parse(path).unwrap_or_else(|_| {
        path.replace('[', ".")
            .replace(']', "")
            .split('.')
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect()
    })
}

/// A key path in one canonical form (`a.b.2.c`), for telling whether two
/// paths name one key: `a.b[2].c`, `a.b.2.c` and `a.b.02.c` are the same
/// (an index is read as a number).
pub fn canonical(path: &str) -> String {
    segments(path)
        .into_iter()
        .map(|s| {
            if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
                s.parse::<usize>().map_or(s, |n| n.to_string())
            } else {
                s
            }
        })
        .collect::<Vec<_>>()
        .join(".")
}

/// The longest key path, in characters and in parts; the deepest key of a
/// scenario (`reforms[0].set.promotion.weights.appraisal`) has 6 parts.
const MAX_PATH_CHARS: usize = 200;
const MAX_PATH_PARTS: usize = 16;

/// Parses a key path strictly: names of letters, digits, `_` and `-`
/// separated by single dots, each optionally followed by `[N]` indices
/// (`structure.grades[2].posts`, or `structure.grades.2.posts`). A
/// malformed path (`a..b`, `a[[0]]`, `a[0.b`, `a[x]`, a trailing dot) is
/// refused, naming the fault and where it is.
pub fn parse(path: &str) -> Result<Vec<String>, String> {
    let fail = |at: usize, what: &str| -> Result<Vec<String>, String> {
        Err(format!(
            "`{}` is not a key path: {what} at character {}; a key path is names joined by dots, with [N] for a list's entries, for example structure.grades[2].posts",
            crate::error::shorten(path, 120),
            at + 1
        ))
    };
    let chars: Vec<char> = path.chars().collect();
    if chars.is_empty() {
        return fail(0, "it is empty");
    }
    if chars.len() > MAX_PATH_CHARS {
        return fail(
            MAX_PATH_CHARS,
            &format!("it is longer than {MAX_PATH_CHARS} characters"),
        );
    }
    let mut out = Vec::new();
    let mut i = 0;
    loop {
        // A name.
        let start = i;
        while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_' || chars[i] == '-')
        {
            i += 1;
        }
        if i == start {
            return match chars.get(i) {
                None => fail(i, "a name is missing at the end"),
                Some('.') => fail(i, "an empty name between two dots"),
                Some(c) => fail(i, &format!("`{c}` where a name should start")),
            };
        }
        out.push(chars[start..i].iter().collect());
        // Indices.
        while i < chars.len() && chars[i] == '[' {
            let open = i;
            i += 1;
            let d = i;
            while i < chars.len() && chars[i].is_ascii_digit() {
                i += 1;
            }
            if i == d {
                return fail(i, "`[` not followed by a whole number");
            }
            if chars.get(i) != Some(&']') {
                return fail(open, "`[` not closed by `]` right after its number");
            }
            out.push(chars[d..i].iter().collect());
            i += 1;
        }
        if out.len() > MAX_PATH_PARTS {
            return fail(i, &format!("it has more than {MAX_PATH_PARTS} parts"));
        }
        match chars.get(i) {
            None => return Ok(out),
            Some('.') => {
                i += 1;
                if i == chars.len() {
                    return fail(i - 1, "a trailing dot");
                }
            }
            Some(c) => return fail(i, &format!("`{c}` after a name")),
        }
    }
}

/// A key path as the documentation writes it: list indices in brackets
/// (`structure.grades[2].posts`, whether given as that or as
/// `structure.grades.2.posts`).
pub fn display(path: &str) -> String {
    let mut out = String::new();
    for seg in segments(path) {
        if !out.is_empty() && seg.chars().all(|c| c.is_ascii_digit()) {
            out.push_str(&format!("[{seg}]"));
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(&seg);
        }
    }
    out
}

/// Names longer than this get no suggestion (no key comes near, and the
/// edit distance costs the product of the lengths).
const MAX_SUGGESTED: usize = 64;

/// The name in `names` spelt most nearly like `name`, if one is near
/// enough to be a slip: at most a third of its letters edited, and at
/// least one.
pub fn nearest<'a>(name: &str, names: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let len = name.chars().count();
    if len > MAX_SUGGESTED {
        return None;
    }
    let limit = (len / 3).max(1);
    names
        .into_iter()
        .filter(|n| n.chars().count().abs_diff(len) <= limit)
        .map(|n| (strsim::damerau_levenshtein(name, n), n))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, n)| n)
}

/// The tables of `root` (outside lists) that hold a key `name`, by path,
/// at most three: "`objective_pm` is a key of `appraisal`".
pub fn tables_with_key(root: &Value, name: &str) -> Vec<String> {
    fn walk(v: &Value, at: &str, name: &str, out: &mut Vec<String>) {
        let Value::Table(t) = v else {
            return;
        };
        if t.contains_key(name) && !at.is_empty() {
            out.push(at.to_string());
        }
        for (k, sub) in t {
            if out.len() < 3 {
                let path = if at.is_empty() {
                    k.clone()
                } else {
                    format!("{at}.{k}")
                };
                walk(sub, &path, name, out);
            }
        }
    }
    let mut out = Vec::new();
    if let Value::Table(t) = root
        && t.contains_key(name)
    {
        out.push(String::new());
    }
    walk(root, "", name, &mut out);
    out.truncate(3);
    out
}

/// Words naming where a table key `name` may have been meant: a key of
/// `cur` spelt nearly alike ("did you mean `promotion.rule`?"), and the
/// other tables that hold a key of exactly that name ("`objective_pm` is
/// a key of `appraisal`").
pub fn key_hint(root: &Value, cur: &Value, walked: &str, name: &str) -> String {
    let full = |k: &str| {
        if walked.is_empty() {
            k.to_string()
        } else {
            format!("{walked}.{k}")
        }
    };
    let mut parts = Vec::new();
    if let Value::Table(t) = cur
        && let Some(n) = nearest(name, t.keys().map(String::as_str))
    {
        parts.push(format!("did you mean `{}`?", full(n)));
    }
    if let Some(e) = elsewhere(root, name) {
        parts.push(e);
    } else if parts.is_empty()
        && let Some(p) = nearest_elsewhere(root, name)
    {
        parts.push(format!("did you mean `{p}`?"));
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!(" ({})", parts.join(" "))
    }
}

/// "`years` is a key of `sim`", when other tables of `root` hold a key
/// `name`.
pub fn elsewhere(root: &Value, name: &str) -> Option<String> {
    let tables: Vec<String> = tables_with_key(root, name)
        .into_iter()
        .map(|t| {
            if t.is_empty() {
                "the top level".to_string()
            } else {
                format!("`{t}`")
            }
        })
        .collect();
    (!tables.is_empty()).then(|| format!("`{name}` is a key of {}", tables.join(" and of ")))
}

/// The key of another table of `root` (outside lists) spelt most nearly
/// like `name`, by its full path ("`sim.replicates`" for `replicate`), when
/// no table holds `name` itself: a key slipped both in spelling and in
/// place. At most one, the nearest; none when two tables tie.
pub fn nearest_elsewhere(root: &Value, name: &str) -> Option<String> {
    fn walk(v: &Value, at: &str, out: &mut Vec<(String, String)>) {
        let Value::Table(t) = v else {
            return;
        };
        for (k, sub) in t {
            let path = if at.is_empty() {
                k.clone()
            } else {
                format!("{at}.{k}")
            };
            out.push((k.clone(), path.clone()));
            walk(sub, &path, out);
        }
    }
    let mut keys = Vec::new();
    walk(root, "", &mut keys);
    let n = nearest(name, keys.iter().map(|(k, _)| k.as_str()))?;
    // Every key as near as the nearest: one path, or none (two names
    // equally near, `moraleweight` between `work.morale_weight` and
    // `corruption.moral_weight`, or one name in two tables).
    let d = strsim::damerau_levenshtein(name, n);
    let mut paths = keys
        .iter()
        .filter(|(k, _)| strsim::damerau_levenshtein(name, k) == d)
        .map(|(_, p)| p);
    let first = paths.next()?;
    paths.next().is_none().then(|| first.clone())
}

fn keys_of(v: &Value) -> String {
    match v {
        Value::Table(t) => t.keys().cloned().collect::<Vec<_>>().join(", "),
        Value::Array(a) if a.is_empty() => "none (the list is empty)".into(),
        Value::Array(a) => format!("indices 0 to {}", a.len() - 1),
        _ => "none (it is a value, not a table)".into(),
    }
}

/// One step of a walk: a table's key (which may itself hold dots, as a
/// reform's `set = { "pay.level" = 1.2 }` does) or a list's index.
enum Step {
    Key(String),
    Index(usize),
}

/// The steps from `root` to the value at `path`, or an error naming the
/// unknown part and the keys that exist there.
fn walk(root: &Value, path: &str) -> Result<Vec<Step>, String> {
    let segs = parse(path)?;
    let mut cur = root;
    let mut steps = Vec::new();
    let mut walked = String::new();
    let mut i = 0;
    while i < segs.len() {
        let next = match cur {
            Value::Table(t) => (i + 1..=segs.len()).find_map(|j| {
                let key = segs[i..j].join(".");
                t.get(&key).map(|v| (v, Step::Key(key), j))
            }),
            Value::Array(a) => segs[i]
                .parse::<usize>()
                .ok()
                .and_then(|k| a.get(k).map(|v| (v, Step::Index(k), i + 1))),
            _ => None,
        };
        match next {
            Some((v, step, j)) => {
                cur = v;
                steps.push(step);
                if !walked.is_empty() {
                    walked.push('.');
                }
                walked.push_str(&segs[i..j].join("."));
                i = j;
            }
            None => {
                let place = if walked.is_empty() {
                    "the top level".to_string()
                } else {
                    format!("`{walked}`")
                };
                return Err(format!(
                    "unknown key path `{path}`: `{}` is not a key of {place}; keys there: {}{}",
                    segs[i],
                    crate::error::shorten(&keys_of(cur), 600),
                    key_hint(root, cur, &walked, &segs[i])
                ));
            }
        }
    }
    Ok(steps)
}

/// The value at `path`, or an error naming the unknown part and the keys
/// that exist there.
pub fn get<'a>(root: &'a Value, path: &str) -> Result<&'a Value, String> {
    let mut cur = root;
    for step in walk(root, path)? {
        cur = match (cur, step) {
            (Value::Table(t), Step::Key(k)) => &t[&k],
            (Value::Array(a), Step::Index(k)) => &a[k],
            _ => unreachable!("walked"),
        };
    }
    Ok(cur)
}

/// Parses the text of a `--set` value as the same type as `like`.
pub fn parse_like(raw: &str, like: &Value) -> Result<Value, String> {
    let raw = raw.trim();
    // The value as a message quotes it: shortened (a 100,000-digit value
    // made a 100,000-character line, an untrusted-input audit).
    let shown = crate::error::shorten(raw, 80);
    let parsed: Option<Value> = toml::from_str::<toml::Table>(&format!("v = {raw}"))
        .ok()
        .and_then(|mut t| t.remove("v"));
    let kind = type_name(like);
    match (like, parsed) {
        (Value::String(_), Some(Value::String(s))) => Ok(Value::String(s)),
        (Value::String(_), _) => Ok(Value::String(raw.to_string())),
        (Value::Float(_), Some(Value::Float(f))) => Ok(Value::Float(f)),
        (Value::Float(_), Some(Value::Integer(i))) => Ok(Value::Float(i as f64)),
        (Value::Integer(_), Some(Value::Integer(i))) => Ok(Value::Integer(i)),
        (Value::Boolean(_), Some(Value::Boolean(b))) => Ok(Value::Boolean(b)),
        (_, Some(v)) if std::mem::discriminant(&v) == std::mem::discriminant(like) => Ok(v),
        // Digits that TOML cannot hold (past 64-bit integers): say so, not
        // that they are no integer.
        (Value::Integer(_), None)
            if {
                // Without a leading zero (which TOML refuses for itself).
                let digits = raw.strip_prefix(['-', '+']).unwrap_or(raw);
                !digits.is_empty()
                    && !digits.starts_with('0')
                    && digits.bytes().all(|b| b.is_ascii_digit())
            } =>
        {
            Err(if raw.starts_with('-') {
                format!(
                    "expected a whole number of {} or more (the smallest a TOML integer holds), got `{shown}`",
                    i64::MIN
                )
            } else {
                format!(
                    "expected a whole number up to {} (the largest a TOML integer holds), got `{shown}`",
                    i64::MAX
                )
            })
        }
        _ => Err(format!("expected {kind}, got `{shown}`")),
    }
}

/// Converts `new` to the type of `like` where that loses nothing
/// (an integer for a float key); otherwise an error naming both types.
pub fn coerce(new: Value, like: &Value) -> Result<Value, String> {
    match (like, new) {
        (Value::Float(_), Value::Integer(i)) => Ok(Value::Float(i as f64)),
        (l, n) if std::mem::discriminant(l) == std::mem::discriminant(&n) => Ok(n),
        (l, n) => Err(format!(
            "expected {}, got {} `{n}`",
            type_name(l),
            type_name(&n)
        )),
    }
}

/// Human name of a TOML value's type.
pub fn type_name(v: &Value) -> &'static str {
    match v {
        Value::String(_) => "a string",
        Value::Integer(_) => "an integer",
        Value::Float(_) => "a number",
        Value::Boolean(_) => "true or false",
        Value::Datetime(_) => "a date",
        Value::Array(_) => "an array",
        Value::Table(_) => "a table",
    }
}

/// Replaces the value at an existing `path` with `new` (type-checked).
pub fn set(root: &mut Value, path: &str, new: Value) -> Result<(), String> {
    let like = get(root, path)?.clone();
    let new = coerce(new, &like).map_err(|e| format!("`{path}`: {e}"))?;
    put(root, path, new)
}

/// Replaces the value at `path`, which must exist, whatever its type: for
/// a key whose value may take two forms (a seed past TOML's integers is a
/// string of its digits); [`set`] checks the type first.
pub fn put(root: &mut Value, path: &str, new: Value) -> Result<(), String> {
    get(root, path)?;
    let mut cur = root;
    for step in walk(cur, path)? {
        cur = match (cur, step) {
            (Value::Table(t), Step::Key(k)) => t.get_mut(&k).expect("walked"),
            (Value::Array(a), Step::Index(k)) => &mut a[k],
            _ => unreachable!("walked"),
        };
    }
    *cur = new;
    Ok(())
}

/// Flattens a (possibly nested) table of assignments into (path, value)
/// pairs: `{ promotion.weights.appraisal = 0.6 }` and
/// `{ "promotion.weights.appraisal" = 0.6 }` give the same pair.
pub fn flatten(t: &toml::Table) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    fn walk(prefix: &str, t: &toml::Table, out: &mut Vec<(String, Value)>) {
        for (k, v) in t {
            let path = if prefix.is_empty() {
                k.clone()
            } else {
                format!("{prefix}.{k}")
            };
            match v {
                Value::Table(inner) => walk(&path, inner, out),
                _ => out.push((path, v.clone())),
            }
        }
    }
    walk("", t, &mut out);
    out
}

/// Where two values differ: each path (as [`get`] and [`set`] take it)
/// with each side's value there (`None`: the key is absent on that side).
/// Tables are walked in key order; arrays element by element, and arrays
/// of other lengths differ at the array itself. So two scenarios whose
/// grade lists differ in one flag differ at `structure.grades[1].selection`,
/// not at the whole list.
pub fn differences(a: &Value, b: &Value) -> Vec<(String, Option<Value>, Option<Value>)> {
    fn go(path: &str, a: &Value, b: &Value, out: &mut Vec<(String, Option<Value>, Option<Value>)>) {
        let key = |k: &str| {
            if path.is_empty() {
                k.to_string()
            } else {
                format!("{path}.{k}")
            }
        };
        match (a, b) {
            (Value::Table(x), Value::Table(y)) => {
                for (k, v) in x {
                    match y.get(k) {
                        Some(w) => go(&key(k), v, w, out),
                        None => out.push((key(k), Some(v.clone()), None)),
                    }
                }
                for (k, w) in y.iter().filter(|(k, _)| !x.contains_key(*k)) {
                    out.push((key(k), None, Some(w.clone())));
                }
            }
            (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
                for (i, (v, w)) in x.iter().zip(y).enumerate() {
                    go(&format!("{path}[{i}]"), v, w, out);
                }
            }
            _ if a == b => {}
            _ => out.push((path.to_string(), Some(a.clone()), Some(b.clone()))),
        }
    }
    let mut out = Vec::new();
    go("", a, b, &mut out);
    out
}

/// Where two values first differ: the first of [`differences`].
pub fn first_difference(a: &Value, b: &Value) -> Option<(String, Option<Value>, Option<Value>)> {
    differences(a, b).into_iter().next()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root() -> Value {
        toml::from_str::<toml::Table>("a = 1.5\n[b]\nc = \"x\"\nd = [ { e = 2 }, { e = 3 } ]\n")
            .map(Value::Table)
            .unwrap()
    }

    #[test]
    fn an_integer_past_64_bits_is_named_as_too_large_not_as_no_integer() {
        let like = Value::Integer(1);
        let e = parse_like("99999999999999999999", &like).unwrap_err();
        assert!(e.contains("whole number up to 9223372036854775807"), "{e}");
        let e = parse_like("-99999999999999999999", &like).unwrap_err();
        assert!(
            e.contains("whole number of -9223372036854775808 or more"),
            "{e}"
        );
        assert_eq!(
            parse_like("-", &like).unwrap_err(),
            "expected an integer, got `-`"
        );
        assert_eq!(
            parse_like("007", &like).unwrap_err(),
            "expected an integer, got `007`"
        );
        assert_eq!(parse_like("12", &like), Ok(Value::Integer(12)));
    }

    #[test]
    fn the_first_difference_is_found_by_path() {
        let a = root();
        assert_eq!(first_difference(&a, &a), None);
        let mut b = a.clone();
        set(&mut b, "b.d[1].e", Value::Integer(4)).unwrap();
        let (path, x, y) = first_difference(&a, &b).unwrap();
        assert_eq!(path, "b.d[1].e");
        assert_eq!((x, y), (Some(Value::Integer(3)), Some(Value::Integer(4))));
        // What the path names, `get` finds on each side.
        assert_eq!(get(&b, &path).unwrap().as_integer(), Some(4));
        if let Value::Table(t) = &mut b {
            t.insert("z".into(), Value::Boolean(true));
        }
        set(&mut b, "b.d[1].e", Value::Integer(3)).unwrap();
        assert_eq!(
            first_difference(&a, &b),
            Some(("z".into(), None, Some(Value::Boolean(true))))
        );
        let c: Value = toml::from_str::<toml::Table>("a = 1.5\n[b]\nc = \"x\"\nd = []\n")
            .map(Value::Table)
            .unwrap();
        let (path, x, y) = first_difference(&a, &c).unwrap();
        assert_eq!(path, "b.d");
        assert_eq!(y.unwrap().as_array().map(Vec::len), Some(0));
        assert_eq!(x.unwrap().as_array().map(Vec::len), Some(2));
    }

    /// Every difference, each at the deepest path that names it: a list of
    /// tables that differs in one entry's field differs there, not as a
    /// whole (the comparison report printed whole grade lists).
    #[test]
    fn every_difference_is_found_by_path() {
        let a = root();
        assert!(differences(&a, &a).is_empty());
        let mut b = a.clone();
        set(&mut b, "b.d[1].e", Value::Integer(4)).unwrap();
        set(&mut b, "a", Value::Float(2.5)).unwrap();
        if let Value::Table(t) = &mut b {
            t.insert("z".into(), Value::Boolean(true));
        }
        let paths: Vec<String> = differences(&a, &b).into_iter().map(|d| d.0).collect();
        assert_eq!(paths, ["a", "b.d[1].e", "z"]);
        // The other way round, the key only one side has is absent first.
        let d = differences(&b, &a);
        assert_eq!(d[2], ("z".into(), Some(Value::Boolean(true)), None));
    }

    #[test]
    fn get_and_set_with_both_index_forms() {
        let mut r = root();
        assert_eq!(get(&r, "b.d[1].e").unwrap().as_integer(), Some(3));
        set(&mut r, "b.d.0.e", Value::Integer(9)).unwrap();
        assert_eq!(get(&r, "b.d[0].e").unwrap().as_integer(), Some(9));
        set(&mut r, "a", Value::Integer(2)).unwrap();
        assert_eq!(get(&r, "a").unwrap().as_float(), Some(2.0));
    }

    #[test]
    fn unknown_paths_name_the_keys_that_exist() {
        let r = root();
        let e = get(&r, "b.zz").unwrap_err();
        assert!(
            e.contains("`zz` is not a key of `b`") && e.contains("c, d"),
            "{e}"
        );
        let e = get(&r, "b.d[5].e").unwrap_err();
        assert!(e.contains("indices 0 to 1"), "{e}");
        // A slip is named, and a key of another table is pointed to.
        let e = get(&r, "b.cc").unwrap_err();
        assert!(e.ends_with("(did you mean `b.c`?)"), "{e}");
        let e = get(&r, "c").unwrap_err();
        assert!(
            e.ends_with("(did you mean `a`? `c` is a key of `b`)"),
            "{e}"
        );
        let e = get(&r, "b.zzzz").unwrap_err();
        assert!(e.ends_with("keys there: c, d"), "{e}");
    }

    #[test]
    fn values_parse_as_the_key_type() {
        assert_eq!(
            parse_like("3", &Value::Float(0.0)).unwrap(),
            Value::Float(3.0)
        );
        assert_eq!(
            parse_like("best", &Value::String(String::new())).unwrap(),
            Value::String("best".into())
        );
        assert!(
            parse_like("abc", &Value::Float(0.0))
                .unwrap_err()
                .contains("expected a number")
        );
        assert!(parse_like("1.5", &Value::Integer(0)).is_err());
        assert!(set(&mut root(), "a", Value::String("x".into())).is_err());
    }

    #[test]
    fn malformed_paths_are_refused_naming_the_fault() {
        for (path, want) in [
            ("structure.grades[0.posts", "`[` not closed"),
            ("grades[[0]]", "`[` not followed by a whole number"),
            ("structure..grades", "empty name between two dots"),
            ("a.b.", "trailing dot"),
            ("a[x]", "not followed by a whole number"),
            ("a b", "after a name"),
            ("", "it is empty"),
            (&"a.".repeat(20)[..39], "more than 16 parts"),
        ] {
            let e = parse(path).unwrap_err();
            assert!(e.contains(want), "{path}: {e}");
        }
        assert_eq!(parse("a.b[2].c").unwrap(), ["a", "b", "2", "c"]);
        assert_eq!(parse("a.b.2.c").unwrap(), ["a", "b", "2", "c"]);
        assert_eq!(parse("x[1][0]").unwrap(), ["x", "1", "0"]);
    }

    #[test]
    fn a_quoted_dotted_key_is_reached_by_its_dotted_path() {
        let mut r: Value = toml::from_str::<toml::Table>(
            "[[reforms]]\nyear = 5\nset = { \"pay.level\" = 1.2, postings = { tenure_months = 24 } }\n",
        )
        .map(Value::Table)
        .unwrap();
        assert_eq!(
            get(&r, "reforms[0].set.pay.level").unwrap().as_float(),
            Some(1.2)
        );
        set(&mut r, "reforms[0].set.pay.level", Value::Float(1.4)).unwrap();
        set(
            &mut r,
            "reforms.0.set.postings.tenure_months",
            Value::Integer(12),
        )
        .unwrap();
        let t = r["reforms"][0]["set"].as_table().unwrap();
        assert_eq!(t["pay.level"].as_float(), Some(1.4));
        assert_eq!(t["postings"]["tenure_months"].as_integer(), Some(12));
    }

    #[test]
    fn nested_and_dotted_keys_flatten_alike() {
        let t: toml::Table = toml::from_str("x = { a.b = 1, \"c.d\" = 2 }").unwrap();
        let inner = t["x"].as_table().unwrap();
        let mut f = flatten(inner);
        f.sort_by(|a, b| a.0.cmp(&b.0));
        assert_eq!(f[0].0, "a.b");
        assert_eq!(f[1].0, "c.d");
    }
}
