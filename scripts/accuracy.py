"""Accuracy of the demand forecast on the SSDA903 sample committed with the tests, for
`make accuracy` (figures to read, never pass/fail; docs/accuracy.md keeps the latest output).

Forecast dates every 6 months from 30 September 2018 with at least 12 months of data after
each. Printed:

1. the old back-test, which cuts back the already-cleaned register (the engine's `backtest`);
2. the honest replay: at each date the raw returns as they stood then, cleaned again under each
   rule for open episodes missing from a later return, every method, scored against what the
   full returns say happened;
3. the reported forecast: what the product would have said on each date, with the rule and
   methods chosen by its own back-test (on the data of that date only) and intervals
   calibrated from it; and no change from the same replayed inputs.

    .venv/bin/python scripts/accuracy.py
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from datetime import date
from functools import partial
from pathlib import Path

import django
import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
# The demo county's register is built by the placements app (pure, but its module loads models):
# Django is set up without touching a database.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from forecast_runs.demand.backtest import backtest  # noqa: E402
from forecast_runs.demand.forecast import DemandResult, forecast_returns  # noqa: E402
from forecast_runs.demand.intervals import calibrated_interval, coverage  # noqa: E402
from forecast_runs.demand.methods import LABELS, METHODS  # noqa: E402
from forecast_runs.demand.register_replay import (  # noqa: E402
    replay_register,
    reported_records,
    reported_total_records,
)
from forecast_runs.demand.replay import RULES, TRUTH_RULE, Replayer  # noqa: E402
from forecast_runs.demand.reported import reported_sums, reported_total  # noqa: E402
from forecast_runs.demand.selection import RULE_WORDS  # noqa: E402
from forecast_runs.demand.series import TOTAL, add_months, month_end, register_from_placements, types_frame  # noqa: E402
from forecasting.engine import backtest as old  # noqa: E402
from forecasting.engine.calendar import FinancialYear  # noqa: E402
from forecasting.engine.placement_types import DEFAULT_PLACEMENT_TYPES  # noqa: E402
from forecasting.engine.synthetic import large_county_inputs  # noqa: E402
from placements.demo import demo_register  # noqa: E402
from placements.ssda903 import default_mapping, read_903_files  # noqa: E402

SAMPLE = ROOT / "tests" / "placements" / "fixtures" / "ssda903-sample"
FIRST_ORIGIN = date(2018, 9, 30)
SHOWN = (1, 3, 6, 12, 24)
OLD_METHODS = {"net_change": "naive"}  # the engine's name for no change
# The demo county as `seed_demo` builds it for a fixed year (its default is the last whole month
# before today, which would move the figures), and the large synthetic county.
DEMO_YEAR, DEMO_PERIOD = "2024/25", 12
REGISTER_DATES = 6  # forecast dates every 6 months back from 12 months before the register's end


# What the pages call each series: the placement types' names, and the total as the dashboard has it.
TYPE_NAMES = {code: name for code, name, _after_18 in DEFAULT_PLACEMENT_TYPES} | {TOTAL: "All children"}


def named(code: str) -> str:
    """A series in the councils' words: fostering_ifa -> Independent fostering agency."""
    return TYPE_NAMES.get(code, code)


def chosen_words(methods: Mapping[str, str]) -> str:
    """Each series and its method in words, the total first: "All children: steady percentage change; ..."."""
    order = sorted(methods, key=lambda n: (n != TOTAL, named(n)))
    return "; ".join(f"{named(n)}: {LABELS[methods[n]]}" for n in order)


def total_way(scaled_to: str | None) -> str:
    """How a run reports the total, in words."""
    return f"scaled to {LABELS[scaled_to]}" if scaled_to else "the plain sum"


def origins(data_end: date) -> list[date]:
    """Every 6 months from FIRST_ORIGIN while 12 months of data follow."""
    out, day = [], FIRST_ORIGIN
    while month_end(add_months(day, 12)) <= data_end:
        out.append(day)
        day = month_end(add_months(day, 6))
    return out


