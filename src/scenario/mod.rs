//! Scenarios: the TOML schema with a documented default for every key,
//! loading with `--set` overrides, and validation. A scenario that passes
//! [`Scenario::validate`] can be simulated without further checks.

pub mod expect;
pub mod lines;
pub mod linked;
pub mod unknown;

use std::path::Path;

use serde::Deserialize;

use crate::model::check::Checks;
pub use crate::model::params::{Scenario, SimParams};
use crate::model::reforms::{self, Reform};
use crate::paths;

const MIB: u64 = 1 << 20;

/// Reads a TOML file of `what` ("experiment file", "target file") into
/// `T`; an error names the file and, in a reader's words, the line and key.
pub fn read_toml_file<T: serde::de::DeserializeOwned>(
    path: &Path,
    what: &str,
) -> Result<T, crate::error::UsageError> {
    use crate::error::UsageError;
    let text = crate::input::read_toml_text(path)
        .map_err(|e| UsageError(format!("cannot read {what} `{}`: {e}", path.display())))?;
    parse_toml_text(&text, path, what)
}

/// [`read_toml_file`] of a file's text already read (`path` names it in
/// messages).
pub fn parse_toml_text<T: serde::de::DeserializeOwned>(
    text: &str,
    path: &Path,
    what: &str,
) -> Result<T, crate::error::UsageError> {
    use crate::error::UsageError;
    let shown = path.display().to_string();
    let fail = |message: String| UsageError(format!("{what} `{shown}` is not valid:\n{message}"));
    let de = toml::Deserializer::parse(text)
        .map_err(|e| fail(explain_toml_error(&e, text).trim_end().to_string()))?;
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let mut message = explain_toml_error(&inner, text).trim_end().to_string();
        // An unknown key: the key meant and the file's other unknown keys
        // (the reader stops at the first), as for a scenario.
        if !path.is_empty() && path != "." {
            let more =
                unknown::explained::<T>(inner.message(), text, &path, &unknown::Schema::none());
            if !more.is_empty() {
                message.push_str(&format!("\nat key `{path}`{more}"));
            }
        }
        fail(cut_long_lines(&message))
    })
}

/// A TOML reader's error in a reader's words: Rust type names become the
/// kinds of value a scenario has, and an error without a place (the
/// reader's nesting limit) names the line and key that caused it.
pub fn explain_toml_error(e: &toml::de::Error, text: &str) -> String {
    let mut message = plain_types(&e.to_string());
    if e.span().is_none() && message.contains("recursion limit") {
        // The line that opens the most levels (a dotted key's parts, inline
        // tables and arrays: a key nested inside `set = { … }` counts
        // there, not before its `=`) is the one that nests too deep.
        let parts = |l: &str| -> usize {
            let code = l.trim().trim_start_matches('[');
            let (key, rest) = code.split_once('=').unwrap_or((code, ""));
            key.matches('.').count() + 1 + rest.matches(['.', '{', '[']).count()
        };
        if let Some((n, line)) = text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim_start().starts_with('#'))
            .max_by_key(|(_, l)| parts(l))
        {
            message = format!(
                "line {}: `{}` nests keys, tables or arrays about {} levels deep, more than the TOML reader allows (no scenario key is more than a few levels deep)",
                n + 1,
                crate::error::shorten(line.trim(), 80),
                parts(line)
            );
        }
    }
    // A seed may pass TOML's integers, written as a string of its digits:
    // say so where the number too large for TOML is a seed's.
    if message.contains(PAST_TOML)
        && let Some(span) = e.span()
    {
        let start = text[..span.start.min(text.len())]
            .rfind('\n')
            .map_or(0, |i| i + 1);
        let (key, value) = text[start..]
            .lines()
            .next()
            .unwrap_or("")
            .split_once('=')
            .unwrap_or(("", ""));
        let key = key.trim().trim_matches('"');
        if key == "seed" || key.ends_with(".seed") || key == "design_seed" {
            // Past 2^64 − 1 no form holds it; below, the string form does.
            let digits: String = value
                .trim()
                .chars()
                .take_while(|c| c.is_ascii_digit() || *c == '_')
                .filter(|c| *c != '_')
                .collect();
            let hint = if digits.parse::<u64>().is_ok() {
                format!(
                    "{PAST_TOML} (a seed past it is written as a string of its digits, e.g. {key} = \"11528446802858022107\")"
                )
            } else {
                format!(
                    "{PAST_TOML}, and past {}, the largest seed",
                    crate::rng::MAX_SEED
                )
            };
            message = message.replacen(PAST_TOML, &hint, 1);
        }
    }
    cut_long_lines(&message)
}

/// How a reader's message says that a number is past TOML's integers.
const PAST_TOML: &str = "the number is past 9223372036854775807, the largest integer TOML holds";

/// The TOML reader's message with Rust's type names in a reader's words.
fn plain_types(message: &str) -> String {
    let mut message = message.to_string();
    // A number past 64 bits, read into a value of any type: "invalid type:
    // integer `N` as i128, expected any valid TOML value".
    const I128: &str = " as i128, expected any valid TOML value";
    if let Some(end) = message.find(I128)
        && let Some(start) = message[..end].rfind("invalid type: integer `")
    {
        let number = message[start + "invalid type: integer ".len()..end].to_string();
        message.replace_range(start..end + I128.len(), &format!("{number}: {PAST_TOML}"));
    }
    for (rust, plain) in [
        ("expected f64", "expected a number"),
        ("expected f32", "expected a number"),
        ("expected u8", "expected a whole number from 0 to 255"),
        ("expected u16", "expected a whole number from 0 to 65535"),
        (
            "expected u32",
            "expected a whole number from 0 to 4294967295",
        ),
        ("expected u64", "expected a whole number of 0 or more"),
        ("expected i64", "expected a whole number"),
        ("expected a boolean", "expected true or false"),
        // The list entries' tables, by what they hold (Rust's struct names
        // reached messages, a hostile-input audit, 2026-12-06).
        (
            "expected struct GradeSpec",
            "expected a grade, a table such as { name = \"BPS-17\", posts = 100 }",
        ),
        (
            "expected struct SectorSpec",
            "expected a sector, a table such as { name = \"revenue\", share = 0.2 }",
        ),
        (
            "expected struct RegionSpec",
            "expected a region, a table such as { name = \"Punjab\", share = 0.5 }",
        ),
        (
            "expected struct CourseSpec",
            "expected a course, a table such as { name = \"mid_career\", grade = \"BPS-18\" }",
        ),
        (
            "u64 value was too large",
            "the number is past 9223372036854775807, the largest integer TOML holds",
        ),
    ] {
        message = message.replace(rust, plain);
    }
    message
}

/// The reader's refusal of a whole number outside its type ("expected a
/// whole number from 0 to 4294967295") in the words of the range `base`'s
/// checks give `key` ("expected a whole number from 1 to 1000000"), so
/// that the message says what the scenario allows, not what the type
/// holds. A list's entries share their ranges (`grades[3]` is checked as
/// `grades[0]` is). Other messages are returned as they are.
///
/// A file's value is refused before the file's scenario exists, so its
/// range is the one the default settings give (`defaults`), which other
/// keys of the file can narrow (`sim.annual_step` by `sim.steps_per_year`):
/// the message says so.
fn with_checked_range(message: &str, key: &str, base: &Scenario, defaults: bool) -> String {
    const TYPE_RANGES: [&str; 4] = [
        "expected a whole number from 0 to 255",
        "expected a whole number from 0 to 65535",
        "expected a whole number from 0 to 4294967295",
        "expected a whole number of 0 or more",
    ];
    let Some(phrase) = TYPE_RANGES.iter().find(|p| message.contains(*p)) else {
        return message.to_string();
    };
    match checked_int_range(base, key) {
        Some((lo, hi)) => message.replace(
            phrase,
            &if defaults {
                format!(
                    "expected a whole number from {lo} to {hi} (the range `{key}` allows with the default settings; other keys of the file can narrow it)"
                )
            } else {
                format!("expected a whole number from {lo} to {hi} (the range `{key}` allows)")
            },
        ),
        None => message.to_string(),
    }
}

/// The whole numbers `base`'s checks allow for the key `key` (an item of a
/// list stands for every item), if they check it.
pub fn checked_int_range(base: &Scenario, key: &str) -> Option<(i64, i64)> {
    let shape = |p: &str| -> Vec<String> {
        paths::segments(p)
            .into_iter()
            .filter(|s| !s.bytes().all(|b| b.is_ascii_digit()))
            .collect()
    };
    let want = shape(key);
    base.problems()
        .int_ranges()
        .iter()
        .find(|(p, _, _)| shape(p) == want)
        .map(|&(_, lo, hi)| (lo, hi))
}

/// `text` with every line longer than 1,000 characters cut, so that a
/// message never repeats a huge line in full.
fn cut_long_lines(text: &str) -> String {
    text.lines()
        .map(|l| crate::error::shorten(l, 1000))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The longest name of a scenario or experiment, in characters.
pub const NAME_MAX: usize = 100;
/// ... and in bytes (UTF-8): a folder's name is at most 255 bytes on the
/// usual file systems, and bureausim's temporary names add a suffix.
pub const NAME_MAX_BYTES: usize = 200;

/// Whether `text` is one line of at most 100 characters without control
/// characters: the rule for a scenario's title, names and reform labels.
fn one_short_line(text: &str) -> bool {
    text.chars().count() <= 100 && !text.chars().any(char::is_control)
}

/// Most reforms a scenario may list: each is checked against the scenario
/// with the reforms before it applied, so the check's cost grows with the
/// square of their number (1,000 take about a second).
pub const MAX_REFORMS: usize = 1000;

/// Why a grade's, sector's, course's or region's name or a reform's label
/// cannot be used, if it cannot: they are printed in tables, CSV cells,
/// plots and reports, so each is one line of at most 100 characters that a
/// spreadsheet does not read as a formula.
pub fn label_problem(text: &str) -> Option<&'static str> {
    if !one_short_line(text) {
        Some("a name or label is one line of at most 100 characters, without control characters")
    } else if text.starts_with(['=', '+', '-', '@']) {
        Some(
            "a name or label may not start with `=`, `+`, `-` or `@` (a spreadsheet would read the CSV cell as a formula)",
        )
    } else {
        None
    }
}

/// Why `name` cannot name a scenario (and so a folder under `outputs/`),
/// if it cannot: it must be one plain path component, so that no scenario
/// file can make bureausim write or delete anywhere else.
pub fn name_problem(name: &str) -> Option<&'static str> {
    if name.is_empty() {
        Some("empty")
    } else if name.starts_with('.') {
        Some("it starts with `.`")
    } else if name.chars().count() > NAME_MAX {
        Some("it is longer than 100 characters")
    } else if name.len() > NAME_MAX_BYTES {
        Some("it is longer than 200 bytes (letters outside the Latin alphabet take two to four)")
    } else if !name
        .chars()
        .all(|c| c.is_alphanumeric() || c == '_' || c == '-' || c == '.')
    {
        Some("it holds a character other than letters, digits, `_`, `-` and `.`")
    } else {
        None
    }
}

