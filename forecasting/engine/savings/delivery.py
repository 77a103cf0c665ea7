"""Delivery in the current year: forecast delivery, shortfall and the savings adjustment of each
budget line (FORECAST.md, Savings; decisions in docs/engine/savings.md)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import pandas as pd

from forecasting.engine.calendar import parse_year_label
from forecasting.engine.money import round_pence
from forecasting.engine.savings.rules import (
    ABSORBED,
    ACHIEVED,
    METHODS_ADDING_SHORTFALL,
    METHODS_NOT_ADDING_SHORTFALL,
    SavingsError,
)
from forecasting.engine.savings.tables import (
    blank_to_none,
    pence_or_none,
    require_columns,
    unknown_status_message,
    with_money_dtypes,
)
from forecasting.engine.scenarios import DEFAULT_DELIVERY_RATES, SAVING_STATUSES

DELIVERY_COLUMNS = (
    "ref",
    "title",
    "line_code",
    "status",
    "planned",
    "forecast_delivery",
    "shortfall",
    "added_to_outturn",
)

_MONEY_OUT = ("planned", "forecast_delivery", "shortfall")


def savings_delivery(
    savings: pd.DataFrame,
    *,
    year_label: str,
    delivery_rates: Mapping[str, float],
    line_methods: Mapping[str, str],
) -> pd.DataFrame:
    """Forecast delivery, shortfall and whether the shortfall goes into the outturn, per saving.

    `savings` has one row per saving with columns `ref, title, line_code (or None), status, rag,
    programme (or None), planned` (pence, this FY) and `forecast_delivery` (pence, or NA when
    the tracker gives none). `line_methods` maps each budget line code to how it is forecast:
    `profile`, `budget`, `run_rate`, `placements` or `workforce`.

    FORECAST.md, Savings:
    - forecast delivery = the explicit forecast if given, else planned × the scenario's delivery
      rate for the status, rounded to the penny half up once per saving. Rates missing from
      `delivery_rates` fall back to DEFAULT_DELIVERY_RATES (pass resolved scenario rates);
    - shortfall = planned − forecast delivery (pence; negative when a saving over-delivers);
    - added_to_outturn is True only when the saving's line is forecast by `profile` or
      `budget`; for driver and run-rate lines, and savings with no line, it is reported only;
    - an absorbed saving stays in the output as a row (so every tracker row can be traced)
      with planned, forecast delivery and shortfall all 0 and added_to_outturn False, which
      keeps it out of every total: it is counted in the programme that absorbed it.

    Returns the DELIVERY_COLUMNS in the input order, then `rag`, `programme` and
    `service_area` when the input has them, and `year_label`.
    """
    parse_year_label(year_label)
    require_columns(savings, ("ref", "title", "line_code", "status", "planned"), "savings")
    rates = _checked_rates(delivery_rates)
    extras = [c for c in ("rag", "programme", "service_area") if c in savings.columns]
    problems: list[str] = []
    rows: list[dict[str, Any]] = []
    for record in savings.to_dict("records"):
        row = _delivery_row(record, year_label=year_label, rates=rates, line_methods=line_methods)
        if isinstance(row, str):
            problems.append(row)
            continue
        for extra in extras:
            row[extra] = blank_to_none(record[extra])
        row["year_label"] = year_label
        rows.append(row)
    if problems:
        raise SavingsError("; ".join(problems))
    columns = [*DELIVERY_COLUMNS, *extras, "year_label"]
    frame = pd.DataFrame(rows, columns=columns)
    return with_money_dtypes(frame, _MONEY_OUT, extra_bool=("added_to_outturn",))


def _delivery_row(
    record: Mapping[Any, Any],
    *,
    year_label: str,
    rates: Mapping[str, float],
    line_methods: Mapping[str, str],
) -> dict[str, Any] | str:
    """One saving's DELIVERY_COLUMNS, or the message saying why it cannot be forecast."""
    ref = str(record["ref"])
    status = record["status"]
    line_code = blank_to_none(record["line_code"])
    if status not in SAVING_STATUSES:
        return unknown_status_message(ref, status)
    try:
        planned = pence_or_none(record["planned"], ref=ref, column="planned amount")
        explicit = pence_or_none(record.get("forecast_delivery"), ref=ref, column="forecast delivery")
    except SavingsError as error:
        return str(error)
    if planned is None:
        return f"saving {ref}: the planned amount for {year_label} is missing"
    method = None if line_code is None else line_methods.get(str(line_code))
    if line_code is not None and method is None:
        return f"saving {ref}: budget line '{line_code}' is not in the budget for {year_label}"
    if method is not None and method not in METHODS_ADDING_SHORTFALL | METHODS_NOT_ADDING_SHORTFALL:
        return f"saving {ref}: budget line '{line_code}' has an unknown forecast method '{method}'"
    if status == ABSORBED:
        planned_out, delivery, added = 0, 0, False
    else:
        planned_out = planned
        if explicit is not None:
            delivery = explicit
        else:
            # One rounding per saving; Decimal so that 0.5 × an odd number of pence is an
            # exact half and rounds up, as the officer's spreadsheet would.
            delivery = round_pence(Decimal(planned) * Decimal(str(rates[status])))
        added = method in METHODS_ADDING_SHORTFALL
    return {
        "ref": ref,
        "title": record["title"],
        "line_code": line_code,
        "status": status,
        "planned": planned_out,
        "forecast_delivery": delivery,
        "shortfall": planned_out - delivery,
        "added_to_outturn": bool(added),
    }


