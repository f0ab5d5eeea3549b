#!/usr/bin/env python3
"""Generate tests/apr/cases.json: random loan schedules with rates solved by numpy-financial.

The APR engine is checked against this independent implementation (tests/apr_cases.rs).
Run: pip install numpy-financial && python3 tests/apr/gen_cases.py
The seed is fixed, so the table only changes when this script does.
"""
import json
import math
import os
import random

import numpy_financial as npf

SEED = 20261128
REGULAR = 3000
IRREGULAR = 1000


def regular_case(rng):
    """A level-payment loan: solve the periodic rate from (nper, pmt, pv) with npf.rate."""
    nper = rng.choice([rng.randint(1, 60), rng.randint(1, 360)])
    # Rates from near zero to 20% a period; payments rounded to cents as lenders do.
    rate = math.exp(rng.uniform(math.log(1e-4), math.log(0.2)))
    pv = round(rng.uniform(100, 1_000_000), 2)
    pmt = round(-float(npf.pmt(rate, nper, pv)), 2)
    solved = float(npf.rate(nper, -pmt, pv, 0, guess=rate, maxiter=200, tol=1e-12))
    if not math.isfinite(solved) or solved <= 0:
        return None
    residual = pv - float(npf.pv(solved, nper, -pmt))
    if abs(residual) > 1e-6 * pv:
        return None
    return {"nper": nper, "pmt": pmt, "pv": pv, "rate": solved}


def irregular_case(rng):
    """One advance then uneven payments (some periods skipped): solve with npf.irr."""
    n = rng.randint(1, 48)
    advance = round(rng.uniform(100, 100_000), 2)
    target = math.exp(rng.uniform(math.log(1e-3), math.log(0.15)))
    weights = [rng.choice([0.0, 0.5, 1.0, 1.0, 2.0]) for _ in range(n)]
    weights[-1] = max(weights[-1], 1.0)
    # Scale the payments so the schedule's rate is near `target`.
    pv_weights = sum(w / (1 + target) ** (k + 1) for k, w in enumerate(weights))
    scale = advance / pv_weights
    payments = [round(w * scale, 2) for w in weights]
    flows = [-advance] + payments
    solved = float(npf.irr(flows))
    if not math.isfinite(solved) or solved <= 0:
        return None
    residual = sum(f / (1 + solved) ** k for k, f in enumerate(flows))
    if abs(residual) > 1e-6 * advance:
        return None
    return {"advance": advance, "payments": payments, "irr": solved}


def main():
    rng = random.Random(SEED)
    regular, irregular = [], []
    while len(regular) < REGULAR:
        case = regular_case(rng)
        if case:
            regular.append(case)
    while len(irregular) < IRREGULAR:
        case = irregular_case(rng)
        if case:
            irregular.append(case)
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "cases.json")
    with open(out, "w") as f:
        json.dump(
            {
                "generator": f"numpy-financial {npf.__version__}, seed {SEED}",
                "regular": regular,
                "irregular": irregular,
            },
            f,
            indent=0,
        )
        f.write("\n")


if __name__ == "__main__":
    main()
