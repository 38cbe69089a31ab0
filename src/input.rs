//! Reading the files a user names (scenarios, experiment files, designs,
//! posteriors, calibration targets) with a bound on their size: a file may
//! come from someone else, and a name such as `/dev/zero`, an endless
//! pipe or a named pipe nobody writes to must get an error, not fill the
//! memory or wait for ever.

use std::io::{self, Read};
use std::path::Path;

/// The largest input file bureausim reads: far above any scenario,
/// experiment, design or posterior it writes or ships (the largest, a
/// posterior of 10,000 draws, is a few MiB).
pub const MAX_INPUT_BYTES: u64 = 64 << 20;

/// The largest TOML file bureausim reads (a scenario, an experiment
/// file, calibration targets): the shipped ones hold a few KiB, and parsed
/// text takes many times its size in memory (a hostile-input audit,
/// 2026-12-06: a 64 MiB scenario of empty lists took 4.4 GB to refuse).
pub const MAX_TOML_BYTES: u64 = 8 << 20;

/// The text of a TOML file at `path`, bounded by [`MAX_TOML_BYTES`].
pub fn read_toml_text(path: &Path) -> io::Result<String> {
    read_text_within(path, MAX_TOML_BYTES)
}

/// The largest manifest (`experiment.json`) bureausim reads back: it holds
/// a design file's points, written out at about 2.7 times the design's
/// size, so a design at [`MAX_INPUT_BYTES`] gives one of about 175 MiB (a
/// review found a 26 MB design's 69 MB manifest refused by `merge`).
pub const MAX_MANIFEST_BYTES: u64 = 4 * MAX_INPUT_BYTES;

/// The bytes of the file at `path`, or an error when it holds more than
/// [`MAX_INPUT_BYTES`] (read up to one byte more, whatever the file is: a
/// device or a pipe has no length to check first).
pub fn read_bytes(path: &Path) -> io::Result<Vec<u8>> {
    read_bytes_within(path, MAX_INPUT_BYTES)
}

/// [`read_bytes`] with another bound.
pub fn read_bytes_within(path: &Path, max: u64) -> io::Result<Vec<u8>> {
    // Only a regular file (or a link to one): opening a named pipe with no
    // writer waits for ever, and a device or `/dev/stdin` is not a file
    // someone can hand on.
    if !std::fs::metadata(path)?.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "it is not a regular file (a folder, a pipe or a device); give the path of a file",
        ));
    }
    let file = std::fs::File::open(path)?;
    let mut bytes = Vec::new();
    file.take(max + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > max {
        return Err(io::Error::new(
            io::ErrorKind::FileTooLarge,
            format!(
                "it holds more than {} MiB, the most such a file may hold",
                max >> 20
            ),
        ));
    }
    Ok(bytes)
}

/// The text of the file at `path`, bounded as [`read_bytes`]; an error
/// when it is not UTF-8 (as `std::fs::read_to_string` gives).
pub fn read_text(path: &Path) -> io::Result<String> {
    read_text_within(path, MAX_INPUT_BYTES)
}

/// [`read_text`] with another bound.
pub fn read_text_within(path: &Path, max: u64) -> io::Result<String> {
    String::from_utf8(read_bytes_within(path, max)?).map_err(|_| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            "stream did not contain valid UTF-8",
        )
    })
}

/// Deserializes a pair (`[low, high]`, `[first, last]`) from a list of
/// exactly two values, for `#[serde(deserialize_with = "...")]`: the TOML
/// reader filled a two-element array from the first two of a longer list
/// and dropped the rest without a word (`years = [1, 2, 3, 4, 5]` read as
/// `[1, 2]`; a hostile-input audit, 2026-12-06).
pub fn pair<'de, D, T>(d: D) -> Result<[T; 2], D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    let v: Vec<T> = serde::Deserialize::deserialize(d)?;
    let n = v.len();
    <[T; 2]>::try_from(v).map_err(|_| {
        serde::de::Error::custom(format!(
            "expected a pair of 2 values, such as [1, 2], got a list of {n}"
        ))
    })
}

