//! Defects a user's audit of the command line found (2026-12-04), one test
//! each; every one failed before its fix.

// Not every helper of the shared CLI test module is used here.
#[allow(dead_code)]
mod common;

use std::fs;

use common::{Sandbox, assert_mentions, entries};

/// A file with no end (`/dev/zero`) named as any input is refused, with
/// exit code 2; before, bureausim read it until the memory ran out (then,
/// up to the 64 MiB bound; now, it is not a regular file and is not read
/// at all: `input::tests` has the bound). An experiment file, which may
/// come from someone else, names it too.
#[test]
fn an_endless_input_file_is_refused_not_read_into_memory() {
    if !std::path::Path::new("/dev/zero").exists() {
        return;
    }
    let sb = Sandbox::new();
    let tiny = sb.fixture("tiny.toml");
    for args in [
        vec!["check", "/dev/zero"],
        vec!["run", "/dev/zero", "--out", "z"],
        vec!["sweep", tiny, "--design", "/dev/zero", "--out", "z"],
        vec!["calibrate", tiny, "--targets", "/dev/zero"],
        vec![
            "compare",
            tiny,
            tiny,
            "--ensemble",
            "/dev/zero",
            "--out",
            "z",
        ],
    ] {
        let e = sb.bad_input(&args);
        assert_mentions(&e, &["/dev/zero", "not a regular file"]);
    }
    sb.write(
        "zero.toml",
        "kind = \"compare\"\nscenarios = [\"/dev/zero\", \"/dev/zero\"]\nreplicates = 2\n",
    );
    let e = sb.bad_input(&["experiment", "zero.toml", "--out", "z"]);
    assert_mentions(&e, &["/dev/zero", "not a regular file"]);
    assert!(!sb.join("z").exists());
}

/// `--set name=` (empty) made `outputs/` itself the results' folder; an
/// empty name now means the file's stem, as in the file.
#[test]
fn an_empty_name_from_set_falls_back_to_the_files_stem() {
    let sb = Sandbox::new();
    let tiny = sb.fixture("tiny.toml");
    sb.cmd()
        .args(["run", tiny, "--no-plots", "--set", "name="])
        .assert()
        .success();
    assert_eq!(entries(&sb.join("outputs")), ["tiny"]);
    assert!(sb.join("outputs/tiny/timeseries.csv").exists());
}

/// A reform in the run's last year begins after its last row: it was
/// accepted and changed nothing. It is refused, naming the key and the
/// years.
#[test]
fn a_reform_in_the_runs_last_year_is_refused() {
    let sb = Sandbox::new();
    let f = sb.tiny_with(
        "late.toml",
        "[[reforms]]\nyear = 2\nset = { pay.level = 1.5 }\n",
    );
    let e = sb.bad_input(&["check", f]);
    assert_mentions(
        &e,
        &[
            "`reforms[0].year` must be at least 0 and below `sim.years` (2), got 2",
            "change nothing recorded",
        ],
    );
    // A year earlier it runs; and shortening a run below it is refused too.
    sb.tiny_with(
        "early.toml",
        "[[reforms]]\nyear = 1\nset = { pay.level = 1.5 }\n",
    );
    sb.stdout_ok(&["check", "early.toml"]);
    let e = sb.bad_input(&["check", "early.toml", "--set", "sim.years=1"]);
    assert_mentions(&e, &["below `sim.years` (1), got 1"]);
    // The start is rounded to the step: 1.99 years start on step 24 of 24
    // (audit, 2026-12-06: it was accepted and changed nothing recorded);
    // 1.95 starts on step 23.
    let e = sb.bad_input(&["check", "early.toml", "--set", "reforms[0].year=1.99"]);
    assert_mentions(
        &e,
        &["below `sim.years` (2), got 1.99, which starts on the run's last step once rounded"],
    );
    sb.stdout_ok(&["check", "early.toml", "--set", "reforms[0].year=1.95"]);
}

/// A reform that set one key twice (dotted and quoted) kept one value and
/// made a `--set` of the other vanish without a word.
#[test]
fn a_reform_setting_a_key_twice_is_refused() {
    let sb = Sandbox::new();
    let f = sb.tiny_with(
        "twice.toml",
        "[[reforms]]\nyear = 1\nset = { pay.compression = 3, \"pay.compression\" = 4 }\n",
    );
    let e = sb.bad_input(&["check", f]);
    assert_mentions(&e, &["`reforms[0].set` sets `pay.compression` twice"]);
}

/// `calibrate --markdown FILE` replaced any file; it now replaces only a
/// report bureausim wrote, and refuses before the fit starts otherwise.
#[test]
fn a_markdown_report_does_not_replace_the_users_file() {
    let sb = Sandbox::new();
    let tiny = sb.fixture("tiny.toml");
    sb.write("notes.md", "precious notes\n");
    sb.write(
        "targets.toml",
        "name = \"t\"\n[[target]]\nid = \"competence\"\nmetric = \"mean_competence\"\nfile = \"timeseries\"\nyears = [1, 2]\nobserved = 6.0\nsd = 1.0\nsource = \"a test\"\nwhy = \"test\"\n",
    );
    let e = sb.bad_input(&[
        "calibrate",
        tiny,
        "--targets",
        "targets.toml",
        "--param",
        "pay.level=0.8:1.2",
        "--markdown",
        "notes.md",
    ]);
    assert_mentions(
        &e,
        &[
            "--markdown notes.md",
            "not a calibration report bureausim wrote",
        ],
    );
    assert_eq!(
        fs::read_to_string(sb.join("notes.md")).unwrap(),
        "precious notes\n"
    );
}

/// `tiny.toml` as `select.toml`, with a year-1 reform of a key inside a
/// list (grade 1's `selection`).
fn with_selection_reform(sb: &Sandbox) -> &'static str {
    let f = sb.tiny_with(
        "select.toml",
        "[[reforms]]\nyear = 1\nset = { \"structure.grades[1].selection\" = true }\n",
    );
    let text = fs::read_to_string(sb.join(f))
        .unwrap()
        .replace("name = \"tiny\"", "name = \"select\"");
    sb.write(f, &text);
    f
}

