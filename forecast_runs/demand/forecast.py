"""The demand forecast the product reports: back-test, choose, calibrate, forecast.

``forecast_returns`` does it from SSDA903 returns as at a date (only what was known then: the
back-test replays earlier dates from the raw returns cut at the as-at date), choosing rule 8 and
each series' method from that back-test. ``forecast_plain_series`` does the same for an
analyst's series of counts, back-testing on the series itself. ``forecast_demand`` and
``scripts/accuracy.py`` both use these, so the analyst's figures are the product's.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from forecast_runs.demand.backtest import backtest, backtest_origins, empty_records, mape_table
from forecast_runs.demand.intervals import Calibration, calibrate, calibrated_interval, short_series_interval
from forecast_runs.demand.methods import ANNUAL_AUTO, LABELS, forecast_paths, methods_for
from forecast_runs.demand.parallel import balanced, side_by_side
from forecast_runs.demand.replay import REPLAY_HORIZON, RULES, TRUTH_RULE, Replayer, series_truth
from forecast_runs.demand.return_years import settled_until
from forecast_runs.demand.selection import RULE_WORDS, TIE_ORDER, Choice, choose_method, choose_stale_rule
from forecast_runs.demand.series import ANNUAL, MONTHLY, TOTAL, FloatArray, SeriesInputs
from forecasting.engine.demand import MIN_POINTS_ETS, load_statistical_library

# Back-test dates: every other month-end, or every year. Every other month gives the choice of
# method twice the evidence of quarter-ends (on the SSDA903 sample, 12.9% at 6 months instead of
# 14.8%) for twice the cleaning; every month gave a little more accuracy but less honest
# intervals (neighbouring dates' errors are nearly the same error counted twice).
ORIGIN_EVERY = {MONTHLY: 2, ANNUAL: 1}
# Importing the statistical library in the units of ``Replayer.replay_side_by_side``: measured
# on 100,000 episodes, 1.0 s while a unit of the past dates' cleaning cost 1.2 microseconds.
LIBRARY_IMPORT_COST = 900_000
DEFAULT_HORIZON = {MONTHLY: 12, ANNUAL: 3}  # an analyst's series (DATA_FORMATS.md)
OUTPUT_COLUMNS = ["series", "date", "p10", "mid", "p90", "method"]


@dataclass(frozen=True, eq=False)
class SeriesForecast:
    """One series' reported forecast: the chosen method's path, its calibrated 10-90% interval
    (NaN where there is none) and the model's own band where it has one."""

    name: str
    dates: list[date]
    mid: FloatArray
    p10: FloatArray
    p90: FloatArray
    choice: Choice
    model_p10: FloatArray | None = None
    model_p90: FloatArray | None = None


@dataclass(frozen=True, eq=False)
class DemandResult:
    as_at: date
    series: list[SeriesForecast]
    backtest: pd.DataFrame  # the records of the back-test the choices were made on
    calibration: Calibration
    rule: str = RULES[0]
    rule_reason: str = ""
    stale_open: pd.DataFrame = field(default_factory=pd.DataFrame)
    issues: pd.DataFrame = field(default_factory=pd.DataFrame)

    def frame(self) -> pd.DataFrame:
        """The ``forecast_demand`` output: series, date, p10, mid, p90, method."""
        parts = [
            pd.DataFrame(
                {
                    "series": s.name,
                    "date": s.dates,
                    "p10": s.p10,
                    "mid": s.mid,
                    "p90": s.p90,
                    "method": s.choice.method,
                }
            )
            for s in self.series
        ]
        return pd.concat(parts, ignore_index=True)[OUTPUT_COLUMNS] if parts else pd.DataFrame(columns=OUTPUT_COLUMNS)


