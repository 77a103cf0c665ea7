"""Commentary, sign-off and who may see what (issue 7: sign-off and publication)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import AuditEvent, Role
from dashboards import services
from dashboards.models import PublishedPeriod, ServiceCommentary
from forecasting.services import actuals_save, budget_set
from tests.dashboards.county import everything_looked_at, run_forecast
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _query(run) -> str:  # type: ignore[no-untyped-def]
    return f"year={run.year.label}&period={run.period}&run={run.pk}"


def test_a_finance_officer_writes_commentary_per_service_and_it_is_audited(run, finance_officer, client_for) -> None:  # type: ignore[no-untyped-def]
    client = client_for(finance_officer)
    page = client.get(f"{reverse('dashboards:commentary')}?{_query(run)}")
    assert page.status_code == 200
    names = [row["name"] for row in page.context["rows"]]
    assert names == ["Children in Care", "Legal", "Social Work"]
    response = client.post(
        f"{reverse('dashboards:commentary')}?{_query(run)}",
        {"commentary-0": "Residential numbers rose by one.", "commentary-2": "Agency cover."},
    )
    assert response.status_code == 302
    saved = dict(ServiceCommentary.objects.values_list("service_area", "text"))
    assert saved == {"Children in Care": "Residential numbers rose by one.", "Social Work": "Agency cover."}
    events = AuditEvent.objects.filter(action="dashboards.commentary")
    assert events.count() == 2
    assert events.filter(after__text="Agency cover.", before__text="").exists()


def test_only_a_director_can_sign_off(
    run, finance_officer, director, committee_member, administrator, client_for
) -> None:  # type: ignore[no-untyped-def]
    url = reverse("dashboards:sign_off")
    for user in (finance_officer, committee_member, administrator):
        assert client_for(user).post(url, {"run": run.pk, "comment": "ok"}).status_code == 403
        with pytest.raises(PermissionError):
            services.period_sign_off(
                authority=run.authority, user=user, run=run, comment="ok", acknowledged=everything_looked_at(run)
            )
    assert not PublishedPeriod.objects.exists()
    response = client_for(director).post(
        url, {"run": run.pk, "comment": "Signed off for committee.", "acknowledged": sorted(everything_looked_at(run))}
    )
    published = PublishedPeriod.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("dashboards:published", args=[published.pk])
    assert (published.version, published.run_id, published.comment) == (1, run.pk, "Signed off for committee.")
    event = AuditEvent.objects.get(action="dashboards.sign_off")
    assert event.user == director and event.after["run"] == run.pk and event.after["version"] == 1


def test_a_sign_off_needs_a_comment(run, director, client_for) -> None:  # type: ignore[no-untyped-def]
    response = client_for(director).post(reverse("dashboards:sign_off"), {"run": run.pk, "comment": "  "})
    assert response.status_code == 400
    assert b"Enter a sign-off comment" in response.content
    assert not PublishedPeriod.objects.exists()


def test_a_director_cannot_sign_off_another_authoritys_run(run, other_authority, client_for) -> None:  # type: ignore[no-untyped-def]
    stranger = UserFactory(username="odette", authority=other_authority, role=Role.DIRECTOR)
    assert client_for(stranger).post(reverse("dashboards:sign_off"), {"run": run.pk, "comment": "x"}).status_code == 404
    with pytest.raises(PermissionError):
        services.period_sign_off(
            authority=other_authority, user=stranger, run=run, comment="x", acknowledged=everything_looked_at(run)
        )


def test_committee_members_see_published_periods_only(run, director, committee_member, client_for) -> None:  # type: ignore[no-untyped-def]
    client = client_for(committee_member)
    # The live dashboard and its parts are for staff; the committee is sent to what is published.
    assert client.get(reverse("dashboards:period")).url == reverse("dashboards:published_list")
    assert client.get(f"{reverse('dashboards:service')}?{_query(run)}&service=Legal").status_code == 403
    assert client.get(f"{reverse('dashboards:table', args=['headline', 'csv'])}?{_query(run)}").status_code == 403
    home = client.get(reverse("home"))
    assert b"No period has been published yet" in home.content
    published = services.period_sign_off(
        authority=run.authority,
        user=director,
        run=run,
        comment="For committee.",
        acknowledged=everything_looked_at(run),
    )
    home = client.get(reverse("home"))
    assert reverse("dashboards:published", args=[published.pk]).encode() in home.content
    page = client.get(reverse("dashboards:published", args=[published.pk]))
    assert page.status_code == 200 and b"For committee." in page.content


def test_nobody_sees_another_authoritys_published_period(run, director, other_authority, client_for) -> None:  # type: ignore[no-untyped-def]
    published = services.period_sign_off(
        authority=run.authority, user=director, run=run, comment="ok", acknowledged=everything_looked_at(run)
    )
    councillor = UserFactory(username="oscar", authority=other_authority, role=Role.COMMITTEE_MEMBER)
    client = client_for(councillor)
    assert client.get(reverse("dashboards:published", args=[published.pk])).status_code == 404
    assert client.get(reverse("dashboards:published_table", args=[published.pk, "headline", "csv"])).status_code == 404
    assert client.post(reverse("dashboards:published_pdf", args=[published.pk])).status_code == 404
    assert b"No period has been published yet" in client.get(reverse("dashboards:published_list")).content


def test_publishing_a_newer_run_makes_version_2_and_version_1_stays_readable(
    run, county, authority, director, finance_officer, client_for
) -> None:  # type: ignore[no-untyped-def]
    first = services.period_sign_off(
        authority=authority, user=director, run=run, comment="First.", acknowledged=everything_looked_at(run)
    )
    with pytest.raises(services.SignOffError):
        services.period_sign_off(
            authority=authority, user=director, run=run, comment="Again.", acknowledged=everything_looked_at(run)
        )
    budget_set(
        authority=authority,
        user=finance_officer,
        line=county.authority.budget_lines.get(code="LEG-EXT"),
        year=county,
        amount=30_000_000,
        reason="Correction: legal budget vired in",
    )
    corrected = run_forecast(authority=authority, year=county, user=finance_officer)
    second = services.period_sign_off(
        authority=authority,
        user=director,
        run=corrected,
        comment="Corrected budget.",
        acknowledged=everything_looked_at(corrected),
    )
    assert (first.version, second.version) == (1, 2)
    assert second.document["publication"]["supersedes"] == 1
    client = client_for(director)
    old_page = client.get(reverse("dashboards:published", args=[first.pk]))
    assert old_page.status_code == 200 and old_page.context["newer"] == second
    assert b"superseded by" in old_page.content
    listing = client.get(reverse("dashboards:published_list")).content.decode()
    assert "Superseded" in listing and "Current" in listing
    # Legal's budget went from £260,000 to £300,000: £40,000 more in version 2 only.
    assert first.document["department"]["budget"] + 4_000_000 == second.document["department"]["budget"]


def test_another_county_cannot_be_built_into_this_authoritys_commentary(run, other_authority) -> None:  # type: ignore[no-untyped-def]
    stranger = UserFactory(username="olga", authority=other_authority, role=Role.FINANCE_OFFICER)
    with pytest.raises(PermissionError):
        services.commentary_save(authority=run.authority, user=stranger, year=run.year, period=4, texts={"Legal": "x"})


def test_a_period_with_missing_actuals_cannot_be_signed_off(run, finance_officer, director, client_for) -> None:  # type: ignore[no-untyped-def]
    # The run as at period 4 finished; then period 2's legal actual was cleared (blank, not nil).
    year = run.year
    legal = year.authority.budget_lines.get(code="LEG-EXT")
    actuals_save(
        authority=year.authority, user=finance_officer, period=year.periods.get(number=2), amounts={legal.pk: None}
    )
    message = (
        "Period 4 (July 2019) cannot be signed off yet. Budget lines without an actual (enter 0 for a line with "
        "no spend): LEG-EXT External legal costs for Period 2 (May 2019)."
    )
    with pytest.raises(services.SignOffError) as refused:
        services.period_sign_off(
            authority=run.authority,
            user=director,
            run=run,
            comment="For committee.",
            acknowledged=everything_looked_at(run),
        )
    assert str(refused.value) == message
    client = client_for(director)
    page = " ".join(client.get(f"{reverse('dashboards:sign_off')}?{_query(run)}").content.decode().split())
    assert "Period 4 cannot be signed off until every budget line has an actual" in page
    assert "<li>LEG-EXT External legal costs for Period 2 (May 2019)</li>" in page
    assert 'id="confirm-sign-off"' not in page
    response = client.post(reverse("dashboards:sign_off"), {"run": run.pk, "comment": "For committee."})
    assert response.status_code == 400 and not PublishedPeriod.objects.exists()
    # An actual of 0 confirms the line had no spend that month: now it can be signed off.
    actuals_save(
        authority=year.authority, user=finance_officer, period=year.periods.get(number=2), amounts={legal.pk: 0}
    )
    assert (
        services.period_sign_off(
            authority=run.authority, user=director, run=run, comment="Ok.", acknowledged=everything_looked_at(run)
        ).version
        == 1
    )
