"""Savings rules (FORECAST.md, Savings) checked against figures worked out by hand.

Money is integer pence throughout: £1 = 100 pence, £750,000 = 75,000,000 pence. Every year is
written out; nothing depends on today's date.
"""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pandas as pd
import pytest

from forecasting.engine.savings import (
    DELIVERY_COLUMNS,
    SavingsError,
    amounts_problems,
    cumulative_benefit,
    delay_profile,
    delayed_profile_frame,
    delivery_summary,
    derive_rag,
    key_decisions,
    payback_year,
    programme_benefits_by_year,
    programme_problems,
    programme_summary,
    reprofile_problem,
    reprofile_problems,
    return_on_investment,
    savings_adjustment_by_line,
    savings_delivery,
    savings_problems,
    savings_totals_by_year,
    version_differences,
    version_differences_by_year,
)
from forecasting.engine.scenarios import DEFAULT_DELIVERY_RATES

YEAR = "2022/23"
LINES = {
    "CIC-RES-EXT": "placements",
    "SW-AGENCY": "workforce",
    "LEGAL": "run_rate",
    "EH-CENTRES": "profile",
    "ADM-FEES": "budget",
}


def saving(ref: str, **overrides: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "ref": ref,
        "title": f"Saving {ref}",
        "service_area": "Early Help",
        "line_code": "EH-CENTRES",
        "status": "on_track",
        "rag": None,
        "programme": None,
        "planned": 10_000_000,  # £100,000
        "forecast_delivery": pd.NA,
    }
    row.update(overrides)
    return row


def tracker(*rows: dict[str, Any]) -> pd.DataFrame:
    frame = pd.DataFrame(list(rows))
    frame["forecast_delivery"] = frame["forecast_delivery"].astype("Int64")
    return frame


def deliver(frame: pd.DataFrame, rates: dict[str, float] | None = None) -> pd.DataFrame:
    return savings_delivery(
        frame, year_label=YEAR, delivery_rates=rates if rates is not None else {}, line_methods=LINES
    )


def by_ref(delivery: pd.DataFrame, ref: str) -> dict[str, Any]:
    rows = delivery[delivery["ref"] == ref].to_dict("records")
    assert len(rows) == 1
    return {str(key): value for key, value in rows[0].items()}


# --- Forecast delivery ----------------------------------------------------------------------


def test_an_explicit_forecast_delivery_is_used_instead_of_planned_times_rate() -> None:
    # FORECAST.md, Savings: "the explicit forecast amount if given". The saving is at risk (50%),
    # but the officer forecasts £52,200 of the £60,000: the Thorneywood example, where security
    # costs of £7,800 ate into the saving. Shortfall = 6,000,000 − 5,220,000 = 780,000 (£7,800).
    frame = tracker(saving("EDU/1", status="at_risk", planned=6_000_000, forecast_delivery=5_220_000))
    row = by_ref(deliver(frame), "EDU/1")
    assert row["forecast_delivery"] == 5_220_000
    assert row["shortfall"] == 780_000


@pytest.mark.parametrize(
    ("status", "expected_delivery"),
    [
        ("achieved", 10_000_000),  # £100,000 × 100% = £100,000
        ("on_track", 10_000_000),  # £100,000 × 100% = £100,000
        ("at_risk", 5_000_000),  # £100,000 × 50% = £50,000
        ("undeliverable", 0),  # £100,000 × 0% = £0
    ],
)
def test_each_status_uses_its_default_delivery_rate(status: str, expected_delivery: int) -> None:
    # FORECAST.md, Savings: defaults achieved 100%, on track 100%, at risk 50%, undeliverable 0%.
    row = by_ref(deliver(tracker(saving("S1", status=status))), "S1")
    assert row["forecast_delivery"] == expected_delivery
    assert row["shortfall"] == 10_000_000 - expected_delivery


def test_half_a_penny_of_forecast_delivery_is_rounded_up_once_per_saving() -> None:
    # 12,345p (£123.45) at risk × 50% = 6,172.5p, rounded half up to 6,173p; shortfall 6,172p.
    row = by_ref(deliver(tracker(saving("S1", status="at_risk", planned=12_345))), "S1")
    assert row["forecast_delivery"] == 6_173
    assert row["shortfall"] == 12_345 - 6_173 == 6_172


