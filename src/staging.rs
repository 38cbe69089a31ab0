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

/// Where this process runs: host name, boot id and pid namespace (Linux;
/// empty where unknown). A temporary folder is judged abandoned only by a
/// process that runs where its writer ran.
fn machine() -> [String; 3] {
    let read = |p: &str| {
        std::fs::read_to_string(p)
            .map(|t| t.trim().to_string())
            .unwrap_or_default()
    };
    let ns = std::fs::read_link("/proc/self/ns/pid")
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_default();
    [
        read("/proc/sys/kernel/hostname"),
        read("/proc/sys/kernel/random/boot_id"),
        ns,
    ]
}

/// Writes the marker into `dir`: what wrote it, and where (host, boot,
/// pid namespace, pid), so that a later run can tell an abandoned folder
/// from one still being written.
pub fn mark(dir: &Path, what: &str) -> anyhow::Result<()> {
    let path = dir.join(MARKER);
    // Written beside and renamed into place, so that a marker is never
    // seen half written: a run killed between the file's creation and its
    // text left an empty marker, and its partial folder could then never
    // be claimed as abandoned.
    let tmp = dir.join(format!("{MARKER}.partial-{}-0", std::process::id()));
    let [host, boot, ns] = machine();
    std::fs::write(
        &tmp,
        format!(
            "This folder was written by bureausim {} ({what}).\n`--force` replaces it only while it holds nothing but the files bureausim writes.\nhost: {host}\nboot: {boot}\npidns: {ns}\npid: {}\n",
            env!("CARGO_PKG_VERSION"),
            std::process::id()
        ),
    )
    .and_then(|()| std::fs::rename(&tmp, &path))
    .with_context(|| format!("cannot write `{}`", path.display()))
}

/// A field of the marker in `dir` (`host`, `boot`, `pidns`, `pid`).
fn marker_field(dir: &Path, field: &str) -> Option<String> {
    let text = std::fs::read_to_string(dir.join(MARKER)).ok()?;
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("{field}: ")))
        .map(|v| v.trim().to_string())
}

/// Whether `name` is a file or folder bureausim writes into a result
/// folder: the tables, summaries, manifests, reports, the plots it draws
/// and its own temporaries.
fn written_by_us(name: &str) -> bool {
    const FILES: &[&str] = &[
        MARKER,
        "timeseries.csv",
        "grades.csv",
        "sectors.csv",
        "codebook.csv",
        "summary.json",
        "scenario.toml",
        "run.json",
        "experiment.json",
        "report.html",
        "report.md",
        "table.csv",
        "points.csv",
        "indices.csv",
        "runs.csv",
        "decomposition.csv",
        "costs.csv",
        "ensemble.csv",
    ];
    const PLOTS: &[&str] = &[
        "quality",
        "corruption",
        "efficiency",
        "tenure",
        "headcount",
        "promotion",
        "overview",
        "comparison",
        "differences",
        "sweep",
    ];
    if FILES.contains(&name) {
        return true;
    }
    // Temporaries of write_file_atomic and of the report's plots.
    if name.starts_with('.') && name.contains(".partial") {
        return true;
    }
    let Some(stem) = name
        .strip_suffix(".png")
        .or_else(|| name.strip_suffix(".svg"))
    else {
        return false;
    };
    PLOTS.contains(&stem)
        || stem.strip_prefix("sweep_").is_some_and(metric_name)
        || stem.strip_prefix("sensitivity_").is_some_and(metric_name)
        || stem.strip_prefix("decomposition_").is_some_and(metric_name)
        || stem
            .strip_prefix("ensemble_")
            .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
}

fn metric_name(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// An experiment's run file (`run-NNNNNNN.csv`) or its temporary
/// (`.tmp-NNNNNNN-PID`).
fn run_file(name: &str) -> bool {
    let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    name.strip_prefix("run-")
        .and_then(|r| r.strip_suffix(".csv"))
        .is_some_and(|d| d.len() == 7 && digits(d))
        || name
            .strip_prefix(".tmp-")
            .and_then(|r| r.split_once('-'))
            .is_some_and(|(a, b)| digits(a) && digits(b))
}

/// Whether a folder is bureausim's at all: it holds the marker, or an
/// earlier version's `run.json` or `experiment.json` (JSON naming the
/// version that wrote it).
pub fn claims_ours(dir: &Path) -> bool {
    if dir.join(MARKER).is_file() {
        return true;
    }
    ["run.json", "experiment.json"].iter().any(|f| {
        std::fs::read_to_string(dir.join(f))
            .ok()
            .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
            .is_some_and(|v| v.get("bureausim_version").is_some())
    })
}

/// The entries of `dir` that bureausim did not write (in `runs/`, as
/// `runs/NAME`), up to `max` of them.
fn foreign_entries(dir: &Path, max: usize) -> Vec<String> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return vec!["(the folder cannot be read)".into()];
    };
    for e in entries.filter_map(|e| e.ok()) {
        if out.len() >= max {
            break;
        }
        let name = e.file_name().to_string_lossy().into_owned();
        let is_dir = e.file_type().is_ok_and(|t| t.is_dir());
        // A sub-folder of bureausim's: its files must be of the kind it
        // writes there (run files in `runs/`, a report's in
        // `previous-report/`).
        let ours_in: Option<fn(&str) -> bool> = match name.as_str() {
            "runs" => Some(run_file),
            PREVIOUS_REPORT => Some(written_by_us),
            _ => None,
        };
        if let (Some(ours), true) = (ours_in, is_dir) {
            match std::fs::read_dir(e.path()) {
                Ok(inside) => {
                    for f in inside.filter_map(|f| f.ok()) {
                        let n = f.file_name().to_string_lossy().into_owned();
                        if !(ours(&n) && f.file_type().is_ok_and(|t| t.is_file())) {
                            out.push(format!("{name}/{n}"));
                        }
                    }
                }
                Err(_) => out.push(format!("{name}/")),
            }
        } else if is_dir || !written_by_us(&name) {
            out.push(name);
        }
    }
    out.truncate(max);
    out
}

