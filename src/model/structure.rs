//! The organisation: grades (bottom to top), sectors, and how posts are
//! grouped into work units. Nothing here is Pakistan-specific; the
//! defaults describe federal officers in BPS 17–22 (sources in docs/model.md).

use serde::{Deserialize, Serialize};

use crate::model::check::{Checks, check_ranges};

/// One grade (pay scale) of the hierarchy.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct GradeSpec {
    pub name: String,
    /// Sanctioned posts.
    pub posts: u32,
    /// Officers at the start; absent: `posts × structure.initial_fill`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub initial_officers: Option<u32>,
    /// Direct recruitment (the exam) enters at this grade.
    pub entry: bool,
    /// Selection post (ranked by the promotion rule); otherwise
    /// seniority-cum-fitness.
    pub selection: bool,
    /// Minimum years of service for promotion into this grade.
    pub min_service_years: f64,
    /// Course that must be passed for promotion into this grade ("" = none).
    pub mandatory_course: String,
    /// Weight of managerial skill in competence at this grade, 0–1.
    pub management_weight: f64,
    /// Weight of this grade's posts in the service-delivery index.
    pub delivery_weight: f64,
    /// Outside (private) wage, over the market pay of this grade, of an
    /// officer with ability 5 and best expertise 5 (see docs/model.md, pay).
    pub outside_wage_ratio: f64,
    /// Share of this grade's vacancies filled by lateral entry at each board.
    pub lateral_share: f64,
    /// Share of this grade's posts that belong to ex-cadre and specialist
    /// cadres (departmental posts outside the CSS occupational groups):
    /// filled by the ex-cadre entry channel at an entry grade and, above
    /// it, by promotion of ex-cadre officers of the grade below only. The
    /// rest are cadre posts, filled from the CSS exam channels and by
    /// promotion of cadre officers. 0: one ladder for everyone.
    pub ex_cadre_share: f64,
    /// Multiplies the political-transfer hazard of this grade's officers
    /// (`postings.political_transfer_rate`, model/postings.rs): 1 exposes
    /// the grade as the officer cadre is, 0 shields it entirely.
    pub political_exposure: f64,
    /// Whether this grade's officers rotate when their months in post
    /// reach `postings.tenure_months`; false: they move only by political
    /// transfer, promotion or demotion, training, inquiry or exit.
    pub rotation: bool,
}

impl Default for GradeSpec {
    fn default() -> Self {
        GradeSpec {
            name: String::new(),
            posts: 0,
            initial_officers: None,
            entry: false,
            selection: true,
            min_service_years: 0.0,
            mandatory_course: String::new(),
            management_weight: 0.3,
            delivery_weight: 1.0,
            outside_wage_ratio: 1.0,
            lateral_share: 0.0,
            ex_cadre_share: 0.0,
            political_exposure: 1.0,
            rotation: true,
        }
    }
}

/// A sector (ministry / department family).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SectorSpec {
    pub name: String,
    /// Share of each grade's posts in this sector.
    pub share: f64,
    /// Mean rent (bribe opportunity) of its posts, 0–1.
    pub rent: f64,
    /// Desirability of its posts to politicians, 0–1.
    pub desirability: f64,
    /// Cluster for specialist-track postings ("" = the sector's own name).
    pub cluster: String,
}

impl Default for SectorSpec {
    fn default() -> Self {
        SectorSpec {
            name: String::new(),
            share: 0.0,
            rent: 0.0,
            desirability: 0.5,
            cluster: String::new(),
        }
    }
}

/// The organisation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Structure {
    /// Share of posts filled at the start, for grades without `initial_officers`.
    pub initial_fill: f64,
    /// Starting officers' careers: "stationary" (service drawn over whole
    /// careers, grades filled by service) or "entry" (everyone a new
    /// entrant with no service, ages drawn as for recruits: classic models).
    pub initial_careers: String,
    /// Posts per work unit (office); peers for contagion.
    pub posts_per_unit: u32,
    /// A post's rent is the sector's rent × U(1 − spread, 1 + spread), capped at 1.
    pub rent_spread: f64,
    pub grades: Vec<GradeSpec>,
    pub sectors: Vec<SectorSpec>,
}

