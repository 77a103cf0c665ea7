"""The reported forecast replayed on a placement register (no SSDA903 returns): on each past
date D the register as it could have been known then (``forecasting.engine.backtest.known_at``)
is back-tested on the quarter-ends of the two years before D, each series' method and interval
are chosen from that back-test as the product does (``register_choice``), and the chosen
forecast made on D is scored against the full register.

Everything chosen on D uses only the register known on D: the back-test's own truth ends on D.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import numpy as np
import pandas as pd

from forecast_runs.demand.register_choice import RegisterChoice, choose_from_register, records_from_engine
from forecast_runs.demand.reported import IN_CARE, REPORTED, reported_sums
from forecast_runs.demand.series import TOTAL, FloatArray, add_months, month_end
from forecasting.engine.backtest import backtest, known_at, month_ends_between
from forecasting.engine.placements import month_end_history

HORIZON = 12
BACKTEST_MONTHS = 24  # the product's register back-test: quarter-ends over two years
BACKTEST_STEP = 3
# The back-tests of the next two month-ends forecast from past dates of their own (quarter-ends
# counted from their month); from the third on, they share this month's (``origins_ahead``).
AHEAD_MONTHS = 2


def origins_before(as_at: date, *, months: int = BACKTEST_MONTHS, step: int = BACKTEST_STEP) -> list[date]:
    """Quarter-ends over the ``months`` before ``as_at`` (not ``as_at`` itself), oldest first."""
    start = date(as_at.year - months // 12, as_at.month, 1)
    ends = [d for d in month_ends_between(start, as_at) if d < as_at]
    return ends[::-1][::step][::-1]


def origins_ahead(as_at: date, *, months: int = AHEAD_MONTHS) -> list[date]:
    """The dates the back-tests of the next ``months`` month-ends will forecast from that are
    already past on ``as_at``, oldest first. Not this month's own dates, nor ``as_at`` itself
    (this month's back-test fits its models for the runs)."""
    own = {*origins_before(as_at), as_at}
    later = (month_end(add_months(as_at, k)) for k in range(1, months + 1))
    return sorted({d for day in later for d in origins_before(day) if d < as_at and d not in own})


def history_at(
    register: pd.DataFrame, types: pd.DataFrame, as_at: date, *, from_date: date | None = None
) -> dict[str, FloatArray]:
    """Month-end numbers from ``from_date`` (None: the first placement) up to ``as_at`` of each
    type in ``register``, and their total."""
    frame = month_end_history(register, types, up_to=as_at, from_date=from_date)
    present = {str(t) for t in register["placement_type"]}
    history = {
        str(code): part["month_end_number"].to_numpy(dtype=np.float64)
        for code, part in frame.groupby("placement_type", sort=True)
        if str(code) in present
    }
    history[TOTAL] = frame.groupby("count_date", sort=True)["month_end_number"].sum().to_numpy(dtype=np.float64)
    return history


def choice_at(register: pd.DataFrame, types: pd.DataFrame, as_at: date) -> RegisterChoice:
    """The methods and interval ratios the product would choose on ``as_at`` from the register
    known then (its back-test scored against that register, never a later one)."""
    known = known_at(register, as_at)
    origins = origins_before(as_at)
    result = backtest(known, types, origins=origins, actuals_up_to=as_at, horizon=HORIZON)
    history = history_at(known, types, as_at)
    return choose_from_register(records_from_engine(result.forecasts), history, totals_of(history, types))


def totals_of(history: dict[str, FloatArray], types: pd.DataFrame) -> dict[str, list[str]]:
    """The totals a run reports, by the types in ``history``: every type, and the children in
    care (the types that stop at 18), as the monthly back-test groups them."""
    leavers = set(types.loc[types["continues_after_18"].astype(bool), "code"])
    present = [name for name in history if name != TOTAL]
    return {TOTAL: present, IN_CARE: [name for name in present if name not in leavers]}


def replay_register(
    register: pd.DataFrame, types: pd.DataFrame, dates: Sequence[date], *, data_end: date
) -> tuple[pd.DataFrame, dict[date, RegisterChoice]]:
    """Every method's forecast on each of ``dates`` (the register cut there) scored against the
    full register up to ``data_end`` (``RECORD_COLUMNS`` records, combination and total
    included), and the choice made on each date."""
    full = backtest(register, types, origins=list(dates), actuals_up_to=data_end, horizon=HORIZON)
    return records_from_engine(full.forecasts), {d: choice_at(register, types, d) for d in dates}


def reported_records(records: pd.DataFrame, choices: dict[date, RegisterChoice]) -> pd.DataFrame:
    """The rows of the method chosen on each origin for each series, with the calibrated
    interval (``p10``, ``p90``: the forecast times the chosen ratios at each horizon). The total
    is its own series with its own choice, not the sum of the types' choices."""
    parts = []
    for origin, chosen in choices.items():
        at = records[records["origin"] == origin]
        for name, choice in chosen.choices.items():
            rows = at[(at["series"] == name) & (at["method"] == choice.method)].copy()
            if rows.empty or name not in chosen.ratios:
                continue
            ratios = np.asarray(chosen.ratios[name], dtype=np.float64)
            index = rows["horizon"].astype(int).to_numpy() - 1
            forecast = rows["forecast"].astype(float).to_numpy()
            rows["p10"], rows["p90"] = forecast * ratios[index, 0], forecast * ratios[index, 1]
            parts.append(rows)
    return pd.concat(parts, ignore_index=True) if parts else records.iloc[0:0].assign(p10=[], p90=[])


def reported_total_records(records: pd.DataFrame, choices: dict[date, RegisterChoice]) -> pd.DataFrame:
    """The total as a run reports it on each origin (``REPORTED`` rows of ``TOTAL``): the sum of
    the types' chosen forecasts, scaled where the date's back-test chose to, with the interval
    calibrated for it on the date."""
    parts = []
    for origin, chosen in choices.items():
        methods = {n: c.method for n, c in chosen.choices.items() if n != TOTAL}
        rows = reported_sums(records[records["origin"] == origin], methods, {TOTAL: list(methods)}, chosen.scaled_to)
        band = chosen.method_ratios.get(TOTAL, {}).get(REPORTED)
        if rows.empty or band is None:
            continue
        ratios = np.asarray(band, dtype=np.float64)
        index = rows["horizon"].astype(int).to_numpy() - 1
        forecast = rows["forecast"].astype(float).to_numpy()
        parts.append(rows.assign(p10=forecast * ratios[index, 0], p90=forecast * ratios[index, 1]))
    return pd.concat(parts, ignore_index=True) if parts else records.iloc[0:0].assign(p10=[], p90=[])
