#!/usr/bin/env python3
"""A benchmark peer: the classic Peter-principle model in plain CPython.

This is NOT part of bureausim and is not used by it. It is the "plain,
faithful CPython implementation of the same rules" against which issue 17
("Speed") measures `bureausim run scenarios/classics/peter_principle.toml`:
the standard library only (random, math, statistics, csv, argparse, time),
plain loops, one process, no numpy.

The model is that of

    A. Pluchino, A. Rapisarda & C. Garofalo (2010), "The Peter principle
    revisited: a computational study", Physica A 389(3): 467-472,
    doi:10.1016/j.physa.2009.09.045

as bureausim configures it in scenarios/classics/peter_principle.toml, and
this peer follows bureausim's implementation of that configuration step by
step (src/sim/step.rs, src/sim/pass.rs, src/model/{exits,promotion,
recruitment,init,work}.rs, src/metrics/mod.rs), so that both produce the
same distribution of results (not the same random numbers: bureausim draws
from ChaCha8 streams, this peer from Python's Mersenne Twister):

* Six levels of 81, 41, 21, 11, 5 and 1 posts (bottom to top), efficiency
  weights 0.2, 0.4, 0.6, 0.8, 0.9, 1.0. One scalar competence per agent,
  N(7, 2) clipped to [1, 10]; ages N(25, 5), rounded, clipped to [18, 60].
  The organisation starts full, everyone a new entrant (no service).
* One step a year, in bureausim's order:
  1. everyone ages one year; agents aged 61 or more retire (bureausim's
     monthly pass); every remaining agent delivers weight(level) x
     competence to the year's efficiency (so the year's efficiency is
     measured after retirements and before dismissals and promotions, as
     bureausim does);
  2. the annual review dismisses agents with competence below 4;
  3. one promotion board, top-down: each level's vacancies are filled by
     promoting agents of the level below, ranked by the rule (best: highest
     competence first, ties by slot; worst: the reverse; random: a uniform
     score; best_worst: best with probability best_probability, else worst).
     An agent promoted this year is not considered again the same year.
     Every agent of the level below is a candidate, however often it has
     been passed over (the scenario sets `promotion.max_supersessions = 0`;
     `--max-supersessions K` makes an agent passed over K times in its level
     for someone with less service no candidate there). A promoted
     agent's competence is redrawn from N(7, 2) clipped ("redraw", the Peter
     hypothesis) or carried over plus U(-1, 1) noise, clipped ("carry_over",
     common sense);
  4. the bottom level's vacancies are filled by recruits.
* Agents live in numbered slots with a last-in-first-out free list, as in
  bureausim (src/model/population.rs), because the "best" rule breaks ties
  (competence clipped at 10) by slot.

Per year the peer computes (year 0 is the starting state) the columns of
bureausim's timeseries.csv

    headcount, vacancy_rate, mean_competence, efficiency, promotions,
    mean_service_at_promotion, promotion_rank_correlation, peter_effect,
    supersessions, exits_retirement, exits_dismissal, recruits

and of grades.csv, per level,

    headcount, vacancy_rate, mean_competence, mean_age, mean_service,
    promotions_in, service_at_promotion_in, age_at_promotion_in

with bureausim's definitions (efficiency = 100 x sum of weight x competence
over the agents in post during the year / sum over posts of weight x 10).
It does not compute what bureausim computes although the classic model has
no use for it (BENCHMARKS.md lists them): latent ability and the 27
exam candidates drawn per recruit, integrity, connections, morale, pay and
outside wages, pensions, posts and units, months in post, sectors.csv, and
the timeseries columns that are constant here.

Examples:

    python3 scripts/peter_peer.py --replicates 4 --years 1000
    python3 scripts/peter_peer.py --rule random --hypothesis redraw \\
        --replicates 20 --csv /tmp/peer.csv --grades-csv /tmp/peer_grades.csv
"""

import argparse
import csv
import math
import random
import statistics
import sys
import time