/// `stem` made a plain name: other characters become `_`, leading dots go,
/// and an empty result is `scenario`.
pub fn plain_name(stem: &str) -> String {
    let mut t = String::new();
    for c in stem.chars().take(NAME_MAX).map(|c| {
        if c.is_alphanumeric() || c == '_' || c == '-' || c == '.' {
            c
        } else {
            '_'
        }
    }) {
        if t.len() + c.len_utf8() > NAME_MAX_BYTES {
            break;
        }
        t.push(c);
    }
    let t = t.trim_start_matches('.');
    if t.is_empty() {
        "scenario".into()
    } else {
        t.to_string()
    }
}

/// The size of a scenario's run, estimated before it starts.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SizeEstimate {
    pub posts: u64,
    /// Officers at the start.
    pub officers: u64,
    /// Officers × simulated years (warm-up included) × replicates.
    pub officer_years: f64,
    /// One replicate's world (officers, posts, working space), in bytes.
    pub world_bytes: u64,
    /// One replicate's recorded years, in bytes.
    pub result_bytes: u64,
}

impl SizeEstimate {
    /// Peak bytes with `concurrent` replicates simulated at once and the
    /// results of `kept` replicates held; plots copy the results once more.
    pub fn peak_bytes(&self, concurrent: u64, kept: u64, plots: bool) -> u64 {
        let copies = if plots { 2 } else { 1 };
        self.world_bytes.saturating_mul(concurrent).saturating_add(
            self.result_bytes
                .saturating_mul(kept)
                .saturating_mul(copies),
        )
    }
}

/// Why a scenario could not be loaded. All are the user's to fix (exit code 2).
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    #[error("cannot read scenario file `{path}`: {source}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("scenario file `{path}` is not valid:{message}")]
    Parse { path: String, message: String },
    #[error("--set {arg}: {message}")]
    Set { arg: String, message: String },
    #[error("scenario `{origin}` is not valid:\n{}", problem_list(problems))]
    Invalid {
        origin: String,
        problems: Vec<String>,
    },
}

/// Problems listed in a refusal; more are counted, not printed (a file
/// of 160,000 bad keys printed 48 MB of them, a hostile-input audit,
/// 2026-12-06).
pub const MAX_PROBLEMS_SHOWN: usize = 100;

fn problem_list(problems: &[String]) -> String {
    let mut lines: Vec<String> = problems
        .iter()
        .take(MAX_PROBLEMS_SHOWN)
        .map(|p| format!("  - {p}"))
        .collect();
    if problems.len() > MAX_PROBLEMS_SHOWN {
        lines.push(format!(
            "  ... and {} more problems (the first {MAX_PROBLEMS_SHOWN} are shown)",
            problems.len() - MAX_PROBLEMS_SHOWN
        ));
    }
    lines.join("\n")
}

/// How a refusal names the override that gave a value: "(the value of
/// the override `key=value`, not of the file)"; an experiment file's
/// messages reword it for its `set` list.
pub const OVERRIDE_NOTE: &str = "(the value of the override ";
pub const OVERRIDE_NOTE_END: &str = ", not of the file)";

/// A scenario refused for a value an override gave, not its file: each
/// problem that names an overridden key says which override gave it (the
/// file does not hold the value the message quotes).
fn overrides_named(e: ScenarioError, sets: &[String]) -> ScenarioError {
    let ScenarioError::Invalid { origin, problems } = e else {
        return e;
    };
    // The last override of each key, by the key as a problem quotes it at
    // its start (a map: problems times overrides grew as their product, a
    // hostile-input audit, 2026-12-06).
    let mut last: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    for arg in sets {
        if let Some((key, value)) = arg.split_once('=') {
            let shown = paths::display(key.trim());
            let given = format!(
                "`{}`",
                crate::error::shorten(&format!("{shown}={}", value.trim()), 100)
            );
            last.insert(format!("`{shown}`"), given);
        }
    }
    let problems = problems
        .into_iter()
        .map(|p| {
            // The problem is about the key (it starts with it), not one that
            // only quotes it as a bound.
            let quoted = p
                .strip_prefix('`')
                .and_then(|rest| rest.find('`'))
                .map(|end| &p[..end + 2]);
            match quoted.and_then(|q| last.get(q)) {
                Some(g) => format!("{p} {OVERRIDE_NOTE}{g}{OVERRIDE_NOTE_END}"),
                None => p,
            }
        })
        .collect();
    ScenarioError::Invalid { origin, problems }
}

/// A refusal whose problems name the line of the file that gave their
/// key's value (a value an override gave says so instead, and a key the
/// file leaves at its default has no line). A problem that quotes a key an
/// override touches (the key, a key under it, or one above it, such as a
/// reform's `set`) gets no line: the file may not hold the value it names
/// (a review, 2026-12-06).
fn with_lines(e: ScenarioError, text: &str, sets: &[String]) -> ScenarioError {
    let ScenarioError::Invalid { origin, problems } = e else {
        return e;
    };
    let Some(lines) = lines::KeyLines::new(text) else {
        return ScenarioError::Invalid { origin, problems };
    };
    let overridden: Vec<(String, &String)> = sets
        .iter()
        .filter_map(|a| {
            a.split_once('=')
                .map(|(k, _)| (paths::canonical(k.trim()), a))
        })
        .collect();
    let within = |a: &str, b: &str| a == b || a.starts_with(&format!("{b}."));
    // The overrides a problem's quoted keys touch, in the order given.
    let touched = |p: &str| -> Vec<&String> {
        let quoted: Vec<String> = p
            .split('`')
            .skip(1)
            .step_by(2)
            .map(paths::canonical)
            .collect();
        overridden
            .iter()
            .filter(|(k, _)| quoted.iter().any(|q| within(k, q) || within(q, k)))
            .map(|(_, a)| *a)
            .collect()
    };
    let problems = problems
        .into_iter()
        .map(|p| {
            if p.contains(OVERRIDE_NOTE) {
                return p;
            }
            let by = touched(&p);
            if by.is_empty() {
                return lines.name_line(p);
            }
            // Said, since the file alone would not give this problem (an
            // author's audit, 2026-12-06: a reform year past a shortened
            // run named neither the file's line nor the override).
            let list = by
                .iter()
                .map(|a| format!("`{}`", crate::error::shorten(a, 80)))
                .collect::<Vec<_>>()
                .join(", ");
            format!("{p} (with the override {list})")
        })
        .collect();
    ScenarioError::Invalid { origin, problems }
}

impl Scenario {
    /// Parses scenario text; `origin` names it in errors, which give the
    /// line, the key path and, for a wrong type, the type the key takes.
    pub fn from_toml(text: &str, origin: &str) -> Result<Self, ScenarioError> {
        let parse_error = |message: String| ScenarioError::Parse {
            path: origin.to_string(),
            message: format!("\n{}", cut_long_lines(&message))
                .trim_end()
                .to_string(),
        };
        let de = toml::Deserializer::parse(text)
            .map_err(|e| parse_error(explain_toml_error(&e, text)))?;
        serde_path_to_error::deserialize(de).map_err(|e| {
            let path = e.path().to_string();
            let inner = e.into_inner();
            let mut message = explain_toml_error(&inner, text).trim_end().to_string();
            if !path.is_empty() && path != "." {
                message = with_checked_range(&message, &path, &Scenario::default(), true);
                message.push_str(&format!("\nat key `{path}`"));
                // An unknown key: the spelling meant, and every other
                // unknown key of the file, so that one attempt mends all.
                message.push_str(&unknown::explained(
                    inner.message(),
                    text,
                    &path,
                    &unknown::scenario_schema(),
                ));
            }
            parse_error(message)
        })
    }

    /// Reads, parses, applies `--set key.path=value` overrides and validates.
    pub fn load(path: &Path, sets: &[String]) -> Result<Self, ScenarioError> {
        let origin = path.display().to_string();
        let text = crate::input::read_toml_text(path).map_err(|source| ScenarioError::Read {
            path: origin.clone(),
            source,
        })?;
        let mut s = Self::from_toml(&text, &origin)?.with_sets(sets)?;
        if s.name.is_empty() {
            // The file's stem, made a plain folder name (also after a
            // `--set name=`: an empty name would make `outputs/` itself the
            // results' folder).
            s.name = plain_name(
                &path
                    .file_stem()
                    .map(|x| x.to_string_lossy().into_owned())
                    .unwrap_or_default(),
            );
        }
        s.validate(&origin)
            .map_err(|e| with_lines(overrides_named(e, sets), &text, sets))?;
        Ok(s)
    }

    /// Applies `key.path=value` overrides, each type-checked against the key.
    pub fn with_sets(self, sets: &[String]) -> Result<Self, ScenarioError> {
        if sets.is_empty() {
            return Ok(self);
        }
        let mut tree = toml::Value::try_from(&self).expect("scenario serialises");
        let annual_step_set = sets.iter().any(|a| {
            a.split_once('=')
                .is_some_and(|(k, _)| crate::paths::canonical(k.trim()) == "sim.annual_step")
        });
        for arg in sets {
            let err = |message: String| ScenarioError::Set {
                arg: crate::error::shorten(&arg.replace('\n', "\\n").replace('\r', "\\r"), 200),
                message,
            };
            let (key, raw) = arg.split_once('=').ok_or_else(|| {
                err("expected KEY.PATH=VALUE, for example `--set promotion.rule=seniority`".into())
            })?;
            let key = key.trim();
            if key.is_empty() {
                return Err(err("the key path before `=` is empty".into()));
            }
            if raw.contains(['\n', '\r']) {
                return Err(err(format!(
                    "the value holds a line break, so what follows it (`{}`) would be lost; a --set gives one key one value: give each change its own --set",
                    crate::error::shorten(
                        raw.lines().skip(1).collect::<Vec<_>>().join(" ").trim(),
                        60
                    )
                )));
            }
            let like = match paths::get(&tree, key) {
                Ok(v) => v.clone(),
                Err(e) => add_optional_key(&mut tree, key).ok_or_else(|| err(e))?,
            };
            let is_seed = crate::paths::canonical(key) == "sim.seed";
            let value = if is_seed {
                // A seed may pass TOML's integers (a calibration's proposals
                // run on any 64-bit seed): above them it is a string of its
                // digits, as `scenario.toml` writes it.
                let seed = seed_of_set(raw).ok_or_else(|| {
                    err(format!(
                        "`{key}`: expected a whole number from 0 to {}, got `{}`",
                        crate::rng::MAX_SEED,
                        crate::error::shorten(raw.trim(), 80)
                    ))
                })?;
                toml::Value::try_from(SeedValue(seed)).expect("a seed serialises")
            } else {
                paths::parse_like(raw, &like).map_err(|m| err(format!("`{key}`: {m}")))?
            };
            // The annual step on the year's last step stays there when the
            // steps of a year change, unless a --set places it.
            if crate::paths::canonical(key) == "sim.steps_per_year"
                && !annual_step_set
                && paths::get(&tree, "sim.annual_step").ok() == paths::get(&tree, key).ok()
            {
                paths::set(&mut tree, "sim.annual_step", value.clone()).map_err(err)?;
            }
            if is_seed {
                paths::put(&mut tree, key, value).map_err(err)?;
            } else {
                paths::set(&mut tree, key, value).map_err(err)?;
            }
        }
        tree.try_into().map_err(|e: toml::de::Error| {
            // Name a --set that makes the scenario unreadable (the reader's
            // message names neither the key nor the flag): by bisection, the
            // n-th, where the first n − 1 are readable and the first n are
            // not (the first such when a later --set cannot mend an earlier
            // one). A search through every prefix took minutes for a file of
            // 10,000 `set` entries.
            let (mut readable, mut unreadable) = (0, sets.len());
            while unreadable - readable > 1 {
                let mid = (readable + unreadable) / 2;
                if self.clone().with_sets(&sets[..mid]).is_err() {
                    unreadable = mid;
                } else {
                    readable = mid;
                }
            }
            let n = unreadable;
            let key = sets[n - 1].split_once('=').map_or("", |(k, _)| k.trim());
            let before = self
                .clone()
                .with_sets(&sets[..n - 1])
                .unwrap_or(self.clone());
            ScenarioError::Set {
                arg: crate::error::shorten(&sets[n - 1], 200),
                message: with_checked_range(&plain_types(e.message()), key, &before, false),
            }
        })
    }