def test_a_scenario_delivery_rate_overrides_the_default_for_its_status_only() -> None:
    # A worst case delivering 20% of at-risk savings: £215,000 × 20% = £43,000 (4,300,000p),
    # shortfall £172,000. The on-track saving keeps the default 100%: no shortfall.
    frame = tracker(
        saving("CAMHS", status="at_risk", planned=21_500_000),
        saving("ADM", status="on_track", planned=1_900_000),
    )
    delivery = deliver(frame, {"at_risk": 0.2})
    assert by_ref(delivery, "CAMHS")["forecast_delivery"] == 4_300_000
    assert by_ref(delivery, "CAMHS")["shortfall"] == 17_200_000
    assert by_ref(delivery, "ADM")["forecast_delivery"] == 1_900_000
    assert by_ref(delivery, "ADM")["shortfall"] == 0


def test_the_default_rates_are_the_scenario_module_defaults() -> None:
    # The engine has one set of defaults, shared with scenario resolution.
    assert dict(DEFAULT_DELIVERY_RATES) == {
        "achieved": 1.0,
        "on_track": 1.0,
        "at_risk": 0.5,
        "undeliverable": 0.0,
    }


def test_an_over_delivered_saving_has_a_negative_shortfall_that_lowers_a_profile_line() -> None:
    # Planned £20,000, forecast £25,000: shortfall 2,000,000 − 2,500,000 = −500,000 (−£5,000).
    frame = tracker(saving("S1", planned=2_000_000, forecast_delivery=2_500_000))
    delivery = deliver(frame)
    assert by_ref(delivery, "S1")["shortfall"] == -500_000
    assert savings_adjustment_by_line(delivery).to_dict("records") == [
        {"line_code": "EH-CENTRES", "savings_adjustment": -500_000}
    ]


def test_the_delivery_table_has_the_export_columns_in_tracker_order() -> None:
    frame = tracker(saving("B"), saving("A"))
    delivery = deliver(frame)
    assert list(delivery.columns[: len(DELIVERY_COLUMNS)]) == [
        "ref",
        "title",
        "line_code",
        "status",
        "planned",
        "forecast_delivery",
        "shortfall",
        "added_to_outturn",
    ]
    assert list(delivery["ref"]) == ["B", "A"]
    assert str(delivery["planned"].dtype) == "int64"
    assert set(delivery["year_label"]) == {YEAR}


# --- Shortfall into the outturn -------------------------------------------------------------


@pytest.mark.parametrize(
    ("line_code", "added"),
    [
        ("EH-CENTRES", True),  # profile
        ("ADM-FEES", True),  # budget
        ("LEGAL", False),  # run_rate
        ("CIC-RES-EXT", False),  # placements
        ("SW-AGENCY", False),  # workforce
        (None, False),  # no budget line
    ],
)
def test_the_shortfall_is_added_to_the_outturn_only_for_profile_and_budget_lines(
    line_code: str | None, added: bool
) -> None:
    # FORECAST.md, Savings: added only when the line is forecast by `profile` or `budget`;
    # driver and run-rate lines already show it. The shortfall is reported either way:
    # £100,000 at risk × 50% = £50,000 delivered, £50,000 (5,000,000p) short.
    row = by_ref(deliver(tracker(saving("S1", status="at_risk", line_code=line_code))), "S1")
    assert row["shortfall"] == 5_000_000
    assert row["added_to_outturn"] is added


def test_the_savings_adjustment_of_a_line_is_the_sum_of_its_added_shortfalls() -> None:
    # EH-CENTRES (profile): at risk £100,000 → short £50,000; undeliverable £30,000 → short
    # £30,000; on track → short £0. Σ = 5,000,000 + 3,000,000 + 0 = 8,000,000 (£80,000).
    # ADM-FEES (budget): explicit £1,500 of £1,900 → short £400 (40,000p).
    # CIC-RES-EXT (placements): short £50,000 but not added, so the line is not listed.
    frame = tracker(
        saving("A", status="at_risk"),
        saving("B", status="undeliverable", planned=3_000_000),
        saving("C", status="on_track"),
        saving("D", line_code="ADM-FEES", planned=190_000, forecast_delivery=150_000),
        saving("E", line_code="CIC-RES-EXT", status="at_risk"),
    )
    adjustment = savings_adjustment_by_line(deliver(frame))
    assert adjustment.to_dict("records") == [
        {"line_code": "ADM-FEES", "savings_adjustment": 40_000},
        {"line_code": "EH-CENTRES", "savings_adjustment": 8_000_000},
    ]


def test_no_added_shortfall_gives_an_empty_adjustment_table_with_its_columns() -> None:
    adjustment = savings_adjustment_by_line(deliver(tracker(saving("S1", line_code="LEGAL", status="at_risk"))))
    assert adjustment.empty
    assert list(adjustment.columns) == ["line_code", "savings_adjustment"]


