//! Officers stored as columns (struct of arrays). A slot index is an
//! officer's identity while active; exited slots go on a free list and are
//! reused by recruits, so the columns never grow during a run once sized.
//!
//! Scales: ability, expertise, managerial skill and competence are on 0–10;
//! integrity, connections and morale on 0–1.

/// "No post" / "no officer".
pub const NONE: u32 = u32::MAX;

/// The bits of [`Officers::owed`]: the owed months and two flags.
pub mod owed {
    /// The months owed to the risks (at most 63, more than enough: the
    /// steps that read the whole service update everyone, and the annual
    /// step is one of them, so no span, nor what it leaves, is longer than
    /// a year).
    pub const MONTHS: u8 = 0x3F;
    /// The event that left the months moved the officer into a new post:
    /// its next update counts it delivering there for its months in post
    /// so far (the event took them back from the old post).
    pub const WORK: u8 = 0x40;
    /// An event changed the officer's state: its next update comes on the
    /// next step, whatever its cohort. Months owed after a revision, with
    /// the officer in the same state, wait for its own next span. On a step
    /// that reads the whole service both are drawn at once, before it is
    /// read (`sim::pass::settle_pass`).
    pub const EVENT: u8 = 0x80;

    /// `months` (at most [`MONTHS`]) with `flags`.
    pub fn pack(months: u16, flags: u8) -> u8 {
        months.min(MONTHS as u16) as u8 | flags
    }
}

/// Entry channel of an officer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Channel {
    /// Open merit: ranked on the exam.
    Merit = 0,
    /// Regional quota pools.
    Quota = 1,
    /// Patronage / ad-hoc appointment, bypassing the exam.
    Patronage = 2,
    /// Lateral entry of a specialist above the entry grade.
    Lateral = 3,
    /// Present when the run starts.
    Initial = 4,
}

/// The cadre ladder (CSS occupational groups).
pub const CADRE: u8 = 0;
/// The ex-cadre ladder (departmental and specialist cadres,
/// `structure.grades[*].ex_cadre_share`).
pub const EX_CADRE: u8 = 1;

/// Exit reasons, in the order used by metrics.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExitReason {
    Retirement,
    Voluntary,
    Dismissal,
    Compulsory,
}

/// The officer columns. All columns have the same length (the slot count).
#[derive(Clone, Debug, Default)]
pub struct Officers {
    /// Number of sectors: `expertise` holds `sectors` values per slot.
    pub sectors: usize,
    pub active: Vec<bool>,
    pub grade: Vec<u8>,
    /// Cadre / service group: the sector the officer entered in.
    pub cadre: Vec<u8>,
    pub channel: Vec<u8>,
    /// Ladder climbed: [`CADRE`] or [`EX_CADRE`], fixed at entry.
    pub ladder: Vec<u8>,
    pub region: Vec<u8>,
    pub age_m: Vec<u16>,
    pub service_m: Vec<u16>,
    pub grade_m: Vec<u16>,
    /// Current post or [`NONE`] (OSD or in training).
    pub post: Vec<u32>,
    /// The current post's unit, sector and rent factor, copied from the
    /// post columns when posted (meaningless otherwise), so the monthly
    /// pass reads them in slot order instead of jumping across the posts.
    pub post_unit: Vec<u32>,
    pub post_sector: Vec<u8>,
    pub post_rent_factor: Vec<f32>,
    pub months_in_post: Vec<u16>,
    /// Months of training left; > 0 means in training (not posted).
    pub training_left: Vec<u8>,
    /// Course being taken (index), or the induction marker.
    pub course_pending: Vec<u8>,
    /// Months until an inquiry's verdict; negative when not under inquiry.
    pub inquiry_left: Vec<i16>,
    /// The open inquiry concerns an honest officer (selective enforcement).
    pub inquiry_wrongful: Vec<bool>,
    pub ability: Vec<f32>,
    /// `sectors` values per slot, row-major.
    pub expertise: Vec<f32>,
    pub managerial: Vec<f32>,
    pub integrity: Vec<f32>,
    /// Integrity at entry: the anchor integrity recovers towards.
    pub integrity0: Vec<f32>,
    pub corrupt: Vec<bool>,
    pub connections: Vec<f32>,
    pub morale: Vec<f32>,
    /// Bit k set: course k passed.
    pub courses: Vec<u8>,
    /// Mean score of courses passed, 0–10 (0 when none).
    pub training_score: Vec<f32>,
    /// Last three reported appraisal scores, newest first; NaN = none yet.
    pub appraisal: Vec<[f32; 3]>,
    /// Sum and count of monthly performance since the last appraisal.
    pub perf_sum: Vec<f32>,
    pub perf_n: Vec<u8>,
    /// Under the staggered engine, months of exposure to the competing
    /// risks that the officer's last span left over, added to its next
    /// update's: the months after an event early in the span (the officer
    /// was moved and would have faced the risks of its new state for the
    /// rest of the span) or after a revision of the corruption decision
    /// (the draw ended there). Packed with two flags, see [`owed`].
    pub owed: Vec<u8>,
    pub inquiries: Vec<u8>,
    pub convictions: Vec<u8>,
    pub supersessions: Vec<u8>,
    /// Supersessions in the current grade (reset on promotion).
    pub superseded_here: Vec<u8>,
    /// Competence when the scenario uses a scalar competence (classic models).
    pub scalar_comp: Vec<f32>,
    free: Vec<u32>,
}

