"""Scenario assumptions and audit changes as people read them (issue 12, point 4), by hand."""

from __future__ import annotations

from accounts.audit import action_words, changes_words, event_words
from forecasting.scenarios import assumption_words

NAMES = {"fostering_ifa": "Independent fostering agency"}


def test_an_assumption_row_reads_as_a_sentence() -> None:
    assert assumption_words({"scenario": "best", "agency_target_fte": "50", "delivery_at_risk_pct": "75"}, NAMES) == (
        "Agency workers by March: 50; Savings at risk delivered: 75.0%"
    )
    row = {"placement_type": "fostering_ifa", "fee_uplift_pct": "2.5", "fee_uplift_from": "2019-10-01"}
    assert assumption_words(row, NAMES) == "Independent fostering agency: fee uplift 2.5% from 1 October 2019"
    row = {"placement_type": "", "demand_method": "net_change", "net_change": "25.00", "new_unit_cost": "5250.00"}
    assert (
        assumption_words(row, NAMES) == "Every placement type: net change 25 by March; new placements £5,250.00 a week"
    )
    assert assumption_words({"demand_method": "auto", "billable_factor": "0.9", "team": "CP"}, NAMES) == (
        "Every placement type: method: chosen by our own back-test; Share of agency time billed: 90.0%"
    )
    assert (
        assumption_words({"agency_target_fte": "12.5", "team": "CP"}, NAMES)
        == "Agency workers in team CP by March: 12.5"
    )


def test_an_audit_change_reads_in_words_with_pounds_not_pence() -> None:
    assert action_words("dashboards.sign_off") == "Signed off"
    assert event_words("dashboards.sign_off", "2019/20 period 7 version 1") == "Signed off 2019/20 period 7 version 1"
    assert action_words("import.savings") == "Imported a savings file"
    assert action_words("something_new.done") == "Something new done"  # a kind not yet named: its words
    assert changes_words({"outturn": 13_046_570_175, "status": "on_track", "as_at": "2019-09-30"}) == (
        "Outturn: £130,465,701.75; Status: On track; As at: 30 September 2019"
    )
    assert changes_words({"amount": 200_000_000, "fte": "1.00", "hard_to_retain": True}) == (
        "Amount: £2,000,000; FTE: 1.00; Hard to retain: Yes"
    )
    assert changes_words({"amounts": {"2019": -2_450_000}}) == "Amounts: 2019 (£24,500)"
    assert changes_words(None) == ""
