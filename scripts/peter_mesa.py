#!/usr/bin/env python3
"""A benchmark peer: the classic Peter-principle model in Mesa.

This is NOT part of bureausim and is not used by it. It is the same model,
with the same rules, schedule, parameters and metrics, as the plain CPython
peer scripts/peter_peer.py (whose docstring is the specification), written
the way a Mesa user would write it, so that issue 17 ("Speed") can compare
`bureausim run scenarios/classics/peter_principle.toml` with a general
agent-based modelling framework, per agent-step:

* an `Officer(mesa.Agent)` per officer (level, competence, age, years of
  service, times passed over at its level, and its post number `slot`);
* a `Bureau(mesa.Model)` whose yearly `step()` drives the model's agent set
  (`self.agents.do`, `select`, `groupby`), creates recruits as new agents
  and removes leavers with `Agent.remove()`;
* a `mesa.DataCollector` with one model reporter per timeseries column
  and a "grades" table for the per-level rows, collected every year as
  peter_peer.py computes them every year.

The model is that of

    A. Pluchino, A. Rapisarda & C. Garofalo (2010), "The Peter principle
    revisited: a computational study", Physica A 389(3): 467-472,
    doi:10.1016/j.physa.2009.09.045

as bureausim configures it in scenarios/classics/peter_principle.toml:
six levels of 81, 41, 21, 11, 5 and 1 posts, one step a year (ageing and
retirement at 61 with the year's delivery, dismissal below competence 4,
one top-down promotion board with no limit on supersessions, as in the paper,
recruitment to the bottom level), rule best|worst|random|best_worst,
hypothesis redraw|carry_over. The constants, the draws of age and
competence, the Spearman correlation, the metric definitions and the
--compare check are imported from peter_peer.py rather than copied.

What Mesa does not decide for us is kept as peter_peer.py (and bureausim)
has it, because it changes who is promoted: officers hold numbered posts
(`slot`) with a last-in-first-out list of free posts, leavers free theirs
in post order, and the "best" rule breaks ties (competence clipped at 10)
by post. The yearly steps act on every officer independently, so they use
`AgentSet.do`, not `shuffle_do`: no rule depends on the order of action.
All random numbers come from the model's `self.random` (Python's
Mersenne Twister, seeded seed x 1,000,003 + replicate as peter_peer.py),
drawn in the same order as peter_peer.py, so that with the same --seed the
two produce the same careers; the results then differ only in the last
bits of the sums (efficiency and the means add up officers in the agent
set's order, not in post order). Different seeds give the same
distribution of results (checked with --compare, as for peter_peer.py).

Written and measured with Mesa 3.3.1 (numpy 2.4.6, pandas 3.1.1, scipy
1.17.1) on CPython 3.11.7. Install it with

    pip install mesa==3.3.1          # or: pip install -r scripts/requirements-bench.txt

Examples:

    python3 scripts/peter_mesa.py --replicates 4 --years 1000      # the timed workload
    python3 scripts/peter_mesa.py --rule random --hypothesis redraw \\
        --replicates 20 --csv /tmp/mesa.csv --grades-csv /tmp/mesa_grades.csv
    python3 scripts/peter_mesa.py --rule best --replicates 20 --seed 1 \\
        --compare /tmp/pp_best/timeseries.csv    # bureausim's, or peter_peer.py's --csv

It prints the mean efficiency over the last half of the years on stdout
and its own simulation time (building the models, the years and the data
collection, not importing Mesa or writing files) on the last line of
stderr, in the same form as peter_peer.py.
"""

import csv
import os
import sys
import time
from operator import attrgetter

import mesa

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peter_peer  # noqa: E402  (scripts/peter_peer.py: the specification)
from peter_peer import (  # noqa: E402
    CARRY_OVER_NOISE,
    COMP_MAX,
    COMP_MEAN,
    COMP_MIN,
    COMP_SD,
    DISMISS_BELOW,
    GRADES,
    LEVELS,
    MAX_DELIVERY,
    MAX_SUPERSESSIONS,
    POSTS,
    RETIREMENT_AGE,
    TIMESERIES,
    WEIGHTS,
    draw_age,
    draw_competence,
    fmt,
    ratio,
    spearman,
)

TOTAL_POSTS = sum(POSTS)


class Officer(mesa.Agent):
    """An officer in post number `slot` at `level` (0 is the bottom)."""

    def __init__(self, model, level, slot):
        super().__init__(model)
        self.slot = slot
        self.level = level
        self.age = draw_age(self.random)
        self.competence = draw_competence(self.random)
        self.service = 0
        self.supersessions = 0  # passed over at this level for someone junior

    def step(self):
        """A year older; delivers weight(level) x competence unless it
        reaches retirement age this year."""
        self.age += 1
        self.service += 1
        if self.age < RETIREMENT_AGE:
            self.model.delivery += WEIGHTS[self.level] * self.competence

    def is_candidate(self):
        limit = self.model.max_supersessions
        return limit == 0 or self.supersessions < limit

    def promote(self):
        """One level up; competence redrawn (Peter hypothesis) or carried
        over with noise (common sense), clipped."""
        self.level += 1
        self.supersessions = 0
        if self.model.hypothesis == "redraw":
            c = COMP_MEAN + COMP_SD * self.random.gauss(0.0, 1.0)
        else:
            c = self.competence + self.random.uniform(-CARRY_OVER_NOISE, CARRY_OVER_NOISE)
        self.competence = min(COMP_MAX, max(COMP_MIN, c))


