//! End-to-end tests of experiments: `compare`, `sweep`, `sensitivity`,
//! experiment files, shards and `merge`, resuming after a kill, and the
//! errors for bad designs. Each runs the binary in a fresh temporary folder
//! on the small teaching service (550 officers) for a few years.

// Not every helper of the shared CLI test module is used here.
#[allow(dead_code)]
mod common;

use std::fs;
use std::path::Path;
use std::process::{Command as Proc, Stdio};
use std::time::{Duration, Instant};

use common::{Sandbox, assert_mentions, entries, read};

fn scenario(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios/teaching")
        .join(name)
        .display()
        .to_string()
}

/// A sweep of two points, one replicate, six years, into `x`: a folder to
/// resume.
fn small_sweep(s: &str) -> [&str; 11] {
    [
        "sweep",
        s,
        "--vary",
        "reforms[0].set.politics.interference=0.2,0.8",
        "--replicates",
        "1",
        "--years",
        "6",
        "--out",
        "x",
        "--no-plots",
    ]
}

fn ok(sb: &Sandbox, args: &[&str]) -> String {
    let out = sb.cmd().args(args).output().expect("runs");
    assert!(
        out.status.success(),
        "{args:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

/// The rows of a CSV file as maps from column to value.
/// Checks that each per-billion figure of `costs.csv` times the cost in
/// billions is the metric's difference in `table.csv` divided by
/// `scale(metric)` (the full service's); returns how many it checked.
fn per_billion_checked(dir: &Path, scale: impl Fn(&str) -> f64) -> usize {
    let table = csv_rows(dir, "table.csv");
    let mut checked = 0;
    for r in csv_rows(dir, "costs.csv") {
        let Ok(per) = r["per_billion"].parse::<f64>() else {
            continue;
        };
        let cost: f64 = r["extra_cost"].parse().unwrap();
        let t = table
            .iter()
            .find(|t| {
                t["metric"] == r["metric"]
                    && t["year"] == r["year"]
                    && t["scenario"] == r["scenario"]
            })
            .expect("the same row in table.csv");
        let full = t["diff"].parse::<f64>().unwrap() / scale(&r["metric"]);
        assert!(
            (per * cost / 1000.0 - full).abs() <= 1e-9 * full.abs().max(1e-12),
            "{r:?} against {t:?}"
        );
        checked += 1;
    }
    checked
}

fn csv_rows(dir: &Path, name: &str) -> Vec<std::collections::BTreeMap<String, String>> {
    let mut r = csv::Reader::from_path(dir.join(name)).expect("csv");
    let head: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    r.records()
        .map(|rec| {
            head.iter()
                .cloned()
                .zip(rec.unwrap().iter().map(String::from))
                .collect()
        })
        .collect()
}

const SHORT: [&str; 4] = ["--years", "6", "--replicates", "4"];

#[test]
fn a_scenario_compared_with_itself_differs_by_exactly_zero() {
    let sb = Sandbox::new();
    let s = scenario("political_transfers.toml");
    let mut args = vec!["compare", &s, &s, "--out", "same", "--no-plots"];
    args.extend(SHORT);
    ok(&sb, &args);
    let rows = csv_rows(&sb.join("same"), "table.csv");
    let arm = rows
        .iter()
        .filter(|r| r["scenario"] != "political_transfers")
        .collect::<Vec<_>>();
    assert!(!arm.is_empty());
    for r in arm {
        if r["n"] == "0" {
            continue;
        }
        assert_eq!(r["diff"], "0", "{r:?}");
        assert_eq!(r["diff_sd"], "0", "{r:?}");
        assert_eq!(r["significant"], "false", "{r:?}");
    }
}

#[test]
fn a_known_difference_is_detected_with_its_interval() {
    let sb = Sandbox::new();
    let (a, b) = (
        scenario("political_transfers.toml"),
        scenario("accountability_bites.toml"),
    );
    let mut args = vec!["compare", &a, &b, "--out", "cmp"];
    args.extend(SHORT);
    let stdout = ok(&sb, &args);
    assert_mentions(
        &stdout,
        &[
            "Corruption (all officers) (%), column corruption_prevalence",
            "difference at 6 (points)",
            "(base)",
            " better",
            "In short.",
            "not forecasts",
        ],
    );
    let dir = sb.join("cmp");
    // The report says what the option changes, read from the scenarios,
    // and opens with the settled differences in words.
    let report = String::from_utf8(read(&dir, "report.md")).unwrap();
    assert_mentions(
        &report,
        &[
            "## What each option changes",
            "| Accountability bites | accountability.detection_rate |",
            "**In short.**",
            "- **Accountability bites** ",
            " **Better:** ",
            "corruption (all officers) -",
            "## What each option costs, and what a billion rupees a year of it buys",
        ],
    );
    // The first screen: the summary, then the forest plot, then how the
    // report was made.
    let at = |s: &str| report.find(s).unwrap_or_else(|| panic!("{s} in report.md"));
    assert!(at("**In short.**") < at("![differences](differences.png)"));
    assert!(at("![differences](differences.png)") < at("Made by bureausim"));
    assert!(dir.join("differences.png").is_file() && dir.join("differences.svg").is_file());
    // costs.csv: one row per compared scenario, report year and metric
    // (the bills excluded), each with the extra cost.
    let costs = csv_rows(&dir, "costs.csv");
    assert!(!costs.is_empty());
    assert!(costs.iter().all(|r| r["scenario"] == "accountability_bites"
        && !r["extra_cost"].is_empty()
        && r["metric"] != "wage_bill"
        && r["metric"] != "pension_bill"));
    assert!(costs.iter().any(|r| r["metric"] == "corruption_prevalence"));
    // Per billion times the cost in billions is the metric's difference.
    per_billion_checked(&dir, |_| 1.0);
    let row = csv_rows(&dir, "table.csv")
        .into_iter()
        .find(|r| {
            r["metric"] == "corruption_prevalence"
                && r["year"] == "6"
                && r["scenario"] == "accountability_bites"
        })
        .expect("row");
    let (diff, hi): (f64, f64) = (
        row["diff"].parse().unwrap(),
        row["diff_ci95_high"].parse().unwrap(),
    );
    assert!(
        diff < -0.05 && hi < 0.0,
        "accountability cuts corruption: {row:?}"
    );
    assert_eq!(row["significant"], "true");
    // The report: self-contained HTML with the plots inline, and Markdown.
    let html = fs::read_to_string(dir.join("report.html")).unwrap();
    assert_mentions(
        &html,
        &[
            "<svg",
            "bureausim compare",
            "accountability_bites",
            "</html>",
        ],
    );
    assert!(
        only_svg_namespace(&html),
        "report.html must not load anything"
    );
    for banned in ["https://", "<script src", "<link", "<img src"] {
        assert!(
            !html.contains(banned),
            "report.html must not load anything: found {banned}"
        );
    }
    let md = fs::read_to_string(dir.join("report.md")).unwrap();
    assert_mentions(
        &md,
        &["```sh\nbureausim compare", "comparison.png", "| scenario |"],
    );
    assert!(dir.join("comparison.png").is_file());
}

/// True when every `http://` in `html` is an XML namespace of an inline SVG.
fn only_svg_namespace(html: &str) -> bool {
    html.match_indices("http://")
        .all(|(i, _)| html[..i].ends_with("xmlns=\"") || html[..i].ends_with("xmlns:xlink=\""))
}

/// Runs `args` whole into `whole`, and as `n` shards merged into `merged`;
/// the result files must be byte-identical.
fn shards_merge_to_the_same_bytes(args: &[&str], n: usize, files: &[&str]) {
    let sb = Sandbox::new();
    let mut whole = args.to_vec();
    whole.extend(["--out", "whole"]);
    ok(&sb, &whole);
    let mut dirs = Vec::new();
    for i in 1..=n {
        let shard = format!("{i}/{n}");
        let out = format!("shard{i}");
        let mut a = args.to_vec();
        a.extend(["--shard", &shard, "--out", &out]);
        let stdout = ok(&sb, &a);
        assert_mentions(&stdout, &[&format!("shard {i}/{n} complete")]);
        assert!(!sb.join(&out).join("summary.json").exists());
        dirs.push(out);
    }
    // Shards given in another order merge to the same result.
    dirs.reverse();
    let mut m = vec!["merge"];
    m.extend(dirs.iter().map(String::as_str));
    m.extend(["--out", "merged"]);
    if args.contains(&"--no-plots") {
        m.push("--no-plots");
    }
    ok(&sb, &m);
    for f in files {
        assert_eq!(
            read(&sb.join("whole"), f),
            read(&sb.join("merged"), f),
            "{f} differs between whole and merged"
        );
    }
    assert_eq!(
        entries(&sb.join("whole")),
        entries(&sb.join("merged")),
        "same files"
    );
}

#[test]
fn a_sharded_and_merged_comparison_equals_the_whole() {
    let (a, b) = (
        scenario("political_transfers.toml"),
        scenario("accountability_bites.toml"),
    );
    let mut args = vec!["compare", a.as_str(), b.as_str()];
    args.extend(SHORT);
    shards_merge_to_the_same_bytes(
        &args,
        3,
        &[
            "summary.json",
            "table.csv",
            "runs.csv",
            "report.md",
            "report.html",
            "comparison.svg",
            "comparison.png",
        ],
    );
}

#[test]
fn a_sharded_and_merged_sweep_equals_the_whole() {
    let s = scenario("political_transfers.toml");
    let args = [
        "sweep",
        s.as_str(),
        "--vary",
        "reforms[0].set.politics.interference=0.2:0.8:0.3",
        "--replicates",
        "2",
        "--years",
        "6",
    ];
    shards_merge_to_the_same_bytes(
        &args,
        2,
        &[
            "summary.json",
            "points.csv",
            "runs.csv",
            "report.md",
            "report.html",
        ],
    );
}

/// A small Morris screen of the political-transfers demo: its reform's
/// interference and the tenure, 3 trajectories of 1 replicate, 6 years.
fn small_morris(s: &str) -> Vec<&str> {
    vec![
        "sensitivity",
        s,
        "--param",
        "reforms[0].set.politics.interference=0.2:0.9",
        "--param",
        "postings.tenure_months=12:48",
        "--trajectories",
        "3",
        "--replicates",
        "1",
        "--years",
        "6",
        "--no-plots",
    ]
}

#[test]
fn a_sharded_and_merged_sensitivity_analysis_equals_the_whole() {
    let s = scenario("political_transfers.toml");
    shards_merge_to_the_same_bytes(
        &small_morris(&s),
        2,
        &[
            "summary.json",
            "indices.csv",
            "runs.csv",
            "report.md",
            "report.html",
        ],
    );
}

/// The Morris report shows a share's effects in percentage points, as a
/// comparison does (it showed 0.062 where a comparison said 6.2 points);
/// `indices.csv` keeps the share's own unit.
#[test]
fn a_morris_report_shows_a_shares_effects_in_points() {
    let sb = Sandbox::new();
    let s = scenario("political_transfers.toml");
    let mut args = small_morris(&s);
    args.extend(["--metrics", "corruption_prevalence", "--out", "m"]);
    ok(&sb, &args);
    let ix = csv_rows(&sb.join("m"), "indices.csv");
    let row = ix
        .iter()
        .find(|r| {
            r["metric"] == "corruption_prevalence"
                && r["parameter"] == "reforms[0].set.politics.interference"
        })
        .expect("a row");
    let mu_star: f64 = row["mu_star"].parse().unwrap();
    assert!(
        mu_star > 0.0 && mu_star < 1.0,
        "a share's effect: {mu_star}"
    );
    let report = fs::read_to_string(sb.join("m/report.md")).unwrap();
    assert_mentions(&report, &["μ* [95% CI] (points per full range)"]);
    let cell = report
        .lines()
        .find(|l| l.contains("| reforms[0].set.politics.interference |"))
        .and_then(|l| l.split('|').nth(3))
        .expect("its row");
    let text = cell.split_whitespace().next().unwrap();
    let shown: f64 = text.parse().unwrap();
    // Equal up to the report's rounding: half a unit of its last digit.
    let decimals = text.split_once('.').map_or(0, |(_, d)| d.len());
    let half_unit = 0.5 * 10f64.powi(-(decimals as i32));
    assert!(
        (shown - 100.0 * mu_star).abs() <= half_unit + 1e-9,
        "report {shown} against 100 × {mu_star}"
    );
}

#[test]
fn merging_refuses_missing_doubled_foreign_and_incomplete_shards() {
    let sb = Sandbox::new();
    let s = scenario("political_transfers.toml");
    let base = [
        "sweep",
        s.as_str(),
        "--vary",
        "reforms[0].set.politics.interference=0.2,0.8",
        "--replicates",
        "1",
        "--years",
        "6",
    ];
    for (i, out) in [(1, "a1"), (2, "a2")] {
        let shard = format!("{i}/3");
        let mut a = base.to_vec();
        a.extend(["--shard", &shard, "--out", out]);
        ok(&sb, &a);
    }
    let missing = sb.bad_input(&["merge", "a1", "a2", "--out", "m"]);
    assert_mentions(&missing, &["shard(s) 3/3 missing"]);
    let doubled = sb.bad_input(&["merge", "a1", "a1", "a2", "--out", "m"]);
    assert_mentions(&doubled, &["shard 1/3 is given twice", "`a1`"]);
    // A shard of a different experiment (another seed).
    let mut other = base.to_vec();
    other.extend(["--seed", "7", "--shard", "3/3", "--out", "b3"]);
    ok(&sb, &other);
    let foreign = sb.bad_input(&["merge", "a1", "a2", "b3", "--out", "m"]);
    assert_mentions(
        &foreign,
        &[
            "hold different experiments",
            "`b3`",
            "`sim.seed` is 20251024 in the first and 7 in the second",
        ],
    );
    // A manifest edited by hand to a short fingerprint is refused, not a
    // panic on slicing it.
    let manifest = sb.join("b3").join("experiment.json");
    let mut json: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&manifest).unwrap()).unwrap();
    json["fingerprint"] = "abc".into();
    fs::write(&manifest, json.to_string()).unwrap();
    let short = sb.bad_input(&["merge", "a1", "a2", "b3", "--out", "m"]);
    assert_mentions(&short, &["hold different experiments", "and abc"]);
    // A shard with a run removed is incomplete.
    let mut third = base.to_vec();
    third.extend(["--shard", "3/3", "--out", "a3"]);
    ok(&sb, &third);
    let runs = sb.join("a1").join("runs");
    let first = fs::read_dir(&runs).unwrap().next().unwrap().unwrap().path();
    fs::remove_file(first).unwrap();
    let incomplete = sb.bad_input(&["merge", "a1", "a2", "a3", "--out", "m"]);
    assert_mentions(
        &incomplete,
        &["shard 1/3 in `a1` is incomplete", "1 run(s) missing"],
    );
    // Resuming the shard completes it, and then they merge.
    let mut again = base.to_vec();
    again.extend(["--shard", "1/3", "--out", "a1"]);
    let stdout = ok(&sb, &again);
    assert_mentions(&stdout, &["1 to do"]);
    ok(
        &sb,
        &["merge", "a1", "a2", "a3", "--out", "m", "--no-plots"],
    );
    assert!(sb.join("m").join("summary.json").is_file());
}

