"""Savings: delivery this year, the tracker's figures and programme benefits (FORECAST.md, Savings).

Everything here is money in integer pence; a saving is a positive amount. Rates are fractions
(0.5 means 50%). Years are financial-year labels such as "2022/23". Functions take and return
pandas DataFrames (or plain ints and lists) and never read the clock: the caller names the year.

Decisions FORECAST.md leaves open are written down in the project's docs (docs/engine/savings.md)
and repeated in the docstrings below.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from forecasting.engine.calendar import parse_year_label
from forecasting.engine.calendar import year_label as label_for_start
from forecasting.engine.money import round_pence
from forecasting.engine.scenarios import DEFAULT_DELIVERY_RATES, SAVING_STATUSES

ABSORBED = "absorbed"
ACHIEVED = "achieved"
RAGS = ("green", "amber", "red")
# FORECAST.md, Savings / DATA_FORMATS.md, savings: the RAG when the tracker leaves it blank. An
# absorbed saving has no RAG of its own: its delivery is rated as part of the programme that
# absorbed it, so green would overstate confidence here and red would count a pressure twice.
RAG_FROM_STATUS: Mapping[str, str | None] = {
    "achieved": "green",
    "on_track": "green",
    "at_risk": "amber",
    "undeliverable": "red",
    "absorbed": None,
}
VERSIONS = ("consultation", "approved", "reprofiled")
PROGRAMME_PROFILES = ("target", "stretch")
# FORECAST.md, Savings: the shortfall is added to the outturn only for lines that assume the
# budget, net of the saving, is spent as planned.
METHODS_ADDING_SHORTFALL = frozenset({"profile", "budget"})
# Lines forecast from drivers or run rate already show delivery (or its absence) in the drivers.
METHODS_NOT_ADDING_SHORTFALL = frozenset({"placements", "workforce", "run_rate"})
KEY_DECISION_THRESHOLD = 75_000_000  # pence: £750,000 in any one year (FORECAST.md, Savings)
DEFAULT_PAYBACK_HURDLE = 3.0  # a 3:1 return, as in Nottingham City's programme requirement

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


class SavingsError(ValueError):
    """Savings data the engine cannot use; the message says which saving and what is wrong."""


# ---------------------------------------------------------------------------------------------
# Delivery in the current year
# ---------------------------------------------------------------------------------------------


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
    _require_columns(savings, ("ref", "title", "line_code", "status", "planned"), "savings")
    rates = _checked_rates(delivery_rates)
    problems: list[str] = []
    rows: list[dict[str, Any]] = []
    for record in savings.to_dict("records"):
        ref = str(record["ref"])
        status = record["status"]
        line_code = _blank_to_none(record["line_code"])
        if status not in SAVING_STATUSES:
            problems.append(_unknown_status_message(ref, status))
            continue
        try:
            planned = _pence_or_none(record["planned"], ref=ref, column="planned amount")
            explicit = _pence_or_none(record.get("forecast_delivery"), ref=ref, column="forecast delivery")
        except SavingsError as error:
            problems.append(str(error))
            continue
        if planned is None:
            problems.append(f"saving {ref}: the planned amount for {year_label} is missing")
            continue
        method = None if line_code is None else line_methods.get(str(line_code))
        if line_code is not None and method is None:
            problems.append(f"saving {ref}: budget line '{line_code}' is not in the budget for {year_label}")
            continue
        if method is not None and method not in METHODS_ADDING_SHORTFALL | METHODS_NOT_ADDING_SHORTFALL:
            problems.append(f"saving {ref}: budget line '{line_code}' has an unknown forecast method '{method}'")
            continue
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
        row: dict[str, Any] = {
            "ref": ref,
            "title": record["title"],
            "line_code": line_code,
            "status": status,
            "planned": planned_out,
            "forecast_delivery": delivery,
            "shortfall": planned_out - delivery,
            "added_to_outturn": bool(added),
        }
        for extra in ("rag", "programme", "service_area"):
            if extra in savings.columns:
                row[extra] = _blank_to_none(record[extra])
        row["year_label"] = year_label
        rows.append(row)
    if problems:
        raise SavingsError("; ".join(problems))
    extras = [c for c in ("rag", "programme", "service_area") if c in savings.columns]
    columns = [*DELIVERY_COLUMNS, *extras, "year_label"]
    frame = pd.DataFrame(rows, columns=columns)
    return _with_money_dtypes(frame, _MONEY_OUT, extra_bool=("added_to_outturn",))


def savings_adjustment_by_line(delivery: pd.DataFrame) -> pd.DataFrame:
    """Σ shortfall (pence) per budget line over savings whose shortfall is added to the outturn.

    FORECAST.md, Outputs: the `savings_adjustment` of a line. Lines with no such saving are not
    listed (their adjustment is 0). Sorted by line code.
    """
    _require_columns(delivery, ("line_code", "shortfall", "added_to_outturn"), "delivery")
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
    _require_columns(delivery, ("status", "planned", "forecast_delivery", "shortfall"), "delivery")
    live = delivery[delivery["status"] != ABSORBED].copy()
    live["delivered"] = live["forecast_delivery"].where(live["status"] == ACHIEVED, 0)
    live["count"] = 1
    money = ["count", "planned", "delivered", "forecast_delivery", "shortfall"]
    if by is None:
        totals = {name: int(live[name].sum()) for name in money}
        return _with_money_dtypes(pd.DataFrame([totals], columns=money), money)
    _require_columns(delivery, (by,), "delivery")
    grouped = live.groupby(by, sort=True, dropna=False)[money].sum().reset_index()
    if by == "status":
        order = {status: i for i, status in enumerate(SAVING_STATUSES)}
        grouped = grouped.sort_values("status", key=lambda s: s.map(order)).reset_index(drop=True)
    return _with_money_dtypes(grouped[[by, *money]], money)


# ---------------------------------------------------------------------------------------------
# Tracker figures across the MTFP years (versions and absorbed savings)
# ---------------------------------------------------------------------------------------------


def savings_totals_by_year(
    amounts: pd.DataFrame,
    savings: pd.DataFrame,
    *,
    version: str = "approved",
    programme_benefits: pd.DataFrame | None = None,
    profile: str = "target",
) -> pd.DataFrame:
    """Savings per FY (pence) as approved, net of absorbed savings, and counted once with programmes.

    `amounts` is long form `ref, version, year_label, amount`; `savings` gives each ref's
    `status`. `programme_benefits` (optional) is long form `programme, profile, year_label,
    benefit`. Columns returned, one row per year in order:
    - gross: every saving of `version`, absorbed ones included (the figure as approved);
    - absorbed: the part of gross absorbed into a programme;
    - net_of_absorbed: gross − absorbed (FORECAST.md: absorbed savings are excluded from totals);
    - programme_benefit: Σ benefit of every programme for `profile` (0 when none given);
    - total: net_of_absorbed + programme_benefit, so an absorbed saving counts once, in the
      programme's profile, not again as a saving.
    """
    own = _version_rows(amounts, version)
    statuses = _status_by_ref(savings, own["ref"])
    own = own.assign(absorbed=own["ref"].map(statuses) == ABSORBED)
    gross = own.groupby("year_label")["amount"].sum()
    absorbed = own[own["absorbed"]].groupby("year_label")["amount"].sum()
    if programme_benefits is not None:
        benefits = _checked_programme_rows(programme_benefits)
        benefits = benefits[benefits["profile"] == profile]
        programme = benefits.groupby("year_label")["benefit"].sum()
    else:
        programme = pd.Series(dtype="int64")
    years = _sorted_years([*gross.index, *programme.index])
    out = pd.DataFrame({"year_label": years})
    out["gross"] = [int(gross.get(y, 0)) for y in years]
    out["absorbed"] = [int(absorbed.get(y, 0)) for y in years]
    out["net_of_absorbed"] = out["gross"] - out["absorbed"]
    out["programme_benefit"] = [int(programme.get(y, 0)) for y in years]
    out["total"] = out["net_of_absorbed"] + out["programme_benefit"]
    return _with_money_dtypes(out, ("gross", "absorbed", "net_of_absorbed", "programme_benefit", "total"))


def version_differences(
    amounts: pd.DataFrame, *, from_version: str = "consultation", to_version: str = "approved"
) -> pd.DataFrame:
    """Per saving and FY: the amount in each version and the difference to − from (pence).

    A saving missing from one version counts 0 there (a proposal dropped after consultation
    shows a negative difference; one added later a positive one). Every saving is listed,
    absorbed ones included, so that the figures reconcile to the committee papers.
    Columns: ref, year_label, from_amount, to_amount, difference; sorted by ref then year.
    """
    before = _version_rows(amounts, from_version)[["ref", "year_label", "amount"]]
    after = _version_rows(amounts, to_version)[["ref", "year_label", "amount"]]
    merged = before.merge(after, on=["ref", "year_label"], how="outer", suffixes=("_from", "_to"))
    merged = merged.rename(columns={"amount_from": "from_amount", "amount_to": "to_amount"})
    merged["from_amount"] = merged["from_amount"].fillna(0)
    merged["to_amount"] = merged["to_amount"].fillna(0)
    merged["difference"] = merged["to_amount"] - merged["from_amount"]
    merged["_year"] = merged["year_label"].map(parse_year_label)
    merged = merged.sort_values(["ref", "_year"]).drop(columns="_year").reset_index(drop=True)
    return _with_money_dtypes(merged, ("from_amount", "to_amount", "difference"))


def version_differences_by_year(
    amounts: pd.DataFrame,
    savings: pd.DataFrame,
    *,
    from_version: str = "consultation",
    to_version: str = "approved",
) -> pd.DataFrame:
    """Per FY: Σ from_amount, Σ to_amount and the difference (pence), absorbed savings excluded.

    These are totals, so FORECAST.md's rule applies: a saving now absorbed into a programme is
    left out of both versions' totals (it is counted in the programme). The per-saving rows of
    `version_differences` still show it. Columns: year_label, from_amount, to_amount, difference.
    """
    rows = version_differences(amounts, from_version=from_version, to_version=to_version)
    statuses = _status_by_ref(savings, rows["ref"])
    rows = rows[rows["ref"].map(statuses) != ABSORBED]
    grouped = rows.groupby("year_label")[["from_amount", "to_amount", "difference"]].sum()
    years = _sorted_years(list(grouped.index))
    out = grouped.reindex(years).reset_index()
    return _with_money_dtypes(out, ("from_amount", "to_amount", "difference"))


# ---------------------------------------------------------------------------------------------
# Programmes: benefit profiles, return on investment, payback and delayed starts
# ---------------------------------------------------------------------------------------------


def programme_benefits_by_year(
    programme_benefits: pd.DataFrame, *, programme: str, profile: str = "target"
) -> pd.Series:
    """One programme's benefit per FY (pence) for `target` or `stretch`, indexed by year label.

    Years between the first and the last with no row count 0, so the series is contiguous
    (needed for cumulative figures and the delay re-profile).
    """
    if profile not in PROGRAMME_PROFILES:
        raise SavingsError(f"profile '{profile}' is not one of {', '.join(PROGRAMME_PROFILES)}")
    rows = _checked_programme_rows(programme_benefits)
    rows = rows[(rows["programme"] == programme) & (rows["profile"] == profile)]
    if rows.empty:
        raise SavingsError(f"programme '{programme}' has no {profile} benefit profile")
    by_year = rows.groupby("year_label")["benefit"].sum()
    starts = [parse_year_label(y) for y in by_year.index]
    years = [label_for_start(s) for s in range(min(starts), max(starts) + 1)]
    return pd.Series([int(by_year.get(y, 0)) for y in years], index=pd.Index(years, name="year_label"), dtype="int64")


def cumulative_benefit(
    benefits: pd.Series | Mapping[str, int], *, first_year: str | None = None, last_year: str | None = None
) -> int:
    """Σ benefit (pence) over the FYs from `first_year` to `last_year` inclusive.

    FORECAST.md, Savings: cumulative benefit over a window. An open end means the first or last
    year of the profile.
    """
    series = _year_series(benefits)
    low = parse_year_label(first_year) if first_year is not None else -math.inf
    high = parse_year_label(last_year) if last_year is not None else math.inf
    if low > high:
        raise SavingsError(f"the window {first_year} to {last_year} ends before it starts")
    return int(sum(int(v) for y, v in series.items() if low <= parse_year_label(str(y)) <= high))


def return_on_investment(gross_benefit: int, investment: int) -> float:
    """Return on investment = cumulative gross benefit / investment (both pence), e.g. 7.1 for 7.1:1.

    FORECAST.md, Savings. The investment must be more than zero.
    """
    if investment <= 0:
        raise SavingsError(f"an investment of {investment} pence cannot give a return on investment")
    return gross_benefit / investment


def payback_year(
    benefits: pd.Series | Mapping[str, int], *, investment: int, hurdle: float = DEFAULT_PAYBACK_HURDLE
) -> str | None:
    """The first FY in which cumulative gross benefit / investment reaches `hurdle`, else None.

    FORECAST.md, Savings. "Reaches" means ≥: a programme exactly at 3:1 has paid back. The test is
    done in exact decimal arithmetic (benefit ≥ hurdle × investment) so a boundary year is not
    lost to binary floating point.
    """
    if investment <= 0:
        raise SavingsError(f"an investment of {investment} pence cannot pay back")
    needed = Decimal(str(hurdle)) * investment
    running = 0
    for year, value in _year_series(benefits).items():
        running += int(value)
        if Decimal(running) >= needed:
            return str(year)
    return None


def programme_summary(
    benefits: pd.Series | Mapping[str, int],
    *,
    investment: int,
    implementation_costs: pd.Series | Mapping[str, int] | None = None,
) -> pd.DataFrame:
    """The programme table by FY: benefit, cumulative benefit, costs, net benefit and the ratio.

    Columns: year_label, benefit, cumulative_benefit, implementation_cost, net_benefit
    (benefit − implementation cost), cumulative_net_benefit, roi (cumulative gross benefit /
    `investment`, a float; FORECAST.md, Savings). Money in pence. The ratio's denominator is the
    whole investment, not the costs to date, as in the committee reports ("by year 4 the RoI is
    2.3:1"). Cost years outside the benefit profile are added as rows with no benefit.
    """
    if investment <= 0:
        raise SavingsError(f"an investment of {investment} pence cannot give a return on investment")
    gains = _year_series(benefits)
    costs = _year_series(implementation_costs) if implementation_costs is not None else pd.Series(dtype="int64")
    years = _sorted_years([*gains.index, *costs.index])
    out = pd.DataFrame({"year_label": years})
    out["benefit"] = [int(gains.get(y, 0)) for y in years]
    out["cumulative_benefit"] = out["benefit"].cumsum()
    out["implementation_cost"] = [int(costs.get(y, 0)) for y in years]
    out["net_benefit"] = out["benefit"] - out["implementation_cost"]
    out["cumulative_net_benefit"] = out["net_benefit"].cumsum()
    out = _with_money_dtypes(
        out, ("benefit", "cumulative_benefit", "implementation_cost", "net_benefit", "cumulative_net_benefit")
    )
    out["roi"] = out["cumulative_benefit"] / investment
    return out


def delay_profile(profile: Sequence[int] | pd.Series, months: int) -> list[int]:
    """Re-profile yearly benefits (pence) for a start delayed by `months` (0..12).

    FORECAST.md, Savings: b'(k) = b(k−1)·d/12 + b(k)·(12−d)/12 with b(−1) = 0, extended by one
    more year (b(n) = 0) so that the lifetime total is unchanged. Each year is rounded to the
    penny half up, except the added final year, which takes whatever makes the total exactly
    equal the original total (the rounding remainder is a few pence at most).

    d = 0 returns the profile unchanged, with no added year (nothing moves). d = 12 shifts every
    year's benefit a whole year later. Anything else is a ValueError.
    """
    if isinstance(months, bool) or not isinstance(months, numbers.Integral) or not 0 <= int(months) <= 12:
        raise SavingsError(f"a delay must be a whole number of months from 0 to 12, not {months!r}")
    d = int(months)
    values = [int(v) for v in (profile.tolist() if isinstance(profile, pd.Series) else profile)]
    if d == 0 or not values:
        return list(values)
    shifted: list[int] = []
    previous = 0
    for current in values:
        # The exact value is a whole number of twelfths of a penny.
        shifted.append(round_pence(Decimal(previous * d + current * (12 - d)) / 12))
        previous = current
    shifted.append(sum(values) - sum(shifted))
    return shifted


def delayed_profile_frame(benefits: pd.Series | Mapping[str, int], months: int) -> pd.DataFrame:
    """Original and re-profiled benefit side by side, by FY (pence).

    Columns: year_label, original, reprofiled, difference (reprofiled − original). For a delay
    of 1..12 months the frame has one more year than the profile, where the original is 0.
    """
    series = _year_series(benefits)
    reprofiled = delay_profile(series, months)
    years = [str(y) for y in series.index]
    if len(reprofiled) > len(years):
        years.append(label_for_start(parse_year_label(years[-1]) + 1) if years else "")
    original = [int(v) for v in series.tolist()] + [0] * (len(reprofiled) - len(series))
    out = pd.DataFrame({"year_label": years, "original": original, "reprofiled": reprofiled})
    out["difference"] = out["reprofiled"] - out["original"]
    return _with_money_dtypes(out, ("original", "reprofiled", "difference"))


# ---------------------------------------------------------------------------------------------
# Key decisions
# ---------------------------------------------------------------------------------------------


def key_decisions(rows: pd.DataFrame, *, threshold: int = KEY_DECISION_THRESHOLD) -> pd.DataFrame:
    """Flag proposals of £750,000 (75,000,000 pence) or more in any one FY as key decisions.

    `rows` is long form `ref, year_label, amount` (pence; other columns such as `version` are
    ignored, so pass the rows of the version being decided). The size of an amount counts, not
    its sign: reversing a saving of £750,000 is as significant a decision as making one.
    Returns one row per ref in first-seen order: ref, largest_amount (the largest absolute
    yearly amount, pence), first_key_year (the first FY at or over the threshold, or None) and
    key_decision (bool).
    """
    _require_columns(rows, ("ref", "year_label", "amount"), "proposals")
    out: list[dict[str, Any]] = []
    for ref, group in rows.groupby("ref", sort=False):
        ordered = sorted(
            ((str(y), abs(int(a))) for y, a in zip(group["year_label"], group["amount"], strict=True)),
            key=lambda pair: parse_year_label(pair[0]),
        )
        over = [y for y, a in ordered if a >= threshold]
        out.append(
            {
                "ref": str(ref),
                "largest_amount": max((a for _, a in ordered), default=0),
                "first_key_year": over[0] if over else None,
                "key_decision": bool(over),
            }
        )
    frame = pd.DataFrame(out, columns=["ref", "largest_amount", "first_key_year", "key_decision"])
    return _with_money_dtypes(frame, ("largest_amount",), extra_bool=("key_decision",))


# ---------------------------------------------------------------------------------------------
# Validation for the importer: messages a finance officer can act on
# ---------------------------------------------------------------------------------------------


def derive_rag(status: str, rag: str | None) -> str | None:
    """The RAG to store: the tracker's own when given, else the one its status implies.

    achieved → green, on_track → green, at_risk → amber, undeliverable → red, absorbed → None
    (no RAG of its own; it is rated within the programme that absorbed it). An unknown status or
    RAG is a SavingsError.
    """
    if status not in SAVING_STATUSES:
        raise SavingsError(_unknown_status_message(None, status))
    given = _blank_to_none(rag)
    if given is None:
        return RAG_FROM_STATUS[status]
    if given not in RAGS:
        raise SavingsError(f"RAG '{given}' is not one of {', '.join(RAGS)}")
    return str(given)


def savings_problems(savings: pd.DataFrame) -> list[str]:
    """Every problem with the tracker rows, one message each (empty when the rows are usable).

    Checks: a known status; a known RAG when one is given; an absorbed saving names the
    programme that absorbed it; planned amounts are not negative (savings are written as positive
    amounts, so a bracketed "(0.200)" from a committee paper should be entered as 0.200).
    """
    _require_columns(savings, ("ref", "status"), "savings")
    problems: list[str] = []
    for record in savings.to_dict("records"):
        ref = str(record["ref"])
        status = record["status"]
        if status not in SAVING_STATUSES:
            problems.append(_unknown_status_message(ref, status))
        rag = _blank_to_none(record.get("rag"))
        if rag is not None and rag not in RAGS:
            problems.append(f"saving {ref}: RAG '{rag}' is not one of {', '.join(RAGS)}")
        if status == ABSORBED and _blank_to_none(record.get("programme")) is None:
            problems.append(f"saving {ref}: it is absorbed, so name the programme that absorbed it")
        try:
            planned = _pence_or_none(record.get("planned"), ref=ref, column="planned amount")
        except SavingsError as error:
            problems.append(str(error))
            continue
        if planned is not None and planned < 0:
            problems.append(f"saving {ref}: the planned amount is negative; write savings as positive amounts")
    return problems


def amounts_problems(amounts: pd.DataFrame) -> list[str]:
    """Problems with long-form yearly amounts: unknown versions, bad years, repeated rows."""
    _require_columns(amounts, ("ref", "version", "year_label", "amount"), "amounts")
    problems: list[str] = []
    seen: set[tuple[str, str, str]] = set()
    for record in amounts.to_dict("records"):
        ref, version, label = str(record["ref"]), record["version"], str(record["year_label"])
        if version not in VERSIONS:
            problems.append(f"saving {ref}: version '{version}' is not one of {', '.join(VERSIONS)}")
        try:
            parse_year_label(label)
        except ValueError as error:
            problems.append(f"saving {ref}: {error}")
        key = (ref, str(version), label)
        if key in seen:
            problems.append(f"saving {ref}: {version} has more than one amount for {label}")
        seen.add(key)
    return problems


def reprofile_problems(amounts: pd.DataFrame, *, base_version: str = "approved") -> list[str]:
    """A re-profile moves savings between years; it must not change the lifetime total.

    For every ref with `reprofiled` rows, Σ reprofiled must equal Σ `base_version` (pence), as
    in "there will be a delay in realising savings but over the lifetime of the programme the
    savings will be the same". Returns one message per ref that changes its total.
    """
    base = _version_rows(amounts, base_version).groupby("ref")["amount"].sum()
    new = _version_rows(amounts, "reprofiled").groupby("ref")["amount"].sum()
    problems = []
    for ref, total in new.items():
        before = int(base.get(ref, 0))
        message = reprofile_problem(str(ref), before, int(total))
        if message:
            problems.append(message)
    return problems


def reprofile_problem(ref: str, original_total: int, reprofiled_total: int) -> str | None:
    """The message for one re-profile whose lifetime total (pence) differs, or None when it matches."""
    if original_total == reprofiled_total:
        return None
    return (
        f"saving {ref}: the re-profile totals {_pounds(reprofiled_total)} over its lifetime but the "
        f"profile it replaces totals {_pounds(original_total)} (a difference of "
        f"{_pounds(reprofiled_total - original_total)}); a re-profile may move savings between years "
        "but must not change the total"
    )


def programme_problems(savings: pd.DataFrame, programme_benefits: pd.DataFrame) -> list[str]:
    """Absorbed savings whose programme has no benefit profile would vanish from every total."""
    known = set(_checked_programme_rows(programme_benefits)["programme"])
    problems = []
    for record in savings.to_dict("records"):
        programme = _blank_to_none(record.get("programme"))
        if record.get("status") == ABSORBED and programme is not None and programme not in known:
            problems.append(
                f"saving {record['ref']}: it is absorbed into programme '{programme}', which has no benefit profile"
            )
    return problems


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------


def _require_columns(frame: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise SavingsError(f"the {what} table has no column {', '.join(missing)}")


def _checked_rates(delivery_rates: Mapping[str, float]) -> dict[str, float]:
    rates = dict(DEFAULT_DELIVERY_RATES)
    rates.update(delivery_rates)
    for status, rate in rates.items():
        if status not in SAVING_STATUSES:
            raise SavingsError(f"there is no delivery rate for status '{status}'")
        if not 0.0 <= float(rate) <= 1.0:
            raise SavingsError(f"the delivery rate for {status} is {rate}; it must be from 0 to 1 (0% to 100%)")
    return rates


def _unknown_status_message(ref: str | None, status: object) -> str:
    prefix = f"saving {ref}: " if ref is not None else ""
    if _blank_to_none(status) is None:
        return f"{prefix}the status is missing; it must be one of {', '.join(SAVING_STATUSES)}"
    hint = ""
    if isinstance(status, str):
        guess = status.strip().lower().replace(" ", "_").replace("-", "_")
        if guess in SAVING_STATUSES and guess != status:
            hint = f" (did you mean {guess}?)"
    return f"{prefix}status '{status}' is not one of {', '.join(SAVING_STATUSES)}{hint}"


def _blank_to_none(value: object) -> object:
    if value is None:
        return None
    if isinstance(value, str):
        return value if value.strip() else None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        return value
    return value


def _pence_or_none(value: object, *, ref: str | None = None, column: str = "amount") -> int | None:
    """A whole number of pence, None when blank; SavingsError naming the saving otherwise."""
    where = f"saving {ref}: the {column} " if ref is not None else f"the {column} "
    value = _blank_to_none(value)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal, np.integer, np.floating)):
        raise SavingsError(f"{where}{value!r} is not a whole number of pence")
    whole = int(value)
    if whole != value:
        raise SavingsError(f"{where}{value!r} is not a whole number of pence")
    return whole


def _version_rows(amounts: pd.DataFrame, version: str) -> pd.DataFrame:
    _require_columns(amounts, ("ref", "version", "year_label", "amount"), "amounts")
    if version not in VERSIONS:
        raise SavingsError(f"version '{version}' is not one of {', '.join(VERSIONS)}")
    rows = amounts[amounts["version"] == version].copy()
    repeated = rows[rows.duplicated(["ref", "year_label"], keep=False)]
    if not repeated.empty:
        first = repeated.iloc[0]
        raise SavingsError(f"saving {first['ref']}: {version} has more than one amount for {first['year_label']}")
    for label in rows["year_label"].unique():
        parse_year_label(str(label))
    rows["amount"] = rows["amount"].astype("int64")
    return rows


def _status_by_ref(savings: pd.DataFrame, refs: Iterable[object]) -> dict[str, str]:
    _require_columns(savings, ("ref", "status"), "savings")
    statuses = {str(r): str(s) for r, s in zip(savings["ref"], savings["status"], strict=True)}
    unknown = sorted({str(r) for r in refs} - statuses.keys())
    if unknown:
        raise SavingsError(f"amounts are given for savings not on the tracker: {', '.join(unknown)}")
    return statuses


def _checked_programme_rows(programme_benefits: pd.DataFrame) -> pd.DataFrame:
    _require_columns(programme_benefits, ("programme", "profile", "year_label", "benefit"), "programme benefits")
    bad = sorted({str(p) for p in programme_benefits["profile"]} - set(PROGRAMME_PROFILES))
    if bad:
        raise SavingsError(f"profile {', '.join(bad)} is not one of {', '.join(PROGRAMME_PROFILES)}")
    for label in programme_benefits["year_label"].unique():
        parse_year_label(str(label))
    rows = programme_benefits.copy()
    rows["benefit"] = rows["benefit"].astype("int64")
    return rows


def _year_series(values: pd.Series | Mapping[str, int]) -> pd.Series:
    """Yearly pence as an int64 series in year order, index = year label."""
    series = values if isinstance(values, pd.Series) else pd.Series(dict(values), dtype="int64")
    labels = [str(y) for y in series.index]
    order = sorted(range(len(labels)), key=lambda i: parse_year_label(labels[i]))
    return pd.Series(
        [int(series.iloc[i]) for i in order],
        index=pd.Index([labels[i] for i in order], name="year_label"),
        dtype="int64",
    )


def _sorted_years(labels: Iterable[object]) -> list[str]:
    return sorted({str(y) for y in labels}, key=parse_year_label)


def _with_money_dtypes(frame: pd.DataFrame, money: Iterable[str], *, extra_bool: Iterable[str] = ()) -> pd.DataFrame:
    frame = frame.copy()
    for column in money:
        frame[column] = frame[column].astype("int64")
    for column in extra_bool:
        frame[column] = frame[column].astype(bool)
    return frame.reset_index(drop=True)


def _pounds(pence: int) -> str:
    sign = "-" if pence < 0 else ""
    whole, part = divmod(abs(pence), 100)
    return f"{sign}£{whole:,}.{part:02d}"
