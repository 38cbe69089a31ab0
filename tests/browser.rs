//! End-to-end tests of `bureausim serve` in a real browser: the real binary
//! serves the page, headless Chromium drives it through ChromeDriver
//! (tests/common/webdriver.rs), and the tests use only the page hooks of
//! docs/serve.md (element ids, `data-key` lever inputs,
//! `document.body.dataset.state`, `window.bureausim.result`).
//!
//! They need Chromium and ChromeDriver (`apt-get install chromium
//! chromium-driver`). Without them each test prints a note and passes,
//! unless `BUREAUSIM_BROWSER_TESTS=1` (set in CI) makes it fail.
//! `BUREAUSIM_SCREENSHOT=<file.png>` saves a screenshot of the comparison;
//! `BUREAUSIM_SHOTS=<dir>` saves `page_1024x768.png` (the projector test,
//! after a Compare) and `page_present.png` (present mode) there, as in
//! docs/img (`-- --test-threads 1` keeps the timings quiet).
//!
//! ```sh
//! BUREAUSIM_BROWSER_TESTS=1 cargo test --release --test browser -- --nocapture
//! ```

// Shared with tests/report_print.rs, which uses other parts of it.
#[allow(dead_code)]
#[path = "common/webdriver.rs"]
mod webdriver;

use std::cell::Cell;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, MutexGuard, mpsc};
use std::time::{Duration, Instant};

use serde_json::{Value as Json, json};
use webdriver::{Browser, Installation};

/// How long a run may take to reach `done` (or a bad one `error`).
const RUN_TIMEOUT: Duration = Duration::from_secs(30);
/// How long the page may take to load its library and become `idle`.
const LOAD_TIMEOUT: Duration = Duration::from_secs(30);

// ---------------------------------------------------------------------------
// Setup: skip or fail without a browser, start the server, open the page.

/// Finds the browser, or: fails when `BUREAUSIM_BROWSER_TESTS=1`, else
/// prints why the test is skipped and returns `None`.
fn installation(test: &str) -> Option<Installation> {
    webdriver::installation_or_skip(test)
}

/// One browser test at a time: each starts a server and a browser, and the
/// timings they print mean more without others competing for the CPU.
fn one_at_a_time() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// `bureausim serve --port 0`, stopped on drop.
struct Server {
    child: Child,
    url: String,
}

impl Server {
    fn start() -> Server {
        let mut child = Command::new(assert_cmd::cargo::cargo_bin("bureausim"))
            .args(["serve", "--port", "0"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start `bureausim serve`");
        let stdout = child.stdout.take().expect("the server's stdout");
        let (tx, rx) = mpsc::channel();
        // Read the address from the first lines, then keep draining stdout.
        std::thread::spawn(move || {
            let mut tx = Some(tx);
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(url) = served_url(&line) {
                    if let Some(tx) = tx.take() {
                        let _ = tx.send(url);
                    }
                }
            }
        });
        let mut server = Server {
            child,
            url: String::new(),
        };
        match rx.recv_timeout(Duration::from_secs(20)) {
            Ok(url) => server.url = url,
            Err(_) => {
                let status = server.child.try_wait().ok().flatten();
                panic!(
                    "`bureausim serve --port 0` printed no `serving the page at http://...` line within 20 s \
                     (exit status: {status:?})"
                );
            }
        }
        server
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The URL in `... serving the page at http://127.0.0.1:PORT/ ...`.
fn served_url(line: &str) -> Option<String> {
    let rest = &line[line.find("serving the page at ")? + "serving the page at ".len()..];
    let url = rest.split_whitespace().next()?;
    url.starts_with("http://").then(|| url.to_string())
}

/// A page under test: the server, the browser, and helpers built on the
/// documented hooks. Field order: the browser goes before the server.
struct Page {
    browser: Browser,
    server: Server,
    /// Whether a failure message already carries [`Page::diagnose`].
    diagnosed: Cell<bool>,
}

impl Page {
    /// Starts the server and the browser and opens the page (state `idle`).
    fn open(install: &Installation) -> Page {
        let server = Server::start();
        let browser = Browser::start(install);
        let page = Page {
            browser,
            server,
            diagnosed: Cell::new(false),
        };
        page.browser.navigate(&page.server.url);
        page.wait_state("idle", LOAD_TIMEOUT);
        page
    }

    /// Waits until the body state is `want` (the page polls itself every
    /// 10 ms). Fails at once, with the page's messages, if it becomes
    /// `error` instead (unless that is wanted).
    #[track_caller]
    fn wait_state(&self, want: &str, timeout: Duration) -> Duration {
        let start = Instant::now();
        let state = self.browser.execute_async(
            "const [want, ms, done] = arguments;
             const until = performance.now() + ms;
             const poll = () => {
               const state = document.body.dataset.state || '';
               if (state === want || state === 'error' || performance.now() > until) { done(state); }
               else { setTimeout(poll, 10); }
             };
             poll();",
            &[json!(want), json!(timeout.as_millis() as u64)],
        );
        let state = state.as_str().unwrap_or_default();
        if state == want {
            return start.elapsed();
        }
        if state == "error" {
            panic!(
                "the page went to state `error` while waiting for `{want}`\n{}",
                self.diagnose()
            );
        }
        panic!(
            "the page did not reach state `{want}` within {timeout:?} (it is `{state}`)\n{}",
            self.diagnose()
        );
    }

    /// What the page shows and logged, for failure messages.
    fn diagnose(&self) -> String {
        self.diagnosed.set(true);
        let text = |css: &str| {
            self.browser
                .try_execute(
                    "const el = document.querySelector(arguments[0]);
                     return el ? (el.hidden ? '(hidden) ' : '') + el.textContent.trim() : '(missing)';",
                    &[json!(css)],
                )
                .map(|v| v.as_str().unwrap_or_default().to_string())
                .unwrap_or_else(|e| format!("(cannot read: {e})"))
        };
        let state = self
            .browser
            .try_execute("return document.body.dataset.state;", &[])
            .map(|v| v.to_string())
            .unwrap_or_else(|e| format!("(cannot read: {e})"));
        let log = self.browser.console_log();
        format!(
            "  body state: {state}\n  #status: {}\n  #error: {}\n  browser console ({} messages):\n{}",
            text("#status"),
            text("#error"),
            log.len(),
            log.iter()
                .map(|l| format!("    {l}"))
                .collect::<Vec<_>>()
                .join("\n")
        )
    }

    /// Picks scenario `id` in `#scenario` by clicking its option.
    #[track_caller]
    fn choose_scenario(&self, id: &str) {
        let option = format!("#scenario option[value=\"{id}\"]");
        let options: Vec<String> = self
            .browser
            .execute(
                "return Array.from(document.querySelectorAll('#scenario option'), o => o.value);",
                &[],
            )
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|v| v.as_str().unwrap_or_default().to_string())
                    .collect()
            })
            .unwrap_or_default();
        assert!(
            options.iter().any(|o| o == id),
            "`#scenario` has no option with value `{id}`; it has {options:?}"
        );
        self.browser.click(&self.browser.find("#scenario"));
        self.browser.click(&self.browser.find(&option));
        let chosen = self
            .browser
            .execute("return document.getElementById('scenario').value;", &[]);
        assert_eq!(chosen, json!(id), "`#scenario` did not change to `{id}`");
        self.wait_state("idle", LOAD_TIMEOUT);
    }

