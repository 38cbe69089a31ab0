//! Posts (positions) as columns, with per (grade, sector) pools of vacant
//! posts so that postings and promotions find a vacancy in O(1) instead of
//! scanning every post. Invariant: a post is in its pool exactly when its
//! holder is [`NONE`], so no post can hold two officers.

use super::population::NONE;

/// The post columns and the vacancy pools.
#[derive(Clone, Debug, Default)]
pub struct Posts {
    pub grade: Vec<u8>,
    pub sector: Vec<u8>,
    /// Work unit (office): peers for contagion. Units never span sectors.
    pub unit: Vec<u32>,
    /// Multiplier on the sector's rent, drawn once per post.
    pub rent_factor: Vec<f32>,
    pub holder: Vec<u32>,
    /// Vacant posts per (grade, sector): `pools[grade * sectors + sector]`.
    pools: Vec<Vec<u32>>,
    /// Position of a vacant post in its pool (undefined when held).
    pool_pos: Vec<u32>,
    sectors: usize,
    pub units: usize,
}

impl Posts {
    /// Builds the posts of a structure. `per_grade_sector[g][s]` posts of
    /// grade g in sector s, grouped into units of `posts_per_unit`;
    /// `rent_factor` gives each post's factor in creation order.
    pub fn build(
        per_grade_sector: &[Vec<u32>],
        posts_per_unit: u32,
        mut rent_factor: impl FnMut() -> f32,
    ) -> Self {
        let grades = per_grade_sector.len();
        let sectors = per_grade_sector.first().map_or(0, |v| v.len());
        let mut p = Posts {
            sectors,
            pools: vec![Vec::new(); grades * sectors],
            ..Default::default()
        };
        // Units are cut within a sector, grade after grade, so a unit never
        // spans sectors; with grades laid out in turn most units hold one
        // grade (a unit at a grade boundary holds two).
        let mut unit_base = 0u32;
        for s in 0..sectors {
            let mut k = 0u32;
            for (g, row) in per_grade_sector.iter().enumerate() {
                for _ in 0..row[s] {
                    let id = p.grade.len() as u32;
                    p.grade.push(g as u8);
                    p.sector.push(s as u8);
                    p.unit.push(unit_base + k / posts_per_unit.max(1));
                    p.rent_factor.push(rent_factor());
                    p.holder.push(NONE);
                    p.pool_pos.push(p.pools[g * sectors + s].len() as u32);
                    p.pools[g * sectors + s].push(id);
                    k += 1;
                }
            }
            unit_base += k.div_ceil(posts_per_unit.max(1));
        }
        p.units = unit_base as usize;
        p
    }

    /// Number of posts.
    pub fn len(&self) -> usize {
        self.grade.len()
    }

    /// True when there are no posts.
    pub fn is_empty(&self) -> bool {
        self.grade.is_empty()
    }

    /// Vacant posts of a grade in a sector.
    #[inline]
    pub fn vacant(&self, grade: usize, sector: usize) -> &[u32] {
        &self.pools[grade * self.sectors + sector]
    }

    /// Number of vacant posts of a grade, all sectors.
    pub fn vacant_in_grade(&self, grade: usize) -> usize {
        (0..self.sectors).map(|s| self.vacant(grade, s).len()).sum()
    }

    /// The `k`-th vacant post of a grade, counting sector by sector;
    /// `k` must be below [`Posts::vacant_in_grade`].
    pub fn nth_vacant_in_grade(&self, grade: usize, k: usize) -> u32 {
        self.nth_vacant_with_sector(grade, k).0
    }

    /// [`Posts::nth_vacant_in_grade`] with the post's sector, known from
    /// its pool without reading the post's column.
    pub fn nth_vacant_with_sector(&self, grade: usize, mut k: usize) -> (u32, usize) {
        for s in 0..self.sectors {
            let pool = self.vacant(grade, s);
            if k < pool.len() {
                return (pool[k], s);
            }
            k -= pool.len();
        }
        panic!("vacancy index out of range for grade {grade}")
    }

    /// Puts `officer` in the vacant post `post`.
    pub fn fill(&mut self, post: u32, officer: u32) {
        let p = post as usize;
        assert_eq!(self.holder[p], NONE, "post {post} is already held");
        let pool = &mut self.pools[self.grade[p] as usize * self.sectors + self.sector[p] as usize];
        let pos = self.pool_pos[p] as usize;
        let last = *pool.last().expect("vacant post is in its pool");
        pool.swap_remove(pos);
        if last != post {
            self.pool_pos[last as usize] = pos as u32;
        }
        self.holder[p] = officer;
    }

    /// Makes `post` vacant.
    pub fn vacate(&mut self, post: u32) {
        let p = post as usize;
        debug_assert_ne!(self.holder[p], NONE);
        self.holder[p] = NONE;
        let pool = &mut self.pools[self.grade[p] as usize * self.sectors + self.sector[p] as usize];
        self.pool_pos[p] = pool.len() as u32;
        pool.push(post);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pools_track_vacancies_exactly() {
        let mut p = Posts::build(&[vec![3, 2], vec![1, 0]], 2, || 1.0);
        assert_eq!(p.len(), 6);
        assert_eq!(p.vacant_in_grade(0), 5);
        let v: Vec<u32> = p.vacant(0, 0).to_vec();
        p.fill(v[0], 10);
        p.fill(v[2], 11);
        assert_eq!(p.vacant(0, 0).len(), 1);
        assert_eq!(p.vacant(0, 0)[0], v[1]);
        p.vacate(v[0]);
        assert_eq!(p.vacant(0, 0).len(), 2);
        for g in 0..2 {
            for s in 0..2 {
                for &post in p.vacant(g, s) {
                    assert_eq!(p.holder[post as usize], NONE);
                    assert_eq!(p.grade[post as usize] as usize, g);
                }
            }
        }
    }

    #[test]
    fn the_nth_vacancy_comes_with_its_own_sector() {
        let mut p = Posts::build(&[vec![3, 0, 2], vec![1, 4, 1]], 2, || 1.0);
        p.fill(p.vacant(1, 1)[2], 7);
        for g in 0..2 {
            let ids: Vec<u32> = (0..3).flat_map(|s| p.vacant(g, s).to_vec()).collect();
            assert_eq!(ids.len(), p.vacant_in_grade(g));
            for (k, &id) in ids.iter().enumerate() {
                let (post, s) = p.nth_vacant_with_sector(g, k);
                assert_eq!(post, id);
                assert_eq!(s, p.sector[post as usize] as usize);
                assert_eq!(post, p.nth_vacant_in_grade(g, k));
            }
        }
    }

    #[test]
    #[should_panic(expected = "already held")]
    fn filling_a_held_post_panics() {
        let mut p = Posts::build(&[vec![1]], 1, || 1.0);
        p.fill(0, 1);
        p.fill(0, 2);
    }

    #[test]
    fn units_stay_within_a_sector() {
        let p = Posts::build(&[vec![3, 3], vec![2, 2]], 4, || 1.0);
        for a in 0..p.len() {
            for b in 0..p.len() {
                if p.unit[a] == p.unit[b] {
                    assert_eq!(p.sector[a], p.sector[b]);
                }
            }
        }
        assert_eq!(p.units, 4);
    }
}
