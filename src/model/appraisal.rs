//! docs/model.md §7.7, the annual appraisal. The reported score (0–10) is
//! `true + N(0, noise_sd·f) + inflation·f·(10 − true) + connection_bias·f·I·connections`,
//! clipped to [0, 10], where `true` is the officer's mean performance over the
//! year × 10 and `f = objective_factor` under objective performance
//! management, 1 otherwise. Leniency bunches scores near the top, as in
//! Pakistan's annual reports where most officers are "very good" or
//! "outstanding". The last three scores are kept.

use serde::{Deserialize, Serialize};

use crate::model::check::{Checks, check_ranges};
use crate::model::world::World;

/// Parameters of the appraisal.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AppraisalParams {
    /// Switch: off means no scores are recorded (promotion rules that use
    /// them see none).
    pub enabled: bool,
    /// Standard deviation of rating noise, in score points.
    pub noise_sd: f64,
    /// Leniency: share of the gap to 10 added to every score.
    pub inflation: f64,
    /// Points added for full connections at interference 1.
    pub connection_bias: f64,
    /// Objective performance management (measured targets, calibrated raters).
    pub objective_pm: bool,
    /// Multiplier on noise, inflation and bias under objective performance management.
    pub objective_factor: f64,
}

impl Default for AppraisalParams {
    fn default() -> Self {
        AppraisalParams {
            enabled: true,
            noise_sd: 1.2,
            inflation: 0.6,
            connection_bias: 1.5,
            objective_pm: false,
            objective_factor: 0.3,
        }
    }
}

impl AppraisalParams {
    pub fn check(&self, c: &mut Checks) {
        check_ranges!(c, self, "appraisal", {
            noise_sd: 0.0, 10.0;
            inflation: 0.0, 1.0;
            connection_bias: 0.0, 10.0;
            objective_factor: 0.0, 1.0;
        });
    }

    /// The multiplier on noise, inflation and connection bias: the
    /// objective factor under objective performance management, else 1.
    fn factor(&self) -> f64 {
        if self.objective_pm {
            self.objective_factor
        } else {
            1.0
        }
    }

    /// The true score (10 × the mean delivered performance) whose report,
    /// without noise or connections, reaches `bar`: inflation adds the share
    /// `inflation × factor` of the gap to 10, so a report is
    /// `truth × (1 − k) + 10 k`.
    pub fn true_score_for(&self, bar: f64) -> f64 {
        let k = self.inflation * self.factor();
        if k >= 1.0 {
            return 0.0;
        }
        ((bar - 10.0 * k) / (1.0 - k)).clamp(0.0, 10.0)
    }

    /// The reported score for true performance `truth` (0–10) and noise draw `z`.
    pub fn reported(&self, truth: f64, z: f64, interference: f64, connections: f64) -> f64 {
        let f = self.factor();
        (truth
            + self.noise_sd * f * z
            + self.inflation * f * (10.0 - truth)
            + self.connection_bias * f * interference * connections)
            .clamp(0.0, 10.0)
    }
}

/// Records this year's appraisal for every officer who worked.
pub fn run(w: &mut World) {
    if !w.scn.appraisal.enabled {
        // The year's performance is dropped as an appraisal would have
        // taken it, so a later one averages its own year (the month count
        // saturates at 255: 21 years off biased the first report). There
        // is no record centre to pay on while appraisal is off: `init`
        // and `World::refresh`, where the switch can change, clear it.
        w.officers.perf_sum.fill(0.0);
        w.officers.perf_n.fill(0);
        return;
    }
    let p = w.scn.appraisal.clone();
    let interference = w.derived.interference;
    for i in 0..w.officers.slots() {
        if !w.officers.active[i] || w.officers.perf_n[i] == 0 {
            continue;
        }
        let truth = 10.0 * (w.officers.perf_sum[i] / w.officers.perf_n[i] as f32) as f64;
        let z = w.rng.normal();
        let score = p.reported(truth, z, interference, w.officers.connections[i] as f64) as f32;
        let rec = &mut w.officers.appraisal[i];
        *rec = [score, rec[0], rec[1]];
        w.officers.perf_sum[i] = 0.0;
        w.officers.perf_n[i] = 0;
    }
    w.env.record_centre = record_centre(&w.officers);
}

