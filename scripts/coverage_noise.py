"""How far from 80% an exactly calibrated 10-90% interval lands when it is scored the way
`scripts/accuracy.py` scores one placement type (figures to read; docs/accuracy.md).

A type's number is taken to move like a random walk (each month's change independent, of the
same spread), its forecast is no change, and its interval at h months is the exact 10% and 90%
points of the change, -/+ 1.2816 sqrt(h) months' spread: every interval covers 80% of
outcomes by construction. It is scored as a type is on the SSDA903 sample: forecast dates 6
months apart, 1 to 12 months ahead each, coverage over all of them and at 1 month. Dates 6 months
apart scored 12 months on share half their path, so their misses come in runs: a type's coverage
is that of a few independent draws, not of 72.

    .venv/bin/python scripts/coverage_noise.py
"""

from __future__ import annotations

import numpy as np

Z90 = 1.2815515655446004  # the 90% point of the normal distribution
STEP, HORIZONS, TRIALS = 6, 12, 20_000


def coverages(dates: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Coverage over 1-12 months and at 1 month of an exact interval, one per trial."""
    months = STEP * (dates - 1) + HORIZONS + 1
    paths = np.cumsum(rng.standard_normal((TRIALS, months)), axis=1)
    ahead = np.arange(1, HORIZONS + 1)
    inside = np.stack(
        [np.abs(paths[:, STEP * k + ahead] - paths[:, [STEP * k]]) <= Z90 * np.sqrt(ahead) for k in range(dates)],
        axis=1,
    )
    return inside.mean(axis=(1, 2)), inside[:, :, 0].mean(axis=1)


def main() -> None:
    rng = np.random.default_rng(2026)
    print(
        "| forecast dates | mean coverage | share of types inside 75-85% | mean distance from 80% "
        "| 10th-90th percentile | share at least 70% at 1 month |"
    )
    print("|---|---|---|---|---|---|")
    for dates in (4, 5, 6):
        overall, first = coverages(dates, rng)
        inside = float(((overall >= 0.75 - 1e-9) & (overall <= 0.85 + 1e-9)).mean())
        low, high = np.percentile(overall, [10, 90])
        print(
            f"| {dates} | {overall.mean():.1%} | {inside:.0%} | {np.abs(overall - 0.8).mean() * 100:.1f} points "
            f"| {low:.0%} to {high:.0%} | {(first >= 0.7 - 1e-9).mean():.0%} |"
        )


if __name__ == "__main__":
    main()
