//! Writing results: a run's files are written into a hidden temporary
//! folder beside the destination and moved into place only when complete,
//! so an interrupted run never leaves a half-written result that looks whole,
//! and an existing result is replaced only when asked (`--force`).
//!
//! Every folder bureausim writes carries a marker file ([`MARKER`]);
//! `--force` replaces a folder only when it carries the marker (or is a
//! result of an earlier version, made only of the files bureausim writes),
//! never any other folder. Temporary names carry the process id and a
//! counter, so two processes never collide, and a later run in the same
//! place removes what a killed process left behind.

pub mod chart;
pub mod csv;
pub mod json;
pub mod plots;
pub mod report;
pub mod validation;

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use anyhow::Context;

use crate::error::UsageError;

/// The file that marks a folder as written by bureausim.
pub const MARKER: &str = ".bureausim-output";

/// The output folder exists and `--force` was not given.
#[derive(Debug, thiserror::Error)]
#[error(
    "output folder `{0}` already exists; pass --force to replace it, or choose another folder with --out"
)]
pub struct OutputExists(pub String);

/// The output file exists and `--force` was not given.
#[derive(Debug, thiserror::Error)]
#[error(
    "output file `{0}` already exists; pass --force to replace it, or choose another file with --out"
)]
pub struct FileExists(pub String);

/// Writes the marker into `dir`, saying what wrote it.
pub fn mark(dir: &Path, what: &str) -> anyhow::Result<()> {
    let path = dir.join(MARKER);
    std::fs::write(
        &path,
        format!(
            "This folder was written by bureausim {} ({what}).\n`--force` may replace a folder only when this file is in it.\n",
            env!("CARGO_PKG_VERSION")
        ),
    )
    .with_context(|| format!("cannot write `{}`", path.display()))
}

/// Names an earlier version's results are made of (before the marker).
fn legacy_name(name: &str) -> bool {
    const KNOWN: &[&str] = &[
        "timeseries.csv",
        "grades.csv",
        "summary.json",
        "scenario.toml",
        "run.json",
        "experiment.json",
        "runs",
        "report.html",
        "report.md",
        "table.csv",
        "points.csv",
        "indices.csv",
        "runs.csv",
    ];
    KNOWN.contains(&name) || name.ends_with(".png") || name.ends_with(".svg")
}

/// True when `dir` is a folder bureausim wrote: it holds the marker, or it
/// is an earlier version's result (a `run.json` or `experiment.json` and
/// nothing but the files bureausim writes).
pub fn is_ours(dir: &Path) -> bool {
    if !dir.is_dir() {
        return false;
    }
    if dir.join(MARKER).is_file() {
        return true;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return false;
    };
    let names: Vec<String> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names
        .iter()
        .any(|n| n == "run.json" || n == "experiment.json")
        && names.iter().all(|n| legacy_name(n))
}

/// The refusal for replacing `dest`, a folder bureausim did not write.
pub fn not_ours(dest: &Path) -> anyhow::Error {
    UsageError(format!(
        "`{}` exists and was not written by bureausim (it has no {MARKER} file); --force replaces only folders bureausim wrote: choose another folder with --out, or move it away yourself",
        dest.display()
    ))
    .into()
}

/// Checks, before any work, that results can be written to the folder
/// `dest`: [`check_shape`], and an existing folder only under `force` and
/// only if bureausim wrote it.
pub fn check_destination(dest: &Path, force: bool) -> anyhow::Result<()> {
    check_shape(dest)?;
    if dest.exists() {
        if !force {
            return Err(OutputExists(dest.display().to_string()).into());
        }
        if !is_ours(dest) {
            return Err(not_ours(dest));
        }
    }
    Ok(())
}

/// Checks that `dest` can be a folder of results: a path with a last
/// component, not an existing file, under a parent that is (or can be
/// made) a folder.
pub fn check_shape(dest: &Path) -> anyhow::Result<()> {
    let bad = |why: &str| -> anyhow::Error {
        UsageError(format!("--out {}: {why}", dest.display())).into()
    };
    match dest.file_name() {
        None => {
            return Err(bad(
                "names no folder (it is a root or ends in `..`); give a folder such as outputs/my-run",
            ));
        }
        Some(n) if n == OsStr::new(".") => {
            return Err(bad("names no folder; give a folder such as outputs/my-run"));
        }
        _ => {}
    }
    if dest.exists() && !dest.is_dir() {
        return Err(bad(
            "is a file, not a folder; results are a folder of files: choose another path",
        ));
    }
    let mut p = Some(parent_of(dest));
    while let Some(q) = p {
        if q.exists() {
            if !q.is_dir() {
                return Err(bad(&format!(
                    "`{}` is a file, so no folder can be made inside it",
                    q.display()
                )));
            }
            break;
        }
        p = q.parent().filter(|x| !x.as_os_str().is_empty());
    }
    Ok(())
}