# --- Absorbed savings -----------------------------------------------------------------------


def test_an_absorbed_saving_is_a_row_of_zeros_that_adds_nothing_to_the_outturn() -> None:
    # FORECAST.md, Savings: absorbed savings are excluded from every total. Even with an explicit
    # forecast of £10,000 on a profile line, its planned, delivery and shortfall are 0.
    frame = tracker(
        saving("CHS/SAV/34", status="absorbed", programme="Transformation", forecast_delivery=1_000_000),
    )
    row = by_ref(deliver(frame), "CHS/SAV/34")
    assert (row["planned"], row["forecast_delivery"], row["shortfall"]) == (0, 0, 0)
    assert row["added_to_outturn"] is False
    assert row["programme"] == "Transformation"


def test_delivery_totals_leave_absorbed_savings_out_by_status_and_by_service_area() -> None:
    # Early Help: achieved £200,000 (delivered £200,000); at risk £100,000 → forecast £50,000,
    #   short £50,000. Children in Care: undeliverable £19,000 → forecast 0, short £19,000.
    # Absorbed £300,000 in Early Help: excluded.
    # Total: planned 20,000,000 + 10,000,000 + 1,900,000 = 31,900,000 (£319,000);
    #   delivered 20,000,000; forecast 20,000,000 + 5,000,000 + 0 = 25,000,000;
    #   shortfall 0 + 5,000,000 + 1,900,000 = 6,900,000 (£69,000).
    frame = tracker(
        saving("A", status="achieved", planned=20_000_000),
        saving("B", status="at_risk"),
        saving("C", status="undeliverable", planned=1_900_000, service_area="Children in Care"),
        saving("D", status="absorbed", planned=30_000_000, programme="Transformation"),
    )
    delivery = deliver(frame)
    assert delivery_summary(delivery).to_dict("records") == [
        {
            "count": 3,
            "planned": 31_900_000,
            "delivered": 20_000_000,
            "forecast_delivery": 25_000_000,
            "shortfall": 6_900_000,
        }
    ]
    assert delivery_summary(delivery, by="status").to_dict("records") == [
        {
            "status": "achieved",
            "count": 1,
            "planned": 20_000_000,
            "delivered": 20_000_000,
            "forecast_delivery": 20_000_000,
            "shortfall": 0,
        },
        {
            "status": "at_risk",
            "count": 1,
            "planned": 10_000_000,
            "delivered": 0,
            "forecast_delivery": 5_000_000,
            "shortfall": 5_000_000,
        },
        {
            "status": "undeliverable",
            "count": 1,
            "planned": 1_900_000,
            "delivered": 0,
            "forecast_delivery": 0,
            "shortfall": 1_900_000,
        },
    ]
    assert delivery_summary(delivery, by="service_area").to_dict("records") == [
        {
            "service_area": "Children in Care",
            "count": 1,
            "planned": 1_900_000,
            "delivered": 0,
            "forecast_delivery": 0,
            "shortfall": 1_900_000,
        },
        {
            "service_area": "Early Help",
            "count": 2,
            "planned": 30_000_000,
            "delivered": 20_000_000,
            "forecast_delivery": 25_000_000,
            "shortfall": 5_000_000,
        },
    ]


