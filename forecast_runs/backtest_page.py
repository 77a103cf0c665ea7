"""The back-test page's tables: the method each forecast uses (with its range), each method's
errors for each placement type, the share of outcomes inside the ranges and every method's error
by months ahead, for the page and for its CSV and XLSX downloads."""

from __future__ import annotations

from typing import Any

import pandas as pd

import wording
from core.spreadsheet import Title, declare
from forecast_runs.backtests import SHOWN_HORIZONS
from forecast_runs.demand.methods import LABELS as METHOD_WORDS
from forecast_runs.demand.methods import METHODS
from forecast_runs.demand.series import TOTAL
from forecasting.models import BacktestReport, PlacementType

HORIZONS = (1, 3, 6, 12)
TABLE_WORDS = {
    "chosen": "Back-test: the method each forecast uses, and its range",
    "errors": "Back-test: error by method for each placement type",
    "coverage": "Back-test: share of outcomes inside the chosen methods' ranges",
    "accuracy": "Back-test: error by method and months ahead",
}


def _ahead(h: int) -> str:
    return f"{h} month{'s' if h != 1 else ''} ahead"


def type_names() -> dict[str, str]:
    return {TOTAL: "All children in placements", **dict(PlacementType.objects.values_list("code", "name"))}


def accuracy_rows(report: BacktestReport) -> list[dict[str, Any]]:
    """Every method's error at 1, 3, 6 and 12 months ahead (the page's last table)."""
    by_method: dict[str, dict[int, dict[str, object]]] = {}
    for row in report.summary:
        by_method.setdefault(str(row["method_name"]), {})[int(row["horizon"])] = row
    return [{"method": name, "cells": [horizons.get(h, {}) for h in HORIZONS]} for name, horizons in by_method.items()]


def choices(report: BacktestReport, names: dict[str, str]) -> list[dict[str, object]]:
    """Per type (the total last): the method chosen in words, its sentence and its interval at
    1, 3, 6 and 12 months as "from x% below to y% above"."""
    order = sorted(report.choices or {}, key=lambda code: (code == TOTAL, names.get(code, code)))
    out = []
    for code in order:
        choice = report.choices[code]
        bands = (report.intervals or {}).get(code, {})
        errors = choice.get("errors", {})
        out.append(
            {
                "series": names.get(code, code),
                "method": METHOD_WORDS.get(str(choice["method"]), str(choice["method"])),
                "reason": choice["reason"],
                "bands": [band_words(bands.get(str(h))) for h in SHOWN_HORIZONS],
                "errors": [
                    {
                        "method": METHOD_WORDS.get(method, method),
                        "cells": [errors[method].get(str(h)) for h in SHOWN_HORIZONS],
                    }
                    for method in METHODS
                    if method in errors
                ],
            }
        )
    return out


def reported_words(report: BacktestReport) -> str:
    """How a run shows the number of children, and why (the back-test's own sentence)."""
    reported = (report.choices or {}).get(TOTAL, {}).get("reported") or {}
    return str(reported.get("reason") or "")


def band_words(band: list[float] | None) -> str:
    if band is None:
        return ""
    return f"{wording.percent((1 - band[0]) * 100)} below to {wording.percent((band[1] - 1) * 100)} above"


def latest_report(reports: list[BacktestReport]) -> BacktestReport | None:
    return next((r for r in reports if r.status == BacktestReport.Status.SUCCEEDED), None)


def backtest_tables(report: BacktestReport) -> dict[str, pd.DataFrame]:
    """The page's tables as frames, headers in words, errors and shares as percentages."""
    chosen = choices(report, type_names())
    ahead = [_ahead(h) for h in SHOWN_HORIZONS]
    tables = {
        "chosen": pd.DataFrame(
            [[c["series"], c["method"], c["reason"], *(b or "no range" for b in c["bands"])] for c in chosen],  # type: ignore[attr-defined]
            columns=["Placements", "Method chosen", "Why", *(f"Range {a}" for a in ahead)],
        ),
        "errors": declare(
            pd.DataFrame(
                [[c["series"], e["method"], *e["cells"]] for c in chosen for e in c["errors"]],  # type: ignore[attr-defined]
                columns=["Placements", "Method", *(f"Error {a}" for a in ahead)],
            ),
            percent=[f"Error {a}" for a in ahead],
        ),
        "coverage": declare(
            pd.DataFrame(
                [
                    [c["horizon"], c["forecasts"], c.get("before"), c.get("after")]
                    for c in report.interval_coverage or []
                ],
                columns=["Months ahead", "Forecasts", "Inside before calibration", "Inside after calibration"],
            ),
            share=["Inside before calibration", "Inside after calibration"],
        ),
        "accuracy": declare(
            pd.DataFrame(
                [[row["method"], *(cell.get("mape") for cell in row["cells"])] for row in accuracy_rows(report)],
                columns=["Method", *(f"Error {_ahead(h)}" for h in HORIZONS)],
            ),
            percent=[f"Error {_ahead(h)}" for h in HORIZONS],
        ),
    }
    return tables


def backtest_title(authority_name: str, report: BacktestReport, name: str) -> Title:
    return Title(authority_name, TABLE_WORDS[name], f"As at {report.as_at.day} {report.as_at:%B %Y}")
