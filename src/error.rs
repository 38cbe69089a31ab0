//! The bottom layer's error for bad input: a message that is the user's to
//! fix (exit code 2). It imports nothing of ours, so every layer may use it.

/// An error that is the user's to fix: exit code 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// `text` cut to about `max` characters, saying how much was left out, so
/// that a message never repeats a huge input (a 600 KB line) in full.
pub fn shorten(text: &str, max: usize) -> String {
    let n = text.chars().count();
    if n <= max {
        return text.to_string();
    }
    let head: String = text.chars().take(max).collect();
    format!("{head}… ({} more characters)", n - max)
}

/// A number as a person reads it: plain up to 15 digits, scientific beyond
/// (1e308 rather than 309 digits) and for tiny magnitudes.
pub fn readable(x: f64) -> String {
    let a = x.abs();
    if x.is_finite() && a != 0.0 && !(1e-6..1e15).contains(&a) {
        format!("{x:e}")
    } else {
        format!("{x}")
    }
}

/// A number to four significant figures, for messages about computed
/// values: 1e9 rather than 999999999.9999999, 2.7e21, 0.1, 104.
pub fn rounded(x: f64) -> String {
    let a = x.abs();
    if !x.is_finite() || a == 0.0 {
        return format!("{x}");
    }
    let trim = |t: String| -> String {
        if t.contains('.') {
            t.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            t
        }
    };
    if !(1e-3..1e6).contains(&a) {
        let t = format!("{x:.3e}");
        let (m, e) = t.split_once('e').expect("scientific form");
        format!("{}e{e}", trim(m.to_string()))
    } else {
        let decimals = (3 - a.log10().floor() as i32).max(0) as usize;
        trim(format!("{x:.decimals$}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_text_is_cut_and_numbers_stay_short() {
        assert_eq!(shorten("abc", 5), "abc");
        assert_eq!(shorten("abcdefgh", 3), "abc… (5 more characters)");
        assert_eq!(readable(1e308), "1e308");
        assert_eq!(readable(-2.5e-9), "-2.5e-9");
        assert_eq!(readable(0.25), "0.25");
        assert_eq!(readable(1234.0), "1234");
        assert_eq!(readable(0.0), "0");
        assert_eq!(rounded(999_999_999.999_999_9), "1e9");
        assert_eq!(rounded(26_999_999_999.999_996), "2.7e10");
        assert_eq!(rounded(1000000003.9999999), "1e9");
        assert_eq!(rounded(104.0), "104");
        assert_eq!(rounded(-4.5), "-4.5");
        assert_eq!(rounded(0.123456), "0.1235");
    }
}
