"""The services: what they refuse, and that every change is audited."""

from __future__ import annotations

from datetime import date

import pytest

from accounts.models import AuditEvent
from savings.models import Saving, SavingVersion
from savings.services import (
    SavingInputError,
    VersionInput,
    medium_term_plan_set,
    plan_years_problems,
    programme_profiles_set,
    programme_save,
    saving_create,
    saving_details_save,
    saving_mitigation_add,
    saving_status_record,
    saving_versions_set,
)
from tests.factories import ServiceAreaFactory

pytestmark = pytest.mark.django_db


def problems(call) -> list[str]:  # type: ignore[no-untyped-def]
    with pytest.raises(SavingInputError) as info:
        call()
    return info.value.problems


def test_amounts_must_fall_inside_the_plan(authority, plan) -> None:  # type: ignore[no-untyped-def]
    assert plan_years_problems(authority, ["2022/23", "2025/26"]) == []
    assert plan_years_problems(authority, ["2026/27", "2022/2"]) == [
        "2026/27 is outside the medium-term financial plan (2022/23 to 2025/26)",
        "'2022/2' is not a financial year; write it like 2019/20",
    ]


def test_no_plan_means_no_amounts(authority) -> None:  # type: ignore[no-untyped-def]
    assert plan_years_problems(authority, ["2022/23"]) == [
        "there is no medium-term financial plan yet; set its years first"
    ]


def test_a_plan_longer_than_ten_years_is_refused(authority, finance_officer) -> None:  # type: ignore[no-untyped-def]
    assert problems(
        lambda: medium_term_plan_set(
            authority=authority, user=finance_officer, first_year="2022/23", last_year="2040/41"
        )
    ) == ["last year: A plan covers at most 10 years"]


def test_a_reprofile_of_a_saving_keeps_its_lifetime_total(tracker, finance_officer) -> None:  # type: ignore[no-untyped-def]
    s6 = tracker.savings["S6"]  # approved £200,000 × 4
    found = problems(
        lambda: saving_versions_set(
            authority=tracker.authority,
            user=finance_officer,
            saving=s6,
            versions={"reprofiled": VersionInput(amounts={"2022/23": 100_00, "2023/24": 300_000_00})},
        )
    )
    assert found == [
        "saving S6: the re-profile totals £300,100.00 over its lifetime but the profile it replaces totals "
        "£800,000.00 (a difference of (£499,900.00)); a re-profile may move savings between years but must not "
        "change the total"
    ]
    assert not s6.versions.filter(version="reprofiled").exists()


def test_changing_the_approved_profile_under_a_reprofile_is_refused(tracker, finance_officer) -> None:  # type: ignore[no-untyped-def]
    s7 = tracker.savings["S7"]  # approved £400,000, re-profiled £400,000
    found = problems(
        lambda: saving_versions_set(
            authority=tracker.authority,
            user=finance_officer,
            saving=s7,
            versions={"approved": VersionInput(amounts={"2022/23": 50_000_00}, replace_years=["2022/23"])},
        )
    )
    assert "the re-profile totals £400,000.00" in found[0] and "totals £350,000.00" in found[0]


def test_an_absorbed_saving_must_name_its_programme(tracker, finance_officer) -> None:  # type: ignore[no-untyped-def]
    found = problems(
        lambda: saving_status_record(
            authority=tracker.authority,
            user=finance_officer,
            saving=tracker.savings["S1"],
            as_at=date(2022, 10, 31),
            year_label="2022/23",
            status="absorbed",
        )
    )
    assert found == ["status: an absorbed saving must name the programme that absorbed it"]
    found = problems(
        lambda: saving_details_save(
            authority=tracker.authority,
            user=finance_officer,
            saving=tracker.savings["S4"],
            title="T",
            service_area=tracker.savings["S4"].service_area,
            programme=None,
        )
    )
    assert "the saving is absorbed, so it must stay linked" in found[0]


def test_unknown_status_and_rag_are_refused(tracker, finance_officer) -> None:  # type: ignore[no-untyped-def]
    found = problems(
        lambda: saving_status_record(
            authority=tracker.authority,
            user=finance_officer,
            saving=tracker.savings["S1"],
            as_at=date(2022, 10, 31),
            year_label="2022/23",
            status="on track",
        )
    )
    assert found == [
        "status 'on track' is not one of achieved, on_track, at_risk, undeliverable, absorbed (did you mean on_track?)"
    ]
    found = problems(
        lambda: saving_status_record(
            authority=tracker.authority,
            user=finance_officer,
            saving=tracker.savings["S1"],
            as_at=date(2022, 10, 31),
            year_label="2022/23",
            status="on_track",
            rag="blue",
        )
    )
    assert found == ["RAG 'blue' is not one of green, amber, red"]


def test_the_saving_shows_its_latest_cycle_by_date_not_by_entry(tracker, finance_officer) -> None:  # type: ignore[no-untyped-def]
    s2 = tracker.savings["S2"]
    saving_status_record(
        authority=tracker.authority,
        user=finance_officer,
        saving=s2,
        as_at=date(2023, 1, 31),
        year_label="2022/23",
        status="undeliverable",
    )
    # A late entry for an earlier cycle is history; it does not overwrite January's status.
    saving_status_record(
        authority=tracker.authority,
        user=finance_officer,
        saving=s2,
        as_at=date(2022, 12, 31),
        year_label="2022/23",
        status="on_track",
    )
    s2.refresh_from_db()
    assert (s2.status, s2.rag) == ("undeliverable", "red")
    assert s2.updates.count() == 3


