//! Writing results: a run's files are written into a hidden temporary
//! folder beside the destination and moved into place only when complete,
//! so an interrupted run never leaves a half-written result that looks whole,
//! and an existing result is replaced only when asked (`--force`).

pub mod chart;
pub mod csv;
pub mod json;
pub mod plots;
pub mod report;
pub mod validation;

use std::path::{Path, PathBuf};

use anyhow::Context;

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
    /// Prepares to write `dest`; fails at once if it exists without `force`.
    pub fn new(dest: &Path, force: bool) -> anyhow::Result<Self> {
        if dest.exists() && !force {
            return Err(OutputExists(dest.display().to_string()).into());
        }
        let tmp = partial_path(dest)?;
        if tmp.exists() {
            std::fs::remove_dir_all(&tmp)
                .with_context(|| format!("cannot clear `{}`", tmp.display()))?;
        }
        std::fs::create_dir(&tmp)
            .with_context(|| format!("cannot create folder `{}`", tmp.display()))?;
        Ok(Staging {
            tmp,
            dest: dest.to_path_buf(),
            force,
            committed: false,
        })
    }

    /// Moves the finished folder into place, replacing an old one under `force`.
    pub fn commit(mut self) -> anyhow::Result<PathBuf> {
        if self.dest.exists() {
            if !self.force {
                return Err(OutputExists(self.dest.display().to_string()).into());
            }
            let old = self.tmp.with_extension("old");
            std::fs::rename(&self.dest, &old)
                .with_context(|| format!("cannot move the old `{}` aside", self.dest.display()))?;
            std::fs::rename(&self.tmp, &self.dest)
                .with_context(|| format!("cannot move results into `{}`", self.dest.display()))?;
            std::fs::remove_dir_all(&old)
                .with_context(|| format!("cannot remove `{}`", old.display()))?;
        } else {
            std::fs::rename(&self.tmp, &self.dest)
                .with_context(|| format!("cannot move results into `{}`", self.dest.display()))?;
        }
        self.committed = true;
        Ok(self.dest.clone())
    }
}

/// The hidden temporary path beside `dest` that a result is written to
/// before it is moved into place; creates `dest`'s parent folder.
fn partial_path(dest: &Path) -> anyhow::Result<PathBuf> {
    let parent = dest
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent)
        .with_context(|| format!("cannot create folder `{}`", parent.display()))?;
    let name = dest
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".into());
    Ok(parent.join(format!(".{name}.partial-{}", std::process::id())))
}

/// Writes `bytes` to `dest` through a temporary file beside it, so `dest`
/// is either the old file or the complete new one; an existing file is
/// replaced only under `force`.
pub fn write_file_atomic(dest: &Path, bytes: &[u8], force: bool) -> anyhow::Result<()> {
    if dest.exists() && !force {
        return Err(FileExists(dest.display().to_string()).into());
    }
    let tmp = partial_path(dest)?;
    std::fs::write(&tmp, bytes).with_context(|| format!("cannot write `{}`", tmp.display()))?;
    std::fs::rename(&tmp, dest).with_context(|| {
        let _ = std::fs::remove_file(&tmp);
        format!("cannot move the report into `{}`", dest.display())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_overwrites_without_force() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("res");
        let s = Staging::new(&dest, false).unwrap();
        std::fs::write(s.tmp.join("a.txt"), "1").unwrap();
        s.commit().unwrap();
        assert!(Staging::new(&dest, false).is_err());
        let s = Staging::new(&dest, true).unwrap();
        std::fs::write(s.tmp.join("b.txt"), "2").unwrap();
        s.commit().unwrap();
        assert!(dest.join("b.txt").exists() && !dest.join("a.txt").exists());
        let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "no temporary folders left behind");
        // An abandoned staging folder removes itself.
        let s = Staging::new(&dir.path().join("other"), false).unwrap();
        let tmp = s.tmp.clone();
        drop(s);
        assert!(!tmp.exists());
    }
}