    /// Sets the range input of lever `key` to `value` as a drag would;
    /// asserts that the input took the value; returns its `[min, max]`.
    #[track_caller]
    fn set_lever(&self, key: &str, value: f64) -> (f64, f64) {
        let css = format!("input[data-key=\"{key}\"]");
        let el = self.browser.find(&css);
        let bounds = self.browser.execute(
            "const el = arguments[0]; return [el.type, Number(el.min), Number(el.max)];",
            &[el.as_arg()],
        );
        assert_eq!(
            bounds[0],
            json!("range"),
            "lever `{key}` is not a range input"
        );
        let taken = self.browser.set_range(&css, &value.to_string());
        let taken: f64 = taken
            .parse()
            .unwrap_or_else(|_| panic!("lever `{key}` holds {taken:?}"));
        assert!(
            (taken - value).abs() < 1e-9,
            "lever `{key}` holds {taken} after setting {value}"
        );
        (
            bounds[1].as_f64().unwrap_or(f64::NAN),
            bounds[2].as_f64().unwrap_or(f64::NAN),
        )
    }

    /// Types the run settings into `#replicates`, `#years`, `#reform-year`.
    fn set_run(&self, replicates: Option<u32>, years: Option<u32>, reform_year: Option<u32>) {
        for (css, value) in [
            ("#replicates", replicates),
            ("#years", years),
            ("#reform-year", reform_year),
        ] {
            if let Some(value) = value {
                self.browser.type_into(css, &value.to_string());
                let now = self.browser.execute(
                    "return document.querySelector(arguments[0]).value;",
                    &[json!(css)],
                );
                assert_eq!(
                    now,
                    json!(value.to_string()),
                    "`{css}` did not take {value}"
                );
            }
        }
    }

    /// Clicks `button` (`#run` or `#compare`) and waits for `done`; returns
    /// the result and (time to the first `year` event, time to `done`),
    /// measured in the page from the click.
    #[track_caller]
    fn run(&self, button: &str) -> (Json, Duration, Duration) {
        // Time stamps taken in the page: the click (capture phase, before
        // the page's own handler), the first year of the new result, done.
        self.browser.execute(
            "const t = window.__bureausimTest = {click: null, first: null, done: null,
                                                 old: window.bureausim && window.bureausim.result};
             document.addEventListener('click', e => {
               if (t.click === null && e.target.closest(arguments[0])) { t.click = performance.now(); }
             }, {capture: true, once: false});
             const poll = () => {
               const r = window.bureausim && window.bureausim.result;
               if (t.click !== null && t.first === null && r && r !== t.old && r.years && r.years.length > 0) {
                 t.first = performance.now();
               }
               if (t.click !== null && t.done === null && document.body.dataset.state === 'done') {
                 t.done = performance.now();
               }
               if (t.done === null) { setTimeout(poll, 2); }
             };
             poll();",
            &[json!(button)],
        );
        let wall = Instant::now();
        self.browser.click(&self.browser.find(button));
        self.wait_state("done", RUN_TIMEOUT);
        let wall = wall.elapsed();
        let times = self.browser.execute("return window.__bureausimTest;", &[]);
        let ms = |name: &str| {
            match (times[name].as_f64(), times["click"].as_f64()) {
                (Some(t), Some(click)) => Duration::from_secs_f64((t - click).max(0.0) / 1000.0),
                // Not seen in the page (e.g. the poll missed it): wall time.
                _ => wall,
            }
        };
        let result = self
            .browser
            .execute("return window.bureausim && window.bureausim.result;", &[]);
        assert!(
            result.is_object(),
            "`window.bureausim.result` is not set after the run: {result}"
        );
        (result, ms("first"), ms("done"))
    }
}

// ---------------------------------------------------------------------------
// Reading `window.bureausim.result`.

/// The arm named `name` in `result.start.arms`.
#[track_caller]
fn arm<'a>(result: &'a Json, name: &str) -> &'a Json {
    let names = &result["start"]["arms"];
    let index = names
        .as_array()
        .and_then(|a| a.iter().position(|n| n == name))
        .unwrap_or_else(|| panic!("no arm `{name}` in result.start.arms = {names}"));
    &result["arms"][index]
}

