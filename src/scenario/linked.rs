//! Keys that must sum to 1, varied together. An experiment that varies one
//! share of such a group (`--vary recruitment.merit_share=0.07,0.5`) cannot
//! leave the others as they are, or no point would be a valid scenario. So
//! the members it does not vary absorb the change, by a documented rule
//! (docs/experiments.md, "Linked keys"):
//!
//! - the recruitment channels (`recruitment.merit_share`, `quota_share`,
//!   `patronage_share`): the first of quota, patronage and merit that is
//!   not varied takes what the others leave (as the page's sliders do:
//!   open-merit seats come out of the regional quota), the rest keep their
//!   values;
//! - the morale weights (`pay.weight_pay`, `weight_fairness`,
//!   `weight_security`): the first of pay, security and fairness that is not
//!   varied takes what the others leave;
//! - lists of shares (`recruitment.regions[*].share`,
//!   `structure.sectors[*].share`): the members not varied are rescaled in
//!   proportion to their values (equally, if they are all 0).
//!
//! Varying every member of a group leaves the sum to the user, and the
//! scenario check refuses a point whose shares do not sum to 1.

use toml::Value;

use crate::scenario::paths;

/// A group of keys that must sum to 1.
enum Group {
    /// Named keys; the first of `absorbers` that is not varied takes up
    /// the change.
    Named {
        keys: &'static [&'static str],
        absorbers: &'static [&'static str],
    },
    /// `list[*].field` over every entry of a list; the entries not varied
    /// are rescaled in proportion.
    List {
        list: &'static str,
        field: &'static str,
    },
}

const GROUPS: &[Group] = &[
    Group::Named {
        keys: &[
            "recruitment.merit_share",
            "recruitment.quota_share",
            "recruitment.patronage_share",
        ],
        absorbers: &[
            "recruitment.quota_share",
            "recruitment.patronage_share",
            "recruitment.merit_share",
        ],
    },
    Group::Named {
        keys: &[
            "pay.weight_pay",
            "pay.weight_fairness",
            "pay.weight_security",
        ],
        absorbers: &[
            "pay.weight_pay",
            "pay.weight_security",
            "pay.weight_fairness",
        ],
    },
    Group::List {
        list: "recruitment.regions",
        field: "share",
    },
    Group::List {
        list: "structure.sectors",
        field: "share",
    },
];

/// A key path in one canonical form (`a.b.2.c`), for comparing paths
/// written as `a.b[2].c` or `a.b.2.c`.
pub fn canonical(path: &str) -> String {
    paths::segments(path).join(".")
}

/// The members of each group in `tree` (lists expanded to their entries).
fn members(tree: &Value) -> Vec<(Vec<String>, Option<Vec<String>>)> {
    GROUPS
        .iter()
        .map(|g| match g {
            Group::Named { keys, absorbers } => (
                keys.iter().map(|k| k.to_string()).collect(),
                Some(absorbers.iter().map(|k| k.to_string()).collect()),
            ),
            Group::List { list, field } => {
                let n = paths::get(tree, list)
                    .ok()
                    .and_then(Value::as_array)
                    .map_or(0, Vec::len);
                (
                    (0..n).map(|k| format!("{list}.{k}.{field}")).collect(),
                    None,
                )
            }
        })
        .collect()
}

/// Keys linked to `key`: the other members of its group, if it has one.
pub fn partners(tree: &Value, key: &str) -> Vec<String> {
    let key = canonical(key);
    members(tree)
        .into_iter()
        .find(|(keys, _)| keys.contains(&key))
        .map(|(keys, _)| keys.into_iter().filter(|k| *k != key).collect())
        .unwrap_or_default()
}