POSTS = [81, 41, 21, 11, 5, 1]
WEIGHTS = [0.2, 0.4, 0.6, 0.8, 0.9, 1.0]
LEVELS = len(POSTS)
COMP_MEAN, COMP_SD, COMP_MIN, COMP_MAX = 7.0, 2.0, 1.0, 10.0
AGE_MEAN, AGE_SD, AGE_MIN, AGE_MAX = 25.0, 5.0, 18.0, 60.0
RETIREMENT_AGE = 61  # "agents older than 60 retire"
DISMISS_BELOW = 4.0
CARRY_OVER_NOISE = 1.0
# The scenario's `promotion.max_supersessions`: 0, no limit, as in the paper.
MAX_SUPERSESSIONS = 0
# Efficiency's denominator: every post filled at competence 10.
MAX_DELIVERY = sum(p * w * 10.0 for p, w in zip(POSTS, WEIGHTS))

TIMESERIES = [
    "headcount",
    "vacancy_rate",
    "mean_competence",
    "efficiency",
    "promotions",
    "mean_service_at_promotion",
    "promotion_rank_correlation",
    "peter_effect",
    "supersessions",
    "exits_retirement",
    "exits_dismissal",
    "recruits",
]
GRADES = [
    "headcount",
    "vacancy_rate",
    "mean_competence",
    "mean_age",
    "mean_service",
    "promotions_in",
    "service_at_promotion_in",
    "age_at_promotion_in",
]
NAN = float("nan")
RULES = ("best", "worst", "random", "best_worst")
HYPOTHESES = ("redraw", "carry_over")


def ratio(a, b):
    return a / b if b > 0 else NAN


def draw_competence(rng):
    return min(COMP_MAX, max(COMP_MIN, COMP_MEAN + COMP_SD * rng.gauss(0.0, 1.0)))


def draw_age(rng):
    # Rounded half away from zero, as Rust's f64::round (ages are positive).
    a = math.floor(AGE_MEAN + AGE_SD * rng.gauss(0.0, 1.0) + 0.5)
    return int(min(AGE_MAX, max(AGE_MIN, a)))


def spearman(x, y):
    """Spearman rank correlation, ties ranked by position (as bureausim)."""
    n = len(x)
    rx = [0] * n
    for r, k in enumerate(sorted(range(n), key=lambda k: (x[k], k))):
        rx[k] = r
    ry = [0] * n
    for r, k in enumerate(sorted(range(n), key=lambda k: (y[k], k))):
        ry[k] = r
    d2 = 0
    for k in range(n):
        d = rx[k] - ry[k]
        d2 += d * d
    return 1.0 - 6.0 * d2 / (n * (n * n - 1.0))