#[expect(
    clippy::too_many_arguments,
    reason = "a table row of the default grades"
)]
fn grade(
    name: &str,
    posts: u32,
    officers: u32,
    min_service: f64,
    course: &str,
    mgmt: f64,
    weight: f64,
    outside: f64,
) -> GradeSpec {
    GradeSpec {
        name: name.into(),
        posts,
        initial_officers: Some(officers),
        entry: min_service == 0.0,
        selection: min_service >= 12.0,
        min_service_years: min_service,
        mandatory_course: course.into(),
        management_weight: mgmt,
        delivery_weight: weight,
        outside_wage_ratio: outside,
        lateral_share: 0.0,
        ex_cadre_share: 0.0,
        political_exposure: 1.0,
        rotation: true,
    }
}

fn sector(name: &str, share: f64, rent: f64, desirability: f64, cluster: &str) -> SectorSpec {
    SectorSpec {
        name: name.into(),
        share,
        rent,
        desirability,
        cluster: cluster.into(),
    }
}

impl Default for Structure {
    fn default() -> Self {
        let mut s = Structure {
            initial_fill: 0.77,
            initial_careers: "stationary".into(),
            posts_per_unit: 20,
            rent_spread: 0.5,
            grades: vec![
                grade("BPS-17", 18_400, 13_400, 0.0, "", 0.15, 0.5, 0.8),
                grade("BPS-18", 11_000, 8_000, 5.0, "", 0.3, 0.6, 0.95),
                grade("BPS-19", 5_200, 4_500, 12.0, "mid_career", 0.45, 0.75, 1.1),
                grade("BPS-20", 1_800, 1_450, 17.0, "senior", 0.6, 0.85, 1.3),
                grade("BPS-21", 560, 420, 22.0, "national", 0.7, 0.95, 1.5),
                grade("BPS-22", 100, 82, 25.0, "", 0.8, 1.0, 1.7),
            ],
            sectors: vec![
                sector("secretariat_policy", 0.18, 0.05, 0.5, "policy"),
                sector("district_administration", 0.16, 0.5, 0.8, "field"),
                sector("police", 0.12, 0.8, 0.9, "law_order"),
                sector("revenue_taxation", 0.12, 0.45, 0.9, "revenue"),
                sector("works_procurement", 0.10, 0.75, 0.8, "infrastructure"),
                sector("finance_accounts", 0.10, 0.4, 0.6, "revenue"),
                sector("education_health", 0.12, 0.55, 0.4, "social"),
                sector("foreign_commerce_other", 0.10, 0.15, 0.4, "policy"),
            ],
        };
        // Ex-cadre and specialist posts: most of BPS-17 to 19, none above
        // (calibrated, docs/model.md §7.8).
        for (g, share) in s.grades.iter_mut().zip([0.88, 0.8, 0.6, 0.0, 0.0, 0.0]) {
            g.ex_cadre_share = share;
        }
        s
    }
}