def amounts_frame(rows: list[tuple[str, str, str, int]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["ref", "version", "year_label", "amount"])


def test_an_absorbed_saving_is_counted_once_in_the_programme_not_again_as_a_saving() -> None:
    # Approved: A £200,000 a year (live); B £100,000 in 2022/23 and £150,000 in 2023/24, absorbed
    # into the Transformation programme, whose target profile already includes B's benefit:
    # £539,000 in 2022/23 and £3,557,000 in 2023/24 (Nottingham's first two years).
    # 2022/23: gross 20,000,000 + 10,000,000 = 30,000,000; absorbed 10,000,000; net 20,000,000;
    #          programme 53,900,000; total 20,000,000 + 53,900,000 = 73,900,000 (£739,000).
    # 2023/24: gross 20,000,000 + 15,000,000 = 35,000,000; absorbed 15,000,000; net 20,000,000;
    #          programme 355,700,000; total 375,700,000 (£3,757,000). B is not counted twice.
    # The stretch profile and the consultation version are ignored.
    amounts = amounts_frame(
        [
            ("A", "approved", "2022/23", 20_000_000),
            ("A", "approved", "2023/24", 20_000_000),
            ("B", "approved", "2022/23", 10_000_000),
            ("B", "approved", "2023/24", 15_000_000),
            ("A", "consultation", "2022/23", 99_999_999),
        ]
    )
    savings = pd.DataFrame({"ref": ["A", "B"], "status": ["on_track", "absorbed"]})
    programmes = pd.DataFrame(
        {
            "programme": ["Transformation"] * 3,
            "profile": ["target", "target", "stretch"],
            "year_label": ["2022/23", "2023/24", "2022/23"],
            "benefit": [53_900_000, 355_700_000, 80_000_000],
        }
    )
    totals = savings_totals_by_year(amounts, savings, programme_benefits=programmes)
    assert totals.to_dict("records") == [
        {
            "year_label": "2022/23",
            "gross": 30_000_000,
            "absorbed": 10_000_000,
            "net_of_absorbed": 20_000_000,
            "programme_benefit": 53_900_000,
            "total": 73_900_000,
        },
        {
            "year_label": "2023/24",
            "gross": 35_000_000,
            "absorbed": 15_000_000,
            "net_of_absorbed": 20_000_000,
            "programme_benefit": 355_700_000,
            "total": 375_700_000,
        },
    ]


def test_totals_without_programmes_are_the_savings_net_of_absorbed() -> None:
    amounts = amounts_frame([("A", "approved", "2022/23", 500), ("B", "approved", "2022/23", 300)])
    savings = pd.DataFrame({"ref": ["A", "B"], "status": ["at_risk", "absorbed"]})
    # gross 500 + 300 = 800; absorbed 300; net 500; no programme; total 500.
    assert savings_totals_by_year(amounts, savings).to_dict("records") == [
        {
            "year_label": "2022/23",
            "gross": 800,
            "absorbed": 300,
            "net_of_absorbed": 500,
            "programme_benefit": 0,
            "total": 500,
        }
    ]


# --- Versions -------------------------------------------------------------------------------


def test_consultation_to_approved_differences_are_shown_per_saving_and_year() -> None:
    # Nottingham 2022/23 proposals, consultation (£) vs approved:
    # NGY 200,000 → 200,000 (no change); Play & Youth 615,000 → 600,000 (−15,000);
    # ADM 19,000 dropped (−19,000); a new saving NEW 40,000 added after consultation (+40,000).
    amounts = amounts_frame(
        [
            ("NGY", "consultation", "2022/23", 20_000_000),
            ("NGY", "approved", "2022/23", 20_000_000),
            ("PLAY", "consultation", "2022/23", 61_500_000),
            ("PLAY", "approved", "2022/23", 60_000_000),
            ("ADM", "consultation", "2022/23", 1_900_000),
            ("NEW", "approved", "2022/23", 4_000_000),
        ]
    )
    rows = version_differences(amounts).to_dict("records")
    assert rows == [
        {
            "ref": "ADM",
            "year_label": "2022/23",
            "from_amount": 1_900_000,
            "to_amount": 0,
            "difference": -1_900_000,
        },
        {
            "ref": "NEW",
            "year_label": "2022/23",
            "from_amount": 0,
            "to_amount": 4_000_000,
            "difference": 4_000_000,
        },
        {
            "ref": "NGY",
            "year_label": "2022/23",
            "from_amount": 20_000_000,
            "to_amount": 20_000_000,
            "difference": 0,
        },
        {
            "ref": "PLAY",
            "year_label": "2022/23",
            "from_amount": 61_500_000,
            "to_amount": 60_000_000,
            "difference": -1_500_000,
        },
    ]


def test_version_differences_by_year_total_each_year_and_leave_absorbed_savings_out() -> None:
    # 2022/23: consultation A 100 + B 50 = 150, approved A 120 (B absorbed, left out) → +20.
    #          B's consultation 50 and approved 70 are not in the totals.
    # 2023/24: consultation A 100, approved A 90 → −10.
    amounts = amounts_frame(
        [
            ("A", "consultation", "2022/23", 100),
            ("A", "approved", "2022/23", 120),
            ("A", "consultation", "2023/24", 100),
            ("A", "approved", "2023/24", 90),
            ("B", "consultation", "2022/23", 50),
            ("B", "approved", "2022/23", 70),
        ]
    )
    savings = pd.DataFrame({"ref": ["A", "B"], "status": ["on_track", "absorbed"]})
    assert version_differences_by_year(amounts, savings).to_dict("records") == [
        {"year_label": "2022/23", "from_amount": 100, "to_amount": 120, "difference": 20},
        {"year_label": "2023/24", "from_amount": 100, "to_amount": 90, "difference": -10},
    ]


def test_approved_to_reprofiled_differences_use_the_same_selector() -> None:
    # A re-profile moves £100 from 2022/23 into 2023/24: −10,000p then +10,000p.
    amounts = amounts_frame(
        [
            ("A", "approved", "2022/23", 30_000),
            ("A", "approved", "2023/24", 30_000),
            ("A", "reprofiled", "2022/23", 20_000),
            ("A", "reprofiled", "2023/24", 40_000),
        ]
    )
    rows = version_differences(amounts, from_version="approved", to_version="reprofiled")
    assert list(rows["difference"]) == [-10_000, 10_000]


# --- Programmes: cumulative benefit, return on investment, payback ---------------------------

# Nottingham City, Children's Social Care service redesign (Executive Board, 22 February 2022),
# Table 1, gross benefit by year (target profile, 8 years); maximum investment £8.9m.
NOTTINGHAM_GROSS = {
    "2022/23": 53_900_000,
    "2023/24": 355_700_000,
    "2024/25": 732_200_000,
    "2025/26": 933_100_000,
    "2026/27": 1_013_900_000,
    "2027/28": 1_041_700_000,
    "2028/29": 1_082_900_000,
    "2029/30": 1_124_100_000,
}
NOTTINGHAM_INVESTMENT = 890_000_000


def test_cumulative_benefit_sums_the_years_of_a_window() -> None:
    # Whole programme: 0.539 + 3.557 + 7.322 + 9.331 + 10.139 + 10.417 + 10.829 + 11.241
    #   = £63.375m = 6,337,500,000p (the report prints £63.376m: its years are rounded to £1,000).
    # MTFP window 2022/23 to 2025/26: 0.539 + 3.557 + 7.322 + 9.331 = £20.749m.
    # 2024/25 to 2025/26: 7.322 + 9.331 = £16.653m.
    assert cumulative_benefit(NOTTINGHAM_GROSS) == 6_337_500_000
    assert cumulative_benefit(NOTTINGHAM_GROSS, last_year="2025/26") == 2_074_900_000
    assert cumulative_benefit(NOTTINGHAM_GROSS, first_year="2024/25", last_year="2025/26") == 1_665_300_000


def test_return_on_investment_is_cumulative_gross_benefit_over_investment() -> None:
    # FORECAST.md, Savings. 8 years: £63.375m / £8.9m = 7.1208… ("7.1:1").
    # 4 years: £20.749m / £8.9m = 2.3313… ("by year 4 the RoI is 2.3:1").
    assert return_on_investment(6_337_500_000, NOTTINGHAM_INVESTMENT) == pytest.approx(7.12079, abs=1e-5)
    assert return_on_investment(2_074_900_000, NOTTINGHAM_INVESTMENT) == pytest.approx(2.33135, abs=1e-5)
    with pytest.raises(SavingsError, match="investment"):
        return_on_investment(100, 0)


def test_payback_year_is_the_first_year_the_cumulative_ratio_reaches_three_to_one() -> None:
    # Hurdle 3:1 needs 3 × £8.9m = £26.7m cumulative.
    # 2025/26: £20.749m (2.33:1) — not yet. 2026/27: 20.749 + 10.139 = £30.888m (3.47:1) — reached.
    # ("The 3:1 return occurs between year 4 and 5.")
    assert payback_year(NOTTINGHAM_GROSS, investment=NOTTINGHAM_INVESTMENT, hurdle=3.0) == "2026/27"


def test_payback_year_is_none_when_the_hurdle_is_never_reached() -> None:
    # £63.375m / £8.9m = 7.12:1 over the whole profile, short of an 8:1 hurdle.
    assert payback_year(NOTTINGHAM_GROSS, investment=NOTTINGHAM_INVESTMENT, hurdle=8.0) is None


def test_a_ratio_of_exactly_three_to_one_counts_as_reaching_the_hurdle() -> None:
    # Investment £1,000; cumulative £1,000 then £3,000 = exactly 3:1 in 2023/24.
    benefits = {"2022/23": 100_000, "2023/24": 200_000, "2024/25": 1}
    assert payback_year(benefits, investment=100_000, hurdle=3.0) == "2023/24"
    # One penny less (£2,999.99) does not reach it until the next year.
    benefits = {"2022/23": 100_000, "2023/24": 199_999, "2024/25": 1}
    assert payback_year(benefits, investment=100_000, hurdle=3.0) == "2024/25"


def test_a_programme_profile_is_read_per_programme_and_profile_with_missing_years_as_zero() -> None:
    # Target: 2022/23 £100, 2024/25 £300 (no row for 2023/24, so £0); stretch ignored.
    programmes = pd.DataFrame(
        {
            "programme": ["P", "P", "P", "Other"],
            "profile": ["target", "target", "stretch", "target"],
            "year_label": ["2024/25", "2022/23", "2022/23", "2022/23"],
            "benefit": [30_000, 10_000, 99_999, 55_555],
        }
    )
    series = programme_benefits_by_year(programmes, programme="P", profile="target")
    assert series.to_dict() == {"2022/23": 10_000, "2023/24": 0, "2024/25": 30_000}
    assert programme_benefits_by_year(programmes, programme="P", profile="stretch").to_dict() == {"2022/23": 99_999}
    with pytest.raises(SavingsError, match="no target benefit profile"):
        programme_benefits_by_year(programmes, programme="Missing")


def test_the_programme_table_shows_cumulative_gross_and_net_benefit_and_the_ratio() -> None:
    # Benefit £500, £1,500, £2,000; implementation costs £400, £200, £0; investment £600.
    # Cumulative benefit 500, 2,000, 4,000 → ratio 0.8333…, 3.3333…, 6.6666….
    # Net 100, 1,300, 2,000 → cumulative net 100, 1,400, 3,400.
    table = programme_summary(
        {"2022/23": 50_000, "2023/24": 150_000, "2024/25": 200_000},
        investment=60_000,
        implementation_costs={"2022/23": 40_000, "2023/24": 20_000},
    )
    assert list(table["cumulative_benefit"]) == [50_000, 200_000, 400_000]
    assert list(table["implementation_cost"]) == [40_000, 20_000, 0]
    assert list(table["net_benefit"]) == [10_000, 130_000, 200_000]
    assert list(table["cumulative_net_benefit"]) == [10_000, 140_000, 340_000]
    assert list(table["roi"]) == pytest.approx([50_000 / 60_000, 200_000 / 60_000, 400_000 / 60_000])


# --- Delayed start --------------------------------------------------------------------------


def test_a_three_month_delay_reprofiles_each_year_and_adds_a_year_with_the_same_total() -> None:
    # FORECAST.md, Savings: b'(k) = b(k−1)·3/12 + b(k)·9/12, b(−1) = 0, extended one year.
    # b = £1,000,000, £2,000,000, £2,000,000.
    # k=0: 0 × 3/12 + 1,000,000 × 9/12           = £750,000
    # k=1: 1,000,000 × 3/12 + 2,000,000 × 9/12   = 250,000 + 1,500,000 = £1,750,000
    # k=2: 2,000,000 × 3/12 + 2,000,000 × 9/12   = 500,000 + 1,500,000 = £2,000,000
    # k=3: 2,000,000 × 3/12 + 0                   = £500,000
    # Total 750,000 + 1,750,000 + 2,000,000 + 500,000 = £5,000,000, as before.
    reprofiled = delay_profile([100_000_000, 200_000_000, 200_000_000], 3)
    assert reprofiled == [75_000_000, 175_000_000, 200_000_000, 50_000_000]
    assert sum(reprofiled) == 500_000_000


def test_no_delay_leaves_the_profile_unchanged() -> None:
    profile = [100_000_000, 200_000_000, 200_000_000]
    assert delay_profile(profile, 0) == profile


def test_a_twelve_month_delay_shifts_every_year_a_whole_year_later() -> None:
    # d = 12: b'(k) = b(k−1) × 12/12 + b(k) × 0 = b(k−1).
    assert delay_profile([100_000_000, 200_000_000, 200_000_000], 12) == [
        0,
        100_000_000,
        200_000_000,
        200_000_000,
    ]


def test_the_rounding_remainder_of_a_delay_goes_into_the_final_year() -> None:
    # b = 1p, 1p; d = 6.
    # k=0: 0 × 6/12 + 1 × 6/12 = 0.5p → half up → 1p
    # k=1: 1 × 6/12 + 1 × 6/12 = 1p
    # final year: 1 × 6/12 = 0.5p would round to 1p and make 3p; it takes the remainder
    #   2 − (1 + 1) = 0p so the total stays 2p.
    assert delay_profile([1, 1], 6) == [1, 1, 0]
    # b = 100p, 100p, 101p; d = 5.
    # k=0: 100 × 7/12 = 58.33p → 58p;  k=1: (100 × 5 + 100 × 7)/12 = 100p;
    # k=2: (100 × 5 + 101 × 7)/12 = 1,207/12 = 100.58p → 101p;
    # final: 301 − (58 + 100 + 101) = 42p (exactly 101 × 5/12 = 42.08p).
    assert delay_profile([100, 100, 101], 5) == [58, 100, 101, 42]


@pytest.mark.parametrize("months", [-1, 13, 2.5, True])
def test_a_delay_outside_zero_to_twelve_whole_months_is_refused(months: Any) -> None:
    with pytest.raises(ValueError, match="whole number of months from 0 to 12"):
        delay_profile([100, 200], months)


def test_the_delayed_profile_is_shown_beside_the_original_with_the_added_year() -> None:
    # Same 3-month delay as above, labelled from 2022/23; the added year is 2025/26.
    frame = delayed_profile_frame({"2022/23": 100_000_000, "2023/24": 200_000_000, "2024/25": 200_000_000}, 3)
    assert frame.to_dict("records") == [
        {
            "year_label": "2022/23",
            "original": 100_000_000,
            "reprofiled": 75_000_000,
            "difference": -25_000_000,
        },
        {
            "year_label": "2023/24",
            "original": 200_000_000,
            "reprofiled": 175_000_000,
            "difference": -25_000_000,
        },
        {"year_label": "2024/25", "original": 200_000_000, "reprofiled": 200_000_000, "difference": 0},
        {"year_label": "2025/26", "original": 0, "reprofiled": 50_000_000, "difference": 50_000_000},
    ]
    assert frame["difference"].sum() == 0


# --- Key decisions --------------------------------------------------------------------------


def test_a_proposal_of_750000_pounds_in_any_year_is_a_key_decision_and_a_penny_less_is_not() -> None:
    # FORECAST.md, Savings: £750,000 or more in any year. £750,000.00 = 75,000,000p is flagged;
    # £749,999.99 = 74,999,999p is not. LATE reaches £750,000 only in its third year.
    rows = pd.DataFrame(
        [
            ("EXACT", "2022/23", 75_000_000),
            ("UNDER", "2022/23", 74_999_999),
            ("UNDER", "2023/24", 74_999_999),
            ("LATE", "2022/23", 10_000_000),
            ("LATE", "2023/24", 50_000_000),
            ("LATE", "2024/25", 83_800_000),
        ],
        columns=["ref", "year_label", "amount"],
    )
    flagged = key_decisions(rows).set_index("ref")
    assert bool(flagged.loc["EXACT", "key_decision"]) is True
    assert bool(flagged.loc["UNDER", "key_decision"]) is False
    assert flagged.loc["UNDER", "first_key_year"] is None
    assert flagged.loc["UNDER", "largest_amount"] == 74_999_999
    assert bool(flagged.loc["LATE", "key_decision"]) is True
    assert flagged.loc["LATE", "first_key_year"] == "2024/25"


def test_reversing_a_saving_of_750000_pounds_is_also_a_key_decision() -> None:
    rows = pd.DataFrame([("REV", "2023/24", -75_000_000)], columns=["ref", "year_label", "amount"])
    assert key_decisions(rows)["key_decision"].tolist() == [True]


# --- Validation -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "rag"),
    [
        ("achieved", "green"),
        ("on_track", "green"),
        ("at_risk", "amber"),
        ("undeliverable", "red"),
        ("absorbed", None),
    ],
)
def test_a_blank_rag_is_derived_from_the_status(status: str, rag: str | None) -> None:
    assert derive_rag(status, None) == rag
    assert derive_rag(status, "  ") == rag