    /// The first reform, in the order reforms apply, that sets `key` or a
    /// key inside or above it: (its index, the reform, the key it sets).
    /// A value given to such a key holds only until that reform's year.
    pub fn reform_setting(&self, key: &str) -> Option<(usize, &Reform, String)> {
        let want = paths::segments(key);
        self.reform_order().into_iter().find_map(|k| {
            let r = &self.reforms[k];
            paths::flatten(&r.set).into_iter().find_map(|(p, _)| {
                let segs = paths::segments(&p);
                (segs.starts_with(&want) || want.starts_with(&segs)).then_some((k, r, p))
            })
        })
    }

    /// Indices of `reforms` in the order they apply: by the step each
    /// starts on, in file order within a step (the later one wins).
    pub fn reform_order(&self) -> Vec<usize> {
        // By the step each starts on, then as listed: the order the run
        // applies them in (two years that round to one step, 1.04 listed
        // before 1.0, were checked the other way round, a review,
        // 2026-12-06).
        let mut order: Vec<usize> = (0..self.reforms.len()).collect();
        order.sort_by_key(|&k| self.reforms[k].start_step(self.sim.steps_per_year));
        order
    }

    /// What a valid scenario makes the model clip or bound, said before a
    /// run so that no result is silently shaped by a limit: for now the
    /// exam cycle's abilities, at the start and after each reform (in the
    /// order they apply, ramps complete).
    pub fn warnings(&self) -> Vec<String> {
        let mut out = Vec::new();
        let mut states = vec![("at the start".to_string(), self.clone())];
        if let Ok(mut tree) = toml::Value::try_from(self) {
            let spy = self.sim.steps_per_year;
            let order = self.reform_order();
            // Reforms that start on one step make one state: the run never
            // holds the state between them (a review, 2026-12-06: a package
            // split in two reforms of one year was warned of where the
            // same package in one reform was not).
            let mut labels = Vec::new();
            for (n, &k) in order.iter().enumerate() {
                let r = &self.reforms[k];
                for (p, v) in paths::flatten(&r.set) {
                    let _ = paths::set(&mut tree, &p, v);
                }
                labels.push(format!("\"{}\"", r.display_label(k)));
                if order
                    .get(n + 1)
                    .is_some_and(|&next| self.reforms[next].start_step(spy) == r.start_step(spy))
                {
                    continue;
                }
                let names = std::mem::take(&mut labels);
                if let Ok(mut s) = Scenario::deserialize(tree.clone()) {
                    s.reforms.clear();
                    s.expect.clear();
                    let which = match names.len() {
                        1 => format!("the reform {}", names[0]),
                        _ => format!("the reforms {}", names.join(" and ")),
                    };
                    states.push((format!("after {which} (year {})", r.year), s));
                }
            }
        }
        let mut prev: Option<&Scenario> = None;
        for (when, s) in &states {
            let n = s.structure.grades.len();
            for (g, grade) in s.structure.grades.iter().enumerate() {
                if !grade.entry || !s.recruitment.enabled {
                    continue;
                }
                let pay = s.pay.basic(g, n);
                let outside = grade.outside_wage_ratio * s.pay.market(g, n);
                if let Some(w) = s
                    .recruitment
                    .clipping(s.recruitment.attractiveness(pay, outside))
                {
                    let w = format!("recruitment into {} {when}: {w}", grade.name);
                    if !out.contains(&w) {
                        out.push(w);
                    }
                }
            }
            out.extend(s.appraisal_bar_warnings(&states[0].1, prev, when));
            prev = Some(s);
        }
        // A ramp that ends after the run's last year: the run never sees
        // the reform at full strength (a scenario author's audit,
        // 2026-12-06: year 38 with a 3-year ramp on a 40-year run ran
        // without a word).
        let years = self.sim.years as f64;
        for (k, r) in self.reforms.iter().enumerate() {
            let end = r.year + r.ramp_years;
            if r.ramp_years > 0.0 && end > years && r.year < years {
                out.push(format!(
                    "`reforms[{k}]` (\"{}\") ramps from year {} to year {}, after the run's last year ({}): its numbers move only about {}% of the way from their old values before the run ends",
                    r.display_label(k),
                    crate::error::readable(r.year),
                    crate::error::readable(end),
                    self.sim.years,
                    ((years - r.year) / r.ramp_years * 100.0).round()
                ));
            }
        }
        // A key read only for grades that leave it to it (a key audit,
        // 2026-12-06: `--set structure.initial_fill=0.4` on the baseline
        // changed nothing, unsaid).
        let st = &self.structure;
        let default_fill = crate::model::structure::Structure::default().initial_fill;
        if st.initial_fill != default_fill && st.grades.iter().all(|g| g.initial_officers.is_some())
        {
            out.push(format!(
                "`structure.initial_fill` ({}) is read only for grades that do not give `initial_officers`, and every grade here gives it: it changes nothing (set the grades' `initial_officers` instead)",
                crate::error::readable(st.initial_fill)
            ));
        }
        out
    }

    /// Bars on the reports' scale that reports reach only for officers who
    /// deliver more than most do: the promotion boards' and the directory
    /// review's. An audit (2026-12-06) found that objective performance
    /// management alone, with the baseline's promotion bar of 6 (51% of
    /// full performance needed), kept 97–99% of the officers otherwise
    /// eligible from the boards, cut promotions from about 1,860 a year to
    /// 345 and efficiency from 22 to 15, because it removes the inflation
    /// every report had (the library's reforms lower the bar to 4 with it:
    /// 27% needed, 10–14% kept out); a review found a bar of 5 (40%) still
    /// kept out 82%. With the Directory Retirement Rules of
    /// `task_force_2020` (a poor record below 6) it doubled compulsory
    /// retirements (639 to 1,289 a year, years 6–12) and cut efficiency by
    /// 13%. Officers deliver about 30% of full performance on average in
    /// the baseline (efficiency 22 over the 76% of posts filled), so a bar
    /// is warned of above 35%; the run's columns are what tell.
    ///
    /// `prev` is the state before this one: a bar it held on the same
    /// reports is not said again.
    fn appraisal_bar_warnings(
        &self,
        start: &Scenario,
        prev: Option<&Scenario>,
        when: &str,
    ) -> Vec<String> {
        let a = &self.appraisal;
        if !a.enabled {
            return Vec::new();
        }
        let reports_of = |s: &Scenario| {
            (
                s.appraisal.inflation,
                s.appraisal
                    .objective_pm
                    .then_some(s.appraisal.objective_factor),
            )
        };
        // Each bar on the reports' scale: whether it is read, and its value.
        let bars_of = |s: &Scenario| {
            [
                (s.promotion.enabled, s.promotion.appraisal_threshold),
                (
                    s.exits.enabled && s.exits.compulsory_retirement,
                    s.exits.compulsory_appraisal_below,
                ),
            ]
        };
        let (now, at_start) = (bars_of(self), bars_of(start));
        let held = prev
            .filter(|p| p.appraisal.enabled && reports_of(p) == reports_of(self))
            .map(bars_of);
        let reports = if a.objective_pm {
            format!(
                "under objective performance management reports keep little of their \
                 inflation (`appraisal.objective_factor` = {}), so they",
                a.objective_factor
            )
        } else {
            format!("reports with `appraisal.inflation` = {}", a.inflation)
        };
        // What each bar is called and does, in the order of `bars_of`.
        let texts = [
            (
                "promotion",
                "promotion.appraisal_threshold",
                "boards may find few eligible officers",
                "the library's objective-PM reforms set 4",
                "`appraisal_barred_share` in the results says how many it keeps out",
            ),
            (
                "exits",
                "exits.compulsory_appraisal_below",
                "the directory review may find most records poor and retire most officers it \
                 reviews",
                "on honest reports a poor record is a low one on their scale",
                "`exits_compulsory` in the results says how many it retires",
            ),
        ];
        let mut out = Vec::new();
        for (k, (what, key, consequence, hint, column)) in texts.into_iter().enumerate() {
            let ((on, bar), bar0) = (now[k], at_start[k].1);
            let needed = a.true_score_for(bar);
            if !on || needed <= 3.5 || held.is_some_and(|h| h[k] == now[k]) {
                continue;
            }
            let before = if std::ptr::eq(self, start) {
                String::new()
            } else {
                format!(
                    " (at the start {:.0}%, with `{key}` = {bar0})",
                    start.appraisal.true_score_for(bar0) * 10.0
                )
            };
            let advice = if a.objective_pm {
                format!("Lower it with objective performance management ({hint})")
            } else {
                "Lower it or check the inflation".to_string()
            };
            out.push(format!(
                "{what} {when}: {reports} reach `{key}` = {bar} only for officers who deliver at \
                 least {:.0}% of full performance on average{before}, more than most do (about \
                 30% in the baseline): {consequence}. {advice}; {column}",
                needed * 10.0
            ));
        }
        out
    }

    /// Range and consistency checks, reporting every problem at once.
    pub fn validate(&self, origin: &str) -> Result<(), ScenarioError> {
        let mut c = self.problems();
        self.check_reforms(&mut c);
        c.into_result().map_err(|problems| ScenarioError::Invalid {
            origin: origin.to_string(),
            problems,
        })
    }