class Organisation:
    """One replicate: agents in slots, as columns (lists indexed by slot)."""

    def __init__(self, rng, rule, hypothesis, best_probability, max_supersessions):
        self.rng = rng
        self.max_supersessions = max_supersessions
        self.rule = rule
        self.hypothesis = hypothesis
        self.best_probability = best_probability
        self.active = []
        self.level = []
        self.comp = []
        self.age = []
        self.service = []
        self.superseded_here = []
        self.free = []
        self.reset_flows()
        # Full at the start, the top level's agents in the first slots.
        for g in range(LEVELS - 1, -1, -1):
            for _ in range(POSTS[g]):
                self.add(g, draw_age(rng), draw_competence(rng))

    def reset_flows(self):
        self.delivery = 0.0
        self.steps = 0
        self.retirements = 0
        self.dismissals = 0
        self.recruits = 0
        self.promotions = 0
        self.promotion_service_sum = 0.0
        self.peter_sum = 0.0
        self.rank_corr_sum = 0.0
        self.rank_corr_weight = 0.0
        self.supersessions = 0
        self.grade_promotions = [0] * LEVELS
        self.grade_promotion_service = [0.0] * LEVELS
        self.grade_promotion_age = [0.0] * LEVELS

    def add(self, level, age, comp):
        if self.free:
            i = self.free.pop()
            self.active[i] = True
            self.level[i] = level
            self.comp[i] = comp
            self.age[i] = age
            self.service[i] = 0
            self.superseded_here[i] = 0
        else:
            i = len(self.active)
            self.active.append(True)
            self.level.append(level)
            self.comp.append(comp)
            self.age.append(age)
            self.service.append(0)
            self.superseded_here.append(0)
        return i

    def remove(self, i):
        self.active[i] = False
        self.free.append(i)

    def year(self):
        """One year: ageing and retirement with the year's delivery, then
        the annual review, the promotion board and recruitment."""
        active, level, comp, age, service = (
            self.active,
            self.level,
            self.comp,
            self.age,
            self.service,
        )
        # 1. Everyone ages; those aged 61 retire; the rest deliver.
        retiring = []
        delivery = 0.0
        for i in range(len(active)):
            if not active[i]:
                continue
            age[i] += 1
            service[i] += 1
            if age[i] >= RETIREMENT_AGE:
                retiring.append(i)
                continue
            delivery += WEIGHTS[level[i]] * comp[i]
        self.delivery += delivery
        self.steps += 1
        for i in retiring:
            self.remove(i)
            self.retirements += 1
        # 2. The annual review: dismissal of incompetents.
        for i in range(len(active)):
            if active[i] and comp[i] < DISMISS_BELOW:
                self.remove(i)
                self.dismissals += 1
        # 3. The promotion board, 4. recruitment.
        self.board()
        self.recruit()

    def board(self):
        rng, active, level, comp, age, service, sup = (
            self.rng,
            self.active,
            self.level,
            self.comp,
            self.age,
            self.service,
            self.superseded_here,
        )
        rule = self.rule
        max_sup = self.max_supersessions
        by_level = [[] for _ in range(LEVELS)]
        head = [0] * LEVELS
        for i in range(len(active)):
            if active[i]:
                by_level[level[i]].append(i)
                head[level[i]] += 1
        for t in range(LEVELS - 1, 0, -1):
            g = t - 1
            vacancies = POSTS[t] - head[t]
            if vacancies <= 0:
                continue
            elig = [
                i
                for i in by_level[g]
                if active[i] and level[i] == g and (max_sup == 0 or sup[i] < max_sup)
            ]
            if not elig:
                continue
            if rule == "random":
                scores = [rng.random() for _ in elig]
            else:
                scores = [comp[i] for i in elig]
            comp_next = [comp[i] for i in elig]
            n = min(vacancies, len(elig))
            # Highest score first, ties by slot.
            order = sorted(range(len(elig)), key=lambda k: (-scores[k], elig[k]))
            if rule == "worst":
                chosen = order[::-1][:n]
            elif rule == "best_worst":
                chosen = []
                lo, hi = 0, len(order)
                for _ in range(n):
                    if rng.random() < self.best_probability:
                        chosen.append(order[lo])
                        lo += 1
                    else:
                        hi -= 1
                        chosen.append(order[hi])
            else:
                chosen = order[:n]
            if len(elig) >= 2:
                rc = spearman(scores, comp_next)
                if rule == "worst":
                    rc = -rc
                self.rank_corr_sum += rc * len(elig)
                self.rank_corr_weight += len(elig)
            least_service = min(service[elig[k]] for k in chosen)
            is_chosen = [False] * len(elig)
            for k in chosen:
                is_chosen[k] = True
                i = elig[k]
                before = comp[i]
                level[i] = t
                sup[i] = 0
                if self.hypothesis == "redraw":
                    c = COMP_MEAN + COMP_SD * rng.gauss(0.0, 1.0)
                else:
                    c = comp[i] + rng.uniform(-CARRY_OVER_NOISE, CARRY_OVER_NOISE)
                comp[i] = min(COMP_MAX, max(COMP_MIN, c))
                self.peter_sum += comp[i] - before
                self.promotion_service_sum += service[i]
                self.promotions += 1
                self.grade_promotions[t] += 1
                self.grade_promotion_service[t] += service[i]
                self.grade_promotion_age[t] += age[i]
            for k in range(len(elig)):
                i = elig[k]
                if not is_chosen[k] and service[i] > least_service:
                    sup[i] += 1
                    self.supersessions += 1
            head[t] += n
            head[g] -= n

    def recruit(self):
        rng = self.rng
        head0 = 0
        for i in range(len(self.active)):
            if self.active[i] and self.level[i] == 0:
                head0 += 1
        for _ in range(POSTS[0] - head0):
            self.add(0, draw_age(rng), draw_competence(rng))
            self.recruits += 1

    def observe(self):
        """The year's row of timeseries columns and rows of grade columns."""
        active, level, comp, age, service = (
            self.active,
            self.level,
            self.comp,
            self.age,
            self.service,
        )
        g_head = [0] * LEVELS
        g_comp = [0.0] * LEVELS
        g_age = [0.0] * LEVELS
        g_service = [0.0] * LEVELS
        snapshot = 0.0
        for i in range(len(active)):
            if not active[i]:
                continue
            g = level[i]
            g_head[g] += 1
            g_comp[g] += comp[i]
            g_age[g] += age[i]
            g_service[g] += service[i]
            snapshot += WEIGHTS[g] * comp[i]
        head = sum(g_head)
        posts = sum(POSTS)
        if self.steps > 0:
            efficiency = 100.0 * self.delivery / (MAX_DELIVERY * self.steps)
        else:
            efficiency = 100.0 * snapshot / MAX_DELIVERY
        row = [
            head,
            max(0.0, 1.0 - head / posts),
            ratio(sum(g_comp), head),
            efficiency,
            self.promotions,
            ratio(self.promotion_service_sum, self.promotions),
            ratio(self.rank_corr_sum, self.rank_corr_weight),
            ratio(self.peter_sum, self.promotions),
            self.supersessions,
            self.retirements,
            self.dismissals,
            self.recruits,
        ]
        grades = []
        for g in range(LEVELS):
            gp = self.grade_promotions[g]
            grades.append(
                [
                    g_head[g],
                    max(0.0, 1.0 - g_head[g] / POSTS[g]),
                    ratio(g_comp[g], g_head[g]),
                    ratio(g_age[g], g_head[g]),
                    ratio(g_service[g], g_head[g]),
                    gp,
                    ratio(self.grade_promotion_service[g], gp),
                    ratio(self.grade_promotion_age[g], gp),
                ]
            )
        return row, grades