def table(rows: Mapping[str, Mapping[int, float]], title: str) -> None:
    print(f"\n{title}")
    print(f"| {'method (MAPE %, total)':<44} | " + " | ".join(f"{h:>3} m" for h in SHOWN) + " |")
    print(f"|{'-' * 46}|" + "|".join("-------" for _ in SHOWN) + "|")
    for name, by_h in rows.items():
        if not by_h:
            continue  # a method this kind of series does not have (drift is for yearly counts)
        cells = " | ".join(f"{by_h[h]:5.1f}" if h in by_h else "    -" for h in SHOWN)
        print(f"| {name:<44} | {cells} |")


def mape_by_horizon(records: pd.DataFrame) -> dict[int, float]:
    scored = records[records["ape"].notna()]
    return {int(h): float(v) for h, v in scored.groupby("horizon")["ape"].mean().items()}


def old_backtest(replayer: Replayer, dates: Sequence[date], truth: Mapping[str, pd.Series]) -> None:
    """The engine's back-test: the register cleaned with full knowledge, cut back at each date.
    Its per-type forecasts are added up for the total."""
    cleaned = replayer.clean(replayer.data_end, TRUTH_RULE).placements
    register = register_from_placements(cleaned)
    types = types_frame(sorted(set(register["placement_type"])))
    result = old.backtest(register, types, origins=list(dates), actuals_up_to=replayer.data_end, horizon=12)
    f = result.forecasts
    total = f.groupby(["method", "origin", "horizon", "target_date"], as_index=False)["forecast"].sum()
    total["actual"] = [float(truth[TOTAL].get(d, np.nan)) for d in total["target_date"]]
    total["ape"] = (total["forecast"] - total["actual"]).abs() / total["actual"] * 100.0
    rows = {
        f"{LABELS[OLD_METHODS.get(m, m)]} (old back-test)": mape_by_horizon(part) for m, part in total.groupby("method")
    }
    table(rows, "Before: the old back-test (the cleaned register cut back), total of the types")
    stat = f[f["method"] == "statistical"].rename(columns={"placement_type": "series"})
    print(
        f"\nOld back-test, statistical 10-90% band by type: covers {coverage(stat, 'p10_raw', 'p90_raw'):.0%} "
        f"over all horizons, {coverage(stat[stat['horizon'] == 1], 'p10_raw', 'p90_raw'):.0%} at 1 month"
    )
    print("(no interval on the total)")


def honest_replay(replayer: Replayer, dates: Sequence[date], truth: Mapping[str, pd.Series]) -> dict[str, pd.DataFrame]:
    """Every method under every rule from the replayed returns, scored against the full data."""
    records = {}
    for rule in RULES:
        records[rule] = backtest(partial(replayer.inputs, rule=rule), truth, dates, horizon=24)
        total = records[rule][records[rule]["series"] == TOTAL]
        rows = {LABELS[m]: mape_by_horizon(total[total["method"] == m]) for m in METHODS}
        table(rows, f"Replay, open episodes missing from a later return {RULE_WORDS[rule]}")
    print("\nStarting level on each forecast date (total children, replayed against the full returns):")
    print("| date | full returns | " + " | ".join(RULE_WORDS[r] for r in RULES) + " |")
    for d in dates:
        levels = [
            f"{replayer.inputs(d, rule)[TOTAL].values[-1]:.0f} ({len(replayer.clean(d, rule).stale_open)})"
            for rule in RULES
        ]
        print(f"| {d} | {truth[TOTAL].get(d, np.nan):.0f} | " + " | ".join(levels) + " |")
    print(
        "(in brackets: open episodes missing from a later return, listed for the officer; "
        f"on the full returns: {len(replayer.clean(replayer.data_end, TRUTH_RULE).stale_open)})"
    )
    return records


