//! docs/model.md §7.6, training: induction at entry; mid-career and senior courses
//! with limited seats per year, taken at a given grade and made mandatory
//! for promotion through `structure.grades[*].mandatory_course`; content
//! generic (managerial skill) or specialised (expertise in the cadre's
//! sector); optional periodic refresher training. An officer on a course
//! leaves the post for its duration (counted "in training").

use serde::{Deserialize, Serialize};

use crate::model::check::{Checks, check_ranges};
use crate::model::population::NONE;
use crate::model::postings;
use crate::model::world::World;

/// Marker in `pending` for induction training.
const INDUCTION: u8 = 255;

/// A training course.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CourseSpec {
    pub name: String,
    /// Name of the grade whose officers take the course.
    pub grade: String,
    pub duration_months: u32,
    pub seats_per_year: u32,
    /// Share of the content that is sector-specialised (rest: management).
    pub specialised: f64,
    /// Skill points gained on passing.
    pub gain: f64,
}

impl Default for CourseSpec {
    fn default() -> Self {
        CourseSpec {
            name: String::new(),
            grade: String::new(),
            duration_months: 5,
            seats_per_year: 100,
            specialised: 0.2,
            gain: 1.0,
        }
    }
}

/// Parameters of training.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TrainingParams {
    /// Switch: off means no induction, courses or refreshers, and no
    /// course is required for promotion.
    pub enabled: bool,
    pub induction_months: u32,
    /// Skill points gained in induction.
    pub induction_gain: f64,
    /// Share of induction content that is specialised.
    pub induction_specialised: f64,
    /// Probability of passing a course.
    pub pass_rate: f64,
    /// Years between refresher trainings (0 = none).
    pub refresher_interval_years: u32,
    /// Expertise points gained in the current sector from a refresher.
    pub refresher_gain: f64,
    pub courses: Vec<CourseSpec>,
}

impl Default for TrainingParams {
    fn default() -> Self {
        let course = |name: &str, grade: &str, months: u32, seats: u32| CourseSpec {
            name: name.into(),
            grade: grade.into(),
            duration_months: months,
            seats_per_year: seats,
            specialised: 0.2,
            gain: 1.0,
        };
        TrainingParams {
            enabled: true,
            induction_months: 9,
            induction_gain: 1.0,
            induction_specialised: 0.2,
            pass_rate: 0.95,
            refresher_interval_years: 0,
            refresher_gain: 0.5,
            courses: vec![
                course("mid_career", "BPS-18", 5, 1400),
                course("senior", "BPS-19", 6, 500),
                course("national", "BPS-20", 7, 200),
            ],
        }
    }
}