/// The mean of `metric` in `arm` at `year`.
#[track_caller]
fn mean_at(result: &Json, arm_name: &str, metric: &str, year: i64) -> f64 {
    let years = result["years"].as_array().expect("result.years is a list");
    let index = years
        .iter()
        .position(|y| y.as_f64() == Some(year as f64))
        .unwrap_or_else(|| panic!("year {year} is not in result.years = {years:?}"));
    let series = &arm(result, arm_name)["metrics"][metric];
    series[index][0].as_f64().unwrap_or_else(|| {
        panic!(
            "no mean of `{metric}` for `{arm_name}` at year {year}: {}",
            series[index]
        )
    })
}

/// The last year of the run.
fn last_year(result: &Json) -> i64 {
    result["years"]
        .as_array()
        .and_then(|y| y.last())
        .and_then(Json::as_f64)
        .expect("result.years has a last year") as i64
}

// ---------------------------------------------------------------------------
// The tests.

#[test]
fn page_runs_a_changed_lever_and_compares_with_the_baseline() {
    let Some(install) = installation("page_runs_a_changed_lever_and_compares_with_the_baseline")
    else {
        return;
    };
    let _lock = one_at_a_time();
    let started = Instant::now();
    let page = Open::new(&install);
    let page = &page.0;

    // political_transfers raises interference 0.3 -> 0.9 at year 5 itself;
    // with its own reforms dropped (`#own-reforms` off) the baseline stays
    // at 0.3 and only our lever moves interference, to 1.0 at year 5.
    // docs/serve.md lists `#own-reforms`; should a page lack it, use
    // merit_vs_patronage instead: interference stays at its default 0.7 in
    // the baseline there (its own reform is about recruitment, in both arms).
    page.choose_scenario("teaching/political_transfers");
    match page.browser.try_find("#own-reforms") {
        Some(own) => {
            let checked = || {
                page.browser.execute(
                    "return document.getElementById('own-reforms').checked;",
                    &[],
                )
            };
            if checked() == json!(true) {
                page.browser.click(&own);
            }
            assert_eq!(checked(), json!(false), "`#own-reforms` did not turn off");
        }
        None => {
            eprintln!(
                "NOTE: the page has no `#own-reforms` checkbox (docs/serve.md lists it); \
                 comparing on teaching/merit_vs_patronage instead"
            );
            page.choose_scenario("teaching/merit_vs_patronage");
        }
    }
    let (_, max) = page.set_lever("politics.interference", 1.0);
    assert_eq!(max, 1.0, "the interference lever should go up to 1");
    page.set_run(None, None, Some(5));

    let (result, first, done) = page.run("#compare");
    eprintln!(
        "compare ({}, interference 1.0 from year 5): first year after {:.0} ms, done after {:.0} ms",
        page.browser
            .execute("return document.getElementById('scenario').value;", &[])
            .as_str()
            .unwrap_or_default(),
        first.as_secs_f64() * 1000.0,
        done.as_secs_f64() * 1000.0
    );

    assert_eq!(
        result["arms"].as_array().map(Vec::len),
        Some(2),
        "a comparison has two arms; start = {}",
        result["start"]
    );
    let last = last_year(&result);
    let corr = |arm, year| mean_at(&result, arm, "corruption_prevalence", year);
    let months = |arm, year| mean_at(&result, arm, "mean_months_in_post", year);
    let (yours, base, before) = (
        corr("yours", last),
        corr("baseline", last),
        corr("yours", 4),
    );
    eprintln!(
        "corruption_prevalence: yours {yours:.4} at year {last} (year 4: {before:.4}), baseline {base:.4}; \
         mean_months_in_post: yours {:.1}, baseline {:.1}",
        months("yours", last),
        months("baseline", last)
    );
    assert!(
        yours > base,
        "with interference at 1.0, corruption at year {last} should exceed the baseline's: {yours} vs {base}"
    );
    assert!(
        yours > before,
        "corruption should rise after the reform: {yours} at year {last} vs {before} at year 4"
    );
    assert!(
        months("yours", last) < months("baseline", last),
        "with interference at 1.0, officers should spend less time in post than in the baseline: {} vs {}",
        months("yours", last),
        months("baseline", last)
    );

    // The results table: rows, and the corruption difference shown.
    let table = &result["done"]["table"];
    let row = table
        .as_array()
        .and_then(|rows| rows.iter().find(|r| r["metric"] == "corruption_prevalence"))
        .unwrap_or_else(|| panic!("no corruption_prevalence row in result.done.table: {table}"));
    let diff = row["diff"][0]
        .as_f64()
        .unwrap_or_else(|| panic!("no difference in the corruption row: {row}"));
    assert!(
        diff > 0.0,
        "the corruption difference should be positive: {row}"
    );
    let rows = page.browser.find_all("#diff-table tr");
    assert!(rows.len() > 1, "`#diff-table` has {} rows", rows.len());
    let label = row["label"].as_str().unwrap_or("corruption");
    let shown = rows
        .iter()
        .map(|r| page.browser.text(r))
        .find(|t| t.contains(label))
        .unwrap_or_else(|| {
            panic!(
                "`#diff-table` has no row for `{label}`:\n{}",
                page.browser.text(&page.browser.find("#diff-table"))
            )
        });
    let numbers = shown.chars().filter(char::is_ascii_digit).count();
    assert!(
        numbers >= 3,
        "the corruption row of `#diff-table` should show values and the difference: {shown:?}"
    );
    eprintln!("#diff-table corruption row: {shown:?}");

    if let Some(path) = std::env::var_os("BUREAUSIM_SCREENSHOT") {
        // Tall enough for every chart and the table, as in docs/img/serve.png.
        let path = PathBuf::from(path);
        page.browser.set_viewport(1600, 1900);
        std::thread::sleep(Duration::from_millis(500));
        page.browser.screenshot(&path);
        eprintln!("screenshot saved to {}", path.display());
    }
    eprintln!(
        "page_runs_a_changed_lever_and_compares_with_the_baseline: {:.1} s",
        started.elapsed().as_secs_f64()
    );
}