    /// The reforms' checks: each reform's paths must exist, take the right
    /// type and leave a valid scenario; they are applied cumulatively in
    /// the order the run applies them (by starting step, then as listed).
    /// Over the limit of reforms, only that is said (`problems`; each
    /// reform costs a check).
    fn check_reforms(&self, c: &mut Checks) {
        if self.reforms.is_empty() || self.reforms.len() > MAX_REFORMS {
            return;
        }
        let mut tree = toml::Value::try_from(self).expect("scenario serialises");
        // The scenario as the run rebuilds it: reforms cannot set their
        // own list or the expectations, and each copy below need not
        // carry them.
        if let Some(t) = tree.as_table_mut() {
            t.remove("reforms");
            t.remove("expect");
        }
        let base = tree.clone();
        let mut ok = true;
        // Which reform last set each key, to name it beside a problem
        // found after the reforms (the file's own value may be valid).
        // (A map: a file of many keys was checked in time growing with
        // their square, a hostile-input audit, 2026-12-06.)
        let mut set_by: std::collections::HashMap<String, String> =
            std::collections::HashMap::new();
        // Every value each key is given, and by which reform: a run
        // rebuilds its scenario as each reform starts, ramps and is
        // reversed, so any of them (or a ramp's whole number between
        // two of them) can be a key's value at some step, whatever the
        // others hold then; each must be one its key can hold (a run
        // panicked on a value a later reform replaced, a hostile-input
        // audit, 2026-12-06).
        let mut given: std::collections::BTreeMap<String, Vec<(toml::Value, String)>> =
            std::collections::BTreeMap::new();
        // No reform may begin on a key an earlier one is still
        // ramping: the ramp writes its key every step until it ends,
        // over the later value (which was lost for good), and a later
        // value taken apart from the ramp's other keys could break a
        // rule between them (an audit and its review, 2026-12-06).
        // A ramp of R steps from step s writes on steps s to s + R - 1
        // (`reforms::apply_ramp`); on its last step the run goes
        // through the list, so a reform listed after the ramp comes
        // after its last write. Per key: the last reform that set it
        // without a clash, the step its ramp ends on (0 for no ramp),
        // and where it is listed.
        let spy = self.sim.steps_per_year;
        let mut last_set: std::collections::HashMap<String, (u64, usize)> =
            std::collections::HashMap::new();
        for k in self.reform_order() {
            let r = &self.reforms[k];
            let key = format!("reforms[{k}]");
            let label = if r.label.is_empty() {
                String::new()
            } else {
                format!(" (\"{}\")", crate::error::shorten(&r.label, 60))
            };
            let given_by = format!(
                "`{key}.set`{label} gives it from year {}",
                crate::error::readable(r.year)
            );
            let (start, ramp) = (r.start_step(spy), r.ramp_steps(spy));
            let mut clash = None;
            // A reform begins after the row of its year: in the run's
            // last year or later it would change nothing recorded.
            // Its start is rounded to the step (`ReformState::new`), so
            // a year just short of the end starts on the end's step.
            let years = self.sim.years;
            let last = years as u64 * spy as u64;
            if !(r.year >= 0.0 && start < last) {
                // Say so when it is the rounding that takes the year
                // to the end.
                let rounding = if (0.0..years as f64).contains(&r.year) {
                    format!(
                        ", which starts on the run's last step once rounded to the step ({spy} a year)"
                    )
                } else {
                    String::new()
                };
                // What a user can do about it (an instructor's audit,
                // 2026-12-07: a demo shortened below its reform's year was
                // refused with no way out named).
                // (None when the steps a year are themselves wrong, or the
                // years needed beyond what a run may have.)
                let needed = (spy > 0 && r.year >= 0.0)
                    .then(|| start / spy as u64 + 1)
                    .filter(|&n| n <= 5_000);
                let way_out = match needed {
                    Some(n) => format!(
                        "; to keep the reform, run at least {n} years; to run without the reforms, --set 'reforms=[]'"
                    ),
                    None => String::new(),
                };
                c.conflict(format!(
                    "`{key}.year` must be at least 0 and below `sim.years` ({years}), got {}{rounding}: a reform begins after the row of its year, so one in the run's last year or later would change nothing recorded{way_out}",
                    crate::error::readable(r.year),
                ));
            }
            c.range(&format!("{key}.ramp_years"), r.ramp_years, 0.0, 1000.0);
            c.range(
                &format!("{key}.reversal_hazard"),
                r.reversal_hazard,
                0.0,
                1.0,
            );
            c.range(&format!("{key}.morale_shock"), r.morale_shock, -1.0, 1.0);
            for (name, v) in [
                (
                    "reversal_at_government_change",
                    r.reversal_at_government_change,
                ),
                ("legal_embedding", r.legal_embedding),
                ("monitoring", r.monitoring),
                ("time_bound_tasking", r.time_bound_tasking),
            ] {
                c.range(&format!("{key}.{name}"), v, 0.0, 1.0);
            }
            let set = paths::flatten(&r.set);
            if set.is_empty() {
                c.conflict(format!(
                    "`{key}.set` is empty: a reform must set at least one key"
                ));
            }
            let mut seen = std::collections::HashSet::new();
            for (p, v) in set {
                let canonical = paths::canonical(&p);
                set_by.insert(paths::display(&canonical), given_by.clone());
                let next = start.saturating_add(1);
                match last_set.get(&canonical) {
                    Some(&(end, a)) if next < end || (next == end && k < a) => {
                        clash = clash.or(Some((canonical.clone(), a)));
                    }
                    _ => {
                        let end = if ramp > 0 {
                            start.saturating_add(ramp)
                        } else {
                            0
                        };
                        last_set.insert(canonical.clone(), (end, k));
                    }
                }
                // A key given twice (dotted and quoted) would keep only
                // one value, and a `--set` of the other would be lost.
                if !seen.insert(canonical.clone()) {
                    c.conflict(format!(
                        "`{key}.set` sets `{p}` twice (for example as a dotted key and as a quoted one): give each key once"
                    ));
                    ok = false;
                    continue;
                }
                if let Some(why) = reforms::forbidden(&p) {
                    c.conflict(format!(
                        "`{key}.set` changes `{p}`, which a reform cannot change: {why}"
                    ));
                    ok = false;
                    continue;
                }
                // A list replaced whole could change its length under a
                // later reform's index, or, reversed, take it away (a
                // run panicked on either, a hostile-input audit,
                // 2026-12-06): a reform sets single values.
                if v.is_array() {
                    c.conflict(format!(
                        "`{key}.set` gives `{p}` a list; a reform changes single values, not lists (their length and elements are fixed at the start): set each element's key, such as `{p}[0].share`"
                    ));
                    ok = false;
                    continue;
                }
                // As the run takes it: converted to the type of the
                // value it replaces, or refused.
                let v = match paths::get(&tree, &p) {
                    Ok(old) => match paths::coerce(v, old) {
                        Ok(v) => v,
                        Err(e) => {
                            c.conflict(format!("`{key}.set`: `{p}`: {e}"));
                            ok = false;
                            continue;
                        }
                    },
                    Err(_) => v,
                };
                // By the key, however it is written (`grades[1]` and
                // `grades.1` are one key; a review, 2026-12-06: two
                // spellings hid each other's values).
                let values = given.entry(canonical).or_default();
                if !values.iter().any(|(w, _)| *w == v) {
                    values.push((v.clone(), key.clone()));
                }
                if let Err(e) = paths::set(&mut tree, &p, v) {
                    c.conflict(format!("`{key}.set`: {e}"));
                    ok = false;
                }
            }
            if let Some((p, a)) = clash {
                let ra = &self.reforms[a];
                let end = ra.start_step(spy).saturating_add(ra.ramp_steps(spy));
                // In years, to the hundredth: within a step of the
                // ramp's end, whatever the steps of a year.
                let end = crate::error::readable((end as f64 / spy as f64 * 100.0).round() / 100.0);
                c.conflict(format!(
                    "`reforms[{k}].set` sets `{}` from year {}, while `reforms[{a}]` is still ramping it (from year {} to year {end}); a ramp writes its key every step until it ends, over a later value: start `reforms[{k}]` at year {end} or later, or put both changes in one reform",
                    paths::display(&p),
                    crate::error::readable(r.year),
                    crate::error::readable(ra.year),
                ));
                ok = false;
            }
        }
        // Each value alone in the scenario before the reforms, in
        // rounds: round n gives every key its n-th value (keys are read
        // independently), so a key given a thousand values costs a
        // thousand readings, not one for each value of each key.
        let rounds = given.values().map(Vec::len).max().unwrap_or(0);
        // Keys whose own value fails its check before any reform (said
        // already), and each value found wrong (said once).
        let failing_before: std::collections::HashSet<String> =
            c.key_failures().iter().map(|(p, _)| p.clone()).collect();
        let mut said = std::collections::HashSet::new();
        for n in 0..rounds.min(if ok { usize::MAX } else { 0 }) {
            let mut t = base.clone();
            let mut from = Vec::new();
            for (p, values) in &given {
                if let Some((v, who)) = values.get(n) {
                    let _ = paths::set(&mut t, p, v.clone());
                    from.push((p, v, who));
                }
            }
            let round = match Scenario::deserialize(t) {
                Ok(round) => round,
                Err(e) => {
                    // In a reader's words ("expected u32" said the type).
                    let e = plain_types(&e.to_string())
                        .split_whitespace()
                        .collect::<Vec<_>>()
                        .join(" ");
                    // The key the reader names, with the reform that gave it.
                    let (p, v, who) = from
                        .iter()
                        .filter(|(p, _, _)| e.contains(&format!("`{}`", paths::display(p))))
                        .max_by_key(|(p, _, _)| p.len())
                        .copied()
                        .unwrap_or(from[0]);
                    // The range the scenario allows, not the type's.
                    let e = with_checked_range(&e, &paths::display(p), self, false);
                    c.conflict(format!(
                        "`{who}.set` gives `{}` the value {v}, which it cannot hold ({e}); a run meets every value a reform gives, whatever a later one gives",
                        paths::display(p)
                    ));
                    ok = false;
                    break;
                }
            };
            // A value that fails its key's own check (a range, a word
            // not among those allowed), whatever the other keys hold:
            // a run would use it until a later reform replaced it (a
            // rule "bogus" ran as the weighted rule without a word).
            // The value left after the reforms is checked below, with
            // the rules between keys; the rules between keys are not
            // checked here, where each key holds one of its values
            // beside the others' values from other reforms.
            for (path, msg) in round.problems().key_failures() {
                if failing_before.contains(path) {
                    continue;
                }
                let Some(&(p, v, who)) = from
                    .iter()
                    .find(|(p, _, _)| paths::display(&paths::canonical(p)) == *path)
                else {
                    continue;
                };
                // (As text: a NaN is not equal to itself.)
                let last = paths::get(&tree, p).is_ok_and(|last| last.to_string() == v.to_string());
                if last || !said.insert((p.clone(), v.to_string())) {
                    continue;
                }
                c.conflict(format!(
                    "`{who}.set` gives `{}` the value {v}, which it cannot hold: {msg}; a run meets every value a reform gives until a later one replaces it",
                    paths::display(p)
                ));
            }
        }
        if ok {
            match Scenario::deserialize(tree) {
                Ok(after) => {
                    let mut after = after;
                    after.reforms.clear();
                    after.expect.clear();
                    if let Err(problems) = after.problems().into_result() {
                        for p in problems {
                            let who = set_by
                                .iter()
                                .filter(|(k, _)| p.contains(&format!("`{k}`")))
                                .min_by_key(|(k, _)| p.find(&format!("`{k}`")))
                                .map_or(String::new(), |(_, w)| format!(" ({w})"));
                            // The file's own problem, which no reform
                            // touches, is said once (a scenario author's
                            // audit, 2026-12-06: it came twice, the second
                            // time as if the reforms had caused it).
                            if who.is_empty() && c.has(&p) {
                                continue;
                            }
                            c.conflict(format!("after the reforms: {p}{who}"));
                        }
                    }
                }
                Err(e) => c.conflict(format!("after the reforms: {e}")),
            }
        }
    }

