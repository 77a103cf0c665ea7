"""One saving's history: its versions side by side, reporting cycles and mitigations."""

from __future__ import annotations

import pandas as pd

from forecasting.engine.calendar import parse_year_label
from savings.models import Mitigation, Saving, SavingAmount, SavingVersion
from savings.selectors.pence import nullable_pence


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
        "as_at",
        "year_label",
        "period",
        "status",
        "rag",
        "forecast_delivery",
        "narrative",
        "recorded_by__username",
        "recorded_at",
    )
    columns = [
        "as_at",
        "year_label",
        "period",
        "status",
        "rag",
        "forecast_delivery",
        "narrative",
        "recorded_by",
        "recorded_at",
    ]
    frame = pd.DataFrame.from_records(list(rows), columns=columns)
    frame["forecast_delivery"] = nullable_pence(frame["forecast_delivery"])
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