/// The comparison report's "What each option changes" showed "–" for the
/// base's value of a reform key inside a list (`merit_promotion`'s
/// `structure.grades[1].selection`, false in the base).
#[test]
fn the_changes_table_shows_the_bases_value_of_a_key_in_a_list() {
    let sb = Sandbox::new();
    let tiny = sb.fixture("tiny.toml");
    let f = with_selection_reform(&sb);
    sb.cmd()
        .args([
            "compare",
            tiny,
            f,
            "--replicates",
            "2",
            "--no-plots",
            "--out",
            "cmp",
        ])
        .assert()
        .success();
    let report = fs::read_to_string(sb.join("cmp/report.md")).unwrap();
    assert_mentions(
        &report,
        &["| structure.grades[1].selection | false | true | after year 1 |"],
    );
}

/// The changes table gives a reform's chances of reversal as the run uses
/// them, after institutionalisation (a review, 2026-12-06: it printed the
/// raw hazards, ten times kp_sustainability's), and a reform may not
/// change how a grade's posts are split between the ladders (a
/// researcher's audit: it filled BPS-17 beyond its posts).
#[test]
fn the_changes_table_gives_the_reversal_the_run_uses() {
    let sb = Sandbox::new();
    let tiny = sb.fixture("tiny.toml");
    let rev = sb.tiny_with(
        "rev.toml",
        "[[reforms]]\nyear = 1\nreversal_hazard = 0.2\nreversal_at_government_change = 0.6\nlegal_embedding = 0.5\nset = { pay.level = 1.5 }\n",
    );
    sb.cmd()
        .args(["compare", tiny, rev, "--replicates", "2", "--no-plots"])
        .args(["--out", "cmp"])
        .assert()
        .success();
    let report = fs::read_to_string(sb.join("cmp/report.md")).unwrap();
    assert_mentions(
        &report,
        &["after year 1; reversed at a chance of 0.1 a year, 0.3 at a change of government"],
    );
    let split = sb.tiny_with(
        "split.toml",
        "[[reforms]]\nyear = 1\nset = { \"structure.grades[0].ex_cadre_share\" = 0.1 }\n",
    );
    let e = sb.bad_input(&["check", split]);
    assert_mentions(
        &e,
        &[
            "ex_cadre_share",
            "split between the cadre and ex-cadre ladders",
        ],
    );
}

/// A scale that leaves a service of a few posts ran without a word and
/// reported its bills, divided by the scale, as the full service's.
#[test]
fn a_scale_that_leaves_a_tiny_service_is_warned_of() {
    let sb = Sandbox::new();
    let tiny = sb.fixture("tiny.toml");
    let out = sb
        .cmd()
        .args([
            "compare",
            tiny,
            tiny,
            "--scale",
            "0.01",
            "--replicates",
            "2",
            "--no-plots",
        ])
        .args(["--out", "cmp"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_mentions(
        &stderr,
        &[
            "warning: --scale 0.01 leaves `tiny` with 5 posts",
            "mostly chance",
            // The advice is this service's (355 posts), not a general 0.05.
            "a scale of 0.29 or more keeps it at 100 posts or more",
        ],
    );
    // ... and the report says it too (it reached the terminal only).
    let report = fs::read_to_string(sb.join("cmp/report.md")).unwrap();
    assert_mentions(
        &report,
        &["**Warning given when it ran:** --scale 0.01 leaves `tiny` with 5 posts"],
    );
}

/// An invalid number of steps a year also drew two errors that only
/// restated it; neither --vary nor --design named only --vary.
#[test]
fn one_mistake_gets_one_message() {
    let sb = Sandbox::new();
    let tiny = sb.fixture("tiny.toml");
    let e = sb.bad_input(&["check", tiny, "--set", "sim.steps_per_year=0"]);
    assert_mentions(&e, &["`sim.steps_per_year` must divide a year"]);
    assert!(
        !e.contains("annual_step") && !e.contains("boards_per_year"),
        "{e}"
    );
    let out = sb.cmd().args(["sweep", tiny]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_mentions(
        &String::from_utf8_lossy(&out.stderr),
        &["--vary", "|--design"],
    );
}

/// A run's own settings given both as a flag and as a `--set` contradicted
/// each other without a word: `run` took the `--set` and `compare` the
/// flag, and `compare --set sim.replicates=3` ran 10 replicates. Each is
/// refused now, naming both; and a folder's seed is resumed with `--seed`.
#[test]
fn a_runs_own_setting_given_twice_is_refused() {
    let sb = Sandbox::new();
    let tiny = sb.fixture("tiny.toml");
    let other = sb.tiny_b();
    let e = sb.bad_input(&["run", tiny, "--seed", "5", "--set", "sim.seed=3"]);
    assert_mentions(&e, &["--set sim.seed=3", "--seed 5", "give one"]);
    let e = sb.bad_input(&["run", tiny, "--years", "4", "--set", "sim.years=3"]);
    assert_mentions(&e, &["--set sim.years=3", "--years 4"]);
    let e = sb.bad_input(&["compare", tiny, other, "--set", "sim.replicates=3"]);
    assert_mentions(&e, &["--set sim.replicates=3", "--replicates"]);
    let e = sb.bad_input(&["compare", tiny, other, "--seed", "4", "--set", "sim.seed=3"]);
    assert_mentions(&e, &["--set sim.seed=3", "--seed 4"]);
    assert!(!sb.join("outputs").exists());
    // A key refused for the years that --years set: the flag is named.
    let lib = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/merit_recruitment.toml"
    );
    for cmd in [&["run", lib][..], &["compare", tiny, lib][..]] {
        let e = sb.bad_input(&[cmd, &["--years", "3"]].concat());
        assert_mentions(&e, &["below `sim.years` (3)", "--years 3"]);
    }

    let args = [
        "compare",
        tiny,
        other,
        "--years",
        "2",
        "--replicates",
        "2",
        "--out",
        "c",
        "--no-plots",
    ];
    sb.cmd().args(args).assert().success();
    let e = sb.bad_input(&[&args[..], &["--seed", "9"]].concat());
    assert_mentions(&e, &["`sim.seed`", "--seed "]);
    assert!(!e.contains("--set sim.seed"), "{e}");
}

/// With `--ensemble`, a `--set` of a posterior column was overridden on
/// every draw while the report listed it as applied (a researcher's audit,
/// 2026-12-04): refused, naming the column.
#[test]
fn a_set_that_every_draw_would_override_is_refused() {
    let sb = Sandbox::new();
    let tiny = sb.fixture("tiny.toml");
    let post = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/calibration/pakistan_posterior.csv"
    );
    let e = sb.bad_input(&[
        "compare",
        tiny,
        tiny,
        "--ensemble",
        post,
        "--draws",
        "2",
        "--set",
        "politics.interference=0.3",
        "--out",
        "e",
    ]);
    assert_mentions(
        &e,
        &[
            "--set politics.interference=0.3",
            "`politics.interference`",
            "override",
        ],
    );
    assert!(!sb.join("e").exists());
}

/// An ensemble comparison's folder could not be replaced with `--force`:
/// `ensemble.csv` and its plots were "files bureausim did not write".
#[test]
fn an_ensemble_comparisons_folder_is_replaced_under_force() {
    let sb = Sandbox::new();
    let tiny = sb.fixture("tiny.toml");
    let post = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/calibration/pakistan_posterior.csv"
    );
    let args = [
        "compare",
        tiny,
        tiny,
        "--ensemble",
        post,
        "--draws",
        "2",
        "--replicates",
        "1",
        "--years",
        "2",
        "--out",
        "e",
    ];
    sb.cmd().args(args).assert().success();
    assert!(sb.join("e/ensemble.csv").is_file());
    // Each run's draw, to analyse or rerun it by plausible service.
    let runs = fs::read_to_string(sb.join("e/runs.csv")).unwrap();
    let head = runs.lines().next().unwrap();
    assert!(
        head.starts_with("point,scenario,replicate,draw,posterior_line,corruption.rent_value,"),
        "{head}"
    );
    let plots = fs::read_dir(sb.join("e")).unwrap().filter_map(|e| e.ok());
    assert!(
        plots
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .any(|n| n.starts_with("ensemble_") && n.ends_with(".png")),
        "the ensemble's plots are drawn"
    );
    // Its tables give regret its unit (a planner's audit, 2026-12-06).
    let report = fs::read_to_string(sb.join("e/report.md")).unwrap();
    assert_mentions(&report, &["regret, points (mean, 95th pct)"]);
    sb.cmd().args(args).arg("--force").assert().success();
}

