"""Accuracy of the yearly demand forecast on every English LA's published number of children
looked after at 31 March (`data/dfe-published/cla-31-march-by-la-2010-2024.csv`), for
`make accuracy` (figures to read, never pass/fail; docs/accuracy.md keeps the latest output).

Every LA with a number in each year 2010-2024; forecast dates 31 March 2015 to 2023; horizons 1
to 3 years where the published numbers reach. On each date every series is cut there and given
to `forecast_plain_series` (what `forecast_demand --series` reports) as one file: only numbers
published by that date are used, and the pooled intervals pool only those.

    .venv/bin/python scripts/accuracy_published.py            # the product's method
    .venv/bin/python scripts/accuracy_published.py --before   # the candidates before December 2026
    .venv/bin/python scripts/accuracy_published.py --in-sample  # a quarter of five years on every date

The damped drift's share and span are chosen on each forecast date from the published numbers
known by then (`forecast_runs/demand/drift_setting.py`), so the reported figure is out of sample;
``--in-sample`` fixes them at a quarter of five years, the best of the grid over these same
dates, as reported until December 2026.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from forecast_runs.demand.drift_setting import drift_setting, fixed_setting  # noqa: E402
from forecast_runs.demand.forecast import forecast_plain_series  # noqa: E402
from forecast_runs.demand.intervals import coverage  # noqa: E402
from forecast_runs.demand.methods import LABELS  # noqa: E402
from forecast_runs.demand.series import ANNUAL, SeriesInputs  # noqa: E402

PUBLISHED = ROOT / "data" / "dfe-published" / "cla-31-march-by-la-2010-2024.csv"
YEARS = tuple(range(2010, 2025))
ORIGINS = tuple(range(2015, 2024))
HORIZONS = (1, 2, 3)
# What ``auto`` chose among for yearly counts before the damped drift (several minutes: AutoETS).
BEFORE = ("naive", "trend", "growth", "statistical", "combined")


def complete_series(path: Path = PUBLISHED) -> dict[str, np.ndarray]:
    """LA name -> the numbers of 2010-2024, for every LA with all fifteen ("-" is missing)."""
    frame = pd.read_csv(path, dtype=str)
    numbers = frame[[str(y) for y in YEARS]].apply(pd.to_numeric, errors="coerce")
    keep = numbers.notna().all(axis=1) & (numbers > 0).all(axis=1)
    return {
        str(name): numbers.loc[i].to_numpy(dtype=np.float64)
        for i, name in zip(frame.index[keep], frame.loc[keep, "la_name"], strict=True)
    }


def cut(series: dict[str, np.ndarray], origin: int) -> dict[str, SeriesInputs]:
    keep = YEARS.index(origin) + 1
    dates = tuple(date(y, 3, 31) for y in YEARS[:keep])
    return {name: SeriesInputs(name, dates, values[:keep], step=ANNUAL) for name, values in series.items()}


def scored(series: dict[str, np.ndarray], *, candidates: tuple[str, ...] | None = None) -> pd.DataFrame:
    """One row per LA, forecast date and horizon: forecast, interval, actual, error, method."""
    rows = []
    for origin in ORIGINS:
        result = forecast_plain_series(cut(series, origin), horizon=3, candidates=candidates)
        for s in result.series:
            for h in HORIZONS:
                target = origin + h
                if target > YEARS[-1]:
                    continue
                actual = float(series[s.name][YEARS.index(target)])
                rows.append((s.name, origin, h, s.mid[h - 1], s.p10[h - 1], s.p90[h - 1], actual, s.choice.method))
    frame = pd.DataFrame(rows, columns=["series", "origin", "horizon", "forecast", "p10", "p90", "actual", "method"])
    frame["ape"] = (frame["forecast"] - frame["actual"]).abs() / frame["actual"] * 100.0
    return frame


def no_change(series: dict[str, np.ndarray]) -> pd.DataFrame:
    """The number at each forecast date, scored the same way."""
    rows = [
        (name, origin, h, values[YEARS.index(origin)], float(values[YEARS.index(origin + h)]))
        for name, values in series.items()
        for origin in ORIGINS
        for h in HORIZONS
        if origin + h <= YEARS[-1]
    ]
    frame = pd.DataFrame(rows, columns=["series", "origin", "horizon", "forecast", "actual"])
    frame["ape"] = (frame["forecast"] - frame["actual"]).abs() / frame["actual"] * 100.0
    return frame


def by_horizon(frame: pd.DataFrame) -> dict[int, float]:
    return {int(h): float(v) for h, v in frame.groupby("horizon")["ape"].mean().items()}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--path", default=str(PUBLISHED))
    parser.add_argument("--before", action="store_true", help="the yearly candidates before the damped drift")
    parser.add_argument("--in-sample", action="store_true", help="a quarter of five years' change on every date")
    args = parser.parse_args(argv)
    if args.in_sample:
        with fixed_setting(0.25, 5):
            report(args)
    else:
        report(args)


def report(args: argparse.Namespace) -> None:
    series = complete_series(Path(args.path))
    print(
        f"\nPublished children looked after at 31 March, {len(series)} LAs with a number every year "
        f"{YEARS[0]}-{YEARS[-1]}; forecast dates 31 March {ORIGINS[0]} to {ORIGINS[-1]}"
    )
    reported = scored(series, candidates=BEFORE if args.before else None)
    naive = no_change(series)
    ours, flat = by_horizon(reported), by_horizon(naive)
    print("| MAPE % | 1 year | 2 years | 3 years |")
    print("|---|---|---|---|")
    which = "before: chosen among " + ", ".join(LABELS[m] for m in BEFORE) if args.before else "chosen per series"
    if args.in_sample:
        which += ", drift a quarter of five years on every date (in sample)"
    print(f"| reported ({which}) | " + " | ".join(f"{ours[h]:.2f}" for h in HORIZONS) + " |")
    print("| no change | " + " | ".join(f"{flat[h]:.2f}" for h in HORIZONS) + " |")
    print("| ratio reported / no change | " + " | ".join(f"{ours[h] / flat[h]:.3f}" for h in HORIZONS) + " |")
    cover = [coverage(reported[reported["horizon"] == h], "p10", "p90") for h in HORIZONS]
    print("| coverage of the 10-90% interval | " + " | ".join(f"{c:.0%}" for c in cover) + " |")
    worse = [h for h in HORIZONS if ours[h] > flat[h] + 1e-9]
    print(f"Horizons where the reported forecast is worse than no change: {', '.join(map(str, worse)) or 'none'}")
    chosen = reported[reported["horizon"] == 1]["method"].value_counts()
    if not args.before:
        settings = [drift_setting(date(o, 3, 31)) for o in ORIGINS]
        print(
            "Damped drift on each date: "
            + ", ".join(f"{o} {st.share:g} of {st.span} years" for o, st in zip(ORIGINS, settings, strict=True))
        )
    print("Methods chosen (LA and date): " + ", ".join(f"{LABELS.get(m, m)} {n}" for m, n in chosen.items()))


if __name__ == "__main__":
    main()
