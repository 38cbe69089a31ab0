//! Printing to the terminal without panicking when the reader has gone.
//!
//! `println!` panics when standard output is a pipe whose reader has
//! closed (`bureausim check s.toml | head -1`): the program then ends with
//! a panic and exit code 101, after its results were written but before
//! the tidying that follows them (an old result that `--force` moved
//! aside). These macros print the same way and never panic: a closed pipe
//! is the reader's choice and is ignored, as in `ripgrep`; any other
//! failure to write standard output is remembered, so that `main` can end
//! with exit code 1 once the command's work is done.

use std::fmt;
use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};

/// Set when writing standard output failed for a reason other than a
/// closed pipe (a full disk behind a redirection, say).
static STDOUT_FAILED: AtomicBool = AtomicBool::new(false);

/// Writes to standard output (see the module's note).
pub fn write_out(args: fmt::Arguments) {
    let mut o = io::stdout().lock();
    if let Err(e) = o.write_fmt(args).and_then(|()| o.flush()) {
        if e.kind() != io::ErrorKind::BrokenPipe {
            STDOUT_FAILED.store(true, Ordering::Relaxed);
        }
    }
}

/// Writes to standard error; a failure is ignored (there is nowhere left
/// to say it).
pub fn write_err(args: fmt::Arguments) {
    let _ = io::stderr().lock().write_fmt(args);
}

/// Whether writing standard output failed other than by a closed pipe.
pub fn stdout_failed() -> bool {
    STDOUT_FAILED.load(Ordering::Relaxed)
}

/// `print!` that does not panic ([`write_out`]).
macro_rules! out {
    ($($t:tt)*) => { $crate::console::write_out(format_args!($($t)*)) };
}

/// `println!` that does not panic ([`write_out`]).
macro_rules! outln {
    () => { $crate::console::write_out(format_args!("\n")) };
    ($($t:tt)*) => { $crate::console::write_out(format_args!("{}\n", format_args!($($t)*))) };
}

/// `eprintln!` that does not panic ([`write_err`]).
macro_rules! errln {
    () => { $crate::console::write_err(format_args!("\n")) };
    ($($t:tt)*) => { $crate::console::write_err(format_args!("{}\n", format_args!($($t)*))) };
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_macros_format_as_the_std_ones() {
        // Output goes to the test harness; only that they compile and do
        // not panic is checked here, and the closed pipe in tests/defects.rs.
        out!("{}", 1);
        outln!("{} {x}", 2, x = 3);
        outln!();
        errln!("{:.1}", 4.0);
        assert!(!super::stdout_failed());
    }
}