/// Highest value of an expertise row, and the sector that holds it (the
/// first on ties).
#[inline]
pub fn best_of(row: &[f32]) -> (usize, f32) {
    row.iter()
        .copied()
        .enumerate()
        .fold((0, f32::MIN), |b, (k, e)| if e > b.1 { (k, e) } else { b })
}

/// Mean of the recorded scores of an appraisal row (NaN when none).
#[inline]
pub fn appraisal_mean_of(row: &[f32; 3]) -> f32 {
    let (sum, n) = row
        .iter()
        .filter(|v| !v.is_nan())
        .fold((0.0, 0), |(s, n), v| (s + v, n + 1));
    if n == 0 { f32::NAN } else { sum / n as f32 }
}

/// Everything needed to create one officer.
#[derive(Clone, Debug)]
pub struct NewOfficer {
    pub grade: u8,
    pub cadre: u8,
    pub channel: Channel,
    pub ladder: u8,
    pub region: u8,
    pub age_m: u16,
    pub service_m: u16,
    pub ability: f32,
    pub expertise_cadre: f32,
    pub expertise_other: f32,
    pub managerial: f32,
    pub integrity: f32,
    pub connections: f32,
    pub morale: f32,
    pub training_left: u8,
    pub scalar_comp: f32,
}

impl Officers {
    /// Empty columns with room for `capacity` officers.
    pub fn with_capacity(capacity: usize, sectors: usize) -> Self {
        let mut o = Officers {
            sectors,
            ..Default::default()
        };
        o.reserve(capacity);
        o
    }

    fn reserve(&mut self, n: usize) {
        self.active.reserve(n);
        self.grade.reserve(n);
        self.cadre.reserve(n);
        self.channel.reserve(n);
        self.ladder.reserve(n);
        self.region.reserve(n);
        self.age_m.reserve(n);
        self.service_m.reserve(n);
        self.grade_m.reserve(n);
        self.post.reserve(n);
        self.post_unit.reserve(n);
        self.post_sector.reserve(n);
        self.post_rent_factor.reserve(n);
        self.months_in_post.reserve(n);
        self.training_left.reserve(n);
        self.course_pending.reserve(n);
        self.inquiry_left.reserve(n);
        self.inquiry_wrongful.reserve(n);
        self.ability.reserve(n);
        self.expertise.reserve(n * self.sectors);
        self.managerial.reserve(n);
        self.integrity.reserve(n);
        self.integrity0.reserve(n);
        self.corrupt.reserve(n);
        self.connections.reserve(n);
        self.morale.reserve(n);
        self.courses.reserve(n);
        self.training_score.reserve(n);
        self.appraisal.reserve(n);
        self.perf_sum.reserve(n);
        self.perf_n.reserve(n);
        self.owed.reserve(n);
        self.inquiries.reserve(n);
        self.convictions.reserve(n);
        self.supersessions.reserve(n);
        self.superseded_here.reserve(n);
        self.scalar_comp.reserve(n);
    }

    /// Number of slots (active or free).
    pub fn slots(&self) -> usize {
        self.active.len()
    }

