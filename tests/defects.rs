//! One test (or more) for each defect of issue 12 that the command line
//! shows, named by the item's number: wrong results a user could not see,
//! data a flag could delete, inputs without bounds and unclear messages.
//! Each failed before its fix. Items 1 and 14 (`serve`) are pinned in
//! tests/serve.rs and tests/browser.rs; item 6 (the tenure plot) in
//! `output::figures::tests`.

// Not every helper of the shared CLI test module is used here.
#[allow(dead_code)]
mod common;

use std::fs;
use std::path::Path;
use std::process::{Command as Proc, Stdio};
use std::time::{Duration, Instant};

use bureausim::scenario::Scenario;
use common::{Sandbox, assert_mentions, entries, read};

fn teaching(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios/teaching")
        .join(name)
        .display()
        .to_string()
}

/// A hang guard, not a speed claim: every command here finishes in well
/// under a second or two, and one that meant to refuse at once but
/// simulated, or that drew 5,000,000 applicants a pool, or re-applied
/// 10,000 `set` entries for every prefix, ran for minutes. Speed itself is
/// measured in benches/ and BENCHMARKS.md.
const HANG_GUARD: Duration = Duration::from_secs(60);

/// Runs `args` under the hang guard; returns its output and its stderr
/// normalised.
fn output(sb: &Sandbox, args: &[&str]) -> (std::process::Output, String) {
    let out = sb
        .cmd()
        .args(args)
        .timeout(HANG_GUARD)
        .output()
        .expect("runs within the hang guard");
    let stderr = sb.normalise(&out.stderr);
    (out, stderr)
}

/// `slow.toml`: the tiny fixture over 3,000 years, a run long enough to be
/// killed midway.
fn slow_tiny(sb: &Sandbox) -> &'static str {
    let file = sb.tiny_with("slow.toml", "");
    let text = fs::read_to_string(sb.join(file))
        .unwrap()
        .replace("years = 2", "years = 3000");
    sb.write(file, &text);
    file
}

