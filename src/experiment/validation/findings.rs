//! The published findings the model is held to (docs/sources/evidence.md), and
//! those it does not address.

use super::evidence::{Arm, BASELINE, Design, EvidenceCheck, NotAddressed, sets};
use super::statistics::Size;

const MERIT: Arm = sets(&[
    "recruitment.merit_share=1.0",
    "recruitment.quota_share=0.0",
    "recruitment.patronage_share=0.0",
]);

/// The evidence checks, in the order of docs/sources/evidence.md.
pub const EVIDENCE: &[EvidenceCheck] = &[
    EvidenceCheck {
        id: "merit_recruitment_corruption",
        section: "Recruitment",
        finding: "Meritocratic recruitment goes with lower corruption.",
        source: "Rauch & Evans 2000; Dahlström, Lapuente & Teorell 2012; Schuster, Meyer-Sahling & Mikkelsen 2018",
        design: Design::Pair {
            base: BASELINE,
            treat: MERIT,
        },
        arms: "baseline intake (7.5% merit, 82.5% quota, 10% patronage) against all-merit intake, both from the start of the warm-up",
        metric: "corruption_prevalence",
        years: (20, 30),
        direction: -1.0,
        size: Size::Direction,
        literature_size: "cross-country: about a third to a half of a standard deviation of corruption per standard deviation of meritocracy; no within-country size",
        agrees: true,
        note: "Patronage entrants are drawn with lower integrity (by 0.2) and strong connections that shield them from detection; quota entrants come from smaller regional pools, so they are less able but as honest as merit entrants. Only the 10% patronage share therefore carries the corruption effect, which grows as merit cohorts replace older ones; it is measured 30-40 years after the change.",
    },
    EvidenceCheck {
        id: "merit_recruitment_performance",
        section: "Recruitment",
        finding: "Meritocratic recruitment goes with better performance.",
        source: "Rauch & Evans 2000; Dahlström, Lapuente & Teorell 2012",
        design: Design::Pair {
            base: BASELINE,
            treat: MERIT,
        },
        arms: "as above",
        metric: "efficiency",
        years: (20, 30),
        direction: 1.0,
        size: Size::Direction,
        literature_size: "not given in comparable units",
        agrees: true,
        note: "Merit entrants have higher ability, which raises competence and delivered performance. The effect is small (about +2% of efficiency, the table's figure). Before the arms shared their elections and board sittings (CHANGELOG, 2026-12-04) its interval at 8 replicates touched 0 under the monthly engine on the default seed and on one of four other seeds (docs/engines.md); paired on them, its interval is several times narrower and clear of 0.",
    },
    EvidenceCheck {
        id: "pay_relative_wage",
        section: "Pay",
        finding: "Doubling civil-service pay relative to manufacturing pay improves a 0-6 corruption rating by about 1 point across countries (about 0.35 in a re-estimate).",
        source: "Van Rijckeghem & Weder 1997/2001; de Haan et al. 2013",
        design: Design::Pair {
            base: BASELINE,
            treat: sets(&["pay.level=2.0"]),
        },
        arms: "pay level 1.0 (baseline) against 2.0, from the start of the warm-up",
        metric: "corruption_prevalence",
        years: (10, 25),
        direction: -1.0,
        size: Size::Percent(-35.0, -3.0),
        literature_size: "1 of 6 rating points (0.35 in the re-estimate): about 6-17% of the scale; band taken as -3% to -35% of prevalence",
        agrees: true,
        note: "Pay raises the cost of being caught: a conviction costs the penalty and the premium over the outside wage for the years left, both in own pay, while a bribe is a sum of money valued on the market's pay scale (`corruption.rent_valuation`, docs/model.md §7.3), so doubling pay doubles the penalty's weight against the same bribe and raises the premium lost from about 0; pay also raises morale. Since bribes are valued in market pay (2026-12-07) the effect is about -20% (the table's figure); valued in own pay, as before, it was about -4% (-6% before the career pipeline was calibrated, issue 14), because pay then entered only through the premium, near 0 at the baseline's pay. Deterrence is still small against the gain and the moral cost at the baseline's detection (docs/model.md §7.3, deterrence), which is why the effect needs detection (the next check). The band is the literature's and is not widened.",
    },
    EvidenceCheck {
        id: "pay_needs_detection",
        section: "Pay",
        finding: "In the expected-income form, honesty needs a wage premium that grows with B/p: pay deters only as far as detection works.",
        source: "Becker & Stigler 1974; Besley & McLaren 1993; Van Rijckeghem & Weder 2001",
        design: Design::Interaction {
            a_lo_b_lo: sets(&["accountability.detection_rate=0.01"]),
            a_hi_b_lo: sets(&["pay.level=2.0", "accountability.detection_rate=0.01"]),
            a_lo_b_hi: sets(&["accountability.detection_rate=0.3"]),
            a_hi_b_hi: sets(&["pay.level=2.0", "accountability.detection_rate=0.3"]),
        },
        arms: "effect of pay 1.0 -> 2.0 at detection 0.3, minus the same at detection 0.01",
        metric: "corruption_prevalence",
        years: (10, 25),
        direction: -1.0,
        size: Size::Direction,
        literature_size: "qualitative",
        agrees: true,
        note: "The expected loss from corruption is detection x conviction x (pay premium + fine), both in own pay against a bribe valued in market pay, so the pay effect scales with detection: without a chance of conviction pay does not enter the decision, and moves corruption only through morale and who stays.",
    },
    EvidenceCheck {
        id: "pay_cut_raises_corruption",
        section: "Pay",
        finding: "The same relation read the other way: lower civil-service pay relative to manufacturing pay goes with more corruption (about 1 point of a 0-6 rating per unit of the wage ratio; about 0.35 in a re-estimate).",
        source: "Van Rijckeghem & Weder 1997/2001; de Haan et al. 2013",
        design: Design::Pair {
            base: BASELINE,
            treat: sets(&["pay.level=0.5"]),
        },
        arms: "pay level 1.0 (baseline) against 0.5, from the start of the warm-up",
        metric: "corruption_prevalence",
        years: (10, 25),
        direction: 1.0,
        size: Size::Percent(1.5, 17.5),
        literature_size: "linear in the wage ratio: a fall from 1 to 0.5 is half a unit, so about 0.5 rating points (0.18 in the re-estimate); band taken as +1.5% to +17.5% of prevalence, half the raise's band, mirrored",
        agrees: true,
        note: "Close to no effect, and its sign rests on an input the sources leave open. The model has no channel by which low pay pushes officers towards bribes (need, or a fair-wage norm): a cut halves what a conviction costs against a bribe valued in market pay, which raises corruption a little, and drives officers out (resignations nearly double at the default), leaving a smaller, younger service with less time in post, which lowers it. How strongly resignations answer pay, `exits.quit_sensitivity`, sets the balance. Since 2026-12-07 it is 0.4, at which the model's resignations answer pay with an elasticity of about -1.0, the value read from public servants' quit responses to pay (Antwi & Phillips 2013; Ransom & Sims 2010; Falch 2010, 2011; docs/model.md 7.10); until then it was 2.5, an assumption (an elasticity of about -3.5), and a halving lowered prevalence by 18%. The same comparison (6 replicates, years 10-25, 2026-12-07) gives +1.9% at 0.4, -2.2% at 1 and -12.0% at 2, so across the sources' plausible range (elasticities of -0.5 to -1.9, of which the model reaches -0.63 to about -1.9 with `quit_sensitivity` 0 to 1.4, the fit's prior) the effect runs from slightly up to slightly down, and clearly down only beyond it (at 2, an elasticity of about -2.5); at full size it agrees (+1.9% on the default seed, its interval clear of 0 there and on seed 778, under either engine); at a tenth of the size, where the tests run it, its interval clears 0 on the default seed and on seed 777 and includes 0 on 778 and 779 (`validate --quick`, 2026-12-07, after the staggered engine's settling pass), so the check is recorded as agreeing, and it is the first to watch when a change moves the random numbers. The fit's prior spans that reach, so `--ensemble` carries it into a comparison: over 20 draws of the posterior (2 replicates each, 2026-12-07) a halving moved prevalence at year 25 by -0.2 points on a mean of 36% (95% interval of the mean effect -0.5 to +0.2; 5th to 95th percentile over the draws -1.2 to +1.4), up in 8 of the 20 draws and down in 12, a split within the replicates' luck. A mechanism for the published direction (the value of the job beyond the premium, or a fair-wage term in the decision) is a model change to propose, not a calibration.",
    },
    EvidenceCheck {
        id: "rotation_lowers_bribes",
        section: "Rotation and transfers",
        finding: "Re-matching officials and bribers lowers bribes against fixed pairs.",
        source: "Abbink 2004 (laboratory); Fišar et al.",
        design: Design::Pair {
            base: sets(&["politics.enabled=false", "postings.tenure_months=72"]),
            treat: sets(&["politics.enabled=false", "postings.tenure_months=12"]),
        },
        arms: "6-year against 1-year postings, no political transfers in either",
        metric: "rent_taken",
        years: (10, 25),
        direction: -1.0,
        size: Size::Direction,
        literature_size: "laboratory: bribes and inefficient decisions clearly lower; no field size",
        agrees: true,
        note: "Collusion with local bribers builds with months in post; a transfer resets it.",
    },
    EvidenceCheck {
        id: "political_transfers_worse",
        section: "Rotation and transfers",
        finding: "Frequent politically driven transfers go with worse outcomes.",
        source: "Iyer & Mani 2012 (India); Cyan & Pasha 2017 (Punjab)",
        design: Design::Pair {
            base: sets(&["politics.interference=0.2"]),
            treat: BASELINE,
        },
        arms: "low political interference (0.2) against the baseline's 0.7",
        metric: "efficiency",
        years: (10, 25),
        direction: -1.0,
        size: Size::Direction,
        literature_size: "not given in comparable units",
        agrees: true,
        note: "Each transfer restarts the ramp-up to full performance in a new post and loses sector expertise; interference also protects the corrupt.",
    },
    EvidenceCheck {
        id: "new_government_transfers",
        section: "Rotation and transfers",
        finding: "New heads of government raise transfer rates.",
        source: "Iyer & Mani 2012; Cyan & Pasha 2017",
        design: Design::ChangeYears,
        arms: "baseline: years with a change of government against other years",
        metric: "transfers_political",
        years: (1, 40),
        direction: 1.0,
        size: Size::Direction,
        literature_size: "transfer probability clearly higher in the year after a new chief minister",
        agrees: true,
        note: "A new government reshuffles: political transfer pressure jumps in the year of the change.",
    },
    EvidenceCheck {
        id: "peter_effect_in_cadre",
        section: "Promotion",
        finding: "Promoting the best performer at one level lowers performance when the next level needs different skills.",
        source: "Benson, Li & Shue 2019; Pluchino, Rapisarda & Garofalo 2010",
        design: Design::Pair {
            base: sets(&["promotion.rule=random"]),
            treat: sets(&["promotion.rule=best"]),
        },
        arms: "selection boards promoting at random against promoting the most competent at the current grade; outcome: competence at the new grade minus competence at the old, for those promoted",
        metric: "peter_effect",
        years: (10, 25),
        direction: -1.0,
        size: Size::Direction,
        literature_size: "sales fall by several percent in teams of promoted top sellers",
        agrees: true,
        note: "Competence at a grade mixes sector expertise and managerial skill with grade-specific weights, so the officer best at BPS-18 is not the best at BPS-19: those picked for their current competence lose more of it on promotion than those picked at random. The classic model below shows the same at its starkest.",
    },
    EvidenceCheck {
        id: "discretion_spots_ability",
        section: "Promotion",
        finding: "Seniors with discretion promoted on merit and spotted able juniors that records missed: discretion is not only patronage.",
        source: "Aman-Rana 2020 (Punjab)",
        design: Design::Pair {
            base: sets(&[
                "promotion.weights.appraisal=0.9",
                "promotion.weights.training=0.05",
                "promotion.weights.discretion=0.05",
                "promotion.discretion_capture=0.0",
            ]),
            treat: sets(&[
                "promotion.weights.appraisal=0.05",
                "promotion.weights.training=0.05",
                "promotion.weights.discretion=0.9",
                "promotion.discretion_capture=0.0",
            ]),
        },
        arms: "boards weighting the (inflated) appraisal record 90% against boards weighting their own uncaptured judgement 90%",
        metric: "promotion_rank_correlation",
        years: (10, 25),
        direction: 1.0,
        size: Size::Direction,
        literature_size: "qualitative",
        agrees: true,
        note: "Uncaptured discretion sees competence with small noise; inflated appraisals bunch near the top and say little. With the baseline's capture (0.7) discretion turns to connections instead.",
    },
    EvidenceCheck {
        id: "beliefs_raise_corruption",
        section: "Corruption dynamics",
        finding: "Beliefs that corruption is common raise the willingness to bribe by 5-10 percentage points.",
        source: "Corbacho et al. 2015",
        design: Design::Pair {
            base: sets(&[
                "corruption.peer_moral_discount=0",
                "corruption.peer_risk_discount=0",
                "corruption.peer_erosion=0",
            ]),
            treat: BASELINE,
        },
        arms: "corrupt peers without influence against the baseline's peer effects",
        metric: "corruption_prevalence",
        years: (10, 25),
        direction: 1.0,
        size: Size::Absolute(0.025, 0.2),
        literature_size: "5-10 percentage points; band taken as 2.5-20 points",
        agrees: true,
        note: "Corrupt peers in the unit lower the moral cost and the perceived risk of taking bribes and erode integrity.",
    },
    EvidenceCheck {
        id: "temporary_push_persists",
        section: "Corruption dynamics",
        finding: "A modest push can move the system from the corrupt state to the honest one (multiple equilibria: the push's effect outlasts it).",
        source: "Hammond 2000; Zausinová et al. 2020",
        design: Design::Pair {
            base: BASELINE,
            treat: Arm {
                sets: &[],
                reforms: "[[reforms]]\nyear = 3\nlabel = \"crackdown\"\nset = { accountability.detection_rate = 0.35 }\n\n[[reforms]]\nyear = 8\nlabel = \"crackdown ends\"\nset = { accountability.detection_rate = 0.06 }\n",
            },
        },
        arms: "baseline against a five-year crackdown (detection 0.06 -> 0.35 in years 3-8, then back)",
        metric: "corruption_prevalence",
        years: (15, 25),
        direction: -1.0,
        size: Size::Percent(-100.0, -30.0),
        literature_size: "a move to the honest state after the push ends; band taken as a fall of at least 30%",
        agrees: false,
        note: "Agrees in direction only: during the crackdown corruption halves (0.22 to 0.11), but within four to five years of its end it is back within about 5% of the baseline, and what lasts is a few per cent (the table), far from the move to the honest state the finding describes. Integrity recovers towards each officer's own anchor and the corruption decision has one stable state for given policies; peer contagion and the turnover of dismissed officers carry only a small part of the push forward. The model has no memory of partners or networks of friends (Hammond 2000), the mechanisms that produce tipping there; adding one is a model change to propose, not a calibration.",
    },
];

