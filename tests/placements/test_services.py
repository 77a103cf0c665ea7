"""Changing the register on screen: add, end, change a rate (which splits the row), the code
mapping and unit costs. Every change is audited."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from accounts.models import AuditEvent
from placements import services
from placements.models import Child, CodeMapping, Placement

pytestmark = pytest.mark.django_db


def add(authority, user, types, **kwargs):
    values = {
        "child_ref": "C001",
        "child_dob": date(2010, 5, 1),
        "placement_type": types["fostering_ifa"],
        "start_date": date(2019, 4, 1),
        "weekly_cost": 95_000,
        "placement_ref": "P1",
        "today": date(2024, 6, 1),
    }
    values.update(kwargs)
    return services.placement_add(authority=authority, user=user, **values)


def test_adding_a_placement_creates_the_child_links_the_line_and_audits(
    authority, finance_officer, placement_types, placement_lines
):
    row = add(authority, finance_officer, placement_types, uasc=True)
    assert row.line.code == "CIC-FOS-IFA" and row.source == "manual"
    assert Child.objects.get(authority=authority, child_ref="C001").uasc
    event = AuditEvent.objects.get(action="placement.add")
    assert event.after["weekly_cost"] == 95_000 and event.user == finance_officer


def test_a_placement_reference_is_made_when_none_is_given(authority, finance_officer, placement_types):
    row = add(authority, finance_officer, placement_types, placement_ref="")
    assert row.placement_ref == "P-C001-20190401"


@pytest.mark.parametrize(
    ("change", "field", "text"),
    [
        ({"child_ref": "Jane Smith"}, "child_ref", "is not a pseudonymous child reference"),
        ({"child_dob": date(2030, 1, 1)}, "child_dob", "The date of birth is in the future"),
        ({"child_dob": date(1994, 1, 1)}, "child_dob", "the child is 25 on the start date"),
        ({"end_date": date(2019, 3, 1)}, "end_date", "The end date (01/03/2019) is on or before the start date"),
        ({"weekly_cost": -1}, "weekly_cost", "is negative"),
        ({"weekly_cost": 5_000_001}, "weekly_cost", "is more than £50,000 a week"),
    ],
)
def test_bad_placements_are_refused(authority, finance_officer, placement_types, change, field, text):
    with pytest.raises(ValidationError) as caught:
        add(authority, finance_officer, placement_types, **change)
    assert text in " ".join(caught.value.message_dict[field])
    assert Placement.objects.count() == 0


def test_a_known_child_keeps_one_date_of_birth(authority, finance_officer, placement_types):
    add(authority, finance_officer, placement_types)
    with pytest.raises(ValidationError) as caught:
        add(authority, finance_officer, placement_types, placement_ref="P2", child_dob=date(2010, 6, 1))
    assert "is recorded with the date of birth 01/05/2010" in caught.value.message_dict["child_dob"][0]


def test_changing_the_rate_splits_the_row_into_two_contiguous_rows(authority, finance_officer, placement_types):
    add(authority, finance_officer, placement_types, end_date=date(2020, 4, 1), health_contribution=1_000)
    services.placement_rate_change(
        authority=authority,
        user=finance_officer,
        placement_ref="P1",
        from_date=date(2019, 9, 1),
        weekly_cost=100_000,
        reason="annual uplift",
    )
    rows = list(
        Placement.objects.filter(placement_ref="P1")
        .order_by("start_date")
        .values_list("start_date", "end_date", "weekly_cost", "health_contribution")
    )
    assert rows == [
        (date(2019, 4, 1), date(2019, 9, 1), 95_000, 1_000),
        (date(2019, 9, 1), date(2020, 4, 1), 100_000, 1_000),
    ]
    event = AuditEvent.objects.get(action="placement.rate_change")
    assert event.reason == "annual uplift" and event.before["weekly_cost"] == 95_000
    assert event.after["new_row"]["weekly_cost"] == 100_000


def test_a_rate_change_on_the_row_s_first_day_changes_the_rate_without_a_split(
    authority, finance_officer, placement_types
):
    add(authority, finance_officer, placement_types)
    services.placement_rate_change(
        authority=authority, user=finance_officer, placement_ref="P1", from_date=date(2019, 4, 1), weekly_cost=96_000
    )
    assert list(Placement.objects.values_list("weekly_cost", flat=True)) == [96_000]


def test_a_rate_change_outside_the_placement_is_refused(authority, finance_officer, placement_types):
    add(authority, finance_officer, placement_types, end_date=date(2019, 6, 1))
    with pytest.raises(ValidationError) as caught:
        services.placement_rate_change(
            authority=authority,
            user=finance_officer,
            placement_ref="P1",
            from_date=date(2019, 7, 1),
            weekly_cost=100_000,
        )
    assert "is not open on 01/07/2019" in caught.value.message_dict["from_date"][0]


def test_ending_a_placement_sets_the_exclusive_end_of_its_last_row(authority, finance_officer, placement_types):
    add(authority, finance_officer, placement_types)
    services.placement_rate_change(
        authority=authority, user=finance_officer, placement_ref="P1", from_date=date(2019, 9, 1), weekly_cost=100_000
    )
    services.placement_end(
        authority=authority,
        user=finance_officer,
        placement_ref="P1",
        end_date=date(2019, 12, 1),
        reason="moved to in-house carers",
    )
    assert list(Placement.objects.order_by("start_date").values_list("end_date", flat=True)) == [
        date(2019, 9, 1),
        date(2019, 12, 1),
    ]
    assert AuditEvent.objects.get(action="placement.end").reason == "moved to in-house carers"
    with pytest.raises(ValidationError):  # before the last rate began
        services.placement_end(authority=authority, user=finance_officer, placement_ref="P1", end_date=date(2019, 8, 1))


def test_another_authority_s_placement_cannot_be_changed(
    authority, finance_officer, other_finance_officer, other_authority, placement_types
):
    add(authority, finance_officer, placement_types)
    with pytest.raises(ValidationError):
        services.placement_end(
            authority=other_authority, user=other_finance_officer, placement_ref="P1", end_date=date(2019, 12, 1)
        )
    assert Placement.objects.get().end_date is None


def test_mapping_rows_may_not_cover_the_same_year_twice(authority, administrator, placement_types):
    with pytest.raises(ValidationError) as caught:
        services.code_mapping_save(
            authority=authority,
            user=administrator,
            place="K3",
            place_provider="",
            valid_from_year=2025,
            valid_to_year=None,
            placement_type=placement_types["other"],
        )
    assert "already covers these years" in caught.value.message_dict["place"][0]
    row = services.code_mapping_save(
        authority=authority,
        user=administrator,
        place="r2",
        place_provider="",
        valid_from_year=None,
        valid_to_year=None,
        placement_type=placement_types["other"],
    )
    assert row.place == "R2"
    assert AuditEvent.objects.get(action="placement_mapping.save").after["placement_type"] == "other"
    services.code_mapping_delete(authority=authority, user=administrator, mapping=row)
    assert not CodeMapping.objects.filter(authority=authority, place="R2").exists()
    assert AuditEvent.objects.filter(action="placement_mapping.delete").count() == 1
