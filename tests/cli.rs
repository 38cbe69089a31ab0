//! End-to-end tests of the `bureausim` command line: every class of bad
//! input exits with code 2 and a message that says what to fix (pinned as
//! snapshots under tests/snapshots/), and a run writes complete,
//! reproducible results. Every command runs in a fresh temporary folder.

mod common;

use common::{Sandbox, assert_mentions, entries, read};
use insta::assert_snapshot;

// ---------------------------------------------------------------------------
// Scenario files that cannot be parsed or are not valid.

#[test]
fn malformed_toml_names_file_line_and_column() {
    let sb = Sandbox::new();
    let file = sb.fixture("syntax_error.toml");
    let stderr = sb.bad_input(&["check", file]);
    assert_mentions(&stderr, &["`syntax_error.toml`", "line 5, column 13"]);
    assert_snapshot!(stderr);
}

#[test]
fn unknown_key_names_file_line_key_and_expected_keys() {
    let sb = Sandbox::new();
    let file = sb.fixture("unknown_key.toml");
    let stderr = sb.bad_input(&["check", file]);
    assert_mentions(
        &stderr,
        &[
            "`unknown_key.toml`",
            "line 5",
            "`rulez`",
            "expected one of",
            "`rule`",
            "`weights`",
        ],
    );
    assert_snapshot!(stderr);
}

#[test]
fn out_of_range_value_names_key_value_and_range() {
    let sb = Sandbox::new();
    let file = sb.fixture("out_of_range.toml");
    let stderr = sb.bad_input(&["run", file, "--out", "out"]);
    assert_mentions(
        &stderr,
        &[
            "`out_of_range.toml`",
            "`pay.compression`",
            "[1, 100]",
            "got 0.5",
        ],
    );
    assert_snapshot!(stderr);
    assert!(
        !sb.join("out").exists(),
        "a rejected scenario must not create its output folder"
    );
}

#[test]
fn wrong_type_names_file_and_key() {
    let sb = Sandbox::new();
    let file = sb.fixture("wrong_type.toml");
    let stderr = sb.bad_input(&["check", file]);
    assert_mentions(
        &stderr,
        &[
            "`wrong_type.toml`",
            "line 4",
            "years = \"ten\"",
            "invalid type",
        ],
    );
    assert_snapshot!(stderr);
}

#[test]
fn more_initial_officers_than_posts_names_both_keys() {
    let sb = Sandbox::new();
    let file = sb.tiny_with(
        "crowded.toml",
        "[[structure.grades]]\nname = \"BPS-21\"\nposts = 5\ninitial_officers = 9\nmin_service_years = 22.0\n",
    );
    let stderr = sb.bad_input(&["check", file]);
    assert_mentions(
        &stderr,
        &[
            "`structure.grades[4].initial_officers` (9)",
            "`structure.grades[4].posts` (5)",
        ],
    );
    assert_snapshot!(stderr);
}

#[test]
fn channel_shares_above_one_must_sum_to_one() {
    let sb = Sandbox::new();
    sb.write("shares.toml", "[recruitment]\nmerit_share = 0.5\n");
    let stderr = sb.bad_input(&["check", "shares.toml"]);
    assert_mentions(
        &stderr,
        &["`recruitment.merit_share` (0.5)", "must sum to 1"],
    );
    assert_snapshot!(stderr);
}

// ---------------------------------------------------------------------------
// `--set` overrides.

#[test]
fn set_unknown_path_names_it_and_the_keys_there() {
    let sb = Sandbox::new();
    let file = sb.fixture("tiny.toml");
    let stderr = sb.bad_input(&["run", file, "--out", "out", "--set", "pay.compresion=2"]);
    assert_mentions(
        &stderr,
        &[
            "--set pay.compresion=2",
            "`compresion` is not a key of `pay`",
            "compression",
        ],
    );
    assert_snapshot!(stderr);
    assert!(
        !sb.join("out").exists(),
        "a rejected --set must not create the output folder"
    );
}

#[test]
fn set_non_number_for_number_key() {
    let sb = Sandbox::new();
    let file = sb.fixture("tiny.toml");
    let stderr = sb.bad_input(&["check", file, "--set", "pay.compression=abc"]);
    assert_mentions(
        &stderr,
        &["`pay.compression`", "expected a number, got `abc`"],
    );
    assert_snapshot!(stderr);
}

#[test]
fn set_without_equals_sign() {
    let sb = Sandbox::new();
    let file = sb.fixture("tiny.toml");
    let stderr = sb.bad_input(&["check", file, "--set", "pay.compression"]);
    assert_mentions(&stderr, &["--set pay.compression", "KEY.PATH=VALUE"]);
    assert_snapshot!(stderr);
}