#[test]
fn an_interrupted_experiment_resumes_to_the_uninterrupted_result() {
    let sb = Sandbox::new();
    let s = scenario("political_transfers.toml");
    let args = [
        "sweep",
        s.as_str(),
        "--vary",
        "reforms[0].set.politics.interference=0.0:0.9:0.1",
        "--replicates",
        "3",
        "--years",
        "8",
        "--threads",
        "1",
        "--no-plots",
    ];
    let mut whole = args.to_vec();
    whole.extend(["--out", "whole"]);
    ok(&sb, &whole);

    // Start the same experiment elsewhere and kill it once some runs are done.
    let bin = assert_cmd::cargo::cargo_bin("bureausim");
    let mut child = Proc::new(&bin)
        .current_dir(sb.path())
        .args(args)
        .args(["--out", "cut"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let runs = sb.join("cut").join("runs");
    let started = Instant::now();
    let done = |p: &Path| {
        fs::read_dir(p)
            .map(|d| {
                d.filter(|e| {
                    e.as_ref()
                        .is_ok_and(|e| e.file_name().to_string_lossy().starts_with("run-"))
                })
                .count()
            })
            .unwrap_or(0)
    };
    while done(&runs) < 3 && started.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().expect("kill");
    child.wait().unwrap();
    let before = done(&runs);
    assert!(
        (3..30).contains(&before),
        "killed part-way: {before} of 30 runs"
    );
    assert!(!sb.join("cut").join("summary.json").exists());

    let mut resume = args.to_vec();
    resume.extend(["--out", "cut"]);
    let stdout = ok(&sb, &resume);
    assert_mentions(
        &stdout,
        &[&format!("{} to do, {before} already done", 30 - before)],
    );
    for f in ["summary.json", "points.csv", "runs.csv", "report.md"] {
        assert_eq!(read(&sb.join("whole"), f), read(&sb.join("cut"), f), "{f}");
    }
}

/// A reform's `set` written nested or as quoted paths gives the same
/// results, so it is the same experiment: the folder resumes rather than
/// being refused as another (a reproducibility audit: it was refused).
#[test]
fn a_reform_set_written_another_way_resumes_the_same_experiment() {
    let sb = Sandbox::new();
    let text = fs::read_to_string(scenario("political_transfers.toml")).unwrap();
    let text = text.replace("name = \"political_transfers\"", "name = \"written\"");
    let inline = "set = { politics.interference = 0.9 }";
    let nested = text.replace(inline, "set.politics.interference = 0.9");
    assert_ne!(nested, text, "political_transfers.toml's reform: {inline}");
    sb.write("nested.toml", &nested);
    let quoted = text.replace(inline, "set.\"politics.interference\" = 0.9");
    sb.write("quoted.toml", &quoted);
    let base = scenario("political_transfers.toml");
    let args = |file| {
        vec![
            "compare",
            base.as_str(),
            file,
            "--replicates",
            "1",
            "--years",
            "8",
            "--out",
            "x",
            "--no-plots",
        ]
    };
    ok(&sb, &args("nested.toml"));
    let again = ok(&sb, &args("quoted.toml"));
    assert_mentions(&again, &["0 to do, 2 already done"]);
}

#[test]
fn results_of_another_experiment_are_never_mixed_in() {
    let sb = Sandbox::new();
    let s = scenario("political_transfers.toml");
    let base = small_sweep(&s);
    ok(&sb, &base);
    let mut other = base.to_vec();
    other.extend(["--seed", "3"]);
    let e = sb.bad_input(&other);
    assert_mentions(
        &e,
        &[
            "`x` holds a different experiment",
            "`sim.seed` is 20251024 in the folder and 3 in this command",
            "--force",
        ],
    );
    // Another setting of a scenario (as when a default changed between
    // builds): the message names it, with both values.
    let mut engine = base.to_vec();
    engine.extend(["--set", "sim.engine=monthly"]);
    let e = sb.bad_input(&engine);
    assert_mentions(
        &e,
        &[
            "`x` holds a different experiment",
            "`sim.engine` is \"staggered\" in the folder and \"monthly\" in this command",
            "`--set sim.engine=staggered`",
        ],
    );
    // A scale, a decomposition: named, with the flag that resumes (the
    // scale was named key by key as "a default of bureausim changed", a
    // documentation audit).
    let mut scaled = base.to_vec();
    scaled.extend(["--scale", "0.5"]);
    let e = sb.bad_input(&scaled);
    assert_mentions(
        &e,
        &[
            "it was run at the full size (no scale), this command at scale 0.5; to resume the folder's experiment, leave --scale out",
        ],
    );
    assert!(!e.contains("a default of bureausim"), "{e}");
    let mut more = base.to_vec();
    more[5] = "3";
    let e = sb.bad_input(&more);
    assert_mentions(
        &e,
        &[
            "--replicates is 1 in the folder and 3 in this command; to resume the folder's experiment, give --replicates 1",
        ],
    );
    let mut forced = other.clone();
    forced.push("--force");
    ok(&sb, &forced);
    // A plain run's folder is not taken over either.
    sb.fixture("tiny.toml");
    sb.run_ok("tiny.toml", "plain", &[]);
    let mut into_run = base.to_vec();
    into_run[9] = "plain";
    let e = sb.bad_input(&into_run);
    // Not "pass --force": --force would be refused as well.
    assert_mentions(
        &e,
        &[
            "`plain` exists and is not an experiment's folder",
            "even with --force",
            "another folder with --out",
        ],
    );
    into_run.push("--force");
    let forced = sb.bad_input(&into_run);
    assert_mentions(
        &forced,
        &["`plain` exists and is not an experiment's folder"],
    );
}

#[test]
fn an_experiment_file_gives_the_same_results_as_the_flags() {
    let sb = Sandbox::new();
    let s = scenario("political_transfers.toml");
    sb.write(
        "study.toml",
        &format!(
            "kind = \"sweep\"\nscenario = {s:?}\nreplicates = 2\nyears = 6\nvary = [\"reforms[0].set.politics.interference=0.2:0.8:0.6\"]\nset = [\"pay.level=1.1\"]\n"
        ),
    );
    ok(&sb, &["experiment", "study.toml", "--no-plots"]);
    ok(
        &sb,
        &[
            "sweep",
            &s,
            "--vary",
            "reforms[0].set.politics.interference=0.2:0.8:0.6",
            "--replicates",
            "2",
            "--years",
            "6",
            "--set",
            "pay.level=1.1",
            "--out",
            "flags",
            "--no-plots",
        ],
    );
    let file_dir = sb.join("outputs").join("study");
    assert_eq!(
        read(&file_dir, "points.csv"),
        read(&sb.join("flags"), "points.csv")
    );
    // The file's overrides are in summary.json, which its command does not
    // show (an output consumer's audit).
    for dir in [file_dir.clone(), sb.join("flags")] {
        let summary: serde_json::Value =
            serde_json::from_slice(&read(&dir, "summary.json")).unwrap();
        assert_eq!(
            summary["sets"],
            serde_json::json!(["pay.level=1.1"]),
            "{dir:?}"
        );
    }
    let md = fs::read_to_string(file_dir.join("report.md")).unwrap();
    assert_mentions(&md, &["bureausim experiment study.toml"]);
}

/// An experiment file's mistakes are named by the file's keys, not by the
/// flags the same settings have on the command line (`report_years`, not
/// `--at`), and an empty list is refused rather than replaced by the
/// defaults without a word.
#[test]
fn experiment_files_name_their_keys_not_the_flags() {
    let sb = Sandbox::new();
    let s = scenario("political_transfers.toml");
    let posterior =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("calibration/pakistan_posterior.csv");
    let cases: Vec<(&str, Vec<&str>)> = vec![
        (
            "report_years = [30]\nyears = 20",
            vec!["`report_years`: year 30 is after the last simulated year (20)"],
        ),
        ("report_years = []", vec!["`report_years = []` is empty"]),
        ("metrics = []", vec!["`metrics = []` is empty"]),
        (
            "metrics = [\"nope\"]",
            vec!["`metrics`: `nope` is not a metric"],
        ),
        (
            "seed = 4\nset = [\"sim.seed=3\"]",
            vec!["`set` entry \"sim.seed=3\" and `seed = 4` both set `sim.seed`"],
        ),
        (
            "set = [\"sim.replicates=3\"]",
            vec!["replicates are set by `replicates`, not by `set`"],
        ),
        (
            "set = [\"politics.nonsense=3\"]",
            vec!["`set` entry \"politics.nonsense=3\": unknown key path"],
        ),
        (
            "vary = [\"politics.nonsense=0:1:0.5\"]",
            vec!["`vary` entry \"politics.nonsense=0:1:0.5\": unknown key path"],
        ),
        (
            "vary = [\"sim.warmup_years=1.5,2\"]",
            vec!["`vary` entry \"sim.warmup_years=1.5,2\": `sim.warmup_years` takes whole numbers"],
        ),
        (
            "vary = [\"politics.interference\"]",
            vec!["`vary` entry \"politics.interference\": expected KEY.PATH=FROM:TO:STEP"],
        ),
    ];
    for (n, (extra, want)) in cases.iter().enumerate() {
        let vary = if extra.contains("vary") {
            ""
        } else {
            "vary = [\"politics.interference=0.2,0.4\"]\n"
        };
        let name = format!("e{n}.toml");
        sb.write(
            &name,
            &format!("kind = \"sweep\"\nscenario = {s:?}\nreplicates = 1\n{vary}{extra}\n"),
        );
        let e = sb.bad_input(&["experiment", &name]);
        assert_mentions(&e, want);
        assert!(!e.contains("--"), "a flag named for a file's key:\n{e}");
    }
    // A sensitivity file's malformed `param` entry: its example, too, is
    // not a flag.
    sb.write(
        "param.toml",
        &format!("kind = \"sensitivity\"\nscenario = {s:?}\nparam = [\"politics.interference\"]\n"),
    );
    let e = sb.bad_input(&["experiment", "param.toml"]);
    assert_mentions(
        &e,
        &["`param` entry \"politics.interference\": expected KEY.PATH=LOW:HIGH"],
    );
    assert!(!e.contains("--"), "a flag named for a file's key:\n{e}");
    // The years note names the file's key.
    sb.write(
        "years.toml",
        &format!(
            "kind = \"compare\"\nyears = 3\nscenarios = [{s:?}, {s:?}]\nset = [\"reforms[0].year=5\"]\n"
        ),
    );
    let e = sb.bad_input(&["experiment", "years.toml"]);
    assert_mentions(
        &e,
        &["(`sim.years` is 3 here: `years = 3` in the experiment file)"],
    );
    // A `set` of the table that holds a posterior column is overridden
    // by every draw, as a `set` of the column is.
    sb.write(
        "ens.toml",
        &format!(
            "kind = \"compare\"\nscenarios = [{s:?}, {s:?}]\nensemble = {:?}\nset = [\"corruption={{}}\"]\n",
            posterior.display().to_string()
        ),
    );
    let e = sb.bad_input(&["experiment", "ens.toml"]);
    assert_mentions(
        &e,
        &["`set` entry \"corruption={}\": every draw of `ensemble = "],
    );
}

#[test]
fn bad_designs_name_the_flag_the_value_and_what_is_allowed() {
    let sb = Sandbox::new();
    let s = scenario("political_transfers.toml");
    let cases: Vec<(Vec<&str>, Vec<&str>)> = vec![
        (
            vec![
                "sweep",
                &s,
                "--vary",
                "reforms[0].set.politics.interference=0.2:0.8",
            ],
            vec![
                "--vary reforms[0].set.politics.interference=0.2:0.8",
                "FROM:TO:STEP",
            ],
        ),
        (
            vec!["sweep", &s, "--vary", "politics.interferance=0.2,0.4"],
            vec![
                "politics.interferance",
                "`interferance` is not a key of `politics`",
            ],
        ),
        (
            vec![
                "sweep",
                &s,
                "--vary",
                "reforms[0].set.politics.interference=0.2,7",
            ],
            vec![
                "--vary reforms[0].set.politics.interference=0.2,7",
                "`7` is not allowed",
                "must be in [0, 1], got 7",
            ],
        ),
        (
            vec![
                "sensitivity",
                &s,
                "--param",
                "reforms[0].set.politics.interference=0.9:0.2",
                "--param",
                "postings.tenure_months=12:48",
            ],
            vec![
                "--param reforms[0].set.politics.interference=0.9:0.2",
                "HIGH (0.2) must be above LOW (0.9)",
            ],
        ),
        (
            vec![
                "sensitivity",
                &s,
                "--param",
                "promotion.rule=0:1",
                "--param",
                "postings.tenure_months=12:48",
            ],
            vec!["--param promotion.rule=0:1", "needs a numeric key"],
        ),
        (
            vec![
                "sensitivity",
                &s,
                "--param",
                "reforms[0].set.politics.interference=0.2:0.9",
            ],
            vec!["at least two --param"],
        ),
        (
            vec!["compare", &s, &s, "--shard", "4/3"],
            vec!["--shard 4/3", "1 to 3"],
        ),
        (
            vec!["compare", &s, &s, "--metrics", "corruption"],
            vec![
                "--metrics: `corruption` is not a metric",
                "corruption_prevalence",
            ],
        ),
    ];
    for (args, want) in cases {
        let e = sb.bad_input(&args);
        assert_mentions(&e, &want);
    }
    sb.write(
        "bad.toml",
        "kind = \"sweep\"\nscenario = \"x.toml\"\nvary = [\"a=1:2\"]\n",
    );
    let e = sb.bad_input(&["experiment", "bad.toml"]);
    assert_mentions(
        &e,
        &[
            "experiment file `bad.toml`",
            "`vary` entry \"a=1:2\"",
            "FROM:TO:STEP",
        ],
    );
    sb.write(
        "typo.toml",
        "kind = \"sweep\"\nscenario = \"x.toml\"\nvaryy = []\n",
    );
    let e = sb.bad_input(&["experiment", "typo.toml"]);
    assert_mentions(&e, &["experiment file `typo.toml`", "line 3", "varyy"]);
}

#[test]
fn the_slurm_scripts_run_shards_and_merge_them_into_the_whole() {
    let sb = Sandbox::new();
    let s = scenario("political_transfers.toml");
    sb.write(
        "study.toml",
        &format!(
            "kind = \"compare\"\nscenarios = [{s:?}, {:?}]\nreplicates = 3\nyears = 6\n",
            scenario("accountability_bites.toml")
        ),
    );
    ok(&sb, &["experiment", "study.toml", "--out", "whole"]);
    let bin = assert_cmd::cargo::cargo_bin("bureausim");
    let slurm = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/slurm");
    let script = |name: &str, env: &[(&str, &str)]| {
        let out = Proc::new("bash")
            .current_dir(sb.path())
            .arg(slurm.join(name))
            .arg("study.toml")
            .env("BUREAUSIM", &bin)
            .envs(env.iter().copied())
            .output()
            .expect("bash runs");
        assert!(
            out.status.success(),
            "{name} failed:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    };
    // A 0-based array of two tasks, as `sbatch --array=0-1` would run it.
    for id in ["0", "1"] {
        script(
            "shards.sbatch",
            &[
                ("SLURM_ARRAY_TASK_COUNT", "2"),
                ("SLURM_ARRAY_TASK_ID", id),
                ("SLURM_ARRAY_TASK_MIN", "0"),
                ("SLURM_CPUS_PER_TASK", "1"),
            ],
        );
    }
    assert!(sb.join("outputs/study-shards/shard-2/runs").is_dir());
    script("merge.sbatch", &[]);
    for f in [
        "summary.json",
        "table.csv",
        "runs.csv",
        "report.md",
        "report.html",
    ] {
        assert_eq!(
            read(&sb.join("whole"), f),
            read(&sb.join("outputs/study"), f),
            "{f}"
        );
    }
}

#[test]
fn damaged_runs_are_refused_by_name_and_bad_folders_are_never_removed() {
    let sb = Sandbox::new();
    let s = scenario("political_transfers.toml");
    let base = [
        "compare",
        s.as_str(),
        s.as_str(),
        "--replicates",
        "2",
        "--years",
        "6",
        "--no-plots",
        "--out",
        "d",
    ];
    ok(&sb, &base);
    let whole = read(&sb.join("d"), "summary.json");
    // A run file cut short (run files reach the disk whole, so someone cut
    // it) is refused by name; once removed, it is run again.
    let run = sb.join("d/runs/run-0000001.csv");
    let text = fs::read_to_string(&run).unwrap();
    fs::write(&run, &text[..text.len() - 200]).unwrap();
    let e = sb.bad_input(&base);
    assert_mentions(
        &e,
        &[
            "run-0000001.csv",
            "does not match its checksum",
            "remove that file",
        ],
    );
    fs::remove_file(&run).unwrap();
    let stdout = ok(&sb, &base);
    assert_mentions(&stdout, &["1 to do, 3 already done"]);
    assert_eq!(read(&sb.join("d"), "summary.json"), whole);
    // --force replaces experiment folders only, and names are folder names.
    fs::create_dir_all(sb.join("keep")).unwrap();
    fs::write(sb.join("keep/data.txt"), "precious").unwrap();
    let mut into = base.to_vec();
    into[9] = "keep";
    into.push("--force");
    let e = sb.bad_input(&into);
    assert_mentions(&e, &["`keep` exists and is not an experiment's folder"]);
    assert!(sb.join("keep/data.txt").is_file());
    sb.write(
        "up.toml",
        &format!("name = \"..\"\nkind = \"compare\"\nscenarios = [{s:?}, {s:?}]\n"),
    );
    let e = sb.bad_input(&["experiment", "up.toml", "--force"]);
    assert_mentions(
        &e,
        &["experiment file `up.toml`", "name: \"..\" is not allowed"],
    );
    // A merge never writes into (or over) a shard it reads.
    for i in ["1", "2"] {
        let shard = format!("{i}/2");
        let out = format!("s{i}");
        let mut a = base[..8].to_vec();
        a.extend(["--shard", &shard, "--out", &out]);
        ok(&sb, &a);
    }
    let e = sb.bad_input(&["merge", "s1", "s2", "--out", "s1", "--force"]);
    assert_mentions(&e, &["--out s1", "apart from the shard folders"]);
    assert!(sb.join("s1/experiment.json").is_file());
}

#[test]
fn designs_that_would_break_common_random_numbers_or_grids_are_refused() {
    let sb = Sandbox::new();
    let s = scenario("political_transfers.toml");
    let e = sb.bad_input(&["sweep", &s, "--vary", "sim.seed=1,2"]);
    assert_mentions(&e, &["--vary sim.seed", "--seed"]);
    let e = sb.bad_input(&[
        "sensitivity",
        &s,
        "--param",
        "postings.sample=2:10",
        "--param",
        "reforms[0].set.politics.interference=0:1",
    ]);
    assert_mentions(
        &e,
        &["postings.sample", "multiple of levels − 1 (3)", "2:11"],
    );
    let e = sb.bad_input(&[
        "sweep",
        &s,
        "--scale",
        "0.5",
        "--vary",
        "recruitment.intake_cap=10,20",
    ]);
    assert_mentions(
        &e,
        &["--vary recruitment.intake_cap", "--scale changes this key"],
    );
}

#[test]
fn a_rerun_with_other_report_settings_redraws_without_running_and_drops_old_plots() {
    let sb = Sandbox::new();
    let s = scenario("political_transfers.toml");
    let base = [
        "sweep",
        s.as_str(),
        "--vary",
        "reforms[0].set.politics.interference=0.2,0.8",
        "--vary",
        "promotion.rule=seniority,weighted",
        "--replicates",
        "1",
        "--years",
        "6",
        "--out",
        "r",
    ];
    ok(&sb, &base);
    assert!(sb.join("r/sweep_morale.png").is_file());
    let mut other = base.to_vec();
    other.extend(["--metrics", "efficiency", "--at", "3,6"]);
    let stdout = ok(&sb, &other);
    assert_mentions(
        &stdout,
        &["0 to do, 4 already done", "Year 3", "and 1 plot"],
    );
    assert!(sb.join("r/sweep_efficiency.png").is_file());
    assert!(
        !sb.join("r/sweep_morale.png").exists(),
        "stale plot removed"
    );
    // The report drawn before is kept whole, with the manifest that says
    // which command drew it (a planner's audit: a report handed on was
    // replaced).
    for kept in [
        "sweep_morale.png",
        "report.md",
        "points.csv",
        "experiment.json",
    ] {
        assert!(sb.join("r/previous-report").join(kept).is_file(), "{kept}");
    }
    let old = fs::read_to_string(sb.join("r/previous-report/experiment.json")).unwrap();
    assert!(!old.contains("--at 3,6"), "the old command: {old}");
    // Another change of settings keeps the one before it; --force still
    // replaces a folder with a kept report.
    let mut third = base.to_vec();
    third.extend(["--at", "6"]);
    ok(&sb, &third);
    assert!(sb.join("r/previous-report/sweep_efficiency.png").is_file());
    assert!(!sb.join("r/previous-report/sweep_morale.png").exists());
    // The same report settings by another spelling (the seed the scenario
    // has anyway, given as a flag) redraw the same report and keep the
    // one before.
    let mut same = third.clone();
    same.extend(["--seed", "20251024"]);
    let out = sb.cmd().args(&same).assert().success();
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(!err.contains("previous-report"), "{err}");
    assert!(sb.join("r/previous-report/sweep_efficiency.png").is_file());
    let mut forced = base.to_vec();
    forced.push("--force");
    ok(&sb, &forced);
    assert!(!sb.join("r/previous-report").exists());
}

#[test]
fn arms_with_one_title_are_told_apart_in_the_report() {
    let sb = Sandbox::new();
    // A scenario and an edited copy of its file keep its title.
    for (name, rate) in [("a", 0.06), ("b", 0.2)] {
        fs::write(
            sb.join(format!("{name}.toml")),
            format!(
                "name = \"{name}\"\ntitle = \"The service\"\n[sim]\nwarmup_years = 1\n[accountability]\ndetection_rate = {rate}\n"
            ),
        )
        .unwrap();
    }
    ok(
        &sb,
        &[
            "compare",
            "a.toml",
            "b.toml",
            "--scale",
            "0.02",
            "--years",
            "3",
            "--replicates",
            "2",
            "--at",
            "3",
            "--out",
            "same",
            "--no-plots",
        ],
    );
    let report = String::from_utf8_lossy(&read(&sb.join("same"), "report.md")).into_owned();
    assert_mentions(
        &report,
        &[
            "# The service — b against The service — a",
            "| The service — a |",
            "| The service — b |",
        ],
    );
}

#[test]
fn decompose_shows_which_mechanism_carries_a_difference() {
    let sb = Sandbox::new();
    // Two services that differ only in how much bribery costs an officer's
    // conscience: with corruption switched off they are the same service.
    fs::write(sb.join("a.toml"), "name = \"a\"\n[sim]\nwarmup_years = 1\n").unwrap();
    fs::write(
        sb.join("b.toml"),
        "name = \"b\"\n[sim]\nwarmup_years = 1\n[corruption]\nmoral_weight = 0.4\n",
    )
    .unwrap();
    ok(
        &sb,
        &[
            "compare",
            "a.toml",
            "b.toml",
            "--decompose",
            "--scale",
            "0.02",
            "--years",
            "4",
            "--replicates",
            "3",
            "--at",
            "4",
            "--out",
            "dec",
            "--no-plots",
        ],
    );
    let dir = sb.join("dec");
    // The comparison table holds the two scenarios only.
    let table = csv_rows(&dir, "table.csv");
    assert!(
        table
            .iter()
            .all(|r| r["scenario"] == "a" || r["scenario"] == "b")
    );
    let rows = csv_rows(&dir, "decomposition.csv");
    let corruption: Vec<_> = rows
        .iter()
        .filter(|r| r["switch"] == "corruption.enabled")
        .collect();
    assert_eq!(corruption.len(), 8, "one row a main metric");
    for r in &corruption {
        assert_eq!(r["effect_without"], "0", "{r:?}");
        assert_eq!(r["carried"], r["effect"], "{r:?}");
        if r["effect"] != "0" {
            assert_eq!(r["share_carried"], "1", "{r:?}");
        }
    }
    // The prevalence of corruption differs, and only corruption carries it.
    let prevalence = corruption
        .iter()
        .find(|r| r["metric"] == "corruption_prevalence")
        .unwrap();
    assert!(prevalence["effect"].parse::<f64>().unwrap().abs() > 0.0);
    let switches: std::collections::BTreeSet<&str> =
        rows.iter().map(|r| r["switch"].as_str()).collect();
    assert!(switches.len() >= 10, "{switches:?}");
    let report = String::from_utf8_lossy(&read(&dir, "report.md")).into_owned();
    assert_mentions(
        &report,
        &[
            "Which mechanisms carry the difference of b at year 4",
            "corruption (`corruption.enabled`)",
        ],
    );
    // The report's table: the difference in the tables' units, then a
    // share per mechanism, given only where the difference is clear.
    let table: Vec<Vec<String>> = report
        .split("## Which mechanisms carry the difference of b at year 4")
        .nth(1)
        .unwrap()
        .lines()
        .filter(|l| l.starts_with('|'))
        .map(|l| {
            l.trim_matches('|')
                .split('|')
                .map(|c| c.trim().to_string())
                .collect()
        })
        .collect();
    let (head, rows) = (&table[0], &table[2..]);
    assert!(rows[0][0].starts_with("(difference from a, every mechanism on)"));
    let corruption_row = rows
        .iter()
        .find(|r| r[0] == "corruption (`corruption.enabled`)")
        .unwrap();
    let mut clear_columns = 0;
    for r in &corruption {
        let metric = r["metric"].as_str();
        let j = head
            .iter()
            .position(|h| h.starts_with(&format!("{} (", bureausim::metrics::label(metric))))
            .unwrap_or_else(|| panic!("a column for {metric} in {head:?}"));
        let (lo, hi): (f64, f64) = (
            r["effect_ci95_low"].parse().unwrap(),
            r["effect_ci95_high"].parse().unwrap(),
        );
        if lo > 0.0 || hi < 0.0 {
            // Corruption carries all of it: 100%, its interval the effect's.
            clear_columns += 1;
            assert_eq!(corruption_row[j], "100% *", "{metric}");
        } else {
            assert!(
                rows[1..].iter().all(|row| row[j] == "–"),
                "{metric}: no share of an unclear difference"
            );
        }
    }
    assert!(
        clear_columns > 0,
        "the prevalence of corruption differs clearly"
    );
    // A sweep cannot be decomposed.
    fs::write(
        sb.join("sweep.toml"),
        "kind = \"sweep\"\nscenario = \"a.toml\"\nvary = [\"pay.level=1,2\"]\ndecompose = true\n",
    )
    .unwrap();
    let out = sb
        .cmd()
        .args(["experiment", "sweep.toml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_mentions(
        &String::from_utf8_lossy(&out.stderr),
        &["`decompose` applies to a comparison only"],
    );
}

/// Every experiment file shipped in `experiments/` makes a valid plan: two
/// of them stopped at once when a reform in the run's last year came to be
/// refused, and nothing noticed.
#[test]
fn every_shipped_experiment_file_makes_a_plan() {
    use bureausim::experiment::{plan::Plan, spec::load_file};
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("experiments");
    let mut files: Vec<_> = fs::read_dir(&dir)
        .expect("experiments/")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    assert!(files.len() >= 5, "{files:?}");
    // And the calibration's screen, whose command docs/calibration.md gives.
    files.push(Path::new(env!("CARGO_MANIFEST_DIR")).join("calibration/pakistan_screen.toml"));
    for f in files {
        let spec = load_file(&f).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        if let Err(e) = Plan::new(spec, String::new()) {
            panic!("{}: {e}", f.display());
        }
    }
}

/// A folder holding an experiment of another kind is named as such (a
/// sweep reused by a comparison was said to differ in its number of base
/// scenarios).
#[test]
fn a_folder_of_another_kind_of_experiment_says_which() {
    let sb = Sandbox::new();
    let s = scenario("political_transfers.toml");
    let out = sb.join("study");
    let out = out.to_str().unwrap();
    let same = [
        "--replicates",
        "1",
        "--years",
        "6",
        "--no-plots",
        "--out",
        out,
    ];
    let o = sb
        .cmd()
        .args(["sweep", &s, "--vary", "politics.protection=0.2,0.4"])
        .args(same)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let e = sb.bad_input(&[&["compare", &s, &s][..], &same[..]].concat());
    assert_mentions(
        &e,
        &[
            "it holds a sweep (`bureausim sweep",
            "this command is a comparison",
        ],
    );
}

/// Under `--scale`, the In short and the per-billion figures give a bill,
/// count or flow of the full service, as the tables and the cost do: the
/// In short gave bribes taken of the simulated service (the scale times
/// the table's), and per billion divided the simulated service's effect
/// by the full service's cost.
#[test]
fn a_scaled_comparison_gives_the_full_service_everywhere() {
    let sb = Sandbox::new();
    let out = sb.join("scaled");
    let o = sb
        .cmd()
        .args([
            "compare",
            &scenario("political_transfers.toml"),
            &scenario("rotation_and_collusion.toml"),
        ])
        .args([
            "--scale",
            "0.5",
            "--replicates",
            "3",
            "--years",
            "12",
            "--at",
            "12",
        ])
        .args(["--metrics", "rent_taken,detections,corruption_prevalence"])
        .args(["--no-plots", "--out", out.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // A share is the same at any scale; a bill or a count is the full
    // service's, twice the simulated one's at scale 0.5.
    let checked = per_billion_checked(&out, |m| {
        if m == "corruption_prevalence" {
            1.0
        } else {
            0.5
        }
    });
    assert!(checked >= 2, "no per-billion figure to check");
    // summary.json says its counts and bills are of the scaled service.
    let summary: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["scale"], serde_json::json!(0.5));
    let table = csv_rows(&out, "table.csv");
    // The In short's bribes taken is the table's cell.
    let report = fs::read_to_string(out.join("report.md")).unwrap();
    let short = report
        .lines()
        .find(|l| l.contains("**Rotation and collusion**"))
        .expect("the option's In short line");
    let t = table
        .iter()
        .find(|t| t["metric"] == "rent_taken" && t["scenario"] == "rotation_and_collusion")
        .unwrap();
    let billions = t["diff"].parse::<f64>().unwrap() / 0.5 / 1000.0;
    let lo = t["diff_ci95_low"].parse::<f64>().unwrap() / 0.5 / 1000.0;
    let hi = t["diff_ci95_high"].parse::<f64>().unwrap() / 0.5 / 1000.0;
    let [m, l, h] = bureausim::output::number::with_interval(billions, lo, hi, true);
    assert_mentions(
        short,
        &[&format!("bribes taken {m} [{l}, {h}] billion PKR a year")],
    );
}

/// A folder resumed by another build: its runs are another commit's, and
/// the results say so (before, the report and summary named only the
/// build that wrote them, and nothing was said on resuming).
#[test]
fn a_folder_resumed_by_another_build_names_the_builds_that_made_its_runs() {
    let sb = Sandbox::new();
    let s = scenario("political_transfers.toml");
    let args = small_sweep(&s);
    ok(&sb, &args);
    let manifest = sb.join("x/experiment.json");
    let mut m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&manifest).unwrap()).unwrap();
    let ours = m["bureausim_commits"][0].as_str().unwrap().to_string();
    assert!(!m["platform"].as_str().unwrap().is_empty());
    let summary = std::fs::read_to_string(sb.join("x/summary.json")).unwrap();
    assert!(!summary.contains("run_commits"), "{summary}");
    if ours == "unknown" {
        return; // a build outside git cannot tell builds apart
    }
    // As if another build had made the runs and one is still to run.
    m["bureausim_commits"] = serde_json::json!(["0123456789abcdef0123456789abcdef01234567"]);
    std::fs::write(&manifest, serde_json::to_string_pretty(&m).unwrap()).unwrap();
    let first_run = std::fs::read_dir(sb.join("x/runs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .min()
        .unwrap();
    std::fs::remove_file(first_run).unwrap();
    let out = sb.cmd().args(args).output().expect("runs");
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_mentions(
        &stderr,
        &["note: `x` holds an experiment made by commit 0123456789ab, and this binary is commit"],
    );
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&manifest).unwrap()).unwrap();
    assert_eq!(
        m["bureausim_commits"][0],
        "0123456789abcdef0123456789abcdef01234567"
    );
    assert_eq!(m["bureausim_commits"][1].as_str(), Some(ours.as_str()));
    let summary = std::fs::read_to_string(sb.join("x/summary.json")).unwrap();
    assert!(summary.contains("\"run_commits\""), "{summary}");
    let report = std::fs::read_to_string(sb.join("x/report.md")).unwrap();
    assert_mentions(
        &report,
        &["from runs made by commit 0123456789ab and this one"],
    );
    // A resume with nothing left to run makes no run: the build that
    // resumes is not added to the folder's makers.
    let mut m = m;
    m["bureausim_commits"] = serde_json::json!(["0123456789abcdef0123456789abcdef01234567"]);
    std::fs::write(&manifest, serde_json::to_string_pretty(&m).unwrap()).unwrap();
    ok(&sb, &args);
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&manifest).unwrap()).unwrap();
    assert_eq!(
        m["bureausim_commits"],
        serde_json::json!(["0123456789abcdef0123456789abcdef01234567"])
    );
}

/// An experiment file's and a target file's unknown keys are all named at
/// once, each with its line and the key meant, as a scenario's are.
#[test]
fn unknown_keys_of_experiment_and_target_files_are_named_at_once() {
    let sb = Sandbox::new();
    let tiny = sb.fixture("tiny.toml");
    sb.write(
        "exp.toml",
        &format!(
            "name = \"x\"\nkind = \"compare\"\nscenarios = [\"{tiny}\"]\nreplicatse = 2\nyers = 3\n"
        ),
    );
    let e = sb.bad_input(&["experiment", "exp.toml"]);
    assert_mentions(
        &e,
        &[
            "at key `replicatse` (did you mean `replicates`?)",
            "line 5: `yers` is not a key (did you mean `years`?)",
        ],
    );
    sb.write(
        "targets.toml",
        "name = \"t\"\n[[target]]\nid = \"x\"\nmetric = \"headcount\"\nfile = \"timeseries\"\n\
         years = [1, 2]\nobserved = 10\nsd = 1\nsource = \"s\"\nwhy = \"w\"\nstatistc = \"mean\"\n\n\
         [[target]]\nid = \"y\"\nmetric = \"headcount\"\nfile = \"timeseries\"\nyears = [1, 2]\n\
         observed = 10\nsd = 1\nsource = \"s\"\nwhy = \"w\"\nsectr = \"police\"\n",
    );
    let e = sb.bad_input(&["calibrate", tiny, "--targets", "targets.toml", "--out", "t"]);
    assert_mentions(
        &e,
        &[
            "at key `target[0].statistc` (did you mean `statistic`?)",
            "line 22: `target[1].sectr` is not a key (did you mean `sector`?)",
        ],
    );
}

/// A Sobol design of n base samples not a power of two is warned of, with
/// the powers on either side; a power of two is not.
#[test]
fn a_sobol_sample_not_a_power_of_two_is_warned_of() {
    let sb = Sandbox::new();
    let tiny = sb.fixture("tiny.toml");
    let stderr = |n: &str, out: &str| {
        let o = sb
            .cmd()
            .args([
                "sensitivity",
                tiny,
                "--method",
                "sobol",
                "--samples",
                n,
                "--years",
                "2",
                "--replicates",
                "1",
                "--param",
                "politics.interference=0:1",
                "--param",
                "accountability.detection_rate=0.02:0.2",
                "--out",
                out,
                "--no-plots",
            ])
            .output()
            .expect("runs");
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8_lossy(&o.stderr).into_owned()
    };
    let e = stderr("6", "six");
    assert_mentions(
        &e,
        &[
            "--samples: 6 is not a power of two",
            "so 8, the nearest power of two",
        ],
    );
    assert!(!stderr("8", "eight").contains("power of two"));
}

/// Sobol indices are shares of variance: a report whose estimates leave
/// [0, 1] (n = 4 here: S1 -0.26 and ST up to 2.8 were measured) says so,
/// names them and asks for more samples, instead of ranking on them quietly.
#[test]
fn a_sobol_report_flags_estimates_outside_zero_to_one() {
    let sb = Sandbox::new();
    let base = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios/pakistan_baseline.toml")
        .display()
        .to_string();
    ok(
        &sb,
        &[
            "sensitivity",
            &base,
            "--method",
            "sobol",
            "--samples",
            "4",
            "--scale",
            "0.05",
            "--years",
            "5",
            "--replicates",
            "1",
            "--param",
            "corruption.rent_value=0.5:6",
            "--param",
            "accountability.detection_rate=0.02:0.2",
            "--out",
            "s",
            "--no-plots",
        ],
    );
    let ix = csv_rows(&sb.join("s"), "indices.csv");
    let outside = ix
        .iter()
        .flat_map(|r| [&r["s1"], &r["st"]])
        .filter_map(|v| v.parse::<f64>().ok())
        .filter(|v| *v > 1.0 || *v < -0.1)
        .count();
    assert!(outside > 0, "no estimate outside [0, 1] to flag");
    let report = fs::read_to_string(sb.join("s/report.md")).unwrap();
    assert_mentions(
        &report,
        &["**Estimates outside [0, 1]**", "(n = 4)", "raise `samples`"],
    );
    let note = report
        .lines()
        .find(|l| l.contains("Estimates outside"))
        .unwrap();
    assert_eq!(note.matches("` on ").count(), outside, "{note}");
    // The intervals are read too, not only the estimates: at n = 4 nearly
    // every one is wide (how many depends on the model's numbers), all
    // are counted, and the widest is named with its interval.
    let wide = report
        .lines()
        .find(|l| l.contains("**Wide intervals**"))
        .unwrap_or_else(|| panic!("no note of wide intervals:\n{report}"));
    let n = ix.len() * 2;
    let counted = wide
        .split(&format!(" of the {n} indices"))
        .next()
        .and_then(|head| head.rsplit(' ').next())
        .and_then(|k| k.parse::<usize>().ok())
        .unwrap_or_else(|| panic!("no count of the {n} indices: {wide}"));
    assert!(
        counted * 4 >= n * 3 && wide.contains("(the widest: "),
        "{wide}"
    );
}

/// A documentation audit (2026-12-08): `experiment FILE --scale 0.1` got
/// clap's "unexpected argument", with a tip to write `-- --scale`. The
/// settings an experiment file holds are refused with the key to write.
#[test]
fn an_experiment_file_s_settings_given_as_flags_name_the_key_to_write() {
    let sb = Sandbox::new();
    let file = sb.join("e.toml");
    sb.write(
        "e.toml",
        &format!(
            "kind = \"compare\"\nscenarios = [\"{0}\", \"{0}\"]\n",
            scenario("political_transfers.toml")
        ),
    );
    let file = file.to_str().unwrap();
    for (flag, value, key) in [
        ("--scale", "0.1", "`scale = 0.1`"),
        ("--at", "10,20", "`report_years = [10, 20]`"),
        ("--set", "sim.years=8", "`set = [\"sim.years=8\"]`"),
        (
            "--metrics",
            "efficiency,morale",
            "`metrics = [\"efficiency\", \"morale\"]`",
        ),
    ] {
        let e = sb.bad_input(&["experiment", file, flag, value]);
        assert!(
            e.contains(&format!("{flag} {value}: `bureausim experiment` takes")),
            "{e}"
        );
        assert!(e.contains(key) && !e.contains("-- --"), "{e}");
    }
    // A value the key does not take is not written into it; all the
    // overrides are; a calibration is told what it has no key for.
    let e = sb.bad_input(&["experiment", file, "--years", "abc"]);
    assert!(e.contains("write `years = Y`"), "{e}");
    let e = sb.bad_input(&["experiment", file, "--set", "a=1", "--set", "b=2"]);
    assert!(e.contains(r#"write `set = ["a=1", "b=2"]`"#), "{e}");
    let e = sb.bad_input(&["experiment", file, "--decompose"]);
    assert!(e.contains("write `decompose = true`"), "{e}");
    sb.write("c.toml", "kind = \"calibrate\"\n");
    let c = sb.join("c.toml");
    let e = sb.bad_input(&["experiment", c.to_str().unwrap(), "--years", "30"]);
    assert!(
        e.contains("a calibration (`kind = \"calibrate\"`") && e.contains("has no `years`"),
        "{e}"
    );
}
