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

/// "bureausim 0.1.0 (commit …)" for a report's "Made by" line, and when
/// `made_by` (the commits whose runs the results hold, as a folder records
/// them) names other builds, which: "…, from runs made by commit 1a2b…"
/// (with "and this one" when this build made some too). Empty: this build.
pub fn made_by_words(made_by: &[String], runs: &str) -> String {
    let others: Vec<String> = made_by
        .iter()
        .filter(|c| !same_commit(c, COMMIT))
        .map(|c| {
            if c == UNRECORDED {
                "a build that did not record its commit".to_string()
            } else {
                format!("commit {}", c.chars().take(12).collect::<String>())
            }
        })
        .collect();
    if others.is_empty() {
        words()
    } else {
        format!(
            "{}, from {runs} made by {}{}",
            words(),
            others.join(", "),
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

/// The commits that made a folder's simulations (`recorded`, in the order
/// they first worked on it), with this binary's added when it is new.
pub fn with_this_commit(recorded: &[String]) -> Vec<String> {
    let mut all = if recorded.is_empty() {
        vec![UNRECORDED.to_string()]
    } else {
        recorded.to_vec()
    };
    if !all.iter().any(|c| same_commit(c, COMMIT)) {
        all.push(COMMIT.to_string());
    }
    all
}

/// The note for resuming `what` in `folder` whose simulations were made
/// by `recorded` commits (empty: a build that did not record them), when
/// this binary is not among them; `None` when it is, or when this build's
/// commit is unknown (it cannot tell).
pub fn resume_note(what: &str, folder: &std::path::Path, recorded: &[String]) -> Option<String> {
    if COMMIT == "unknown" || recorded.iter().any(|c| same_commit(c, COMMIT)) {
        return None;
    }
    let short = |c: &str| c.chars().take(12).collect::<String>();
    let by = if recorded.is_empty() || recorded.iter().all(|c| c == UNRECORDED) {
        "a build that did not record its commit".to_string()
    } else {
        format!(
            "commit {}",
            recorded
                .iter()
                .filter(|c| *c != UNRECORDED)
                .map(|c| short(c))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    Some(format!(
        "note: `{}` holds {what} made by {by}, and this binary is commit {}: what it replays stays as that build made it and what it adds is made by this one, so if a change between them altered results (CHANGELOG.md), the two are mixed; give --force to start it again with this build",
        folder.display(),
        short(COMMIT)
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
        // A folder of a build that kept no record keeps saying so.
        assert_eq!(
            with_this_commit(&[]),
            vec![UNRECORDED.to_string(), COMMIT.to_string()]
        );
    }
}