// ---------------------------------------------------------------------------
// Files and folders.

#[test]
fn missing_scenario_file_is_bad_input() {
    let sb = Sandbox::new();
    let stderr = sb.bad_input(&["run", "missing.toml", "--out", "out"]);
    // The OS error text differs between platforms, so only the start is pinned.
    assert!(
        stderr.starts_with("error: cannot read scenario file `missing.toml`: "),
        "{stderr}"
    );
    assert!(!sb.join("out").exists());
}

#[test]
fn missing_scenario_file_reports_the_os_error_once() {
    let sb = Sandbox::new();
    let stderr = sb.bad_input(&["check", "missing.toml"]);
    assert_eq!(
        stderr.matches("os error").count(),
        1,
        "guards the bug where ScenarioError::Read printed its `source` and also chained it, \
         so `{{err:#}}` in main.rs \
         prints the OS error twice:\n{stderr}"
    );
}

#[test]
fn existing_output_folder_is_kept_without_force() {
    let sb = Sandbox::new();
    let file = sb.fixture("tiny.toml");
    let dest = sb.join("out/res");
    std::fs::create_dir_all(&dest).unwrap();
    std::fs::write(dest.join("sentinel.txt"), "keep me").unwrap();
    // An absolute path, so the message shows the sandbox placeholder.
    let stderr = sb.bad_input(&["run", file, "--no-plots", "--out", dest.to_str().unwrap()]);
    assert_mentions(&stderr, &["`[TMP]/out/res`", "already exists", "--force"]);
    assert_snapshot!(stderr);
    assert_eq!(entries(&dest), ["sentinel.txt"]);
    assert_eq!(read(&dest, "sentinel.txt"), b"keep me");
    assert_eq!(
        entries(&sb.join("out")),
        ["res"],
        "no temporary folder may be left"
    );
}

#[test]
fn force_replaces_existing_output_folder() {
    let sb = Sandbox::new();
    let file = sb.fixture("tiny.toml");
    let dest = sb.run_ok(file, "out/res", &[]);
    // A plot of an earlier run with plots, which this run (--no-plots)
    // does not write.
    std::fs::write(dest.join("overview.png"), "old").unwrap();
    sb.run_ok(file, "out/res", &["--force"]);
    assert!(
        !dest.join("overview.png").exists(),
        "the old folder must be replaced, not merged"
    );
    // A file of the user's own in it: the folder is not replaced.
    std::fs::write(dest.join("notes.txt"), "mine").unwrap();
    let stderr = sb.bad_input(&["run", file, "--no-plots", "--out", "out/res", "--force"]);
    assert_mentions(
        &stderr,
        &["holds files bureausim did not write (`notes.txt`)"],
    );
    assert!(dest.join("notes.txt").is_file());
    std::fs::remove_file(dest.join("notes.txt")).unwrap();
    assert!(dest.join("timeseries.csv").is_file());
    assert_eq!(
        entries(&sb.join("out")),
        ["res"],
        "no temporary or old folder may be left"
    );
}

// ---------------------------------------------------------------------------
// Reform timelines.

#[test]
fn reform_setting_an_unknown_path_is_rejected() {
    let sb = Sandbox::new();
    let file = sb.tiny_with(
        "reform.toml",
        "[[reforms]]\nyear = 1\nset = { \"pay.compresion\" = 4.0 }\n",
    );
    let stderr = sb.bad_input(&["check", file]);
    assert_mentions(
        &stderr,
        &["`reforms[0].set`", "`compresion` is not a key of `pay`"],
    );
    assert_snapshot!(stderr);
}

#[test]
fn reform_changing_posts_is_rejected() {
    let sb = Sandbox::new();
    let file = sb.tiny_with(
        "reform.toml",
        "[[reforms]]\nyear = 1\nset = { \"structure.grades[0].posts\" = 4 }\n",
    );
    let stderr = sb.bad_input(&["check", file]);
    assert_mentions(
        &stderr,
        &[
            "`structure.grades[0].posts`",
            "which a reform cannot change",
        ],
    );
    assert_snapshot!(stderr);
}

// ---------------------------------------------------------------------------
// Command-line usage (clap).

#[test]
fn usage_errors_exit_2() {
    let sb = Sandbox::new();
    let file = sb.fixture("tiny.toml");
    let stderr = sb.bad_input(&["run", file, "--bogus"]);
    assert_mentions(&stderr, &["unexpected argument '--bogus'"]);
    let stderr = sb.bad_input(&["run", file, "--threads", "many"]);
    assert_mentions(&stderr, &["invalid value 'many' for '--threads <T>'"]);
    let stderr = sb.bad_input(&["check"]);
    assert_mentions(&stderr, &["<SCENARIO>"]);
}