impl TrainingParams {
    pub fn check(&self, c: &mut Checks, grades: &[String]) {
        check_ranges!(c, self, "training", {
            induction_months: int 0, 60;
            induction_gain: 0.0, 10.0;
            induction_specialised: 0.0, 1.0;
            pass_rate: 0.0, 1.0;
            refresher_interval_years: int 0, 50;
            refresher_gain: 0.0, 10.0;
        });
        if self.courses.len() > 8 {
            c.conflict(format!(
                "`training.courses` may list at most 8 courses, got {}",
                self.courses.len()
            ));
        }
        let foreign: Vec<&CourseSpec> = self
            .courses
            .iter()
            .filter(|course| !grades.is_empty() && !grades.contains(&course.grade))
            .collect();
        if foreign.len() > 1 {
            c.conflict(format!(
                "`training.courses` lists {} courses of grades not in `structure.grades` (grades: {}): {}; give courses for your grades with [[training.courses]], or write `training.courses = []` for none",
                foreign.len(),
                grades.join(", "),
                foreign
                    .iter()
                    .map(|course| format!("\"{}\" at \"{}\"", course.name, course.grade))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        for (k, course) in self.courses.iter().enumerate() {
            let key = format!("training.courses[{k}]");
            if course.name.is_empty() {
                c.conflict(format!("`{key}.name` must not be empty"));
            }
            // With no grades, `structure.grades` is the error to report;
            // each course would only repeat it ("(grades: )"). Several
            // courses of grades not in the list (the defaults' courses
            // under a file's own grades) are one error, below.
            if !grades.is_empty() && !grades.contains(&course.grade) && foreign.len() == 1 {
                c.conflict(format!(
                    "`{key}.grade` is \"{}\", which is not a grade in `structure.grades` (grades: {})",
                    course.grade,
                    grades.join(", ")
                ));
            }
            c.range_int(
                &format!("{key}.duration_months"),
                course.duration_months as i64,
                1,
                60,
            );
            c.range_int(
                &format!("{key}.seats_per_year"),
                course.seats_per_year as i64,
                0,
                10_000_000,
            );
            c.range(&format!("{key}.specialised"), course.specialised, 0.0, 1.0);
            c.range(&format!("{key}.gain"), course.gain, 0.0, 10.0);
        }
    }
}

/// Annual allocation of course seats, longest-serving eligible officers
/// first. When the grade the course leads to has ex-cadre posts, its seats
/// are split between the two ladders in proportion to that grade's posts
/// on each, so that each ladder trains for the posts it can fill.
pub fn allocate(w: &mut World) {
    if !w.scn.training.enabled {
        return;
    }
    let mut cands = std::mem::take(&mut w.training_scratch);
    let grades = w.scn.structure.grades.len();
    for k in 0..w.scn.training.courses.len() {
        // What the course's seats read, copied (the seats are then filled
        // with the whole world at hand).
        let course = &w.scn.training.courses[k];
        let (seats_per_year, duration_months) = (course.seats_per_year, course.duration_months);
        let Some(g) = w
            .scn
            .structure
            .grades
            .iter()
            .position(|x| x.name == course.grade)
        else {
            continue;
        };
        // Seats go to officers within `lead` years of eligibility for the
        // next grade who still have `lead` years to serve.
        let lead = 36u16;
        let from = w
            .derived
            .min_service_m
            .get(g + 1)
            .copied()
            .unwrap_or(0)
            .saturating_sub(lead);
        let until = w.derived.retirement_m.saturating_sub(lead);
        let leads_to = (g + 1).min(grades - 1);
        let posts = w.scn.structure.ladder_posts(leads_to);
        let total = (posts[0] + posts[1]).max(1) as f64;
        let ex_seats = (seats_per_year as f64 * posts[1] as f64 / total).round() as usize;
        let seats = [(seats_per_year as usize).saturating_sub(ex_seats), ex_seats];
        for (ladder, &n) in seats.iter().enumerate() {
            if ladder == 1 && posts[1] == 0 {
                continue;
            }
            cands.clear();
            for i in 0..w.officers.slots() {
                if w.officers.active[i]
                    && w.officers.grade[i] as usize == g
                    && w.officers.courses[i] & (1 << k) == 0
                    && w.officers.training_left[i] == 0
                    && w.officers.inquiry_left[i] < 0
                    && w.officers.service_m[i] >= from
                    && w.officers.age_m[i] < until
                    && w.officers.ladder[i] as usize == ladder
                {
                    cands.push((w.officers.service_m[i], i as u32));
                }
            }
            // Seniority first; slot order breaks ties, so the result is deterministic.
            cands.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
            for &(_, i) in cands.iter().take(n) {
                let i = i as usize;
                if w.officers.post[i] != NONE {
                    postings::move_to(w, i, None);
                }
                w.officers.training_left[i] = duration_months.min(255) as u8;
                w.officers.course_pending[i] = k as u8;
            }
        }
    }
    w.training_scratch = cands;
}

/// Finishes officer `i`'s training: the skill gain, the course record, and
/// a new post.
pub fn complete(w: &mut World, i: usize) {
    let pending = w.officers.course_pending[i];
    let t = &w.scn.training;
    let (gain, spec) = if pending == INDUCTION {
        (t.induction_gain, t.induction_specialised)
    } else if let Some(c) = t.courses.get(pending as usize) {
        (c.gain, c.specialised)
    } else {
        (0.0, 0.0)
    };
    let passed = pending == INDUCTION || w.rng.chance(t.pass_rate);
    if passed {
        let cadre = w.officers.cadre[i] as usize;
        let s = w.derived.sectors;
        let e = &mut w.officers.expertise[i * s + cadre];
        *e = (*e + (gain * spec) as f32).min(10.0);
        w.officers.managerial[i] =
            (w.officers.managerial[i] + (gain * (1.0 - spec)) as f32).min(10.0);
        if pending != INDUCTION {
            let k = pending as usize;
            let done = w.officers.courses[i].count_ones() as f32;
            let score = (w.officers.ability[i] as f64 + w.rng.normal()).clamp(0.0, 10.0) as f32;
            w.officers.training_score[i] =
                (w.officers.training_score[i] * done + score) / (done + 1.0);
            w.officers.courses[i] |= 1 << k;
            w.flows.trained += 1;
        }
    }
    postings::post(w, i);
}

/// Refresher training: every `refresher_interval_years` of service, a gain
/// in the current post's sector (no absence from post).
pub fn refreshers(w: &mut World) {
    let t = &w.scn.training;
    if !t.enabled || t.refresher_interval_years == 0 {
        return;
    }
    let every = t.refresher_interval_years as u16 * 12;
    let gain = t.refresher_gain as f32;
    let s = w.derived.sectors;
    for i in 0..w.officers.slots() {
        let post = w.officers.post[i];
        if w.officers.active[i]
            && post != NONE
            && w.officers.service_m[i] >= every
            && w.officers.service_m[i] / 12 % (every / 12) == 0
        {
            let sec = w.officers.post_sector[i] as usize;
            let e = &mut w.officers.expertise[i * s + sec];
            *e = (*e + gain).min(10.0);
        }
    }
}

/// The marker for induction, for recruits.
pub fn induction_marker() -> u8 {
    INDUCTION
}

/// Counts down a course of `months` a step; true when it has just ended.
#[inline]
pub fn count_down(training_left: &mut u8, months: u16) -> bool {
    *training_left = training_left.saturating_sub(months as u8);
    *training_left == 0
}