def test_a_rag_given_on_the_tracker_is_kept() -> None:
    # The officer's judgement wins: on track but rated amber stays amber.
    assert derive_rag("on_track", "amber") == "amber"


def test_an_unknown_status_or_rag_is_refused_with_a_clear_message() -> None:
    with pytest.raises(SavingsError, match=r"status 'on track' is not one of .* \(did you mean on_track\?\)"):
        derive_rag("on track", None)
    with pytest.raises(SavingsError, match="RAG 'yellow' is not one of green, amber, red"):
        derive_rag("at_risk", "yellow")


def test_tracker_problems_are_all_reported_with_the_saving_reference() -> None:
    frame = pd.DataFrame(
        [
            {"ref": "S1", "status": "delayed", "rag": None, "programme": None, "planned": 100},
            {"ref": "S2", "status": "at_risk", "rag": "blue", "programme": None, "planned": 100},
            {"ref": "S3", "status": "absorbed", "rag": None, "programme": None, "planned": 100},
            {"ref": "S4", "status": "on_track", "rag": "green", "programme": None, "planned": -20_000_000},
            {"ref": "S5", "status": "on_track", "rag": None, "programme": None, "planned": 100},
        ]
    )
    problems = savings_problems(frame)
    assert problems == [
        "saving S1: status 'delayed' is not one of achieved, on_track, at_risk, undeliverable, absorbed",
        "saving S2: RAG 'blue' is not one of green, amber, red",
        "saving S3: it is absorbed, so name the programme that absorbed it",
        "saving S4: the planned amount is negative; write savings as positive amounts",
    ]