/// The results table as the page shows it.
struct ShownTable {
    /// (metric, the difference cell's value as a number, its text).
    rows: Vec<(String, f64, String)>,
    caption: String,
    heads: Vec<String>,
    /// The note under the table, if any.
    note: String,
}

fn shown_table(page: &Page) -> ShownTable {
    let t = page.browser.execute(
        "const box = document.getElementById('diff-table');
         const q = s => Array.from(box.querySelectorAll(s));
         const note = box.querySelector('.note');
         return {
           rows: q('tbody tr').map(tr => {
             const d = tr.querySelector('td.diff span');
             return [tr.dataset.metric || '', d ? d.textContent : ''];
           }),
           caption: (box.querySelector('caption') || {}).textContent || '',
           heads: q('thead th').map(th => th.textContent),
           note: note ? note.textContent : ''
         };",
        &[],
    );
    let rows = t["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| {
            let text = r[1].as_str().unwrap_or_default().to_string();
            // "+3,927", "-0.49 pp", "+2.85": the number without sign marks.
            let digits: String = text
                .chars()
                .filter(|c| c.is_ascii_digit() || *c == '.' || *c == '-')
                .collect();
            let value = digits.parse::<f64>().unwrap_or(f64::NAN);
            (r[0].as_str().unwrap_or_default().to_string(), value, text)
        })
        .collect();
    let text = |k: &str| t[k].as_str().unwrap_or_default().to_string();
    let heads = t["heads"]
        .as_array()
        .map(|h| {
            h.iter()
                .map(|x| x.as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default();
    ShownTable {
        rows,
        caption: text("caption"),
        heads,
        note: text("note"),
    }
}

/// Issue 12, item 1: "Compare with baseline" on a reform package ran the
/// package against itself, and the table showed every difference 0 with
/// "Your run and the baseline came out identical". The baseline is now the
/// status quo unless `#baseline` asks for the scenario as it stands.
#[test]
fn comparing_a_reform_package_on_the_page_shows_its_differences() {
    let Some(install) =
        installation("comparing_a_reform_package_on_the_page_shows_its_differences")
    else {
        return;
    };
    let _lock = one_at_a_time();
    let started = Instant::now();
    let page = Open::new(&install);
    let page = &page.0;

    // NCGR is ramped in from year 5 to 7, so the page keeps it as the
    // scenario's own reform (not on the sliders): no lever is changed.
    page.choose_scenario("ncgr_2008");
    assert_eq!(
        page.browser.execute(
            "return document.getElementById('own-reforms').checked;",
            &[]
        ),
        json!(true),
        "ncgr_2008 should keep its own reforms"
    );
    // One replicate of seven years: the package shows by then, in well
    // under a second.
    page.set_run(Some(1), Some(7), None);
    let (result, _, done) = page.run("#compare");
    eprintln!(
        "ncgr_2008 compared (1 replicate, 7 years): done after {:.0} ms",
        done.as_secs_f64() * 1000.0
    );
    let ShownTable {
        rows,
        caption,
        heads,
        note,
    } = shown_table(page);
    eprintln!("#diff-table differences: {rows:?}");
    let nonzero = rows
        .iter()
        .filter(|r| r.1 != 0.0 && r.1.is_finite())
        .count();
    assert!(
        rows.len() >= 4 && nonzero >= rows.len() / 2,
        "the table should show the package's differences against the status quo, not zeros: {rows:?}"
    );
    let months = rows
        .iter()
        .find(|r| r.0 == "mean_months_in_post")
        .unwrap_or_else(|| panic!("no time-in-post row: {rows:?}"));
    assert!(
        months.1 > 0.0,
        "tenure protection lengthens time in post: {months:?}"
    );
    assert!(
        note.is_empty(),
        "no note about identical runs should show: {note:?}"
    );
    // The page says which baseline it ran: table, legend and status.
    let about = "the status quo: NCGR 2008 package without its own reforms";
    assert_eq!(
        result["start"]["baseline"]["about"],
        json!(about),
        "start = {}",
        result["start"]
    );
    assert!(caption.contains(about), "caption: {caption:?}");
    assert!(
        heads.iter().any(|h| h == "Baseline (status quo)"),
        "headings: {heads:?}"
    );
    let legend = page.browser.text(&page.browser.find("#baseline-about"));
    assert_eq!(legend, about, "`#baseline-about`");
    let status = page.browser.text(&page.browser.find("#status"));
    assert!(
        status.contains(&format!("baseline: {about}")),
        "#status: {status:?}"
    );

    // Asked for as it stands, the package meets itself, and the note says why.
    page.browser.click(&page.browser.find("#baseline"));
    page.browser
        .click(&page.browser.find("#baseline option[value=\"as_is\"]"));
    page.run("#compare");
    let ShownTable {
        rows,
        caption,
        heads,
        note,
    } = shown_table(page);
    assert!(
        rows.iter().all(|r| r.1 == 0.0),
        "the package against itself: {rows:?}"
    );
    assert!(
        caption.contains("NCGR 2008 package as it stands, with its own reforms"),
        "caption: {caption:?}"
    );
    assert!(
        heads.iter().any(|h| h == "Baseline (as it stands)"),
        "headings: {heads:?}"
    );
    assert!(
        note.contains("the same scenario") && note.contains("no lever was changed"),
        "the note should say why the runs are identical: {note:?}"
    );
    eprintln!("#diff-table note: {note:?}");
    eprintln!(
        "comparing_a_reform_package_on_the_page_shows_its_differences: {:.1} s",
        started.elapsed().as_secs_f64()
    );
}

#[test]
fn downloaded_toml_runs_from_the_command_line() {
    let Some(install) = installation("downloaded_toml_runs_from_the_command_line") else {
        return;
    };
    let _lock = one_at_a_time();
    let started = Instant::now();
    let page = Open::new(&install);
    let page = &page.0;

    page.choose_scenario("teaching/political_transfers");
    page.set_run(Some(2), Some(6), Some(2));
    page.set_lever("politics.interference", 0.85);

    page.browser.click(&page.browser.find("#download-toml"));
    let file = page
        .browser
        .wait_for_download(".toml", Duration::from_secs(10));
    let toml = std::fs::read_to_string(&file)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", file.display()));
    for part in ["your reform", "interference", "0.85"] {
        assert!(
            toml.contains(part),
            "the downloaded {} should mention {part:?}:\n{toml}",
            file.display()
        );
    }

    let out = tempfile::tempdir().expect("create an output folder");
    let out_dir = out.path().join("out");
    assert_cmd::Command::cargo_bin("bureausim")
        .expect("the bureausim binary is built")
        .current_dir(out.path())
        .arg("run")
        .arg(&file)
        .args(["--replicates", "2", "--years", "6", "--no-plots", "--out"])
        .arg(&out_dir)
        .assert()
        .success();
    assert!(
        out_dir.join("timeseries.csv").is_file(),
        "`bureausim run` on the downloaded TOML wrote no timeseries.csv in {}",
        out_dir.display()
    );

    // The results as CSV, after a run.
    page.run("#run");
    let href = page.browser.execute(
        "return document.getElementById('download-csv').getAttribute('href');",
        &[],
    );
    assert!(
        href.as_str().is_some_and(|h| !h.is_empty()),
        "`#download-csv` has no href after the run: {href}\n{}",
        page.diagnose()
    );
    page.browser.click(&page.browser.find("#download-csv"));
    let csv_file = page
        .browser
        .wait_for_download(".csv", Duration::from_secs(10));
    let csv = std::fs::read_to_string(&csv_file)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", csv_file.display()));
    assert!(
        csv.starts_with("scenario,seed,replicate,year,"),
        "the downloaded CSV {} should start with `scenario,seed,replicate,year,`: {:?}",
        csv_file.display(),
        csv.lines().next()
    );
    // 2 replicates x years 0..=6, plus the header.
    assert_eq!(
        csv.lines().count(),
        1 + 2 * 7,
        "the CSV should have a row per replicate and recorded year"
    );
    eprintln!(
        "downloaded_toml_runs_from_the_command_line: {:.1} s",
        started.elapsed().as_secs_f64()
    );
}

#[test]
fn a_bad_value_shows_a_message_not_a_crash() {
    let Some(install) = installation("a_bad_value_shows_a_message_not_a_crash") else {
        return;
    };
    let _lock = one_at_a_time();
    let started = Instant::now();
    let page = Open::new(&install);
    let page = &page.0;

    page.choose_scenario("teaching/political_transfers");
    page.set_run(Some(2), Some(6), None);
    // Merit and patronage seats together above all of the entry seats.
    page.set_lever("recruitment.merit_share", 0.8);
    page.set_lever("recruitment.patronage_share", 0.5);
    let error = page.browser.find("#error");
    assert!(
        !page.browser.is_displayed(&error),
        "`#error` shows before any run"
    );

    page.browser.click(&page.browser.find("#run"));
    page.wait_state("error", RUN_TIMEOUT);
    assert!(
        page.browser.is_displayed(&error),
        "state `error` but `#error` is not visible\n{}",
        page.diagnose()
    );
    let message = page.browser.text(&error);
    eprintln!("#error says: {message:?}");
    let lower = message.to_lowercase();
    assert!(
        lower.contains("patronage") || lower.contains("merit"),
        "`#error` should name the problem (merit and patronage shares): {message:?}"
    );
    assert!(
        !lower.contains("undefined") && !lower.contains("[object"),
        "`#error` shows a script artefact: {message:?}"
    );

    // Fix one value: the page recovers.
    page.set_lever("recruitment.patronage_share", 0.1);
    page.run("#run");
    assert!(
        !page.browser.is_displayed(&error),
        "`#error` still shows after a good run: {:?}",
        page.browser.text(&error)
    );
    eprintln!(
        "a_bad_value_shows_a_message_not_a_crash: {:.1} s",
        started.elapsed().as_secs_f64()
    );
}

/// An instructor's audit (2026-12-06): "Rotation and collusion" switches
/// politics off, yet the page offered "Political interference" at 0.70, and
/// moving it changed nothing. A lever whose mechanism is off is disabled
/// with a note, and comes back in a scenario where it acts.
#[test]
fn a_lever_whose_mechanism_is_off_is_not_offered() {
    let Some(install) = installation("a_lever_whose_mechanism_is_off_is_not_offered") else {
        return;
    };
    let _lock = one_at_a_time();
    let page = Open::new(&install);
    let page = &page.0;
    let state = |key: &str| {
        page.browser.execute(
            "const el = document.querySelector(`[data-key=\"${arguments[0]}\"]`);
             const note = document.getElementById(el.id + '-inert');
             return [el.disabled, note.hidden ? '' : note.textContent];",
            &[json!(key)],
        )
    };
    page.choose_scenario("teaching/rotation_and_collusion");
    for key in ["politics.interference", "postings.tenure_protection"] {
        let s = state(key);
        assert_eq!(
            s[0],
            json!(true),
            "`{key}` is offered: {s}\n{}",
            page.diagnose()
        );
        assert!(
            s[1].as_str()
                .unwrap_or_default()
                .contains("politics.enabled is off"),
            "`{key}` has no note: {s}"
        );
    }
    // The levers whose mechanisms are on stay offered.
    assert_eq!(state("postings.tenure_months")[0], json!(false));
    page.choose_scenario("teaching/political_transfers");
    let s = state("politics.interference");
    assert_eq!(s[0], json!(false), "{s}");
    assert_eq!(s[1], json!(""), "{s}");
}

/// An open page that prints the page's state and console when the test
/// panics (the assertion alone rarely says why).
struct Open(Page);

impl Open {
    fn new(install: &Installation) -> Open {
        Open(Page::open(install))
    }
}

impl Drop for Open {
    fn drop(&mut self) {
        if std::thread::panicking() && !self.0.diagnosed.get() {
            eprintln!("the page when the test failed:\n{}", self.0.diagnose());
        }
    }
}

// ---------------------------------------------------------------------------
// Projectors, present mode, download names (issue 16).

/// What the page looks like in the window, measured in the page.
#[derive(Debug)]
struct Fit {
    viewport: (f64, f64),
    /// The document's scrollWidth and clientWidth.
    document: (f64, f64),
    /// (id, scrollWidth, clientWidth) of the panes and every chart legend.
    boxes: Vec<(String, f64, f64)>,
    /// The first chart card and its plot: left, top, right, bottom.
    card: [f64; 4],
    plot: [f64; 4],
    /// The Run button's box, and whether it is what a click there hits.
    run: [f64; 4],
    run_on_top: bool,
}

fn measure(page: &Page) -> Fit {
    let v = page.browser.execute(
        "const box = e => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
         const de = document.documentElement;
         const card = document.querySelector('#chart-grid .chart-card');
         const run = document.getElementById('run');
         const rb = run.getBoundingClientRect();
         const hit = document.elementFromPoint(rb.left + rb.width / 2, rb.top + rb.height / 2);
         const boxes = [document.getElementById('controls'), document.getElementById('charts')]
           .concat(Array.from(document.querySelectorAll('.chart-legend')))
           .map(e => [e.id || e.className, e.scrollWidth, e.clientWidth]);
         return {
           viewport: [window.innerWidth, window.innerHeight],
           document: [de.scrollWidth, de.clientWidth],
           boxes: boxes,
           card: box(card),
           plot: box(card.querySelector('.chart')),
           run: box(run),
           run_on_top: !!hit && hit.closest('#run') === run
         };",
        &[],
    );
    let f = |x: &Json| x.as_f64().unwrap_or(f64::NAN);
    let four = |k: &str| {
        let a = v[k].as_array().unwrap_or_else(|| panic!("{k}: {v}"));
        [f(&a[0]), f(&a[1]), f(&a[2]), f(&a[3])]
    };
    Fit {
        viewport: (f(&v["viewport"][0]), f(&v["viewport"][1])),
        document: (f(&v["document"][0]), f(&v["document"][1])),
        boxes: v["boxes"]
            .as_array()
            .expect("boxes")
            .iter()
            .map(|b| (b[0].as_str().unwrap_or("").to_string(), f(&b[1]), f(&b[2])))
            .collect(),
        card: four("card"),
        plot: four("plot"),
        run: four("run"),
        run_on_top: v["run_on_top"].as_bool() == Some(true),
    }
}

/// The page at a projector's size: no sideways scrolling anywhere, the
/// first chart large and whole on the first screen, Run in sight.
#[track_caller]
fn assert_fits(page: &Page, when: &str) {
    let fit = measure(page);
    let (vw, vh) = fit.viewport;
    let ctx = format!("{vw}x{vh}, {when}: {fit:?}");
    assert!(
        fit.document.0 <= fit.document.1,
        "the page scrolls sideways: scrollWidth {} > clientWidth {} ({ctx})",
        fit.document.0,
        fit.document.1
    );
    for (id, scroll, client) in &fit.boxes {
        assert!(
            scroll <= &(client + 1.0),
            "`{id}` scrolls sideways (its content is cut off): scrollWidth {scroll} > clientWidth {client} ({ctx})"
        );
    }
    let [left, _, right, _] = fit.card;
    assert!(
        left >= 0.0 && right <= vw,
        "the first chart is not inside the window's width ({ctx})"
    );
    assert!(
        right - left >= 0.6 * vw,
        "the first chart is {:.0} px wide, under 60% of the {vw} px window ({ctx})",
        right - left
    );
    let [_, top, _, bottom] = fit.plot;
    assert!(
        top >= 0.0 && bottom <= vh,
        "the first chart's plot is not whole on the first screen: top {top}, bottom {bottom} ({ctx})"
    );
    let [rl, rt, rr, rb] = fit.run;
    assert!(
        rl >= 0.0 && rt >= 0.0 && rr <= vw && rb <= vh && fit.run_on_top,
        "the Run button is not in sight ({ctx})"
    );
}

/// Issue 16, item 1: a projector at 1024x768 or 1280x720 shows the
/// controls and one large chart, with no sideways scrolling.
#[test]
fn the_page_fits_a_projector_screen() {
    let Some(install) = installation("the_page_fits_a_projector_screen") else {
        return;
    };
    let _lock = one_at_a_time();
    let started = Instant::now();
    let page = Open::new(&install);
    let page = &page.0;
    for (w, h, scenario) in [
        (1280, 720, "teaching/political_transfers"),
        (1024, 768, "teaching/merit_vs_patronage"),
    ] {
        page.browser.set_viewport(w, h);
        page.choose_scenario(scenario);
        assert_fits(page, "after loading");
        // Scrolled to the table, a run brings the first chart back.
        page.browser.execute(
            "document.getElementById('diff-table').scrollIntoView();",
            &[],
        );
        page.set_run(Some(4), None, None);
        page.run("#compare");
        assert_fits(page, "after Compare");
        let drawn = page.browser.execute(
            "return document.querySelectorAll('#chart-grid canvas').length;",
            &[],
        );
        assert!(
            drawn.as_u64().unwrap_or(0) >= 6,
            "{w}x{h}: the charts are not drawn: {drawn} canvases"
        );
    }
    if let Some(dir) = webdriver::shots_dir() {
        // The controls from the top, as after choosing a scenario.
        page.browser
            .execute("document.getElementById('controls').scrollTop = 0;", &[]);
        let path = dir.join("page_1024x768.png");
        page.browser.screenshot(&path);
        eprintln!("screenshot saved to {}", path.display());
    }
    eprintln!(
        "the_page_fits_a_projector_screen: {:.1} s",
        started.elapsed().as_secs_f64()
    );
}

/// The state of present mode: whether it is open, the chart it shows, its
/// plot's box as shares of the window, and the focused element's id.
fn presenting(page: &Page) -> Json {
    page.browser.execute(
        "const d = document.getElementById('present');
         const c = document.querySelector('#present-chart canvas');
         const r = c ? c.getBoundingClientRect() : null;
         const px = e => e ? parseFloat(getComputedStyle(e).fontSize) : 0;
         return {
           open: d.open,
           chart: d.dataset.chart || '',
           width: r ? r.width / window.innerWidth : 0,
           height: r ? r.height / window.innerHeight : 0,
           inside: r ? r.left >= 0 && r.top >= 0 && r.right <= window.innerWidth && r.bottom <= window.innerHeight : false,
           legend_px: px(document.querySelector('#present-legend td')),
           page_legend_px: px(document.querySelector('#chart-grid .chart-legend td')),
           focus: document.activeElement ? document.activeElement.id : ''
         };",
        &[],
    )
}

/// Issue 16, item 2: present mode shows one chart filling the window, in
/// larger type; the arrow keys move, Escape leaves and gives focus back.
#[test]
fn present_mode_shows_one_chart_large_and_moves_with_the_keys() {
    use webdriver::{ARROW_LEFT, ARROW_RIGHT, ESCAPE};
    let Some(install) = installation("present_mode_shows_one_chart_large_and_moves_with_the_keys")
    else {
        return;
    };
    let _lock = one_at_a_time();
    let started = Instant::now();
    let page = Open::new(&install);
    let page = &page.0;
    page.browser.set_viewport(1280, 720);
    page.choose_scenario("teaching/merit_vs_patronage");
    page.run("#compare");
    let charts: Vec<String> = page
        .browser
        .execute(
            "return Array.from(document.querySelectorAll('#chart-grid .chart-card'), c => c.dataset.chart);",
            &[],
        )
        .as_array()
        .expect("chart ids")
        .iter()
        .map(|c| c.as_str().unwrap_or_default().to_string())
        .collect();
    assert!(charts.len() >= 6, "charts: {charts:?}");

    // `p` typed into a number field is not a shortcut.
    page.browser.click(&page.browser.find("#years"));
    page.browser.press_keys(&["p"]);
    assert_eq!(
        presenting(page)["open"],
        json!(false),
        "`p` in #years opened present mode"
    );

    // The key, from the page.
    page.browser
        .execute("document.activeElement.blur(); window.scrollTo(0, 0);", &[]);
    page.browser.press_keys(&["p"]);
    let p = presenting(page);
    assert_eq!(p["open"], json!(true), "`p` did not open present mode: {p}");
    assert_eq!(p["chart"], json!(charts[0]), "{p}");
    if let Some(dir) = webdriver::shots_dir() {
        let path = dir.join("page_present.png");
        page.browser.screenshot(&path);
        eprintln!("screenshot saved to {}", path.display());
    }
    let share = |k: &str| p[k].as_f64().unwrap_or(0.0);
    assert!(
        share("width") >= 0.85 && share("height") >= 0.5 && p["inside"] == json!(true),
        "the presented chart should fill most of the window: {p}"
    );
    assert!(
        p["legend_px"].as_f64().unwrap_or(0.0)
            >= 1.2 * p["page_legend_px"].as_f64().unwrap_or(f64::NAN),
        "the presented legend should be larger than on the page: {p}"
    );
    assert_eq!(
        p["focus"],
        json!("present-next"),
        "focus in the dialog: {p}"
    );
    page.browser.press_keys(&[ARROW_RIGHT]);
    assert_eq!(
        presenting(page)["chart"],
        json!(charts[1]),
        "→ goes to the next chart"
    );
    page.browser.press_keys(&[ARROW_LEFT, ARROW_LEFT]);
    assert_eq!(
        presenting(page)["chart"],
        json!(charts[charts.len() - 1]),
        "← from the first chart goes round to the last"
    );
    page.browser.press_keys(&[ESCAPE]);
    assert_eq!(
        presenting(page)["open"],
        json!(false),
        "Escape did not leave present mode"
    );

    // The button, and a chart's own button: focus comes back to it.
    page.browser.click(&page.browser.find("#present-open"));
    assert_eq!(
        presenting(page)["open"],
        json!(true),
        "#present-open did not open it"
    );
    page.browser.click(&page.browser.find("#present-next"));
    page.browser.click(&page.browser.find("#present-close"));
    let p = presenting(page);
    assert!(
        p["open"] == json!(false) && p["focus"] == json!("present-open"),
        "Close should leave and give focus back to the Present button: {p}"
    );
    let own = page.browser.find("#card-corruption button[data-present]");
    page.browser.click(&own);
    let p = presenting(page);
    assert_eq!(
        p["chart"],
        json!("corruption"),
        "a chart's own Present button: {p}"
    );
    page.browser.press_keys(&[ESCAPE]);
    let back = page.browser.execute(
        "return document.activeElement === document.querySelector('#card-corruption button[data-present]');",
        &[],
    );
    assert_eq!(
        back,
        json!(true),
        "focus should return to the chart's Present button"
    );
    eprintln!(
        "present_mode_shows_one_chart_large_and_moves_with_the_keys: {:.1} s",
        started.elapsed().as_secs_f64()
    );
}

/// Issue 16, items 3 and 5: downloads are named after the scenario and the
/// run's settings, as the server names them; the results table, its
/// heading and the legends say the same year the same way.
#[test]
fn downloads_are_named_after_the_scenario_and_the_settings() {
    let Some(install) = installation("downloads_are_named_after_the_scenario_and_the_settings")
    else {
        return;
    };
    let _lock = one_at_a_time();
    let started = Instant::now();
    let page = Open::new(&install);
    let page = &page.0;
    page.choose_scenario("teaching/political_transfers");
    // Six years, shorter than the table's usual year 20.
    page.set_run(Some(2), Some(6), Some(2));
    let heading = page.browser.text(&page.browser.find("#table-heading"));
    assert_eq!(heading, "Results at year 6", "before the run");
    let (result, _, _) = page.run("#compare");
    let seed = result["start"]["seed"].as_u64().expect("start.seed");
    // The demo's interference is on the slider, so the run has a reform of
    // yours from year 2, and is not the library file as it stands.
    let stem = format!("political_transfers_6y_2rep_seed{seed}_reform2_custom");
    assert_eq!(
        result["start"]["stem"],
        json!(stem),
        "start = {}",
        result["start"]
    );
    let link = |id: &str| {
        page.browser.execute(
            "const a = document.getElementById(arguments[0]);
             return fetch(a.href).then(r => [a.getAttribute('download'),
                                             r.headers.get('Content-Disposition')]);",
            &[json!(id)],
        )
    };
    for (id, name) in [
        ("download-csv", format!("{stem}_yours.csv")),
        ("download-baseline-csv", format!("{stem}_baseline.csv")),
    ] {
        let got = link(id);
        assert_eq!(got[0], json!(name), "`#{id}`'s download name");
        assert_eq!(
            got[1],
            json!(format!("attachment; filename=\"{name}\"")),
            "the server's name for `#{id}`"
        );
    }
    page.browser.click(&page.browser.find("#download-toml"));
    let toml = page
        .browser
        .wait_for_download(".toml", Duration::from_secs(10));
    assert_eq!(
        toml.file_name().unwrap().to_string_lossy(),
        format!("{stem}.toml"),
        "the TOML's name"
    );

    // One wording of the year: the table's heading and caption, and each
    // legend, at the run's last year.
    let shown = page.browser.execute(
        "return {
           heading: document.getElementById('table-heading').textContent,
           caption: document.querySelector('#diff-table caption').textContent,
           legends: Array.from(document.querySelectorAll('.legend-table th.lg-year'), t => t.textContent)
         };",
        &[],
    );
    assert_eq!(shown["heading"], json!("Results at year 6"), "{shown}");
    assert!(
        shown["caption"]
            .as_str()
            .unwrap_or("")
            .contains("at year 6"),
        "{shown}"
    );
    let legends = shown["legends"].as_array().expect("legends");
    assert!(
        !legends.is_empty() && legends.iter().all(|l| l == "year 6"),
        "every legend should say `year 6`: {shown}"
    );
    eprintln!(
        "downloads_are_named_after_the_scenario_and_the_settings: {:.1} s",
        started.elapsed().as_secs_f64()
    );
}

/// Issue 16, item 4: the "Honest appraisals" demo points at the promotion
/// chart (it sent students to timeseries.csv), which the page draws.
#[test]
fn the_honest_appraisals_demo_points_at_the_promotion_chart() {
    let Some(install) = installation("the_honest_appraisals_demo_points_at_the_promotion_chart")
    else {
        return;
    };
    let _lock = one_at_a_time();
    let page = Open::new(&install);
    let page = &page.0;
    page.browser.set_viewport(1280, 720);
    page.choose_scenario("teaching/honest_appraisals");
    let about = page.browser.execute(
        "const box = document.getElementById('scenario-about');
         box.querySelector('details.try').open = true;
         return {
           text: box.textContent,
           charts: Array.from(box.querySelectorAll('[data-chart-ref]'), a => a.dataset.chartRef),
           rows: Array.from(box.querySelectorAll('[data-row-ref]'), a => a.dataset.rowRef)
         };",
        &[],
    );
    let text = about["text"].as_str().unwrap_or_default();
    assert!(
        !text.contains(".csv") && !text.contains("promotion_rank_correlation"),
        "the demo still sends students to a file or column: {text}"
    );
    assert_eq!(about["charts"], json!(["promotion"]), "{about}");
    assert_eq!(
        about["rows"],
        json!(["promotion_rank_correlation", "peter_effect"]),
        "{about}"
    );
    // The link brings the chart into view.
    page.browser.click(
        &page
            .browser
            .find("#scenario-about [data-chart-ref=\"promotion\"]"),
    );
    let seen = page.browser.execute_async(
        "const done = arguments[0];
         setTimeout(() => {
           const r = document.getElementById('card-promotion').getBoundingClientRect();
           // Within a pixel: a card whose edge lies a fraction of a pixel
           // past the window is not scrolled to (`block: 'nearest'`).
           done(r.top >= 0 && r.bottom <= window.innerHeight + 1);
         }, 1200);",
        &[],
    );
    assert_eq!(
        seen,
        json!(true),
        "the Promotion chart was not brought into view"
    );
    page.set_run(Some(2), Some(8), None);
    let (result, _, _) = page.run("#run");
    let corr = mean_at(&result, "yours", "promotion_rank_correlation", 8);
    assert!((-1.0..=1.0).contains(&corr), "rank correlation {corr}");
    let drawn = page.browser.execute(
        "return !!document.querySelector('#chart-promotion canvas') &&
                document.querySelectorAll('#chart-promotion-legend tbody tr').length;",
        &[],
    );
    assert_eq!(drawn, json!(2), "the promotion chart draws two lines");
}