/// Each experiment command's help gives its own replicates default and
/// only the flags it takes (a planner's audit, 2026-12-06: sensitivity's
/// help listed --at, --ensemble and --draws, which it refuses).
#[test]
fn each_experiment_commands_help_is_its_own() {
    let sb = Sandbox::new();
    let help = |cmd: &str| sb.stdout_ok(&[cmd, "--help"]);
    let s = help("sensitivity");
    for hidden in ["--at ", "--ensemble ", "--draws ", "10 compare"] {
        assert!(!s.contains(hidden), "{hidden} in:\n{s}");
    }
    assert_mentions(&s, &["Replicates per point [default: 2]", "--metrics"]);
    let c = help("compare");
    assert_mentions(
        &c,
        &[
            "Replicates per scenario [default: 10",
            "--at ",
            "--ensemble ",
        ],
    );
    assert_mentions(&help("sweep"), &["Replicates per point [default: 5"]);
    // Hidden is not gone: sensitivity still names what it refuses.
    let file = sb.fixture("tiny.toml");
    let e = sb.bad_input(&[
        "sensitivity",
        file,
        "--param",
        "pay.level=0.5:1.5",
        "--param",
        "politics.interference=0.3:0.9",
        "--at",
        "1",
    ]);
    assert_mentions(&e, &["--at"]);
}

// ---------------------------------------------------------------------------
// `check`.

#[test]
fn check_output_round_trips() {
    let sb = Sandbox::new();
    let file = sb.tiny_with(
        "reform.toml",
        "[[reforms]]\nyear = 1\nlabel = \"open boards\"\nset = { \"promotion.rule\" = \"best\" }\n",
    );
    let out = sb
        .cmd()
        .args(["check", file, "--set", "promotion.rule=seniority"])
        .assert()
        .success();
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    // The value holds until the reform that sets the same key: say so.
    assert_mentions(
        &sb.normalise(&out.get_output().stderr),
        &[
            "note: --set promotion.rule=seniority",
            "\"open boards\" (reforms[0]) sets `promotion.rule` in year 1",
            "--set reforms[0].set.promotion.rule=",
        ],
    );
    let table: toml::Table = toml::from_str(&text).expect("check prints valid TOML");
    assert_eq!(
        table["promotion"]["rule"].as_str(),
        Some("seniority"),
        "--set is applied"
    );
    assert_eq!(table["reforms"][0]["label"].as_str(), Some("open boards"));

    sb.write("resolved.toml", &text);
    assert_eq!(
        sb.stdout_ok(&["check", "resolved.toml"]),
        text,
        "checking the resolved scenario must reproduce it"
    );
}

#[test]
fn check_fills_in_every_section() {
    let sb = Sandbox::new();
    sb.write("x.toml", "name = \"x\"\n");
    let text = sb.stdout_ok(&["check", "x.toml"]);
    let table: toml::Table = toml::from_str(&text).expect("check prints valid TOML");
    assert_eq!(table["name"].as_str(), Some("x"));
    sb.write(
        "y.toml",
        "name = \"y\"\ntitle = \"Y\"\n[pay]\ncompression = 1.5\n",
    );
    assert_mentions(
        &sb.stdout_ok(&["check", "y.toml"]),
        &[
            "# 1 key differs from the defaults (its name, title and description aside): pay.compression.",
        ],
    );
    // What a run of it does, and what it changes, as comments first (a
    // researcher's audit: 450 lines and nothing on what they run).
    assert_mentions(
        &text,
        &[
            "# bureausim check: a valid scenario. A run simulates 10 replicates of 40 years after a 10-year warm-up, seed 20251024",
            "(6 grades, 8 sectors), with no reforms.",
            "# No key differs from the defaults (its name, title and description aside). The resolved scenario follows; its defaults are those of bureausim 0.1.0 (commit ",
        ],
    );
    for section in [
        "sim",
        "structure",
        "ageing",
        "work",
        "corruption",
        "accountability",
        "postings",
        "training",
        "appraisal",
        "promotion",
        "pay",
        "exits",
        "recruitment",
        "politics",
        "transparency",
        "trust",
    ] {
        assert!(
            table.get(section).is_some_and(toml::Value::is_table),
            "[{section}] missing:\n{text}"
        );
        assert!(
            text.contains(&format!("\n[{section}]\n")),
            "[{section}] is not a section:\n{text}"
        );
    }
    let grades = table["structure"]["grades"]
        .as_array()
        .expect("structure.grades");
    assert!(!grades.is_empty(), "the default grades are filled in");
    assert!(table["sim"]["years"].is_integer() && table["sim"]["seed"].is_integer());
}