def test_the_delivery_forecast_refuses_unknown_statuses_and_budget_lines_naming_each_saving() -> None:
    frame = tracker(saving("S1", status="delayed"), saving("S2", line_code="NOPE"))
    with pytest.raises(SavingsError) as error:
        deliver(frame)
    assert "saving S1: status 'delayed'" in str(error.value)
    assert "saving S2: budget line 'NOPE' is not in the budget for 2022/23" in str(error.value)


def test_a_delivery_rate_outside_zero_to_one_is_refused() -> None:
    with pytest.raises(SavingsError, match="the delivery rate for at_risk is 50; it must be from 0 to 1"):
        deliver(tracker(saving("S1")), {"at_risk": 50})


def test_a_reprofile_that_changes_the_lifetime_total_is_reported() -> None:
    # Approved £300 + £300 = £600. Good re-profile £200 + £400 = £600: fine.
    # Bad re-profile £200 + £300 = £500: £100 lost.
    amounts = amounts_frame(
        [
            ("GOOD", "approved", "2022/23", 30_000),
            ("GOOD", "approved", "2023/24", 30_000),
            ("GOOD", "reprofiled", "2022/23", 20_000),
            ("GOOD", "reprofiled", "2023/24", 40_000),
            ("BAD", "approved", "2022/23", 30_000),
            ("BAD", "approved", "2023/24", 30_000),
            ("BAD", "reprofiled", "2022/23", 20_000),
            ("BAD", "reprofiled", "2023/24", 30_000),
        ]
    )
    assert reprofile_problems(amounts) == [
        (
            "saving BAD: the re-profile totals £500.00 over its lifetime but the profile it replaces totals "
            "£600.00 (a difference of (£100.00)); a re-profile may move savings between years but must not "
            "change the total"
        )
    ]
    assert reprofile_problem("GOOD", 60_000, 60_000) is None