/// Findings of docs/sources/evidence.md that the model does not address.
pub const NOT_ADDRESSED: &[NotAddressed] = &[
    NotAddressed {
        section: "Pay",
        finding: "Higher pay can raise corruption where pay inequality within the public sector is high.",
        source: "Demirgüç-Kunt, Lokshin & Kolchin 2023",
        why: "Pay inequality enters only through compression across grades; the model has no channel by which inequality raises corruption.",
    },
    NotAddressed {
        section: "Rotation and transfers",
        finding: "Able officers are transferred less; desirable posts are transferred more often.",
        source: "Iyer & Mani 2012; Cyan & Pasha 2017",
        why: "Political transfers target officers by connections and posts by desirability in the model, but no output reports transfers by ability or by post, so it is not measured here.",
    },
    NotAddressed {
        section: "Rotation and transfers",
        finding: "Officers posted in their home state are seen as more corrupt.",
        source: "Xu, Bertrand & Burgess",
        why: "Officers have a region for quotas but postings have no home/away distinction.",
    },
    NotAddressed {
        section: "Promotion",
        finding: "Under seniority promotion with a fixed retirement age, officers who cannot reach the top perform worse.",
        source: "Bertrand, Burgess, Chawla & Xu 2020",
        why: "The channel exists but is off by default: with `promotion.effort_response` above 0, effort rises with an officer's stake in the next board and is lowest for officers who cannot reach the next grade's minimum service before retiring. No source sizes it for Pakistan, so no band can be set before a run.",
    },
    NotAddressed {
        section: "Corruption dynamics",
        finding: "Past a critical arrest probability corruption can oscillate; flatter hierarchies see fewer corrupt acts.",
        source: "Mansury 2024; agent-based studies of organisations",
        why: "Not tested: the first needs a sweep of detection (issue 5's `sweep`), the second a change of hierarchy the cadre's fixed grades do not offer.",
    },
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::experiment::validation::statistics::metric;
    use crate::experiment::validation::{Runner, Settings};
    use crate::scenario::Scenario;

    #[test]
    fn every_check_names_real_metrics_and_valid_arms() {
        let runner = Runner::new(Scenario::default(), Settings::quick());
        for c in EVIDENCE {
            metric(c.metric).unwrap();
            for (a, _) in c.design.arms() {
                let s = runner.scenario(&a, c.years.1).unwrap();
                s.validate(c.id).unwrap_or_else(|e| panic!("{}: {e}", c.id));
            }
        }
    }

    /// `validate --set accountability.detection_rate=0.2` ran the
    /// crackdown check, whose arm ends the push at its own 0.06, and
    /// reported a lasting rise in corruption against the finding: a check
    /// whose words the override makes untrue is not run.
    #[test]
    fn a_check_whose_arms_set_a_key_of_the_command_is_named() {
        let check = |id: &str| EVIDENCE.iter().find(|c| c.id == id).unwrap();
        let sets = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        let given = sets(&["accountability.detection_rate=0.2", "sim.engine=monthly"]);
        // A reform of an arm sets it.
        assert_eq!(
            check("temporary_push_persists").overridden(&given),
            ["accountability.detection_rate"]
        );
        // A table given whole counts for the keys inside it.
        assert_eq!(
            check("temporary_push_persists")
                .overridden(&sets(&["accountability={detection_rate=0.2}"])),
            ["accountability"]
        );
        // One arm sets it, the other (the baseline) does not.
        assert_eq!(
            check("political_transfers_worse").overridden(&sets(&["politics.interference=0.4"])),
            ["politics.interference"]
        );
        assert_eq!(
            check("merit_recruitment_corruption")
                .overridden(&sets(&["recruitment.quota_share = 0.5"])),
            ["recruitment.quota_share"]
        );
        // Every arm sets it: the override changes nothing there, and the
        // check runs as its words say.
        assert!(check("pay_needs_detection").overridden(&given).is_empty());
        // Keys no arm sets (the engine, a seed) leave every check to run.
        let other = sets(&["sim.engine=monthly", "sim.seed=7"]);
        assert!(EVIDENCE.iter().all(|c| c.overridden(&other).is_empty()));
    }
}