    fn problems(&self) -> Checks {
        let mut c = Checks::default();
        // An empty name is filled in from the file's name when it is loaded.
        if let Some(why) = name_problem(&self.name).filter(|_| !self.name.is_empty()) {
            c.conflict(format!(
                "`name` is {}: {why}; a name is a plain folder name (letters, digits, `_`, `-` and `.`, not starting with `.`), because results go to outputs/<name>",
                crate::error::shorten(&format!("{:?}", self.name), 80)
            ));
        }
        if !one_short_line(&self.title) {
            c.conflict(format!(
                "`title` is {}: a title is one line of at most 100 characters",
                crate::error::shorten(&format!("{:?}", self.title), 80)
            ));
        }
        let s = &self.sim;
        c.range_int("sim.replicates", s.replicates as i64, 1, 100_000);
        c.range_int("sim.years", s.years as i64, 1, 5_000);
        c.range_int("sim.warmup_years", s.warmup_years as i64, 0, 1_000);
        // The checks against the steps of a year only when those are valid:
        // else they would only repeat this error in other words.
        let steps_ok = [1, 2, 3, 4, 6, 12].contains(&s.steps_per_year);
        if !steps_ok {
            c.conflict(format!(
                "`sim.steps_per_year` must divide a year into whole months (1, 2, 3, 4, 6 or 12), got {}",
                s.steps_per_year
            ));
        } else {
            c.range_int(
                "sim.annual_step",
                s.annual_step as i64,
                1,
                s.steps_per_year as i64,
            );
        }
        c.one_of("sim.engine", &s.engine, &crate::model::params::ENGINES);
        c.range_int("sim.stride", s.stride as i64, 1, 12);
        let courses: Vec<String> = self
            .training
            .courses
            .iter()
            .map(|c| c.name.clone())
            .collect();
        let grades: Vec<String> = self
            .structure
            .grades
            .iter()
            .map(|g| g.name.clone())
            .collect();
        self.structure.check(&mut c, &courses);
        self.ageing.check(&mut c);
        self.work.check(&mut c);
        self.corruption.check(&mut c);
        self.accountability.check(&mut c);
        self.postings.check(&mut c);
        self.posting_market.check(&mut c);
        self.training.check(&mut c, &grades);
        self.appraisal.check(&mut c);
        self.promotion.check(&mut c);
        self.pay.check(&mut c);
        self.exits.check(&mut c);
        self.recruitment.check(&mut c);
        self.politics.check(&mut c);
        self.transparency.check(&mut c);
        self.trust.check(&mut c);
        if steps_ok && self.promotion.boards_per_year > s.steps_per_year {
            c.conflict(format!(
                "`promotion.boards_per_year` ({}) exceeds `sim.steps_per_year` ({}): at most one board meets per step",
                self.promotion.boards_per_year, s.steps_per_year
            ));
        }
        if self.structure.total_posts() > 50_000_000 {
            c.conflict(format!(
                "the grades' `posts` add up to {}, above the limit of 50,000,000",
                self.structure.total_posts()
            ));
        }
        let r = &self.recruitment;
        let oldest = r.oldest_age_at_exam();
        if oldest + r.entry_lag_years >= self.exits.retirement_age {
            let whole = if oldest != r.age_max {
                format!(", drawn in whole years up to {oldest}")
            } else {
                String::new()
            };
            c.conflict(format!(
                "`recruitment.age_max` ({}{whole}) plus `recruitment.entry_lag_years` ({}) must be below `exits.retirement_age` ({}): an entrant that old would retire on arrival",
                r.age_max, r.entry_lag_years, self.exits.retirement_age
            ));
        }
        // Only where ex-cadre entrants come in (a grade with ex-cadre posts).
        let ex_cadre = self.structure.grades.iter().any(|g| g.ex_cadre_share > 0.0);
        if ex_cadre && self.recruitment.ex_cadre_age_max >= self.exits.retirement_age {
            c.conflict(format!(
                "`recruitment.ex_cadre_age_max` ({}) must be below `exits.retirement_age` ({}): an entrant that old would retire on arrival",
                self.recruitment.ex_cadre_age_max, self.exits.retirement_age
            ));
        }
        for (k, e) in self.expect.iter().enumerate() {
            e.check(k, !self.reforms.is_empty(), &mut c);
        }
        // Names label outputs (grades.csv, sectors.csv) and are looked up
        // (a grade's course, a course's grade): each once in its list.
        let lists: [(&str, Vec<&String>); 4] = [
            (
                "structure.grades",
                self.structure.grades.iter().map(|g| &g.name).collect(),
            ),
            (
                "structure.sectors",
                self.structure.sectors.iter().map(|x| &x.name).collect(),
            ),
            (
                "training.courses",
                self.training.courses.iter().map(|x| &x.name).collect(),
            ),
            (
                "recruitment.regions",
                self.recruitment.regions.iter().map(|x| &x.name).collect(),
            ),
        ];
        // Names and reform labels are printed in tables, CSV cells, plots
        // and reports: one line each, short, and not read as a formula by a
        // spreadsheet.
        for (list, names) in &lists {
            for (k, name) in names.iter().enumerate() {
                if let Some(why) = label_problem(name) {
                    c.conflict(format!(
                        "`{list}[{k}].name` is {}: {why}",
                        crate::error::shorten(&format!("{name:?}"), 80)
                    ));
                }
            }
        }
        for (k, r) in self.reforms.iter().enumerate() {
            if let Some(why) = label_problem(&r.label) {
                c.conflict(format!(
                    "`reforms[{k}].label` is {}: {why}",
                    crate::error::shorten(&format!("{:?}", r.label), 80)
                ));
            }
        }
        if self.reforms.len() > MAX_REFORMS {
            c.conflict(format!(
                "`reforms` has {} entries, above the limit of {MAX_REFORMS}",
                self.reforms.len()
            ));
        }
        for (list, names) in lists {
            let mut seen = std::collections::HashSet::new();
            for name in names {
                if !seen.insert(name) {
                    let what = list.rsplit('.').next().unwrap_or(list);
                    let one = what.strip_suffix('s').unwrap_or(what);
                    c.conflict(format!("{one} name \"{name}\" appears twice in `{list}`"));
                }
            }
        }
        c
    }

    /// The same service scaled by `factor`: every grade's posts and starting
    /// officers, every course's seats and the recruitment cap (at least one of each that was not zero), so that shares,
    /// rates and careers keep their shape. Used for quick checks and for
    /// benchmarks at chosen sizes.
    pub fn scaled(mut self, factor: f64) -> Self {
        let f = |n: u32| match n {
            0 => 0,
            n => ((n as f64 * factor).round() as u32).max(1),
        };
        for g in &mut self.structure.grades {
            g.posts = f(g.posts);
            g.initial_officers = g.initial_officers.map(|n| f(n).min(g.posts));
        }
        for c in &mut self.training.courses {
            c.seats_per_year = f(c.seats_per_year);
        }
        self.recruitment.intake_cap = f(self.recruitment.intake_cap);
        self
    }

    /// Whether [`Scenario::scaled`] changes the key at `path` (canonical,
    /// dotted): a grade's posts or starting officers, a course's seats, the
    /// recruitment cap. A run at a scale cannot also vary or fit such a key:
    /// its values would be read in the scaled service's units.
    pub fn changed_by_scale(path: &str) -> bool {
        let k = path.replace(' ', "");
        k == "recruitment.intake_cap"
            || (k.starts_with("structure.grades")
                && (k.ends_with("posts") || k.ends_with("initial_officers")))
            || (k.starts_with("training.courses") && k.ends_with("seats_per_year"))
    }

    /// What a run of this scenario will hold in memory, estimated before it
    /// starts, so that a run too large for the machine is refused at once
    /// rather than dying partway (see [`SizeEstimate`]).
    pub fn size_estimate(&self) -> SizeEstimate {
        let grades = self.structure.grades.len() as u64;
        let posts = self.structure.total_posts();
        let officers: u64 = (0..self.structure.grades.len())
            .map(|g| self.structure.initial_officers(g) as u64)
            .sum();
        // An officer's columns, a post's and the per-sector expertise;
        // measured at 142 to 196 bytes per post (BENCHMARKS.md), with a
        // margin for the boards' and events' working space.
        let per_slot = 200 + 4 * self.structure.sectors.len() as u64;
        let world_bytes = 16 * MIB + per_slot * posts.max(officers);
        // A recorded year: the metrics row, a row per grade and a row per
        // sector, with the allocations' overhead (576 bytes a year measured
        // for one grade; about 32 bytes a vector).
        let sectors = self.structure.sectors.len() as u64;
        let metrics = crate::metrics::METRICS.len() as u64;
        let grade_metrics = crate::metrics::GRADE_METRICS.len() as u64;
        let sector_metrics = crate::metrics::SECTOR_METRICS.len() as u64;
        let per_year = 8 * (metrics + grades * grade_metrics + sectors * sector_metrics)
            + 32 * (grades + sectors + 3);
        SizeEstimate {
            posts,
            officers,
            officer_years: officers as f64
                * (self.sim.years + self.sim.warmup_years) as f64
                * self.sim.replicates as f64,
            world_bytes,
            result_bytes: per_year * (self.sim.years as u64 + 1),
        }
    }

    /// The resolved scenario as TOML, every default filled in.
    pub fn to_toml(&self) -> String {
        toml::to_string_pretty(self).expect("scenario serialises")
    }

    /// The scenario as TOML for an identity (a fingerprint): without its
    /// `title`, which names it for readers and changes no result, and with
    /// each reform's `set` in one form, a flat table of canonical key
    /// paths, so that `set.pay.level = 1.2`, `set = { pay.level = 1.2 }`
    /// and `set = { "pay.level" = 1.2 }` (or `grades[1]` and `grades.1`),
    /// which give the same results, are the same experiment to `resume`
    /// and `merge`. Loading refuses a `set` that gives one path twice.
    pub fn identity_toml(&self) -> String {
        let mut s = self.clone();
        s.title.clear();
        for r in &mut s.reforms {
            r.set = crate::paths::flatten(&r.set)
                .into_iter()
                .map(|(path, value)| (crate::paths::canonical(&path), value))
                .collect();
        }
        s.to_toml()
    }

    /// The name readers see: the `title`, or the `name` when it has none.
    pub fn display_title(&self) -> &str {
        if self.title.trim().is_empty() {
            &self.name
        } else {
            &self.title
        }
    }
}