// ---------------------------------------------------------------------------
// `run`.

#[test]
fn run_writes_every_output_file() {
    let sb = Sandbox::new();
    let file = sb.fixture("tiny.toml");
    // Plots included: this is the default path.
    let stdout = sb.stdout_ok(&["run", file, "--out", "out/tiny"]);
    assert_mentions(
        &stdout,
        &[
            "tiny — 2 replicates × 2 years",
            "in 355 posts",
            "wrote out/tiny/ : timeseries.csv",
        ],
    );

    let dir = sb.join("out/tiny");
    let names = entries(&dir);
    for name in [
        "timeseries.csv",
        "grades.csv",
        "sectors.csv",
        "codebook.csv",
        "summary.json",
        "scenario.toml",
        "run.json",
    ] {
        assert!(
            names.iter().any(|n| n == name),
            "{name} missing from {names:?}"
        );
    }

    let timeseries = String::from_utf8(read(&dir, "timeseries.csv")).unwrap();
    assert!(
        timeseries.starts_with("scenario,seed,replicate,year,headcount,"),
        "{timeseries}"
    );
    // A header, then years 0..=2 for each of 2 replicates.
    assert_eq!(timeseries.lines().count(), 1 + 2 * 3);
    assert!(
        String::from_utf8(read(&dir, "grades.csv"))
            .unwrap()
            .lines()
            .count()
            > 1
    );
    let sectors = String::from_utf8(read(&dir, "sectors.csv")).unwrap();
    assert!(
        sectors.starts_with(
            "scenario,seed,replicate,year,sector,posts,posted,corrupt,corruption_prevalence,"
        ),
        "{sectors}"
    );

    let summary: serde_json::Value =
        serde_json::from_slice(&read(&dir, "summary.json")).expect("summary.json is JSON");
    for key in ["metrics", "seed", "replicates", "scenario"] {
        assert!(summary.get(key).is_some(), "summary.json lacks `{key}`");
    }
    assert_eq!(summary["replicates"], 2);
    assert!(
        summary["metrics"]
            .as_object()
            .is_some_and(|m| !m.is_empty())
    );

    let scenario: toml::Table =
        toml::from_str(&String::from_utf8(read(&dir, "scenario.toml")).unwrap())
            .expect("scenario.toml is TOML");
    assert_eq!(scenario["name"].as_str(), Some("tiny"));
    let record: serde_json::Value =
        serde_json::from_slice(&read(&dir, "run.json")).expect("run.json is JSON");
    assert!(record["threads"].is_u64());
    // The exact code that made the output: version, commit and platform.
    for json in [&record, &summary] {
        assert_eq!(json["bureausim_version"], env!("CARGO_PKG_VERSION"));
        assert!(
            json["platform"].as_str().is_some_and(|p| !p.is_empty()),
            "{json}"
        );
        let commit = json["bureausim_commit"].as_str().unwrap();
        assert!(
            commit == "unknown" || commit.trim_end_matches("-dirty").len() == 40,
            "{commit}"
        );
    }
    // Rows say which run they are from, and the codebook names every column.
    assert!(timeseries.lines().nth(1).unwrap().starts_with("tiny,"));
    let codebook = String::from_utf8(read(&dir, "codebook.csv")).unwrap();
    for file in ["timeseries.csv", "grades.csv", "sectors.csv"] {
        let text = String::from_utf8(read(&dir, file)).unwrap();
        for column in text.lines().next().unwrap().split(',') {
            assert!(
                codebook.contains(&format!("\n{file},{column},")),
                "codebook.csv lacks {file}'s column {column}"
            );
        }
    }

    assert_eq!(
        entries(&sb.join("out")),
        ["tiny"],
        "no `.partial` folder may be left"
    );
}

#[test]
fn thread_count_does_not_change_results() {
    let sb = Sandbox::new();
    let file = sb.fixture("tiny.toml");
    let one = sb.run_ok(file, "one", &["--replicates", "4", "--threads", "1"]);
    let two = sb.run_ok(file, "two", &["--replicates", "4", "--threads", "2"]);
    for name in [
        "timeseries.csv",
        "grades.csv",
        "sectors.csv",
        "summary.json",
    ] {
        assert!(
            read(&one, name) == read(&two, name),
            "{name} differs between 1 and 2 threads"
        );
    }
}

