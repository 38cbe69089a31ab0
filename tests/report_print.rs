//! The comparison report (`bureausim compare`'s report.html) printed: in
//! print media at the printable width of A4 every table fits the page (no
//! table runs past the paper's edge, no cell is cut off in a scrolling
//! box, which paper cannot scroll), and Print Page gives a PDF.
//!
//! Runs the real binary on the four headline scenarios (small and short,
//! so that it takes seconds), opens the report from its file in headless
//! Chromium and measures it there. Needs Chromium and ChromeDriver as
//! tests/browser.rs does: without them the test prints a note and passes,
//! unless `BUREAUSIM_BROWSER_TESTS=1` (set in CI) makes it fail.
//! `BUREAUSIM_SHOTS=<dir>` saves `report_screen.png` (the first screen at
//! 1280x900) and `report.pdf` there.
//!
//! ```sh
//! BUREAUSIM_BROWSER_TESTS=1 cargo test --release --test report_print -- --nocapture
//! ```

// Shared with tests/browser.rs, which uses other parts of it.
#[allow(dead_code)]
#[path = "common/webdriver.rs"]
mod webdriver;

use std::path::Path;
use std::time::Instant;

use serde_json::json;
use webdriver::Browser;

/// A4 is 210 mm wide; the report's `@page` margins are 12 mm; at 96 CSS
/// pixels to the inch that leaves 186 mm = 703 px. Measured 15 px wider, as
/// the brief for the report allows (about 718 px), so a table that fits
/// only by a hair is still caught when it does not.
const A4_PRINTABLE_PX: u32 = 718;

/// `bureausim compare` of the headline scenarios into `out`.
fn compare(out: &Path) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let scenarios = [
        "pakistan_baseline",
        "tenure_security",
        "pay_decompression",
        "accountability_reform",
    ];
    let started = Instant::now();
    let output = std::process::Command::new(assert_cmd::cargo::cargo_bin("bureausim"))
        .arg("compare")
        .args(scenarios.map(|s| root.join("scenarios").join(format!("{s}.toml"))))
        .args([
            "--replicates",
            "2",
            "--years",
            "10",
            "--scale",
            "0.1",
            "--out",
        ])
        .arg(out)
        .output()
        .expect("start `bureausim compare`");
    assert!(
        output.status.success(),
        "`bureausim compare` failed ({}):\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    eprintln!(
        "bureausim compare (4 scenarios, 2 replicates, 10 years, scale 0.1): {:.1} s",
        started.elapsed().as_secs_f64()
    );
}

/// A `file://` URL of an absolute path.
fn file_url(path: &Path) -> String {
    let mut url = String::from("file://");
    for b in path.to_string_lossy().bytes() {
        if b.is_ascii_alphanumeric() || b"/-_.~".contains(&b) {
            url.push(char::from(b));
        } else {
            url.push_str(&format!("%{b:02X}"));
        }
    }
    url
}

/// Every table of the page that does not fit: what it is and why.
fn tables_that_do_not_fit(browser: &Browser) -> (usize, Vec<String>) {
    let v = browser.execute(
        "const width = document.documentElement.clientWidth;
         const out = [];
         const tables = Array.from(document.querySelectorAll('table'));
         tables.forEach((t, i) => {
           const r = t.getBoundingClientRect();
           const box = t.parentElement;
           let h = t.previousElementSibling || box.previousElementSibling;
           const name = (t.caption && t.caption.textContent) ||
             (h && /^H[1-6]$/.test(h.tagName) ? h.textContent : 'table ' + (i + 1));
           const problems = [];
           if (r.right > width + 0.5) problems.push('its right edge ' + r.right.toFixed(0) + ' px is past the page width ' + width + ' px');
           if (t.scrollWidth > box.clientWidth + 0.5) problems.push('it is ' + t.scrollWidth + ' px wide in a box of ' + box.clientWidth + ' px, so cells are cut off');
           if (problems.length) out.push(name.trim().slice(0, 80) + ': ' + problems.join('; '));
         });
         const de = document.documentElement;
         if (de.scrollWidth > de.clientWidth) {
           // What sticks out, innermost first: an element past the edge,
           // or one whose own content (a long word) overflows it.
           const past = e => e.getBoundingClientRect().right > width + 0.5 ||
                             (!(e instanceof SVGElement) && e.clientWidth > 0 && e.scrollWidth > e.clientWidth + 1);
           const wide = Array.from(document.body.querySelectorAll('*'))
             .filter(e => past(e) && !Array.from(e.children).some(past))
             .slice(0, 5)
             .map(e => '<' + e.tagName.toLowerCase() + '> ' +
                       JSON.stringify((e.textContent || '').trim().slice(0, 100)) +
                       ' (' + Math.max(e.scrollWidth, e.getBoundingClientRect().right).toFixed(0) + ' px)');
           out.push('the page itself is ' + de.scrollWidth + ' px wide, past ' + width + ' px: ' + wide.join('; '));
         }
         return [tables.length, out];",
        &[],
    );
    let n = v[0].as_u64().unwrap_or(0) as usize;
    let problems = v[1]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|p| p.as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default();
    (n, problems)
}