/// A seed as a scenario's tree holds it ([`crate::rng::serialize_seed`]).
#[derive(serde::Serialize)]
struct SeedValue(#[serde(serialize_with = "crate::rng::serialize_seed")] u64);

/// The seed a `--set sim.seed=` gives: a TOML integer from 0 (`42`,
/// `1_000`, `0x10`) or a string of digits (`"42"`), or bare digits past
/// TOML's integers.
fn seed_of_set(raw: &str) -> Option<u64> {
    let raw = raw.trim();
    match toml::from_str::<toml::Table>(&format!("v = {raw}"))
        .ok()
        .and_then(|mut t| t.remove("v"))
    {
        Some(toml::Value::Integer(i)) => u64::try_from(i).ok(),
        Some(toml::Value::String(s)) => crate::rng::parse_seed(&s),
        Some(_) => None,
        // Past TOML's integers: the digits as they are.
        None => crate::rng::parse_seed(raw),
    }
}

/// Keys the resolved scenario leaves out at their default (a reform's
/// reversal at a change of government and its institutionalisation shares
/// at 0, an empty `title`, a grade's `initial_officers` when it follows
/// `structure.initial_fill`, an expectation's `percent` when it has no
/// size band): added to `tree` at `key` with a value of
/// their type, so that a `--set` finds them as it finds any other key.
/// Returns that value; `None` (nothing added) for any other key.
fn add_optional_key(tree: &mut toml::Value, key: &str) -> Option<toml::Value> {
    use toml::Value;
    let segs = paths::segments(key);
    let names: Vec<&str> = segs.iter().map(String::as_str).collect();
    let (parent, like) = match names[..] {
        ["title"] => (None, Value::String(String::new())),
        [
            "reforms",
            i,
            "reversal_at_government_change"
            | "legal_embedding"
            | "monitoring"
            | "time_bound_tasking",
        ] => (Some(format!("reforms[{i}]")), Value::Float(0.0)),
        ["structure", "grades", i, "initial_officers"] => {
            (Some(format!("structure.grades[{i}]")), Value::Integer(0))
        }
        // An expectation without a size band: the band's shape, [low, high].
        ["expect", i, "percent"] => (
            Some(format!("expect[{i}]")),
            Value::Array(vec![Value::Float(0.0), Value::Float(0.0)]),
        ),
        _ => return None,
    };
    let last = segs.last()?.clone();
    match parent {
        None => {
            tree.as_table_mut()?.insert(last, like.clone());
        }
        Some(parent) => {
            let mut t = paths::get(tree, &parent).ok()?.clone();
            t.as_table_mut()?.insert(last, like.clone());
            paths::set(tree, &parent, t).ok()?;
        }
    }
    Some(like)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Honest reports with the bar left at 6 keep most officers from the
    /// boards (an audit, 2026-12-06): warned of at the start and after a
    /// reform that turns objective performance management on, once per
    /// setting, and not when the bar is lowered with it or the reports stay
    /// inflated.
    #[test]
    fn honest_reports_under_an_inflated_bar_are_warned_of() {
        // A scenario's warnings that name `key`.
        let warned_of = |s: &Scenario, key: &str| {
            s.warnings()
                .into_iter()
                .filter(|w| w.contains(key))
                .collect::<Vec<_>>()
        };
        let bar = |s: &Scenario| warned_of(s, "appraisal_threshold");
        let start = Scenario::from_toml("appraisal.objective_pm = true\n", "a").unwrap();
        let w = bar(&start);
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(
            w[0].starts_with("promotion at the start: under objective performance management")
                && w[0].contains("`promotion.appraisal_threshold` = 6 only")
                && w[0].contains("at least 51% of full performance")
                && w[0].contains("Lower it with objective performance management")
                && w[0].contains("`appraisal_barred_share`"),
            "{w:?}"
        );
        let reform = "[[reforms]]\nyear = 5\nlabel = \"honest\"\n\
                      set = { \"appraisal.objective_pm\" = true }\n";
        let w = bar(&Scenario::from_toml(reform, "b").unwrap());
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(
            w[0].starts_with("promotion after the reform \"honest\" (year 5)")
                && w[0].contains("(at the start 0%, with `promotion.appraisal_threshold` = 6)"),
            "{w:?}"
        );
        // A second reform that leaves the bar and the reports as they are
        // is not said again.
        let twice = format!("{reform}[[reforms]]\nyear = 8\nset = {{ \"pay.level\" = 1.1 }}\n");
        assert_eq!(bar(&Scenario::from_toml(&twice, "c").unwrap()).len(), 1);
        for quiet in [
            "",
            "appraisal.objective_pm = true\npromotion.appraisal_threshold = 4\n",
            "appraisal.objective_pm = true\npromotion.enabled = false\n",
            "appraisal.objective_pm = true\nappraisal.enabled = false\n",
        ] {
            let s = Scenario::from_toml(quiet, "d").unwrap();
            assert!(bar(&s).is_empty(), "{quiet:?}: {:?}", bar(&s));
        }
        // Inflation turned down without objective management, or a bar
        // too high for inflated reports: said with the inflation.
        for (file, needed) in [
            ("appraisal.inflation = 0.1\n", "at least 56%"),
            ("promotion.appraisal_threshold = 10.0\n", "at least 100%"),
        ] {
            let w = bar(&Scenario::from_toml(file, "e").unwrap());
            assert!(
                w.len() == 1
                    && w[0].contains("reports with `appraisal.inflation` =")
                    && w[0].contains(needed)
                    && w[0].contains("Lower it or check the inflation"),
                "{file:?}: {w:?}"
            );
        }
        // A bar of 5 under objective management (40% needed) is warned
        // of: it kept out 82% in the review's run; 4.5 (33%) is not.
        let at = |t: &str| {
            let f = format!("appraisal.objective_pm = true\npromotion.appraisal_threshold = {t}\n");
            bar(&Scenario::from_toml(&f, "f").unwrap()).len()
        };
        assert_eq!((at("5.0"), at("4.5")), (1, 0));
        // Two reforms of one year are one state (the run never holds the
        // state between them): no warning for the package split in two.
        let split = format!(
            "{reform}[[reforms]]\nyear = 5\nlabel = \"bar\"\n\
             set = {{ \"promotion.appraisal_threshold\" = 4.0 }}\n"
        );
        assert!(bar(&Scenario::from_toml(&split, "g").unwrap()).is_empty());
        // The directory review's poor-record bar is on the same scale.
        let review = |file: &str| {
            warned_of(
                &Scenario::from_toml(file, "r").unwrap(),
                "compulsory_appraisal_below",
            )
        };
        let honest = "exits.compulsory_retirement = true\nappraisal.objective_pm = true\n\
                      promotion.appraisal_threshold = 4.0\n";
        let w = review(honest);
        assert!(
            w.len() == 1
                && w[0].starts_with("exits at the start: under objective performance management")
                && w[0].contains("`exits.compulsory_appraisal_below` = 6 only")
                && w[0].contains("`exits_compulsory`"),
            "{w:?}"
        );
        assert!(review("exits.compulsory_retirement = true\n").is_empty());
        // A reform that moves only the review's bar does not say the
        // boards' bar again (a review, 2026-12-06).
        let one_bar = "appraisal.objective_pm = true\nexits.compulsory_retirement = true\n\
                       exits.compulsory_appraisal_below = 3.0\n[[reforms]]\nyear = 4\n\
                       set = { \"exits.compulsory_appraisal_below\" = 5.0 }\n";
        let all = Scenario::from_toml(one_bar, "s").unwrap().warnings();
        let boards = all
            .iter()
            .filter(|w| w.contains("`promotion.appraisal_threshold`"));
        assert_eq!(boards.count(), 1, "{all:?}");
        assert!(
            all.iter().any(|w| w.starts_with("exits after the reform")),
            "{all:?}"
        );
        assert!(review("appraisal.objective_pm = true\n").is_empty());
        // Off, then on again: said at the start and again when it returns.
        let again = "appraisal.objective_pm = true\n[[reforms]]\nyear = 3\n\
                     set = { \"appraisal.objective_pm\" = false }\n[[reforms]]\nyear = 6\n\
                     label = \"on again\"\nset = { \"appraisal.objective_pm\" = true }\n";
        let w = bar(&Scenario::from_toml(again, "h").unwrap());
        assert!(
            w.len() == 2 && w[1].starts_with("promotion after the reform \"on again\" (year 6)"),
            "{w:?}"
        );
    }

    #[test]
    fn a_reform_set_written_nested_dotted_or_quoted_is_one_identity() {
        let forms = [
            "[[reforms]]\nyear = 3\nset.pay.level = 1.2\nset.\"structure.grades[1].selection\" = true\n",
            "[[reforms]]\nyear = 3\nset = { pay.level = 1.2, \"structure.grades.1.selection\" = true }\n",
            "[[reforms]]\nyear = 3\n[reforms.set]\n\"pay.level\" = 1.2\n\"structure.grades[01].selection\" = true\n",
        ];
        let ids: Vec<String> = forms
            .iter()
            .map(|t| Scenario::from_toml(t, "f").unwrap().identity_toml())
            .collect();
        assert_eq!(ids[0], ids[1]);
        assert_eq!(ids[0], ids[2]);
        let other =
            Scenario::from_toml("[[reforms]]\nyear = 3\nset.pay.level = 1.3\n", "f").unwrap();
        assert_ne!(ids[0], other.identity_toml());
    }

    #[test]
    fn a_title_names_the_scenario_for_readers_and_changes_no_identity() {
        let plain = Scenario::from_toml("name = \"x\"\n", "a").unwrap();
        let titled =
            Scenario::from_toml("name = \"x\"\ntitle = \"Tenure security\"\n", "b").unwrap();
        assert_eq!(plain.display_title(), "x");
        assert_eq!(titled.display_title(), "Tenure security");
        assert_eq!(plain.identity_toml(), titled.identity_toml());
        assert!(titled.to_toml().contains("title = \"Tenure security\""));
        let bad = Scenario::from_toml("title = \"two\\nlines\"\n", "c");
        assert!(bad.is_err() || bad.unwrap().validate("c").is_err());
    }

    /// Names and labels go into CSV cells, plots and reports: a formula, a
    /// control character or a thousand reforms is refused by name.
    #[test]
    fn names_labels_and_the_number_of_reforms_are_bounded() {
        let mut s = Scenario::default();
        s.structure.grades[0].name = "=HYPERLINK(\"http://x\",\"y\")".into();
        let e = s.validate("a").unwrap_err().to_string();
        assert!(
            e.contains("structure.grades[0].name") && e.contains("formula"),
            "{e}"
        );
        let mut s = Scenario::default();
        s.structure.sectors[1].name = "police\u{7}".into();
        let e = s.validate("a").unwrap_err().to_string();
        assert!(e.contains("structure.sectors[1].name"), "{e}");
        let text = |n: usize, label: &str| {
            let mut t = String::from("name = \"r\"\n");
            for k in 0..n {
                t.push_str(&format!(
                    "[[reforms]]\nyear = {}\nlabel = \"{label}\"\nset = {{ politics.interference = 0.5 }}\n",
                    k % 30
                ));
            }
            t
        };
        let e = Scenario::from_toml(&text(1, "\\u001b[2J"), "b")
            .unwrap()
            .validate("b")
            .unwrap_err()
            .to_string();
        assert!(e.contains("reforms[0].label"), "{e}");
        Scenario::from_toml(&text(3, "a -5% cut"), "c")
            .unwrap()
            .validate("c")
            .unwrap();
        let e = Scenario::from_toml(&text(MAX_REFORMS + 1, "x"), "d")
            .unwrap()
            .validate("d")
            .unwrap_err()
            .to_string();
        assert!(e.contains("above the limit of 1000"), "{e}");
    }

    #[test]
    fn defaults_are_valid_and_round_trip() {
        let s = Scenario::default();
        s.validate("default").unwrap();
        let back: Scenario = toml::from_str(&s.to_toml()).unwrap();
        assert_eq!(back, s);
    }

    #[test]
    fn a_seed_past_tomls_integers_is_set_written_and_read_again() {
        let big = 11_528_446_802_858_022_107u64;
        for arg in [format!("sim.seed={big}"), format!("sim.seed=\"{big}\"")] {
            let s = Scenario::default().with_sets(&[arg]).unwrap();
            assert_eq!(s.sim.seed, big);
            let text = s.to_toml();
            assert!(text.contains(&format!("seed = \"{big}\"")), "{text}");
            assert_eq!(Scenario::from_toml(&text, "back").unwrap(), s);
            // And back under TOML's largest: an integer again.
            let small = s.with_sets(&["sim.seed=7".into()]).unwrap();
            assert_eq!(small.sim.seed, 7);
            assert!(small.to_toml().contains("seed = 7\n"));
        }
        // TOML's integer forms, as for any integer key.
        for (arg, seed) in [
            ("sim.seed=1_000", 1000),
            ("sim.seed=0x10", 16),
            ("sim.seed= 42 ", 42),
        ] {
            assert_eq!(
                Scenario::default()
                    .with_sets(&[arg.into()])
                    .unwrap()
                    .sim
                    .seed,
                seed
            );
        }
        for bad in [
            "sim.seed=-1",
            "sim.seed=18446744073709551616",
            "sim.seed=1.5",
            "sim.seed=x",
            "sim.seed=\"42",
            "sim.seed=42\"",
        ] {
            let e = Scenario::default()
                .with_sets(&[bad.into()])
                .unwrap_err()
                .to_string();
            assert!(e.contains("0 to 18446744073709551615"), "{bad}: {e}");
        }
    }

    #[test]
    fn sets_are_type_checked() {
        let s = Scenario::default()
            .with_sets(&["promotion.rule=seniority".into(), "sim.years=5".into()])
            .unwrap();
        assert_eq!(s.promotion.rule, "seniority");
        assert_eq!(s.sim.years, 5);
        let e = Scenario::default()
            .with_sets(&["pay.compression=abc".into()])
            .unwrap_err()
            .to_string();
        assert!(e.contains("expected a number, got `abc`"), "{e}");
        let e = Scenario::default()
            .with_sets(&["pay.compresion=2".into()])
            .unwrap_err()
            .to_string();
        assert!(e.contains("`compresion` is not a key of `pay`"), "{e}");
    }

    /// A whole number the reader refuses for its type (below 0 for a
    /// count) is answered with the range the scenario allows, not the
    /// type's ("from 0 to 4294967295" for `posts_per_unit`, whose checks
    /// allow 1 to 1000000), from a --set and from a file, also for a
    /// list's entry.
    #[test]
    fn a_refused_whole_number_is_told_the_keys_range() {
        let e = Scenario::default()
            .with_sets(&["structure.posts_per_unit=-3".into()])
            .unwrap_err()
            .to_string();
        assert!(e.contains("from 1 to 1000000"), "{e}");
        assert!(!e.contains("4294967295"), "{e}");
        let e = Scenario::from_toml("[[structure.grades]]\nname = \"A\"\nposts = -3\n", "f.toml")
            .unwrap_err()
            .to_string();
        assert!(e.contains("from 0 to 50000000"), "{e}");
        assert!(e.contains("structure.grades[0].posts"), "{e}");
    }

    /// Keys the resolved scenario leaves out at their default are set as
    /// any other (a researcher's audit: `--set reforms[0].legal_embedding`
    /// was an unknown key path unless the file stated it).
    #[test]
    fn keys_left_out_at_their_default_can_be_set() {
        let base = Scenario::from_toml(
            "[[structure.grades]]\nname = \"A\"\nposts = 10\nentry = true\n\n[[reforms]]\nyear = 1\nset = { \"politics.interference\" = 0.1 }\n\n[[expect]]\nmetric = \"corruption\"\ndirection = \"down\"\n",
            "a",
        )
        .unwrap();
        let text = base.to_toml();
        assert!(
            !text.contains("legal_embedding")
                && !text.contains("title")
                && !text.contains("percent"),
            "{text}"
        );
        let s = base
            .with_sets(&[
                "reforms[0].legal_embedding=0.5".into(),
                "reforms[0].reversal_at_government_change=0.2".into(),
                "title=A title".into(),
                "structure.grades[0].initial_officers=7".into(),
                "expect[0].percent=[-30, -5.5]".into(),
            ])
            .unwrap();
        assert_eq!(s.expect[0].percent, Some([-30.0, -5.5]));
        assert_eq!(s.reforms[0].legal_embedding, 0.5);
        assert_eq!(s.reforms[0].reversal_at_government_change, 0.2);
        assert_eq!(s.title, "A title");
        assert_eq!(s.structure.grades[0].initial_officers, Some(7));
        // Only those: a misspelt key, or one of a reform that is not there.
        for bad in [
            "reforms[0].legal_embeding=0.5",
            "reforms[1].monitoring=0.5",
            "expect[1].percent=[-30, -5]",
            "expect[0].percent=-30",
        ] {
            assert!(s.clone().with_sets(&[bad.into()]).is_err(), "{bad}");
        }
    }

    /// The annual step defaults to the year's last step, in a file and
    /// under a --set that changes the steps of a year; a step given, or one
    /// that is not the last, stays.
    #[test]
    fn the_annual_step_defaults_to_the_years_last_step() {
        let f = Scenario::from_toml("[sim]\nsteps_per_year = 4\n", "a").unwrap();
        assert_eq!(f.sim.annual_step, 4);
        let f = Scenario::from_toml("[sim]\nsteps_per_year = 4\nannual_step = 2\n", "a").unwrap();
        assert_eq!(f.sim.annual_step, 2);
        assert_eq!(Scenario::default().sim.annual_step, 12);
        let set = |sets: &[&str]| {
            let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
            Scenario::default().with_sets(&sets).unwrap().sim
        };
        assert_eq!(set(&["sim.steps_per_year=4"]).annual_step, 4);
        assert_eq!(
            set(&["sim.annual_step=3", "sim.steps_per_year=4"]).annual_step,
            3
        );
        assert_eq!(
            set(&["sim.steps_per_year=4", "sim.annual_step=1"]).annual_step,
            1
        );
        assert_eq!(
            set(&["sim.annual_step=6", "sim.steps_per_year=12"]).annual_step,
            6
        );
        let moved = Scenario::default()
            .with_sets(&["sim.annual_step=6".into()])
            .unwrap()
            .with_sets(&["sim.steps_per_year=4".into()])
            .unwrap();
        assert_eq!(
            moved.sim.annual_step, 6,
            "not the last step: left for validation"
        );
        assert!(moved.validate("a").is_err());
    }

    #[test]
    fn every_problem_is_reported() {
        let s = Scenario::default()
            .with_sets(&[
                "pay.compression=0.5".into(),
                "recruitment.merit_share=0.5".into(),
            ])
            .unwrap();
        let e = s.validate("x.toml").unwrap_err().to_string();
        assert!(
            e.contains("`pay.compression` must be in [1, 100], got 0.5"),
            "{e}"
        );
        assert!(e.contains("must sum to 1"), "{e}");
    }

    #[test]
    fn reforms_are_checked_against_the_schema() {
        let text = "[[reforms]]\nyear = 5\nset = { promotion.rule = \"best\", \"pay.compression\" = 4.0 }\n";
        Scenario::from_toml(text, "t")
            .unwrap()
            .validate("t")
            .unwrap();
        let bad = "[[reforms]]\nyear = 5\nset = { pay.compresion = 4.0 }\n";
        let e = Scenario::from_toml(bad, "t")
            .unwrap()
            .validate("t")
            .unwrap_err()
            .to_string();
        assert!(e.contains("`compresion` is not a key of `pay`"), "{e}");
        let out = "[[reforms]]\nyear = 5\nset = { pay.compression = 400.0 }\n";
        let e = Scenario::from_toml(out, "t")
            .unwrap()
            .validate("t")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("after the reforms: `pay.compression` must be in"),
            "{e}"
        );
        // The reform that set it is named: the file's own value is valid.
        assert!(e.contains("(`reforms[0].set` gives it from year 5)"), "{e}");
        let labelled = "[[reforms]]\nyear = 2\nlabel = \"pay up\"\nset = { pay.compression = 400.0 }\n\n[[reforms]]\nyear = 3\nset = { pay.level = 1.1 }\n";
        let e = Scenario::from_toml(labelled, "t")
            .unwrap()
            .validate("t")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("(`reforms[0].set` (\"pay up\") gives it from year 2)"),
            "{e}"
        );
        let posts = "[[reforms]]\nyear = 5\nset = { \"structure.grades[0].posts\" = 4 }\n";
        let e = Scenario::from_toml(posts, "t")
            .unwrap()
            .validate("t")
            .unwrap_err()
            .to_string();
        assert!(e.contains("which a reform cannot change"), "{e}");
    }

    /// A hostile-input audit (2026-12-06): a two-value key given a longer
    /// list kept its first two values without a word.
    #[test]
    fn a_pair_takes_two_values_exactly() {
        let expect = |years: &str| {
            format!(
                "[[reforms]]\nyear = 1\nset = {{ \"pay.level\" = 1.2 }}\n\n[[expect]]\nmetric = \"corruption_prevalence\"\ndirection = \"down\"\nyears = {years}\n"
            )
        };
        let s = Scenario::from_toml(&expect("[1, 5]"), "t").unwrap();
        assert_eq!(s.expect[0].years, [1, 5]);
        for bad in ["[1, 2, 3, 4, 5]", "[1]", "[]"] {
            let e = Scenario::from_toml(&expect(bad), "t")
                .unwrap_err()
                .to_string();
            assert!(e.contains("expected a pair of 2 values"), "{bad}: {e}");
        }
        let e = Scenario::from_toml(&expect("[1, 5]"), "t")
            .unwrap()
            .with_sets(&["expect[0].percent=[-30, -5, 2]".into()])
            .unwrap_err()
            .to_string();
        assert!(e.contains("got a list of 3"), "{e}");
    }

    /// A hostile-input audit and a review (2026-12-06): `check` judged only
    /// the state after every reform, while a run rebuilds its scenario as
    /// each one starts, ramps and is reversed, and panicked on a state in
    /// between: a list a reform replaced (and a reversal shortened) under a
    /// later reform's index, a value of the wrong type or out of its type's
    /// range that a later reform replaced, ramped from or was reversed to,
    /// two reforms of one step checked in another order than the run's.
    #[test]
    fn every_value_a_run_can_meet_is_one_its_key_holds() {
        let check = |text: &str| Scenario::from_toml(text, "t").unwrap().validate("t");
        let refused = |text: &str| check(text).unwrap_err().to_string();
        let list = "[recruitment]\nregions = [{ name = \"only\", share = 1.0 }]\n\n[[reforms]]\nyear = 1\nreversal_hazard = 1.0\nset = { \"recruitment.regions\" = [{ name = \"a\", share = 0.5 }, { name = \"b\", share = 0.5 }] }\n";
        let e = refused(list);
        assert!(
            e.contains("gives `recruitment.regions` a list; a reform changes single values"),
            "{e}"
        );
        // Elements' keys are single values: allowed.
        check("[recruitment]\nregions = [{ name = \"a\", share = 0.5 }, { name = \"b\", share = 0.5 }]\n\n[[reforms]]\nyear = 1\nset = { \"recruitment.regions[1].pool_factor\" = 2.0 }\n").unwrap();
        // Converted as the run converts it: a whole number for a number
        // key; anything else of another type refused.
        let e = refused("[[reforms]]\nyear = 1\nset = { \"promotion.rule\" = 3 }\n");
        assert!(
            e.contains("`promotion.rule`: expected a string, got an integer"),
            "{e}"
        );
        // A value its key cannot hold, replaced later (the run meets it),
        // ramped from, reversed to, or listed first on one step whose
        // years sort the other way.
        let two = |a: &str, b: &str| {
            format!("[sim]\nyears = 8\n\n[[reforms]]\n{a}\n\n[[reforms]]\n{b}\n")
        };
        let bad = "set = { \"promotion.boards_per_year\" = -5 }";
        let good = "set = { \"promotion.boards_per_year\" = 2 }";
        for (text, who) in [
            (
                two(&format!("year = 2\n{bad}"), &format!("year = 4\n{good}")),
                0,
            ),
            (
                two(
                    &format!("year = 1\n{bad}"),
                    &format!("year = 1\nramp_years = 1\n{good}"),
                ),
                0,
            ),
            (
                two(
                    &format!("year = 1\n{bad}"),
                    &format!("year = 1\nreversal_hazard = 1.0\n{good}"),
                ),
                0,
            ),
            (
                two(
                    &format!("year = 1.04\n{good}"),
                    &format!("year = 1.0\n{bad}"),
                ),
                1,
            ),
        ] {
            let e = refused(&text);
            assert!(
                e.contains(&format!("`reforms[{who}].set` gives `promotion.boards_per_year` the value -5, which it cannot hold")),
                "{text}\n{e}"
            );
        }
        // The step's order is the run's: the later listed wins.
        let s = Scenario::from_toml(
            &two(
                &format!("year = 1.04\n{bad}"),
                &format!("year = 1.0\n{good}"),
            ),
            "t",
        )
        .unwrap();
        assert_eq!(s.reform_order(), [0, 1]);
        // Rules between keys are checked after the reforms only: a ramp's
        // end is not a state the run meets while a later reform starts, so
        // none between is refused for them.
        check("[[reforms]]\nyear = 1\nramp_years = 4\nset = { \"recruitment.age_min\" = 32.0, \"recruitment.age_mean\" = 34.0 }\n\n[[reforms]]\nyear = 2\nset = { \"recruitment.age_max\" = 40.0 }\n").unwrap();
        // The type's range is not the key's: the message gives the key's.
        let e = refused(&two(
            &format!("year = 2\n{bad}"),
            &format!("year = 4\n{good}"),
        ));
        assert!(
            e.contains("expected a whole number from 1 to 12 (the range `promotion.boards_per_year` allows)"),
            "{e}"
        );
    }

    /// A reform on a key an earlier one is still ramping is refused: the
    /// ramp wrote over the later value until it ended (an audit,
    /// 2026-12-06), and taking the key from the ramp let the ramp's other
    /// keys part from it (a review: an age range crossed and a run
    /// panicked). At the ramp's end, or in another order, it is fine.
    #[test]
    fn a_reform_on_a_key_still_ramping_is_refused() {
        let check = |text: &str| Scenario::from_toml(text, "t").unwrap().validate("t");
        let ramp = "[[reforms]]\nyear = 1\nramp_years = 4\nset = { \"recruitment.age_min\" = 35.0, \"recruitment.age_max\" = 45.0, \"recruitment.age_mean\" = 40.0 }\n";
        let later = |year: &str, key: &str| {
            format!("[[reforms]]\nyear = {year}\nset = {{ \"{key}\" = 44.0 }}\n")
        };
        for (text, who) in [
            (
                format!(
                    "[sim]\nyears = 8\n\n{ramp}\n{}",
                    later("2", "recruitment.age_min")
                ),
                1,
            ),
            (
                format!(
                    "[sim]\nyears = 8\n\n{}\n{ramp}",
                    later("2", "recruitment.age_min")
                ),
                0,
            ),
            // The ramp's last step still writes its key, after a reform
            // listed before it.
            (
                format!(
                    "[sim]\nyears = 8\n\n{}\n{ramp}",
                    later("4.95", "recruitment.age_min")
                ),
                0,
            ),
            // On the ramp's first step, listed after it.
            (
                format!(
                    "[sim]\nyears = 8\n\n{ramp}\n{}",
                    later("1", "recruitment.age_min")
                ),
                1,
            ),
        ] {
            let e = check(&text).unwrap_err().to_string();
            let a = 1 - who;
            assert!(
                e.contains(&format!(
                    "`reforms[{who}].set` sets `recruitment.age_min` from year"
                )),
                "{text}\n{e}"
            );
            assert!(
                e.contains(&format!(
                    "while `reforms[{a}]` is still ramping it (from year 1 to year 5)"
                )),
                "{e}"
            );
            assert!(e.contains("at year 5 or later"), "{e}");
        }
        // At the ramp's end, on its last step listed after it (the run
        // goes through the list), on another key, or first on the ramp's
        // step (the ramp then starts from it): accepted.
        for text in [
            format!(
                "[sim]\nyears = 8\n\n{ramp}\n{}",
                later("4.95", "recruitment.age_min")
            ),
            format!(
                "[sim]\nyears = 8\n\n{ramp}\n{}",
                later("5", "recruitment.age_min")
            ),
            format!(
                "[sim]\nyears = 8\n\n{ramp}\n{}",
                later("2", "recruitment.age_min")
                    .replace("recruitment.age_min\" = 44.0", "pay.level\" = 1.2")
            ),
            format!(
                "[sim]\nyears = 8\n\n{}\n{ramp}",
                later("1", "recruitment.age_min")
            ),
        ] {
            check(&text).unwrap_or_else(|e| panic!("{text}\n{e}"));
        }
        // The year the message gives is one the check accepts, counted in
        // steps as the run counts them (year + ramp_years gave a year a
        // step short when both rounded up), and every clash is said at
        // once.
        let text = "[sim]\nyears = 8\nsteps_per_year = 4\n\n[[reforms]]\nyear = 1.15\nramp_years = 2.4\nset = { \"pay.level\" = 1.5 }\n\n[[reforms]]\nyear = 3.3\nset = { \"pay.level\" = 1.2 }\n\n[[reforms]]\nyear = 3.2\nset = { \"pay.level\" = 1.3 }\n";
        let e = check(text).unwrap_err().to_string();
        assert!(e.contains("from year 1.15 to year 3.75)"), "{e}");
        assert!(
            e.contains("start `reforms[1]` at year 3.75 or later"),
            "{e}"
        );
        assert!(
            e.contains("start `reforms[2]` at year 3.75 or later"),
            "{e}"
        );
        check(&text.replace("3.3", "3.75").replace("3.2", "3.8")).unwrap();
    }

    /// A value of the right type that fails its key's own check (a word not
    /// among those allowed, a number out of its range) and that a later
    /// reform replaces is refused too: the run would use it until then (an
    /// audit, 2026-12-06: a rule "bogus" ran as the weighted rule, and 50
    /// boards a year ran, without a word). The value left after the
    /// reforms keeps its own message, naming the reform that gave it.
    #[test]
    fn a_value_its_key_refuses_is_refused_though_replaced_later() {
        let check = |text: &str| Scenario::from_toml(text, "t").unwrap().validate("t");
        let two = |a: &str, b: &str| {
            format!(
                "[sim]\nyears = 8\n\n[[reforms]]\nyear = 2\n{a}\n\n[[reforms]]\nyear = 4\n{b}\n"
            )
        };
        for (bad, good, said) in [
            (
                "set = { \"promotion.rule\" = \"bogus\" }",
                "set = { \"promotion.rule\" = \"seniority\" }",
                "`reforms[0].set` gives `promotion.rule` the value \"bogus\", which it cannot hold: `promotion.rule` must be one of",
            ),
            (
                "set = { \"promotion.boards_per_year\" = 50 }",
                "set = { \"promotion.boards_per_year\" = 2 }",
                "`reforms[0].set` gives `promotion.boards_per_year` the value 50, which it cannot hold: `promotion.boards_per_year` must be in [1, 12], got 50",
            ),
        ] {
            let e = check(&two(bad, good)).unwrap_err().to_string();
            assert!(e.contains(said), "{e}");
            assert!(!e.contains("after the reforms"), "{e}");
            // The other way round, the value is the one left after the
            // reforms: said as before, once.
            let e = check(&two(good, bad)).unwrap_err().to_string();
            assert!(e.contains("after the reforms: "), "{e}");
            assert!(e.contains("(`reforms[1].set` gives it from year 4)"), "{e}");
            assert!(!e.contains("which it cannot hold"), "{e}");
            check(&two(good, good)).unwrap();
        }
        // One key written two ways is one key (each spelling hid the
        // other's value: 500 ran without a word, and -5 panicked a run).
        for (bad, good, said) in [
            (
                "set = { \"structure.grades[1].delivery_weight\" = 500.0 }",
                "set = { \"structure.grades.1.delivery_weight\" = 2.0 }",
                "`reforms[0].set` gives `structure.grades[1].delivery_weight` the value 500.0, which it cannot hold: `structure.grades[1].delivery_weight` must be in [0, 100], got 500",
            ),
            (
                "set = { \"structure.grades.1.delivery_weight\" = 500.0 }",
                "set = { \"structure.grades[1].delivery_weight\" = 2.0 }",
                "`reforms[0].set` gives `structure.grades[1].delivery_weight` the value 500.0, which it cannot hold",
            ),
            (
                "set = { \"training.courses.0.duration_months\" = -5 }",
                "set = { \"training.courses[0].duration_months\" = 6 }",
                "`reforms[0].set` gives `training.courses[0].duration_months` the value -5, which it cannot hold",
            ),
        ] {
            let e = check(&two(bad, good)).unwrap_err().to_string();
            assert!(e.contains(said), "{e}");
        }
        // A NaN left after the reforms is said once, after them.
        let e = check("[[reforms]]\nyear = 2\nset = { \"pay.level\" = nan }\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("after the reforms: "), "{e}");
        assert!(!e.contains("which it cannot hold"), "{e}");
        // A key the file itself gets wrong is said once, for the file.
        let e = check("[promotion]\nboards_per_year = 50\n\n[[reforms]]\nyear = 2\nset = { \"promotion.boards_per_year\" = 60 }\n\n[[reforms]]\nyear = 4\nset = { \"promotion.boards_per_year\" = 2 }\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("got 50"), "{e}");
    }
    /// A problem of the file's own value that no reform touches is said
    /// once, not again "after the reforms".
    #[test]
    fn a_files_own_problem_is_said_once() {
        let text = "[pay]\ncompression = 0.28\n[[reforms]]\nyear = 2\nset = { \"politics.interference\" = 0.3 }\n";
        let e = Scenario::from_toml(text, "t")
            .unwrap()
            .validate("t")
            .unwrap_err()
            .to_string();
        assert_eq!(e.matches("`pay.compression` must be in").count(), 1, "{e}");
        assert!(!e.contains("after the reforms"), "{e}");
    }

    /// A ramp that ends after the run's last year is warned of, with the
    /// share of the way its numbers move; one that ends in time is not.
    #[test]
    fn a_ramp_past_the_runs_end_is_warned_of() {
        let ramp = |year: &str| {
            Scenario::from_toml(
                &format!(
                    "[sim]\nyears = 40\n[[reforms]]\nyear = {year}\nramp_years = 4\nset = {{ pay.compression = 4.0 }}\n"
                ),
                "s",
            )
            .unwrap()
            .warnings()
            .into_iter()
            .filter(|w| w.contains("ramps from year"))
            .collect::<Vec<_>>()
        };
        let w = ramp("38");
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(
            w[0].contains("ramps from year 38 to year 42, after the run's last year (40)")
                && w[0].contains("about 50% of the way"),
            "{w:?}"
        );
        assert!(ramp("36").is_empty());
    }

    /// `structure.initial_fill` moved from its default on a scenario whose
    /// every grade gives `initial_officers` changes nothing, and says so;
    /// where a grade leaves its start to it, it is read and not warned of.
    #[test]
    fn an_initial_fill_no_grade_reads_is_warned_of() {
        let fill = |text: &str| {
            Scenario::from_toml(text, "s")
                .unwrap()
                .warnings()
                .into_iter()
                .filter(|w| w.contains("`structure.initial_fill`"))
                .count()
        };
        assert_eq!(fill("structure.initial_fill = 0.4\n"), 1);
        assert_eq!(fill("name = \"x\"\n"), 0);
        let mut s = Scenario::default();
        s.structure.initial_fill = 0.4;
        s.structure.grades[2].initial_officers = None;
        assert!(!s.warnings().iter().any(|w| w.contains("initial_fill")));
    }
}
