#!/usr/bin/env python3
"""Compares two `bureausim validate` reports, check by check.

Used by docs/engines.md to judge the staggered engine against the monthly
one (issue 17, item 4): for every check of parts A and B it prints both
verdicts and both effects with their 95% intervals, whether each effect
lies inside the other's interval, and whether the two effects are
consistent: their difference within its own 95% interval,
|m1 - m2| < 1.96 * sqrt(se1^2 + se2^2), each se read from its interval's
half-width / 1.96 (a test that two runs of the same model on different
random numbers pass 95% of the time; "inside each other's interval"
holds only about 83% of the time for them). Standard library only.

    bureausim validate --set sim.engine=monthly --out /tmp/monthly.md
    python3 scripts/engine_check.py /tmp/monthly.md docs/validation.md

Exit status 1 when a verdict differs or an effect lies outside the other's
interval, so that the comparison can gate a change of the default engine.
"""
import re
import sys

NUM = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?"
EFFECT = re.compile(rf"^({NUM}) \[({NUM}), ({NUM})\]$")


def checks(path):
    """(part, key) -> (mean, lo, hi, verdict) for every row with an effect."""
    out = {}
    part = None
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("## "):
                part = line[3:4]
            if part not in ("A", "B") or not line.startswith("| "):
                continue
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            effect = next((c for c in cells if EFFECT.match(c)), None)
            if effect is None:
                continue
            m = EFFECT.match(effect)
            mean, lo, hi = (float(m.group(i)) for i in (1, 2, 3))
            verdict = cells[-1]
            # Part A is keyed by its finding, source and comparison, part B
            # by scenario, outcome and years.
            key = " | ".join(cells[:3])
            out[(part, key)] = (mean, lo, hi, verdict)
    return out


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    a, b = checks(sys.argv[1]), checks(sys.argv[2])
    if set(a) != set(b):
        print("the reports do not hold the same checks:")
        for k in sorted(set(a) ^ set(b)):
            print("  ", k)
        sys.exit(1)
    bad = 0
    same_verdict = inside = consistent = 0
    for k in a:
        (m1, l1, h1, v1), (m2, l2, h2, v2) = a[k], b[k]
        ok_v = v1 == v2
        ok_i = l1 <= m2 <= h1 and l2 <= m1 <= h2
        se = (((h1 - l1) / 2 / 1.96) ** 2 + ((h2 - l2) / 2 / 1.96) ** 2) ** 0.5
        ok_c = abs(m1 - m2) <= 1.96 * se
        same_verdict += ok_v
        inside += ok_i
        consistent += ok_c
        if not (ok_v and ok_i):
            bad += 1
            short = k[1][:90]
            print(f"{k[0]} {short}")
            print(f"   first  {m1:+.4g} [{l1:+.4g}, {h1:+.4g}] {v1}")
            print(f"   second {m2:+.4g} [{l2:+.4g}, {h2:+.4g}] {v2}"
                  + ("" if ok_c else "   (difference beyond chance)"))
    n = len(a)
    print(f"{n} checks: {same_verdict} with the same verdict, "
          f"{inside} with each effect inside the other's interval, "
          f"{consistent} with a difference within chance")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
