"""The savings rows as long-form frames: the engine's contract (savings_frame) and the inputs of
the engine's tracker figures. Rows come from values_list (no model instances), money in pence."""

from __future__ import annotations

from typing import Any

import pandas as pd

from accounts.models import Authority
from forecasting.engine.calendar import parse_year_label
from forecasting.engine.savings import delayed_profile_frame, programme_benefits_by_year
from forecasting.models import BudgetLine
from savings.models import Programme, ProgrammeBenefit, Saving, SavingAmount, SavingUpdate, SavingVersion
from savings.selectors.pence import nullable_pence

SAVINGS_FRAME_COLUMNS = [
    "ref",
    "title",
    "line_code",
    "status",
    "rag",
    "programme",
    "planned",
    "forecast_delivery",
    "service_area",
]
# The version whose amounts are "planned" now: a re-profile replaces the approved profile.
CURRENT_ORDER = (SavingVersion.Version.REPROFILED, SavingVersion.Version.APPROVED)


# ---------------------------------------------------------------------------------------------
# The engine's contract
# ---------------------------------------------------------------------------------------------


def savings_frame(*, authority: Authority, year_label: str) -> pd.DataFrame:
    """Savings of the FY as the forecast engine takes them (engine savings_delivery).

    One row per saving whose current profile (the re-profile if there is one, else the
    approved) has an amount for `year_label`; savings still at consultation, or with no amount
    that year, are not in that year's budget and are left out. Columns: ref, title, line_code
    (str or None), status, rag, programme (code or None), planned (int64 pence),
    forecast_delivery (Int64 pence or <NA>: the latest reporting cycle's forecast for this FY),
    service_area. Absorbed savings are included: the engine zeroes them and keeps the row.
    Four queries (amounts, re-profiled ids, savings, forecasts), no model instances.
    """
    parse_year_label(year_label)
    planned = _current_amounts(authority=authority, year_label=year_label)
    rows = Saving.objects.filter(authority=authority, pk__in=list(planned)).values_list(
        "pk", "ref", "title", "line__code", "status", "rag", "programme__code", "service_area__name"
    )
    forecasts = _latest_forecasts(authority=authority, year_label=year_label)
    records = [
        (ref, title, line, status, rag, programme, planned[pk], forecasts.get(pk), area)
        for pk, ref, title, line, status, rag, programme, area in rows
    ]
    records.sort(key=lambda r: r[0])
    columns = list(zip(*records, strict=True)) if records else [()] * len(SAVINGS_FRAME_COLUMNS)
    data: dict[str, Any] = {}
    for name, values in zip(SAVINGS_FRAME_COLUMNS, columns, strict=True):
        if name == "planned":
            data[name] = pd.Series(values, dtype="int64")
        elif name == "forecast_delivery":
            data[name] = pd.Series(pd.array(list(values), dtype="Int64"))
        else:
            # object dtype keeps None as None (not NaN), as the engine's docstring asks.
            data[name] = pd.Series(list(values), dtype=object)
    return pd.DataFrame(data, columns=SAVINGS_FRAME_COLUMNS)


def _current_amounts(*, authority: Authority, year_label: str) -> dict[int, int]:
    """saving id → pence for the year, from the re-profile where there is one, else the approved."""
    found: dict[int, dict[str, int]] = {}
    for saving_id, version, amount in SavingAmount.objects.filter(
        version__saving__authority=authority, year_label=year_label, version__version__in=CURRENT_ORDER
    ).values_list("version__saving_id", "version__version", "amount"):
        found.setdefault(saving_id, {})[version] = amount
    # A re-profile that leaves this year out has moved the year's saving away: it is then not
    # planned this year, even though the approved profile had it.
    reprofiled = set(
        SavingVersion.objects.filter(saving__authority=authority, version=SavingVersion.Version.REPROFILED).values_list(
            "saving_id", flat=True
        )
    )
    out: dict[int, int] = {}
    for saving_id, by_version in found.items():
        if saving_id in reprofiled:
            if SavingVersion.Version.REPROFILED in by_version:
                out[saving_id] = by_version[SavingVersion.Version.REPROFILED]
        elif SavingVersion.Version.APPROVED in by_version:
            out[saving_id] = by_version[SavingVersion.Version.APPROVED]
    return out


