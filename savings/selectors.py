"""Reads of the savings tracker for pages, exports and the forecast engine.

Every figure is a pandas DataFrame built here and nowhere else, so a page and its CSV/XLSX
download show the same numbers. The arithmetic is the engine's (forecasting/engine/savings.py);
these functions only fetch rows (values_list, no model instances) and hand them over.
Money is integer pence throughout; exports convert to pounds at the last moment.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pandas as pd
from django.http import Http404

from accounts.models import Authority
from forecasting.engine.calendar import parse_year_label
from forecasting.engine.savings import (
    PROGRAMME_PROFILES,
    SavingsError,
    cumulative_benefit,
    delayed_profile_frame,
    delivery_summary,
    key_decisions,
    payback_year,
    programme_benefits_by_year,
    programme_summary,
    return_on_investment,
    savings_delivery,
    savings_totals_by_year,
    version_differences,
    version_differences_by_year,
)
from forecasting.models import BudgetLine, FinancialYear
from savings.models import (
    MediumTermPlan,
    Mitigation,
    Programme,
    ProgrammeBenefit,
    ProgrammeCost,
    ProgrammeInvestment,
    Saving,
    SavingAmount,
    SavingUpdate,
    SavingVersion,
    Status,
)

SAVINGS_FRAME_COLUMNS = [
    "ref", "title", "line_code", "status", "rag", "programme", "planned", "forecast_delivery", "service_area",
]
# The version whose amounts are "planned" now: a re-profile replaces the approved profile.
CURRENT_ORDER = (SavingVersion.Version.REPROFILED, SavingVersion.Version.APPROVED)


# ---------------------------------------------------------------------------------------------
# Single objects, scoped to the authority (another authority's id is simply not found)
# ---------------------------------------------------------------------------------------------


def plan_for(*, authority: Authority) -> MediumTermPlan | None:
    return MediumTermPlan.objects.filter(authority=authority).first()


def saving_for(*, authority: Authority, saving_id: int) -> Saving:
    try:
        return Saving.objects.select_related("service_area", "line", "programme").get(
            pk=saving_id, authority=authority
        )
    except Saving.DoesNotExist:
        raise Http404("No such saving") from None


def programme_for(*, authority: Authority, programme_id: int) -> Programme:
    try:
        return Programme.objects.get(pk=programme_id, authority=authority)
    except Programme.DoesNotExist:
        raise Http404("No such programme") from None


def default_year(*, authority: Authority, plan: MediumTermPlan | None) -> str | None:
    """The year the tracker opens on: the latest budget year when it is in the plan, else the
    plan's first year."""
    latest = FinancialYear.objects.filter(authority=authority).order_by("-start_year").values_list("label", flat=True)
    label = latest.first()
    if plan is None:
        return label
    return label if label in plan.years else plan.first_year


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
        SavingVersion.objects.filter(saving__authority=authority, version=SavingVersion.Version.REPROFILED)
        .values_list("saving_id", flat=True)
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
    for saving_id, forecast in SavingUpdate.objects.filter(
        saving__authority=authority, year_label=year_label
    ).order_by("as_at", "id").values_list("saving_id", "forecast_delivery"):
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
    columns = ["id", "ref", "title", "service_area", "line_code", "saving_type", "owner", "status", "rag",
               "programme", "start_date", "full_year_effect"]
    rows = Saving.objects.filter(authority=authority).order_by("ref").values_list(
        "pk", "ref", "title", "service_area__name", "line__code", "saving_type", "owner", "status", "rag",
        "programme__code", "start_date", "full_year_effect",
    )
    frame = pd.DataFrame.from_records(list(rows), columns=columns)
    frame["full_year_effect"] = _nullable_pence(frame["full_year_effect"])
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
        parts.append(pd.DataFrame({
            "programme": code, "profile": profile, "year_label": shifted["year_label"],
            "benefit": shifted["reprofiled"],
        }))
    out = pd.concat(parts, ignore_index=True)
    out["benefit"] = out["benefit"].astype("int64")
    return out


# ---------------------------------------------------------------------------------------------
# The tracker
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrackerFilters:
    status: str = ""
    rag: str = ""
    service_area: str = ""

    def apply(self, frame: pd.DataFrame) -> pd.DataFrame:
        if self.status:
            frame = frame[frame["status"] == self.status]
        if self.rag:
            # "none" picks savings with no RAG of their own (absorbed ones).
            frame = frame[frame["rag"].isna()] if self.rag == "none" else frame[frame["rag"] == self.rag]
        if self.service_area:
            frame = frame[frame["service_area"] == self.service_area]
        return frame.reset_index(drop=True)