/// A file put beside an experiment's runs stopped its resumption with
/// "already exists; pass --force", and --force then refused for that file:
/// the message names the file and says to move it.
#[test]
fn a_stray_file_in_an_experiment_is_named_not_forced() {
    let sb = Sandbox::new();
    let tiny = sb.fixture("tiny.toml");
    let other = sb.tiny_b();
    let args = [
        "compare",
        tiny,
        other,
        "--years",
        "2",
        "--replicates",
        "2",
        "--out",
        "c",
        "--no-plots",
    ];
    sb.cmd().args(args).assert().success();
    sb.write("c/notes.md", "my notes\n");
    let e = sb.bad_input(&args);
    assert_mentions(&e, &["would resume", "`notes.md`", "move them out"]);
    assert!(!e.contains("--force"), "{e}");
    fs::remove_file(sb.join("c/notes.md")).unwrap();
    sb.cmd().args(args).assert().success();
}

/// A sensitivity setting that the method does not use (`--samples` for
/// Morris, `--trajectories` or `--levels` for Sobol) was ignored without a
/// word, on the command line and in an experiment file.
#[test]
fn a_setting_the_method_does_not_use_is_refused() {
    let sb = Sandbox::new();
    let tiny = sb.fixture("tiny.toml");
    let params = [
        "--param",
        "pay.compression=1:3",
        "--param",
        "corruption.rent_value=1:3",
    ];
    let e = sb.bad_input(&[&["sensitivity", tiny][..], &params, &["--samples", "4"]].concat());
    assert_mentions(&e, &["--samples", "morris", "--trajectories"]);
    let e = sb.bad_input(
        &[
            &["sensitivity", tiny][..],
            &params,
            &["--method", "sobol", "--levels", "6"],
        ]
        .concat(),
    );
    assert_mentions(&e, &["--levels", "sobol", "--samples"]);
    sb.write(
        "s.toml",
        &format!(
            "kind = \"sensitivity\"\nscenario = {tiny:?}\nsamples = 8\nparam = [\"pay.compression=1:3\", \"corruption.rent_value=1:3\"]\n"
        ),
    );
    let e = sb.bad_input(&["experiment", "s.toml"]);
    assert_mentions(&e, &["`samples`", "morris"]);
    assert!(!sb.join("outputs").exists());
}

/// `--out missing/../x` made the folder `missing` on the way and left it
/// empty: refused before anything is made; a detour through a folder that
/// exists is fine.
#[test]
fn an_out_path_through_a_missing_folder_is_refused() {
    let sb = Sandbox::new();
    let tiny = sb.fixture("tiny.toml");
    let e = sb.bad_input(&["run", tiny, "--no-plots", "--out", "missing/../x"]);
    assert_mentions(&e, &["--out missing/../x", "`missing`", "does not exist"]);
    assert!(!sb.join("missing").exists() && !sb.join("x").exists());
    fs::create_dir(sb.join("there")).unwrap();
    sb.cmd()
        .args(["run", tiny, "--no-plots", "--out", "there/../y"])
        .assert()
        .success();
    assert!(sb.join("y/timeseries.csv").is_file());
}