def _latest_forecasts(*, authority: Authority, year_label: str) -> dict[int, int | None]:
    """saving id → forecast delivery (pence or None) of the latest reporting cycle for the FY."""
    latest: dict[int, int | None] = {}
    # Oldest first, so the latest cycle (by date, then by entry) overwrites earlier ones.
    for saving_id, forecast in (
        SavingUpdate.objects.filter(saving__authority=authority, year_label=year_label)
        .order_by("as_at", "id")
        .values_list("saving_id", "forecast_delivery")
    ):
        latest[saving_id] = forecast
    return latest


# ---------------------------------------------------------------------------------------------
# Long-form inputs for the engine's tracker figures
# ---------------------------------------------------------------------------------------------


def amounts_frame(*, authority: Authority) -> pd.DataFrame:
    """Every version's yearly amounts, long form: ref, version, year_label, amount (pence)."""
    rows = SavingAmount.objects.filter(version__saving__authority=authority).values_list(
        "version__saving__ref", "version__version", "year_label", "amount"
    )
    frame = pd.DataFrame.from_records(list(rows), columns=["ref", "version", "year_label", "amount"])
    frame["amount"] = frame["amount"].astype("int64")
    return frame


def current_amounts_frame(*, authority: Authority) -> pd.DataFrame:
    """The current profile of each saving (re-profile, else approved), labelled `reprofiled` so
    that the engine's version-based functions can read it as one version."""
    amounts = amounts_frame(authority=authority)
    has_reprofile = set(amounts.loc[amounts["version"] == SavingVersion.Version.REPROFILED, "ref"])
    current = amounts[
        (amounts["version"] == SavingVersion.Version.REPROFILED)
        | ((amounts["version"] == SavingVersion.Version.APPROVED) & ~amounts["ref"].isin(has_reprofile))
    ].copy()
    current["version"] = SavingVersion.Version.REPROFILED
    return current.reset_index(drop=True)


def register_frame(*, authority: Authority) -> pd.DataFrame:
    """One row per saving: what it is, its current status and RAG. Sorted by ref."""
    columns = [
        "id",
        "ref",
        "title",
        "service_area",
        "line_code",
        "saving_type",
        "owner",
        "status",
        "rag",
        "programme",
        "start_date",
        "full_year_effect",
    ]
    rows = (
        Saving.objects.filter(authority=authority)
        .order_by("ref")
        .values_list(
            "pk",
            "ref",
            "title",
            "service_area__name",
            "line__code",
            "saving_type",
            "owner",
            "status",
            "rag",
            "programme__code",
            "start_date",
            "full_year_effect",
        )
    )
    frame = pd.DataFrame.from_records(list(rows), columns=columns)
    frame["full_year_effect"] = nullable_pence(frame["full_year_effect"])
    return frame


def line_methods(*, authority: Authority) -> dict[str, str]:
    """How each line is forecast, in the words engine savings_delivery expects: placements and
    workforce lines are forecast from their drivers; other and income lines by their method."""
    methods = {}
    for code, category, method in BudgetLine.objects.filter(authority=authority).values_list(
        "code", "category", "method"
    ):
        if category == BudgetLine.Category.PLACEMENTS:
            methods[code] = "placements"
        elif category == BudgetLine.Category.WORKFORCE:
            methods[code] = "workforce"
        else:
            methods[code] = method
    return methods


def programme_benefits_frame(*, authority: Authority, delayed: bool = False) -> pd.DataFrame:
    """Every programme's benefit profiles, long form: programme, profile, year_label, benefit.

    With `delayed`, each profile is re-profiled for its programme's delayed start (engine
    delay_profile, FORECAST.md: the lifetime total is unchanged).
    """
    rows = ProgrammeBenefit.objects.filter(programme__authority=authority).values_list(
        "programme__code", "profile", "year_label", "amount"
    )
    frame = pd.DataFrame.from_records(list(rows), columns=["programme", "profile", "year_label", "benefit"])
    frame["benefit"] = frame["benefit"].astype("int64")
    if not delayed or frame.empty:
        return frame
    delays = dict(Programme.objects.filter(authority=authority).values_list("code", "delay_months"))
    parts = []
    for (code, profile), _group in frame.groupby(["programme", "profile"], sort=True):
        series = programme_benefits_by_year(frame, programme=str(code), profile=str(profile))
        shifted = delayed_profile_frame(series, int(delays.get(code, 0)))
        parts.append(
            pd.DataFrame(
                {
                    "programme": code,
                    "profile": profile,
                    "year_label": shifted["year_label"],
                    "benefit": shifted["reprofiled"],
                }
            )
        )
    out = pd.concat(parts, ignore_index=True)
    out["benefit"] = out["benefit"].astype("int64")
    return out