def delivery_frame(
    *, authority: Authority, year_label: str, filters: TrackerFilters = TrackerFilters(),
    delivery_rates: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """The tracker for one FY: per saving planned, forecast delivery, shortfall (engine
    savings_delivery), then mitigated (Σ mitigations that year), net shortfall (shortfall −
    mitigated, never below 0) and key decision. Delivery rates default to FORECAST.md's."""
    frame = savings_frame(authority=authority, year_label=year_label)
    delivery = savings_delivery(
        frame, year_label=year_label, delivery_rates=dict(delivery_rates or {}),
        line_methods=line_methods(authority=authority),
    )
    ids = dict(Saving.objects.filter(authority=authority).values_list("ref", "pk"))
    delivery.insert(0, "id", delivery["ref"].map(ids))
    mitigated: dict[str, int] = {}
    for ref, amount in Mitigation.objects.filter(saving__authority=authority, year_label=year_label).values_list(
        "saving__ref", "amount"
    ):
        mitigated[ref] = mitigated.get(ref, 0) + int(amount)
    delivery["mitigated"] = delivery["ref"].map(lambda r: mitigated.get(r, 0)).astype("int64")
    # Only a real shortfall needs covering; absorbed rows carry 0 (engine), so they net to 0.
    delivery["net_shortfall"] = (delivery["shortfall"].clip(lower=0) - delivery["mitigated"]).clip(lower=0)
    keys = key_decision_frame(authority=authority)
    delivery["key_decision"] = delivery["ref"].map(dict(zip(keys["ref"], keys["key_decision"], strict=True)))
    delivery["key_decision"] = delivery["key_decision"].fillna(False).astype(bool)
    return filters.apply(delivery)


def delivery_by(delivery: pd.DataFrame, *, by: str | None) -> pd.DataFrame:
    """Delivered, forecast and shortfall in total, by status or by service area (engine
    delivery_summary; absorbed savings are not in any row), with mitigation and net shortfall."""
    summary = delivery_summary(delivery, by=by)
    live = delivery[delivery["status"] != Status.ABSORBED]
    if by is None:
        summary["mitigated"] = int(live["mitigated"].sum())
        summary["net_shortfall"] = int(live["net_shortfall"].sum())
    else:
        extra = live.groupby(by, dropna=False)[["mitigated", "net_shortfall"]].sum()
        summary["mitigated"] = summary[by].map(extra["mitigated"]).fillna(0).astype("int64")
        summary["net_shortfall"] = summary[by].map(extra["net_shortfall"]).fillna(0).astype("int64")
    return summary


def key_decision_frame(*, authority: Authority) -> pd.DataFrame:
    """Key decisions (engine key_decisions, £750,000 or more in any year), judged on each
    saving's latest profile: the re-profile, else the approved, else the consultation proposal."""
    amounts = amounts_frame(authority=authority)
    order = {SavingVersion.Version.REPROFILED: 0, SavingVersion.Version.APPROVED: 1,
             SavingVersion.Version.CONSULTATION: 2}
    if amounts.empty:
        return key_decisions(amounts)
    best = amounts.assign(_rank=amounts["version"].map(order)).groupby("ref")["_rank"].transform("min")
    latest = amounts[amounts["version"].map(order) == best]
    return key_decisions(latest[["ref", "year_label", "amount"]])


def totals_by_year(*, authority: Authority, basis: str = "approved") -> pd.DataFrame:
    """Savings per FY across the plan (engine savings_totals_by_year): gross, absorbed, net of
    absorbed, programme target benefit and the total counted once.

    basis "approved": approved profiles and programmes' approved target profiles.
    basis "current": re-profiles where there are any, and programmes re-profiled for a
    delayed start.
    """
    register = register_frame(authority=authority)
    if basis == "current":
        amounts, version = current_amounts_frame(authority=authority), SavingVersion.Version.REPROFILED
        benefits = programme_benefits_frame(authority=authority, delayed=True)
    else:
        amounts, version = amounts_frame(authority=authority), SavingVersion.Version.APPROVED
        benefits = programme_benefits_frame(authority=authority)
    return savings_totals_by_year(
        amounts, register[["ref", "status"]], version=version, programme_benefits=benefits, profile="target"
    )


def differences_by_year(*, authority: Authority, from_version: str = "consultation",
                        to_version: str = "approved") -> pd.DataFrame:
    """Consultation → approved (or any two versions) by FY, absorbed savings left out."""
    register = register_frame(authority=authority)
    return version_differences_by_year(
        amounts_frame(authority=authority), register[["ref", "status"]], from_version=from_version,
        to_version=to_version,
    )


def differences_by_saving(*, authority: Authority, from_version: str = "consultation",
                          to_version: str = "approved") -> pd.DataFrame:
    return version_differences(amounts_frame(authority=authority), from_version=from_version, to_version=to_version)


def programmes_frame(*, authority: Authority) -> pd.DataFrame:
    """One row per programme: investment, lifetime target and stretch benefit, absorbed savings."""
    investment: dict[int, int] = {}
    for pid, amount in ProgrammeInvestment.objects.filter(programme__authority=authority).values_list(
        "programme_id", "amount"
    ):
        investment[pid] = investment.get(pid, 0) + int(amount)
    lifetime: dict[tuple[int, str], int] = {}
    for pid, profile, amount in ProgrammeBenefit.objects.filter(programme__authority=authority).values_list(
        "programme_id", "profile", "amount"
    ):
        lifetime[(pid, profile)] = lifetime.get((pid, profile), 0) + int(amount)
    absorbed: dict[int, int] = {}
    for pid in Saving.objects.filter(authority=authority, status=Status.ABSORBED).values_list(
        "programme_id", flat=True
    ):
        absorbed[pid] = absorbed.get(pid, 0) + 1
    records = [
        {"id": pid, "programme": code, "name": name, "first_year": first, "delay_months": delay,
         "investment": investment.get(pid, 0), "target_lifetime": lifetime.get((pid, "target"), 0),
         "stretch_lifetime": lifetime.get((pid, "stretch"), 0), "absorbed_savings": absorbed.get(pid, 0)}
        for pid, code, name, first, delay in Programme.objects.filter(authority=authority).values_list(
            "pk", "code", "name", "first_year", "delay_months"
        )
    ]
    columns = ["id", "programme", "name", "first_year", "delay_months", "investment", "target_lifetime",
               "stretch_lifetime", "absorbed_savings"]
    return pd.DataFrame.from_records(records, columns=columns)


# ---------------------------------------------------------------------------------------------
# One saving's history
# ---------------------------------------------------------------------------------------------


def saving_profiles_frame(*, saving: Saving) -> pd.DataFrame:
    """The saving's versions side by side by FY (pence; <NA> where a version has no amount)."""
    rows = SavingAmount.objects.filter(version__saving=saving).values_list("year_label", "version__version", "amount")
    frame = pd.DataFrame.from_records(list(rows), columns=["year_label", "version", "amount"])
    versions = [v for v in SavingVersion.Version.values if v in set(frame["version"])]
    if frame.empty:
        return pd.DataFrame(columns=["year_label"])
    wide = frame.pivot(index="year_label", columns="version", values="amount")
    wide = wide.reindex(sorted(wide.index, key=parse_year_label))[versions].reset_index()
    for version in versions:
        wide[version] = wide[version].astype("Int64")
    wide.columns.name = None
    return wide


def saving_history_frame(*, saving: Saving) -> pd.DataFrame:
    """The dated reporting cycles, newest first."""
    rows = saving.updates.order_by("-as_at", "-id").values_list(
        "as_at", "year_label", "period", "status", "rag", "forecast_delivery", "narrative", "recorded_by__username",
        "recorded_at",
    )
    columns = ["as_at", "year_label", "period", "status", "rag", "forecast_delivery", "narrative", "recorded_by",
               "recorded_at"]
    frame = pd.DataFrame.from_records(list(rows), columns=columns)
    frame["forecast_delivery"] = _nullable_pence(frame["forecast_delivery"])
    frame["recorded_at"] = [v.date() if hasattr(v, "date") else v for v in frame["recorded_at"]]
    return frame


def saving_versions_meta(*, saving: Saving) -> list[SavingVersion]:
    return list(saving.versions.order_by("created_at", "id"))


def saving_mitigations_frame(*, saving: Saving) -> pd.DataFrame:
    rows = saving.mitigations.order_by("year_label", "id").values_list(
        "year_label", "amount", "source", "description", "recorded_by__username", "recorded_at"
    )
    frame = pd.DataFrame.from_records(
        list(rows), columns=["year_label", "amount", "source", "description", "recorded_by", "recorded_at"]
    )
    frame["source"] = frame["source"].map(lambda s: Mitigation.Source(s).label if s else s)
    frame["recorded_at"] = [v.date() if hasattr(v, "date") else v for v in frame["recorded_at"]]
    return frame


# ---------------------------------------------------------------------------------------------
# A programme
# ---------------------------------------------------------------------------------------------


@dataclass
class ProgrammeFigures:
    profiles: pd.DataFrame  # year_label, target, target_reprofiled, stretch, stretch_reprofiled
    summary: pd.DataFrame | None  # engine programme_summary of the chosen profile and basis
    investment: int
    cumulative: int  # pence over the window
    roi: float | None  # cumulative / investment over the window
    payback: str | None  # first FY cumulative benefit ≥ hurdle × investment
    hurdle: Decimal
    window: tuple[str | None, str | None]
    profile: str
    basis: str
    problems: list[str]


def programme_figures(
    *, programme: Programme, profile: str = "target", basis: str = "reprofiled", first_year: str | None = None,
    last_year: str | None = None, hurdle: Decimal | None = None,
) -> ProgrammeFigures:
    """A programme's profiles (approved and re-profiled for the delayed start, side by side),
    the programme table, cumulative benefit over a window, return on investment and payback.

    The window limits the cumulative benefit and the ratio (engine cumulative_benefit,
    return_on_investment); payback counts from the programme's first year, since a programme
    pays back on everything it has delivered, not only inside a window.
    """
    if profile not in PROGRAMME_PROFILES:
        profile = "target"
    basis = basis if basis in ("original", "reprofiled") else "reprofiled"
    hurdle = Decimal(programme.hurdle if hurdle is None else hurdle)
    rows = list(ProgrammeBenefit.objects.filter(programme=programme).values_list(
        "profile", "year_label", "amount"))
    benefits = pd.DataFrame.from_records(
        [(programme.code, p, y, a) for p, y, a in rows], columns=["programme", "profile", "year_label", "benefit"]
    )
    costs = dict(ProgrammeCost.objects.filter(programme=programme).values_list("year_label", "amount"))
    investment = sum(ProgrammeInvestment.objects.filter(programme=programme).values_list("amount", flat=True))
    problems: list[str] = []
    side: pd.DataFrame | None = None
    chosen: pd.Series | None = None
    for name in PROGRAMME_PROFILES:
        if benefits.empty or name not in set(benefits["profile"]):
            continue
        series = programme_benefits_by_year(benefits, programme=programme.code, profile=name)
        delayed = delayed_profile_frame(series, int(programme.delay_months))
        part = delayed[["year_label", "original", "reprofiled"]].rename(
            columns={"original": name, "reprofiled": f"{name}_reprofiled"}
        )
        side = part if side is None else side.merge(part, on="year_label", how="outer")
        if name == profile:
            chosen = series if basis == "original" else pd.Series(
                delayed["reprofiled"].to_numpy(), index=pd.Index(delayed["year_label"], name="year_label"),
                dtype="int64",
            )
    if side is None:
        side = pd.DataFrame(columns=["year_label"])
        problems.append(f"the programme has no {profile} benefit profile yet")
    else:
        side = side.sort_values("year_label", key=lambda s: s.map(parse_year_label)).reset_index(drop=True)
        for column in side.columns[1:]:
            side[column] = side[column].fillna(0).astype("int64")
    summary = None
    cumulative = 0
    roi: float | None = None
    payback: str | None = None
    if chosen is not None:
        try:
            cumulative = cumulative_benefit(chosen, first_year=first_year, last_year=last_year)
        except SavingsError as error:
            problems.append(str(error))
        if investment > 0:
            summary = programme_summary(chosen, investment=investment, implementation_costs=costs or None)
            roi = return_on_investment(cumulative, investment)
            payback = payback_year(chosen, investment=investment, hurdle=float(hurdle))
        else:
            problems.append("no investment is recorded, so there is no return on investment or payback year")
    elif side is not None and not problems:
        problems.append(f"the programme has no {profile} benefit profile yet")
    return ProgrammeFigures(
        profiles=side, summary=summary, investment=int(investment), cumulative=int(cumulative), roi=roi,
        payback=payback, hurdle=hurdle, window=(first_year, last_year), profile=profile, basis=basis,
        problems=problems,
    )


def programme_investments_frame(*, programme: Programme) -> pd.DataFrame:
    rows = programme.investments.values_list("description", "amount", "funding_source")
    return pd.DataFrame.from_records(list(rows), columns=["description", "amount", "funding_source"])


def programme_savings_frame(*, programme: Programme) -> pd.DataFrame:
    """Savings linked to the programme, absorbed or belonging to it."""
    rows = programme.savings.order_by("ref").values_list("pk", "ref", "title", "status", "service_area__name")
    return pd.DataFrame.from_records(list(rows), columns=["id", "ref", "title", "status", "service_area"])


# ---------------------------------------------------------------------------------------------
# Exports
# ---------------------------------------------------------------------------------------------


def for_export(frame: pd.DataFrame, *, money: list[str], drop: tuple[str, ...] = ("id",)) -> pd.DataFrame:
    """The same frame for CSV/XLSX: money columns as pounds with pence (Decimal), ids dropped."""
    out = frame.drop(columns=[c for c in drop if c in frame.columns]).copy()
    for column in money:
        if column in out.columns:
            out[column] = [_pounds_or_none(v) for v in out[column]]
    return out


def _nullable_pence(values: pd.Series) -> pd.Series:
    """Pence that may be missing, as Int64 (a float column would lose pence above 2**53)."""
    return pd.Series(pd.array([None if _is_missing(v) else int(v) for v in values], dtype="Int64"),
                     index=values.index)


def _is_missing(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value))


def _pounds_or_none(value: Any) -> Decimal | None:
    if _is_missing(value):
        return None
    return (Decimal(int(value)) / 100).quantize(Decimal("0.01"))