/// The folder of an experiment where the report drawn before the last
/// change of report settings is kept ([`keep_previous_report`]).
pub const PREVIOUS_REPORT: &str = "previous-report";

/// Moves the report in experiment folder `dir` (every file bureausim
/// writes there but the marker, the manifest and the runs) into
/// `previous-report/`, with a copy of the manifest that says which command
/// drew it, before a rerun with other report settings draws a new one: a
/// report already handed on is not lost (a planner's audit). A report kept
/// there before is replaced; a file in it that bureausim did not write is
/// refused by name.
pub fn keep_previous_report(dir: &Path) -> anyhow::Result<()> {
    use anyhow::Context;
    let kept = dir.join(PREVIOUS_REPORT);
    if kept.exists() {
        let foreign: Vec<String> = foreign_entries(dir, usize::MAX)
            .into_iter()
            .filter(|f| f.starts_with(&format!("{PREVIOUS_REPORT}/")))
            .collect();
        if !foreign.is_empty() {
            anyhow::bail!(crate::error::UsageError(format!(
                "`{}` holds files bureausim did not write ({}): the report kept there is replaced by the one drawn before this command, so move them out and run the command again",
                kept.display(),
                foreign.join(", ")
            )));
        }
        std::fs::remove_dir_all(&kept)
            .with_context(|| format!("cannot remove `{}`", kept.display()))?;
    }
    std::fs::create_dir(&kept).with_context(|| format!("cannot create `{}`", kept.display()))?;
    for e in std::fs::read_dir(dir)?.filter_map(|e| e.ok()) {
        let name = e.file_name().to_string_lossy().into_owned();
        let report_file = e.file_type().is_ok_and(|t| t.is_file())
            && written_by_us(&name)
            && !name.starts_with('.')
            && name != MARKER
            && name != "experiment.json";
        if report_file {
            std::fs::rename(e.path(), kept.join(&name))
                .with_context(|| format!("cannot move `{name}` into `{}`", kept.display()))?;
        }
    }
    let manifest = dir.join("experiment.json");
    if manifest.is_file() {
        std::fs::copy(&manifest, kept.join("experiment.json"))
            .with_context(|| format!("cannot copy `{}`", manifest.display()))?;
    }
    Ok(())
}

/// True when `dir` is a folder bureausim wrote and holds nothing else: the
/// marker (or an earlier version's manifest) and only the files bureausim
/// writes. Only such a folder may be replaced under `--force`.
pub fn is_ours(dir: &Path) -> bool {
    dir.is_dir() && claims_ours(dir) && foreign_entries(dir, 1).is_empty()
}

/// The files and folders in `dir` that bureausim did not write, as a
/// message lists them: "`notes.md`, `runs/x.csv`" (five at most, then "…").
pub fn foreign_list(dir: &Path) -> String {
    let foreign = foreign_entries(dir, 6);
    let shown: Vec<String> = foreign.iter().take(5).map(|f| format!("`{f}`")).collect();
    format!(
        "{}{}",
        shown.join(", "),
        if foreign.len() > 5 { ", …" } else { "" }
    )
}

/// The refusal for replacing `dest`, which bureausim did not write or which
/// holds files bureausim did not write.
pub fn not_ours(dest: &Path) -> anyhow::Error {
    let why = if !claims_ours(dest) {
        format!("was not written by bureausim (it has no {MARKER} file)")
    } else {
        format!(
            "holds files bureausim did not write ({})",
            foreign_list(dest)
        )
    };
    UsageError(format!(
        "`{}` exists and {why}; --force replaces only folders that hold nothing but bureausim's own results: choose another folder with --out, or move it away yourself",
        dest.display()
    ))
    .into()
}

/// `dest` with `.` components and a trailing slash dropped (`r2/.` is
/// `r2`), so that its last component is the folder's own name.
pub fn normalize(dest: &Path) -> PathBuf {
    let p: PathBuf = dest.components().collect();
    if p.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        p
    }
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

