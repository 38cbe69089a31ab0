//! A run request from the page, checked and turned into scenarios: the
//! library scenario with the user's lever changes as one extra reform
//! ("your reform") at the chosen year, and, to compare with, a baseline:
//! the status quo (the scenario without any reform, its own or the user's)
//! unless the request asks for the scenario as it stands. Every value is
//! checked twice: against the lever's own range, then by
//! [`Scenario::validate`], exactly as a scenario file is.

use serde::Deserialize;
use serde_json::Value as Json;

use crate::model::reforms::Reform;
use crate::paths;
use crate::scenario::Scenario;
use crate::serve::library::{self, LIMITS, LeverKind, Loaded};

/// The body of `POST /api/run` and `POST /api/toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunRequest {
    pub scenario: String,
    #[serde(default, deserialize_with = "levers_once")]
    pub levers: serde_json::Map<String, Json>,
    pub reform_year: Option<f64>,
    pub replicates: Option<u32>,
    pub years: Option<u32>,
    #[serde(default)]
    pub compare: bool,
    /// Keep the scenario's own reforms in your run.
    #[serde(default = "yes")]
    pub keep_reforms: bool,
    /// What a comparison runs against.
    #[serde(default)]
    pub baseline: BaselineKind,
    /// Bands over plausible services: replicate k runs on draw k of the
    /// calibrated Pakistan posterior (`calibration/pakistan_posterior.csv`).
    #[serde(default)]
    pub plausible: bool,
}

/// The levers of a request, each given once: a JSON object with a key
/// twice kept the last value without a word (a hostile-input audit,
/// 2026-12-06).
fn levers_once<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<serde_json::Map<String, Json>, D::Error> {
    struct Levers;
    impl<'de> serde::de::Visitor<'de> for Levers {
        type Value = serde_json::Map<String, Json>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("an object of lever values, such as {\"politics.interference\": 0.2}")
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(
            self,
            mut m: A,
        ) -> Result<Self::Value, A::Error> {
            let mut out = serde_json::Map::new();
            while let Some((k, v)) = m.next_entry::<String, Json>()? {
                if out.contains_key(&k) {
                    return Err(serde::de::Error::custom(format!(
                        "the lever `{k}` is given twice; give each lever once"
                    )));
                }
                out.insert(k, v);
            }
            Ok(out)
        }
    }
    d.deserialize_map(Levers)
}

/// The calibrated posterior the page's "plausible services" draw from.
pub const POSTERIOR: &str = include_str!("../../calibration/pakistan_posterior.csv");

/// The baseline of a comparison.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BaselineKind {
    /// The scenario with its own reforms removed: what a planner means by
    /// "baseline", so that comparing a reform package shows the package.
    #[default]
    StatusQuo,
    /// The scenario as it stands, its own reforms included (those the run
    /// reaches): shows what the user's changes add to the package.
    AsIs,
}

impl BaselineKind {
    pub fn id(self) -> &'static str {
        match self {
            BaselineKind::StatusQuo => "status_quo",
            BaselineKind::AsIs => "as_is",
        }
    }
}

/// The baseline arm of a comparison and what the page says about it.
pub struct Baseline {
    pub scenario: Scenario,
    pub kind: BaselineKind,
    /// What it is, for the page's legend, status and table, e.g. "the
    /// status quo: NCGR 2008 package without its own reforms".
    pub about: String,
    /// Your run is the same scenario (no lever changed, and the same own
    /// reforms, or none, in both): the two arms come out identical.
    pub same_as_yours: bool,
}

impl Baseline {
    /// The `baseline` of the stream's `start` event (docs/serve.md).
    pub fn to_json(&self) -> Json {
        let reforms: Vec<Json> = self
            .scenario
            .reforms
            .iter()
            .enumerate()
            .map(|(k, r)| serde_json::json!({"year": r.year, "label": r.display_label(k)}))
            .collect();
        serde_json::json!({
            "kind": self.kind.id(),
            "about": self.about,
            "reforms": reforms,
            "same_as_yours": self.same_as_yours,
        })
    }
}

