//! Random streams. Every random number in a run comes from a ChaCha8 stream
//! whose identity is (seed, replicate, stream id): never from the thread that
//! runs the work. That is what makes outputs byte-identical whatever
//! `--threads` is.
//!
//! Stream ids: [`GLOBAL_STREAM`] for a replicate's sequential events
//! (boards, postings, recruitment, reforms) and `CHUNK_BASE + chunk` for the
//! fused monthly pass over a fixed chunk of officer slots.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

/// Stream for a replicate's sequential (non-chunked) events.
pub const GLOBAL_STREAM: u64 = 0;
/// Stream for the initial population.
pub const INIT_STREAM: u64 = 1;
/// Stream for the election calendar's outcomes (one draw an election),
/// apart from the events so that arms of a comparison share them.
pub const ELECTION_STREAM: u64 = 2;
/// Stream for whether a promotion board sits (one draw a sitting).
pub const BOARD_STREAM: u64 = 3;
/// Stream for what a measure needs drawn and the model does not: under
/// scalar competence, the competence at the next grade of candidates a
/// board passed over (the rank correlation's), apart from the events so
/// that measuring draws nothing from the model's streams.
pub const MEASURE_STREAM: u64 = 4;
/// First stream id of the per-chunk streams.
pub const CHUNK_BASE: u64 = 16;

/// The largest seed: any 64-bit seed is one. A calibration's proposals
/// run on seeds anywhere in that range (`calibrate`'s `simulations.csv`),
/// and each of them must be one a run can be given again.
pub const MAX_SEED: u64 = u64::MAX;

/// The largest integer TOML holds: a seed above it is written as a string
/// of its digits (`seed = "11528446802858022107"`) where a scenario is
/// written back as TOML ([`serialize_seed`]).
pub const TOML_MAX_INTEGER: u64 = i64::MAX as u64;

/// What a seed may be, as messages say it.
pub const SEED_RANGE: &str = "a whole number from 0 to 18446744073709551615 (above 9223372036854775807, the largest integer TOML holds, written as a string of its digits, e.g. \"11528446802858022107\")";

/// Reads a seed as a flag or a string gives it: decimal digits, 0 to
/// [`MAX_SEED`].
pub fn parse_seed(s: &str) -> Option<u64> {
    // `u64`'s own parser: digits with an optional `+`, no sign, no gaps.
    s.trim().parse::<u64>().ok()
}

struct SeedVisitor;

/// A number read past [`MAX_SEED`].
fn past_the_largest<E: serde::de::Error>() -> E {
    E::invalid_value(
        serde::de::Unexpected::Other("a number past 18446744073709551615"),
        &SeedVisitor,
    )
}

impl serde::de::Visitor<'_> for SeedVisitor {
    type Value = u64;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str(SEED_RANGE)
    }

    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<u64, E> {
        Ok(v)
    }

    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<u64, E> {
        u64::try_from(v)
            .map_err(|_| E::invalid_value(serde::de::Unexpected::Signed(v), &SeedVisitor))
    }

    fn visit_u128<E: serde::de::Error>(self, v: u128) -> Result<u64, E> {
        u64::try_from(v).map_err(|_| past_the_largest())
    }

    fn visit_i128<E: serde::de::Error>(self, v: i128) -> Result<u64, E> {
        match u64::try_from(v) {
            Ok(seed) => Ok(seed),
            Err(_) if v < 0 => Err(E::invalid_value(
                serde::de::Unexpected::Other("a negative number"),
                &SeedVisitor,
            )),
            Err(_) => Err(past_the_largest()),
        }
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<u64, E> {
        parse_seed(v).ok_or_else(|| E::invalid_value(serde::de::Unexpected::Str(v), &SeedVisitor))
    }
}

/// Reads a seed (a scenario's `sim.seed`, an experiment file's `seed`): an
/// integer from 0, or a string of digits for one past TOML's integers, up
/// to [`MAX_SEED`]; anything else is refused where it is read, with the
/// file's line.
pub fn deserialize_seed<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    d.deserialize_any(SeedVisitor)
}

/// [`deserialize_seed`] for an optional key.
pub fn deserialize_seed_option<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<u64>, D::Error> {
    deserialize_seed(d).map(Some)
}

/// A seed as a TOML file gives it: the integer, or above
/// [`TOML_MAX_INTEGER`] the string of its digits in quotes.
pub fn seed_toml(seed: u64) -> String {
    if seed > TOML_MAX_INTEGER {
        format!("\"{seed}\"")
    } else {
        seed.to_string()
    }
}

/// Writes a seed: an integer up to [`TOML_MAX_INTEGER`], above it a string
/// of its digits, so that every scenario can be written back as TOML and
/// read again to the same seed.
pub fn serialize_seed<S: serde::Serializer>(seed: &u64, s: S) -> Result<S::Ok, S::Error> {
    if *seed > TOML_MAX_INTEGER {
        s.serialize_str(&seed.to_string())
    } else {
        s.serialize_u64(*seed)
    }
}

/// SplitMix64 finaliser: spreads (seed, replicate) over the 256-bit key space
/// so that neighbouring seeds give unrelated streams.
pub fn splitmix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A seeded random stream with the few draws the model needs.
#[derive(Clone, Debug)]
pub struct Stream(ChaCha8Rng);

impl Stream {
    /// The stream `stream` of replicate `replicate` of a run seeded with `seed`.
    pub fn new(seed: u64, replicate: u64, stream: u64) -> Self {
        let mut key = [0u8; 32];
        let mut s = splitmix(seed ^ 0x6275_7265_6175_7369); // "bureausi"
        for (i, word) in key.chunks_exact_mut(8).enumerate() {
            s = splitmix(s ^ replicate.wrapping_mul(0xA24B_AED4_963E_E407) ^ i as u64);
            word.copy_from_slice(&s.to_le_bytes());
        }
        let mut rng = ChaCha8Rng::from_seed(key);
        rng.set_stream(stream);
        Stream(rng)
    }

