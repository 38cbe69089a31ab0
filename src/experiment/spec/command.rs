//! The command line that reproduces an experiment.

use std::path::Path;

use super::{Kind, Method, Spec};

impl Spec {
    /// The command that reproduces this experiment (without `--out`,
    /// `--shard`, `--threads` and `--force`, which do not change results).
    pub fn command(&self, file: Option<&Path>) -> String {
        if let Some(f) = file {
            return format!(
                "bureausim experiment {}",
                shell_word(&f.display().to_string())
            );
        }
        let mut c = format!("bureausim {}", self.kind.name());
        for p in &self.scenarios {
            c.push(' ');
            c.push_str(&shell_word(&p.display().to_string()));
        }
        for v in &self.vary {
            c.push_str(&format!(
                " --vary {}",
                shell_word(&format!("{}={}", v.key, v.values.join(",")))
            ));
        }
        if let Some(d) = &self.design {
            c.push_str(&format!(" --design {}", shell_word(&d.file)));
        }
        for p in &self.params {
            c.push_str(&format!(
                " --param {}",
                shell_word(&format!("{}={}:{}", p.key, p.lo, p.hi))
            ));
        }
        if self.decompose {
            c.push_str(" --decompose");
        }
        if let Some(e) = &self.ensemble {
            c.push_str(&format!(
                " --ensemble {} --draws {}",
                shell_word(&e.file),
                e.draws
            ));
        }
        c.push_str(&format!(" --replicates {}", self.replicates));
        if let Some(y) = self.years {
            c.push_str(&format!(" --years {y}"));
        }
        if let Some(s) = self.seed {
            c.push_str(&format!(" --seed {s}"));
        }
        if let Some(f) = self.scale {
            c.push_str(&format!(" --scale {f}"));
        }
        for s in &self.sets {
            c.push_str(&format!(" --set {}", shell_word(s)));
        }
        if !self.report_years.is_empty() {
            let ys: Vec<String> = self.report_years.iter().map(|y| y.to_string()).collect();
            c.push_str(&format!(" --at {}", ys.join(",")));
        }
        if !self.metrics.is_empty() {
            c.push_str(&format!(" --metrics {}", self.metrics.join(",")));
        }
        if self.kind == Kind::Sensitivity {
            match self.method {
                Method::Morris => c.push_str(&format!(
                    " --method morris --trajectories {} --levels {}",
                    self.trajectories, self.levels
                )),
                Method::Sobol => c.push_str(&format!(" --method sobol --samples {}", self.samples)),
            }
            c.push_str(&format!(" --bootstrap {}", self.bootstrap));
            if let Some(y) = self.year {
                c.push_str(&format!(" --year {y}"));
            }
            if self.design_seed != 1 {
                c.push_str(&format!(" --design-seed {}", self.design_seed));
            }
        }
        c
    }
}

/// Quotes a word for a POSIX shell when it needs it. A word with a
/// control character (a tab or a line break in a file's name) is written
/// in `$'…'` quotes with the character escaped, so that the command stays
/// one line of printable text (`merge` refuses a shard's command that is
/// not).
fn shell_word(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@%".contains(c))
    {
        s.to_string()
    } else if s.chars().any(char::is_control) {
        let mut out = String::from("$'");
        for c in s.chars() {
            match c {
                '\\' => out.push_str("\\\\"),
                '\'' => out.push_str("\\'"),
                '\n' => out.push_str("\\n"),
                '\t' => out.push_str("\\t"),
                '\r' => out.push_str("\\r"),
                c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
                c => out.push(c),
            }
        }
        out.push('\'');
        out
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::super::{Kind, Spec, parse_vary};

    #[test]
    fn commands_quote_what_a_shell_would_split() {
        let mut s = Spec::new(
            Kind::Sweep,
            vec![PathBuf::from("scenarios/pakistan_baseline.toml")],
        );
        s.vary = vec![parse_vary("promotion.rule=seniority,weighted").unwrap()];
        s.sets = vec!["description=two words".into()];
        let c = s.command(None);
        assert!(
            c.starts_with("bureausim sweep scenarios/pakistan_baseline.toml --vary promotion.rule=seniority,weighted --replicates 5"),
            "{c}"
        );
        assert!(c.contains("--set 'description=two words'"), "{c}");
        // A control character stays escaped: the command is one line of
        // printable text, which `merge` requires of a shard's (a review).
        s.sets = vec!["description=a\tb'c\n".into()];
        let c = s.command(None);
        assert!(c.contains(r"--set $'description=a\tb\'c\n'"), "{c}");
        assert!(!c.chars().any(char::is_control), "{c}");
    }
}