def forecast_series(
    inputs: Mapping[str, SeriesInputs],
    records: pd.DataFrame,
    *,
    horizon: int,
    method: str = "auto",
    levels: Mapping[str, float] | None = None,
) -> tuple[list[SeriesForecast], Calibration]:
    """Each series' forecast ``horizon`` dates on with the method its back-test ``records``
    choose (or ``method``), and the interval calibrated from the same records."""
    scores = mape_table(records)
    choices = {
        name: choose_method(
            scores[scores["series"] == name],
            length=series.length(),
            step=series.step,
            only=None if method == "auto" else method,
        )
        for name, series in inputs.items()
    }
    calibration = calibrate(
        records, {n: c.method for n, c in choices.items()}, levels=levels, totals=(TOTAL,), in_children_at_none=True
    )
    out = []
    for name, series in inputs.items():
        choice = choices[name]
        if choice.method not in ("zero", *methods_for(series)):
            raise ValueError(f"the series {name} cannot be forecast with the {LABELS[choice.method]} method")
        out.append(_one_forecast(series, choice, calibration, horizon))
    return out, calibration


def _one_forecast(series: SeriesInputs, choice: Choice, calibration: Calibration, horizon: int) -> SeriesForecast:
    dates = series.future_dates(horizon)
    nan = np.full(horizon, np.nan)
    if choice.method == "zero":
        return SeriesForecast(series.name, dates, np.zeros(horizon), nan, nan, choice)
    path = forecast_paths(series, horizon, [choice.method])[choice.method]
    band = calibrated_interval(path.mid, series.name, calibration) if not choice.too_short else None
    if band is None:
        band = short_series_interval(series.values, path.mid)
        if not choice.too_short:
            choice = Choice(
                choice.method,
                choice.reason + "; too few back-test errors to calibrate, so the "
                "interval is the wide one of a short series",
                choice.average,
                choice.too_short,
            )
    return SeriesForecast(series.name, dates, path.mid, band[0], band[1], choice, path.p10, path.p90)


def forecast_returns(
    replayer: Replayer,
    as_at: date,
    *,
    horizon: int = 24,
    method: str = "auto",
    rules: tuple[str, ...] = RULES,
    workers: int = 1,
    back_test: bool = True,
) -> DemandResult:
    """The product's forecast from the SSDA903 returns as they stood on ``as_at``: a back-test on
    every other month-end before it (raw returns cut at each, cleaned again, scored against what the
    returns known on ``as_at`` say happened) under each rule 8, the rule and each series'
    method chosen by it, intervals calibrated from it. ``workers`` > 1 shares the past dates
    among that many processes (``side_by_side``): the same result, sooner. ``back_test=False``
    forecasts with ``method`` from the returns cleaned once (``forecast_unchecked``), under the
    rule in ``rules`` if it holds one, else the rule kept when the evidence is even."""
    if not back_test:
        rule = rules[0] if len(rules) == 1 else TIE_ORDER[0]
        how = "asked for" if len(rules) == 1 else "not checked: no back-test"
        inputs = replayer.inputs(as_at, rule, horizon)
        series = forecast_unchecked(inputs, horizon=horizon, method=method)
        cleaned = replayer.clean(as_at, rule)
        reason = f"{RULE_WORDS[rule]} ({how})"
        return DemandResult(
            as_at, series, empty_records(), Calibration({}), rule, reason, cleaned.stale_open, cleaned.issues
        )
    replayed = replay_backtest(replayer, as_at, method=method, rules=rules, workers=workers)
    rule, why, records = replayed.rule, replayed.rule_reason, replayed.records
    inputs = replayer.inputs(as_at, rule, horizon)
    levels = {name: float(s.values[-1]) for name, s in inputs.items() if len(s.values)}
    series, calibration = forecast_series(inputs, records, horizon=horizon, method=method, levels=levels)
    cleaned = replayer.clean(as_at, rule)
    return DemandResult(as_at, series, records, calibration, rule, why, cleaned.stale_open, cleaned.issues)


