"""The placement register holds children's details: administrators read it (its pages, the KPI
page and their downloads) only where OUTTURN_ADMINS_SEE_REGISTER allows it, and off is the default."""

from __future__ import annotations

from datetime import date

import pytest
from django.conf import settings as django_settings

from placements import services

pytestmark = pytest.mark.django_db

REGISTER = ["/placements/", "/placements/p/P1/", "/placements/kpis/"]
DOWNLOADS = ["/placements/?format=csv", "/placements/?format=xlsx", "/placements/p/P1/?format=csv"]


@pytest.fixture
def placed(authority, finance_officer, placement_types, placement_lines):
    services.placement_add(
        authority=authority,
        user=finance_officer,
        child_ref="C001",
        child_dob=date(2010, 5, 1),
        placement_type=placement_types["residential_external"],
        start_date=date(2019, 4, 1),
        weekly_cost=450_000,
        placement_ref="P1",
        today=date(2024, 6, 1),
    )


def test_the_register_is_closed_to_administrators_by_default() -> None:
    assert django_settings.OUTTURN_ADMINS_SEE_REGISTER is False


def test_when_off_administrators_get_forbidden_and_no_menu_link(client_for, administrator, placed, settings) -> None:
    settings.OUTTURN_ADMINS_SEE_REGISTER = False
    client = client_for(administrator)
    for path in REGISTER + DOWNLOADS:
        response = client.get(path)
        assert response.status_code == 403, path
        assert "C001" not in response.content.decode()
    home = client.get("/").content.decode()
    assert 'href="/placements/"' not in home and 'href="/placements/kpis/"' not in home
    # What administrators look after is still theirs: the SSDA903 code mapping and unit costs.
    mapping = client.get("/placements/mapping/")
    assert mapping.status_code == 200
    assert 'href="/placements/"' not in mapping.content.decode()
    assert client.get("/placements/unit-costs/").status_code == 200


def test_when_on_administrators_read_the_register_and_its_downloads(
    client_for, administrator, placed, settings
) -> None:
    settings.OUTTURN_ADMINS_SEE_REGISTER = True
    client = client_for(administrator)
    for path in REGISTER + DOWNLOADS:
        assert client.get(path).status_code == 200, path
    assert "C001" in client.get("/placements/").content.decode()
    assert 'href="/placements/"' in client.get("/").content.decode()
    # Reading is all: changing the register stays with finance officers.
    assert client.get("/placements/add/").status_code == 403


@pytest.mark.parametrize("allowed", [False, True])
def test_the_setting_changes_nothing_for_other_roles(
    client_for, finance_officer, director, committee_member, placed, settings, allowed: bool
) -> None:
    settings.OUTTURN_ADMINS_SEE_REGISTER = allowed
    for user in (finance_officer, director):
        client = client_for(user)
        assert all(client.get(path).status_code == 200 for path in REGISTER + DOWNLOADS)
        assert 'href="/placements/"' in client.get("/").content.decode()
    assert client_for(committee_member).get("/placements/").status_code == 403