class Bureau(mesa.Model):
    """One replicate: a six-level pyramid of officers, one step a year."""

    def __init__(
        self,
        rule="best",
        hypothesis="redraw",
        best_probability=0.5,
        max_supersessions=MAX_SUPERSESSIONS,
        seed=None,
    ):
        super().__init__(seed=seed)
        self.rule = rule
        self.hypothesis = hypothesis
        self.best_probability = best_probability
        self.max_supersessions = max_supersessions
        self.free_slots = []  # freed posts, the last freed taken first
        self.next_slot = 0
        self.reset_flows()
        # Full at the start, the top level's officers in the first posts.
        for g in range(LEVELS - 1, -1, -1):
            for _ in range(POSTS[g]):
                Officer(self, g, self.take_slot())
        self.datacollector = mesa.DataCollector(
            model_reporters={
                "headcount": lambda m: len(m.agents),
                "vacancy_rate": lambda m: max(0.0, 1.0 - len(m.agents) / TOTAL_POSTS),
                "mean_competence": lambda m: ratio(m.agents.agg("competence", sum), len(m.agents)),
                "efficiency": self.efficiency,
                "promotions": "promotions",
                "mean_service_at_promotion": lambda m: ratio(m.promotion_service_sum, m.promotions),
                "promotion_rank_correlation": lambda m: ratio(m.rank_corr_sum, m.rank_corr_weight),
                "peter_effect": lambda m: ratio(m.peter_sum, m.promotions),
                "supersessions": "supersessions",
                "exits_retirement": "exits_retirement",
                "exits_dismissal": "exits_dismissal",
                "recruits": "recruits",
            },
            tables={"grades": ["year", "grade"] + GRADES},
        )
        self.collect()

    def take_slot(self):
        if self.free_slots:
            return self.free_slots.pop()
        self.next_slot += 1
        return self.next_slot - 1

    def reset_flows(self):
        self.delivery = 0.0
        self.exits_retirement = 0
        self.exits_dismissal = 0
        self.recruits = 0
        self.promotions = 0
        self.promotion_service_sum = 0
        self.peter_sum = 0.0
        self.rank_corr_sum = 0.0
        self.rank_corr_weight = 0
        self.supersessions = 0
        self.grade_promotions = [0] * LEVELS
        self.grade_promotion_service = [0] * LEVELS
        self.grade_promotion_age = [0] * LEVELS

    def step(self):
        """One year, in bureausim's order."""
        self.reset_flows()
        # 1. Everyone ages and delivers; those aged 61 retire.
        self.agents.do("step")
        self.exits_retirement = self.leave(self.agents.select(lambda a: a.age >= RETIREMENT_AGE))
        # 2. The annual review dismisses the incompetent.
        self.exits_dismissal = self.leave(self.agents.select(lambda a: a.competence < DISMISS_BELOW))
        # 3. The promotion board, top-down; 4. recruitment.
        self.promotion_board()
        self.recruit()
        self.collect()

    def leave(self, officers):
        """Removes the officers, freeing their posts in post order; returns
        how many left."""
        leaving = sorted(officers, key=attrgetter("slot"))
        for officer in leaving:
            self.free_slots.append(officer.slot)
            officer.remove()
        return len(leaving)

    def promotion_board(self):
        by_level = self.agents.groupby("level", result_type="list").groups
        head = [len(by_level.get(g, ())) for g in range(LEVELS)]
        for t in range(LEVELS - 1, 0, -1):
            g = t - 1
            vacancies = POSTS[t] - head[t]
            if vacancies <= 0:
                continue
            candidates = sorted(
                (a for a in by_level.get(g, ()) if a.is_candidate()), key=attrgetter("slot")
            )
            if not candidates:
                continue
            if self.rule == "random":
                scores = [self.random.random() for _ in candidates]
            else:
                scores = [a.competence for a in candidates]
            competences = [a.competence for a in candidates]
            n = min(vacancies, len(candidates))
            # Highest score first, ties by post.
            order = sorted(range(len(candidates)), key=lambda k: (-scores[k], candidates[k].slot))
            if self.rule == "worst":
                chosen = order[::-1][:n]
            elif self.rule == "best_worst":
                chosen = []
                lo, hi = 0, len(order)
                for _ in range(n):
                    if self.random.random() < self.best_probability:
                        chosen.append(order[lo])
                        lo += 1
                    else:
                        hi -= 1
                        chosen.append(order[hi])
            else:
                chosen = order[:n]
            if len(candidates) >= 2:
                rc = spearman(scores, competences)
                if self.rule == "worst":
                    rc = -rc
                self.rank_corr_sum += rc * len(candidates)
                self.rank_corr_weight += len(candidates)
            promoted = [candidates[k] for k in chosen]
            least_service = min(a.service for a in promoted)
            for officer in promoted:
                before = officer.competence
                officer.promote()
                self.peter_sum += officer.competence - before
                self.promotion_service_sum += officer.service
                self.promotions += 1
                self.grade_promotions[t] += 1
                self.grade_promotion_service[t] += officer.service
                self.grade_promotion_age[t] += officer.age
            for officer in candidates:
                if officer.level == g and officer.service > least_service:
                    officer.supersessions += 1
                    self.supersessions += 1
            head[t] += n
            head[g] -= n

    def recruit(self):
        vacancies = POSTS[0] - len(self.agents.select(lambda a: a.level == 0))
        for _ in range(vacancies):
            Officer(self, 0, self.take_slot())
        self.recruits = vacancies

    def efficiency(self):
        """100 x the year's delivery / every post filled at competence 10
        (year 0: the starting organisation's)."""
        if self.steps == 0:
            return 100.0 * sum(WEIGHTS[a.level] * a.competence for a in self.agents) / MAX_DELIVERY
        return 100.0 * self.delivery / MAX_DELIVERY

    def collect(self):
        """The year's timeseries row and its per-level rows."""
        self.datacollector.collect(self)
        groups = self.agents.groupby("level", result_type="list")
        count = groups.count()
        competence = groups.agg("competence", sum)
        age = groups.agg("age", sum)
        service = groups.agg("service", sum)
        for g in range(LEVELS):
            h = count.get(g, 0)
            promoted = self.grade_promotions[g]
            self.datacollector.add_table_row(
                "grades",
                {
                    "year": self.steps,
                    "grade": f"level_{g + 1}",
                    "headcount": h,
                    "vacancy_rate": max(0.0, 1.0 - h / POSTS[g]),
                    "mean_competence": ratio(competence.get(g, 0.0), h),
                    "mean_age": ratio(age.get(g, 0), h),
                    "mean_service": ratio(service.get(g, 0), h),
                    "promotions_in": promoted,
                    "service_at_promotion_in": ratio(self.grade_promotion_service[g], promoted),
                    "age_at_promotion_in": ratio(self.grade_promotion_age[g], promoted),
                },
            )