/// The `key=value` overrides that keep every group summing to 1 once the
/// keys of `varied` are set in `tree` (which already holds their values).
/// Empty when no varied key belongs to a group.
pub fn complete(tree: &Value, varied: &[String]) -> Result<Vec<String>, String> {
    let varied: Vec<String> = varied.iter().map(|k| canonical(k)).collect();
    let value = |k: &str| -> f64 {
        paths::get(tree, k)
            .ok()
            .and_then(|v| v.as_float().or(v.as_integer().map(|i| i as f64)))
            .unwrap_or(0.0)
    };
    let mut out = Vec::new();
    for (keys, absorbers) in members(tree) {
        let (mine, rest): (Vec<&String>, Vec<&String>) =
            keys.iter().partition(|k| varied.contains(k));
        if mine.is_empty() || rest.is_empty() {
            continue;
        }
        let taken: f64 = mine.iter().map(|k| value(k)).sum();
        let left = 1.0 - taken;
        let shown = || {
            mine.iter()
                .map(|k| format!("`{k}` = {}", value(k)))
                .collect::<Vec<_>>()
                .join(" + ")
        };
        match absorbers {
            Some(order) => {
                let absorber = order
                    .iter()
                    .find(|k| !varied.contains(k))
                    .expect("a member is not varied");
                let others: f64 = rest
                    .iter()
                    .filter(|k| **k != absorber)
                    .map(|k| value(k))
                    .sum();
                let x = left - others;
                if x < -1e-9 {
                    return Err(format!(
                        "{} {} {} for `{absorber}`, which takes what the others of its group leave; the shares must sum to 1",
                        shown(),
                        if mine.len() == 1 { "leaves" } else { "leave" },
                        clean(x)
                    ));
                }
                out.push(format!("{absorber}={}", clean(x.max(0.0))));
            }
            None => {
                if left < -1e-9 {
                    return Err(format!(
                        "{} add up to more than 1, leaving {} for the other entries, which must sum to 1 with them",
                        shown(),
                        clean(left)
                    ));
                }
                let sum: f64 = rest.iter().map(|k| value(k)).sum();
                for k in &rest {
                    let x = if sum > 0.0 {
                        value(k) * left.max(0.0) / sum
                    } else {
                        left.max(0.0) / rest.len() as f64
                    };
                    out.push(format!("{k}={}", clean(x)));
                }
            }
        }
    }
    Ok(out)
}

/// A share as `--set` text, rounded to 12 decimals (so that 1 − 0.5 − 0.1
/// reads 0.4) and always with a decimal point.
fn clean(x: f64) -> String {
    let x = (x * 1e12).round() / 1e12 + 0.0;
    let s = format!("{x}");
    if s.contains('.') || s.contains('e') {
        s
    } else {
        format!("{s}.0")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Scenario;

    fn tree_with(sets: &[&str]) -> Value {
        let mut tree = Value::try_from(Scenario::default()).unwrap();
        for s in sets {
            let (k, v) = s.split_once('=').unwrap();
            let like = paths::get(&tree, k).unwrap().clone();
            paths::set(&mut tree, k, paths::parse_like(v, &like).unwrap()).unwrap();
        }
        tree
    }

    #[test]
    fn quota_absorbs_merit_and_patronage_keep_their_values() {
        let t = tree_with(&["recruitment.merit_share=0.5"]);
        let sets = complete(&t, &["recruitment.merit_share".into()]).unwrap();
        assert_eq!(sets, ["recruitment.quota_share=0.4"]);
        let t = tree_with(&["recruitment.quota_share=0.5"]);
        let sets = complete(&t, &["recruitment.quota_share".into()]).unwrap();
        assert_eq!(sets, ["recruitment.patronage_share=0.43"]);
        let t = tree_with(&["recruitment.merit_share=0.95"]);
        let e = complete(&t, &["recruitment.merit_share".into()]).unwrap_err();
        assert!(
            e.contains("leaves -0.05 for `recruitment.quota_share`"),
            "{e}"
        );
    }

    #[test]
    fn a_list_of_shares_is_rescaled_in_proportion() {
        let t = tree_with(&["recruitment.regions[0].share=0.7"]);
        let sets = complete(&t, &["recruitment.regions[0].share".into()]).unwrap();
        let total: f64 = sets
            .iter()
            .map(|s| s.split_once('=').unwrap().1.parse::<f64>().unwrap())
            .sum::<f64>()
            + 0.7;
        assert!((total - 1.0).abs() < 1e-9, "{sets:?}");
        assert_eq!(sets.len(), 7);
        let t = Value::try_from(Scenario::default()).unwrap();
        assert!(
            complete(&t, &["politics.interference".into()])
                .unwrap()
                .is_empty()
        );
        assert_eq!(partners(&t, "pay.weight_pay").len(), 2);
    }
}