def forecast_unchecked(inputs: Mapping[str, SeriesInputs], *, horizon: int, method: str) -> list[SeriesForecast]:
    """Each series' forecast by ``method`` with no back-test behind it (``forecast_demand
    --no-back-test``): nothing was scored, so nothing is chosen or calibrated, and every number
    gets the wide interval of a series too short to back-test (its own largest monthly move,
    grown with the square root of the horizon), and says so."""
    if method == "auto":
        raise ValueError("the back-test is what chooses a method: without it, name the method")
    out = []
    for name, series in inputs.items():
        if series.length() == 0:
            choice = Choice("zero", "zero: there are no placements of this type")
        elif method not in methods_for(series):
            raise ValueError(f"the series {name} cannot be forecast with the {LABELS[method]} method")
        else:
            move = "monthly" if series.step == MONTHLY else "yearly"
            reason = (
                f"{LABELS[method]} (asked for), not back-tested: the interval is the wide one of a series "
                f"with no back-test, from its own largest {move} move"
            )
            choice = Choice(method, reason, None, True)
        out.append(_one_forecast(series, choice, Calibration({}), horizon))
    return out


@dataclass(frozen=True, eq=False)
class ReplayedBacktest:
    """The back-test of the returns as they stood on a date: rule 8's choice and why, the
    forecast dates, and one record per series, method, date and horizon."""

    rule: str
    rule_reason: str
    origins: list[date]
    records: pd.DataFrame


def replay_backtest(
    replayer: Replayer, as_at: date, *, method: str = "auto", rules: tuple[str, ...] = RULES, workers: int = 1
) -> ReplayedBacktest:
    """Every other month-end before ``as_at``: the raw returns cut at each, cleaned again, forecast by
    every method (or ``method``) and scored against what the returns known on ``as_at`` say
    happened, under rule 8 as chosen by how the earlier dates compare with later returns (with
    a single rule in ``rules``, that rule: the others are never cleaned). ``workers`` > 1
    replays the dates and forecasts from them in that many processes."""
    fits = method in ("auto", "statistical")
    if workers > 1:
        # The as-at date's cleanings, the dates rule 8 is judged on and, with one rule, every date
        # the back-test will read, shared out at once. The dates are those the month-ends give
        # before any cleaning; any the cleaning does not bear out is only cleaned for nothing.
        # Where models will be fitted, this process imports their library meanwhile, once.
        ahead = backtest_origins(replayer.month_ends(as_at), every=ORIGIN_EVERY[MONTHLY])
        judged = ahead if len(rules) == 1 else [d for d in ahead if d <= settled_until(as_at)]
        keys = [(as_at, TRUTH_RULE), *[(as_at, r) for r in rules], *[(d, r) for d in judged for r in rules]]
        load = load_statistical_library if fits else None
        replayer.replay_side_by_side(keys, workers, also_here=load, also_cost=LIBRARY_IMPORT_COST)
    dates = list(replayer.truth(as_at)[TOTAL].index)
    origins = backtest_origins(dates, every=ORIGIN_EVERY[MONTHLY])
    rule, why = choose_stale_rule(replayer.starting_levels(origins, as_at, rules))
    if len(rules) == 1:  # asked for: the same measure is shown, without a choice to make
        why = why.replace(f"{RULE_WORDS[rule]}:", f"{RULE_WORDS[rule]} (asked for):", 1)
    # What happened is what the returns known on the as-at date say, read with the rule just
    # chosen: it was chosen because later returns bear it out (on the sample the import's own
    # rule ends children that later returns still show in care), and it is chosen before any
    # method is scored, so the yardstick does not bend to suit a method.
    truth = replayer.truth(as_at, rule)
    methods = None if method == "auto" else _scored_with(method)
    inputs_at = _inputs_at(replayer, rule)

    def some_origins(run: list[date]) -> pd.DataFrame:
        return backtest(inputs_at, truth, run, horizon=REPLAY_HORIZON, methods=methods)

    # The origins in turn, or shared among processes, give the same records (each origin's are
    # its own), so the statistical fits share the cores too. They are nearly all the cost where
    # there are any: as many months as the model learns from, from the first origin with enough
    # months for it (before that, a few ms).
    months = [dates.index(origin) + 1 for origin in origins]
    fit_cost = [float(m) if fits and m >= MIN_POINTS_ETS else 1.0 for m in months]
    # An origin not yet cleaned under the rule (after the years rule 8 is judged on) is cleaned
    # by whichever process takes it: measured, about a third of the latest origin's fits, or
    # ten times the quick methods' forecasts of an origin.
    cleaning = max(fit_cost) / 3 if fits else 10.0
    cost = [c + (0.0 if replayer.has_inputs(o, rule) else cleaning) for c, o in zip(fit_cost, origins, strict=True)]
    # The origins need no neighbours (each is cleaned already, or near one that is): they are
    # shared out by cost alone, and their records put back in the order of the origins.
    runs = [[origins[i] for i in run] for run in balanced(cost, workers)]
    if len(runs) > 1 and fits:
        load_statistical_library()  # once, here, not again in each process
    parts = [p for p in side_by_side(some_origins, runs) if len(p)]
    if len(parts) > 1:
        records = pd.concat(parts, ignore_index=True).sort_values("origin", kind="stable", ignore_index=True)
    else:
        records = parts[0] if parts else empty_records()
    return ReplayedBacktest(rule, why, origins, records)


