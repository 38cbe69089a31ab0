//! Reading the files a user names (scenarios, experiment files, designs,
//! posteriors, calibration targets) with a bound on their size: a file may
//! come from someone else, and a name such as `/dev/zero` or an endless
//! pipe must get an error, not fill the memory.

use std::io::{self, Read};
use std::path::Path;

/// The largest input file bureausim reads: far above any scenario,
/// experiment, design or posterior it writes or ships (the largest, a
/// posterior of 10,000 draws, is a few MiB).
pub const MAX_INPUT_BYTES: u64 = 64 << 20;

/// The bytes of the file at `path`, or an error when it holds more than
/// [`MAX_INPUT_BYTES`] (read up to one byte more, whatever the file is: a
/// device or a pipe has no length to check first).
pub fn read_bytes(path: &Path) -> io::Result<Vec<u8>> {
    let file = std::fs::File::open(path)?;
    let mut bytes = Vec::new();
    file.take(MAX_INPUT_BYTES + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_INPUT_BYTES {
        return Err(io::Error::new(
            io::ErrorKind::FileTooLarge,
            format!(
                "it holds more than {} MiB, the most an input file may hold",
                MAX_INPUT_BYTES >> 20
            ),
        ));
    }
    Ok(bytes)
}

/// The text of the file at `path`, bounded as [`read_bytes`]; an error
/// when it is not UTF-8 (as `std::fs::read_to_string` gives).
pub fn read_text(path: &Path) -> io::Result<String> {
    String::from_utf8(read_bytes(path)?).map_err(|_| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            "stream did not contain valid UTF-8",
        )
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
            assert_eq!(e.kind(), io::ErrorKind::FileTooLarge);
            assert!(e.to_string().contains("more than 64 MiB"), "{e}");
        }
        let dir = tempfile::tempdir().unwrap();
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