def run_replicate(seed, replicate, years, rule, hypothesis, best_probability, max_sup):
    rng = random.Random(seed * 1_000_003 + replicate)
    org = Organisation(rng, rule, hypothesis, best_probability, max_sup)
    rows = [org.observe()]
    for _ in range(years):
        org.year()
        rows.append(org.observe())
        org.reset_flows()
    return rows


def replicate_means(rows_by_replicate, names, last):
    """Per replicate, the mean of each metric over the last `last` years
    (NaN values skipped); rows are dicts by column name, years ascending."""
    out = {m: [] for m in names}
    for rows in rows_by_replicate:
        tail = rows[len(rows) - last :]
        for m in names:
            vals = [r[m] for r in tail if not math.isnan(r[m])]
            out[m].append(statistics.fmean(vals) if vals else NAN)
    return out


def read_bureausim(path):
    """bureausim's timeseries.csv as one list of rows (dicts) per replicate."""
    reps = {}
    with open(path, newline="") as f:
        for r in csv.DictReader(f):
            row = {m: (float(r[m]) if r[m] != "" else NAN) for m in TIMESERIES}
            reps.setdefault(int(r["replicate"]), []).append((int(r["year"]), row))
    return [[row for _, row in sorted(v, key=lambda x: x[0])] for _, v in sorted(reps.items())]


def compare(peer, bureausim, last):
    """Prints, for each timeseries metric, the mean and spread across
    replicates of its mean over the last `last` years, for the peer and for
    bureausim, with Welch's t statistic of the difference."""
    names = [m for m in TIMESERIES if m not in ("headcount",)]
    a = replicate_means(peer, names, last)
    b = replicate_means(bureausim, names, last)
    print(
        f"mean over the last {last} years, per replicate; across replicates "
        f"(peer n={len(peer)}, bureausim n={len(bureausim)}):"
    )
    print(f"  {'metric':28s} {'peer mean':>10s} {'sd':>8s} {'bureausim':>10s} {'sd':>8s} {'welch t':>8s}")
    for m in names:
        x = [v for v in a[m] if not math.isnan(v)]
        y = [v for v in b[m] if not math.isnan(v)]
        if len(x) < 2 or len(y) < 2:
            continue
        mx, my = statistics.fmean(x), statistics.fmean(y)
        sx, sy = statistics.stdev(x), statistics.stdev(y)
        se = math.sqrt(sx * sx / len(x) + sy * sy / len(y))
        t = (mx - my) / se if se > 0 else NAN
        print(f"  {m:28s} {mx:10.4f} {sx:8.4f} {my:10.4f} {sy:8.4f} {t:8.2f}")