def _scored_with(method: str) -> set[str]:
    """The methods a back-test of one method asked for scores: that method and no change, the
    yardstick its choice is read against and without which its errors are not read at all."""
    return {method, "naive"}


def _inputs_at(replayer: Replayer, rule: str) -> Callable[[date], Mapping[str, SeriesInputs]]:
    return lambda origin: replayer.inputs(origin, rule)


def forecast_plain_series(
    inputs: Mapping[str, SeriesInputs],
    *,
    horizon: int | None = None,
    method: str = "auto",
    candidates: Collection[str] | None = None,
    back_test: bool = True,
) -> DemandResult:
    """An analyst's series, back-tested on themselves: each cut at past dates, forecast, scored
    against its own later numbers. Monthly and yearly series are calibrated apart (a ratio at
    one month says nothing about one year); ``horizon`` None = 12 months or 3 years.
    ``candidates`` limits the methods ``auto`` chooses among (None: every one a monthly series
    allows; no change or damped drift for yearly counts, ``ANNUAL_AUTO``). ``back_test=False``:
    ``method`` with no back-test (``forecast_unchecked``)."""
    methods: set[str] | None = _scored_with(method) if method != "auto" else None
    if method == "auto" and candidates is not None:
        methods = set(candidates)
    series_out: list[SeriesForecast] = []
    bands: dict[tuple[str, int], tuple[float, float, str]] = {}
    parts = []
    for step in (MONTHLY, ANNUAL):
        group = {name: s for name, s in inputs.items() if s.step == step}
        if not group:
            continue
        ahead = horizon or DEFAULT_HORIZON[step]
        if not back_test:
            series_out += forecast_unchecked(group, horizon=ahead, method=method)
            continue
        allowed = methods if methods is not None or step != ANNUAL else set(ANNUAL_AUTO)
        reach = max(ahead, DEFAULT_HORIZON[ANNUAL]) if step == ANNUAL else REPLAY_HORIZON
        truth = series_truth(group)
        records = [
            backtest(_cut_at(s), {name: truth[name]}, _origins(s), horizon=reach, methods=allowed)
            for name, s in group.items()
        ]
        joined = pd.concat(records, ignore_index=True)
        forecasts, calibration = forecast_series(group, joined, horizon=ahead, method=method)
        series_out += forecasts
        bands.update(calibration.bands)
        parts.append(joined)
    as_at = max((s.as_at for s in inputs.values()), default=date.today())
    records_all = pd.concat(parts, ignore_index=True) if parts else empty_records()
    order = list(inputs)
    series_out.sort(key=lambda s: order.index(s.name))
    return DemandResult(as_at, series_out, records_all, Calibration(bands))


def _origins(series: SeriesInputs) -> list[date]:
    return backtest_origins(list(series.dates), every=ORIGIN_EVERY[series.step])


def _cut_at(series: SeriesInputs) -> Callable[[date], Mapping[str, SeriesInputs]]:
    def cut(origin: date) -> Mapping[str, SeriesInputs]:
        keep = sum(1 for d in series.dates if d <= origin)
        return {
            series.name: SeriesInputs(
                name=series.name,
                dates=series.dates[:keep],
                values=series.values[:keep],
                step=series.step,
                month_ends=series.month_ends,
            )
        }

    return cut