fn parent_of(dest: &Path) -> &Path {
    dest.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// A temporary name beside `dest` that no other process and no other call
/// in this process uses: `.NAME.KIND-PID-N`.
fn temporary_path(dest: &Path, kind: &str) -> PathBuf {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let mut name = std::ffi::OsString::from(".");
    name.push(dest.file_name().unwrap_or(OsStr::new("out")));
    name.push(format!(".{kind}-{}-{n}", std::process::id()));
    parent_of(dest).join(name)
}

/// The process id in a temporary name `.NAME.KIND-PID-N` (or the older
/// `.NAME.KIND-PID`) whose `NAME` is `stem`.
fn temporary_pid(file_name: &OsStr, stem: &OsStr) -> Option<u32> {
    let name = file_name.to_str()?;
    let stem = stem.to_str()?;
    let rest = name
        .strip_prefix('.')?
        .strip_prefix(stem)?
        .strip_prefix('.')?;
    let rest = rest
        .strip_prefix("partial-")
        .or_else(|| rest.strip_prefix("old-"))?;
    let pid = rest.split('-').next()?;
    pid.parse().ok()
}

/// Whether process `pid` is running: `None` where this cannot be told.
fn alive(pid: u32) -> Option<bool> {
    if pid == std::process::id() {
        return Some(true);
    }
    Path::new("/proc/self")
        .exists()
        .then(|| Path::new(&format!("/proc/{pid}")).exists())
}

/// Removes the temporaries beside `dest` that a killed process left (its
/// partial results, or an old result it was replacing), reporting each on
/// stderr; where a process's liveness cannot be told, reports them only.
/// A folder is removed only if it carries the marker (or is empty).
pub fn clear_stale(dest: &Path) {
    let (Some(stem), Ok(entries)) = (dest.file_name(), std::fs::read_dir(parent_of(dest))) else {
        return;
    };
    for e in entries.filter_map(|e| e.ok()) {
        let Some(pid) = temporary_pid(&e.file_name(), stem) else {
            continue;
        };
        let path = e.path();
        match alive(pid) {
            Some(true) => {}
            Some(false) => {
                let removed = if path.is_dir() {
                    let empty = std::fs::read_dir(&path).is_ok_and(|mut d| d.next().is_none());
                    (path.join(MARKER).is_file() || empty) && std::fs::remove_dir_all(&path).is_ok()
                } else {
                    std::fs::remove_file(&path).is_ok()
                };
                if removed {
                    eprintln!(
                        "note: removed `{}`, left by an interrupted bureausim (process {pid})",
                        path.display()
                    );
                }
            }
            None => eprintln!(
                "note: `{}` looks left by an interrupted bureausim (process {pid}); remove it if no bureausim is running",
                path.display()
            ),
        }
    }
}

/// A folder being written; [`Staging::commit`] moves it into place.
pub struct Staging {
    pub tmp: PathBuf,
    dest: PathBuf,
    force: bool,
    committed: bool,
}

impl Drop for Staging {
    /// A run that failed or was abandoned removes its partial folder.
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.tmp);
        }
    }
}

impl Staging {
    /// Prepares to write the folder `dest` ([`check_destination`] first);
    /// `what` says in the marker what the folder holds.
    pub fn new(dest: &Path, force: bool, what: &str) -> anyhow::Result<Self> {
        check_destination(dest, force)?;
        let parent = parent_of(dest);
        std::fs::create_dir_all(parent)
            .with_context(|| format!("cannot create folder `{}`", parent.display()))?;
        clear_stale(dest);
        let tmp = temporary_path(dest, "partial");
        std::fs::create_dir(&tmp)
            .with_context(|| format!("cannot create folder `{}`", tmp.display()))?;
        let staging = Staging {
            tmp,
            dest: dest.to_path_buf(),
            force,
            committed: false,
        };
        mark(&staging.tmp, what)?;
        Ok(staging)
    }

    /// Moves the finished folder into place, replacing an old one under
    /// `force` (only one bureausim wrote).
    pub fn commit(mut self) -> anyhow::Result<PathBuf> {
        if self.dest.exists() {
            if !self.force {
                return Err(OutputExists(self.dest.display().to_string()).into());
            }
            if !is_ours(&self.dest) {
                return Err(not_ours(&self.dest));
            }
            let old = temporary_path(&self.dest, "old");
            std::fs::rename(&self.dest, &old)
                .with_context(|| format!("cannot move the old `{}` aside", self.dest.display()))?;
            if let Err(e) = std::fs::rename(&self.tmp, &self.dest) {
                // Put the old result back rather than leave nothing.
                let _ = std::fs::rename(&old, &self.dest);
                return Err(e).with_context(|| {
                    format!("cannot move results into `{}`", self.dest.display())
                });
            }
            self.committed = true;
            if let Err(e) = std::fs::remove_dir_all(&old) {
                eprintln!(
                    "note: the new results are in `{}`, but the old ones, moved to `{}`, could not be removed: {e}",
                    self.dest.display(),
                    old.display()
                );
            }
        } else {
            std::fs::rename(&self.tmp, &self.dest)
                .with_context(|| format!("cannot move results into `{}`", self.dest.display()))?;
            self.committed = true;
        }
        Ok(self.dest.clone())
    }
}