def savings_adjustment_by_line(delivery: pd.DataFrame) -> pd.DataFrame:
    """Σ shortfall (pence) per budget line over savings whose shortfall is added to the outturn.

    FORECAST.md, Outputs: the `savings_adjustment` of a line. Lines with no such saving are not
    listed (their adjustment is 0). Sorted by line code.
    """
    require_columns(delivery, ("line_code", "shortfall", "added_to_outturn"), "delivery")
    added = delivery[delivery["added_to_outturn"].astype(bool)]
    if added.empty:
        return pd.DataFrame(
            {"line_code": pd.Series([], dtype=object), "savings_adjustment": pd.Series([], dtype="int64")}
        )
    grouped = added.groupby("line_code", sort=True)["shortfall"].sum()
    out = pd.DataFrame({"line_code": grouped.index.astype(object), "savings_adjustment": grouped.to_numpy()})
    out["savings_adjustment"] = out["savings_adjustment"].astype("int64")
    return out.reset_index(drop=True)


def delivery_summary(delivery: pd.DataFrame, *, by: str | None = None) -> pd.DataFrame:
    """Planned, delivered, forecast delivery and shortfall for the year (pence), in total or by group.

    `by` is None (one total row), "status" or "service_area". Absorbed savings are left out
    entirely (FORECAST.md, Savings). `delivered` is the forecast delivery of savings already
    achieved, the part of the forecast that is banked; `count` is the number of savings.
    Groups by status follow the tracker's order of statuses; other groups sort by name.
    """
    require_columns(delivery, ("status", "planned", "forecast_delivery", "shortfall"), "delivery")
    live = delivery[delivery["status"] != ABSORBED].copy()
    live["delivered"] = live["forecast_delivery"].where(live["status"] == ACHIEVED, 0)
    live["count"] = 1
    money = ["count", "planned", "delivered", "forecast_delivery", "shortfall"]
    if by is None:
        totals = {name: int(live[name].sum()) for name in money}
        return with_money_dtypes(pd.DataFrame([totals], columns=money), money)
    require_columns(delivery, (by,), "delivery")
    grouped = live.groupby(by, sort=True, dropna=False)[money].sum().reset_index()
    if by == "status":
        order = {status: i for i, status in enumerate(SAVING_STATUSES)}
        grouped = grouped.sort_values("status", key=lambda s: s.map(order)).reset_index(drop=True)
    return with_money_dtypes(grouped[[by, *money]], money)


def _checked_rates(delivery_rates: Mapping[str, float]) -> dict[str, float]:
    rates = dict(DEFAULT_DELIVERY_RATES)
    rates.update(delivery_rates)
    for status, rate in rates.items():
        if status not in SAVING_STATUSES:
            raise SavingsError(f"there is no delivery rate for status '{status}'")
        if not 0.0 <= float(rate) <= 1.0:
            raise SavingsError(f"the delivery rate for {status} is {rate}; it must be from 0 to 1 (0% to 100%)")
    return rates