#[test]
fn the_comparison_report_prints_on_a4_with_every_table_on_the_page() {
    let Some(install) = webdriver::installation_or_skip(
        "the_comparison_report_prints_on_a4_with_every_table_on_the_page",
    ) else {
        return;
    };
    let started = Instant::now();
    let dir = tempfile::tempdir().expect("create a folder for the comparison");
    let out = dir.path().join("cmp");
    compare(&out);
    let report = out.join("report.html");
    assert!(report.is_file(), "no report.html in {}", out.display());

    let browser = Browser::start(&install);
    let shots = webdriver::shots_dir();
    browser.set_viewport(1280, 900);
    browser.navigate(&file_url(&report));
    let title = browser.execute("return document.title;", &[]);
    assert!(
        title.as_str().is_some_and(|t| !t.is_empty()),
        "report.html has no title: {title}"
    );
    if let Some(dir) = &shots {
        let path = dir.join("report_screen.png");
        browser.screenshot(&path);
        eprintln!("screenshot saved to {}", path.display());
    }

    // Print media at the printable width of A4.
    browser.cdp("Emulation.setEmulatedMedia", json!({"media": "print"}));
    // Paper has no scroll bar to take its width.
    browser.cdp("Emulation.setScrollbarsHidden", json!({"hidden": true}));
    browser.cdp(
        "Emulation.setDeviceMetricsOverride",
        json!({"width": A4_PRINTABLE_PX, "height": 1000, "deviceScaleFactor": 1, "mobile": false}),
    );
    let printing = browser.execute(
        "return [matchMedia('print').matches, document.documentElement.clientWidth];",
        &[],
    );
    assert_eq!(
        printing,
        json!([true, A4_PRINTABLE_PX]),
        "print media at {A4_PRINTABLE_PX} px was not emulated"
    );
    let (tables, problems) = tables_that_do_not_fit(&browser);
    assert!(
        tables >= 3,
        "the report should have tables; it has {tables}"
    );
    assert!(
        problems.is_empty(),
        "printed on A4, the report does not fit the page ({tables} tables in all):\n  {}",
        problems.join("\n  ")
    );
    eprintln!("report.html in print media at {A4_PRINTABLE_PX} px: all {tables} tables fit");

    // Print Page on A4 with the report's margins.
    browser.cdp("Emulation.clearDeviceMetricsOverride", json!({}));
    browser.cdp("Emulation.setScrollbarsHidden", json!({"hidden": false}));
    browser.cdp("Emulation.setEmulatedMedia", json!({"media": ""}));
    let pdf = browser.print_pdf(21.0, 29.7, 1.2);
    assert!(
        pdf.starts_with(b"%PDF") && pdf.len() > 2_000,
        "Print Page gave no PDF ({} bytes, starting {:?})",
        pdf.len(),
        String::from_utf8_lossy(&pdf[..pdf.len().min(16)])
    );
    if let Some(dir) = &shots {
        let path = dir.join("report.pdf");
        std::fs::write(&path, &pdf)
            .unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
        eprintln!("PDF saved to {}", path.display());
    }
    eprintln!(
        "the_comparison_report_prints_on_a4_with_every_table_on_the_page: {:.1} s",
        started.elapsed().as_secs_f64()
    );
}

#[test]
fn file_urls_escape_what_a_url_cannot_hold() {
    assert_eq!(
        file_url(Path::new("/tmp/a b/report.html")),
        "file:///tmp/a%20b/report.html"
    );
    assert_eq!(file_url(Path::new("/x/%/é")), "file:///x/%25/%C3%A9");
}