impl Structure {
    pub fn check(&self, c: &mut Checks, courses: &[String]) {
        check_ranges!(c, self, "structure", {
            initial_fill: 0.0, 1.0;
        });
        c.one_of(
            "structure.initial_careers",
            &self.initial_careers,
            &["stationary", "entry"],
        );
        check_ranges!(c, self, "structure", {
            posts_per_unit: int 1, 1_000_000;
            rent_spread: 0.0, 1.0;
        });
        if self.grades.is_empty() || self.grades.len() > 64 {
            c.conflict(format!(
                "`structure.grades` must list 1 to 64 grades, got {}",
                self.grades.len()
            ));
        }
        if self.sectors.is_empty() || self.sectors.len() > 32 {
            c.conflict(format!(
                "`structure.sectors` must list 1 to 32 sectors, got {}",
                self.sectors.len()
            ));
        }
        for (i, g) in self.grades.iter().enumerate() {
            let k = format!("structure.grades[{i}]");
            if g.name.is_empty() {
                c.conflict(format!("`{k}.name` must not be empty"));
            }
            c.range_int(&format!("{k}.posts"), g.posts as i64, 0, 50_000_000);
            if let Some(n) = g.initial_officers
                && n > g.posts
            {
                c.conflict(format!(
                    "`{k}.initial_officers` ({n}) exceeds `{k}.posts` ({}): a grade cannot start with more officers than posts",
                    g.posts
                ));
            }
            c.range(
                &format!("{k}.min_service_years"),
                g.min_service_years,
                0.0,
                60.0,
            );
            c.range(
                &format!("{k}.management_weight"),
                g.management_weight,
                0.0,
                1.0,
            );
            c.range(
                &format!("{k}.delivery_weight"),
                g.delivery_weight,
                0.0,
                100.0,
            );
            c.range(
                &format!("{k}.outside_wage_ratio"),
                g.outside_wage_ratio,
                0.0,
                100.0,
            );
            c.range(&format!("{k}.lateral_share"), g.lateral_share, 0.0, 1.0);
            c.range(&format!("{k}.ex_cadre_share"), g.ex_cadre_share, 0.0, 1.0);
            c.range(
                &format!("{k}.political_exposure"),
                g.political_exposure,
                0.0,
                10.0,
            );
            if !g.mandatory_course.is_empty() && !courses.contains(&g.mandatory_course) {
                c.conflict(format!(
                    "`{k}.mandatory_course` is \"{}\", which is not a course in `training.courses` (courses: {})",
                    g.mandatory_course,
                    courses.join(", ")
                ));
            }
            // An entry grade starts a new ladder (direct recruits count
            // service from there), so its minimum may be lower.
            if i > 0 && !g.entry && g.min_service_years < self.grades[i - 1].min_service_years {
                c.conflict(format!(
                    "`{k}.min_service_years` ({}) is below the grade beneath it ({}): minimum service must not fall up the hierarchy except at an entry grade",
                    g.min_service_years,
                    self.grades[i - 1].min_service_years
                ));
            }
        }
        if !self.grades.is_empty() && !self.grades.iter().any(|g| g.entry) {
            c.conflict("no grade has `entry = true`: recruitment needs at least one entry grade");
        }
        let mut total = 0.0;
        for (i, s) in self.sectors.iter().enumerate() {
            let k = format!("structure.sectors[{i}]");
            if s.name.is_empty() {
                c.conflict(format!("`{k}.name` must not be empty"));
            }
            c.range(&format!("{k}.share"), s.share, 0.0, 1.0);
            c.range(&format!("{k}.rent"), s.rent, 0.0, 1.0);
            c.range(&format!("{k}.desirability"), s.desirability, 0.0, 1.0);
            total += s.share;
        }
        if !self.sectors.is_empty() && (total - 1.0).abs() > 1e-6 {
            c.conflict(format!(
                "the `structure.sectors[*].share` values must sum to 1, got {total}"
            ));
        }
    }

    /// Officers at the start in grade `g`.
    pub fn initial_officers(&self, g: usize) -> u32 {
        let spec = &self.grades[g];
        spec.initial_officers
            .unwrap_or_else(|| (spec.posts as f64 * self.initial_fill).round() as u32)
    }

    /// Posts of grade `g` on each ladder: `[cadre, ex-cadre]`.
    pub fn ladder_posts(&self, g: usize) -> [u32; 2] {
        self.on_ladders(g, self.grades[g].posts)
    }

    /// `n` of grade `g`'s posts or officers split between its ladders as its
    /// posts are: `[cadre, ex-cadre]`, `round(n · ex_cadre_share)` ex-cadre.
    pub fn on_ladders(&self, g: usize, n: u32) -> [u32; 2] {
        let ex = (n as f64 * self.grades[g].ex_cadre_share).round() as u32;
        [n - ex.min(n), ex.min(n)]
    }

    /// Total posts.
    pub fn total_posts(&self) -> u64 {
        self.grades.iter().map(|g| g.posts as u64).sum()
    }

    /// Posts of each grade split over sectors by largest remainder, so each
    /// grade's sector counts add up to its posts exactly.
    pub fn posts_by_grade_sector(&self) -> Vec<Vec<u32>> {
        self.grades
            .iter()
            .map(|g| largest_remainder(g.posts, self.sectors.iter().map(|s| s.share)))
            .collect()
    }
}