/// Checks that `dest` can be a folder of results: a path whose last
/// component is a name (not `.`, `..` or a root), not an existing file or
/// symbolic link, under a parent that is (or can be made) a folder.
pub fn check_shape(dest: &Path) -> anyhow::Result<()> {
    let bad = |why: &str| -> anyhow::Error {
        UsageError(format!("--out {}: {why}", dest.display())).into()
    };
    if normalize(dest).file_name().is_none() {
        return Err(bad(
            "names no folder of its own (`.`, `..` or a root); give a folder such as outputs/my-run",
        ));
    }
    name_fits(dest).map_err(|why| bad(&why))?;
    if std::fs::symlink_metadata(dest).is_ok_and(|m| m.file_type().is_symlink()) {
        return Err(bad(
            "is a symbolic link; give the folder it points to, or another name",
        ));
    }
    // `missing/../x`: making it would leave the empty folder `missing`.
    let mut walked = PathBuf::new();
    let mut last_named = false;
    for c in dest.components() {
        if c == std::path::Component::ParentDir && last_named && !walked.exists() {
            return Err(bad(&format!(
                "goes into `{}`, which does not exist, and out again with `..`; making the path would leave that empty folder behind: give it without the detour",
                walked.display()
            )));
        }
        last_named = matches!(c, std::path::Component::Normal(_));
        walked.push(c);
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

/// Refuses a destination that is one of the command's own input files
/// (`--force` must never replace the scenario or targets being read).
pub fn refuse_input(flag: &str, dest: &Path, inputs: &[(&str, &Path)]) -> anyhow::Result<()> {
    let Ok(d) = std::fs::canonicalize(dest) else {
        return Ok(());
    };
    for (what, p) in inputs {
        if std::fs::canonicalize(p).is_ok_and(|p| p == d) {
            return Err(UsageError(format!(
                "{flag} {}: that is the {what} this command reads; write the results elsewhere",
                dest.display()
            ))
            .into());
        }
    }
    Ok(())
}

/// Checks, before any work, that a file can be written at `dest`: not a
/// folder, not an existing file without `force`, under a parent that is (or
/// can be made) a folder.
pub fn check_file_destination(dest: &Path, force: bool) -> anyhow::Result<()> {
    let bad = |why: &str| -> anyhow::Error {
        UsageError(format!("--out {}: {why}", dest.display())).into()
    };
    if dest.is_dir() || normalize(dest).file_name().is_none() {
        return Err(bad("is a folder; give a file name to write to"));
    }
    name_fits(dest).map_err(|why| bad(&why))?;
    refuse_special("--out", dest)?;
    if dest.exists() && !force {
        return Err(FileExists(dest.display().to_string()).into());
    }
    let mut p = Some(parent_of(dest));
    while let Some(q) = p {
        if q.exists() {
            if !q.is_dir() {
                return Err(bad(&format!("`{}` is a file, not a folder", q.display())));
            }
            break;
        }
        p = q.parent().filter(|x| !x.as_os_str().is_empty());
    }
    Ok(())
}

/// Refuses an existing `dest` that is neither a file nor a folder (a named
/// pipe, a socket or a device), even with `--force`: bureausim never wrote
/// it, and writing results in its place would replace it (a review,
/// 2026-12-07: `--force` replaced a FIFO).
/// `flag` names the file in the message (`--out`, `--markdown`). Checked
/// from the file's metadata only: opening a named pipe to read it would
/// wait for a writer for ever (a review, 2026-12-08).
pub fn refuse_special(flag: &str, dest: &Path) -> Result<(), UsageError> {
    match std::fs::metadata(dest) {
        Ok(m) if !m.is_file() && !m.is_dir() => Err(UsageError(format!(
            "{flag} {}: exists and is not a regular file (a named pipe, socket or device), so it is kept even with --force; choose another file",
            dest.display()
        ))),
        _ => Ok(()),
    }
}

/// Checks, before any work, that `--force` may replace the file `dest`:
/// one that does not exist, or one whose opening (its first 4 KiB, read
/// as text) `ours` recognises as what this command writes. Anything else
/// is the user's own file and is kept: `--force` replaces only what
/// bureausim wrote, files as folders (a users' audit, 2026-12-07: `calibrate
/// --out notes.toml --force` replaced a scenario by its table, and
/// `validate --out` a scenario of the library by its report).
pub fn check_replaceable(
    flag: &str,
    dest: &Path,
    what: &str,
    ours: impl Fn(&str) -> bool,
) -> anyhow::Result<()> {
    use std::io::Read;
    refuse_special(flag, dest)?;
    if !dest.is_file() {
        return Ok(());
    }
    let mut head = Vec::new();
    std::fs::File::open(dest)
        .and_then(|f| f.take(4096).read_to_end(&mut head))
        .map_err(|e| {
            UsageError(format!(
                "{flag} {}: exists and cannot be read ({e}), so it is kept",
                dest.display()
            ))
        })?;
    if ours(&String::from_utf8_lossy(&head)) {
        return Ok(());
    }
    Err(UsageError(format!(
        "{flag} {}: exists and is not {what} bureausim wrote, so it is kept even with --force; remove it or choose another file",
        dest.display()
    ))
    .into())
}

/// The longest last component `--out` may have, in bytes: results are
/// written beside it under a temporary name (`.NAME.partial-PID-N`, up to
/// 41 bytes more), and most file systems allow 255 bytes a name.
pub const MAX_NAME_BYTES: usize = 200;

/// Whether `dest`'s own name leaves room for the temporary name beside it
/// (a 240-byte name failed only when the results were written, exit 1).
pub fn name_fits(dest: &Path) -> Result<(), String> {
    let len = normalize(dest).file_name().map_or(0, |n| n.len());
    if len > MAX_NAME_BYTES {
        return Err(format!(
            "its last name is {len} bytes long; at most {MAX_NAME_BYTES} are allowed (bureausim writes beside it under a longer temporary name): give a shorter name"
        ));
    }
    Ok(())
}

/// The default place `outputs/NAME SUFFIX` (`-shard-1-of-2`,
/// `-calibration`, `-fit.csv`), with `name` cut at a character so that the
/// whole last name fits [`MAX_NAME_BYTES`]: a name may take all of them,
/// and its shard or calibration folder was refused as if the user had
/// given a too long `--out` (an audit, 2026-12-06). The folder's name is
/// printed as results are written.
pub fn default_output(name: &str, suffix: &str) -> PathBuf {
    let room = MAX_NAME_BYTES.saturating_sub(suffix.len());
    let mut end = name.len().min(room);
    while !name.is_char_boundary(end) {
        end -= 1;
    }
    Path::new("outputs").join(format!("{}{suffix}", &name[..end]))
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

/// What a name beside `dest` is, if bureausim made it: this version's
/// temporaries `.NAME.partial-PID-N` and `.NAME.old-PID-N` (kind and pid),
/// or an earlier version's `.NAME.partial-PID` and `.NAME.old`.
enum Temporary {
    Current { old: bool, pid: u32 },
    Earlier,
}

fn temporary(file_name: &OsStr, stem: &OsStr) -> Option<Temporary> {
    let name = file_name.to_str()?;
    let rest = name
        .strip_prefix('.')?
        .strip_prefix(stem.to_str()?)?
        .strip_prefix('.')?;
    let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    if rest == "old" {
        return Some(Temporary::Earlier);
    }
    let (old, tail) = match rest.strip_prefix("partial-") {
        Some(t) => (false, t),
        None => (true, rest.strip_prefix("old-")?),
    };
    match tail.split_once('-') {
        Some((pid, n)) if digits(pid) && digits(n) => Some(Temporary::Current {
            old,
            pid: pid.parse().ok()?,
        }),
        None if !old && digits(tail) => Some(Temporary::Earlier),
        _ => None,
    }
}

/// Whether a temporary folder whose marker says it was written by `pid`
/// is abandoned: written on this host, and either before the last boot or
/// in this pid namespace by a process that no longer runs. `None` where
/// that cannot be told (another host or namespace, no marker, no /proc).
fn abandoned(dir: &Path, pid: u32) -> Option<bool> {
    let [host, boot, ns] = machine();
    if host.is_empty() || boot.is_empty() || ns.is_empty() {
        return None;
    }
    if marker_field(dir, "host")? != host {
        return None;
    }
    if marker_field(dir, "boot")? != boot {
        return Some(true);
    }
    if marker_field(dir, "pidns")? != ns || marker_field(dir, "pid")? != pid.to_string() {
        return None;
    }
    Some(pid != std::process::id() && !process_runs(pid))
}

/// Whether a process (not merely a thread) `pid` runs in this pid
/// namespace. `/proc/N` also answers for a thread whose id is N, and
/// thread ids share the numbers of process ids: a thread of any process
/// can take the number of a killed bureausim, so the entry must name a
/// thread-group leader (`Tgid` equal to N).
fn process_runs(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/status")) {
        Ok(status) => status
            .lines()
            .find_map(|l| l.strip_prefix("Tgid:"))
            .is_none_or(|tgid| tgid.trim() == pid.to_string()),
        Err(_) => Path::new(&format!("/proc/{pid}")).exists(),
    }
}

/// Clears the temporaries beside `dest` that a killed bureausim left: its
/// partial results are removed only when their marker shows they were
/// written on this machine by a process that no longer runs (or before
/// the last boot). An old result it was replacing (`--force`) is never
/// removed here: it is put back when `dest` is missing (the replacement
/// was interrupted between moving the old result aside and moving the new
/// one in), and otherwise kept and reported. Any other temporary of
/// bureausim's there is reported on stderr and kept.
pub fn clear_stale(dest: &Path) {
    let (Some(stem), Ok(entries)) = (dest.file_name(), std::fs::read_dir(parent_of(dest))) else {
        return;
    };
    let entries: Vec<_> = entries.filter_map(|e| e.ok()).collect();
    // Put back only when one old result is aside: of two, which is the
    // one to keep is the user's choice (a review, 2026-12-06: the older
    // of two was put back).
    let aside = entries
        .iter()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .filter(|e| {
            matches!(temporary(&e.file_name(), stem),
                Some(Temporary::Current { old: true, pid }) if !alive_here(pid))
        })
        .count();
    for e in entries {
        let Some(kind) = temporary(&e.file_name(), stem) else {
            continue;
        };
        let path = e.path();
        let is_dir = e.file_type().is_ok_and(|t| t.is_dir());
        let note = match kind {
            // A result moved aside to be replaced (`--force`): its marker
            // is that of the run that wrote it, not of the one replacing
            // it, so only the replacing process's pid (in the name) tells
            // whether the replacement is still under way. A process that
            // no longer runs either finished (and was killed before it
            // removed the old result) or was interrupted before its
            // results were in place; nothing finished is deleted here.
            Temporary::Current { old: true, pid } if is_dir => {
                if alive_here(pid) {
                    continue;
                }
                let missing = std::fs::symlink_metadata(dest).is_err();
                if missing && aside == 1 && std::fs::rename(&path, dest).is_ok() {
                    errln!(
                        "note: put back `{}`: an interrupted bureausim (process {pid}) had moved it aside to replace it, and its new results never arrived",
                        dest.display()
                    );
                    continue;
                }
                format!(
                    "holds the results that a bureausim (process {pid}, no longer running) was replacing with `{}`; they are kept: to go back to them, remove `{}` and rename this folder to it, or else remove this folder",
                    dest.display(),
                    dest.display()
                )
            }
            Temporary::Current { pid, .. } if is_dir => match abandoned(&path, pid) {
                Some(true) => {
                    if std::fs::remove_dir_all(&path).is_ok() {
                        errln!(
                            "note: removed `{}`, left by an interrupted bureausim (process {pid})",
                            path.display()
                        );
                    }
                    continue;
                }
                Some(false) => continue,
                None => format!(
                    "may belong to a bureausim running elsewhere (process {pid} on another machine or container), or one that was interrupted; remove it once no bureausim writes there"
                ),
            },
            // bureausim writes files only as partial files (write_file_atomic).
            Temporary::Current { old: true, .. } => continue,
            Temporary::Current { pid, .. } => {
                if alive_here(pid) {
                    continue;
                }
                format!(
                    "looks left by an interrupted bureausim (process {pid}); remove it once no bureausim writes there"
                )
            }
            Temporary::Earlier => {
                "looks left by an interrupted run of an earlier bureausim; remove it once no bureausim writes there".to_string()
            }
        };
        errln!("note: `{}` {note}", path.display());
    }
}

/// Moves the finished result `dest` aside (`.NAME.old-PID-N`) before a
/// result that is written in place (an experiment's or a calibration's
/// folder, which resume) starts again under `--force`: the old result is
/// kept until the new one is complete ([`discard_aside`]), and if the new
/// one is interrupted, the next command there says where the old one is
/// ([`clear_stale`]). Before, the old folder was removed at once, and an
/// interruption lost it (a reproducibility audit, 2026-12-06).
pub fn set_aside(dest: &Path) -> anyhow::Result<PathBuf> {
    let old = aside_path(dest);
    std::fs::rename(dest, &old)
        .with_context(|| format!("cannot move the old `{}` aside", dest.display()))?;
    Ok(old)
}

/// A new name beside `dest` for an old result kept aside while it is
/// replaced (`.NAME.old-PID-N`), which [`clear_stale`] knows.
pub fn aside_path(dest: &Path) -> PathBuf {
    temporary_path(dest, "old")
}

/// Removes a result moved aside by [`set_aside`], once the one that
/// replaces it at `dest` is complete.
pub fn discard_aside(old: &Path, dest: &Path) {
    if let Err(e) = std::fs::remove_dir_all(old) {
        errln!(
            "note: the new results are in `{}`, but the old ones, moved to `{}`, could not be removed: {e}",
            dest.display(),
            old.display()
        );
    }
}

/// Refuses a folder of results written in place (an experiment's, whose
/// runs and report are added as it goes; a calibration's, whose journals
/// are appended to) with a symbolic link in it, which would carry the
/// writes outside the folder, or a named pipe or device, which reading
/// would wait on for ever. `what` names the folder in the message. A
/// folder received from someone else to resume or merge may hold one (a
/// hostile-input audit, 2026-12-06: a link planted in an experiment's
/// folder as a plot's temporary had a PNG written over a file outside).
pub fn refuse_links(dir: &Path, what: &str) -> anyhow::Result<()> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(());
    };
    for e in entries.filter_map(|e| e.ok()) {
        let Ok(t) = e.file_type() else { continue };
        let why = if t.is_symlink() {
            format!(
                "is a symbolic link; {what} holds only the files bureausim wrote, and it would write through the link"
            )
        } else if !t.is_file() && !t.is_dir() {
            format!(
                "is not a regular file (a pipe or a device); {what} holds only the files bureausim wrote"
            )
        } else {
            continue;
        };
        return Err(UsageError(format!(
            "`{}` {why}: remove it and run the command again",
            e.path().display()
        ))
        .into());
    }
    Ok(())
}

