"""Forecast accuracy: how each period's forecast of the department's outturn (reported scenario)
compared with the year's outturn, the period-12 forecast once a year has closed, else its latest
forecast.

Inputs are plain values read by `reads.accuracy_inputs`: the finished runs that count, which run
was published for each period, and each run's department total.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import pandas as pd

import wording
from dashboards import charts
from dashboards.document.spec import Chart, chart, column
from forecasting.engine.calendar import FinancialYear as Calendar
from forecasting.engine.scenarios import REPORTED_SCENARIO

YEARS_SHOWN = 4


@dataclass(frozen=True)
class RunMade:
    """A finished run: its id, year label, as-at period and when it finished."""

    run_id: int
    year: str
    period: int
    finished_at: datetime | None


@dataclass(frozen=True)
class AccuracyInputs:
    runs: Sequence[RunMade]
    # (year label, period) -> the run of the period's newest published version
    published: Mapping[tuple[str, int], int] = field(default_factory=dict)
    # run id -> the department's forecast outturn in the reported scenario, pence
    totals: Mapping[int, int] = field(default_factory=dict)


def forecasts_by_period(inputs: AccuracyInputs) -> dict[tuple[str, int], RunMade]:
    """The run that stands for each (year, period): its published run when there is one, else
    its latest finished run; runs without department figures are left out."""
    chosen: dict[tuple[str, int], RunMade] = {}
    for run in sorted(inputs.runs, key=lambda r: (r.finished_at is None, r.finished_at, r.run_id)):
        if run.run_id not in inputs.totals:
            continue
        pinned = inputs.published.get((run.year, run.period))
        if pinned is not None and pinned != run.run_id and pinned in inputs.totals:
            continue
        chosen[(run.year, run.period)] = run  # later finished runs replace earlier ones
    return chosen


def accuracy_frame(inputs: AccuracyInputs) -> pd.DataFrame:
    """For each of the last YEARS_SHOWN years, each period's forecast against the reference (the
    outturn at period 12, else the latest forecast): year, period, forecast, reference,
    reference_kind, difference (pence) and difference_pct (2 places). Empty with fewer than two
    forecasts."""
    chosen = forecasts_by_period(inputs)
    if len(chosen) < 2:
        return pd.DataFrame()
    records = []
    labels = sorted({k[0] for k in chosen}, key=lambda label: Calendar.from_label(label).start_year)[-YEARS_SHOWN:]
    for label in labels:
        periods = sorted(p for y, p in chosen if y == label)
        final = chosen[(label, periods[-1])]
        kind = "outturn" if periods[-1] == 12 else f"latest forecast (P{periods[-1]})"
        reference = int(inputs.totals[final.run_id])
        for p in periods:
            value = int(inputs.totals[chosen[(label, p)].run_id])
            records.append(
                {
                    "year": label,
                    "period": p,
                    "forecast": value,
                    "reference": reference,
                    "reference_kind": kind,
                    "difference": value - reference,
                    "difference_pct": round((value - reference) / abs(reference) * 100, 2) if reference else None,
                }
            )
    return pd.DataFrame(records)


def accuracy_chart(inputs: AccuracyInputs) -> Chart | None:
    """The accuracy chart, or None until some earlier period's forecast can be compared."""
    frame = accuracy_frame(inputs)
    if frame.empty:
        return None
    errors = frame[frame["period"] < frame.groupby("year")["period"].transform("max")]
    if errors.empty:
        return None
    labels = list(dict.fromkeys(frame["year"]))
    mean_abs = errors["difference_pct"].abs().mean()
    summary = (
        f"Forecasts of {', '.join(labels)} made at {len(errors)} earlier periods were on average "
        f"{wording.percent(mean_abs)} away from the outturn (or, for a year still open, from its latest forecast)."
    )
    columns = [
        column("year", "Year"),
        column("period", "Forecast made at period", "integer"),
        column("forecast", "Forecast outturn", "money"),
        column("reference", "Outturn or latest", "money"),
        column("reference_kind", "Compared with"),
        column("difference", "Difference", "money"),
        column("difference_pct", "Difference %", "percent"),
    ]
    return chart(
        "accuracy",
        "Forecast accuracy",
        "Forecast accuracy: each period's forecast against the outturn",
        summary,
        frame,
        columns,
        charts.accuracy_figure,
        caption=f"Department forecast outturn ({REPORTED_SCENARIO} scenario) made at each period, against the outturn",
    )
