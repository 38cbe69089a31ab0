//! Range and consistency checks run after parsing. Every failure names the
//! key path, the value and what is allowed, so the user can fix the file.

/// Collects every problem in a scenario, so that one run reports them all.
#[derive(Debug, Default)]
pub struct Checks {
    errors: Vec<String>,
    /// Every whole-number key checked and its range, for messages about
    /// a value the reader refused before any check could see it.
    int_ranges: Vec<(String, i64, i64)>,
    /// The keys that failed a check of their own value alone (a range or a
    /// list of allowed words), each with its message; rules between keys
    /// (`conflict`) are not among them.
    key_failures: Vec<(String, String)>,
}

impl Checks {
    /// Checks `lo <= value <= hi` for the key `path`.
    pub fn range(&mut self, path: &str, value: f64, lo: f64, hi: f64) {
        if !value.is_finite() || value < lo || value > hi {
            use crate::error::readable;
            self.fail(
                path,
                format!(
                    "`{path}` must be in [{}, {}], got {}",
                    readable(lo),
                    readable(hi),
                    readable(value)
                ),
            );
        }
    }

    /// Checks an integer key is in `lo..=hi`.
    pub fn range_int(&mut self, path: &str, value: i64, lo: i64, hi: i64) {
        self.int_ranges.push((path.to_string(), lo, hi));
        if value < lo || value > hi {
            self.fail(
                path,
                format!("`{path}` must be in [{lo}, {hi}], got {value}"),
            );
        }
    }

    /// Checks that a string key takes one of `allowed`.
    pub fn one_of(&mut self, path: &str, value: &str, allowed: &[&str]) {
        if !allowed.contains(&value) {
            let allowed = allowed
                .iter()
                .map(|a| format!("\"{a}\""))
                .collect::<Vec<_>>()
                .join(", ");
            // Quoted and escaped as Rust writes a string, and shortened: a
            // value with a line break or a million letters kept its one
            // line of the problem list (an untrusted-input audit).
            let got = crate::error::shorten(&format!("{value:?}"), 80);
            self.fail(
                path,
                format!("`{path}` must be one of {allowed}, got {got}"),
            );
        }
    }

    /// A key's own value failed its check.
    fn fail(&mut self, path: &str, msg: String) {
        self.key_failures.push((path.to_string(), msg.clone()));
        self.errors.push(msg);
    }

    /// The keys whose own value failed its check (a range, a list of
    /// allowed words), with the message: a value that is wrong whatever the
    /// other keys hold.
    pub fn key_failures(&self) -> &[(String, String)] {
        &self.key_failures
    }

    /// Records a conflict between keys; `msg` names them.
    pub fn conflict(&mut self, msg: impl Into<String>) {
        self.errors.push(msg.into());
    }

    /// Every whole-number key checked, with its range, in check order.
    /// Whether `msg` is among the problems found so far.
    pub fn has(&self, msg: &str) -> bool {
        self.errors.iter().any(|e| e == msg)
    }

    pub fn int_ranges(&self) -> &[(String, i64, i64)] {
        &self.int_ranges
    }

    /// The problems found, if any.
    pub fn into_result(self) -> Result<(), Vec<String>> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(self.errors)
        }
    }
}

/// Range checks as data: one line per key of a parameter block, in the
/// order they are checked — `key: lo, hi;` for a number, `key: int lo, hi;`
/// for a whole number — each checked as `block.key` against its range.
/// What each key means is in its field's doc comment and docs/scenarios.md.
///
/// ```ignore
/// check_ranges!(c, self, "politics", {
///     interference: 0.0, 1.0;
///     election_cycle_years: 0.25, 100.0;
/// });
/// ```
macro_rules! check_ranges {
    ($c:expr, $s:expr, $block:literal, {}) => {};
    ($c:expr, $s:expr, $block:literal, { $key:ident: int $lo:expr, $hi:expr; $($rest:tt)* }) => {
        $c.range_int(concat!($block, ".", stringify!($key)), $s.$key as i64, $lo, $hi);
        $crate::model::check::check_ranges!($c, $s, $block, { $($rest)* });
    };
    ($c:expr, $s:expr, $block:literal, { $key:ident: $lo:expr, $hi:expr; $($rest:tt)* }) => {
        $c.range(concat!($block, ".", stringify!($key)), $s.$key, $lo, $hi);
        $crate::model::check::check_ranges!($c, $s, $block, { $($rest)* });
    };
}
pub(crate) use check_ranges;
