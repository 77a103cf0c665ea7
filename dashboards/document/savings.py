"""Savings: the programme's savings one by one, and planned against forecast delivery by RAG and
by delivery status.

Input is the run's `savings` table for one scenario (ref, title, line_code, status, rag,
planned, forecast_delivery, shortfall in pence, added_to_outturn) and the savings vocabulary's
words (the savings models' choices, read by `reads.vocabulary`). Absorbed savings stay in the
list but not in the charts: they are counted in the programme that absorbed them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

import wording
from dashboards import charts
from dashboards.document.spec import Chart, chart, column, money, records

SECTION = "Savings"
ABSORBED = "absorbed"
NO_RAG = "No RAG"
RAG_ORDER = ("red", "amber", "green", "")  # the charts list the savings most at risk first
SAVINGS_COLUMNS = [
    column("ref", "Reference"),
    column("title", "Saving"),
    column("line_code", "Line"),
    column("status_label", "Status"),
    column("rag_label", "RAG"),
    column("planned", "Planned", "money"),
    column("forecast_delivery", "Forecast delivery", "money"),
    column("shortfall", "Shortfall", "money"),
    column("added_to_outturn", "In outturn"),
]


def rag_labels(rag_words: Mapping[str, str]) -> dict[str, str]:
    """RAG labels in chart order, with a saving that has none as 'No RAG'."""
    named = {"": NO_RAG, **rag_words}
    return {code: named.get(code, code) for code in RAG_ORDER}


def status_labels(status_words: Mapping[str, str]) -> dict[str, str]:
    """Delivery statuses in the savings vocabulary's order. An absorbed saving is just
    'Absorbed' here, as every published period has said: the programme is named elsewhere."""
    return {**status_words, ABSORBED: "Absorbed"}


def savings_rows(
    savings: pd.DataFrame, *, status_words: Mapping[str, str], rag_words: Mapping[str, str]
) -> list[dict[str, Any]]:
    """Every saving, absorbed ones too, with its status and RAG in words."""
    if savings.empty:
        return []
    statuses, rags = status_labels(status_words), rag_labels(rag_words)
    frame = savings.assign(
        status_label=savings["status"].map(lambda s: statuses.get(s, s)),
        rag_label=savings.get("rag", pd.Series([""] * len(savings))).fillna("").map(lambda r: rags.get(r, r)),
    )
    return records(frame, SAVINGS_COLUMNS)


def savings_charts(
    savings: pd.DataFrame, *, status_words: Mapping[str, str], rag_words: Mapping[str, str]
) -> list[Chart]:
    """Planned and forecast delivery by RAG, then by delivery status (in the order of
    `status_words`, the savings vocabulary's order)."""
    counted = savings[savings["status"] != ABSORBED] if not savings.empty else savings
    if counted.empty:
        return []
    out = []
    for key, field, labels, title in (
        ("savings-rag", "rag", rag_labels(rag_words), "Savings by RAG: planned and forecast delivery"),
        ("savings-status", "status", status_labels(status_words), "Savings by delivery status"),
    ):
        out.append(_grouped_chart(counted, key=key, field=field, labels=labels, title=title))
    return out


def _grouped_chart(savings: pd.DataFrame, *, key: str, field: str, labels: dict[str, str], title: str) -> Chart:
    planned, delivery = int(savings["planned"].sum()), int(savings["forecast_delivery"].sum())
    values = savings[field].fillna("") if field in savings.columns else pd.Series([""] * len(savings))
    order = list(labels)
    grouped = savings.assign(group=values).groupby("group")[["planned", "forecast_delivery", "shortfall"]].sum()
    grouped = grouped.reindex([g for g in order if g in grouped.index] + [g for g in grouped.index if g not in order])
    grouped = grouped.reset_index().rename(columns={"index": "group"})
    grouped["label"] = grouped["group"].map(lambda g: labels.get(g, g))
    grouped["savings"] = values.groupby(values).size().reindex(grouped["group"]).fillna(0).to_numpy()
    parts = "; ".join(
        f"{lab} {money(p)} planned, {money(d)} forecast"
        for lab, p, d in zip(grouped["label"], grouped["planned"], grouped["forecast_delivery"], strict=True)
    )
    summary = (
        f"Savings planned {money(planned)}, forecast to deliver {money(delivery)} "
        f"({wording.percent(delivery / planned * 100 if planned else 0)}), shortfall {money(planned - delivery)}. "
        f"{parts}."
    )
    columns = [
        column("label", "RAG" if field == "rag" else "Status"),
        column("savings", "Savings", "integer"),
        column("planned", "Planned", "money"),
        column("forecast_delivery", "Forecast delivery", "money"),
        column("shortfall", "Shortfall", "money"),
    ]
    return chart(
        key,
        SECTION,
        title,
        summary,
        grouped,
        columns,
        lambda f: charts.money_bars_figure(
            f, category="label", series=(("planned", "Planned"), ("forecast_delivery", "Forecast delivery"))
        ),
        caption=title + " (absorbed savings are counted in their programme)",
    )
