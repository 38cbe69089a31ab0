//! Records the git commit the binary is built from (`bureausim::version`),
//! so every output can say exactly which code made it. Without git or
//! outside a repository (a source tarball) the commit is "unknown".

use std::path::Path;
use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

fn main() {
    let commit = git(&["rev-parse", "HEAD"]).filter(|c| !c.is_empty());
    // Tracked files changed since that commit: the binary is not exactly it.
    let dirty = commit.is_some()
        && git(&["status", "--porcelain", "--untracked-files=no"]).is_some_and(|s| !s.is_empty());
    let text = match commit {
        Some(c) if dirty => format!("{c}-dirty"),
        Some(c) => c,
        None => "unknown".into(),
    };
    println!("cargo:rustc-env=BUREAUSIM_GIT_COMMIT={text}");
    // The platform: results are byte-identical only on the same maths
    // library (docs/model.md, "Determinism").
    let target = std::env::var("TARGET").unwrap_or_else(|_| "unknown".into());
    println!("cargo:rustc-env=BUREAUSIM_TARGET={target}");
    // Rerun when the commit or the sources change (a source change is what
    // makes a tree dirty); never on paths that do not exist, which would
    // rerun on every build.
    let mut watch = vec![
        "build.rs".to_string(),
        "src".into(),
        "Cargo.toml".into(),
        "Cargo.lock".into(),
    ];
    if let Some(git_dir) = git(&["rev-parse", "--git-dir"]) {
        watch.push(format!("{git_dir}/HEAD"));
        watch.push(format!("{git_dir}/packed-refs"));
        if let Some(r) = git(&["symbolic-ref", "-q", "HEAD"]) {
            watch.push(format!("{git_dir}/{r}"));
        }
    }
    for w in watch {
        if Path::new(&w).exists() {
            println!("cargo:rerun-if-changed={w}");
        }
    }
}
