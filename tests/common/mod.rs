//! Helpers shared by the CLI tests: a sandbox folder that every command runs
//! in (so nothing is written into the repository), scenario fixtures, and
//! stderr normalisation for snapshots.

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use tempfile::TempDir;

/// The checked-in scenario fixtures.
pub fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// A fresh temporary folder, removed when dropped. Commands built with
/// [`Sandbox::cmd`] run inside it, so relative paths (scenario files,
/// `--out`, the default `outputs/`) all resolve into it.
pub struct Sandbox {
    dir: TempDir,
}

impl Sandbox {
    pub fn new() -> Self {
        Sandbox {
            dir: tempfile::tempdir().expect("create a temporary folder"),
        }
    }

    /// The sandbox folder.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// `rel` inside the sandbox.
    pub fn join(&self, rel: impl AsRef<Path>) -> PathBuf {
        self.path().join(rel)
    }

    /// Writes `text` to `name` in the sandbox.
    pub fn write(&self, name: &str, text: &str) {
        fs::write(self.join(name), text).unwrap_or_else(|e| panic!("cannot write {name}: {e}"));
    }

    /// Copies `tests/fixtures/<name>` into the sandbox; returns `name`,
    /// the path to pass to the command.
    pub fn fixture<'a>(&self, name: &'a str) -> &'a str {
        self.write(name, &fixture_text(name));
        name
    }

    /// Writes `name`: the tiny fixture with `extra` appended; returns `name`.
    pub fn tiny_with<'a>(&self, name: &'a str, extra: &str) -> &'a str {
        self.write(name, &format!("{}\n{extra}", fixture_text("tiny.toml")));
        name
    }

    /// Writes `tiny_b.toml`, the tiny fixture under another name: a second
    /// arm for a comparison whose stderr is read (the same file twice, or
    /// two files of one name, is warned of).
    // Not every test crate that shares this module compares.
    #[allow(dead_code)]
    pub fn tiny_b(&self) -> &'static str {
        let text = fixture_text("tiny.toml").replace("name = \"tiny\"", "name = \"tiny_b\"");
        assert!(text.contains("tiny_b"));
        self.write("tiny_b.toml", &text);
        "tiny_b.toml"
    }

    /// The `bureausim` binary, run inside the sandbox.
    pub fn cmd(&self) -> Command {
        let mut cmd = Command::cargo_bin("bureausim").expect("the bureausim binary is built");
        cmd.current_dir(self.path());
        cmd
    }

    /// Runs `args`, expecting bad input: exit code 2, nothing on stdout and
    /// an `error: ` message on stderr, which is returned normalised.
    pub fn bad_input(&self, args: &[&str]) -> String {
        let assert = self.cmd().args(args).assert().code(2).stdout("");
        let stderr = self.normalise(&assert.get_output().stderr);
        assert!(
            stderr.starts_with("error: "),
            "stderr should start with `error: `:\n{stderr}"
        );
        stderr
    }

    /// Runs `args`, expecting success with nothing on stderr; returns stdout.
    pub fn stdout_ok(&self, args: &[&str]) -> String {
        let assert = self.cmd().args(args).assert().success().stderr("");
        String::from_utf8(assert.get_output().stdout.clone()).expect("stdout is UTF-8")
    }

    /// Runs `run <scenario> --no-plots --out <out> <extra...>`, expecting
    /// success; returns the output folder.
    pub fn run_ok(&self, scenario: &str, out: &str, extra: &[&str]) -> PathBuf {
        self.cmd()
            .args(["run", scenario, "--no-plots", "--out", out])
            .args(extra)
            .assert()
            .success();
        self.join(out)
    }

    /// Command output as text with the sandbox path replaced by `[TMP]` and
    /// trailing spaces removed from every line, for stable snapshots.
    pub fn normalise(&self, bytes: &[u8]) -> String {
        let mut text = String::from_utf8_lossy(bytes).into_owned();
        // The canonical form first: on some systems the temporary folder is
        // reached through a symbolic link (/var -> /private/var).
        if let Ok(canonical) = self.path().canonicalize() {
            text = text.replace(&canonical.display().to_string(), "[TMP]");
        }
        text = text.replace(&self.path().display().to_string(), "[TMP]");
        text.lines()
            .map(str::trim_end)
            .collect::<Vec<_>>()
            .join("\n")
    }
}

impl Default for Sandbox {
    fn default() -> Self {
        Self::new()
    }
}

/// The text of `tests/fixtures/<name>`.
pub fn fixture_text(name: &str) -> String {
    let path = fixture_dir().join(name);
    fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// Asserts that `text` contains every one of `parts`.
#[track_caller]
pub fn assert_mentions(text: &str, parts: &[&str]) {
    for part in parts {
        assert!(text.contains(part), "expected {part:?} in:\n{text}");
    }
}

/// The names in folder `dir`, sorted (hidden ones included).
pub fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|e| {
            e.expect("folder entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    names
}

/// The bytes of `dir/name`.
pub fn read(dir: &Path, name: &str) -> Vec<u8> {
    let path = dir.join(name);
    fs::read(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}
