//! Which code made an output: the crate version and the git commit the
//! binary was built from (`-dirty` when tracked files differed from it at
//! build time; "unknown" when built outside a git repository). Written into
//! `run.json`, `summary.json` and every report.

/// The crate version (Cargo.toml).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The git commit the binary was built from.
pub const COMMIT: &str = env!("BUREAUSIM_GIT_COMMIT");

/// "bureausim 0.1.0 (commit 1a2b3c4d5e6f)", for reports.
pub fn words() -> String {
    let short: String = COMMIT.chars().take(12).collect();
    let dirty = if COMMIT.ends_with("-dirty") {
        ", with uncommitted changes"
    } else {
        ""
    };
    if COMMIT == "unknown" {
        format!("bureausim {VERSION} (commit unknown)")
    } else {
        format!("bureausim {VERSION} (commit {short}{dirty})")
    }
}