def reported(
    replayer: Replayer, dates: Sequence[date], truth: Mapping[str, pd.Series], replay: Mapping[str, pd.DataFrame]
) -> None:
    """What the product would have reported on each date, scored against the full data."""
    parts, naive_parts, results = [], [], []
    for d in dates:
        result = forecast_returns(replayer, d, horizon=24)
        results.append(result)
        parts.append(scored(result, truth))
        same = replay[result.rule]
        naive_parts.append(same[(same["origin"] == d) & (same["method"] == "naive")])
        chosen = chosen_words({s.name: s.choice.method for s in result.series})
        print(f"\n{d}: open episodes missing from a later return {result.rule_reason}\n  {chosen}")
    records = pd.concat(parts, ignore_index=True)
    naive = pd.concat(naive_parts, ignore_index=True)
    total = records[records["series"] == TOTAL]
    table(
        {
            "reported (chosen rule, chosen method)": mape_by_horizon(total),
            "no change (same replayed inputs)": mape_by_horizon(naive[naive["series"] == TOTAL]),
        },
        "After: the reported forecast against no change",
    )
    statistical = replay[TRUTH_RULE][replay[TRUTH_RULE]["method"] == "statistical"]
    ours, flat = mape_by_horizon(total), mape_by_horizon(naive[naive["series"] == TOTAL])
    worse = [h for h in range(1, 13) if h in ours and h in flat and ours[h] > flat[h] + 1e-9]
    print(f"Horizons 1-12 where the reported total is worse than no change: {', '.join(map(str, worse)) or 'none'}")
    intervals_table(records, statistical)
    summed = pd.concat([as_a_run_shows(r, replay[r.rule], replayer) for r in results], ignore_index=True)
    ways = ", ".join(f"{o} {w}" for o, w in summed.groupby("origin", sort=True)["scaled_to"].first().items())
    print(
        f"\nHow a run reports the total on each date (the sum of the chosen forecasts, or scaled to one method): {ways}"
        "\nThe total a run shows (interval calibrated for it): MAPE "
        + " / ".join(f"{mape_by_horizon(summed).get(h, np.nan):.1f}" for h in SHOWN[:4])
        + f" at {' / '.join(str(h) for h in SHOWN[:4])} months; coverage "
        + _shares(summed, "p10", "p90")
    )
    shown = mape_by_horizon(summed)
    behind = [h for h in range(1, 13) if h in shown and h in flat and shown[h] > flat[h] + 1e-9]
    print(f"Horizons 1-12 where the total a run shows is worse than no change: {', '.join(map(str, behind)) or 'none'}")


def as_a_run_shows(result: DemandResult, replayed: pd.DataFrame, replayer: Replayer) -> pd.DataFrame:
    """What a run would report as its number of children on ``result.as_at``: each type's chosen
    forecast added up, scaled where the date's own back-test chose to (``reported_total``), scored
    against the full data (``replayed``: every method's forecast of every type made on that date
    from the returns as they stood, under the date's rule), with the interval calibrated for it in
    the date's own back-test."""
    methods = {s.name: s.choice.method for s in result.series if s.name != TOTAL}
    counted = {name: method for name, method in methods.items() if method != "zero"}
    levels = {name: float(s.values[-1]) for name, s in replayer.inputs(result.as_at, result.rule).items()}
    how = reported_total(result.backtest, counted, {TOTAL: list(counted)}, levels)
    rows = reported_sums(replayed[replayed["origin"] == result.as_at], counted, {TOTAL: list(counted)}, how.scaled_to)
    rows = rows[rows["actual"].notna()].sort_values("horizon").reset_index(drop=True)
    band = calibrated_interval(rows["forecast"].to_numpy(dtype=np.float64), TOTAL, how.calibration)
    rows["p10"], rows["p90"] = band if band is not None and not how.rows.empty else (np.nan, np.nan)
    rows["scaled_to"] = total_way(how.scaled_to)
    return rows