fn yes() -> bool {
    true
}

/// A checked request.
pub struct Prepared {
    pub entry: &'static Loaded,
    /// The scenario with the user's reform.
    pub yours: Scenario,
    /// What to compare with (the same run settings), when comparing.
    pub baseline: Option<Baseline>,
    /// The changes, e.g. `politics.interference = 0.9`, for the TOML header.
    pub changes: Vec<String>,
    /// Other differences from the library file (run length, dropped reforms).
    pub notes: Vec<String>,
    pub reform_year: f64,
    /// Plausible services: the overrides of each replicate (empty: the
    /// scenario's own parameters in every replicate).
    pub draws: Vec<Vec<String>>,
}

impl Prepared {
    /// Officer-years the run simulates: officers at the start × replicates
    /// × (years + warm-up) × arms.
    pub fn officer_years(&self) -> u64 {
        let s = &self.yours.sim;
        let arms = if self.baseline.is_some() { 2 } else { 1 };
        self.entry.officers * s.replicates as u64 * (s.years + s.warmup_years) as u64 * arms
    }

    /// The stem of the run's download file names (docs/serve.md):
    /// `<scenario>_<years>y_<replicates>rep_seed<seed>`, then `_reform<year>`
    /// when a lever was changed (from that year), `_custom` when the
    /// scenario is not the library file as it stands (the TOML's `name` is
    /// then `<scenario>_custom`), and `_plausible` for bands over plausible
    /// services; e.g. `political_transfers_25y_10rep_seed20251024_reform5_custom`.
    /// Only ASCII letters, digits, `_`, `-` and `.`, so that the name is
    /// safe on every file system and in a `Content-Disposition` header.
    pub fn file_stem(&self) -> String {
        let sim = &self.yours.sim;
        let mut stem = format!(
            "{}_{}y_{}rep_seed{}",
            safe_name(&self.entry.scenario.name),
            sim.years,
            sim.replicates,
            sim.seed
        );
        if !self.changes.is_empty() {
            stem.push_str(&format!("_reform{}", year_text(self.reform_year)));
        }
        if self.yours.name != self.entry.scenario.name {
            stem.push_str("_custom");
        }
        if !self.draws.is_empty() {
            stem.push_str("_plausible");
        }
        stem
    }

    /// The scenario with the user's changes as TOML that `bureausim run`
    /// accepts, with a header saying where it came from.
    pub fn toml(&self) -> String {
        let mut out = format!(
            "# Made on the bureausim {} page from the library scenario `{}`.\n",
            env!("CARGO_PKG_VERSION"),
            self.entry.entry.id
        );
        for note in &self.notes {
            out.push_str(&format!("# {note}.\n"));
        }
        if self.changes.is_empty() {
            out.push_str("# No lever was changed.\n");
        } else {
            out.push_str(&format!(
                "# From year {} (\"your reform\"): {}.\n",
                self.reform_year,
                self.changes.join(", ")
            ));
        }
        out.push_str("# Every key is resolved; rerun with: bureausim run <this file>\n\n");
        out.push_str(&self.yours.to_toml());
        out
    }
}

/// A scenario name as part of a file name: ASCII letters, digits, `_`
/// and `-` kept, any other run of characters one `_`.
pub fn safe_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
            out.push(c);
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    let out = out.trim_matches('_');
    if out.is_empty() {
        "scenario".to_string()
    } else {
        out.to_string()
    }
}