#[test]
fn same_seed_repeats_other_seed_differs() {
    let sb = Sandbox::new();
    let file = sb.fixture("tiny.toml");
    let a = sb.run_ok(file, "a", &["--seed", "7"]);
    let b = sb.run_ok(file, "b", &["--seed", "7"]);
    let c = sb.run_ok(file, "c", &["--seed", "8"]);
    for name in ["timeseries.csv", "summary.json"] {
        assert!(
            read(&a, name) == read(&b, name),
            "{name} differs between two runs with seed 7"
        );
    }
    assert!(
        read(&a, "timeseries.csv") != read(&c, "timeseries.csv"),
        "seeds 7 and 8 gave the same time series"
    );
}

// ---------------------------------------------------------------------------
// `validate`: bad flags and existing reports.

#[test]
fn validate_without_a_library_names_the_folder() {
    let sb = Sandbox::new();
    let stderr = sb.bad_input(&["validate", "--scenarios", "nowhere"]);
    assert_mentions(&stderr, &["--scenarios nowhere", "pakistan_baseline.toml"]);
}

/// `validate --set sim.years=22` was accepted and recorded though every
/// check runs for its own window (a helper's audit, 2026-12-05).
#[test]
fn validate_refuses_a_set_of_what_it_sets_itself() {
    let sb = Sandbox::new();
    std::fs::create_dir(sb.join("lib")).unwrap();
    sb.write("lib/pakistan_baseline.toml", "");
    for (set, says) in [
        ("sim.years=22", "the years its window needs"),
        ("sim.replicates=3", "give --replicates"),
        ("sim={years=22}", "its own years"),
    ] {
        let stderr = sb.bad_input(&["validate", "--scenarios", "lib", "--set", set]);
        assert_mentions(&stderr, &[&format!("--set {set}"), says]);
    }
}

#[test]
fn validate_never_overwrites_a_report_without_force() {
    let sb = Sandbox::new();
    sb.write("report.md", "keep me");
    std::fs::create_dir(sb.join("lib")).unwrap();
    sb.write("lib/pakistan_baseline.toml", "");
    let stderr = sb.bad_input(&["validate", "--scenarios", "lib", "--out", "report.md"]);
    assert_mentions(&stderr, &["`report.md` already exists", "--force"]);
    assert_eq!(read(sb.path(), "report.md"), b"keep me");
}

/// `validate --out FILE --force` replaced any file, a scenario of the
/// library it reads among them (a users' audit, 2026-12-07): it replaces
/// only a validation report, and refuses anything else before running.
#[test]
fn validate_with_force_keeps_a_file_that_is_not_its_report() {
    let sb = Sandbox::new();
    std::fs::create_dir(sb.join("lib")).unwrap();
    sb.write(
        "lib/pakistan_baseline.toml",
        "name = \"pakistan_baseline\"\n",
    );
    let args = [
        "validate",
        "--scenarios",
        "lib",
        "--out",
        "lib/pakistan_baseline.toml",
        "--force",
    ];
    let stderr = sb.bad_input(&args);
    assert_mentions(
        &stderr,
        &[
            "--out lib/pakistan_baseline.toml",
            "is not a validation report bureausim wrote",
        ],
    );
    assert_eq!(
        read(sb.path(), "lib/pakistan_baseline.toml"),
        b"name = \"pakistan_baseline\"\n"
    );
    assert!(bureausim::output::validation::is_report(
        "# Validation\n\nGenerated by `bureausim validate` (bureausim 0.1.0).\n"
    ));
    assert!(!bureausim::output::validation::is_report(
        "# Validation\n\nMy own notes on validation.\n"
    ));
}

#[test]
fn expectations_are_checked_like_every_key() {
    let sb = Sandbox::new();
    let file = sb.tiny_with(
        "expect.toml",
        "[[reforms]]\nyear = 1\nset = { pay.level = 1.2 }\n\n[[expect]]\nmetric = \"eficiency\"\ndirection = \"higher\"\n",
    );
    let stderr = sb.bad_input(&["check", file]);
    assert_mentions(
        &stderr,
        &[
            "`expect[0].metric`",
            "\"eficiency\"",
            "`expect[0].direction`",
            "\"up\", \"down\"",
        ],
    );
}

// ---------------------------------------------------------------------------
// Calibration targets.

