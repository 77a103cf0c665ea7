"""The engine's contract: placement_register_frame and placement_types_frame, exact columns and types."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from placements import selectors
from placements.models import Child, CodeMapping, Placement
from placements.ssda903 import default_mapping
from tests.factories import AuthorityFactory

pytestmark = pytest.mark.django_db

CONTRACT = [
    "placement_ref",
    "child_ref",
    "child_dob",
    "placement_type",
    "start_date",
    "end_date",
    "planned_end_date",
    "weekly_cost",
    "health_contribution",
    "education_contribution",
    "uasc",
    "line_code",
]


def _row(authority, types, line=None, **kwargs):
    child, _ = Child.objects.get_or_create(
        authority=authority, child_ref=kwargs.pop("child_ref", "C001"), defaults={"date_of_birth": date(2010, 5, 1)}
    )
    values = {
        "placement_ref": "P1",
        "placement_type": types["fostering_ifa"],
        "start_date": date(2019, 4, 1),
        "weekly_cost": 95_000,
        "line": line,
    }
    values.update(kwargs)
    return Placement.objects.create(authority=authority, child=child, **values)


def test_the_register_frame_has_the_engine_columns_and_types(authority, placement_types, placement_lines):
    _row(
        authority,
        placement_types,
        line=placement_lines["CIC-FOS-IFA"],
        end_date=date(2019, 6, 1),
        health_contribution=1_000,
    )
    _row(
        authority,
        placement_types,
        start_date=date(2019, 6, 1),
        weekly_cost=100_000,
        uasc=True,
        planned_end_date=date(2020, 1, 1),
    )
    frame = selectors.placement_register_frame(authority=authority)
    assert list(frame.columns) == CONTRACT
    assert str(frame["child_dob"].dtype) == "datetime64[ns]"
    for column in ("start_date", "end_date", "planned_end_date"):
        assert str(frame[column].dtype) == "datetime64[ns]"
    for column in ("weekly_cost", "health_contribution", "education_contribution"):
        assert frame[column].dtype == "int64"
    assert frame["uasc"].dtype == bool
    first, second = frame.to_dict("records")
    assert first["placement_type"] == "fostering_ifa" and first["line_code"] == "CIC-FOS-IFA"
    assert first["end_date"] == pd.Timestamp("2019-06-01") and pd.isna(second["end_date"])
    assert second["line_code"] is None and second["uasc"] is True
    assert first["health_contribution"] == 1_000 and second["weekly_cost"] == 100_000


def test_an_empty_register_still_has_the_columns(authority):
    frame = selectors.placement_register_frame(authority=authority)
    assert list(frame.columns) == CONTRACT and frame.empty
    assert frame["weekly_cost"].dtype == "int64"


def test_the_register_frame_holds_only_the_authority_s_rows(authority, other_authority, placement_types):
    _row(authority, placement_types)
    _row(other_authority, placement_types, placement_ref="THEIRS")
    assert list(selectors.placement_register_frame(authority=authority)["placement_ref"]) == ["P1"]


def test_placement_types_frame_says_which_types_continue_after_18(placement_types):
    frame = selectors.placement_types_frame()
    assert list(frame.columns[:2]) == ["code", "continues_after_18"]
    flags = dict(zip(frame["code"], frame["continues_after_18"], strict=True))
    assert flags["staying_put"] is True and flags["leaving_care"] is True and flags["fostering_ifa"] is False
    assert frame["code"].iloc[0] == "fostering_in_house"  # reporting order


def test_a_new_authority_starts_with_the_default_ssda903_mapping(placement_types):
    council = AuthorityFactory(code="NEWCO")
    assert CodeMapping.objects.filter(authority=council).count() == len(default_mapping())
    frame = selectors.code_mapping_frame(authority=council)
    k3 = frame[frame["place"] == "K3"].iloc[0]
    assert k3["finance_type"] == "supported_accommodation" and k3["valid_from_year"] == 2024
    u4 = frame[(frame["place"] == "U4") & (frame["place_provider"] == "PR4")].iloc[0]
    assert u4["finance_type"] == "fostering_ifa"
    assert frame[(frame["place"] == "U4")]["place_provider"].isna().sum() == 1  # the "any provider" row
