//! The syntax of varied parameters and other flag values, the same on the
//! command line and in an experiment file: `--vary key.path=a:b:step` or
//! `key.path=v1,v2`, `--param key.path=lo:hi`, `--at 10,20,40`.

use crate::error::{UsageError, readable};

use super::{Param, Vary};

fn usage(flag: &str, arg: &str, message: impl std::fmt::Display) -> UsageError {
    UsageError(format!("{flag} {}: {message}", shown_arg(arg)))
}

/// A flag's value as its errors repeat it: on one line, cut if long.
fn shown_arg(arg: &str) -> String {
    crate::error::shorten(&arg.replace('\n', "\\n"), 200)
}

/// An error of [`parse_vary`] or [`parse_param`] for an entry of an
/// experiment file's `vary` or `param` list: `` `vary` entry "ARG": … ``
/// where the flag's reads `--vary ARG: …`.
pub fn as_file_entry(e: UsageError, flag: &str, arg: &str) -> UsageError {
    let shown = shown_arg(arg);
    match e.0.strip_prefix(&format!("{flag} {shown}: ")) {
        Some(rest) => UsageError(format!(
            "{}: {rest}",
            super::Source::File.given(flag.trim_start_matches('-'), &shown)
        )),
        None => e,
    }
}

/// Parses `s`, the `what` part of a flag's value, as a finite number.
fn finite(flag: &str, arg: &str, s: &str, what: &str) -> Result<f64, UsageError> {
    s.trim()
        .parse::<f64>()
        .ok()
        .filter(|x| x.is_finite())
        .ok_or_else(|| usage(flag, arg, format!("{what} `{s}` is not a number")))
}

/// Formats a number for a `--set` value: the shortest text that reads back
/// as the same f64.
pub fn number_text(x: f64) -> String {
    let s = format!("{x}");
    if s.contains('.') || s.contains('e') || s.contains("inf") || s.contains("NaN") {
        s
    } else {
        format!("{s}.0")
    }
}

/// Parses `key.path=a:b:step` or `key.path=v1,v2,...` (the `--vary` flag).
pub fn parse_vary(arg: &str) -> Result<Vary, UsageError> {
    let flag = "--vary";
    if arg.contains(['\n', '\r']) {
        return Err(usage(
            flag,
            arg,
            "it holds a line break; give each parameter separately",
        ));
    }
    let (key, rhs) = arg.split_once('=').ok_or_else(|| {
        usage(
            flag,
            arg,
            "expected KEY.PATH=FROM:TO:STEP or KEY.PATH=V1,V2,..., for example politics.interference=0.2:0.8:0.2",
        )
    })?;
    let key = key.trim();
    if key.is_empty() {
        return Err(usage(flag, arg, "the key path before `=` is empty"));
    }
    let rhs = rhs.trim();
    if rhs.is_empty() {
        return Err(usage(flag, arg, "no values after `=`"));
    }
    let mut step_given = None;
    let values: Vec<String> = if rhs.contains(':') {
        let parts: Vec<&str> = rhs.split(':').collect();
        if parts.len() != 3 {
            return Err(usage(
                flag,
                arg,
                format!(
                    "a range is FROM:TO:STEP (three numbers), got {} part(s) in `{rhs}`",
                    parts.len()
                ),
            ));
        }
        let num = |s: &str, what: &str| finite(flag, arg, s, what);
        let (a, b, step) = (
            num(parts[0], "FROM")?,
            num(parts[1], "TO")?,
            num(parts[2], "STEP")?,
        );
        step_given = Some(step);
        if step <= 0.0 {
            return Err(usage(
                flag,
                arg,
                format!("STEP must be above 0, got {}", readable(step)),
            ));
        }
        if b < a {
            return Err(usage(
                flag,
                arg,
                format!(
                    "TO ({}) is below FROM ({}); give the range from low to high",
                    readable(b),
                    readable(a)
                ),
            ));
        }
        // Counted as a float first: a tiny step or a huge range would
        // saturate the integer and wrap round to 0 values.
        let count = ((b - a) / step + 1e-9).floor() + 1.0;
        if count.is_nan() || count > 10_000.0 {
            return Err(usage(
                flag,
                arg,
                if count.is_finite() {
                    format!(
                        "{} values; at most 10000 per parameter",
                        crate::error::rounded(count)
                    )
                } else {
                    "more values than can be counted; at most 10000 per parameter".into()
                },
            ));
        }
        let n = count as u64;
        // Both ends are included (docs/experiments.md): a step that does
        // not land on TO would drop it without a word.
        let last = a + (n - 1) as f64 * step;
        if (b - last).abs() > 1e-9 * b.abs().max(1.0) {
            return Err(usage(
                flag,
                arg,
                format!(
                    "STEP {} does not reach TO ({}) from FROM ({}): the last value would be {}; give a STEP that divides TO − FROM, or list the values",
                    readable(step),
                    readable(b),
                    readable(a),
                    number_text((last * 1e9).round() / 1e9)
                ),
            ));
        }
        let integers = [a, b, step].iter().all(|x| x.fract() == 0.0)
            && !parts.iter().any(|p| p.contains('.') || p.contains('e'));
        (0..n)
            .map(|k| {
                // Round away the binary drift of a + k·step (0.1 steps).
                let x = a + k as f64 * step;
                let r = (x * 1e9).round() / 1e9;
                let x = if r.is_finite() { r } else { x };
                if integers {
                    format!("{}", x as i64)
                } else {
                    number_text(x)
                }
            })
            .collect()
    } else {
        let vs: Vec<String> = rhs.split(',').map(|s| s.trim().to_string()).collect();
        if let Some(k) = vs.iter().position(|s| s.is_empty()) {
            return Err(usage(
                flag,
                arg,
                format!("value {} of the list is empty", k + 1),
            ));
        }
        vs
    };
    let mut seen = std::collections::BTreeSet::new();
    for v in &values {
        if !seen.insert(v.clone()) {
            return Err(usage(flag, arg, format!("the value `{v}` is listed twice")));
        }
    }
    let numeric: Option<Vec<f64>> = values.iter().map(|v| v.parse::<f64>().ok()).collect();
    Ok(Vary {
        key: key.to_string(),
        values,
        numeric,
        step: step_given,
        range: step_given.map(|_| rhs.to_string()),
    })
}