/// Splits `total` into integer parts proportional to `shares` (summing to 1)
/// by the largest-remainder method; ties go to the earlier part.
pub fn largest_remainder(total: u32, shares: impl Iterator<Item = f64>) -> Vec<u32> {
    let mut parts = Vec::new();
    largest_remainder_into(total, shares, &mut parts, &mut Vec::new(), &mut Vec::new());
    parts
}

/// [`largest_remainder`] into `parts`, with `exact` and `order` as working
/// space: buffers kept between calls make a yearly split allocate nothing.
pub fn largest_remainder_into(
    total: u32,
    shares: impl Iterator<Item = f64>,
    parts: &mut Vec<u32>,
    exact: &mut Vec<f64>,
    order: &mut Vec<usize>,
) {
    exact.clear();
    exact.extend(shares.map(|s| s * total as f64));
    parts.clear();
    parts.resize(exact.len(), 0);
    order.clear();
    order.extend(0..exact.len());
    apportion(total, exact, parts, order);
}

/// [`largest_remainder`] over a fixed number of shares, on the stack (a
/// yearly split, such as the intake's channels, allocates nothing).
pub fn largest_remainder_of<const N: usize>(total: u32, shares: [f64; N]) -> [u32; N] {
    let exact = shares.map(|s| s * total as f64);
    let mut parts = [0; N];
    let mut order: [usize; N] = std::array::from_fn(|i| i);
    apportion(total, &exact, &mut parts, &mut order);
    parts
}

/// `total` apportioned by `exact` (each share times `total`) into `parts`:
/// the floors, then one more each to the largest remainders, ties to the
/// first. `order` is working space as long as `exact`.
fn apportion(total: u32, exact: &[f64], parts: &mut [u32], order: &mut [usize]) {
    for (p, x) in parts.iter_mut().zip(exact) {
        *p = x.floor() as u32;
    }
    let mut left = total.saturating_sub(parts.iter().sum());
    // A total order (ties by position), so the unstable sort, which
    // allocates nothing, gives the one order.
    order.sort_unstable_by(|&a, &b| {
        let ra = exact[a] - exact[a].floor();
        let rb = exact[b] - exact[b].floor();
        rb.total_cmp(&ra).then(a.cmp(&b))
    });
    for &i in order.iter().cycle().take(exact.len().max(1) * 2) {
        if left == 0 || exact.is_empty() {
            break;
        }
        parts[i] += 1;
        left -= 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn largest_remainder_sums_exactly() {
        let parts = largest_remainder(10, [0.33, 0.33, 0.34].into_iter());
        assert_eq!(parts.iter().sum::<u32>(), 10);
        assert_eq!(parts, vec![3, 3, 4]);
        assert_eq!(largest_remainder_of(10, [0.33, 0.33, 0.34]), [3, 3, 4]);
        // Equal remainders go to the first; the array form agrees.
        for total in [0, 1, 2, 7, 100] {
            let shares = [0.25, 0.5, 0.25];
            let v = largest_remainder(total, shares.into_iter());
            assert_eq!(largest_remainder_of(total, shares).to_vec(), v);
            assert_eq!(v.iter().sum::<u32>(), total);
        }
        assert_eq!(largest_remainder_of(1, [0.25, 0.5, 0.25]), [0, 1, 0]);
        assert_eq!(largest_remainder_of(2, [0.25, 0.5, 0.25]), [1, 1, 0]);
        let s = Structure::default();
        for (g, row) in s.posts_by_grade_sector().iter().enumerate() {
            assert_eq!(row.iter().sum::<u32>(), s.grades[g].posts);
        }
    }

    #[test]
    fn default_is_the_federal_officer_cadre() {
        let s = Structure::default();
        let officers: u32 = (0..s.grades.len()).map(|g| s.initial_officers(g)).sum();
        // 27,858 officers in BPS 17-22 (Express Tribune 2018).
        assert!((officers as i64 - 27_858).abs() < 100, "{officers}");
    }
}
