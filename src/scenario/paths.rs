//! Key paths into a scenario (`promotion.weights.appraisal`,
//! `structure.grades[2].posts` or `structure.grades.2.posts`): reading and
//! type-checked writing on the scenario's TOML tree. `--set` and reform
//! timelines both go through here, so both are validated the same way.

use toml::Value;

/// Splits a key path into segments; `a.b[2].c` and `a.b.2.c` are the same.
pub fn segments(path: &str) -> Vec<String> {
    path.replace('[', ".")
        .replace(']', "")
        .split('.')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

fn keys_of(v: &Value) -> String {
    match v {
        Value::Table(t) => t.keys().cloned().collect::<Vec<_>>().join(", "),
        Value::Array(a) => format!("indices 0 to {}", a.len().saturating_sub(1)),
        _ => "none (it is a value, not a table)".into(),
    }
}

/// The value at `path`, or an error naming the unknown part and the keys
/// that exist there.
pub fn get<'a>(root: &'a Value, path: &str) -> Result<&'a Value, String> {
    let mut cur = root;
    let mut walked = String::new();
    for seg in segments(path) {
        let next = match cur {
            Value::Table(t) => t.get(&seg),
            Value::Array(a) => seg.parse::<usize>().ok().and_then(|k| a.get(k)),
            _ => None,
        };
        match next {
            Some(v) => cur = v,
            None => {
                let place = if walked.is_empty() {
                    "the top level".to_string()
                } else {
                    format!("`{walked}`")
                };
                return Err(format!(
                    "unknown key path `{path}`: `{seg}` is not a key of {place}; keys there: {}",
                    keys_of(cur)
                ));
            }
        }
        if !walked.is_empty() {
            walked.push('.');
        }
        walked.push_str(&seg);
    }
    Ok(cur)
}

/// Parses the text of a `--set` value as the same type as `like`.
pub fn parse_like(raw: &str, like: &Value) -> Result<Value, String> {
    let raw = raw.trim();
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
        _ => Err(format!("expected {kind}, got `{raw}`")),
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
    let mut cur = root;
    for seg in segments(path) {
        cur = match cur {
            Value::Table(t) => t.get_mut(&seg).expect("checked by get"),
            Value::Array(a) => a
                .get_mut(seg.parse::<usize>().expect("checked by get"))
                .expect("checked by get"),
            _ => unreachable!("checked by get"),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn root() -> Value {
        toml::from_str::<toml::Table>("a = 1.5\n[b]\nc = \"x\"\nd = [ { e = 2 }, { e = 3 } ]\n")
            .map(Value::Table)
            .unwrap()
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
    fn nested_and_dotted_keys_flatten_alike() {
        let t: toml::Table = toml::from_str("x = { a.b = 1, \"c.d\" = 2 }").unwrap();
        let inner = t["x"].as_table().unwrap();
        let mut f = flatten(inner);
        f.sort_by(|a, b| a.0.cmp(&b.0));
        assert_eq!(f[0].0, "a.b");
        assert_eq!(f[1].0, "c.d");
    }
}
