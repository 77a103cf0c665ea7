"""The figures: the engine's savings frame and the tracker's tables, worked out by hand.

Amounts in the comments are pounds; the frames hold pence. See conftest.py for the tracker.
"""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest

from forecasting.engine.savings import savings_delivery
from savings import selectors
from savings.selectors import TrackerFilters
from savings.services import VersionInput, programme_save, saving_versions_set

pytestmark = pytest.mark.django_db


def by_ref(frame: pd.DataFrame) -> dict[str, dict]:
    return {row["ref"]: row for row in frame.to_dict("records")}


# -- the engine's contract ---------------------------------------------------------------------


def test_the_savings_frame_has_the_engines_columns_and_types(tracker) -> None:  # type: ignore[no-untyped-def]
    frame = selectors.savings_frame(authority=tracker.authority, year_label="2022/23")
    assert list(frame.columns) == [
        "ref",
        "title",
        "line_code",
        "status",
        "rag",
        "programme",
        "planned",
        "forecast_delivery",
        "service_area",
    ]
    assert str(frame["planned"].dtype) == "int64"
    assert str(frame["forecast_delivery"].dtype) == "Int64"
    rows = by_ref(frame)
    # S8 is only a consultation proposal and S9 has nothing in 2022/23: neither is in this year's budget.
    assert list(frame["ref"]) == ["S1", "S2", "S3", "S4", "S5", "S6", "S7"]
    assert rows["S1"]["planned"] == 20_000_000
    assert rows["S3"]["planned"] == 0  # an explicit £0 in the first year stays a row
    assert rows["S7"]["planned"] == 5_000_000  # re-profiled £50,000 replaces the approved £100,000
    assert rows["S4"]["status"] == "absorbed" and rows["S4"]["programme"] == "CTP" and rows["S4"]["rag"] is None
    assert rows["S1"]["line_code"] == "EH-YTH"
    assert rows["S2"]["line_code"] == "CIC-RES-EXT" and rows["S2"]["service_area"] == "Children in Care"
    # The latest 2022/23 cycle's forecast (£150,000), not the earlier £100,000 or next year's £0.01.
    assert rows["S6"]["forecast_delivery"] == 15_000_000
    assert frame["forecast_delivery"].isna().tolist() == [True, True, True, True, True, False, True]
    assert rows["S1"]["programme"] is None


def test_the_engine_takes_the_savings_frame_as_it_is(tracker) -> None:  # type: ignore[no-untyped-def]
    frame = selectors.savings_frame(authority=tracker.authority, year_label="2022/23")
    delivery = savings_delivery(
        frame, year_label="2022/23", delivery_rates={}, line_methods=selectors.line_methods(authority=tracker.authority)
    )
    rows = by_ref(delivery)
    # S2 at risk with no forecast: 50% of £537,000 = £268,500; placements line, so reported only.
    assert (rows["S2"]["forecast_delivery"], rows["S2"]["shortfall"], rows["S2"]["added_to_outturn"]) == (
        26_850_000,
        26_850_000,
        False,
    )
    # S6 at risk, forecast £150,000 of £200,000: £50,000 short on a profile line → into the outturn.
    assert (rows["S6"]["shortfall"], rows["S6"]["added_to_outturn"]) == (5_000_000, True)
    # S5 undeliverable on a workforce line: £300,000 short, reported only.
    assert (rows["S5"]["shortfall"], rows["S5"]["added_to_outturn"]) == (30_000_000, False)
    # S3 on a budget-method line: nothing planned this year, but it would count.
    assert rows["S3"]["added_to_outturn"] is True
    # S4 absorbed: zeros, counted in the programme.
    assert (rows["S4"]["planned"], rows["S4"]["shortfall"]) == (0, 0)