/// Whether process `pid` is known to run on this machine (conservatively
/// true where that cannot be told).
fn alive_here(pid: u32) -> bool {
    pid == std::process::id() || !Path::new("/proc/self").exists() || process_runs(pid)
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
        // First, so that a result an interrupted replacement left aside is
        // back in place before the destination is judged.
        check_shape(dest)?;
        clear_stale(dest);
        check_destination(dest, force)?;
        let parent = parent_of(dest);
        std::fs::create_dir_all(parent)
            .with_context(|| format!("cannot create folder `{}`", parent.display()))?;
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
            let old = set_aside(&self.dest)?;
            if let Err(e) = std::fs::rename(&self.tmp, &self.dest) {
                // Put the old result back rather than leave nothing.
                let _ = std::fs::rename(&old, &self.dest);
                return Err(e).with_context(|| {
                    format!("cannot move results into `{}`", self.dest.display())
                });
            }
            self.committed = true;
            discard_aside(&old, &self.dest);
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
    write_file_atomic_with(dest, force, |w| w.write_all(bytes))
}

/// As [`write_file_atomic`], with the content written by `write` through a
/// buffer, so a large file (a sweep's `summary.json`) is never held whole
/// in memory.
pub fn write_file_atomic_with(
    dest: &Path,
    force: bool,
    write: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
) -> anyhow::Result<()> {
    if dest.is_dir() {
        return Err(UsageError(format!(
            "`{}` is a folder; give a file name to write to",
            dest.display()
        ))
        .into());
    }
    // Named by path: the writer also writes the files inside a folder.
    refuse_special("file", dest)?;
    if dest.exists() && !force {
        return Err(FileExists(dest.display().to_string()).into());
    }
    let parent = parent_of(dest);
    std::fs::create_dir_all(parent)
        .with_context(|| format!("cannot create folder `{}`", parent.display()))?;
    clear_stale(dest);
    let tmp = temporary_path(dest, "partial");
    let written = std::fs::File::create(&tmp).and_then(|f| {
        let mut w = std::io::BufWriter::new(f);
        write(&mut w)?;
        w.into_inner().map(drop).map_err(|e| e.into_error())
    });
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(anyhow::Error::new(e).context(format!("cannot write `{}`", tmp.display())));
    }
    std::fs::rename(&tmp, dest).with_context(|| {
        let _ = std::fs::remove_file(&tmp);
        format!("cannot move the file into `{}`", dest.display())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `--force` keeps what is neither a file nor a folder: a socket (and
    /// so a named pipe or a device) is refused by the checks before a run
    /// and by the writer itself, and is still there afterwards.
    #[cfg(unix)]
    #[test]
    fn force_keeps_a_socket_or_a_device() {
        use std::os::unix::fs::FileTypeExt;
        let dir = tempfile::tempdir().unwrap();
        let sock = dir.path().join("results.csv");
        let _listener = std::os::unix::net::UnixListener::bind(&sock).unwrap();
        let e = check_file_destination(&sock, true).unwrap_err().to_string();
        assert!(e.contains("is not a regular file"), "{e}");
        // Without --force too: not "pass --force to replace it".
        let e = check_file_destination(&sock, false)
            .unwrap_err()
            .to_string();
        assert!(e.contains("is not a regular file"), "{e}");
        assert!(check_replaceable("--out", &sock, "a table", |_| true).is_err());
        assert!(write_file_atomic(&sock, b"x", true).is_err());
        assert!(
            std::fs::symlink_metadata(&sock)
                .unwrap()
                .file_type()
                .is_socket()
        );
        if Path::new("/dev/null").exists() {
            assert!(check_file_destination(Path::new("/dev/null"), true).is_err());
        }
        let plain = dir.path().join("plain.csv");
        std::fs::write(&plain, "old").unwrap();
        check_file_destination(&plain, true).unwrap();
        write_file_atomic(&plain, b"new", true).unwrap();
        assert_eq!(std::fs::read(&plain).unwrap(), b"new");
    }

    /// A name of the most bytes allowed still has its shard, calibration
    /// and fit places (they were refused as a too long `--out`); a short
    /// one is kept whole.
    #[test]
    fn a_default_output_fits_a_name_of_any_allowed_length() {
        let long = "é".repeat(MAX_NAME_BYTES / 2);
        for suffix in ["-shard-10-of-100", "-calibration", "-fit.csv", ""] {
            let p = default_output(&long, suffix);
            assert!(name_fits(&p).is_ok(), "{}", p.display());
            let last = p.file_name().unwrap().to_str().unwrap();
            assert!(last.ends_with(suffix) && last.starts_with("éé"), "{last}");
            // The most bytes that fit, cut at a character: "é" is two
            // bytes, so an odd suffix leaves one byte unused.
            assert_eq!(last.len(), MAX_NAME_BYTES - suffix.len() % 2, "{last}");
        }
        assert_eq!(
            default_output("tiny", "-shard-1-of-2"),
            Path::new("outputs/tiny-shard-1-of-2")
        );
    }

    #[test]
    fn a_thread_whose_id_is_a_dead_processs_number_is_not_that_process() {
        if !Path::new("/proc/self/task").exists() {
            return;
        }
        assert!(process_runs(std::process::id()));
        // A thread of this process: its id has a /proc entry, but it is no
        // process (this failed when /proc/N alone was read: a killed run's
        // partial folder was kept because a test thread had taken its pid).
        let (tx, rx) = std::sync::mpsc::channel::<()>();
        let worker = std::thread::spawn(move || rx.recv().ok());
        let me = std::process::id().to_string();
        let tids: Vec<u32> = std::fs::read_dir("/proc/self/task")
            .unwrap()
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter(|t| *t != me)
            .filter_map(|t| t.parse().ok())
            .collect();
        assert!(!tids.is_empty());
        for tid in tids {
            assert!(Path::new(&format!("/proc/{tid}")).exists());
            assert!(!process_runs(tid), "thread {tid} taken for a process");
        }
        tx.send(()).unwrap();
        worker.join().unwrap();
    }

    #[test]
    fn never_overwrites_without_force() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("res");
        let s = Staging::new(&dest, false, "test").unwrap();
        std::fs::write(s.tmp.join("timeseries.csv"), "1").unwrap();
        s.commit().unwrap();
        assert!(Staging::new(&dest, false, "test").is_err());
        let s = Staging::new(&dest, true, "test").unwrap();
        std::fs::write(s.tmp.join("grades.csv"), "2").unwrap();
        s.commit().unwrap();
        assert!(dest.join("grades.csv").exists() && !dest.join("timeseries.csv").exists());
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
    fn force_replaces_only_folders_of_bureausims_own_files() {
        let dir = tempfile::tempdir().unwrap();
        let theirs = dir.path().join("theirs");
        std::fs::create_dir(&theirs).unwrap();
        std::fs::write(theirs.join("thesis.tex"), "years of work").unwrap();
        let e = Staging::new(&theirs, true, "test")
            .err()
            .unwrap()
            .to_string();
        assert!(e.contains("was not written by bureausim"), "{e}");
        // A marker copied in with a result's files does not make a folder
        // of other files bureausim's.
        mark(&theirs, "test").unwrap();
        let e = Staging::new(&theirs, true, "test")
            .err()
            .unwrap()
            .to_string();
        assert!(
            e.contains("holds files bureausim did not write (`thesis.tex`)"),
            "{e}"
        );
        assert!(theirs.join("thesis.tex").is_file());
        // An earlier version's result (no marker, a manifest of bureausim's
        // and only its own files) is bureausim's; a runs/ folder holds only
        // run files.
        let legacy = dir.path().join("legacy");
        std::fs::create_dir_all(legacy.join("runs")).unwrap();
        std::fs::write(legacy.join("run.json"), r#"{"bureausim_version":"0.1.0"}"#).unwrap();
        for f in [
            "timeseries.csv",
            "overview.png",
            "sweep_efficiency.svg",
            "runs/run-0000001.csv",
        ] {
            std::fs::write(legacy.join(f), "x").unwrap();
        }
        assert!(is_ours(&legacy));
        for foreign in ["runs/interviews.docx", "figure1.png", "notes.txt"] {
            std::fs::write(legacy.join(foreign), "mine").unwrap();
            assert!(!is_ours(&legacy), "{foreign}");
            std::fs::remove_file(legacy.join(foreign)).unwrap();
        }
        std::fs::write(legacy.join("run.json"), "{}").unwrap();
        assert!(!is_ours(&legacy), "a run.json that is not bureausim's");
    }

    #[test]
    fn a_name_too_long_for_its_temporary_is_refused_before_any_work() {
        let dir = tempfile::tempdir().unwrap();
        let long = dir.path().join("r".repeat(MAX_NAME_BYTES + 1));
        let e = check_destination(&long, false).unwrap_err();
        assert!(e.downcast_ref::<UsageError>().is_some());
        assert!(e.to_string().contains("201 bytes long; at most 200"), "{e}");
        let e = check_file_destination(&long, false).unwrap_err();
        assert!(e.to_string().contains("201 bytes long"), "{e}");
        // The longest allowed name is written, temporaries and all.
        let ok = dir.path().join("r".repeat(MAX_NAME_BYTES));
        check_destination(&ok, false).unwrap();
        for force in [false, true] {
            // Written, then replaced (through `.NAME.old-PID-N`).
            let staged = Staging::new(&ok, force, "test").unwrap();
            std::fs::write(staged.tmp.join("timeseries.csv"), "x").unwrap();
            staged.commit().unwrap();
        }
        write_file_atomic(&ok.join("grades.csv"), b"y", false).unwrap();
        check_file_destination(&dir.path().join("f".repeat(MAX_NAME_BYTES)), false).unwrap();
        write_file_atomic(&dir.path().join("f".repeat(MAX_NAME_BYTES)), b"z", false).unwrap();
    }

    /// Writes a marker as a process `pid` on `host` would have.
    fn marker_of(dir: &Path, host: &str, pid: u32) {
        let [_, boot, ns] = machine();
        std::fs::create_dir_all(dir).unwrap();
        std::fs::write(
            dir.join(MARKER),
            format!("x\nhost: {host}\nboot: {boot}\npidns: {ns}\npid: {pid}\n"),
        )
        .unwrap();
    }

    #[test]
    fn only_abandoned_temporaries_of_this_machine_are_cleared() {
        if !Path::new("/proc/self/ns/pid").exists() {
            return; // No /proc: nothing is removed, only reported.
        }
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("res");
        let [host, ..] = machine();
        // A pid far above any real one stands for a killed process.
        let dead = dir.path().join(".res.partial-4000000000-0");
        marker_of(&dead, &host, 4_000_000_000);
        // The same, written on another host (a shared file system): kept.
        let elsewhere = dir.path().join(".res.partial-4000000001-0");
        marker_of(&elsewhere, "another-node", 4_000_000_001);
        // No marker: kept. User files named alike: kept.
        let unmarked = dir.path().join(".res.partial-4000000002-0");
        std::fs::create_dir(&unmarked).unwrap();
        std::fs::write(unmarked.join("keep.txt"), "not ours").unwrap();
        for name in [
            ".res.old-2023-05-01",
            ".res.partial-12345-notes",
            ".res.old",
        ] {
            std::fs::write(dir.path().join(name), "a user's file").unwrap();
        }
        let s = Staging::new(&dest, false, "test").unwrap();
        assert!(
            !dead.exists(),
            "an abandoned folder of this machine is removed"
        );
        assert!(elsewhere.exists() && unmarked.join("keep.txt").exists());
        for name in [
            ".res.old-2023-05-01",
            ".res.partial-12345-notes",
            ".res.old",
        ] {
            assert!(dir.path().join(name).exists(), "{name}");
        }
        assert!(s.tmp.exists(), "this process's own folder is kept");
        let a = temporary_path(&dest, "old");
        let b = temporary_path(&dest, "old");
        assert_ne!(a, b, "names are unique within a process");
        assert!(matches!(
            temporary(a.file_name().unwrap(), OsStr::new("res")),
            Some(Temporary::Current { old: true, pid }) if pid == std::process::id()
        ));
    }

    /// A reproducibility audit (2026-12-06): a `--force` killed between
    /// moving the old result aside and moving the new one in left neither
    /// in place, and the next run cleared the complete new one and called
    /// the old one another machine's.
    #[test]
    fn an_old_result_left_aside_is_put_back_or_kept_never_removed() {
        if !Path::new("/proc/self/ns/pid").exists() {
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("res");
        let [host, ..] = machine();
        // Written long ago by one run, moved aside by another (pid far
        // above any real one: killed), whose complete new results never
        // arrived.
        let old = dir.path().join(".res.old-4000000000-0");
        marker_of(&old, &host, 17);
        std::fs::write(old.join("timeseries.csv"), "old").unwrap();
        let new = dir.path().join(".res.partial-4000000000-1");
        marker_of(&new, &host, 4_000_000_000);
        // Put back: the folder exists again, so without --force nothing
        // replaces it.
        let e = Staging::new(&dest, false, "test").err().unwrap();
        assert!(e.downcast_ref::<OutputExists>().is_some(), "{e}");
        assert_eq!(
            std::fs::read_to_string(dest.join("timeseries.csv")).unwrap(),
            "old"
        );
        assert!(!old.exists() && !new.exists());
        // Aside while the folder is there (a replacement in place that was
        // interrupted, or killed before it removed the old one): kept.
        marker_of(&old, &host, 17);
        let s = Staging::new(&dest, true, "test").unwrap();
        assert!(old.join(MARKER).exists());
        drop(s);
        std::fs::remove_dir_all(&old).unwrap();
        // Two aside and the folder gone: which to keep is the user's
        // choice, so neither is put back (the older of two was).
        std::fs::remove_dir_all(&dest).unwrap();
        let older = dir.path().join(".res.old-4000000003-0");
        for d in [&old, &older] {
            marker_of(d, &host, 17);
        }
        let s = Staging::new(&dest, false, "test").unwrap();
        assert!(old.exists() && older.exists() && !dest.exists());
        drop(s);
        std::fs::remove_dir_all(&older).unwrap();
        std::fs::remove_dir_all(&old).unwrap();
        // This process's own: left alone, whatever the folder.
        std::fs::create_dir(&dest).unwrap();
        let mine = set_aside(&dest).unwrap();
        clear_stale(&dest);
        assert!(mine.exists() && !dest.exists());
        discard_aside(&mine, &dest);
        assert!(!mine.exists());
    }

    #[test]
    fn impossible_destinations_are_refused_before_any_work() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("file");
        std::fs::write(&file, "x").unwrap();
        for (dest, want) in [
            (PathBuf::from("/"), "names no folder of its own"),
            (PathBuf::from("."), "names no folder of its own"),
            (dir.path().join("a/.."), "names no folder of its own"),
            (file.clone(), "is a file, not a folder"),
            (file.join("sub"), "is a file, so no folder"),
        ] {
            let e = check_destination(&dest, true).unwrap_err().to_string();
            assert!(e.contains(want), "{}: {e}", dest.display());
        }
        assert_eq!(normalize(Path::new("r2/.")), PathBuf::from("r2"));
        #[cfg(unix)]
        {
            let link = dir.path().join("link");
            std::os::unix::fs::symlink(dir.path().join("nowhere"), &link).unwrap();
            let e = check_destination(&link, true).unwrap_err().to_string();
            assert!(e.contains("is a symbolic link"), "{e}");
        }
    }
}