#[test]
fn calibrate_measures_a_scenario_against_its_targets_and_refuses_bad_ones() {
    let sb = Sandbox::new();
    let file = sb.fixture("tiny.toml");
    sb.write(
        "targets.toml",
        "name = \"tiny\"\n\
         [[target]]\nid = \"vacancy\"\nmetric = \"vacancy_rate\"\nfile = \"timeseries\"\nyears = [1, 2]\nobserved = 0.2\nsd = 0.05\nsource = \"test\"\nwhy = \"test\"\n\
         [[target]]\nid = \"promotions_18\"\nmetric = \"promotions_in\"\nfile = \"grades\"\ngrade = \"BPS-18\"\nyears = [1, 2]\ninterval = [0, 1000]\nsource = \"test\"\nwhy = \"test\"\n",
    );
    let measure = [
        "calibrate",
        file,
        "--targets",
        "targets.toml",
        "--out",
        "fit.csv",
    ];
    let stdout = sb.stdout_ok(&measure);
    assert_mentions(
        &stdout,
        &[
            "vacancy",
            "0.2 ± 0.05",
            "promotions_18",
            "[0, 1000]",
            "wrote fit.csv",
        ],
    );
    let csv = read(&sb.join("."), "fit.csv");
    let text = String::from_utf8(csv).unwrap();
    assert!(
        text.starts_with(
            "target,observed,observed_value,observed_sd,interval_low,interval_high,model,"
        ),
        "{text}"
    );
    // The observation as numbers as well as in words.
    assert!(text.contains("vacancy,0.2 ± 0.05,0.2,0.05,,,"), "{text}");
    assert!(
        text.contains("promotions_18,\"[0, 1000]\",,,0,1000,"),
        "{text}"
    );
    assert_eq!(text.lines().count(), 3);
    // Its record says what made it (a reproducibility audit: the table
    // alone named no build, seed, replicates, years or override).
    let record: serde_json::Value =
        serde_json::from_slice(&read(&sb.join("."), "fit.json")).expect("the record");
    let targets = std::fs::read(sb.join("targets.toml")).unwrap();
    use sha2::Digest;
    let sha: String = sha2::Sha256::digest(&targets)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(record["targets_sha256"], sha.as_str());
    assert_eq!(record["table"], "fit.csv");
    assert_eq!(record["bureausim_commit"], bureausim::version::COMMIT);
    let scn =
        bureausim::scenario::Scenario::from_toml(record["scenario"].as_str().unwrap(), "record")
            .expect("the record's scenario loads");
    assert_eq!(record["seed"], scn.sim.seed);
    assert_eq!(record["replicates"], scn.sim.replicates);
    assert!(
        record["command"].as_str().unwrap().starts_with(&format!(
            "bureausim calibrate {file} --targets targets.toml"
        )),
        "{record}"
    );
    assert_mentions(&stdout, &["its record, fit.json"]);
    // The table is not overwritten without --force, nor its record.
    std::fs::remove_file(sb.join("fit.csv")).unwrap();
    let e = sb.bad_input(&measure);
    assert_mentions(&e, &["fit.json", "--force"]);
    assert!(!sb.join("fit.csv").exists());
    sb.stdout_ok(&[&measure[..], &["--force"]].concat());
    let e = sb.bad_input(&measure);
    assert_mentions(&e, &["fit.csv", "--force"]);
    // --force replaces only a table and a record bureausim wrote: a user's
    // scenario or note in their place is kept (a users' audit, 2026-12-07:
    // both were replaced).
    sb.write("mine.toml", "name = \"mine\"\n");
    let mine = [
        "calibrate",
        file,
        "--targets",
        "targets.toml",
        "--out",
        "mine.toml",
        "--force",
    ];
    let e = sb.bad_input(&mine);
    assert_mentions(
        &e,
        &[
            "--out mine.toml",
            "is not a calibration table bureausim wrote",
            "kept",
        ],
    );
    assert_eq!(read(&sb.join("."), "mine.toml"), b"name = \"mine\"\n");
    std::fs::remove_file(sb.join("mine.toml")).unwrap();
    sb.write("mine.toml.json", "my notes");
    let e = sb.bad_input(&mine);
    assert_mentions(
        &e,
        &[
            "mine.toml.json",
            "is not a calibration record bureausim wrote",
        ],
    );
    assert_eq!(read(&sb.join("."), "mine.toml.json"), b"my notes");
    assert!(!sb.join("mine.toml").exists());
    // A target naming a column that does not exist, and no uncertainty.
    sb.write(
        "bad.toml",
        "name = \"bad\"\n[[target]]\nid = \"x\"\nmetric = \"vacancies\"\nfile = \"timeseries\"\nyears = [1, 2]\nobserved = 1\nsource = \"s\"\nwhy = \"w\"\n",
    );
    let e = sb.bad_input(&[
        "calibrate",
        file,
        "--targets",
        "bad.toml",
        "--out",
        "f2.csv",
    ]);
    assert_mentions(
        &e,
        &[
            "`bad.toml`",
            "target[0] (`x`)",
            "`vacancies` is not a column of timeseries.csv",
            "positive `sd`",
        ],
    );
    assert!(!sb.join("f2.csv").exists());
}