/// Parses `key.path=lo:hi` (the `--param` flag).
pub fn parse_param(arg: &str) -> Result<Param, UsageError> {
    let flag = "--param";
    if arg.contains(['\n', '\r']) {
        return Err(usage(
            flag,
            arg,
            "it holds a line break; give each parameter separately",
        ));
    }
    let (key, rhs) = arg.split_once('=').ok_or_else(|| {
        usage(
            flag,
            arg,
            "expected KEY.PATH=LOW:HIGH, for example politics.interference=0.2:0.9",
        )
    })?;
    let key = key.trim();
    if key.is_empty() {
        return Err(usage(flag, arg, "the key path before `=` is empty"));
    }
    let parts: Vec<&str> = rhs.trim().split(':').collect();
    if parts.len() != 2 {
        return Err(usage(
            flag,
            arg,
            format!(
                "an interval is LOW:HIGH (two numbers), got `{}`",
                rhs.trim()
            ),
        ));
    }
    let num = |s: &str, what: &str| finite(flag, arg, s, what);
    let (lo, hi) = (num(parts[0], "LOW")?, num(parts[1], "HIGH")?);
    if hi <= lo {
        return Err(usage(
            flag,
            arg,
            format!(
                "HIGH ({}) must be above LOW ({})",
                readable(hi),
                readable(lo)
            ),
        ));
    }
    Ok(Param {
        key: key.to_string(),
        lo,
        hi,
    })
}

/// Parses `--at 10,20,40`.
pub fn parse_years(flag: &str, arg: &str) -> Result<Vec<u32>, UsageError> {
    let mut ys = Vec::new();
    for s in arg.split(',') {
        let y = s.trim().parse::<u32>().map_err(|_| {
            let t = s.trim();
            // Digits past u32 are a year, just not one a run reaches (it
            // said "not a whole number", a hostile-input audit).
            let negative = t
                .strip_prefix('-')
                .is_some_and(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()));
            let why = if negative {
                format!("`{t}` is negative: report years count from the run's start, 0 and up")
            } else if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) {
                format!(
                    "`{t}` is past the last year any run simulates (`sim.years` is at most 5000)"
                )
            } else {
                format!("`{t}` is not a whole number of years")
            };
            usage(flag, arg, why)
        })?;
        ys.push(y);
    }
    ys.sort_unstable();
    ys.dedup();
    Ok(ys)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_years_past_any_run_are_said_to_be() {
        assert_eq!(parse_years("--at", "40, 10,10").unwrap(), [10, 40]);
        let e = parse_years("--at", "99999999999").unwrap_err().to_string();
        assert!(e.contains("past the last year any run simulates"), "{e}");
        let e = parse_years("--at", "10,-1").unwrap_err().to_string();
        assert!(e.contains("`-1` is negative"), "{e}");
        let e = parse_years("--at", "ten").unwrap_err().to_string();
        assert!(e.contains("`ten` is not a whole number of years"), "{e}");
    }

    #[test]
    fn ranges_include_both_ends_without_drift() {
        let v = parse_vary("politics.interference=0.1:0.9:0.2").unwrap();
        assert_eq!(v.values, ["0.1", "0.3", "0.5", "0.7", "0.9"]);
        assert_eq!(v.numeric.unwrap()[4], 0.9);
        let v = parse_vary("postings.sample=2:10:4").unwrap();
        assert_eq!(v.values, ["2", "6", "10"]);
        let v = parse_vary("promotion.rule=seniority, weighted").unwrap();
        assert_eq!(v.values, ["seniority", "weighted"]);
        assert!(v.numeric.is_none());
    }

    #[test]
    fn bad_vary_and_param_name_the_flag_and_the_problem() {
        for (arg, want) in [
            ("politics.interference", "expected KEY.PATH="),
            ("=0:1:0.1", "key path before `=` is empty"),
            ("a=0:1", "three numbers"),
            ("a=0:x:1", "TO `x` is not a number"),
            ("a=0:1:0", "STEP must be above 0"),
            ("a=1:0:0.1", "TO (0) is below FROM (1)"),
            ("a=1,,2", "value 2 of the list is empty"),
            ("a=1,1", "listed twice"),
            // A step so small, or a range so wide, that an integer count
            // wrapped round to 0 values (a panic further on).
            ("a=0:1:1e-20", "values; at most 10000 per parameter"),
            ("a=-1e308:1e308:1", "more values than can be counted"),
        ] {
            let e = parse_vary(arg).unwrap_err().0;
            assert!(e.starts_with(&format!("--vary {arg}:")), "{e}");
            assert!(e.contains(want), "{arg}: {e}");
        }
        for (arg, want) in [
            ("a", "expected KEY.PATH=LOW:HIGH"),
            ("a=1", "two numbers"),
            ("a=1:1", "must be above LOW"),
            ("a=x:1", "LOW `x` is not a number"),
        ] {
            let e = parse_param(arg).unwrap_err().0;
            assert!(e.starts_with(&format!("--param {arg}:")), "{e}");
            assert!(e.contains(want), "{arg}: {e}");
        }
    }
}