/// A reform year in a file name: `5`, or `2.5` for a year and a half (the
/// year is kept to a month: at most two decimals, trailing zeros dropped).
fn year_text(year: f64) -> String {
    let text = format!("{:.2}", year + 0.0);
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// Parses and checks a request body; the error is a message for the page.
pub fn prepare(body: &[u8]) -> Result<Prepared, String> {
    let mut reader = serde_json::Deserializer::from_slice(body);
    let req: RunRequest = serde_path_to_error::deserialize(&mut reader).map_err(|e| {
        // JSON that is not an object (an array, a number) would be refused
        // in the reader's terms ("invalid type: sequence, expected struct
        // RunRequest").
        if serde_json::from_slice::<Json>(body).is_ok_and(|v| !v.is_object()) {
            "request: the body must be a JSON object, for example {\"scenario\": \"pakistan_baseline\"}"
                .to_string()
        } else {
            // Name the field (`baseline: unknown variant ...`).
            let path = e.path().to_string();
            // A count that is not a whole number in range is said in the
            // page's terms, not the reader's ("expected u32", an
            // instructor's audit).
            // Not for a field given twice, which the reader names as such.
            let given = serde_json::from_slice::<Json>(body)
                .ok()
                .filter(|_| !e.inner().to_string().starts_with("duplicate field"))
                .and_then(|v| v.get(&path).map(|x| crate::error::shorten(&x.to_string(), 40)));
            match (path.as_str(), given) {
                ("years", Some(v)) => {
                    return format!(
                        "years = {v}: the page runs a whole number of years from 1 to {} (use `bureausim run` for longer runs)",
                        LIMITS.max_years
                    )
                }
                ("replicates", Some(v)) => {
                    return format!(
                        "replicates = {v}: the page runs a whole number of replicates from 1 to {}",
                        LIMITS.max_replicates
                    )
                }
                _ => {}
            }
            match path.as_str() {
                "" | "." | "?" => format!("request: {}", e.inner()),
                _ => format!("request: `{path}`: {}", e.inner()),
            }
        }
    })?;
    // Nothing but white space after the object (as `from_slice` had it).
    reader.end().map_err(|e| format!("request: {e}"))?;
    let entry = library::find(&req.scenario).ok_or_else(|| {
        let ids: Vec<&str> = library::ENTRIES.iter().map(|e| e.id).collect();
        format!(
            "scenario `{}` is not in the library; allowed: {}",
            req.scenario,
            ids.join(", ")
        )
    })?;
    let mut base = entry.scenario.clone();
    let years = req.years.unwrap_or(base.sim.years);
    if years == 0 || years > LIMITS.max_years {
        return Err(format!(
            "years = {years}: the page runs 1 to {} years (use `bureausim run` for longer runs)",
            LIMITS.max_years
        ));
    }
    let replicates = req.replicates.unwrap_or_else(|| entry.default_replicates());
    if replicates == 0 || replicates > LIMITS.max_replicates {
        return Err(format!(
            "replicates = {replicates}: the page runs 1 to {} replicates",
            LIMITS.max_replicates
        ));
    }
    // What differs from the library file, for the TOML's header and name.
    let mut notes = Vec::new();
    if years != base.sim.years {
        notes.push(format!(
            "sim.years = {years} (the file has {})",
            base.sim.years
        ));
    }
    if replicates != base.sim.replicates {
        notes.push(format!(
            "sim.replicates = {replicates} (the file has {})",
            base.sim.replicates
        ));
    }
    base.sim.years = years;
    base.sim.replicates = replicates;
    // A scenario's stated effects refer to its own length and reforms;
    // they are for `bureausim validate`, not for a page run.
    base.expect.clear();
    let before = base.reforms.len();
    // A shortened run drops the reforms it would not reach.
    base.reforms.retain(|r| r.year < years as f64);
    // The scenario as it stands, for an `as_is` baseline of a run without it.
    let as_is = (req.compare && req.baseline == BaselineKind::AsIs && !req.keep_reforms)
        .then(|| base.clone());
    if !req.keep_reforms {
        base.reforms.clear();
    }
    if base.reforms.len() < before {
        let dropped = format!(
            "{} of the file's own reforms dropped{}",
            before - base.reforms.len(),
            if req.keep_reforms {
                " (after the last year)"
            } else {
                ""
            }
        );
        // The file's description tells of its reforms: say what this run
        // left out, in the TOML a user downloads too.
        base.description = format!("{} (This run: {dropped}.)", base.description)
            .trim()
            .to_string();
        notes.push(dropped);
    }
    let reform_year = req
        .reform_year
        .unwrap_or_else(|| entry.default_reform_year().min(years as f64 - 1.0))
        + 0.0;
    // A reform starts at a whole step: keep the year to a month's precision.
    let rounded = (reform_year * 12.0).round() / 12.0;
    // It begins after the row of its year, so it must come before the
    // run's last year to change anything recorded. (The page sends a year
    // only with a changed lever; the default is within the run.)
    if !rounded.is_finite() || rounded < 0.0 || rounded >= years as f64 {
        // The year as read, shortened (a huge number has hundreds of
        // digits), and what it rounds to when that is what fails.
        let shown = crate::error::readable(reform_year);
        let near = if (0.0..years as f64).contains(&reform_year) {
            // Within the run as read: it is the month it rounds to that
            // fails.
            format!(", {} to the month", crate::error::rounded(rounded))
        } else {
            String::new()
        };
        return Err(format!(
            "reform year = {shown}{near}: it must be at least 0 and, to the month, below the run's {years} years (a reform begins after the row of its year)"
        ));
    }
    let reform_year = rounded;

    let (set, changes) = reform_set(&base, reform_year, &req.levers)?;
    let mut yours = base.clone();
    if !changes.is_empty() || !notes.is_empty() {
        yours.name = format!("{}_custom", base.name);
        // A file downloaded after changes must not read as the library's
        // own scenario when run (an instructor's audit, 2026-12-07: the
        // TOML kept the demo's title). Titles are at most 100 characters.
        const CHANGED: &str = " (changed on the page)";
        let title: String = base
            .display_title()
            .chars()
            .take(100 - CHANGED.chars().count())
            .collect();
        yours.title = format!("{}{CHANGED}", title.trim_end());
    }
    if !changes.is_empty() {
        yours
            .reforms
            .push(Reform::at_once(reform_year, "your reform", set));
        yours.description = format!(
            "{} Changed on the bureausim page from year {reform_year}: {}.",
            base.description,
            changes.join(", ")
        )
        .trim()
        .to_string();
    }
    let origin = format!("{} with the page's settings", entry.entry.id);
    yours.validate(&origin).map_err(|e| e.to_string())?;
    let baseline = req.compare.then(|| {
        // The page and reports name a scenario by its title (issue 16).
        let name = entry.scenario.display_title();
        let (scenario, about) = match req.baseline {
            BaselineKind::StatusQuo => {
                let mut s = base;
                if !entry.scenario.reforms.is_empty() {
                    // Not the library scenario, which has its reforms (kept
                    // in your run or dropped from it): its rows must not be
                    // filed under the scenario's name.
                    const SUFFIX: &str = "_status_quo";
                    let stem: String = s
                        .name
                        .chars()
                        .take(crate::scenario::NAME_MAX - SUFFIX.len())
                        .collect();
                    s.name = format!("{stem}{SUFFIX}");
                }
                s.reforms.clear();
                let about = if entry.scenario.reforms.is_empty() {
                    format!("the status quo: {name}, which has no reforms of its own")
                } else {
                    format!("the status quo: {name} without its own reforms")
                };
                (s, about)
            }
            BaselineKind::AsIs => {
                let s = as_is.unwrap_or(base);
                let about = if s.reforms.is_empty() {
                    format!("{name} as it stands (no reforms of its own in this run)")
                } else {
                    format!("{name} as it stands, with its own reforms")
                };
                (s, about)
            }
        };
        // Names, titles and descriptions aside, is it your run?
        let same_as_yours = Scenario {
            name: scenario.name.clone(),
            title: scenario.title.clone(),
            description: scenario.description.clone(),
            ..yours.clone()
        } == scenario;
        Baseline {
            scenario,
            kind: req.baseline,
            about,
            same_as_yours,
        }
    });
    let prepared = Prepared {
        entry,
        yours,
        baseline,
        changes,
        notes,
        reform_year,
        draws: Vec::new(),
    };
    if req.plausible {
        let mut prepared = prepared;
        let post = crate::experiment::spec::parse_posterior(
            POSTERIOR.as_bytes(),
            "calibration/pakistan_posterior.csv",
            prepared.yours.sim.replicates,
            "plausible",
        )
        .map_err(|e| e.0)?;
        // Keys the library scenario sets itself (a teaching demo's own
        // interference, say) stay as the scenario has them.
        let own = toml::Value::try_from(&entry.scenario).expect("scenario serialises");
        let defaults = toml::Value::try_from(Scenario::default()).expect("scenario serialises");
        let kept: Vec<bool> = post
            .keys
            .iter()
            .map(|k| paths::get(&own, k).ok() == paths::get(&defaults, k).ok())
            .collect();
        prepared.draws = post
            .draw(prepared.yours.sim.seed)
            .into_iter()
            .map(|row| {
                post.sets(row)
                    .into_iter()
                    .zip(&kept)
                    .filter(|(_, k)| **k)
                    .map(|(s, _)| s)
                    .collect()
            })
            .collect();
        let mut arms = vec![&prepared.yours];
        if let Some(b) = &prepared.baseline {
            arms.push(&b.scenario);
        }
        for sets in &prepared.draws {
            for scn in &arms {
                (*scn)
                    .clone()
                    .with_sets(sets)
                    .and_then(|s| s.validate(&scn.name))
                    .map_err(|e| {
                        format!(
                            "plausible services: the calibrated parameters do not fit scenario `{}`: {e}",
                            req.scenario
                        )
                    })?;
            }
        }
        prepared.notes.push(format!(
            "bands over plausible services: each replicate runs on its own draw of the {} calibrated parameters in calibration/pakistan_posterior.csv",
            post.keys.len()
        ));
        return check_size(prepared, replicates, years);
    }
    check_size(prepared, replicates, years)
}

/// Refuses a run too large for the page.
fn check_size(prepared: Prepared, replicates: u32, years: u32) -> Result<Prepared, String> {
    let entry = prepared.entry;
    if prepared.officer_years() > LIMITS.max_officer_years {
        return Err(format!(
            "run too large for the page: {} officers × {replicates} replicates × {} years (warm-up included){} = {} officer-years, above the page's {}; lower the replicates or years, or use `bureausim run`",
            entry.officers,
            years + prepared.yours.sim.warmup_years,
            if prepared.baseline.is_some() {
                " × 2 runs"
            } else {
                ""
            },
            prepared.officer_years(),
            LIMITS.max_officer_years
        ));
    }
    Ok(prepared)
}

/// The reform's `set` table and a description of each change, from the
/// levers that differ from the scenario. Quota seats take what merit and
/// patronage leave, so that the three shares still sum to 1.
fn reform_set(
    base: &Scenario,
    reform_year: f64,
    levers: &serde_json::Map<String, Json>,
) -> Result<(toml::Table, Vec<String>), String> {
    // The scenario as it stands at the reform year: its own reforms up to
    // then applied in the order the run applies them, as `Scenario::validate`
    // does.
    let mut tree = toml::Value::try_from(base).expect("scenario serialises");
    let applied = base.reform_order().into_iter().map(|k| &base.reforms[k]);
    for r in applied.filter(|r| r.year <= reform_year) {
        for (key, value) in paths::flatten(&r.set) {
            // Validated with the scenario: the path exists and the type fits.
            let _ = paths::set(&mut tree, &key, value);
        }
    }
    let mut set = toml::Table::new();
    let mut changes = Vec::new();
    for (key, value) in levers {
        // A reform of the scenario's that is still ramping at the reform year,
        // or that may be reversed, would write over the user's value.
        for (k, r) in base.reforms.iter().enumerate() {
            let ramping = r.ramp_years > 0.0 && reform_year < r.year + r.ramp_years;
            let reversible = r.reversal_hazard > 0.0 || r.reversal_at_government_change > 0.0;
            // A plain reform after the reform year sets its value over the
            // user's then (an instructor's audit: merit_promotion's bar of
            // 4 at year 5 silently replaced a student's 9 from year 1).
            // By the step each starts on: at one step, the user's reform,
            // listed last, applies last (`Scenario::reform_order`).
            let spy = base.sim.steps_per_year;
            let later = r.start_step(spy)
                > Reform::at_once(reform_year, "", toml::Table::new()).start_step(spy);
            let touches = paths::flatten(&r.set).iter().any(|(p, _)| {
                p == key
                    || (key.starts_with("recruitment.")
                        && key.ends_with("_share")
                        && p.starts_with("recruitment.")
                        && p.ends_with("_share"))
            });
            if touches && (ramping || later || (reversible && r.year <= reform_year)) {
                let label = format!("\"{}\"", r.display_label(k));
                // A reform that may be reversed writes over the value
                // whatever the year: that advice first, so that following
                // the message is not refused next (a review).
                return Err(if later && !ramping && !reversible {
                    format!(
                        "levers: `{key}` is set by the scenario's own reform {label} at year {}, after your reform year ({reform_year}), which would write over your value then; set the reform year to {} or later, or untick \"keep the scenario's own reforms\"",
                        r.year, r.year
                    )
                } else if ramping && !reversible {
                    format!(
                        "levers: `{key}` is ramped by the scenario's own reform {label} from year {} to year {}, which would write over your value; set the reform year to {} or later, or untick \"keep the scenario's own reforms\"",
                        r.year,
                        r.year + r.ramp_years,
                        r.year + r.ramp_years
                    )
                } else {
                    format!(
                        "levers: `{key}` is set by the scenario's own reform {label}, which may be reversed (its reversal hazard is {}, at a change of government {}) and would then restore its old value over yours; untick \"keep the scenario's own reforms\" to set it yourself",
                        r.reversal_hazard, r.reversal_at_government_change
                    )
                });
            }
        }
        let lever = library::lever(key).ok_or_else(|| {
            let keys: Vec<&str> = library::LEVERS.iter().map(|l| l.key).collect();
            format!(
                "levers: `{key}` is not a lever of the page; allowed: {}",
                keys.join(", ")
            )
        })?;
        let like = paths::get(&tree, key).expect("lever key exists");
        let new = lever_value(lever, value)?;
        let new = paths::coerce(new, like).map_err(|e| format!("levers: `{key}`: {e}"))?;
        if &new == like {
            continue;
        }
        // A lever whose mechanism is switched off does nothing: the page
        // does not offer it, and a request that changes it is told so
        // rather than shown a difference of 0 (an instructor's audit). A
        // switch that is itself a lever counts as this request sets it.
        let off = lever.needs.iter().find_map(|&n| match levers.get(n) {
            Some(v) if v.as_bool() == Some(false) => Some((n, "as this request sets it")),
            Some(_) => None,
            None => (!library::switch_on(base, &tree, n)).then_some((n, "in this scenario")),
        });
        if let Some((off, how)) = off {
            return Err(format!(
                "levers: `{key}` does nothing here: it acts through `{off}`, which is off {how}, so the page does not offer it"
            ));
        }
        changes.push(format!("{key} = {new}"));
        insert(&mut set, key, new);
    }
    let share = |key: &str| -> f64 {
        set.get("recruitment")
            .and_then(|r| r.get(key.trim_start_matches("recruitment.")))
            .and_then(toml::Value::as_float)
            .unwrap_or_else(|| {
                paths::get(&tree, key)
                    .ok()
                    .and_then(toml::Value::as_float)
                    .unwrap_or(0.0)
            })
    };
    if set
        .get("recruitment")
        .and_then(|r| r.get("merit_share").or(r.get("patronage_share")))
        .is_some()
    {
        let (merit, patronage) = (
            share("recruitment.merit_share"),
            share("recruitment.patronage_share"),
        );
        let quota = 1.0 - merit - patronage;
        if quota < -1e-9 {
            return Err(format!(
                "levers: open-merit seats ({merit}) and patronage appointments ({patronage}) together exceed 1; lower one of them"
            ));
        }
        // Rounded so that the three shares sum to 1 within the check's 1e-6.
        let quota = (quota.max(0.0) * 1e9).round() / 1e9;
        changes.push(format!("recruitment.quota_share = {quota} (the rest)"));
        insert(
            &mut set,
            "recruitment.quota_share",
            toml::Value::Float(quota),
        );
    }
    Ok((set, changes))
}

/// A lever's value from JSON, checked against the lever's kind and range.
fn lever_value(lever: &library::Lever, value: &Json) -> Result<toml::Value, String> {
    let key = lever.key;
    match lever.kind {
        LeverKind::Number { min, max, .. } => {
            let x = value
                .as_f64()
                .ok_or_else(|| format!("levers: `{key}` must be a number, got {value}"))?;
            if !(min..=max).contains(&x) {
                return Err(format!(
                    "levers: `{key}` must be in [{min}, {max}], got {x}"
                ));
            }
            // -0 is 0; a whole number is an integer, which an integer key
            // needs and a number key takes.
            let x = x + 0.0;
            Ok(if x.fract() == 0.0 && x.abs() < 1e15 {
                toml::Value::Integer(x as i64)
            } else {
                toml::Value::Float(x)
            })
        }
        LeverKind::Bool => value
            .as_bool()
            .map(toml::Value::Boolean)
            .ok_or_else(|| format!("levers: `{key}` must be true or false, got {value}")),
        LeverKind::Choice(choices) => match value.as_str() {
            Some(s) if choices.contains(&s) => Ok(toml::Value::String(s.into())),
            _ => Err(format!(
                "levers: `{key}` must be one of {}, got {value}",
                choices.join(", ")
            )),
        },
    }
}

/// Inserts `value` at the dotted `key` of a nested table.
fn insert(table: &mut toml::Table, key: &str, value: toml::Value) {
    let mut segs: Vec<&str> = key.split('.').collect();
    let last = segs.pop().expect("non-empty key");
    let mut cur = table;
    for seg in segs {
        cur = cur
            .entry(seg.to_string())
            .or_insert_with(|| toml::Value::Table(toml::Table::new()))
            .as_table_mut()
            .expect("lever keys nest tables only");
    }
    cur.insert(last.to_string(), value);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stem(body: serde_json::Value) -> String {
        prepare(body.to_string().as_bytes())
            .unwrap_or_else(|e| panic!("{body}: {e}"))
            .file_stem()
    }

    #[test]
    fn download_names_say_the_scenario_and_the_run_settings() {
        let seed = library::find("teaching/political_transfers")
            .unwrap()
            .scenario
            .sim
            .seed;
        // The library file as it stands: no reform of yours, not custom.
        assert_eq!(
            stem(
                serde_json::json!({"scenario": "teaching/political_transfers", "replicates": 10, "years": 25})
            ),
            format!("political_transfers_25y_10rep_seed{seed}")
        );
        // Shorter: custom (the file's name says so too), no reform of yours.
        assert_eq!(
            stem(
                serde_json::json!({"scenario": "teaching/political_transfers", "replicates": 2, "years": 6})
            ),
            format!("political_transfers_6y_2rep_seed{seed}_custom")
        );
        // A lever changed from year 3, and from a year and a half.
        let lever = serde_json::json!({"politics.interference": 0.85});
        assert_eq!(
            stem(
                serde_json::json!({"scenario": "teaching/political_transfers", "replicates": 10,
                                     "years": 25, "levers": lever, "reform_year": 3,
                                     "keep_reforms": false})
            ),
            format!("political_transfers_25y_10rep_seed{seed}_reform3_custom")
        );
        assert_eq!(
            stem(
                serde_json::json!({"scenario": "teaching/political_transfers", "replicates": 10,
                                     "years": 25, "levers": lever, "reform_year": 1.5,
                                     "keep_reforms": false})
            ),
            format!("political_transfers_25y_10rep_seed{seed}_reform1.5_custom")
        );
        // Plausible services are named: their numbers differ.
        let s = stem(
            serde_json::json!({"scenario": "pakistan_baseline", "replicates": 2,
                                         "years": 3, "plausible": true}),
        );
        assert!(s.starts_with("pakistan_baseline_3y_2rep_seed"), "{s}");
        assert!(s.ends_with("_custom_plausible"), "{s}");
        // Safe on every file system and inside a quoted header value.
        for c in s.chars() {
            assert!(c.is_ascii_alphanumeric() || "_-.".contains(c), "{s}");
        }
    }

    #[test]
    fn a_bad_field_of_a_request_is_named() {
        let e = prepare(br#"{"scenario": "pakistan_baseline", "baseline": "xyz"}"#)
            .err()
            .expect("refused");
        assert!(
            e.starts_with("request: `baseline`: unknown variant `xyz`"),
            "{e}"
        );
        let twice = br#"{"scenario": "teaching/political_transfers", "levers": {"politics.interference": 0.2, "politics.interference": 0.9}}"#;
        let e = prepare(twice).err().expect("refused");
        assert!(
            e.contains("`levers`: the lever `politics.interference` is given twice"),
            "{e}"
        );
        let e = prepare(b"[1]").err().expect("refused");
        assert!(e.contains("must be a JSON object"), "{e}");
        // Bytes after the object, and a body cut short, without a `?` for
        // a field.
        let e = prepare(br#"{"scenario": "teaching/political_transfers"}{"oops": 1}"#)
            .err()
            .expect("refused");
        assert!(e.starts_with("request: trailing characters"), "{e}");
        let e = prepare(br#"{"scenario": "nonexistent_zz""#)
            .err()
            .expect("refused");
        assert!(e.starts_with("request: EOF while parsing"), "{e}");
        // Counts out of a u32's range or not whole, in the page's terms.
        for (body, want) in [
            (
                br#"{"scenario": "pakistan_baseline", "years": -3}"#.as_slice(),
                "years = -3: the page runs a whole number of years from 1 to 100",
            ),
            (
                br#"{"scenario": "pakistan_baseline", "years": 2.5}"#,
                "years = 2.5: the page runs a whole number of years from 1 to 100",
            ),
            (
                br#"{"scenario": "pakistan_baseline", "replicates": "3"}"#,
                "replicates = \"3\": the page runs a whole number of replicates from 1 to 20",
            ),
        ] {
            let e = prepare(body).err().expect("refused");
            assert!(e.starts_with(want), "{e}");
            assert!(!e.contains("u32"), "{e}");
        }
        // A count given twice is said to be, not out of range.
        let e = prepare(br#"{"scenario": "pakistan_baseline", "years": 6, "years": 7}"#)
            .err()
            .expect("refused");
        assert!(e.contains("duplicate field `years`"), "{e}");
    }

    #[test]
    fn names_are_made_safe_for_file_systems() {
        assert_eq!(safe_name("ncgr_2008"), "ncgr_2008");
        assert_eq!(
            safe_name("My scenario: \"v2\"/final"),
            "My_scenario_v2_final"
        );
        assert_eq!(safe_name("../.."), "scenario");
        assert_eq!(safe_name("Année-1"), "Ann_e-1");
        assert_eq!(year_text(5.0), "5");
        assert_eq!(year_text(2.5), "2.5");
        assert_eq!(year_text(5.0 + 1.0 / 12.0), "5.08");
        assert_eq!(year_text(-0.0), "0");
    }
}