/// A value the file gave, refused by the scenario's checks, names the
/// file's line, as a wrong type does; a reform's value names the reform's
/// entry; a key the file does not set names none.
#[test]
fn a_refused_value_names_its_line() {
    let sb = Sandbox::new();
    sb.write(
        "lines.toml",
        "name = \"lines\"\n\n[accountability]\ndetection_rate = -3.0\n\n[[reforms]]\nyear = 2\nset = { \"pay.compression\" = 0.5 }\n",
    );
    let e = sb.bad_input(&["check", "lines.toml"]);
    assert_mentions(
        &e,
        &[
            "line 4: `accountability.detection_rate` must be in [0, 12], got -3",
            "line 8: after the reforms: `pay.compression` must be in [1, 100], got 0.5",
        ],
    );
    let e = sb.bad_input(&[
        "check",
        "lines.toml",
        "--set",
        "accountability.detection_rate=-1",
    ]);
    assert!(!e.contains("line 4:"), "{e}");
}

/// A value a `--set` gave, refused by the scenario's checks, is named as
/// the override's, not the file's (the file does not hold it).
#[test]
fn a_refused_override_is_named_as_the_override() {
    let sb = Sandbox::new();
    let file = sb.fixture("tiny.toml");
    let e = sb.bad_input(&["run", file, "--set", "politics.interference=2"]);
    assert_mentions(
        &e,
        &[
            "`politics.interference` must be in [0, 1], got 2",
            "(the value of the override `politics.interference=2`, not of the file)",
        ],
    );
    // A problem about another key that only quotes the override's as a
    // bound is not the override's: the reform's year is the file's.
    let demo = format!(
        "{}/scenarios/teaching/political_transfers.toml",
        env!("CARGO_MANIFEST_DIR")
    );
    let e = sb.bad_input(&["run", &demo, "--years", "3"]);
    assert_mentions(&e, &["`reforms[0].year` must be"]);
    assert!(!e.contains("the value of the override"), "{e}");
}

/// Replicate k of two arms that differ in policy lives through the same
/// changes of government and the same board sittings (common random
/// numbers): the election and board calendars draw from streams of their
/// own. On the events' stream, an arm that moved more officers drew its
/// elections from other numbers, and the arms' political histories parted.
#[test]
fn arms_share_their_elections_and_board_sittings() {
    let sb = Sandbox::new();
    let file = sb.fixture("tiny.toml");
    let common = [
        "--years",
        "30",
        "--replicates",
        "6",
        "--set",
        "politics.change_probability=0.5",
    ];
    let a = sb.run_ok(file, "a", &common);
    let moved = [
        "--set",
        "postings.political_transfer_rate=3",
        "--set",
        "postings.tenure_months=12",
    ];
    let b = sb.run_ok(file, "b", &[&common[..], &moved[..]].concat());
    let column = |dir: &std::path::Path, name: &str| -> Vec<String> {
        let mut r = csv::Reader::from_path(dir.join("timeseries.csv")).unwrap();
        let i = r.headers().unwrap().iter().position(|h| h == name).unwrap();
        r.records().map(|x| x.unwrap()[i].to_string()).collect()
    };
    for name in ["government_changes", "boards_held"] {
        assert_eq!(column(&a, name), column(&b, name), "{name}");
    }
    // The arms did differ, and elections did change governments.
    assert_ne!(
        column(&a, "transfers_political"),
        column(&b, "transfers_political")
    );
    assert!(column(&a, "government_changes").iter().any(|g| g != "0"));
}

/// The run's summary leaves out a headline metric whose mechanism the
/// scenario switches off (a constant 0 % corruption is no result) and says
/// so, naming the switch; with the mechanism on, the line is there.
#[test]
fn a_summary_names_the_headline_metrics_a_scenario_switches_off() {
    let sb = Sandbox::new();
    let file = sb.fixture("tiny.toml");
    let on = sb.stdout_ok(&["run", file, "--no-plots", "--out", "on"]);
    assert!(
        on.contains("(corruption_prevalence)") && !on.contains("Not shown"),
        "{on}"
    );
    let off = sb.stdout_ok(&[
        "run",
        file,
        "--no-plots",
        "--out",
        "off",
        "--set",
        "corruption.enabled=false",
        "--set",
        "pay.morale=false",
    ]);
    assert!(
        !off.contains("(corruption_prevalence)") && !off.contains("(morale)"),
        "{off}"
    );
    assert_mentions(
        &off,
        &[
            "Not shown, their mechanisms are off in this scenario",
            "`corruption.enabled = false`",
            "`pay.morale = false`",
        ],
    );
}