/// What a planner's audit of the reports found (2026-12-05): with one
/// replicate the In short promised "95% intervals" and put every effect
/// (a 9.8-point fall in corruption among them) under "No clear
/// difference", and table.csv said `significant` false; the changes table
/// listed the base's own reforms as if an option made them.
#[test]
fn one_replicate_judges_nothing_and_the_bases_reforms_are_the_bases() {
    let sb = Sandbox::new();
    let tiny = sb.fixture("tiny.toml");
    let f = with_selection_reform(&sb);
    let args = |base: &str, other: &str, reps: &str, out: &str| {
        sb.cmd()
            .args(["compare", base, other, "--replicates", reps, "--no-plots"])
            .args(["--out", out])
            .assert()
            .success();
        fs::read_to_string(sb.join(out).join("report.md")).unwrap()
    };
    let report = args(tiny, f, "1", "one");
    assert_mentions(
        &report,
        &["one run gives no interval", "Differences, not judged"],
    );
    assert!(!report.contains("No clear difference"), "{report}");
    // Nor the cost table (a planner's audit, 2026-12-06).
    assert!(!report.contains("no clear change"), "{report}");
    let table = fs::read_to_string(sb.join("one/table.csv")).unwrap();
    assert!(
        table
            .lines()
            .skip(1)
            .all(|l| !l.ends_with(",false") && !l.ends_with(",true")),
        "{table}"
    );
    // The base with the reform, against the status quo.
    let report = args(f, tiny, "2", "rev");
    assert_mentions(
        &report,
        &["(the base itself) | structure.grades[1].selection"],
    );
}

/// The comparison figure's caption with one replicate said "lines are
/// means across 1 replicates, bands the 5th–95th percentiles" of a figure
/// with no band (noticed 2026-12-05); an ensemble's charts named the
/// metric and the options by their file names where the tables use titles.
#[test]
fn captions_say_what_one_run_and_an_ensemble_draw() {
    let sb = Sandbox::new();
    let tiny = sb.fixture("tiny.toml");
    let f = with_selection_reform(&sb);
    sb.cmd()
        .args(["compare", tiny, f, "--replicates", "1", "--out", "one"])
        .assert()
        .success();
    let report = fs::read_to_string(sb.join("one/report.md")).unwrap();
    assert_mentions(
        &report,
        &["lines are each scenario's one run, with no band"],
    );
    assert!(!report.contains("across 1 replicates"), "{report}");
    sb.cmd()
        .args(["compare", tiny, f, "--replicates", "3", "--out", "three"])
        .assert()
        .success();
    let report = fs::read_to_string(sb.join("three/report.md")).unwrap();
    assert_mentions(
        &report,
        &["lines are means across 3 replicates, bands the 5th–95th percentiles of the replicates"],
    );
    sb.write("post.csv", "weight,corruption.rent_value\n1,2\n1,3\n");
    sb.cmd()
        .args(["compare", tiny, f, "--ensemble", "post.csv", "--draws", "2"])
        .args(["--replicates", "1", "--out", "ens"])
        .assert()
        .success();
    let svg = fs::read_to_string(sb.join("ens/ensemble_1.svg")).unwrap();
    assert_mentions(&svg, &["Effect on Service delivery at year"]);
    assert!(!svg.contains("Effect on efficiency"));
}