def test_unknown_versions_bad_years_and_repeated_amounts_are_reported() -> None:
    amounts = amounts_frame(
        [
            ("A", "draft", "2022/23", 1),
            ("A", "approved", "2022/2023", 1),
            ("B", "approved", "2022/23", 1),
            ("B", "approved", "2022/23", 2),
        ]
    )
    problems = amounts_problems(amounts)
    assert problems[0] == "saving A: version 'draft' is not one of consultation, approved, reprofiled"
    assert problems[1].startswith("saving A: '2022/2023' is not a financial year")
    assert problems[2] == "saving B: approved has more than one amount for 2022/23"
    assert len(problems) == 3


def test_an_absorbed_saving_whose_programme_has_no_profile_is_reported() -> None:
    savings = pd.DataFrame(
        [
            {"ref": "S1", "status": "absorbed", "programme": "Transformation"},
            {"ref": "S2", "status": "absorbed", "programme": "Unknown"},
        ]
    )
    programmes = pd.DataFrame(
        {"programme": ["Transformation"], "profile": ["target"], "year_label": ["2022/23"], "benefit": [1]}
    )
    assert programme_problems(savings, programmes) == [
        "saving S2: it is absorbed into programme 'Unknown', which has no benefit profile"
    ]


def test_the_savings_engine_imports_without_django() -> None:
    code = "import sys, forecasting.engine.savings; sys.exit(1 if 'django' in sys.modules else 0)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def test_every_unusable_saving_is_reported_at_once_not_just_the_first() -> None:
    # An import is all or nothing and the officer gets every error (DATA_FORMATS.md).
    frame = tracker(saving("S1", status=None), saving("S2", planned=100.5))
    with pytest.raises(SavingsError) as error:
        deliver(frame)
    assert str(error.value) == (
        "saving S1: the status is missing; it must be one of achieved, on_track, at_risk, undeliverable, "
        "absorbed; saving S2: the planned amount 100.5 is not a whole number of pence"
    )
