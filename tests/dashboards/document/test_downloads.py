"""A document's tables as download frames: the screen's labels, money in pounds to the penny."""

from __future__ import annotations

from decimal import Decimal

from dashboards.document.downloads import document_table

DOCUMENT = {
    "headlines": [
        {"scenario": "middle", "budget": 100_050, "outturn": 110_000, "variance": 9_950, "variance_pct": 9.94}
    ],
    "services": [
        {
            "name": "Legal",
            "budget": 100_050,
            "actual_ytd": 40_000,
            "outturn": 110_000,
            "variance": 9_950,
            "variance_pct": 9.94,
            "lines": [
                {
                    "line_code": "LEG-EXT",
                    "line_name": "External legal costs",
                    "budget": 100_050,
                    "actual_ytd": 40_000,
                    "outturn": 110_000,
                    "variance": 9_950,
                    "variance_pct": 9.94,
                }
            ],
        }
    ],
    "charts": [
        {
            "key": "caseloads",
            "table": {
                "columns": [
                    {"key": "team_name", "label": "Team", "kind": "text"},
                    {"key": "average", "label": "Average caseload", "kind": "number"},
                    {"key": "cost", "label": "Cost", "kind": "money2"},
                ],
                "rows": [{"team_name": "CP", "average": 21.5, "cost": 12_345}],
            },
        }
    ],
    "movement": None,
}


def test_the_headline_is_in_pounds_and_pence() -> None:
    frame = document_table(DOCUMENT, "headline")
    assert frame is not None
    # 100,050p = £1,000.50; 9.94% to two places.
    assert frame.to_dict("records") == [
        {
            "scenario": "middle",
            "budget": Decimal("1000.50"),
            "forecast_outturn": Decimal("1100.00"),
            "variance": Decimal("99.50"),
            "variance_pct": Decimal("9.94"),
        }
    ]


def test_services_come_with_their_lines_and_charts_with_their_labels() -> None:
    services = document_table(DOCUMENT, "services")
    assert services is not None
    assert services["line_name"].tolist() == ["Service total", "External legal costs"]
    chart = document_table(DOCUMENT, "caseloads")
    assert chart is not None
    assert chart.to_dict("records") == [{"Team": "CP", "Average caseload": Decimal("21.50"), "Cost": Decimal("123.45")}]


def test_a_table_the_document_does_not_have_is_none() -> None:
    assert document_table(DOCUMENT, "movement") is None
    assert document_table(DOCUMENT, "nope") is None