/// Writes `bytes` to `dest` through a temporary file beside it, so `dest`
/// is either the old file or the complete new one; an existing file is
/// replaced only under `force`, and never a folder.
pub fn write_file_atomic(dest: &Path, bytes: &[u8], force: bool) -> anyhow::Result<()> {
    if dest.is_dir() {
        return Err(UsageError(format!(
            "`{}` is a folder; give a file name to write to",
            dest.display()
        ))
        .into());
    }
    if dest.exists() && !force {
        return Err(FileExists(dest.display().to_string()).into());
    }
    let parent = parent_of(dest);
    std::fs::create_dir_all(parent)
        .with_context(|| format!("cannot create folder `{}`", parent.display()))?;
    clear_stale(dest);
    let tmp = temporary_path(dest, "partial");
    std::fs::write(&tmp, bytes).with_context(|| format!("cannot write `{}`", tmp.display()))?;
    std::fs::rename(&tmp, dest).with_context(|| {
        let _ = std::fs::remove_file(&tmp);
        format!("cannot move the file into `{}`", dest.display())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_overwrites_without_force() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("res");
        let s = Staging::new(&dest, false, "test").unwrap();
        std::fs::write(s.tmp.join("a.txt"), "1").unwrap();
        s.commit().unwrap();
        assert!(Staging::new(&dest, false, "test").is_err());
        let s = Staging::new(&dest, true, "test").unwrap();
        std::fs::write(s.tmp.join("b.txt"), "2").unwrap();
        s.commit().unwrap();
        assert!(dest.join("b.txt").exists() && !dest.join("a.txt").exists());
        assert!(dest.join(MARKER).is_file());
        let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "no temporary folders left behind");
        // An abandoned staging folder removes itself.
        let s = Staging::new(&dir.path().join("other"), false, "test").unwrap();
        let tmp = s.tmp.clone();
        drop(s);
        assert!(!tmp.exists());
    }

    #[test]
    fn force_replaces_only_folders_bureausim_wrote() {
        let dir = tempfile::tempdir().unwrap();
        let theirs = dir.path().join("theirs");
        std::fs::create_dir(&theirs).unwrap();
        std::fs::write(theirs.join("thesis.tex"), "years of work").unwrap();
        let e = Staging::new(&theirs, true, "test")
            .err()
            .unwrap()
            .to_string();
        assert!(e.contains("was not written by bureausim"), "{e}");
        assert!(theirs.join("thesis.tex").is_file());
        // An earlier version's result (no marker, only its own files) is ours.
        let legacy = dir.path().join("legacy");
        std::fs::create_dir(&legacy).unwrap();
        for f in ["run.json", "timeseries.csv", "overview.png"] {
            std::fs::write(legacy.join(f), "x").unwrap();
        }
        assert!(is_ours(&legacy));
        std::fs::write(legacy.join("notes.txt"), "mine").unwrap();
        assert!(!is_ours(&legacy));
    }

    #[test]
    fn temporaries_of_dead_processes_are_cleared_and_names_are_unique() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("res");
        // A pid far above any real one stands for a killed process.
        let dead = dir.path().join(".res.partial-4000000000-0");
        std::fs::create_dir(&dead).unwrap();
        mark(&dead, "test").unwrap();
        let foreign = dir.path().join(".res.partial-4000000001-0");
        std::fs::create_dir(&foreign).unwrap();
        std::fs::write(foreign.join("keep.txt"), "not ours").unwrap();
        let a = temporary_path(&dest, "old");
        let b = temporary_path(&dest, "old");
        assert_ne!(a, b);
        assert_eq!(
            temporary_pid(a.file_name().unwrap(), OsStr::new("res")),
            Some(std::process::id())
        );
        let s = Staging::new(&dest, false, "test").unwrap();
        if Path::new("/proc/self").exists() {
            assert!(!dead.exists(), "a dead process's marked folder is removed");
        }
        assert!(
            foreign.join("keep.txt").exists(),
            "an unmarked folder is kept"
        );
        assert!(s.tmp.exists(), "this process's own folder is kept");
    }

    #[test]
    fn impossible_destinations_are_refused_before_any_work() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("file");
        std::fs::write(&file, "x").unwrap();
        for (dest, want) in [
            (PathBuf::from("/"), "names no folder"),
            (file.clone(), "is a file, not a folder"),
            (file.join("sub"), "is a file, so no folder"),
        ] {
            let e = check_destination(&dest, true).unwrap_err().to_string();
            assert!(e.contains(want), "{}: {e}", dest.display());
        }
    }
}