/// Starts `args` in the sandbox, its output discarded, to be killed.
fn spawn_quiet(sb: &Sandbox, args: &[&str]) -> std::process::Child {
    let bin = assert_cmd::cargo::cargo_bin("bureausim");
    Proc::new(&bin)
        .current_dir(sb.path())
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// The names in the sandbox that begin with `prefix`.
fn named_from(sb: &Sandbox, prefix: &str) -> Vec<String> {
    entries(sb.path())
        .into_iter()
        .filter(|n| n.starts_with(prefix))
        .collect()
}

/// Runs `args`, expecting success; returns stdout and stderr.
fn ok(sb: &Sandbox, args: &[&str]) -> (String, String) {
    let (out, stderr) = output(sb, args);
    assert!(out.status.success(), "{args:?} failed:\n{stderr}");
    (String::from_utf8(out.stdout).expect("utf-8"), stderr)
}

/// Runs `args`, expecting exit code 2; returns the whole stderr.
fn refused(sb: &Sandbox, args: &[&str]) -> String {
    let (out, stderr) = output(sb, args);
    assert_eq!(out.status.code(), Some(2), "{args:?}:\n{stderr}");
    assert!(stderr.contains("error: "), "{stderr}");
    stderr
}

/// The rows of a CSV file as maps from column to value.
fn csv_rows(path: &Path) -> Vec<std::collections::BTreeMap<String, String>> {
    let mut r = csv::Reader::from_path(path).expect("csv");
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

/// A teaching scenario with a year-3 reform of pay and tenure.
fn with_reform(sb: &Sandbox) -> &'static str {
    let text = fs::read_to_string(teaching("rotation_and_collusion.toml")).unwrap();
    let cut = text.find("[[reforms]]").expect("the demo has a reform");
    sb.write(
        "my.toml",
        &format!(
            "{}[[reforms]]\nyear = 3\nlabel = \"pay and tenure\"\nset = {{ \"pay.level\" = 1.2, postings = {{ tenure_months = 24 }} }}\n",
            &text[..cut]
        ),
    );
    "my.toml"
}

// ---------------------------------------------------------------------------
// 2. A swept key that a reform sets was overwritten without a word.

#[test]
fn d02_varying_a_key_a_reform_overwrites_is_refused_naming_the_reform() {
    let sb = Sandbox::new();
    let s = with_reform(&sb);
    let e = refused(
        &sb,
        &[
            "sweep",
            s,
            "--vary",
            "pay.level=1.0,1.4",
            "--vary",
            "postings.tenure_months=24,36",
            "--years",
            "4",
        ],
    );
    assert_mentions(
        &e,
        &[
            "--vary pay.level",
            "\"pay and tenure\" (reforms[0], year 3)",
            "sets `pay.level`",
            "vary `reforms[0].set.pay.level`",
        ],
    );
    let e = refused(
        &sb,
        &[
            "sensitivity",
            s,
            "--param",
            "postings.tenure_months=12:48",
            "--param",
            "politics.interference=0:1",
            "--years",
            "4",
        ],
    );
    assert_mentions(
        &e,
        &[
            "--param postings.tenure_months",
            "sets `postings.tenure_months`",
        ],
    );
    sb.write(
        "exp.toml",
        "kind = \"sweep\"\nscenario = \"my.toml\"\nyears = 4\nvary = [\"pay.level=1.0,1.4\"]\n",
    );
    let e = refused(&sb, &["experiment", "exp.toml"]);
    assert_mentions(&e, &["experiment file `exp.toml`", "sets `pay.level`"]);
    // The documented way: vary what the reform sets. The two points differ
    // after the reform and not before it.
    let (out, _) = ok(
        &sb,
        &[
            "sweep",
            s,
            "--vary",
            "reforms[0].set.postings.tenure_months=12,48",
            "--years",
            "6",
            "--replicates",
            "1",
            "--no-plots",
            "--at",
            "2,6",
            "--metrics",
            "nominal_tenure_months",
        ],
    );
    assert_mentions(&out, &["reforms[0].set.postings.tenure_months"]);
    let rows = csv_rows(&sb.join("outputs/sweep_my_tenure_months/points.csv"));
    let at = |point: &str, year: &str| -> f64 {
        rows.iter()
            .find(|r| {
                r["point"] == point && r["year"] == year && r["metric"] == "nominal_tenure_months"
            })
            .unwrap()["mean"]
            .parse()
            .unwrap()
    };
    assert_eq!((at("0", "2"), at("1", "2")), (60.0, 60.0));
    assert_eq!((at("0", "6"), at("1", "6")), (12.0, 48.0));
}

// ---------------------------------------------------------------------------
// 3. Keys that must sum to 1 could not be varied.

#[test]
fn d03_a_share_of_a_group_that_sums_to_one_is_varied_with_its_group() {
    let sb = Sandbox::new();
    let file = sb.fixture("tiny.toml");
    let (out, _) = ok(
        &sb,
        &[
            "sweep",
            file,
            "--vary",
            "recruitment.merit_share=0.07,0.5",
            "--replicates",
            "1",
            "--no-plots",
            "--out",
            "linked",
        ],
    );
    assert_mentions(&out, &["recruitment.quota_share"]);
    let rows = csv_rows(&sb.join("linked/points.csv"));
    let quota = |point: &str| -> String {
        rows.iter().find(|r| r["point"] == point).unwrap()["recruitment.quota_share"].clone()
    };
    // Quota seats take what merit leaves; patronage keeps its 0.10.
    assert_eq!((quota("0"), quota("1")), ("0.83".into(), "0.4".into()));
    // Within a reform: the reform's own quota share takes up the change.
    let demo = teaching("merit_vs_patronage.toml");
    let (out, _) = ok(
        &sb,
        &[
            "sweep",
            &demo,
            "--vary",
            "reforms[0].set.recruitment.merit_share=0.1,0.3",
            "--replicates",
            "1",
            "--years",
            "6",
            "--no-plots",
            "--out",
            "inreform",
        ],
    );
    assert_mentions(&out, &["reforms[0].set.recruitment.quota_share"]);
    // Without regions, quota seats cannot be filled: patronage gives way.
    let peter = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios/classics/peter_principle.toml")
        .display()
        .to_string();
    ok(
        &sb,
        &[
            "sweep",
            &peter,
            "--vary",
            "recruitment.patronage_share=0,0.2",
            "--replicates",
            "1",
            "--years",
            "2",
            "--no-plots",
            "--out",
            "peter",
        ],
    );
    let e = refused(
        &sb,
        &["sweep", file, "--vary", "recruitment.merit_share=0.07,0.95"],
    );
    assert_mentions(
        &e,
        &[
            "the value `0.95` is not allowed",
            "leaves -0.05 for `recruitment.quota_share`",
        ],
    );
}

#[test]
fn d03_design_points_from_a_salib_or_ema_workbench_file_run_as_they_are() {
    let sb = Sandbox::new();
    let file = sb.fixture("tiny.toml");
    // EMA Workbench's experiments, saved by pandas: an index column and
    // the scenario, policy and model bookkeeping columns.
    sb.write(
        "ema.csv",
        ",politics.interference,postings.tenure_months,scenario,policy,model\n0,0.1,24,0,None,bureausim\n1,0.8,48.0,1,None,bureausim\n",
    );
    // numpy.savetxt with a header: space-separated, `# ` before the names.
    sb.write(
        "salib.txt",
        "# politics.interference postings.tenure_months\n1.000000e-01 2.400000e+01\n8.000000e-01 4.800000e+01\n",
    );
    // A spreadsheet's "CSV UTF-8": a byte-order mark and CR LF line ends
    // (the mark was read as part of the first key; a users' audit,
    // 2026-12-07).
    sb.write(
        "excel.csv",
        "\u{feff}politics.interference,postings.tenure_months\r\n0.1,24\r\n0.8,48\r\n",
    );
    let mut results = Vec::new();
    for (design, out) in [("ema.csv", "a"), ("salib.txt", "b"), ("excel.csv", "c")] {
        ok(
            &sb,
            &[
                "sweep",
                file,
                "--design",
                design,
                "--replicates",
                "2",
                "--no-plots",
                "--out",
                out,
            ],
        );
        results.push(String::from_utf8(read(&sb.join(out), "points.csv")).unwrap());
        let rows = csv_rows(&sb.join(out).join("points.csv"));
        assert_eq!(rows[0]["postings.tenure_months"], "24.0");
    }
    assert!(
        results[0] == results[1] && results[1] == results[2],
        "the same points give the same results"
    );
    // The design is kept in the manifest: the file may go, a rerun resumes.
    fs::remove_file(sb.join("ema.csv")).unwrap();
    let e = refused(&sb, &["sweep", file, "--design", "ema.csv", "--out", "a"]);
    assert_mentions(&e, &["--design ema.csv: cannot read it"]);
    sb.write("frac.csv", "postings.sample\n2.5\n");
    let e = refused(&sb, &["sweep", file, "--design", "frac.csv"]);
    assert_mentions(&e, &["frac.csv line 2", "takes whole numbers, got 2.5"]);
    sb.write("short.csv", "politics.interference,pay.level\n0.3\n");
    let e = refused(&sb, &["sweep", file, "--design", "short.csv"]);
    assert_mentions(&e, &["line 2 has 1 value(s), the header 2 column(s)"]);
    // A value with a terminal escape (it was printed raw in the sweep table).
    sb.write(
        "esc.csv",
        "politics.interference,description\n0.3,\u{1b}[2Jx\n",
    );
    let e = refused(&sb, &["sweep", file, "--design", "esc.csv"]);
    assert_mentions(
        &e,
        &["line 2: the value of `description` holds a control character"],
    );
}

// ---------------------------------------------------------------------------
// 4. merge and resume accepted tampered run data.

#[test]
fn d04_merge_and_resume_refuse_tampered_swapped_and_foreign_run_files() {
    let sb = Sandbox::new();
    let s = teaching("political_transfers.toml");
    let sweep = |seed: &str, shard: &str, out: &str| {
        ok(
            &sb,
            &[
                "sweep",
                &s,
                "--vary",
                "reforms[0].set.politics.interference=0.2,0.8",
                "--replicates",
                "3",
                "--years",
                "6",
                "--seed",
                seed,
                "--shard",
                shard,
                "--out",
                out,
            ],
        );
    };
    sweep("1", "1/2", "s1");
    sweep("1", "2/2", "s2");
    sweep("2", "1/2", "other");
    let run = |dir: &str, j: usize| sb.join(dir).join(format!("runs/run-{j:07}.csv"));
    let merge = || refused(&sb, &["merge", "s1", "s2", "--out", "m", "--no-plots"]);
    let pristine = fs::read(run("s1", 4)).unwrap();

    // A number changed.
    let text = String::from_utf8(pristine.clone()).unwrap();
    let last = text.trim_end().rsplit(',').next().unwrap().to_string();
    let changed = format!("{}9\n", text.trim_end());
    assert_ne!(last, "9");
    fs::write(run("s1", 4), changed).unwrap();
    assert_mentions(
        &merge(),
        &["run-0000004.csv", "does not match its checksum"],
    );
    // Resume refuses it too, and says what to do.
    let e = refused(
        &sb,
        &[
            "sweep",
            &s,
            "--vary",
            "reforms[0].set.politics.interference=0.2,0.8",
            "--replicates",
            "3",
            "--years",
            "6",
            "--seed",
            "1",
            "--shard",
            "1/2",
            "--out",
            "s1",
        ],
    );
    assert_mentions(&e, &["run-0000004.csv", "remove that file"]);
    fs::write(run("s1", 4), &pristine).unwrap();

    // Two run files swapped.
    let two = fs::read(run("s1", 2)).unwrap();
    fs::write(run("s1", 2), &pristine).unwrap();
    fs::write(run("s1", 4), &two).unwrap();
    assert_mentions(
        &merge(),
        &["run-0000002.csv", "holds run 4", "renamed or swapped"],
    );
    fs::write(run("s1", 2), &two).unwrap();
    fs::write(run("s1", 4), &pristine).unwrap();

    // A run file from the same sweep with another seed.
    fs::copy(run("other", 4), run("s1", 4)).unwrap();
    assert_mentions(
        &merge(),
        &["run-0000004.csv", "belongs to another experiment", "seed 2"],
    );
    fs::write(run("s1", 4), &pristine).unwrap();
    // Line ends converted by a transfer (CR LF, a newline added at the end)
    // leave the data as they were: accepted.
    let crlf = String::from_utf8(pristine.clone())
        .unwrap()
        .replace('\n', "\r\n")
        + "\r\n";
    fs::write(run("s1", 4), crlf).unwrap();
    ok(&sb, &["merge", "s1", "s2", "--out", "m", "--no-plots"]);
    // A folder of an earlier build (no record in its run files) is refused
    // at its manifest, saying why.
    let manifest = sb.join("s2/experiment.json");
    let text = fs::read_to_string(&manifest).unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v.as_object_mut().unwrap().remove("run_format");
    fs::write(&manifest, serde_json::to_string(&v).unwrap()).unwrap();
    let e = refused(&sb, &["merge", "s1", "s2", "--out", "m2", "--no-plots"]);
    assert_mentions(&e, &["`s2` was started by an earlier build", "no checksum"]);
}

// ---------------------------------------------------------------------------
// 5. --set dropped a second line; malformed paths were accepted.

#[test]
fn d05_a_set_value_with_a_line_break_and_malformed_paths_are_refused() {
    let sb = Sandbox::new();
    let file = sb.fixture("tiny.toml");
    let e = refused(
        &sb,
        &[
            "check",
            file,
            "--set",
            "politics.interference=0.5\nsim.years=3",
        ],
    );
    assert_mentions(
        &e,
        &[
            "line break",
            "(`sim.years=3`) would be lost",
            "its own --set",
        ],
    );
    for (path, fault) in [
        ("structure.grades[0.posts", "`[` not closed"),
        ("grades[[0]]", "not followed by a whole number"),
        ("structure..grades", "empty name between two dots"),
    ] {
        let e = refused(&sb, &["check", file, "--set", &format!("{path}=3")]);
        assert_mentions(&e, &[&format!("`{path}` is not a key path"), fault]);
    }
}

// ---------------------------------------------------------------------------
// 7. --force deleted folders bureausim did not write.

#[test]
fn d07_force_never_replaces_a_folder_bureausim_did_not_write() {
    let sb = Sandbox::new();
    let file = sb.fixture("tiny.toml");
    let precious = sb.join("thesis");
    fs::create_dir_all(&precious).unwrap();
    fs::write(precious.join("chapter1.tex"), "years of work").unwrap();
    let e = refused(&sb, &["run", file, "--out", "thesis", "--force"]);
    assert_mentions(&e, &["`thesis` exists and was not written by bureausim"]);
    // merge, likewise.
    let s = teaching("political_transfers.toml");
    ok(
        &sb,
        &[
            "compare",
            &s,
            &s,
            "--replicates",
            "1",
            "--years",
            "6",
            "--shard",
            "1/1",
            "--out",
            "shard",
        ],
    );
    let e = refused(&sb, &["merge", "shard", "--out", "thesis", "--force"]);
    assert_mentions(&e, &["`thesis` exists and was not written by bureausim"]);
    assert_eq!(read(&precious, "chapter1.tex"), b"years of work");
    // A folder bureausim wrote is replaced.
    ok(&sb, &["run", file, "--no-plots", "--out", "mine"]);
    ok(
        &sb,
        &["run", file, "--no-plots", "--out", "mine", "--force"],
    );
}

#[test]
fn d07_a_hostile_scenario_name_cannot_reach_another_folder() {
    let sb = Sandbox::new();
    let victim = sb.join("victim");
    fs::create_dir_all(&victim).unwrap();
    fs::write(victim.join("data.txt"), "precious").unwrap();
    for name in [
        victim.display().to_string(),
        "../victim".into(),
        "..".into(),
    ] {
        sb.tiny_with("hostile.toml", "");
        let text = fs::read_to_string(sb.join("hostile.toml"))
            .unwrap()
            .replace("name = \"tiny\"", &format!("name = {name:?}"));
        sb.write("hostile.toml", &text);
        fs::create_dir_all(sb.join("outputs")).unwrap();
        let e = refused(&sb, &["run", "hostile.toml", "--force"]);
        assert_mentions(&e, &["`name` is", "a plain folder name"]);
        assert_eq!(read(&victim, "data.txt"), b"precious", "{name}");
    }
    assert_eq!(entries(&sb.join("outputs")), Vec::<String>::new());
}

// ---------------------------------------------------------------------------
// 8. A non-UTF-8 path panicked after the whole simulation.

#[cfg(unix)]
#[test]
fn d08_paths_that_are_not_utf8_are_handled_not_panicked_on() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    let sb = Sandbox::new();
    let file = sb.fixture("tiny.toml");
    let out = OsStr::from_bytes(b"caf\xe9");
    let o = sb
        .cmd()
        .args(["run", file, "--no-plots", "--out"])
        .arg(out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(sb.path().join(out).join("timeseries.csv").is_file());
    // A comparison of scenario files whose names are not UTF-8.
    let odd = sb.path().join(OsStr::from_bytes(b"s\xe9.toml"));
    fs::copy(sb.join(file), &odd).unwrap();
    let o = sb
        .cmd()
        .arg("compare")
        .args([&odd, &odd])
        .args(["--replicates", "1", "--no-plots", "--out", "cmp"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(sb.join("cmp/summary.json").is_file());
}

// ---------------------------------------------------------------------------
// 9. --out FILE --force failed after the run and blocked later runs.

#[test]
fn d09_an_impossible_out_is_refused_before_the_run() {
    let sb = Sandbox::new();
    let file = sb.fixture("tiny.toml");
    sb.write("results", "a file, not a folder");
    for out in ["results", "results/sub", "/"] {
        let e = refused(&sb, &["run", file, "--out", out, "--force"]);
        assert_mentions(&e, &[&format!("--out {out}:")]);
        assert!(!e.contains("bureausim 0."), "refused before the run: {e}");
    }
    assert_eq!(read(sb.path(), "results"), b"a file, not a folder");
    assert_eq!(
        entries(sb.path()),
        ["results", "tiny.toml"],
        "nothing left behind"
    );
}

// ---------------------------------------------------------------------------
// 10. Killed runs left .NAME.partial-PID folders forever.

#[test]
fn d10_a_killed_runs_partial_folder_is_removed_by_the_next_run_there() {
    let sb = Sandbox::new();
    sb.fixture("tiny.toml");
    let file = slow_tiny(&sb);
    let mut child = spawn_quiet(&sb, &["run", file, "--no-plots", "--out", "res"]);
    let partial = || named_from(&sb, ".res.partial-");
    // Wait for the folder and its marker (which says who wrote it): under
    // load a kill between the two left a folder no one can claim, and the
    // test failed although the clean-up did what it should.
    let marked = || {
        partial()
            .first()
            .is_some_and(|p| sb.join(p).join(".bureausim-output").exists())
    };
    let t = Instant::now();
    while !marked() && t.elapsed() < Duration::from_secs(30) {
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().unwrap(); // SIGKILL: nothing of the run's own can clean up.
    child.wait().unwrap();
    let left = partial();
    assert_eq!(left.len(), 1, "the killed run left its folder: {left:?}");
    let (_, stderr) = ok(&sb, &["run", "tiny.toml", "--no-plots", "--out", "res"]);
    assert!(partial().is_empty(), "{:?}", entries(sb.path()));
    assert_mentions(
        &stderr,
        &[&format!("removed `./{}`", left[0]), "interrupted bureausim"],
    );
}

// ---------------------------------------------------------------------------
// 11. --threads 100000 kept spawning threads.

#[test]
fn d11_more_threads_than_cores_are_lowered_to_the_cores() {
    let sb = Sandbox::new();
    let file = sb.fixture("tiny.toml");
    let (_, stderr) = ok(
        &sb,
        &[
            "run",
            file,
            "--no-plots",
            "--out",
            "o",
            "--threads",
            "100000",
        ],
    );
    assert_mentions(
        &stderr,
        &["--threads 100000 is more than this machine's", "using"],
    );
    let run: serde_json::Value = serde_json::from_slice(&read(&sb.join("o"), "run.json")).unwrap();
    let cores = std::thread::available_parallelism().unwrap().get() as u64;
    assert_eq!(run["threads"].as_u64(), Some(cores));
}

// ---------------------------------------------------------------------------
// 12. Runs that passed `check` aborted partway for want of memory.

#[test]
fn d12_a_run_too_large_for_the_memory_is_refused_with_its_numbers() {
    let sb = Sandbox::new();
    sb.write(
        "long.toml",
        "name = \"long\"\n[sim]\nyears = 5000\nreplicates = 200\nwarmup_years = 0\n[training]\ncourses = []\n[[structure.grades]]\nname = \"BPS-17\"\nposts = 1\nentry = true\n",
    );
    let e = refused(&sb, &["run", "long.toml", "--max-memory", "0.25"]);
    assert_mentions(
        &e,
        &[
            "1 posts, 1 officers × 5000 years × 200 replicates",
            "needs about 2.5 GiB",
            "--max-memory 0.25",
            "pass --max-memory 4",
        ],
    );
    // A large grade, refused by the machine's own memory (no flag), before
    // anything is allocated.
    sb.write(
        "huge.toml",
        "name = \"huge\"\n[sim]\nreplicates = 100\n[training]\ncourses = []\n[[structure.grades]]\nname = \"BPS-17\"\nposts = 50000000\nentry = true\n",
    );
    let e = refused(
        &sb,
        &["run", "huge.toml", "--threads", "1", "--max-memory", "4"],
    );
    assert_mentions(&e, &["50000000 posts", "GiB of memory"]);
    assert!(!sb.join("outputs").exists());
}

#[test]
fn d12_sensitivity_and_compare_have_a_run_cap_like_sweep() {
    let sb = Sandbox::new();
    let s = teaching("political_transfers.toml");
    let e = refused(
        &sb,
        &[
            "sensitivity",
            &s,
            "--method",
            "sobol",
            "--samples",
            "1000000",
            "--param",
            "pay.level=1:2",
            "--param",
            "exits.retirement_age=58:62",
        ],
    );
    assert_mentions(
        &e,
        &[
            "4000000 points × 2 replicates; at most 1000000 runs",
            "--samples",
        ],
    );
}

// ---------------------------------------------------------------------------
// 13. Extreme attractiveness drew 5,000,000 applicants a pool and clipped
// abilities without a word.

#[test]
fn d13_extreme_applicant_pools_run_quickly_and_their_clipping_is_reported() {
    let sb = Sandbox::new();
    let file = sb.fixture("tiny.toml");
    for sets in [
        vec!["structure.grades[0].outside_wage_ratio=0"],
        vec!["recruitment.pool_elasticity=10", "recruitment.prestige=100"],
    ] {
        let mut args = vec![
            "run",
            file,
            "--no-plots",
            "--out",
            "o",
            "--force",
            "--years",
            "5",
        ];
        for s in &sets {
            args.extend(["--set", s]);
        }
        let (_, stderr) = ok(&sb, &args);
        assert_mentions(
            &stderr,
            &[
                "warning: recruitment into BPS-17 at the start",
                "clipped to 10",
            ],
        );
        let run: serde_json::Value =
            serde_json::from_slice(&read(&sb.join("o"), "run.json")).unwrap();
        assert_eq!(run["warnings"].as_array().map(Vec::len), Some(1));
    }
    // A state between two reforms is checked too.
    let between = sb.tiny_with(
        "between.toml",
        "[[reforms]]\nyear = 1\nlabel = \"a\"\nset = { \"structure.grades[0].outside_wage_ratio\" = 0.0 }\n[[reforms]]\nyear = 2\nlabel = \"b\"\nset = { \"structure.grades[0].outside_wage_ratio\" = 1.0 }\n",
    );
    // (Three years: a reform in the run's last year is refused.)
    let (_, stderr) = ok(
        &sb,
        &["run", between, "--no-plots", "--out", "b", "--years", "3"],
    );
    assert_mentions(
        &stderr,
        &["after the reform \"a\" (year 1)", "clipped to 10"],
    );
}

// ---------------------------------------------------------------------------
// 15. Messages.

#[test]
fn d15_a_wrong_type_names_the_key_path_and_the_type_in_words() {
    let sb = Sandbox::new();
    sb.write("t.toml", "[pay]\nlevel = \"1.4\"\n");
    let e = refused(&sb, &["check", "t.toml"]);
    assert_mentions(&e, &["line 2", "expected a number", "at key `pay.level`"]);
}

#[test]
fn d15_a_too_deep_header_names_its_line_and_a_huge_line_is_cut() {
    let sb = Sandbox::new();
    let header = vec!["a"; 100].join(".");
    sb.write("deep.toml", &format!("name = \"x\"\n[{header}]\nx = 1\n"));
    let e = refused(&sb, &["check", "deep.toml"]);
    assert_mentions(&e, &["line 2", "about 100 levels deep"]);
    // A key nested inside an inline table is counted there (it said "1
    // level", a hostile-input audit, 2026-12-06).
    let inline = vec!["a"; 10_000].join(".");
    sb.write(
        "inline.toml",
        &format!("name = \"x\"\n[[reforms]]\nyear = 1\nset = {{ {inline} = 1 }}\n"),
    );
    let e = refused(&sb, &["check", "inline.toml"]);
    assert_mentions(&e, &["line 4", "about 10001 levels deep"]);
    sb.write(
        "long.toml",
        &format!("name = \"{}\" junk\n", "x".repeat(600_000)),
    );
    let e = refused(&sb, &["check", "long.toml"]);
    assert!(e.len() < 5_000, "{} bytes", e.len());
    assert_mentions(&e, &["more characters)"]);
}

#[test]
fn d15_a_bad_range_blames_its_step_and_huge_numbers_print_short() {
    let sb = Sandbox::new();
    let file = sb.fixture("tiny.toml");
    let e = refused(&sb, &["sweep", file, "--vary", "postings.sample=1:3:0.5"]);
    assert_mentions(
        &e,
        &[
            "--vary postings.sample=1:3:0.5",
            "takes whole numbers",
            "the STEP 0.5",
        ],
    );
    let e = refused(&sb, &["check", file, "--set", "pay.level=1e308"]);
    assert_mentions(&e, &["got 1e308"]);
    assert!(!e.contains("00000000000"), "{e}");
    let e = refused(&sb, &["run", file, "--seed", "-1"]);
    assert_mentions(&e, &["a seed is a whole number from 0 to"]);
    assert!(!e.contains("'-- -1'"), "{e}");
    let e = refused(&sb, &["compare", file, file, "--scale", "1e308"]);
    assert_mentions(&e, &["scale: 1e308 is out of range"]);
    let e = refused(
        &sb,
        &[
            "sweep",
            file,
            "--vary",
            "politics.interference=0.1,0.2\nsim.years=3",
        ],
    );
    assert_mentions(&e, &["holds a line break"]);
    assert!(!e.contains("--set"), "{e}");
    // An experiment file's errors are explained and cut like a scenario's.
    sb.write(
        "exp.toml",
        &format!(
            "kind = \"sweep\"\nscenario = \"tiny.toml\"\nreplicates = \"2\"\nname = \"{}\" x\n",
            "n".repeat(500_000)
        ),
    );
    let e = refused(&sb, &["experiment", "exp.toml"]);
    assert!(e.len() < 5_000, "{} bytes", e.len());
}

// ---------------------------------------------------------------------------
// An untrusted-input audit of 2026-12-05 (a helper, read-only): each of
// these failed before its fix.

/// A grid whose point count overflows 64 bits wrapped round to 1 point (a
/// sweep of the first point only) or 0 (a panic); `--decompose` multiplied
/// the runs past the cap after it was checked.
#[test]
fn audit_run_caps_hold_for_huge_grids_and_decompositions() {
    let sb = Sandbox::new();
    let s = teaching("political_transfers.toml");
    // 8192^5 = 2^65 points: wrapped to 0 before.
    let vary: Vec<String> = (0..5)
        .map(|k| format!("\"structure.grades[{k}].delivery_weight=0:81.91:0.01\""))
        .collect();
    sb.write(
        "wrap.toml",
        &format!(
            "kind = \"sweep\"\nscenario = {s:?}\nreplicates = 1\nvary = [{}]\n",
            vary.join(", ")
        ),
    );
    let e = refused(&sb, &["experiment", "wrap.toml"]);
    assert_mentions(
        &e,
        &["more than 18446744073709551615 grid points × 1 replicates; at most 1000000 runs"],
    );
    assert!(!sb.join("outputs").exists(), "{:?}", entries(sb.path()));
    let e = refused(
        &sb,
        &[
            "compare",
            &s,
            &s,
            "--decompose",
            "--replicates",
            "100000",
            "--years",
            "6",
        ],
    );
    assert_mentions(
        &e,
        &[
            "--decompose: 2 arms, each also without each of",
            "more than the 1,000,000",
        ],
    );
}

/// A seed above TOML's largest integer passed `check` and panicked when
/// the scenario was written back ("scenario serialises"); then it was
/// refused, so the journal rows of about half of all fits (seeds to
/// 2^64 − 1, every row of a fit with the same top bit) could not be rerun. Now every 64-bit seed runs, is written back as a string of
/// its digits and reads back to the same run; past 2^64 − 1 or below 0 is
/// refused where it is read.
#[test]
fn audit_every_64_bit_seed_runs_and_is_written_back_and_others_are_refused() {
    let sb = Sandbox::new();
    let with_seed = |name: &str, seed: &str| {
        sb.write(
            name,
            &common::fixture_text("tiny.toml").replacen(
                "[sim]\n",
                &format!("[sim]\nseed = {seed}\n"),
                1,
            ),
        );
    };
    with_seed("big.toml", "9223372036854775808");
    sb.cmd().args(["check", "big.toml"]).assert().success();
    let first = sb.run_ok("big.toml", "first", &["--replicates", "1"]);
    let written = std::fs::read_to_string(first.join("scenario.toml")).unwrap();
    assert!(
        written.contains("seed = \"9223372036854775808\""),
        "{written}"
    );
    sb.write("again.toml", &written);
    let again = sb.run_ok("again.toml", "again", &["--replicates", "1"]);
    sb.fixture("tiny.toml");
    let flag = sb.run_ok(
        "tiny.toml",
        "flag",
        &["--replicates", "1", "--seed", "9223372036854775808"],
    );
    for f in ["timeseries.csv", "grades.csv"] {
        assert_eq!(read(&first, f), read(&again, f), "{f}");
        assert_eq!(read(&first, f), read(&flag, f), "{f}");
    }
    for (seed, shown) in [
        ("18446744073709551616", "18446744073709551615"),
        ("-1", "18446744073709551615"),
        ("\"12x\"", "written as a string of its digits"),
    ] {
        with_seed("bad.toml", seed);
        for args in [
            vec!["check", "bad.toml"],
            vec!["check", "bad.toml", "--set", "pay.level=1.2"],
            vec!["run", "bad.toml", "--replicates", "1"],
        ] {
            let e = refused(&sb, &args);
            assert_mentions(
                &e,
                &[
                    "line ",
                    "expected a whole number from 0 to",
                    shown,
                    "sim.seed",
                ],
            );
        }
    }
    let e = refused(&sb, &["run", "tiny.toml", "--seed", "18446744073709551616"]);
    assert_mentions(
        &e,
        &["a seed is a whole number from 0 to 18446744073709551615"],
    );
    let s = teaching("political_transfers.toml");
    sb.write(
        "exp.toml",
        &format!("kind = \"compare\"\nscenarios = [{s:?}, {s:?}]\nseed = 9223372036854775808\n"),
    );
    // An experiment file is read as TOML's own integers: the string form.
    let e = refused(&sb, &["experiment", "exp.toml"]);
    assert_mentions(
        &e,
        &[
            "largest integer TOML holds",
            "seed = \"11528446802858022107\"",
        ],
    );
    // Past 64 bits: the number and the limit, not a Rust type.
    sb.write(
        "exp.toml",
        &format!("kind = \"compare\"\nscenarios = [{s:?}, {s:?}]\nseed = 18446744073709551616\n"),
    );
    let e = refused(&sb, &["experiment", "exp.toml"]);
    assert_mentions(
        &e,
        &[
            "18446744073709551616",
            "past 18446744073709551615, the largest seed",
        ],
    );
    assert!(
        !e.contains("i128") && !e.contains("written as a string"),
        "{e}"
    );
    // The seed's hint is for seeds only.
    sb.write(
        "exp.toml",
        &format!(
            "kind = \"compare\"\nscenarios = [{s:?}, {s:?}]\nreplicates = 9223372036854775808\n"
        ),
    );
    let e = refused(&sb, &["experiment", "exp.toml"]);
    assert_mentions(&e, &["largest integer TOML holds"]);
    assert!(!e.contains("a seed past it"), "{e}");
    // The string form runs, as `seed` and as a design's `design_seed`.
    sb.write(
        "exp.toml",
        &format!(
            "kind = \"compare\"\nscenarios = [{s:?}, {s:?}]\nseed = \"9223372036854775808\"\nyears = 6\nreplicates = 1\n"
        ),
    );
    sb.cmd()
        .args(["experiment", "exp.toml", "--out", "exp"])
        .assert()
        .success();
    sb.write(
        "morris.toml",
        &format!(
            "kind = \"sensitivity\"\nscenario = {s:?}\nparam = [\"accountability.detection_rate=0.02:0.2\", \"pay.level=0.8:1.2\"]\ntrajectories = 2\ndesign_seed = \"18446744073709551615\"\nyears = 6\nreplicates = 1\n"
        ),
    );
    sb.cmd()
        .args(["experiment", "morris.toml", "--out", "morris"])
        .assert()
        .success();
}

/// One key varied under two spellings ran as two parameters, the first
/// without effect.
#[test]
fn audit_a_key_varied_under_two_spellings_is_refused() {
    let sb = Sandbox::new();
    let s = teaching("political_transfers.toml");
    // Brackets or dots, and an index with a leading zero: one key.
    for other in [
        "structure.grades.0.delivery_weight=3,4",
        "structure.grades.00.delivery_weight=3,4",
    ] {
        let e = refused(
            &sb,
            &[
                "sweep",
                &s,
                "--vary",
                "structure.grades[0].delivery_weight=1,2",
                "--vary",
                other,
            ],
        );
        assert_mentions(&e, &["the key is varied twice"]);
    }
    let e = refused(
        &sb,
        &[
            "sensitivity",
            &s,
            "--param",
            "structure.grades[0].delivery_weight=1:2",
            "--param",
            "structure.grades.0.delivery_weight=1:2",
        ],
    );
    assert_mentions(&e, &["the key is given twice"]);
    sb.write(
        "design.csv",
        "structure.grades[0].delivery_weight,structure.grades.0.delivery_weight\n1,2\n",
    );
    let e = refused(&sb, &["sweep", &s, "--design", "design.csv"]);
    assert_mentions(&e, &["names two columns"]);
}

/// A named pipe (or `/dev/stdin`) as a scenario waited for ever.
#[cfg(unix)]
#[test]
fn audit_a_named_pipe_is_refused_not_waited_on() {
    let sb = Sandbox::new();
    let made = Proc::new("mkfifo").arg(sb.join("fifo.toml")).status();
    if !made.is_ok_and(|s| s.success()) {
        return;
    }
    let e = refused(&sb, &["check", "fifo.toml"]);
    assert_mentions(&e, &["fifo.toml", "not a regular file"]);
}

/// A file of 10,000 `set` entries with a bad last one ran for minutes
/// before naming it (every prefix was applied again).
#[test]
fn audit_a_long_set_list_names_its_bad_entry_quickly() {
    let sb = Sandbox::new();
    let s = teaching("political_transfers.toml");
    let mut sets: Vec<String> = (0..10_000)
        .map(|k| format!("\"pay.level={}\"", 1.0 + (k % 7) as f64 / 10.0))
        .collect();
    sets.push("\"sim.warmup_years=99999999999\"".into());
    sb.write(
        "long.toml",
        &format!(
            "kind = \"compare\"\nscenarios = [{s:?}, {s:?}]\nset = [{}]\n",
            sets.join(", ")
        ),
    );
    let e = refused(&sb, &["experiment", "long.toml"]);
    assert_mentions(&e, &["sim.warmup_years=99999999999"]);
}

/// A calibration file: its errors named the flags and not the file, an
/// empty `param` list ran a fit of nothing, and its `name` was not held to
/// the names' rule (a line break made a folder).
#[test]
fn audit_a_calibration_file_is_judged_in_its_own_words() {
    let sb = Sandbox::new();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let head = format!(
        "kind = \"calibrate\"\nscenario = {:?}\ntargets = {:?}\n",
        root.join("scenarios/pakistan_baseline.toml")
            .display()
            .to_string(),
        root.join("calibration/pakistan.toml").display().to_string()
    );
    for (extra, want) in [
        (
            "param = [\"politics.interference=0:0.9:log\"]",
            "experiment file `c.toml`: `param` entry \"politics.interference=0:0.9:log\": a log-uniform prior needs LOW above 0",
        ),
        (
            "param = [\"politics.interference=0.2:0.9\"]\nhold_out = [\"nope\"]",
            "experiment file `c.toml`: `hold_out` entry \"nope\": no target has this id",
        ),
        (
            "param = [\"politics.interference=0.2:0.9\"]\nquantile = 1.5",
            "experiment file `c.toml`: `quantile = 1.5`: give a share",
        ),
        (
            "param = [\"politics.interference=0.2:0.9\"]\nset = [\"politics.nonsense=1\"]",
            "experiment file `c.toml`: `set` entry \"politics.nonsense=1\": unknown key path",
        ),
        (
            "param = [\"politics.interference=0.2:0.9\"]\nset = [\"pay.level=-5\"]",
            "experiment file `c.toml`: scenario",
        ),
        ("param = []", "`param = []` is empty"),
        (
            "param = [\"politics.interference=0.2:0.9\"]\nname = \"a\\nb\"",
            "`name` is \"a\\nb\": it holds a character other than",
        ),
    ] {
        sb.write("c.toml", &format!("{head}{extra}\n"));
        let e = refused(&sb, &["experiment", "c.toml"]);
        assert_mentions(&e, &[want]);
        assert!(!e.contains("--param") && !e.contains("--quantile"), "{e}");
        // A value of the file's `set` is named as that, not an override.
        if extra.contains("pay.level") {
            assert_mentions(&e, &["the file's `set` entry `pay.level=-5`"]);
        }
    }
    assert!(!sb.join("outputs").exists(), "{:?}", entries(sb.path()));
}

/// A name of 100 three-byte letters passed the check and failed when its
/// folder was made (exit 1, an empty outputs/ left behind).
#[test]
fn audit_a_name_too_long_in_bytes_is_refused_before_any_folder() {
    let sb = Sandbox::new();
    sb.write(
        "cjk.toml",
        &common::fixture_text("tiny.toml").replacen(
            "name = \"tiny\"",
            &format!("name = \"{}\"", "官".repeat(100)),
            1,
        ),
    );
    let file = "cjk.toml";
    let e = refused(&sb, &["run", file]);
    assert_mentions(&e, &["longer than 200 bytes"]);
    assert!(!sb.join("outputs").exists(), "{:?}", entries(sb.path()));
}

/// What a read-only audit of the scenario keys found (2026-12-05): keys a
/// reform could set though only the start reads them, an ex-cadre entrant
/// older than the retirement age, names given twice, and a reform
/// embedded wholly that still drew its reversal from the main stream.
#[test]
fn audit_keys_that_could_change_nothing_are_refused_or_draw_nothing() {
    let sb = Sandbox::new();
    let text = fs::read_to_string(teaching("rotation_and_collusion.toml")).unwrap();
    let head = &text[..text.find("[[reforms]]").expect("the demo has a reform")];
    sb.write(
        "start.toml",
        &format!("{head}[[reforms]]\nyear = 1\nset = {{ \"trust.initial\" = 1.0 }}\n"),
    );
    let e = refused(&sb, &["check", "start.toml"]);
    assert_mentions(&e, &["trust.initial", "at the start"]);
    sb.write(
        "egov.toml",
        &format!("{head}[[reforms]]\nyear = 1\nset = {{ \"transparency.egov_initial\" = 1.0 }}\n"),
    );
    let e = refused(&sb, &["check", "egov.toml"]);
    assert_mentions(&e, &["transparency.egov_initial", "egov_target"]);
    let s = teaching("rotation_and_collusion.toml");
    // Where a grade has ex-cadre posts, as the baseline has.
    let baseline = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios/pakistan_baseline.toml")
        .display()
        .to_string();
    let e = refused(
        &sb,
        &[
            "check",
            &baseline,
            "--set",
            "recruitment.ex_cadre_age_max=65",
        ],
    );
    ok(
        &sb,
        &["check", &s, "--set", "recruitment.ex_cadre_age_max=65"],
    );
    assert_mentions(
        &e,
        &["recruitment.ex_cadre_age_max", "exits.retirement_age"],
    );
    // A CSS entrant joins `entry_lag_years` after the exam: the oldest
    // allowed at the exam must still join before retirement.
    ok(
        &sb,
        &["check", &baseline, "--set", "recruitment.age_max=50"],
    );
    let e = refused(
        &sb,
        &[
            "check",
            &baseline,
            "--set",
            "recruitment.age_max=50",
            "--set",
            "recruitment.entry_lag_years=10",
        ],
    );
    assert_mentions(
        &e,
        &[
            "recruitment.age_max",
            "recruitment.entry_lag_years",
            "exits.retirement_age",
        ],
    );
    // Uniform ages are whole years up to the year that holds age_max: 58.4
    // can give 59, which joins at 60.5 (a review, 2026-12-06).
    let uniform_to = |max: &str| {
        let max = format!("recruitment.age_max={max}");
        [
            "check".to_string(),
            baseline.clone(),
            "--set".into(),
            "recruitment.age_distribution=uniform".into(),
            "--set".into(),
            max,
        ]
    };
    let args = uniform_to("58.4");
    let e = refused(&sb, &args.each_ref().map(String::as_str));
    assert_mentions(&e, &["drawn in whole years up to 59"]);
    let args = uniform_to("57");
    ok(&sb, &args.each_ref().map(String::as_str));
    let first = Scenario::load(Path::new(&s), &[])
        .unwrap()
        .structure
        .sectors[0]
        .name
        .clone();
    let e = refused(
        &sb,
        &[
            "check",
            &s,
            "--set",
            &format!("structure.sectors[1].name={first}"),
        ],
    );
    assert_mentions(&e, &["appears twice in `structure.sectors`"]);
    // A reform whose institutionalisation leaves none of its risk draws no
    // reversal: the same random streams as a reform without a hazard.
    let reform = |hazard: f64| {
        format!(
            "{head}[[reforms]]\nyear = 2\nreversal_hazard = {hazard}\nlegal_embedding = 1.0\nset = {{ \"pay.level\" = 1.2 }}\n"
        )
    };
    sb.write("none.toml", &reform(0.0));
    sb.write("embedded.toml", &reform(1.0));
    for (f, out) in [("none.toml", "a"), ("embedded.toml", "b")] {
        ok(
            &sb,
            &[
                "run",
                f,
                "--years",
                "8",
                "--replicates",
                "2",
                "--no-plots",
                "--out",
                out,
            ],
        );
    }
    assert!(
        read(&sb.join("a"), "timeseries.csv") == read(&sb.join("b"), "timeseries.csv"),
        "a reform embedded wholly drew its reversal"
    );
}

/// Hostile-input audit (2026-12-05): a comparison of 160 options draws its
/// figure (the legend named every option and left the panels no height,
/// where plotters' dashed election lines never ended) and writes its report.
#[test]
fn audit_a_comparison_of_many_options_draws_and_reports() {
    let sb = Sandbox::new();
    let tiny = sb.tiny_with("t.toml", "");
    let arms = vec![format!("\"{tiny}\""); 160].join(", ");
    sb.write(
        "many.toml",
        &format!(
            "name = \"many\"\nkind = \"compare\"\nreplicates = 1\nyears = 2\nscenarios = [{arms}]\n"
        ),
    );
    sb.cmd()
        .args(["experiment", "many.toml", "--out", "many"])
        .timeout(Duration::from_secs(60))
        .assert()
        .success();
    assert!(sb.join("many/comparison.svg").is_file());
    assert!(sb.join("many/report.md").is_file());
}

/// Hostile-input audit (2026-12-05): a split into more shards than an
/// experiment may have runs is refused, and merge checks an edited shard record and
/// scenarios (it indexed by them and panicked) with exit 2.
#[test]
fn audit_shard_records_are_checked_before_use() {
    let sb = Sandbox::new();
    let tiny = sb.tiny_with("t.toml", "");
    let e = sb.bad_input(&[
        "compare",
        tiny,
        tiny,
        "--replicates",
        "2",
        "--shard",
        "1/10000000",
        "--out",
        "huge",
    ]);
    assert_mentions(&e, &["--shard 1/10000000", "at most 1000000 shards"]);
    assert!(!sb.join("huge").exists());
    sb.cmd()
        .args([
            "compare",
            tiny,
            tiny,
            "--replicates",
            "2",
            "--shard",
            "1/2",
            "--out",
            "s1",
        ])
        .assert()
        .success();
    let manifest = sb.join("s1/experiment.json");
    let text = fs::read_to_string(&manifest).unwrap();
    let mut m: serde_json::Value = serde_json::from_str(&text).unwrap();
    for (shard, want) in [
        (serde_json::json!({"index": 0, "count": 1}), "shard 0/1"),
        (serde_json::json!({"index": 3, "count": 2}), "shard 3/2"),
    ] {
        m["shard"] = shard;
        fs::write(&manifest, serde_json::to_string(&m).unwrap()).unwrap();
        let e = sb.bad_input(&["merge", "s1", "--out", "m"]);
        assert_mentions(&e, &[want, "I from 1 to N"]);
    }
    m["shard"] = serde_json::json!({"index": 1, "count": 2});
    m["scenarios"] = serde_json::json!([]);
    fs::write(&manifest, serde_json::to_string(&m).unwrap()).unwrap();
    let e = sb.bad_input(&["merge", "s1", "--out", "m"]);
    assert_mentions(&e, &["lists no scenario"]);
    assert!(!sb.join("m").exists());
}

// ---------------------------------------------------------------------------
// A reproducibility audit (2026-12-06): `--force` on an experiment's folder
// removed the finished experiment before the new one existed, so an
// interruption lost both.

#[test]
fn force_keeps_the_experiment_it_replaces_until_the_new_one_is_whole() {
    let sb = Sandbox::new();
    sb.fixture("tiny.toml");
    let quick = [
        "compare",
        "tiny.toml",
        "tiny.toml",
        "--no-plots",
        "--out",
        "x",
    ];
    ok(&sb, &quick);
    let summary = fs::read(sb.join("x/summary.json")).unwrap();
    // The same comparison over 3,000 years: started with --force, killed
    // once the old folder is aside and the new one begun.
    let file = slow_tiny(&sb);
    let mut child = spawn_quiet(
        &sb,
        &[
            "compare",
            "tiny.toml",
            file,
            "--no-plots",
            "--out",
            "x",
            "--force",
        ],
    );
    let aside = || named_from(&sb, ".x.old-");
    let t = Instant::now();
    while !(aside().len() == 1 && sb.join("x/experiment.json").exists())
        && t.elapsed() < Duration::from_secs(30)
    {
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let left = aside();
    assert_eq!(left.len(), 1, "{:?}", entries(sb.path()));
    // The finished experiment is whole, aside; the next command there says
    // where it is and keeps it.
    assert_eq!(
        fs::read(sb.join(&left[0]).join("summary.json")).unwrap(),
        summary
    );
    let (_, stderr) = output(&sb, &quick);
    assert_mentions(
        &stderr,
        &[
            &format!("`./{}` holds the results that a bureausim", left[0]),
            "they are kept",
        ],
    );
    assert!(sb.join(&left[0]).join("summary.json").exists());
    // A --force that completes removes the one it replaced.
    let mut forced = quick.to_vec();
    forced.push("--force");
    ok(&sb, &forced);
    assert_eq!(aside().len(), 1, "only the interrupted one's is left");
    fs::remove_dir_all(sb.join(&left[0])).unwrap();
    ok(&sb, &forced);
    assert!(aside().is_empty(), "{:?}", entries(sb.path()));
    assert!(sb.join("x/summary.json").exists());
}

// A hostile-input audit (2026-12-06): a symbolic link planted in an
// experiment's folder (one received to resume) as a plot's temporary made
// the report write a PNG over a file outside the folder.

#[cfg(unix)]
#[test]
fn an_experiment_folder_with_a_link_in_it_is_refused() {
    let sb = Sandbox::new();
    sb.fixture("tiny.toml");
    let args = ["compare", "tiny.toml", "tiny.toml", "--out", "exp/x"];
    ok(&sb, &args);
    sb.write("victim.txt", "a file outside the folder");
    for planted in [
        "exp/x/.comparison.partial.png",
        "exp/x/runs/run-9999999.csv",
    ] {
        std::os::unix::fs::symlink(sb.join("victim.txt"), sb.join(planted)).unwrap();
        let e = refused(&sb, &args);
        assert_mentions(
            &e,
            &["is a symbolic link; an experiment's folder holds only the files bureausim wrote"],
        );
        fs::remove_file(sb.join(planted)).unwrap();
    }
    assert_eq!(read(sb.path(), "victim.txt"), b"a file outside the folder");
    ok(&sb, &args);
}

// A hostile-input audit (2026-12-06): the same comparison run again with
// --no-plots deleted its report's plots, without --force or a word.

#[test]
fn no_plots_leaves_the_plots_of_an_earlier_rendering() {
    let sb = Sandbox::new();
    sb.fixture("tiny.toml");
    let args = ["compare", "tiny.toml", "tiny.toml", "--out", "x"];
    ok(&sb, &args);
    let png = fs::read(sb.join("x/comparison.png")).unwrap();
    let mut quiet = args.to_vec();
    quiet.push("--no-plots");
    let (_, stderr) = ok(&sb, &quiet);
    assert_eq!(fs::read(sb.join("x/comparison.png")).unwrap(), png);
    assert_mentions(&stderr, &["drawn with --no-plots", "comparison.png"]);
    let md = fs::read_to_string(sb.join("x/report.md")).unwrap();
    assert!(
        md.contains("are of an earlier rendering, kept as they were"),
        "{md}"
    );
    // Drawn again, the plots are this rendering's and the note goes.
    let (_, stderr) = ok(&sb, &args);
    assert!(!stderr.contains("--no-plots"), "{stderr}");
    let md = fs::read_to_string(sb.join("x/report.md")).unwrap();
    assert!(!md.contains("earlier rendering"), "{md}");
}

// An untrusted-input audit (2026-12-06, seventh session): a reader that
// closed the pipe early (`bureausim check s.toml | head -1`) made the
// program panic (exit 101); after `--force`, before the result it had
// replaced was removed, so every later command there reported an
// interrupted replacement that never was.

/// Runs `args` with standard output a pipe closed before anything is
/// written to it; returns the exit code and stderr.
fn with_stdout_closed(sb: &Sandbox, args: &[&str]) -> (Option<i32>, String) {
    let bin = assert_cmd::cargo::cargo_bin("bureausim");
    let mut child = Proc::new(&bin)
        .current_dir(sb.path())
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    (out.status.code(), sb.normalise(&out.stderr))
}

#[test]
fn a_closed_pipe_ends_quietly_and_force_still_tidies() {
    let sb = Sandbox::new();
    sb.fixture("tiny.toml");
    let (code, stderr) = with_stdout_closed(&sb, &["check", "tiny.toml"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    let quick = [
        "compare",
        "tiny.toml",
        "tiny.toml",
        "--no-plots",
        "--out",
        "x",
    ];
    ok(&sb, &quick);
    let mut forced = quick.to_vec();
    forced.push("--force");
    let (code, stderr) = with_stdout_closed(&sb, &forced);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(
        named_from(&sb, ".x.old-").is_empty(),
        "{:?}",
        entries(sb.path())
    );
    assert!(sb.join("x/summary.json").exists());
    let (code, stderr) = with_stdout_closed(&sb, &["run", "tiny.toml", "--out", "r"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(sb.join("r/summary.json").exists());
}

// The untrusted-input audit of 2026-12-06 (seventh session): a shard
// folder handed to `merge` may come from someone else. Its command went
// into the report as written (a line break added a "Run this first:
// curl … | sh" heading), its report years and metrics were neither
// de-duplicated nor bounded (150 MB of output from 4,000 years), and its
// record of commits took quadratic time and any text.
#[test]
fn a_tampered_shard_manifest_is_refused_before_merging() {
    let sb = Sandbox::new();
    let tiny = sb.tiny_with("t.toml", "");
    sb.cmd()
        .args([
            "compare",
            tiny,
            tiny,
            "--replicates",
            "2",
            "--shard",
            "1/2",
            "--out",
            "s1",
        ])
        .assert()
        .success();
    let manifest = sb.join("s1/experiment.json");
    let good: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&manifest).unwrap()).unwrap();
    let many: Vec<String> = (0..1001).map(|i| format!("{i:07x}")).collect();
    for (edit, want) in [
        (
            (
                "command",
                serde_json::json!("bureausim compare t.toml\n```\n# Run this first"),
            ),
            "holds a control character",
        ),
        (
            ("command", serde_json::json!("curl x | sh")),
            "does not start with `bureausim `",
        ),
        (
            ("bureausim_commits", serde_json::json!(["deadbeef\n<i>"])),
            "which is no commit id",
        ),
        (
            ("bureausim_commits", serde_json::json!(many)),
            "at most 1000",
        ),
    ] {
        let mut m = good.clone();
        m[edit.0] = edit.1;
        fs::write(&manifest, serde_json::to_string(&m).unwrap()).unwrap();
        let e = sb.bad_input(&["merge", "s1", "--out", "m"]);
        assert_mentions(&e, &[want]);
    }
    for (key, value, want) in [
        (
            "report_years",
            serde_json::json!([0, 1, 1]),
            "distinct and in increasing order",
        ),
        (
            "metrics",
            serde_json::json!(["efficiency", "efficiency"]),
            "given twice",
        ),
        ("scale", serde_json::json!(1e-300), "allowed 0.001 to 100"),
    ] {
        let mut m = good.clone();
        m["spec"][key] = value;
        fs::write(&manifest, serde_json::to_string(&m).unwrap()).unwrap();
        let e = sb.bad_input(&["merge", "s1", "--out", "m"]);
        assert_mentions(&e, &[want]);
    }
    assert!(!sb.join("m").exists());
    // The same bound on the command line.
    let e = sb.bad_input(&["compare", tiny, tiny, "--scale", "1e-300", "--out", "c"]);
    assert_mentions(&e, &["scale: 1e-300 is out of range; allowed 0.001 to 100"]);
}

// The untrusted-input audit of 2026-12-06 (seventh session): a word key's
// value was quoted whole and raw, so a 100,000-letter value made a
// 200,000-character line and a line break in one added a line of its own
// to the list of problems.
#[test]
fn a_refused_words_value_is_quoted_short_and_escaped() {
    let sb = Sandbox::new();
    let tiny = sb.tiny_with("t.toml", "");
    let long = format!("promotion.rule={}", "x".repeat(20_000));
    let e = sb.bad_input(&["check", tiny, "--set", &long]);
    assert!(e.lines().all(|l| l.len() < 1000), "{}", e.len());
    assert_mentions(&e, &["`promotion.rule` must be one of", "more characters"]);
    let long = format!("pay.level={}x", "9".repeat(20_000));
    let e = sb.bad_input(&["check", tiny, "--set", &long]);
    assert!(e.lines().all(|l| l.len() < 1000), "{}", e.len());
    let file = sb.tiny_with("nl.toml", "[promotion]\nrule = \"x\\nline2 - fake: ok\"\n");
    let e = sb.bad_input(&["check", file]);
    assert_mentions(&e, &[r#"got "x\nline2 - fake: ok""#]);
    assert!(!e.lines().any(|l| l.starts_with("line2")), "{e}");
}
