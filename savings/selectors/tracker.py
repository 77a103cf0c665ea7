"""The tracker's figures: delivery in a year, totals and differences across the plan, programmes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from accounts.models import Authority
from forecasting.engine.savings import (
    delivery_summary,
    key_decisions,
    savings_delivery,
    savings_totals_by_year,
    version_differences,
    version_differences_by_year,
)
from savings.models import Mitigation, Programme, ProgrammeBenefit, ProgrammeInvestment, Saving, SavingVersion, Status
from savings.selectors.frames import (
    amounts_frame,
    current_amounts_frame,
    line_methods,
    programme_benefits_frame,
    register_frame,
    savings_frame,
)


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
    *,
    authority: Authority,
    year_label: str,
    filters: TrackerFilters = TrackerFilters(),
    delivery_rates: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """The tracker for one FY: per saving planned, forecast delivery, shortfall (engine
    savings_delivery), then mitigated (Σ mitigations that year), net shortfall (shortfall −
    mitigated, never below 0) and key decision. Delivery rates default to FORECAST.md's."""
    frame = savings_frame(authority=authority, year_label=year_label)
    delivery = savings_delivery(
        frame,
        year_label=year_label,
        delivery_rates=dict(delivery_rates or {}),
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
    order = {
        SavingVersion.Version.REPROFILED: 0,
        SavingVersion.Version.APPROVED: 1,
        SavingVersion.Version.CONSULTATION: 2,
    }
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


def differences_by_year(
    *, authority: Authority, from_version: str = "consultation", to_version: str = "approved"
) -> pd.DataFrame:
    """Consultation → approved (or any two versions) by FY, absorbed savings left out."""
    register = register_frame(authority=authority)
    return version_differences_by_year(
        amounts_frame(authority=authority),
        register[["ref", "status"]],
        from_version=from_version,
        to_version=to_version,
    )


def differences_by_saving(
    *, authority: Authority, from_version: str = "consultation", to_version: str = "approved"
) -> pd.DataFrame:
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
        {
            "id": pid,
            "programme": code,
            "name": name,
            "first_year": first,
            "delay_months": delay,
            "investment": investment.get(pid, 0),
            "target_lifetime": lifetime.get((pid, "target"), 0),
            "stretch_lifetime": lifetime.get((pid, "stretch"), 0),
            "absorbed_savings": absorbed.get(pid, 0),
        }
        for pid, code, name, first, delay in Programme.objects.filter(authority=authority).values_list(
            "pk", "code", "name", "first_year", "delay_months"
        )
    ]
    columns = [
        "id",
        "programme",
        "name",
        "first_year",
        "delay_months",
        "investment",
        "target_lifetime",
        "stretch_lifetime",
        "absorbed_savings",
    ]
    return pd.DataFrame.from_records(records, columns=columns)
