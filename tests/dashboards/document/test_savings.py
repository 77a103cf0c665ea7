"""The savings part: the list of savings and planned against forecast delivery by RAG and status,
from a hand-made savings table. Labels are the savings vocabulary's (the models' choices)."""

from __future__ import annotations

import pandas as pd

from dashboards.document.savings import savings_charts, savings_rows

STATUS_WORDS = {
    "achieved": "Achieved",
    "on_track": "On track",
    "at_risk": "At risk",
    "undeliverable": "Undeliverable",
    "absorbed": "Absorbed into a programme",
}
RAG_WORDS = {"green": "Green", "amber": "Amber", "red": "Red"}


def _savings() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "ref": ["S1", "S2", "S3", "S4", "S5"],
            "title": ["Step down", "Edge of care", "Commissioning", "Agency cap", "Old scheme"],
            "line_code": ["CIC-RES-EXT", "CIC-FOS-IFA", "CIC-RES-EXT", "SW-CP", "CIC-RES-EXT"],
            "status": ["on_track", "at_risk", "achieved", "undeliverable", "absorbed"],
            "rag": ["green", "amber", "green", None, "red"],
            "planned": [10_000_000, 4_000_000, 6_000_000, 2_000_000, 9_000_000],
            "forecast_delivery": [10_000_000, 2_000_000, 6_000_000, 0, 0],
            "shortfall": [0, 2_000_000, 0, 2_000_000, 9_000_000],
            "added_to_outturn": [True, True, True, True, False],
        }
    )


def _column(chart: dict, key: str) -> list:
    return [row[key] for row in chart["table"]["rows"]]


def test_every_saving_is_listed_with_its_status_and_rag_in_words() -> None:
    rows = savings_rows(_savings(), status_words=STATUS_WORDS, rag_words=RAG_WORDS)
    assert [r["status_label"] for r in rows] == ["On track", "At risk", "Achieved", "Undeliverable", "Absorbed"]
    assert [r["rag_label"] for r in rows] == ["Green", "Amber", "Green", "No RAG", "Red"]
    assert rows[4]["shortfall"] == 9_000_000 and rows[4]["added_to_outturn"] is False
    assert savings_rows(pd.DataFrame(), status_words=STATUS_WORDS, rag_words=RAG_WORDS) == []


def test_the_charts_leave_absorbed_savings_to_their_programme_and_list_red_first() -> None:
    by_rag, by_status = savings_charts(_savings(), status_words=STATUS_WORDS, rag_words=RAG_WORDS)
    # Without S5 (absorbed, the only red one): amber S2, green S1 + S3, no RAG S4.
    assert _column(by_rag, "label") == ["Amber", "Green", "No RAG"]
    assert _column(by_rag, "savings") == [1, 2, 1]
    assert _column(by_rag, "planned") == [4_000_000, 16_000_000, 2_000_000]
    assert _column(by_status, "label") == ["Achieved", "On track", "At risk", "Undeliverable"]
    # Planned 100,000 + 40,000 + 60,000 + 20,000 = £220,000; delivery 100,000 + 20,000 + 60,000 =
    # £180,000, 180 / 220 = 82%; shortfall £40,000.
    assert by_status["summary"].startswith(
        "Savings planned £220,000, forecast to deliver £180,000 (81.8%), shortfall £40,000. "
        "Achieved £60,000 planned, £60,000 forecast;"
    )
    assert (
        by_rag["table"]["caption"]
        == "Savings by RAG: planned and forecast delivery (absorbed savings are counted in their programme)"
    )


def test_only_absorbed_savings_make_no_charts() -> None:
    absorbed = _savings()[_savings()["status"] == "absorbed"]
    assert savings_charts(absorbed, status_words=STATUS_WORDS, rag_words=RAG_WORDS) == []