def test_the_savings_frame_takes_four_queries(tracker, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    with django_assert_num_queries(4):  # amounts, re-profiled ids, savings, forecasts
        selectors.savings_frame(authority=tracker.authority, year_label="2022/23")


def test_the_savings_frame_of_another_authority_is_empty(tracker, other_authority) -> None:  # type: ignore[no-untyped-def]
    frame = selectors.savings_frame(authority=other_authority, year_label="2022/23")
    assert frame.empty and str(frame["planned"].dtype) == "int64"


def test_a_reprofile_that_moves_a_year_away_leaves_it_unplanned(tracker, finance_officer) -> None:  # type: ignore[no-untyped-def]
    # S7 re-profiled again: nothing in 2022/23, £200,000 + £100,000 + £100,000 = £400,000 as approved.
    saving_versions_set(
        authority=tracker.authority,
        user=finance_officer,
        saving=tracker.savings["S7"],
        versions={
            "reprofiled": VersionInput(amounts={"2023/24": 20_000_000, "2024/25": 10_000_000, "2025/26": 10_000_000})
        },
    )
    frame = selectors.savings_frame(authority=tracker.authority, year_label="2022/23")
    assert "S7" not in set(frame["ref"])


# -- the tracker's figures --------------------------------------------------------------------


def test_delivery_in_total_by_status_and_by_service(tracker) -> None:  # type: ignore[no-untyped-def]
    delivery = selectors.delivery_frame(authority=tracker.authority, year_label="2022/23")
    total = selectors.delivery_by(delivery, by=None).iloc[0].to_dict()
    # Planned, absorbed S4 left out: 200,000 + 537,000 + 0 + 300,000 + 200,000 + 50,000 = 1,287,000.
    # Forecast: 200,000 + 268,500 + 0 + 0 + 150,000 + 50,000 = 668,500; shortfall 618,500.
    # Delivered (achieved only): S1's 200,000. Mitigated 20,000 of S6's 50,000 → net 268,500 + 300,000
    # + 30,000 = 598,500.
    assert total == {
        "count": 6,
        "planned": 128_700_000,
        "delivered": 20_000_000,
        "forecast_delivery": 66_850_000,
        "shortfall": 61_850_000,
        "mitigated": 2_000_000,
        "net_shortfall": 59_850_000,
    }
    status = selectors.delivery_by(delivery, by="status").set_index("status")
    assert list(status.index) == ["achieved", "on_track", "at_risk", "undeliverable"]
    # at risk: S2 537,000 + S6 200,000 = 737,000 planned; 268,500 + 150,000 = 418,500 forecast.
    assert status.loc["at_risk", ["count", "planned", "forecast_delivery", "shortfall"]].tolist() == [
        2,
        73_700_000,
        41_850_000,
        31_850_000,
    ]
    assert status.loc["on_track", ["count", "planned"]].tolist() == [2, 5_000_000]  # S3 0 + S7 50,000
    service = selectors.delivery_by(delivery, by="service_area").set_index("service_area")
    # Early Help: S1 200,000 + S3 0 (S4 absorbed is not counted).
    assert service.loc["Early Help", ["count", "planned", "delivered"]].tolist() == [2, 20_000_000, 20_000_000]
    assert service.loc["Strategy", ["planned", "shortfall", "mitigated", "net_shortfall"]].tolist() == [
        25_000_000,
        5_000_000,
        2_000_000,
        3_000_000,
    ]


def test_the_tracker_filters_by_status_rag_and_service(tracker) -> None:  # type: ignore[no-untyped-def]
    def refs(**kwargs: str) -> list[str]:
        frame = selectors.delivery_frame(
            authority=tracker.authority, year_label="2022/23", filters=TrackerFilters(**kwargs)
        )
        return list(frame["ref"])

    assert refs(status="at_risk") == ["S2", "S6"]
    assert refs(rag="red") == ["S5"]
    assert refs(rag="none") == ["S4"]
    assert refs(service_area="Early Help") == ["S1", "S3", "S4"]
    assert refs(status="at_risk", service_area="Strategy") == ["S6"]


def test_totals_by_year_as_approved_count_an_absorbed_saving_once(tracker) -> None:  # type: ignore[no-untyped-def]
    totals = selectors.totals_by_year(authority=tracker.authority).set_index("year_label")
    # 2022/23 gross: S1 200,000 + S2 537,000 + S3 0 + S4 309,000 + S5 300,000 + S6 200,000 + S7 100,000
    # = 1,646,000 (S8 is only at consultation); absorbed S4 309,000; net 1,337,000;
    # programme target 539,000; total 1,876,000.
    assert totals.loc["2022/23"].tolist() == [164_600_000, 30_900_000, 133_700_000, 53_900_000, 187_600_000]
    # 2024/25: 180,000 + 733,000 + 165,000 + 309,000 + 200,000 + 100,000 + S9 749,999.99 = 2,436,999.99.
    assert totals.loc["2024/25", "gross"] == 243_699_999
    assert totals.loc["2024/25", "net_of_absorbed"] == 212_799_999
    # The programme runs to 2029/30, after the plan: its years are rows with no savings.
    assert totals.loc["2029/30"].tolist() == [0, 0, 0, 1_124_100_000, 1_124_100_000]


def test_totals_now_use_reprofiles_and_the_delayed_programme(tracker) -> None:  # type: ignore[no-untyped-def]
    totals = selectors.totals_by_year(authority=tracker.authority, basis="current").set_index("year_label")
    # S7 re-profiled to 50,000 in 2022/23: net 1,337,000 − 50,000 = 1,287,000 (the frame's planned total).
    # The programme delayed 6 months: 539,000 × 6/12 = 269,500. Total 1,556,500.
    assert totals.loc["2022/23", ["net_of_absorbed", "programme_benefit", "total"]].tolist() == [
        128_700_000,
        26_950_000,
        155_650_000,
    ]
    # The delay adds 2030/31: 11,241,000 × 6/12 = 5,620,500.
    assert totals.loc["2030/31", "programme_benefit"] == 562_050_000
    assert totals["programme_benefit"].sum() == 6_337_500_000  # lifetime unchanged: £63,375,000


def test_consultation_to_approved_differences_by_year(tracker) -> None:  # type: ignore[no-untyped-def]
    diff = selectors.differences_by_year(authority=tracker.authority).set_index("year_label")
    # 2022/23: consulted S1 200,000 + S8 75,000 = 275,000 (S4 absorbed, left out of totals);
    # approved = the net of absorbed 1,337,000; difference 1,062,000.
    assert diff.loc["2022/23"].tolist() == [27_500_000, 133_700_000, 106_200_000]
    # 2023/24: consulted S1 200,000; approved 2,428,000 (incl. S1 at 180,000).
    assert diff.loc["2023/24"].tolist() == [20_000_000, 242_800_000, 222_800_000]
    per_saving = selectors.differences_by_saving(authority=tracker.authority)
    s1 = per_saving[(per_saving["ref"] == "S1") & (per_saving["year_label"] == "2023/24")].iloc[0]
    assert (s1["from_amount"], s1["to_amount"], s1["difference"]) == (20_000_000, 18_000_000, -2_000_000)


def test_key_decisions_are_750000_or_more_in_a_year(tracker) -> None:  # type: ignore[no-untyped-def]
    keys = selectors.key_decision_frame(authority=tracker.authority).set_index("ref")
    assert bool(keys.loc["S9", "key_decision"]) and keys.loc["S9", "first_key_year"] == "2023/24"
    assert not bool(keys.loc["S2", "key_decision"])  # £733,000 is under the threshold
    delivery = selectors.delivery_frame(authority=tracker.authority, year_label="2023/24").set_index("ref")
    assert bool(delivery.loc["S9", "key_decision"]) and not bool(delivery.loc["S1", "key_decision"])


# -- a programme ---------------------------------------------------------------------------------


def test_programme_return_and_payback_as_approved(tracker) -> None:  # type: ignore[no-untyped-def]
    figures = selectors.programme_figures(programme=tracker.programme, basis="original")
    # Lifetime gross £63,375,000 / investment £8,900,000 = 7.12:1 ("RoI of 7.1:1").
    assert figures.investment == 890_000_000
    assert figures.cumulative == 6_337_500_000
    assert figures.roi == pytest.approx(6_337_500_000 / 890_000_000) and round(figures.roi, 1) == 7.1
    # 3:1 needs £26,700,000: cumulative to 2025/26 is 20,749,000, to 2026/27 30,888,000 → year 5.
    assert figures.payback == "2026/27"
    summary = figures.summary.set_index("year_label")
    assert summary.loc["2025/26", "cumulative_benefit"] == 2_074_900_000
    assert round(summary.loc["2025/26", "roi"], 1) == 2.3  # "by year 4 the RoI is 2.3 : 1"
    # Implementation cost £631,000 in year 1: net 539,000 − 631,000 = −92,000.
    assert summary.loc["2022/23", "net_benefit"] == -9_200_000


def test_programme_cumulative_benefit_over_a_window(tracker) -> None:  # type: ignore[no-untyped-def]
    figures = selectors.programme_figures(
        programme=tracker.programme, basis="original", first_year="2023/24", last_year="2025/26"
    )
    # 3,557,000 + 7,322,000 + 9,331,000 = 20,210,000; 20,210,000 / 8,900,000 = 2.27:1.
    assert figures.cumulative == 2_021_000_000
    assert figures.roi == pytest.approx(2_021_000_000 / 890_000_000)
    assert figures.payback == "2026/27"  # payback still counts from the first year


def test_the_delayed_start_reprofiles_side_by_side_with_the_same_lifetime_total(tracker) -> None:  # type: ignore[no-untyped-def]
    figures = selectors.programme_figures(programme=tracker.programme)
    profiles = figures.profiles.set_index("year_label")
    # b'(k) = b(k−1)·6/12 + b(k)·6/12: 269,500; 2,048,000; 5,439,500; 8,326,500; 9,735,000; 10,278,000;
    # 10,623,000; 11,035,000; and 5,620,500 in the added year 2030/31.
    assert profiles["target_reprofiled"].tolist() == [
        26_950_000,
        204_800_000,
        543_950_000,
        832_650_000,
        973_500_000,
        1_027_800_000,
        1_062_300_000,
        1_103_500_000,
        562_050_000,
    ]
    assert profiles.loc["2030/31", "target"] == 0
    assert profiles["target"].sum() == profiles["target_reprofiled"].sum() == 6_337_500_000
    assert profiles["stretch"].sum() == profiles["stretch_reprofiled"].sum()
    # Cumulative after the delay: 25,818,500 by 2026/27 < 26,700,000; 36,096,500 by 2027/28 → a year later.
    assert figures.payback == "2027/28"


def test_a_hurdle_that_is_never_reached_gives_no_payback_year(tracker) -> None:  # type: ignore[no-untyped-def]
    figures = selectors.programme_figures(programme=tracker.programme, hurdle=Decimal(8))
    assert figures.payback is None  # 7.12:1 at most


def test_a_programme_without_investment_says_so(tracker, finance_officer) -> None:  # type: ignore[no-untyped-def]
    bare = programme_save(
        authority=tracker.authority, user=finance_officer, code="NEW", name="New", first_year="2023/24"
    )
    figures = selectors.programme_figures(programme=bare)
    assert figures.roi is None and figures.summary is None
    assert any("no target benefit profile" in p for p in figures.problems)


def test_exports_show_pounds_with_pence(tracker) -> None:  # type: ignore[no-untyped-def]
    totals = selectors.totals_by_year(authority=tracker.authority)
    out = selectors.for_export(totals, money=["gross", "total"]).set_index("year_label")
    assert out.loc["2024/25", "gross"] == Decimal("2436999.99")