/// A zero is written "0", never "-0" (an output consumer's audit: the
/// classic model's pension bill, 0 throughout, was "-0" in timeseries.csv
/// and -0.0 in summary.json).
#[test]
fn no_negative_zero_is_written() {
    let sb = Sandbox::new();
    let peter = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios/classics/peter_principle.toml");
    sb.cmd()
        .arg("run")
        .arg(&peter)
        .args([
            "--set",
            "sim.years=20",
            "--replicates",
            "1",
            "--no-plots",
            "--out",
            "p",
        ])
        .assert()
        .success();
    let series = std::fs::read_to_string(sb.join("p/timeseries.csv")).unwrap();
    let head: Vec<&str> = series.lines().next().unwrap().split(',').collect();
    let bill = head.iter().position(|h| *h == "pension_bill").unwrap();
    let cells: Vec<&str> = series
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(bill).unwrap())
        .collect();
    assert!(cells.iter().all(|c| *c == "0"), "{cells:?}");
    assert!(!series.split([',', '\n']).any(|c| c == "-0"));
    let summary = std::fs::read_to_string(sb.join("p/summary.json")).unwrap();
    assert!(
        !summary.contains("-0.0,") && !summary.contains("-0.0\n"),
        "a -0.0 in summary.json"
    );
}

/// A run says what its scenario is for and what its `--set` changed, in
/// the terminal and under its figures: two runs of the classic model with
/// another `promotion.rule` were told apart by nothing but their lines
/// (an instructor's audit, 2026-12-07). The run's own settings (`sim.*`)
/// are not named: the summary and the axes show them.
#[test]
fn a_run_names_its_scenario_s_purpose_and_its_overrides() {
    let sb = Sandbox::new();
    sb.write(
        "about.toml",
        &format!(
            "description = \"A tiny service to show a pay rise.\"\n{}",
            common::fixture_text("tiny.toml")
        ),
    );
    let file = "about.toml";
    let stdout = sb.stdout_ok(&[
        "run",
        file,
        "--no-plots",
        "--set",
        "pay.level=1.2",
        "--set",
        "sim.years=3",
        "--out",
        "r",
    ]);
    assert_mentions(
        &stdout,
        &["tiny: A tiny service to show a pay rise. (run with --set pay.level=1.2)"],
    );
    assert!(!stdout.contains("--set sim.years"), "{stdout}");
}

/// A reform past a shortened run names the way out (an instructor's
/// audit, 2026-12-07), and no way out when the steps a year are wrong
/// themselves: the hint divided by them and panicked (a review).
#[test]
fn a_reform_past_the_run_s_end_names_the_years_it_needs() {
    let sb = Sandbox::new();
    let file = sb.tiny_with(
        "late.toml",
        "[[reforms]]\nyear = 5\nset = { \"pay.level\" = 1.2 }\n",
    );
    let e = sb.bad_input(&["check", file]);
    assert_mentions(
        &e,
        &[
            "`reforms[0].year` must be at least 0 and below `sim.years` (2), got 5",
            "to keep the reform, run at least 6 years; to run without the reforms, --set 'reforms=[]'",
        ],
    );
    for spy in ["0", "5"] {
        let e = sb.bad_input(&["check", file, "--set", &format!("sim.steps_per_year={spy}")]);
        assert_mentions(&e, &["`sim.steps_per_year`"]);
    }
}

/// An instructor's audit (2026-12-07): an empty grade list was followed by
/// one error per training course, each ending "(grades: )"; and a negative
/// report year got clap's "unexpected argument '-1'" instead of ours.
#[test]
fn one_error_for_an_empty_grade_list_and_ours_for_a_negative_year() {
    let sb = Sandbox::new();
    sb.write("empty.toml", "name = \"empty\"\n[structure]\ngrades = []\n");
    let e = sb.bad_input(&["check", "empty.toml"]);
    assert!(
        e.contains("`structure.grades` must list 1 to 64 grades, got 0"),
        "{e}"
    );
    assert!(
        !e.contains("(grades: )") && !e.contains("training.courses"),
        "{e}"
    );
    // A file's own grades under the defaults' three courses: one error that
    // names them and the way out, not one per course.
    sb.write(
        "own.toml",
        "name = \"own\"\n[[structure.grades]]\nname = \"A\"\nposts = 10\nentry = true\n",
    );
    let e = sb.bad_input(&["check", "own.toml"]);
    assert!(
        e.contains(
            "`training.courses` lists 3 courses of grades not in `structure.grades` (grades: A)"
        ) && e.contains("`training.courses = []`"),
        "{e}"
    );
    assert_eq!(e.matches("\n  - ").count(), 1, "{e}");
    let tiny = sb.fixture("tiny.toml");
    let e = sb.bad_input(&["compare", tiny, tiny, "--at", "-1"]);
    assert!(
        e.contains("--at -1") && e.contains("`-1` is negative"),
        "{e}"
    );
}