def fmt(x):
    if isinstance(x, float):
        return "" if math.isnan(x) else repr(x)
    return str(x)


def arguments(description, compare_help):
    """The command line both peers take (this one and peter_mesa.py)."""
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--replicates", type=int, default=20)
    ap.add_argument("--years", type=int, default=1000)
    ap.add_argument("--rule", choices=RULES, default="best")
    ap.add_argument(
        "--hypothesis",
        choices=HYPOTHESES,
        default="redraw",
        help="competence on promotion: redraw (Peter) or carry_over (common sense)",
    )
    ap.add_argument("--best-probability", type=float, default=0.5)
    ap.add_argument(
        "--max-supersessions",
        type=int,
        default=MAX_SUPERSESSIONS,
        help="times an agent may be passed over for someone junior before it stops "
        "being a candidate at its level (0: no limit, as in the paper and the "
        "scenario; bureausim's default is 2)",
    )
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--csv", help="write the timeseries (replicate, year, ...) here")
    ap.add_argument("--grades-csv", help="write the per-level rows here")
    ap.add_argument(
        "--compare",
        metavar="TIMESERIES_CSV",
        help=compare_help,
    )
    ap.add_argument(
        "--last",
        type=int,
        default=None,
        help="years at the end over which to average efficiency (default: half)",
    )
    return ap


def main(argv=None):
    ap = arguments(
        "Benchmark peer of bureausim's classic Peter-principle "
        "model (Pluchino, Rapisarda & Garofalo 2010) in plain CPython.",
        "compare the peer's results with a bureausim timeseries.csv of the "
        "same scenario (means over the last years, across replicates)",
    )
    a = ap.parse_args(argv)

    t0 = time.perf_counter()
    results = [
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

    if a.csv:
        with open(a.csv, "w", newline="") as f:
            out = csv.writer(f)
            out.writerow(["replicate", "year"] + TIMESERIES)
            for r, rows in enumerate(results):
                for y, (row, _) in enumerate(rows):
                    out.writerow([r, y] + [fmt(v) for v in row])
    if a.grades_csv:
        with open(a.grades_csv, "w", newline="") as f:
            out = csv.writer(f)
            out.writerow(["replicate", "year", "grade"] + GRADES)
            for r, rows in enumerate(results):
                for y, (_, grades) in enumerate(rows):
                    for g, grow in enumerate(grades):
                        out.writerow([r, y, f"level_{g + 1}"] + [fmt(v) for v in grow])

    last = last_years(a)
    if a.compare:
        as_dicts = [[dict(zip(TIMESERIES, row)) for row, _ in rows] for rows in results]
        compare(as_dicts, read_bureausim(a.compare), last)
    k = TIMESERIES.index("efficiency")
    report(a, [[row[k] for row, _ in rows] for rows in results], sim_seconds, "")


def last_years(a):
    """The years at the end over which efficiency is averaged (--last)."""
    return a.last if a.last is not None else a.years // 2


def report(a, efficiency, sim_seconds, prefix):
    """What both peers print: the run's settings (after `prefix`), mean
    efficiency over the last years across replicates (`efficiency`: one
    list of yearly values per replicate) and, last on stderr, the
    simulation time per agent-step."""
    last = last_years(a)
    means = [statistics.fmean(e[len(e) - last :]) for e in efficiency]
    agent_steps = sum(POSTS) * a.years * a.replicates
    print(
        f"{prefix}rule={a.rule} hypothesis={a.hypothesis} replicates={a.replicates} "
        f"years={a.years} seed={a.seed}"
    )
    if means:
        sd = statistics.stdev(means) if len(means) > 1 else NAN
        print(
            f"efficiency over the last {last} years: mean {statistics.fmean(means):.3f}, "
            f"sd across replicates {sd:.3f}"
        )
    print(
        f"simulated in {sim_seconds:.3f} s: {agent_steps / sim_seconds:,.0f} agent-steps/s "
        f"({1e9 * sim_seconds / agent_steps:.0f} ns per agent-step)",
        file=sys.stderr,
    )

if __name__ == "__main__":
    main()
