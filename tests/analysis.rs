//! docs/analysis.md's Python example runs as written against two real run
//! folders: it stacks them by their `scenario` column, reads the codebook
//! and plots one metric. It needs python3 with pandas and matplotlib; with
//! BUREAUSIM_PYTHON_TESTS=1 (as `.ci/run` sets) a missing one fails the
//! test instead of skipping it.

#[allow(dead_code)]
mod common;

use std::process::Command;

use common::Sandbox;

/// The first fenced block of `lang` in a Markdown file.
fn code_block(markdown: &str, lang: &str) -> String {
    let fence = format!("```{lang}\n");
    let start = markdown.find(&fence).expect("a code block") + fence.len();
    let len = markdown[start..].find("```").expect("a closed block");
    markdown[start..start + len].to_string()
}

#[test]
fn the_pandas_example_of_docs_analysis_md_runs_on_real_output_folders() {
    let has_pandas = Command::new("python3")
        .args(["-c", "import pandas, matplotlib"])
        .status()
        .is_ok_and(|s| s.success());
    if !has_pandas {
        assert!(
            std::env::var_os("BUREAUSIM_PYTHON_TESTS").is_none(),
            "BUREAUSIM_PYTHON_TESTS is set but python3 with pandas and matplotlib is missing"
        );
        eprintln!("skipped: python3 with pandas and matplotlib is not installed");
        return;
    }
    let sb = Sandbox::new();
    let root = env!("CARGO_MANIFEST_DIR");
    for (scenario, out) in [
        ("pakistan_baseline.toml", "outputs/baseline"),
        ("tenure_security.toml", "outputs/tenure"),
    ] {
        sb.cmd()
            .args([
                "run",
                &format!("{root}/scenarios/{scenario}"),
                "--replicates",
                "2",
                "--years",
                "6",
                "--no-plots",
                "--out",
                out,
            ])
            .assert()
            .success();
    }
    let doc = std::fs::read_to_string(format!("{root}/docs/analysis.md")).unwrap();
    sb.write("example.py", &code_block(&doc, "python"));
    let out = Command::new("python3")
        .arg("example.py")
        .current_dir(sb.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "the example failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for expected in [
        "pakistan_baseline",
        "tenure_security",
        "wrote corruption.png",
    ] {
        assert!(
            stdout.contains(expected),
            "{expected} missing from:\n{stdout}"
        );
    }
    assert!(std::fs::metadata(sb.join("corruption.png")).unwrap().len() > 1000);
}