def scored(result: DemandResult, truth: Mapping[str, pd.Series]) -> pd.DataFrame:
    frames = []
    for s in result.series:
        actual = truth.get(s.name, pd.Series(dtype=float)).reindex(s.dates)
        known = actual.notna().to_numpy()
        frame = pd.DataFrame(
            {
                "series": s.name,
                "origin": result.as_at,
                "horizon": np.arange(1, len(s.dates) + 1),
                "forecast": s.mid,
                "p10": s.p10,
                "p90": s.p90,
                "p10_model": s.model_p10 if s.model_p10 is not None else np.nan,
                "p90_model": s.model_p90 if s.model_p90 is not None else np.nan,
                "actual": actual.to_numpy(dtype=np.float64),
            }
        )[known]
        error = (frame["forecast"] - frame["actual"]).abs() / frame["actual"] * 100.0
        frame["ape"] = error.where(frame["actual"] > 0)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def intervals_table(records: pd.DataFrame, statistical: pd.DataFrame) -> None:
    """Coverage by type and in total. Before: the statistical model's own band, as the product
    showed it (the replay with today's cleaning); after: the reported forecast's calibrated
    interval (and, in brackets, the model's own band where the chosen method has one)."""
    print("\nCoverage of the 10-90% interval (80% claimed), over 1-12 months and at 1 month")
    print("| series | before: statistical's own band | after: calibrated (model's band) | after, 13-24 months |")
    print("|---|---|---|---|")
    before_types = statistical[statistical["series"] != TOTAL]
    after_types = records[records["series"] != TOTAL]
    pairs = [(n, statistical[statistical["series"] == n], part) for n, part in records.groupby("series")]
    for name, before, after in [*pairs, ("all types", before_types, after_types)]:
        first, later = after[after["horizon"] <= 12], after[after["horizon"] > 12]
        print(
            f"| {named(name)} | {_shares(before, 'p10_model', 'p90_model')} | {_shares(first, 'p10', 'p90')} "
            f"({_shares(first, 'p10_model', 'p90_model')}) | {_share(later, 'p10', 'p90')} |"
        )


def _share(part: pd.DataFrame, low: str, high: str) -> str:
    value = coverage(part, low, high)
    return "-" if np.isnan(value) else f"{value:.0%}"


def _shares(part: pd.DataFrame, low: str, high: str) -> str:
    first = part[part["horizon"] <= 12]
    return f"{_share(first, low, high)} / {_share(first[first['horizon'] == 1], low, high)}"


def latest(replayer: Replayer) -> None:
    """What the product says today, as at the latest date the returns cover."""
    result = forecast_returns(replayer, replayer.data_end, horizon=24)
    print(f"\nAs at {replayer.data_end}: open episodes missing from a later return {result.rule_reason}")
    for s in result.series:
        print(f"  {named(s.name)}: {s.choice.reason}")
    print(f"  {len(result.stale_open)} children listed for the officer")


def register_dates(first: date, data_end: date) -> list[date]:
    """Every 6 months back from 12 months before ``data_end``, at most ``REGISTER_DATES``, each
    with two years of register before it (the product's back-test looks back two years)."""
    out = [month_end(add_months(data_end, -12 - 6 * k)) for k in range(REGISTER_DATES)]
    return sorted(d for d in out if d >= month_end(add_months(first, 24)))


