"""Reads of forecast runs for pages: headline, lines by service, movement since the previous run."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from django.db.models import Sum
from django.http import Http404

from accounts.models import Authority
from forecast_runs.exports import run_table_frame
from forecasting.engine.scenarios import REPORTED_SCENARIO, SCENARIO_ORDER
from forecasting.models import FinancialYear, ForecastLineResult, ForecastRun


def run_for(*, authority: Authority, run_id: int) -> ForecastRun:
    try:
        return ForecastRun.objects.select_related("year", "requested_by").get(pk=run_id, authority=authority)
    except ForecastRun.DoesNotExist:
        raise Http404("No such forecast run") from None


def latest_finished_run(
    *, authority: Authority, year: FinancialYear, before: ForecastRun | None = None
) -> ForecastRun | None:
    runs = ForecastRun.objects.filter(authority=authority, year=year, status=ForecastRun.Status.SUCCEEDED)
    if before is not None:
        runs = runs.filter(finished_at__lt=before.finished_at) if before.finished_at else runs.filter(pk__lt=before.pk)
    return runs.order_by("-finished_at", "-id").first()


@dataclass
class Headline:
    scenario: str
    budget: int
    outturn: int
    likely_low: int | None = None  # the likely (10–90%) range of the outturn, pence
    likely_high: int | None = None

    @property
    def has_range(self) -> bool:
        """A range wider than £0 to show."""
        return self.likely_low is not None and self.likely_high is not None and self.likely_low != self.likely_high

    @property
    def variance(self) -> int:
        return self.outturn - self.budget

    @property
    def variance_pct(self) -> float | None:
        return round(self.variance / abs(self.budget) * 100, 2) if self.budget else None


def headlines(run: ForecastRun) -> list[Headline]:
    totals = {
        row["scenario"]: row
        for row in ForecastLineResult.objects.filter(run=run)
        .values("scenario")
        .annotate(budget=Sum("annual_budget"), outturn=Sum("forecast_outturn"))
    }
    names = [s for s in SCENARIO_ORDER if s in totals] + sorted(s for s in totals if s not in SCENARIO_ORDER)
    ranges = department_ranges(run)
    return [
        Headline(name, int(totals[name]["budget"]), int(totals[name]["outturn"]), *ranges.get(name, (None, None)))
        for name in names
    ]


def department_ranges(run: ForecastRun) -> dict[str, tuple[int, int]]:
    """The department's likely outturn range (low, high; pence) by scenario, from the run's
    stored outturn ranges (the reported scenario only; nothing for a run made before them)."""
    frame = run_table_frame(run, "outturn_ranges")
    if frame.empty:
        return {}
    rows = frame[frame["level"] == "department"]
    return {
        str(name): (min(int(low), int(high)), max(int(low), int(high)))
        for name, low, high in zip(rows["scenario"], rows["outturn_p10"], rows["outturn_p90"], strict=True)
    }


def lines_by_service(run: ForecastRun, scenario: str) -> list[dict[str, object]]:
    """Service areas with their lines and subtotals, for one scenario."""
    rows = list(ForecastLineResult.objects.filter(run=run, scenario=scenario).order_by("service_area", "line_code"))
    services: dict[str, dict[str, object]] = {}
    for row in rows:
        group = services.setdefault(
            row.service_area,
            {"name": row.service_area, "lines": [], "budget": 0, "actual_ytd": 0, "outturn": 0, "variance": 0},
        )
        group["lines"].append(row)  # type: ignore[attr-defined]
        group["budget"] = int(group["budget"]) + row.annual_budget  # type: ignore[call-overload]
        group["actual_ytd"] = int(group["actual_ytd"]) + row.actual_ytd  # type: ignore[call-overload]
        group["outturn"] = int(group["outturn"]) + row.forecast_outturn  # type: ignore[call-overload]
        group["variance"] = int(group["variance"]) + row.variance  # type: ignore[call-overload]
    return list(services.values())


def movement_since(run: ForecastRun, previous: ForecastRun | None, scenario: str = REPORTED_SCENARIO) -> pd.DataFrame:
    """Per line: outturn now, outturn in the previous run, and the movement (pence)."""
    now = pd.DataFrame(
        list(
            ForecastLineResult.objects.filter(run=run, scenario=scenario).values(
                "line_code", "line_name", "forecast_outturn"
            )
        )
    )
    if now.empty:
        return pd.DataFrame(columns=["line_code", "line_name", "outturn", "previous", "movement"])
    now = now.rename(columns={"forecast_outturn": "outturn"})
    if previous is None:
        now["previous"] = None
        now["movement"] = None
        return now
    before = pd.DataFrame(
        list(ForecastLineResult.objects.filter(run=previous, scenario=scenario).values("line_code", "forecast_outturn"))
    ).rename(columns={"forecast_outturn": "previous"})
    merged = now.merge(before, on="line_code", how="left")
    merged["movement"] = merged["outturn"] - merged["previous"].fillna(0).astype("int64")
    return merged


def table(run: ForecastRun, name: str, scenario: str | None = None) -> pd.DataFrame:
    frame = run_table_frame(run, name)
    if scenario and not frame.empty and "scenario" in frame.columns:
        frame = frame[frame["scenario"] == scenario]
    return frame
