//! Which code made an output: the crate version, the platform and the git
//! commit the binary was built from (`-dirty` when tracked files differed from it at
//! build time; "unknown" when built outside a git repository). Written into
//! `run.json`, `summary.json` and every report.

/// The crate version (Cargo.toml).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The git commit the binary was built from.
pub const COMMIT: &str = env!("BUREAUSIM_GIT_COMMIT");

/// The platform the binary was built for (its target triple, e.g.
/// `x86_64-unknown-linux-gnu`): results are byte-identical for the same
/// scenario, seed and commit on the same platform (docs/model.md,
/// "Determinism": the maths library's `exp` and `ln` may differ elsewhere).
pub const TARGET: &str = env!("BUREAUSIM_TARGET");

/// `bureausim --version`: the version, commit and platform.
pub const LONG: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (commit ",
    env!("BUREAUSIM_GIT_COMMIT"),
    ", ",
    env!("BUREAUSIM_TARGET"),
    ")"
);

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

/// Stands for the commit of a build that did not record it, in a folder's
/// list of the builds that made its simulations.
pub const UNRECORDED: &str = "unrecorded";

/// A commit as notes and reports name it: "commit 1a2b3c4d5e6f", or for
/// [`UNRECORDED`] the build that did not record it.
fn named(c: &str) -> String {
    if c == UNRECORDED {
        "a build that did not record its commit".to_string()
    } else {
        format!("commit {}", c.chars().take(12).collect::<String>())
    }
}

/// Commits as notes name them: "commit 1a2b…, commit 3c4d…".
fn named_all(commits: &[String]) -> String {
    commits
        .iter()
        .map(|c| named(c))
        .collect::<Vec<_>>()
        .join(", ")
}

/// "bureausim 0.1.0 (commit …)" for a report's "Made by" line, and when
/// `made_by` (the commits whose runs the results hold, as a folder records
/// them) names other builds, which: "…, from runs made by commit 1a2b…"
/// (with "and this one" when this build made some too). Empty: this build.
pub fn made_by_words(made_by: &[String], runs: &str) -> String {
    let others: Vec<String> = made_by
        .iter()
        .filter(|c| !same_commit(c, COMMIT))
        .cloned()
        .collect();
    if others.is_empty() {
        words()
    } else {
        format!(
            "{}, from {runs} made by {}{}",
            words(),
            named_all(&others),
            if others.len() < made_by.len() {
                " and this one"
            } else {
                ""
            }
        )
    }
}

/// Whether two recorded commits are the same code (a `-dirty` mark aside:
/// the build's uncommitted changes are not recorded either way).
pub fn same_commit(a: &str, b: &str) -> bool {
    a.trim_end_matches("-dirty") == b.trim_end_matches("-dirty")
}

/// Adds a folder's record of commits (`recorded`; empty: a build that did
/// not record them, [`UNRECORDED`]) to `all`, each commit once, in order.
pub fn add_commits(all: &mut Vec<String>, recorded: &[String]) {
    let unrecorded = [UNRECORDED.to_string()];
    let recorded = if recorded.is_empty() {
        &unrecorded[..]
    } else {
        recorded
    };
    // By a set of the ids without their `-dirty` mark ([`same_commit`]):
    // a record merged from many shards stays linear in its length.
    let mut seen: std::collections::HashSet<String> = all
        .iter()
        .map(|k| k.trim_end_matches("-dirty").to_string())
        .collect();
    for c in recorded {
        if seen.insert(c.trim_end_matches("-dirty").to_string()) {
            all.push(c.clone());
        }
    }
}

/// The commits that made a folder's simulations (`recorded`, in the order
/// they first worked on it), with this binary's added when it is new.
pub fn with_this_commit(recorded: &[String]) -> Vec<String> {
    let mut all = Vec::new();
    add_commits(&mut all, recorded);
    add_commits(&mut all, &[COMMIT.to_string()]);
    all
}

/// The most commits a folder's record may list: far more builds than
/// ever resume one folder, and a bound on a record edited by hand.
pub const MAX_COMMITS: usize = 1000;