def test_every_change_is_audited_with_before_and_after(tracker, finance_officer) -> None:  # type: ignore[no-untyped-def]
    s1 = tracker.savings["S1"]
    saving_versions_set(
        authority=tracker.authority,
        user=finance_officer,
        saving=s1,
        versions={
            "approved": VersionInput(amounts={"2022/23": 20_000_000, "2023/24": 17_000_000}, replace_years=["2023/24"])
        },
    )
    event = AuditEvent.objects.filter(action="saving.approved", object_id=str(s1.pk)).order_by("-id").first()
    assert event.before["amounts"]["2023/24"] == 18_000_000 and event.after["amounts"]["2023/24"] == 17_000_000
    assert event.after["amounts"]["2024/25"] == 18_000_000  # a year the change did not describe is kept
    assert event.user == finance_officer
    actions = set(AuditEvent.objects.filter(authority=tracker.authority).values_list("action", flat=True))
    assert {
        "savings_plan.set",
        "programme.create",
        "programme.profiles_set",
        "programme.investment_add",
        "saving.create",
        "saving.consultation",
        "saving.approved",
        "saving.reprofiled",
        "saving.status",
        "saving.mitigation_add",
    } <= actions


def test_setting_the_same_versions_again_changes_and_audits_nothing(tracker, finance_officer) -> None:  # type: ignore[no-untyped-def]
    before = AuditEvent.objects.count()
    outcome = saving_versions_set(
        authority=tracker.authority,
        user=finance_officer,
        saving=tracker.savings["S3"],
        versions={
            "approved": VersionInput(
                amounts={"2022/23": 0, "2023/24": 16_500_000, "2024/25": 16_500_000, "2025/26": 16_500_000}
            )
        },
    )
    assert outcome == {"approved": "unchanged"} and AuditEvent.objects.count() == before


def test_rows_of_another_authority_are_refused(tracker, finance_officer, other_authority) -> None:  # type: ignore[no-untyped-def]
    theirs = ServiceAreaFactory(authority=other_authority, name="Theirs")
    with pytest.raises(SavingInputError, match="belongs to another authority"):
        saving_create(
            authority=tracker.authority,
            user=finance_officer,
            ref="X",
            title="X",
            service_area=theirs,
            amounts={"2022/23": 1},
            status="on_track",
            as_at=date(2022, 9, 30),
            year_label="2022/23",
        )
    with pytest.raises(SavingInputError, match="belongs to another authority"):
        saving_mitigation_add(
            authority=other_authority,
            user=None,
            saving=tracker.savings["S1"],
            year_label="2022/23",
            amount=1,
            source="reserves",
        )
    assert not Saving.objects.filter(ref="X").exists()


def test_a_new_saving_cannot_start_as_a_reprofile(tracker, finance_officer) -> None:  # type: ignore[no-untyped-def]
    found = problems(
        lambda: saving_create(
            authority=tracker.authority,
            user=finance_officer,
            ref="NEW",
            title="New",
            service_area=tracker.savings["S1"].service_area,
            amounts={"2022/23": 100},
            status="on_track",
            as_at=date(2022, 9, 30),
            year_label="2022/23",
            version=SavingVersion.Version.REPROFILED,
        )
    )
    assert found == ["version: a new saving starts as a consultation or an approved proposal; re-profile it later"]


def test_negative_amounts_and_mitigations_are_refused(tracker, finance_officer) -> None:  # type: ignore[no-untyped-def]
    found = problems(
        lambda: saving_versions_set(
            authority=tracker.authority,
            user=finance_officer,
            saving=tracker.savings["S8"],
            versions={"consultation": VersionInput(amounts={"2022/23": -100})},
        )
    )
    assert found == ["Consultation amounts 2022/23: (£1.00) is negative; write a saving as a positive amount"]
    found = problems(
        lambda: saving_mitigation_add(
            authority=tracker.authority,
            user=finance_officer,
            saving=tracker.savings["S6"],
            year_label="2022/23",
            amount=0,
            source="luck",
        )
    )
    assert found == [
        "amount: a mitigation must be more than £0",
        "source: 'luck' is not one of alternative_saving, underspend, reserves, grant, other",
    ]


def test_programme_profiles_stay_inside_the_programmes_years(tracker, finance_officer) -> None:  # type: ignore[no-untyped-def]
    found = problems(
        lambda: programme_profiles_set(
            authority=tracker.authority,
            user=finance_officer,
            programme=tracker.programme,
            target={"2030/31": 1},
            stretch={},
            costs={"2022/23": -5},
        )
    )
    assert found == [
        "target benefit 2030/31: outside the programme's years 2022/23 to 2029/30",
        "implementation cost 2022/23: (£0.05) is negative; write benefits and costs as positive",
    ]
    # Shortening the programme would strand its later benefits.
    found = problems(
        lambda: programme_save(
            authority=tracker.authority,
            user=finance_officer,
            programme=tracker.programme,
            code="CTP",
            name="CTP",
            first_year="2022/23",
            years=4,
            delay_months=6,
        )
    )
    assert "outside the programme's years 2022/23 to 2025/26" in found[0]


def test_a_delay_over_twelve_months_is_refused(tracker, finance_officer) -> None:  # type: ignore[no-untyped-def]
    found = problems(
        lambda: programme_save(
            authority=tracker.authority,
            user=finance_officer,
            programme=tracker.programme,
            code="CTP",
            name="CTP",
            first_year="2022/23",
            years=8,
            delay_months=13,
        )
    )
    assert found == ["delay months: Ensure this value is less than or equal to 12."]