def register_accuracy(name: str, register: pd.DataFrame, types: pd.DataFrame, data_end: date) -> None:
    """The reported forecast replayed on a register cut at each date, against no change."""
    first = pd.Timestamp(register["start_date"].min()).date()
    dates = register_dates(max(first, date(data_end.year - 5, data_end.month, 1)), data_end)
    records, choices = replay_register(register, types, dates, data_end=data_end)
    chosen = reported_records(records, choices)
    total, naive = (
        chosen[chosen["series"] == TOTAL],
        records[(records["series"] == TOTAL) & (records["method"] == "naive")],
    )
    print(f"\n{name}: forecast dates {', '.join(map(str, dates))}; register to {data_end}")
    for d, c in choices.items():
        print(f"  {d}: " + chosen_words({n: x.method for n, x in c.choices.items()}))
    table(
        {
            "reported (chosen method, own series)": mape_by_horizon(total),
            "no change": mape_by_horizon(naive),
            **{
                f"{LABELS[m]} (sum of the types)": mape_by_horizon(
                    records[(records["series"] == TOTAL) & (records["method"] == m)]
                )
                for m in METHODS
                if m != "naive"
            },
        },
        f"{name}: the reported forecast against each method",
    )
    ours, flat = mape_by_horizon(total), mape_by_horizon(naive)
    worse = [h for h in range(1, 13) if h in ours and h in flat and ours[h] > flat[h] + 1e-9]
    print(f"Horizons 1-12 where the reported total is worse than no change: {', '.join(map(str, worse)) or 'none'}")
    types_part = chosen[chosen["series"] != TOTAL]
    print(
        f"Coverage of the calibrated 10-90% interval, 1-12 months / 1 month: total {_shares(total, 'p10', 'p90')}, "
        f"all types {_shares(types_part, 'p10', 'p90')}"
    )
    summed = reported_total_records(records, choices)
    register_coverage(chosen, summed)
    print("How a run reports the total: " + ", ".join(f"{d} {total_way(c.scaled_to)}" for d, c in choices.items()))
    print(
        "The total a run shows (the chosen forecasts added up, scaled where chosen): MAPE "
        + " / ".join(f"{mape_by_horizon(summed).get(h, np.nan):.1f}" for h in SHOWN[:4])
        + f" at {' / '.join(str(h) for h in SHOWN[:4])} months; coverage of its calibrated interval "
        + _shares(summed, "p10", "p90")
    )


def register_coverage(chosen: pd.DataFrame, summed: pd.DataFrame) -> None:
    """Coverage of the calibrated interval by type, for every type together, for the total's
    own forecast and for the total a run shows, over 1-12 months and at 1 month."""
    print("| series | 1-12 months / 1 month |")
    print("|---|---|")
    types_part = chosen[chosen["series"] != TOTAL]
    for name, part in sorted(types_part.groupby("series"), key=lambda pair: named(str(pair[0]))):
        print(f"| {named(str(name))} | {_shares(part, 'p10', 'p90')} |")
    print(f"| all types | {_shares(types_part, 'p10', 'p90')} |")
    print(f"| All children (own forecast) | {_shares(chosen[chosen['series'] == TOTAL], 'p10', 'p90')} |")
    print(f"| the total a run shows | {_shares(summed, 'p10', 'p90')} |")


def registers() -> None:
    demo = demo_register(year_label=DEMO_YEAR, period=DEMO_PERIOD)
    year = FinancialYear.from_label(DEMO_YEAR)
    demo_types = types_frame(sorted({str(t) for t in demo["placement_type"]}))
    register_accuracy(
        f"Demo county ({DEMO_YEAR}, period {DEMO_PERIOD})", demo, demo_types, year.as_at_date(DEMO_PERIOD)
    )
    large = large_county_inputs(seed=1)
    register_accuracy(
        "Large synthetic county (seed 1)",
        large.placements,
        large.placement_types,
        large.year.as_at_date(large.as_at_period),
    )


def main() -> None:
    files = read_903_files(sorted(SAMPLE.glob("*.csv")))
    replayer = Replayer(files, mapping=default_mapping(), types=types_frame([]))
    dates = origins(replayer.data_end)
    truth = replayer.truth(replayer.data_end)
    print(
        f"SSDA903 sample ({len(files.files)} files, one authority), returns {replayer.first_year}/"
        f"{(replayer.first_year + 1) % 100:02d} to {replayer.data_end}; forecast dates {', '.join(map(str, dates))}"
    )
    old_backtest(replayer, dates, truth)
    replay = honest_replay(replayer, dates, truth)
    reported(replayer, dates, truth, replay)
    latest(replayer)
    registers()


if __name__ == "__main__":
    main()