/// Whether `c` can be a recorded commit: a git commit id (7 to 64 hex
/// digits, `-dirty` after it when the build's tree differed),
/// [`UNRECORDED`] or "unknown" (a build outside git). A folder's record
/// may come from someone else (`merge`): anything else, such as text with
/// line breaks or markup, would be copied into reports.
pub fn is_commit(c: &str) -> bool {
    let id = c.strip_suffix("-dirty").unwrap_or(c);
    c == UNRECORDED
        || id == "unknown"
        || ((7..=64).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Refuses a record of commits (`what` names its file) that is not a list
/// of at most [`MAX_COMMITS`] commits ([`is_commit`]).
pub fn check_commits(commits: &[String], what: &str) -> Result<(), String> {
    if commits.len() > MAX_COMMITS {
        return Err(format!(
            "{what}: `bureausim_commits` lists {} commits; at most {MAX_COMMITS}",
            commits.len()
        ));
    }
    match commits.iter().find(|c| !is_commit(c)) {
        Some(c) => {
            // Quoted escaped and cut short (a layer-0 module: no
            // `error::shorten` here).
            let quoted = format!("{c:?}");
            let shown: String = quoted.chars().take(60).collect();
            let cut = if shown.len() < quoted.len() {
                "…"
            } else {
                ""
            };
            Err(format!(
                "{what}: `bureausim_commits` holds {shown}{cut}, which is no commit id (7 to 64 hex digits, `-dirty` after them for a build with uncommitted changes)"
            ))
        }
        None => Ok(()),
    }
}

/// The commits a manifest's `bureausim_commits` lists (`calibration.json`
/// is read as JSON); empty when it has none (a build before the record).
/// Entries that are no commit ([`is_commit`]) are left out, and at most
/// [`MAX_COMMITS`] are read.
pub fn commits_in(manifest: &serde_json::Value) -> Vec<String> {
    manifest["bureausim_commits"]
        .as_array()
        .map(|cs| {
            cs.iter()
                .filter_map(|c| c.as_str().filter(|c| is_commit(c)).map(String::from))
                .take(MAX_COMMITS)
                .collect()
        })
        .unwrap_or_default()
}

/// The note for merging folders whose runs were made by several builds
/// (`commits`, as [`add_commits`] gathered them); `None` for one build.
/// `runs` says what was merged ("the shards' runs"), `manifest` where the
/// list is kept.
pub fn merge_note(runs: &str, manifest: &str, commits: &[String]) -> Option<String> {
    (commits.len() > 1).then(|| {
        format!(
            "note: {runs} were made by {} builds ({}): if a change between them altered results (CHANGELOG.md), the merged results mix them; `{manifest}` lists them",
            commits.len(),
            named_all(commits)
        )
    })
}

/// The note for resuming `what` in `folder` whose simulations were made
/// by `recorded` commits (empty: a build that did not record them), when
/// this binary is not among them; `None` when it is, or when this build's
/// commit is unknown (it cannot tell).
pub fn resume_note(what: &str, folder: &std::path::Path, recorded: &[String]) -> Option<String> {
    if COMMIT == "unknown" || recorded.iter().any(|c| same_commit(c, COMMIT)) {
        return None;
    }
    let mut by = Vec::new();
    add_commits(&mut by, recorded);
    Some(format!(
        "note: `{}` holds {what} made by {}, and this binary is {}: what it replays stays as that build made it and what it adds is made by this one, so if a change between them altered results (CHANGELOG.md), the two are mixed; give --force to start it again with this build",
        folder.display(),
        named_all(&by),
        named(COMMIT)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_folder_made_by_another_commit_gets_a_note_and_keeps_its_history() {
        let here = std::path::Path::new("outputs/x");
        assert_eq!(
            resume_note("an experiment", here, &[COMMIT.to_string()]),
            None
        );
        let dirty = format!("{}-dirty", COMMIT.trim_end_matches("-dirty"));
        assert_eq!(resume_note("an experiment", here, &[dirty]), None);
        let other = vec!["0123456789abcdef0123".to_string()];
        if COMMIT != "unknown" {
            let n = resume_note("an experiment", here, &other).unwrap();
            assert!(n.contains("made by commit 0123456789ab,"), "{n}");
            let n = resume_note("a calibration", here, &[]).unwrap();
            assert!(n.contains("a build that did not record its commit"), "{n}");
        }
        let all = with_this_commit(&other);
        assert_eq!(all.len(), 2);
        assert_eq!(with_this_commit(&all), all);
        assert_eq!(made_by_words(&[], "runs"), words());
        assert_eq!(made_by_words(&[COMMIT.to_string()], "runs"), words());
        if COMMIT != "unknown" {
            let w = made_by_words(&all, "runs");
            assert!(
                w.ends_with("from runs made by commit 0123456789ab and this one"),
                "{w}"
            );
        }
        let mut merged = vec![COMMIT.to_string()];
        add_commits(&mut merged, &other);
        add_commits(&mut merged, &[]);
        assert_eq!(merged.len(), 3);
        assert_eq!(
            merge_note("the shards' runs", "experiment.json", &merged[..1]),
            None
        );
        let n = merge_note("the shards' runs", "experiment.json", &merged).unwrap();
        assert!(n.contains("were made by 3 builds"), "{n}");
        assert!(n.contains("a build that did not record its commit"), "{n}");
        // A folder of a build that kept no record keeps saying so.
        assert_eq!(
            with_this_commit(&[]),
            vec![UNRECORDED.to_string(), COMMIT.to_string()]
        );
    }
}