def run_replicate(seed, replicate, years, rule, hypothesis, best_probability, max_sup):
    model = Bureau(rule, hypothesis, best_probability, max_sup, seed=seed * 1_000_003 + replicate)
    for _ in range(years):
        model.step()
    return model


def timeseries(model):
    """The model's yearly rows as dicts by column, year 0 first."""
    columns = [model.datacollector.model_vars[m] for m in TIMESERIES]
    return [dict(zip(TIMESERIES, values)) for values in zip(*columns)]


def main(argv=None):
    ap = peter_peer.arguments(
        "Benchmark peer of bureausim's classic Peter-principle "
        "model (Pluchino, Rapisarda & Garofalo 2010) in Mesa "
        f"(written for mesa 3.3.1; this is {mesa.__version__}).",
        "compare the results with a bureausim timeseries.csv of the same "
        "scenario, or with peter_peer.py's --csv (means over the last years, "
        "across replicates)",
    )
    a = ap.parse_args(argv)

    t0 = time.perf_counter()
    models = [
        run_replicate(
            a.seed,
            r,
            a.years,
            a.rule,
            a.hypothesis,
            a.best_probability,
            a.max_supersessions,
        )
        for r in range(a.replicates)
    ]
    sim_seconds = time.perf_counter() - t0
    results = [timeseries(m) for m in models]

    if a.csv:
        with open(a.csv, "w", newline="") as f:
            out = csv.writer(f)
            out.writerow(["replicate", "year"] + TIMESERIES)
            for r, rows in enumerate(results):
                for y, row in enumerate(rows):
                    out.writerow([r, y] + [fmt(row[m]) for m in TIMESERIES])
    if a.grades_csv:
        with open(a.grades_csv, "w", newline="") as f:
            out = csv.writer(f)
            out.writerow(["replicate", "year", "grade"] + GRADES)
            for r, m in enumerate(models):
                table = m.datacollector.tables["grades"]
                cols = [table[c] for c in ["year", "grade"] + GRADES]
                for values in zip(*cols):
                    out.writerow([r, values[0], values[1]] + [fmt(v) for v in values[2:]])

    last = peter_peer.last_years(a)
    if a.compare:
        print(f"peer: this Mesa peer; bureausim: {a.compare}")
        peter_peer.compare(results, peter_peer.read_bureausim(a.compare), last)
    efficiency = [[row["efficiency"] for row in rows] for rows in results]
    peter_peer.report(a, efficiency, sim_seconds, f"mesa={mesa.__version__} ")

if __name__ == "__main__":
    main()
