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

use crate::paths;

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
    let key = paths::canonical(key);
    members(tree)
        .into_iter()
        .find(|(keys, _)| keys.contains(&key))
        .map(|(keys, _)| keys.into_iter().filter(|k| *k != key).collect())
        .unwrap_or_default()
}

/// The `key=value` overrides that keep every group summing to 1 once the
/// keys of `varied` are set in `tree` (which already holds their values).
/// Empty when no varied key belongs to a group.
///
/// A varied share of a reform (`reforms[N].set.recruitment.merit_share`)
/// is completed within that reform: the absorbing key must be one the
/// reform sets, and the keys it does not set count at their values before
/// it.
pub fn complete(tree: &Value, varied: &[String]) -> Result<Vec<String>, String> {
    // (prefix, key within it): `reforms.N.set` or "" for the scenario itself.
    let split = |k: &String| -> (String, String) {
        let segs = paths::segments(k);
        if segs.len() > 3 && segs[0] == "reforms" && segs[2] == "set" {
            (segs[..3].join("."), segs[3..].join("."))
        } else {
            (String::new(), segs.join("."))
        }
    };
    let varied: Vec<(String, String)> = varied.iter().map(split).collect();
    let mut prefixes: Vec<&String> = varied.iter().map(|(p, _)| p).collect();
    prefixes.dedup();
    let regions = paths::get(tree, "recruitment.regions")
        .ok()
        .and_then(Value::as_array)
        .is_some_and(|a| !a.is_empty());
    let mut out = Vec::new();
    for prefix in prefixes {
        let full = |k: &str| {
            if prefix.is_empty() {
                k.to_string()
            } else {
                format!("{prefix}.{k}")
            }
        };
        // In a reform, a key it does not set counts at its value before it.
        let present = |k: &str| paths::get(tree, &full(k)).is_ok();
        let number = |p: &str| -> f64 {
            paths::get(tree, p)
                .ok()
                .and_then(|v| v.as_float().or(v.as_integer().map(|i| i as f64)))
                .unwrap_or(0.0)
        };
        let value = |k: &str| {
            if present(k) {
                number(&full(k))
            } else {
                number(k)
            }
        };
        let mine_keys: Vec<&String> = varied
            .iter()
            .filter(|(p, _)| p == prefix)
            .map(|(_, k)| k)
            .collect();
        for (keys, absorbers) in members(tree) {
            let (mine, rest): (Vec<&String>, Vec<&String>) =
                keys.iter().partition(|k| mine_keys.contains(k));
            if mine.is_empty() || rest.is_empty() {
                continue;
            }
            let taken: f64 = mine.iter().map(|k| value(k)).sum();
            let left = 1.0 - taken;
            let shown = || {
                mine.iter()
                    .map(|k| format!("`{}` = {}", paths::display(&full(k)), value(k)))
                    .collect::<Vec<_>>()
                    .join(" + ")
            };
            match absorbers {
                Some(order) => {
                    // Quota seats need a region to go to.
                    let usable = |k: &&String| {
                        !mine.contains(k)
                            && (prefix.is_empty() || present(k))
                            && (k.as_str() != "recruitment.quota_share" || regions)
                    };
                    let Some(absorber) = order.iter().find(usable) else {
                        return Err(if prefix.is_empty() {
                            format!(
                                "no share of {}'s group can take up the change ({})",
                                shown(),
                                rest.iter()
                                    .map(|k| format!("`{k}`"))
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            )
                        } else {
                            format!(
                                "`{}` sets none of the other shares of {}'s group, which must sum to 1 with it after the reform; add one ({}) to the reform's `set`",
                                paths::display(prefix),
                                shown(),
                                rest.iter()
                                    .map(|k| format!("`{k}`"))
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            )
                        });
                    };
                    let others: f64 = rest
                        .iter()
                        .filter(|k| **k != absorber)
                        .map(|k| value(k))
                        .sum();
                    let x = left - others;
                    if x < -1e-9 {
                        return Err(format!(
                            "{} {} {} for `{}`, which takes what the others of its group leave; the shares must sum to 1",
                            shown(),
                            if mine.len() == 1 { "leaves" } else { "leave" },
                            clean(x),
                            paths::display(&full(absorber))
                        ));
                    }
                    out.push(format!(
                        "{}={}",
                        paths::display(&full(absorber)),
                        clean(x.max(0.0))
                    ));
                }
                // Lists of shares are completed in the scenario itself only.
                None if !prefix.is_empty() => {}
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
                        out.push(format!("{}={}", paths::display(k), clean(x)));
                    }
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
        assert_eq!(sets, ["recruitment.patronage_share=0.425"]);
        let t = tree_with(&["recruitment.merit_share=0.95"]);
        let e = complete(&t, &["recruitment.merit_share".into()]).unwrap_err();
        // Without regions quota seats cannot be filled: patronage absorbs.
        let t = tree_with(&[
            "recruitment.regions=[]",
            "recruitment.merit_share=1.0",
            "recruitment.quota_share=0.0",
            "recruitment.patronage_share=0.0",
        ]);
        let t2 = {
            let mut t2 = t.clone();
            paths::set(&mut t2, "recruitment.patronage_share", Value::Float(0.2)).unwrap();
            t2
        };
        let sets = complete(&t2, &["recruitment.patronage_share".into()]).unwrap();
        assert_eq!(sets, ["recruitment.merit_share=0.8"]);
        assert!(
            e.contains("leaves -0.05 for `recruitment.quota_share`"),
            "{e}"
        );
    }

    #[test]
    fn a_reforms_share_is_completed_within_the_reform() {
        let text = "[[reforms]]\nyear = 1\nset = { recruitment.merit_share = 0.1, recruitment.quota_share = 0.3, recruitment.patronage_share = 0.6 }\n";
        let s: Scenario = toml::from_str(text).unwrap();
        let mut t = Value::try_from(s).unwrap();
        let k = "reforms[0].set.recruitment.merit_share";
        paths::set(&mut t, k, Value::Float(0.3)).unwrap();
        let sets = complete(&t, &[k.into()]).unwrap();
        assert_eq!(sets, ["reforms[0].set.recruitment.quota_share=0.1"]);
        // A reform that sets one share alone cannot keep the sum.
        let text = "[[reforms]]\nyear = 1\nset = { \"pay.weight_pay\" = 0.4 }\n";
        let s: Scenario = toml::from_str(text).unwrap();
        let t = Value::try_from(s).unwrap();
        let e = complete(&t, &["reforms[0].set.pay.weight_pay".into()]).unwrap_err();
        assert!(e.contains("sets none of the other shares"), "{e}");
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
        assert!(
            sets[0].starts_with("recruitment.regions[1].share="),
            "{sets:?}"
        );
        let t = Value::try_from(Scenario::default()).unwrap();
        assert!(
            complete(&t, &["politics.interference".into()])
                .unwrap()
                .is_empty()
        );
        assert_eq!(partners(&t, "pay.weight_pay").len(), 2);
    }
}