/// [`pair`] for an optional pair.
pub fn optional_pair<'de, D, T>(d: D) -> Result<Option<[T; 2]>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    pair(d).map(Some)
}

/// Deserializes an optional whole number whose key allows `LO..=HI`, for
/// an experiment file's counts: the reader's own refusal of a negative
/// number gave the type's range ("from 0 to 4294967295"), not the key's
/// (an audit, 2026-12-06: `replicates = -1` in an experiment file). A
/// number the type holds is returned for the file's checks, which say the
/// same range in their own words.
pub fn optional_count<'de, D, const LO: u32, const HI: u32>(d: D) -> Result<Option<u32>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    count_as(d, &format!("a whole number from {LO} to {HI}"))
}

/// [`optional_count`] for a Morris design's `levels`, which must also be
/// even (`levels = -1` said "from 2 to 100", and the file's check then
/// refused 3 as odd).
pub fn optional_levels<'de, D>(d: D) -> Result<Option<u32>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    count_as(d, "an even whole number from 2 to 100")
}

/// [`optional_count`] for the year an analysis reads, whose bound is the
/// run's length (`year = -1` gave the type's range, "from 0 to
/// 4294967295").
pub fn optional_year<'de, D>(d: D) -> Result<Option<u32>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    count_as(d, "a simulated year, from 1 to the run's years")
}

/// Reads a whole number for a count; one that `u32` does not hold is
/// refused as `expected`.
fn count_as<'de, D>(d: D, expected: &str) -> Result<Option<u32>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    let n: i64 = serde::Deserialize::deserialize(d)?;
    u32::try_from(n).map(Some).map_err(|_| {
        serde::de::Error::custom(format!("invalid value: integer `{n}`, expected {expected}"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_endless_file_is_refused_and_a_small_one_read() {
        // /dev/zero has no end: before, reading it filled the memory.
        if Path::new("/dev/zero").exists() {
            let e = read_text(Path::new("/dev/zero")).unwrap_err();
            assert_eq!(e.kind(), io::ErrorKind::InvalidInput);
            assert!(e.to_string().contains("not a regular file"), "{e}");
        }
        let dir = tempfile::tempdir().unwrap();
        // A file past the bound.
        let big = dir.path().join("big.toml");
        let f = std::fs::File::create(&big).unwrap();
        f.set_len(MAX_INPUT_BYTES + 10).unwrap();
        let e = read_bytes(&big).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::FileTooLarge);
        assert!(e.to_string().contains("more than 64 MiB"), "{e}");
        // A TOML file has a lower bound (parsed text takes many times its
        // size in memory).
        f.set_len(MAX_TOML_BYTES + 1).unwrap();
        let e = read_toml_text(&big).unwrap_err();
        assert!(e.to_string().contains("more than 8 MiB"), "{e}");
        f.set_len(MAX_TOML_BYTES).unwrap();
        assert!(read_toml_text(&big).is_ok());
        // A folder, and (on Unix) a named pipe nobody writes to: refused
        // at once, not waited on.
        assert_eq!(
            read_bytes(dir.path()).unwrap_err().kind(),
            io::ErrorKind::InvalidInput
        );
        #[cfg(unix)]
        {
            let fifo = dir.path().join("fifo.toml");
            let made = std::process::Command::new("mkfifo").arg(&fifo).status();
            if made.is_ok_and(|s| s.success()) {
                let e = read_text(&fifo).unwrap_err();
                assert!(e.to_string().contains("not a regular file"), "{e}");
            }
        }
        let f = dir.path().join("a.toml");
        std::fs::write(&f, "name = \"a\"\n").unwrap();
        assert_eq!(read_text(&f).unwrap(), "name = \"a\"\n");
        std::fs::write(&f, [0xff, 0xfe]).unwrap();
        assert_eq!(
            read_text(&f).unwrap_err().kind(),
            io::ErrorKind::InvalidData
        );
        assert!(read_bytes(&dir.path().join("missing")).is_err());
    }
}