    /// Adds an officer (unposted) and returns its slot.
    pub fn add(&mut self, n: &NewOfficer) -> u32 {
        let slot = match self.free.pop() {
            Some(s) => s as usize,
            None => {
                self.active.push(false);
                self.grade.push(0);
                self.cadre.push(0);
                self.channel.push(0);
                self.ladder.push(0);
                self.region.push(0);
                self.age_m.push(0);
                self.service_m.push(0);
                self.grade_m.push(0);
                self.post.push(NONE);
                self.post_unit.push(0);
                self.post_sector.push(0);
                self.post_rent_factor.push(0.0);
                self.months_in_post.push(0);
                self.training_left.push(0);
                self.course_pending.push(0);
                self.inquiry_left.push(-1);
                self.inquiry_wrongful.push(false);
                self.ability.push(0.0);
                self.expertise
                    .extend(std::iter::repeat_n(0.0, self.sectors));
                self.managerial.push(0.0);
                self.integrity.push(0.0);
                self.integrity0.push(0.0);
                self.corrupt.push(false);
                self.connections.push(0.0);
                self.morale.push(0.0);
                self.courses.push(0);
                self.training_score.push(0.0);
                self.appraisal.push([f32::NAN; 3]);
                self.perf_sum.push(0.0);
                self.perf_n.push(0);
                self.owed.push(0);
                self.inquiries.push(0);
                self.convictions.push(0);
                self.supersessions.push(0);
                self.superseded_here.push(0);
                self.scalar_comp.push(0.0);
                self.active.len() - 1
            }
        };
        let i = slot;
        self.active[i] = true;
        self.grade[i] = n.grade;
        self.cadre[i] = n.cadre;
        self.channel[i] = n.channel as u8;
        self.ladder[i] = n.ladder;
        self.region[i] = n.region;
        self.age_m[i] = n.age_m;
        self.service_m[i] = n.service_m;
        self.grade_m[i] = 0;
        self.post[i] = NONE;
        self.months_in_post[i] = 0;
        self.training_left[i] = n.training_left;
        self.course_pending[i] = 0;
        self.inquiry_left[i] = -1;
        self.inquiry_wrongful[i] = false;
        self.ability[i] = n.ability;
        let s = self.sectors;
        for (k, e) in self.expertise[i * s..(i + 1) * s].iter_mut().enumerate() {
            *e = if k == n.cadre as usize {
                n.expertise_cadre
            } else {
                n.expertise_other
            };
        }
        self.managerial[i] = n.managerial;
        self.integrity[i] = n.integrity;
        self.integrity0[i] = n.integrity;
        self.corrupt[i] = false;
        self.connections[i] = n.connections;
        self.morale[i] = n.morale;
        self.courses[i] = 0;
        self.training_score[i] = 0.0;
        self.appraisal[i] = [f32::NAN; 3];
        self.perf_sum[i] = 0.0;
        self.perf_n[i] = 0;
        self.owed[i] = 0;
        self.inquiries[i] = 0;
        self.convictions[i] = 0;
        self.supersessions[i] = 0;
        self.superseded_here[i] = 0;
        self.scalar_comp[i] = n.scalar_comp;
        slot as u32
    }

    /// Frees a slot. The caller must already have vacated its post.
    pub fn remove(&mut self, slot: u32) {
        let i = slot as usize;
        debug_assert!(self.active[i] && self.post[i] == NONE);
        self.active[i] = false;
        self.corrupt[i] = false;
        self.free.push(slot);
    }

    /// The officer's expertise values, one per sector.
    #[inline]
    pub fn expertise_of(&self, i: usize) -> &[f32] {
        &self.expertise[i * self.sectors..(i + 1) * self.sectors]
    }

    /// Highest expertise over sectors, and the sector that holds it.
    pub fn best_sector(&self, i: usize) -> (usize, f32) {
        best_of(self.expertise_of(i))
    }

    /// Mean of the recorded appraisal scores (NaN when none).
    #[inline]
    pub fn appraisal_mean(&self, i: usize) -> f32 {
        appraisal_mean_of(&self.appraisal[i])
    }

    /// Number of active officers.
    pub fn headcount(&self) -> usize {
        self.active.iter().filter(|a| **a).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new_officer() -> NewOfficer {
        NewOfficer {
            grade: 1,
            cadre: 2,
            channel: Channel::Merit,
            ladder: CADRE,
            region: 0,
            age_m: 300,
            service_m: 0,
            ability: 6.0,
            expertise_cadre: 3.0,
            expertise_other: 1.0,
            managerial: 2.0,
            integrity: 0.6,
            connections: 0.1,
            morale: 0.5,
            training_left: 0,
            scalar_comp: 0.0,
        }
    }

    #[test]
    fn add_remove_reuses_slots_and_resets_state() {
        let mut o = Officers::with_capacity(4, 3);
        let a = o.add(&new_officer());
        let b = o.add(&new_officer());
        assert_eq!((a, b), (0, 1));
        assert_eq!(o.expertise_of(0), &[1.0, 1.0, 3.0]);
        assert_eq!(o.best_sector(0), (2, 3.0));
        o.corrupt[0] = true;
        o.supersessions[0] = 2;
        o.remove(a);
        assert_eq!(o.headcount(), 1);
        let c = o.add(&new_officer());
        assert_eq!(c, 0, "freed slot is reused");
        assert!(!o.corrupt[0]);
        assert_eq!(o.supersessions[0], 0);
        assert_eq!(o.slots(), 2);
    }

    #[test]
    fn appraisal_mean_ignores_missing() {
        let mut o = Officers::with_capacity(1, 1);
        o.add(&new_officer());
        assert!(o.appraisal_mean(0).is_nan());
        o.appraisal[0] = [8.0, 6.0, f32::NAN];
        assert_eq!(o.appraisal_mean(0), 7.0);
    }
}