/// The mean appraisal record of the active officers that have one (NaN
/// when none has), the centre of pay for performance.
pub fn record_centre(o: &crate::model::population::Officers) -> f32 {
    let (mut sum, mut n) = (0.0f64, 0u64);
    for i in 0..o.slots() {
        if !o.active[i] {
            continue;
        }
        let m = o.appraisal_mean(i);
        if !m.is_nan() {
            sum += m as f64;
            n += 1;
        }
    }
    if n == 0 {
        f32::NAN
    } else {
        (sum / n as f64) as f32
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::params::Scenario;

    #[test]
    fn inflation_bunches_scores_and_objective_pm_undoes_it() {
        let p = AppraisalParams::default();
        let weak = p.reported(4.0, 0.0, 0.0, 0.0);
        let strong = p.reported(8.0, 0.0, 0.0, 0.0);
        assert!((weak - 7.6).abs() < 1e-9 && (strong - 9.2).abs() < 1e-9);
        assert!(strong - weak < 4.0, "inflation compresses the spread");
        let o = AppraisalParams {
            objective_pm: true,
            ..p.clone()
        };
        let gap = o.reported(8.0, 0.0, 0.0, 0.0) - o.reported(4.0, 0.0, 0.0, 0.0);
        assert!(gap > strong - weak);
        assert!(
            p.reported(6.0, 0.0, 1.0, 1.0) > p.reported(6.0, 0.0, 1.0, 0.0),
            "bias for connections"
        );
        assert_eq!(p.reported(9.9, 5.0, 1.0, 1.0), 10.0);
    }

    /// Switched off mid-run, appraisal leaves no record to pay on and
    /// drops each year's performance (a mechanism audit, 2026-12-06: pay
    /// for performance paid on records frozen at the last appraisal, and
    /// the month count saturated while the sum grew).
    #[test]
    fn switched_off_it_leaves_no_centre_and_no_growing_sums() {
        let mut scn = Scenario::default();
        for g in &mut scn.structure.grades {
            g.posts /= 20;
            g.initial_officers = g.initial_officers.map(|n| n / 20);
        }
        let mut w = crate::model::init::build(&scn, 0);
        assert!(w.env.record_centre.is_finite(), "a centre at the start");
        for i in 0..w.officers.slots() {
            w.officers.perf_sum[i] = 0.4 * 200.0;
            w.officers.perf_n[i] = 200;
        }
        // Switched off by a reform (which refreshes the world): no centre
        // from that step, before the year's appraisal.
        w.scn.appraisal.enabled = false;
        w.refresh();
        assert!(w.env.record_centre.is_nan(), "none from the reform's step");
        run(&mut w);
        assert!(w.env.record_centre.is_nan());
        assert!(w.officers.perf_n.iter().all(|&n| n == 0));
        assert!(w.officers.perf_sum.iter().all(|&s| s == 0.0));
        scn.appraisal.enabled = false;
        let off = crate::model::init::build(&scn, 0);
        assert!(
            off.env.record_centre.is_nan(),
            "none when off from the start"
        );
    }

    #[test]
    fn the_true_score_for_a_bar_is_the_reports_inverse() {
        let p = AppraisalParams::default();
        // Inflation 0.6 lifts every report to 6 at least.
        assert_eq!(p.true_score_for(6.0), 0.0);
        let o = AppraisalParams {
            objective_pm: true,
            ..p.clone()
        };
        for bar in [4.0, 6.0, 9.0] {
            let t = o.true_score_for(bar);
            assert!((o.reported(t, 0.0, 0.0, 0.0) - bar).abs() < 1e-9, "{bar}");
        }
        assert!((o.true_score_for(6.0) - 4.2 / 0.82).abs() < 1e-9);
        let all = AppraisalParams {
            inflation: 1.0,
            ..p.clone()
        };
        assert_eq!(all.true_score_for(10.0), 0.0);
    }

    /// With appraisal off, the starting officers carry no score either (a
    /// made-up first record once fed the directory review, the weighted
    /// board and pay for performance), and they are otherwise the officers
    /// of the same seed with it on.
    #[test]
    fn off_means_no_starting_scores() {
        let mut scn = crate::model::params::Scenario::default();
        let on = crate::model::init::build(&scn, 2);
        scn.appraisal.enabled = false;
        let off = crate::model::init::build(&scn, 2);
        let o = (&on.officers, &off.officers);
        let active = (0..o.1.slots()).filter(|&i| o.1.active[i]);
        assert!(active.clone().count() > 1000);
        assert!(active.clone().all(|i| o.1.appraisal_mean(i).is_nan()));
        assert!(active.clone().any(|i| !o.0.appraisal_mean(i).is_nan()));
        assert_eq!(o.0.ability, o.1.ability);
        assert_eq!(o.0.post, o.1.post);
    }
}