    /// How many 32-bit words the stream has given so far: what a draw
    /// costs, for tests that a piece of work is bounded by its size (a
    /// count of work, not a time).
    pub fn words_drawn(&self) -> u128 {
        self.0.get_word_pos()
    }

    /// Uniform in [0, 1) with 53 bits of precision.
    #[inline]
    pub fn uniform(&mut self) -> f64 {
        (self.0.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform in [lo, hi).
    #[inline]
    pub fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.uniform()
    }

    /// Bernoulli trial with probability `p` (p outside [0, 1] is clamped).
    #[inline]
    pub fn chance(&mut self, p: f64) -> bool {
        self.uniform() < p
    }

    /// Uniform integer in [0, n); n must be positive.
    #[inline]
    pub fn below(&mut self, n: usize) -> usize {
        debug_assert!(n > 0);
        // Lemire's multiply-shift; the bias for n far below 2^64 is negligible.
        ((self.0.next_u64() as u128 * n as u128) >> 64) as usize
    }

    /// Standard normal draw (ziggurat).
    #[inline]
    pub fn normal(&mut self) -> f64 {
        StandardNormal.sample(&mut self.0)
    }

    /// Normal with mean `mu` and standard deviation `sd`, clipped to [lo, hi].
    #[inline]
    pub fn normal_clipped(&mut self, mu: f64, sd: f64, lo: f64, hi: f64) -> f64 {
        (mu + sd * self.normal()).clamp(lo, hi)
    }

    /// Fisher–Yates shuffle.
    pub fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = self.below(i + 1);
            v.swap(i, j);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
    struct Holder {
        #[serde(
            serialize_with = "serialize_seed",
            deserialize_with = "deserialize_seed"
        )]
        seed: u64,
    }

    #[test]
    fn every_64_bit_seed_is_written_and_read_back_in_toml_and_json() {
        for seed in [
            0,
            1,
            20_251_024,
            TOML_MAX_INTEGER,
            TOML_MAX_INTEGER + 1,
            u64::MAX,
        ] {
            let h = Holder { seed };
            let text = toml::to_string(&h).unwrap();
            if seed > TOML_MAX_INTEGER {
                assert_eq!(text.trim(), format!("seed = \"{seed}\""));
            } else {
                assert_eq!(text.trim(), format!("seed = {seed}"));
            }
            assert_eq!(toml::from_str::<Holder>(&text).unwrap(), h);
            let json = serde_json::to_string(&h).unwrap();
            assert_eq!(serde_json::from_str::<Holder>(&json).unwrap(), h);
        }
        // A bare integer past TOML's largest, as a file may give it.
        let h: Holder = toml::from_str("seed = 11528446802858022107").unwrap();
        assert_eq!(h.seed, 11_528_446_802_858_022_107);
        for bad in [
            "seed = -1",
            "seed = 18446744073709551616",
            "seed = \"-1\"",
            "seed = \"1e3\"",
            "seed = \"\"",
            "seed = 1.5",
            "seed = \"18446744073709551616\"",
        ] {
            let e = toml::from_str::<Holder>(bad).unwrap_err().to_string();
            assert!(
                e.contains("a whole number from 0 to 18446744073709551615"),
                "{bad}: {e}"
            );
        }
        assert_eq!(parse_seed(" 42 "), Some(42));
        assert_eq!(parse_seed("+42"), Some(42));
        for bad in ["-0", "", "+", "0x10", "4 2"] {
            assert_eq!(parse_seed(bad), None, "{bad}");
        }
    }

    #[test]
    fn same_identity_same_numbers() {
        let mut a = Stream::new(7, 3, 20);
        let mut b = Stream::new(7, 3, 20);
        for _ in 0..100 {
            assert_eq!(a.uniform().to_bits(), b.uniform().to_bits());
        }
    }

    #[test]
    fn different_replicate_or_stream_differs() {
        let first = |s: &mut Stream| (0..4).map(|_| s.uniform()).collect::<Vec<_>>();
        let base = first(&mut Stream::new(7, 3, 20));
        assert_ne!(base, first(&mut Stream::new(7, 4, 20)));
        assert_ne!(base, first(&mut Stream::new(7, 3, 21)));
        assert_ne!(base, first(&mut Stream::new(8, 3, 20)));
    }

    #[test]
    fn uniform_and_below_in_range_and_unbiased() {
        let mut s = Stream::new(1, 0, 0);
        let n = 100_000;
        let mut sum = 0.0;
        let mut counts = [0usize; 5];
        for _ in 0..n {
            let u = s.uniform();
            assert!((0.0..1.0).contains(&u));
            sum += u;
            counts[s.below(5)] += 1;
        }
        assert!((sum / n as f64 - 0.5).abs() < 0.01);
        for c in counts {
            assert!((c as f64 / n as f64 - 0.2).abs() < 0.01, "{counts:?}");
        }
    }

    #[test]
    fn normal_has_unit_variance() {
        let mut s = Stream::new(2, 0, 0);
        let n = 100_000;
        let xs: Vec<f64> = (0..n).map(|_| s.normal()).collect();
        let mean = xs.iter().sum::<f64>() / n as f64;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n as f64;
        assert!(
            mean.abs() < 0.02 && (var - 1.0).abs() < 0.03,
            "{mean} {var}"
        );
    }
}