/// What a researcher's audit of sweeps and sensitivity analyses found
/// (2026-12-05, second session), one refusal or wording each; every one
/// was accepted or worded wrongly before.
#[test]
fn a_researchers_settings_that_change_nothing_are_refused() {
    let sb = Sandbox::new();
    let tiny = sb.fixture("tiny.toml");
    // A --set of the key every point varies was dropped without a word; it
    // is said (not refused: the base scenario may need it to be valid).
    let out = sb
        .cmd()
        .args([
            "sweep",
            tiny,
            "--vary",
            "pay.level=0.8,1.6",
            "--set",
            "pay.level=1.2",
        ])
        .args(["--replicates", "1", "--no-plots", "--out", "sw"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let said = "--set pay.level=1.2: every sweep point sets `pay.level` from --vary, so this value is used in no run";
    assert_mentions(&String::from_utf8_lossy(&out.stderr), &[said]);
    let report = fs::read_to_string(sb.join("sw/report.md")).unwrap();
    assert_mentions(&report, &[said]);
    let sens = |extra: &[&str]| {
        let mut args = vec![
            "sensitivity",
            tiny,
            "--param",
            "pay.level=0.8:1.6",
            "--param",
            "politics.interference=0:1",
        ];
        args.extend_from_slice(extra);
        sb.bad_input(&args)
    };
    // --at changed no index of a sensitivity analysis; --bootstrap 0 gave
    // a table headed "[95% CI]" with no interval.
    assert_mentions(&sens(&["--at", "3"]), &["--at", "--year"]);
    assert_mentions(
        &sens(&["--bootstrap", "0"]),
        &["bootstrap: 0", "allowed 100 to 100000"],
    );
    // A range whose step misses TO dropped TO (0, 0.3, 0.6, 0.9).
    let e = sb.bad_input(&["sweep", tiny, "--vary", "politics.interference=0:1:0.3"]);
    assert_mentions(
        &e,
        &[
            "STEP 0.3 does not reach TO (1)",
            "the last value would be 0.9",
        ],
    );
    // A design file's own column is named with the file.
    sb.write("d.csv", "sim.seed,pay.level\n1,1.0\n");
    let e = sb.bad_input(&["sweep", tiny, "--design", "d.csv"]);
    assert_mentions(&e, &["--design d.csv column sim.seed"]);
    sb.write("big.csv", "postings.sample,pay.level\n1e20,1.0\n");
    let e = sb.bad_input(&["sweep", tiny, "--design", "big.csv"]);
    assert_mentions(
        &e,
        &[
            "big.csv",
            "`postings.sample` is 1e20, out of range; allowed 1 to",
        ],
    );
}

/// A sweep of a reform's year or value described the scenario with the
/// file's year and value, which no point ran.
#[test]
fn a_sweeps_report_says_which_keys_its_points_set() {
    let sb = Sandbox::new();
    let f = with_selection_reform(&sb);
    let text = fs::read_to_string(sb.join(f)).unwrap().replace(
        "name = \"select\"",
        "name = \"select\"\ndescription = \"From year 1: selection boards at BPS-18.\"",
    );
    sb.write(f, &text);
    sb.cmd()
        .args([
            "sweep",
            f,
            "--vary",
            "reforms[0].year=0,1",
            "--replicates",
            "1",
        ])
        .args(["--no-plots", "--out", "sw"])
        .assert()
        .success();
    let report = fs::read_to_string(sb.join("sw/report.md")).unwrap();
    assert_mentions(
        &report,
        &["(as its file describes it; each point sets `reforms[0].year` itself)"],
    );
}

/// An experiment file's count below zero or past its type was refused with
/// the type's range ("from 0 to 4294967295"), not the key's (an audit,
/// 2026-12-06); a count within the type keeps the file's own check.
#[test]
fn an_experiment_files_count_out_of_its_type_names_the_keys_range() {
    let sb = Sandbox::new();
    let tiny = sb.fixture("tiny.toml");
    for (line, said) in [
        (
            "replicates = -1",
            "expected a whole number from 1 to 100000",
        ),
        ("years = -2", "expected a whole number from 1 to 5000"),
        (
            "draws = 99999999999",
            "expected a whole number from 1 to 10000",
        ),
        (
            "replicates = 0",
            "replicates: 0 is out of range; allowed 1 to 100000",
        ),
    ] {
        sb.write(
            "c.toml",
            &format!("kind = \"compare\"\nscenarios = [{tiny:?}, {tiny:?}]\n{line}\n"),
        );
        let e = sb.bad_input(&["experiment", "c.toml"]);
        assert_mentions(&e, &[said]);
        assert!(!e.contains("4294967295"), "{e}");
    }
    // A Morris design's levels must be even; the year read has the run's
    // length as its bound (both said the type's or a looser range).
    for (line, said) in [
        ("levels = -1", "expected an even whole number from 2 to 100"),
        (
            "year = -1",
            "expected a simulated year, from 1 to the run's years",
        ),
        (
            "year = 5000000000",
            "expected a simulated year, from 1 to the run's years",
        ),
    ] {
        sb.write(
            "s.toml",
            &format!("kind = \"sensitivity\"\nscenario = {tiny:?}\nmethod = \"morris\"\n{line}\n"),
        );
        let e = sb.bad_input(&["experiment", "s.toml"]);
        assert_mentions(&e, &[said]);
        assert!(!e.contains("4294967295"), "{e}");
    }
    assert!(!sb.join("outputs").exists());
}

/// An ensemble comparison's section read year 20 whenever it was a report
/// year, while the In short beside it read the last (an audit, 2026-12-06):
/// one report, two headline years. Both read the last report year now.
#[test]
fn an_ensembles_section_reads_the_year_of_the_in_short() {
    let sb = Sandbox::new();
    let tiny = sb.fixture("tiny.toml");
    let f = with_selection_reform(&sb);
    sb.write("post.csv", "weight,corruption.rent_value\n1,2\n1,3\n");
    sb.cmd()
        .args(["compare", tiny, f, "--ensemble", "post.csv", "--draws", "2"])
        .args(["--replicates", "1", "--years", "25", "--at", "5,20,25"])
        .args(["--no-plots", "--out", "ens"])
        .assert()
        .success();
    let report = fs::read_to_string(sb.join("ens/report.md")).unwrap();
    assert_mentions(&report, &["Read at year 25.", "**In short.** At year 25,"]);
    assert!(!report.contains("Read at year 20."), "{report}");
    // ensemble.csv keeps every report year.
    let csv = fs::read_to_string(sb.join("ens/ensemble.csv")).unwrap();
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    let col = header
        .iter()
        .position(|h| *h == "year")
        .expect("a year column");
    for y in ["5", "20", "25"] {
        assert!(
            csv.lines()
                .skip(1)
                .any(|l| l.split(',').nth(col) == Some(y)),
            "year {y} in ensemble.csv"
        );
    }
}

/// Honest reports under the bar of 6 kept most officers from the boards
/// without a word (an audit, 2026-12-06). The run says so before (from the
/// scenario) and after (from what the run did), in run.json too; the bar
/// lowered with them leaves both unsaid.
#[test]
fn a_bar_that_keeps_most_officers_from_the_boards_is_warned_of() {
    let sb = Sandbox::new();
    let tiny = sb.fixture("tiny.toml");
    let run = |out: &str, threshold: &str| {
        let a = sb
            .cmd()
            .args(["run", tiny, "--no-plots", "--out", out])
            .args([
                "--set",
                "appraisal.objective_pm=true",
                "--set",
                "sim.years=6",
            ])
            .args([
                "--set",
                &format!("promotion.appraisal_threshold={threshold}"),
            ])
            .assert()
            .success();
        let stderr = sb.normalise(&a.get_output().stderr);
        let record = fs::read_to_string(sb.join(out).join("run.json")).unwrap();
        (stderr, record)
    };
    let (stderr, record) = run("high", "6");
    for said in [
        "warning: promotion at the start: under objective performance management",
        "warning: the appraisal bar (`promotion.appraisal_threshold`) kept more than half",
    ] {
        assert!(stderr.contains(said), "{stderr}");
        assert!(record.contains(&said["warning: ".len()..]), "{record}");
    }
    let (stderr, _) = run("low", "4");
    assert!(!stderr.contains("appraisal"), "{stderr}");
}

/// Over plausible services the In short called an effect "Worse" because
/// the interval of its mean excluded 0, while the section beside it found
/// it better in 4 of 10 of them (a planner's audit, 2026-12-06). A clear
/// average is called better or worse only when it keeps its sign in 9 of
/// 10 draws; below 10 draws no sign is settled.
#[test]
fn an_ensembles_in_short_calls_a_sign_only_where_the_draws_settle_it() {
    let sb = Sandbox::new();
    let tiny = sb.fixture("tiny.toml");
    let strict = sb.tiny_with("strict.toml", "[accountability]\ndetection_rate = 2.0\n");
    let text = fs::read_to_string(sb.join(strict))
        .unwrap()
        .replace("name = \"tiny\"", "name = \"strict\"");
    sb.write(strict, &text);
    let lines: String = (0..10)
        .map(|k| format!("1,{}\n", 2.0 + 0.1 * k as f64))
        .collect();
    sb.write(
        "post.csv",
        &format!("weight,corruption.rent_value\n{lines}"),
    );
    let in_short = |draws: &str, out: &str| {
        sb.cmd()
            .args(["compare", tiny, strict, "--ensemble", "post.csv"])
            .args(["--draws", draws, "--replicates", "1", "--years", "5"])
            .args(["--no-plots", "--out", out])
            .assert()
            .success();
        let report = fs::read_to_string(sb.join(format!("{out}/report.md"))).unwrap();
        let line = report
            .lines()
            .find(|l| l.starts_with("- **strict**"))
            .expect("the option's In short line")
            .to_string();
        (line, report)
    };
    // Three draws: a large fall in corruption, the same sign on all three,
    // is still not a settled sign.
    let (line, report) = in_short("3", "e3");
    assert_mentions(
        &line,
        &[
            "**Better on average, too few draws to settle the sign:** corruption (all officers)",
            "(better in 3 of 3 plausible services)",
        ],
    );
    assert!(!line.contains("**Better:**"), "{line}");
    assert_mentions(&report, &["With fewer than 10 draws no sign is settled"]);
    // Its table cell says the same.
    assert!(
        report
            .lines()
            .any(|l| l.starts_with("| strict |") && l.contains(" better on average |")),
        "{report}"
    );
    // Ten draws, all agreeing: settled.
    let (line, _) = in_short("10", "e10");
    let better = line
        .split("**Better:**")
        .nth(1)
        .and_then(|rest| rest.split("**").next())
        .unwrap_or_else(|| panic!("no settled Better in: {line}"));
    assert!(better.contains("corruption (all officers)"), "{line}");
    assert!(!line.contains("sign not settled:** corruption"), "{line}");
}

/// A planner's audit (2026-12-06): a comparison said nothing when a file
/// was given twice, when two files shared a `name` (the report told them
/// apart only as "(2)"), or when an option's own `sim.years` and
/// `sim.seed` were replaced by the first scenario's; its advice for a
/// reform's key, `--set reforms[0].set...`, reached every scenario and was
/// refused for the one without reforms, without naming it; and a 15-year
/// run reported year 10 only.
#[test]
fn a_comparison_says_what_its_files_do_not_show() {
    let sb = Sandbox::new();
    let tiny = sb.fixture("tiny.toml");
    let text = common::fixture_text("tiny.toml")
        .replace("years = 2", "years = 7")
        .replace("replicates = 2", "replicates = 2\nseed = 99");
    assert!(text.contains("seed = 99") && text.contains("years = 7"));
    sb.write("same_name.toml", &text);
    let out = sb
        .cmd()
        .args([
            "compare",
            tiny,
            "same_name.toml",
            tiny,
            "--no-plots",
            "--out",
            "c",
        ])
        .assert()
        .success();
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert_mentions(
        &err,
        &[
            "`tiny.toml` and `same_name.toml` are both named `tiny`",
            "`tiny` and `tiny (2)`",
            "`tiny.toml` is given more than once",
            "`same_name.toml` sets `sim.years` = 7, but a comparison runs every scenario for the first one's 2 years",
            "`same_name.toml` sets `sim.seed` = 99",
        ],
    );
    // Given on the command line, the years and seed are the flags'.
    let out = sb
        .cmd()
        .args([
            "compare",
            tiny,
            "same_name.toml",
            "--years",
            "2",
            "--seed",
            "5",
        ])
        .args(["--no-plots", "--out", "c2"])
        .assert()
        .success();
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(!err.contains("sets `sim."), "{err}");

    // A reform's key: the advice names the file to copy, and the override
    // it would have been is refused naming the scenario it does not fit.
    let select = with_selection_reform(&sb);
    let out = sb
        .cmd()
        .args(["compare", tiny, select, "--years", "3"])
        .args(["--set", "structure.grades[1].selection=true"])
        .args(["--no-plots", "--out", "c3"])
        .assert()
        .success();
    let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert_mentions(
        &err,
        &["edit `reforms[0].set.structure.grades[1].selection` in a copy of `select.toml`"],
    );
    assert!(!err.contains("use --set reforms[0]"), "{err}");
    let e = sb.bad_input(&[
        "compare",
        tiny,
        select,
        "--set",
        "reforms[0].set.structure.grades[1].selection=false",
    ]);
    assert_mentions(&e, &["in `tiny.toml`", "reaches every scenario compared"]);

    // The default report years end with the run's last.
    let other = sb.tiny_b();
    sb.cmd()
        .args(["compare", tiny, other, "--years", "15", "--replicates", "2"])
        .args(["--no-plots", "--out", "c4"])
        .assert()
        .success();
    let report = fs::read_to_string(sb.join("c4/report.md")).unwrap();
    assert_mentions(&report, &["**In short.** At year 15,", "year 10 ("]);
}

/// A planner's audit (2026-12-06): a year in which a replicate held no
/// board has no rank correlation for it, and the report gave the mean of
/// the others under "4 replicates each" with nothing to say so. Such a
/// cell ends with its count, as `n` in `table.csv` gives it.
#[test]
fn a_cell_from_fewer_replicates_says_how_many() {
    let sb = Sandbox::new();
    let tiny = sb.fixture("tiny.toml");
    let other = sb.tiny_b();
    sb.cmd()
        .args(["compare", tiny, other, "--replicates", "6", "--years", "4"])
        .args(["--metrics", "promotion_rank_correlation,efficiency"])
        .args(["--no-plots", "--out", "c"])
        .assert()
        .success();
    let table = fs::read_to_string(sb.join("c/table.csv")).unwrap();
    let n_of = |metric: &str| -> Vec<String> {
        table
            .lines()
            .filter(|l| l.starts_with(&format!("{metric},4,")))
            .map(|l| l.split(',').nth(3).unwrap().to_string())
            .collect()
    };
    let fewer = n_of("promotion_rank_correlation");
    assert!(
        fewer.iter().all(|n| n != "6"),
        "{fewer:?}: pick another case"
    );
    assert!(n_of("efficiency").iter().all(|n| n == "6"));
    // The option's difference is over the pairs where both have a value
    // (an output consumer's audit: `diff_n` was only in summary.json).
    let head: Vec<&str> = table.lines().next().unwrap().split(',').collect();
    let col = |name: &str| head.iter().position(|h| *h == name).expect(name);
    let cells = |metric: &str| -> Vec<Vec<String>> {
        table
            .lines()
            .filter(|l| l.starts_with(&format!("{metric},4,")))
            .map(|l| l.split(',').map(String::from).collect())
            .collect()
    };
    let corr = cells("promotion_rank_correlation");
    assert_eq!(corr[0][col("diff_n")], "", "the base has no difference");
    let pairs: usize = corr[1][col("diff_n")].parse().unwrap();
    let least = corr
        .iter()
        .map(|r| r[col("n")].parse::<usize>().unwrap())
        .min()
        .unwrap();
    assert!(pairs <= least, "{pairs} pairs, the fewer n {least}");
    assert_eq!(cells("efficiency")[1][col("diff_n")], "6");
    let report = fs::read_to_string(sb.join("c/report.md")).unwrap();
    let row = |title: &str, after: &str| {
        let at = report.find(after).expect("the table");
        report[at..]
            .lines()
            .find(|l| l.starts_with(&format!("| {title} |")))
            .expect("the row")
            .to_string()
    };
    let corr = row("tiny", "column promotion_rank_correlation");
    assert!(corr.contains(&format!("(n={})", fewer[0])), "{corr}");
    assert!(!row("tiny", "column efficiency").contains("(n="));
    assert_mentions(&report, &["ends with their number, as (n=K) for K of them"]);
}

/// A planner's audit (2026-12-06, seventh session): "In short" reads the
/// last report year only, so a package whose reforms were reversed read
/// "No clear difference" everywhere, though its tables were clear at year
/// 10. It now lists what was clear earlier, and says how many of the
/// reforms were still in force.
#[test]
fn in_short_names_what_was_clear_earlier_and_reversed_reforms() {
    let sb = Sandbox::new();
    let tiny = sb.fixture("tiny.toml");
    let rev = sb.tiny_with(
        "rev.toml",
        "\n[[reforms]]\nlabel = \"big pay\"\nyear = 1\nreversal_hazard = 0.6\nset = { pay.level = 3.0 }\n",
    );
    sb.cmd()
        .args(["compare", tiny, rev, "--years", "12", "--at", "3,12"])
        .args(["--replicates", "6", "--no-plots", "--out", "c"])
        .assert()
        .success();
    let report = fs::read_to_string(sb.join("c/report.md")).unwrap();
    let short = report
        .lines()
        .find(|l| l.starts_with("- **"))
        .expect("the option's In short line");
    assert_mentions(
        short,
        &[
            "Its reform was reversed by year 12 in every run.",
            "**Clear earlier, not at year 12:** service delivery +",
            "better at year 3",
        ],
    );
}

/// An instructor's audit (2026-12-06, seventh session): in the classic
/// Peter model, promotion redraws competence at random, yet the rank
/// correlation between the boards' ranking and competence at the new grade
/// read exactly 1.0 under "promote the best" (it read the current
/// competence). It is now about 0 under `redraw`, and clearly positive
/// when competence carries over.
#[test]
fn the_classic_models_rank_correlation_reads_competence_at_the_new_grade() {
    let sb = Sandbox::new();
    let peter = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/classics/peter_principle.toml"
    );
    let mean_of = |out: &str, extra: &[&str]| {
        sb.cmd()
            .args(["run", peter, "--replicates", "2", "--years", "200"])
            .args(["--no-plots", "--out", out])
            .args(extra)
            .assert()
            .success();
        let text = fs::read_to_string(sb.join(out).join("timeseries.csv")).unwrap();
        let mut rows = text.lines();
        let head: Vec<&str> = rows.next().unwrap().split(',').collect();
        let col = head
            .iter()
            .position(|h| *h == "promotion_rank_correlation")
            .unwrap();
        let v: Vec<f64> = rows
            .filter_map(|l| l.split(',').nth(col).and_then(|x| x.parse().ok()))
            .collect();
        assert!(v.len() > 100, "{}", v.len());
        v.iter().sum::<f64>() / v.len() as f64
    };
    let redraw = mean_of("r", &[]);
    assert!(redraw.abs() < 0.05, "{redraw}");
    let carried = mean_of(
        "c",
        &["--set", "promotion.competence_on_promotion=carry_over"],
    );
    assert!(carried > 0.5, "{carried}");
}

/// A planner's audit (2026-12-06, seventh session): an option simulated
/// with its own warm-up and engine differed from the base from year 0, and
/// neither a warning nor "What each option changes" said why (the table
/// left out every `sim` key).
#[test]
fn an_option_simulated_otherwise_is_warned_of_and_listed() {
    let sb = Sandbox::new();
    let tiny = sb.fixture("tiny.toml");
    let text = fs::read_to_string(sb.join(tiny))
        .unwrap()
        .replace("name = \"tiny\"", "name = \"tiny_m\"")
        .replace("[sim]\n", "[sim]\nengine = \"monthly\"\n");
    sb.write("m.toml", &text);
    let out = sb
        .cmd()
        .args(["compare", tiny, "m.toml", "--replicates", "2"])
        .args(["--no-plots", "--out", "c"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_mentions(
        &stderr,
        &["is simulated otherwise than the base: `sim.engine` monthly (the base: staggered)"],
    );
    let report = fs::read_to_string(sb.join("c/report.md")).unwrap();
    assert_mentions(
        &report,
        &["| sim.engine | staggered | monthly | from the start |"],
    );
    // With a decomposition's extra arms too (a review: the warning indexed
    // the files by arm and panicked).
    sb.cmd()
        .args([
            "compare",
            tiny,
            "m.toml",
            "--replicates",
            "2",
            "--decompose",
        ])
        .args(["--no-plots", "--out", "d"])
        .assert()
        .success();
}

/// A users' audit (2026-12-07): a comparison of two services (other posts,
/// grades or sectors) gave their difference in cost as a policy's with no
/// word; and the report's "What each option changes" printed both grade
/// lists whole when they differed in one entry's field.
#[test]
fn a_comparison_of_two_services_says_so_and_names_the_field_that_differs() {
    let sb = Sandbox::new();
    let tiny = sb.fixture("tiny.toml");
    let bigger = common::fixture_text("tiny.toml")
        .replace("name = \"tiny\"", "name = \"bigger\"")
        .replace("posts = 200", "posts = 400");
    sb.write("bigger.toml", &bigger);
    let out = sb
        .cmd()
        .args(["compare", tiny, "bigger.toml", "--replicates", "2"])
        .args(["--no-plots", "--out", "c"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_mentions(
        &stderr,
        &[
            "is another service than the base: 555 posts in 4 grades",
            "(the base: 355 posts in 4 grades",
            "its cost include that",
        ],
    );
    let report = fs::read_to_string(sb.join("c/report.md")).unwrap();
    assert_mentions(
        &report,
        &["| structure.grades[0].posts | 200 | 400 | from the start |"],
    );
    assert!(
        !report.contains("[{ "),
        "a list of tables printed whole:\n{report}"
    );
    // The same service: no such warning.
    let same = common::fixture_text("tiny.toml").replace("name = \"tiny\"", "name = \"same\"")
        + "\n[pay]\nlevel = 1.2\n";
    sb.write("same.toml", &same);
    let out = sb
        .cmd()
        .args(["compare", tiny, "same.toml", "--replicates", "2"])
        .args(["--no-plots", "--out", "s"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(!String::from_utf8_lossy(&out.stderr).contains("another service"));
    // Services that differ only in their sectors' names are told apart by
    // those names (the two descriptions read the same, a review).
    let sectors = |name: &str| {
        common::fixture_text("tiny.toml").replace("name = \"tiny\"", &format!("name = \"{name}\""))
            + &format!("\n[[structure.sectors]]\nname = \"{name}\"\nshare = 1.0\n")
    };
    sb.write("one.toml", &sectors("one"));
    sb.write("two.toml", &sectors("two"));
    let out = sb
        .cmd()
        .args(["compare", "one.toml", "two.toml", "--replicates", "2"])
        .args(["--no-plots", "--out", "n"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_mentions(
        &String::from_utf8_lossy(&out.stderr),
        &[
            "and 1 sector (two) (the base: 355 posts in 4 grades",
            "and 1 sector (one))",
        ],
    );
}

/// An instructor's audit (2026-12-07): a sweep of the classic model drew
/// flat maps of zeros for corruption and morale, which its mechanisms
/// switch off in every run; `run` already left them out. They are not
/// drawn, and the report says why; a sweep that switches corruption on in
/// some points draws it.
#[test]
fn a_sweep_draws_no_metric_whose_mechanism_is_off_in_every_run() {
    let sb = Sandbox::new();
    let file = sb.tiny_with("off.toml", "[corruption]\nenabled = false\n");
    let grid = |vary: &str, out: &str| {
        sb.cmd()
            .args(["sweep", file, "--vary", vary, "--vary", "pay.level=1.0,1.2"])
            .args(["--replicates", "2", "--out", out])
            .assert()
            .success();
        sb.join(out)
    };
    let off = grid("postings.tenure_months=12,36", "a");
    assert!(off.join("sweep_efficiency.png").exists());
    assert!(!off.join("sweep_corruption_prevalence.png").exists());
    let report = fs::read_to_string(off.join("report.md")).unwrap();
    assert_mentions(
        &report,
        &[
            "Not in the tables or plots, their mechanisms are off in every run (their columns are in `points.csv`): Corruption (all officers) (`corruption.enabled = false`)",
        ],
    );
    // Nor in the tables (a column of 0 [0, 0] at every point), while
    // points.csv keeps it.
    assert!(report.contains("| Service delivery"), "{report}");
    assert!(!report.contains("| Corruption (all officers)"), "{report}");
    let points = fs::read_to_string(off.join("points.csv")).unwrap();
    assert!(points.contains("corruption_prevalence"));
    let on = grid("corruption.enabled=false,true", "b");
    assert!(on.join("sweep_corruption_prevalence.png").exists());
    let report = fs::read_to_string(on.join("report.md")).unwrap();
    assert!(report.contains("| Corruption (all officers)"), "{report}");
    // A sweep of one parameter whose every metric is off draws no empty
    // plot.
    sb.cmd()
        .args(["sweep", file, "--vary", "pay.level=1.0,1.2"])
        .args([
            "--metrics",
            "corruption_prevalence",
            "--replicates",
            "2",
            "--out",
            "c",
        ])
        .assert()
        .success();
    assert!(!sb.join("c").join("sweep.png").exists());
}
