"""Sign-off guards on the test county (issue 12, point 2): what the page lists, the refusal
without acknowledgements (in the service and on the page), and what a published version records.

The county's budget is £3,866,000, so the movement threshold is 2% of it, £77,320 (below £1m).
Legal is forecast on its run rate: £24,000 a month for four months is £96,000, × 12 / 4 =
£288,000 against a £260,000 budget, a £28,000 overspend.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from dashboards import services
from dashboards.models import PublishedPeriod, ServiceCommentary
from dashboards.sign_off_reads import sign_off_checks
from forecasting.services import actuals_save
from tests.core.form_markup import field_error_problems, problems, read
from tests.dashboards.county import everything_looked_at

pytestmark = pytest.mark.django_db

LEGAL = "Legal has no variance commentary for this period (a £28,000 overspend)."
ALL_WRITTEN = {"Children in Care": "Residential up by one.", "Social Work": "Agency cover.", "Legal": "Proceedings."}


def _query(run) -> str:  # type: ignore[no-untyped-def]
    return f"year={run.year.label}&period={run.period}&run={run.pk}"


def _words(run) -> list[str]:  # type: ignore[no-untyped-def]
    return [item.words for item in sign_off_checks(run).items]


def _publish_by_hand(run, director, *, period: int, department: dict) -> PublishedPeriod:  # type: ignore[no-untyped-def]
    """An earlier published period with the figures a test needs (the guards read only its
    department and services)."""
    return PublishedPeriod.objects.create(
        authority=run.authority,
        year=run.year,
        period=period,
        version=1,
        run=run,
        signed_off_by=director,
        signed_off_name="Dee",
        signed_off_at=timezone.now(),
        comment="Earlier.",
        document={"department": department, "services": []},
    )


def _department(run) -> dict:  # type: ignore[no-untyped-def]
    from dashboards.document import period_document

    return period_document(run)["department"]


def test_each_service_without_commentary_needs_a_look_and_nothing_else_before_a_publication(
    run, finance_officer
) -> None:  # type: ignore[no-untyped-def]
    words = _words(run)
    assert len(words) == 3 and LEGAL in words
    assert {w.split(" has no")[0] for w in words} == {"Children in Care", "Legal", "Social Work"}
    notes = sign_off_checks(run).notes
    assert "No earlier period of this year has been published, so there is no movement to compare." in notes
    assert any("no earlier published period has a range, and 3 are needed" in n for n in notes)
    services.commentary_save(
        authority=run.authority, user=finance_officer, year=run.year, period=4, texts={"Legal": "Proceedings."}
    )
    assert LEGAL not in _words(run) and len(_words(run)) == 2


def test_a_movement_of_the_threshold_since_the_last_published_period_needs_a_look(run, director) -> None:  # type: ignore[no-untyped-def]
    outturn = _department(run)["outturn"]
    _publish_by_hand(run, director, period=3, department={"outturn": outturn - 7_732_000})
    moved = [w for w in _words(run) if w.startswith("The forecast outturn")]
    assert moved == [
        f"The forecast outturn has moved up by £77,320 since 2019/20 period 3 (from "
        f"{_pounds(outturn - 7_732_000)} to {_pounds(outturn)}). Movements of £77,320 or more need a look: the "
        "smaller of 2.0% of the £3,866,000 budget and £1,000,000."
    ]


def test_a_movement_one_penny_under_the_threshold_does_not(run, director) -> None:  # type: ignore[no-untyped-def]
    outturn = _department(run)["outturn"]
    _publish_by_hand(run, director, period=3, department={"outturn": outturn + 7_731_999})
    assert not [w for w in _words(run) if w.startswith("The forecast outturn")]


def test_an_actual_changed_after_the_run_needs_a_look(run, finance_officer) -> None:  # type: ignore[no-untyped-def]
    legal = run.authority.budget_lines.get(code="LEG-EXT")
    assert not [w for w in _words(run) if w.startswith("Actuals changed")]
    actuals_save(
        authority=run.authority,
        user=finance_officer,
        period=run.year.periods.get(number=2),
        amounts={legal.pk: 2_500_000},
    )
    (changed,) = [w for w in _words(run) if w.startswith("Actuals changed")]
    assert "LEG-EXT External legal costs for Period 2, May 2019 at " in changed
    assert "The forecast does not include this change" in changed


def test_a_likely_range_wider_than_usual_needs_a_look(run, director) -> None:  # type: ignore[no-untyped-def]
    department = _department(run)
    width = department["likely_high"] - department["likely_low"]
    assert width > 0
    # Three earlier periods as wide as this run's: the median is the run's width, not exceeded.
    for period in (1, 2, 3):
        _publish_by_hand(
            run,
            director,
            period=period,
            department={"outturn": department["outturn"], "likely_low": 0, "likely_high": width},
        )
    assert not [w for w in _words(run) if w.startswith("The likely range")]


def test_a_likely_range_twice_the_median_needs_a_look(run, director) -> None:  # type: ignore[no-untyped-def]
    department = _department(run)
    width = department["likely_high"] - department["likely_low"]
    half = width // 2
    # Widths half, half and the whole of this run's: median half; the run is about 2 times it, above 1.5.
    for period, earlier in ((1, width), (2, half), (3, half)):
        _publish_by_hand(
            run,
            director,
            period=period,
            department={"outturn": department["outturn"], "likely_low": 0, "likely_high": earlier},
        )
    (wider,) = [w for w in _words(run) if w.startswith("The likely range")]
    assert f"usual width of {_pounds(half)} (the median of the last 3 published periods)" in wider


def test_the_service_refuses_until_every_item_is_acknowledged_and_names_the_others(run, director) -> None:  # type: ignore[no-untyped-def]
    checks = sign_off_checks(run)
    legal = next(item for item in checks.items if item.words == LEGAL)
    others = {item.key for item in checks.items} - {legal.key}
    with pytest.raises(services.SignOffNeedsLookError) as refused:
        services.period_sign_off(authority=run.authority, user=director, run=run, comment="Ok.", acknowledged=others)
    assert refused.value.items == [legal]
    assert str(refused.value) == f"Confirm that you have looked at 1 thing before signing off: (1) {LEGAL}"
    with pytest.raises(services.SignOffNeedsLookError) as refused:
        services.period_sign_off(authority=run.authority, user=director, run=run, comment="Ok.", acknowledged=set())
    assert len(refused.value.items) == 3 and str(refused.value).startswith("Confirm that you have looked at 3 things")
    assert not PublishedPeriod.objects.exists()


def test_an_acknowledgement_made_before_the_figures_changed_does_not_cover_them(run, director, finance_officer) -> None:  # type: ignore[no-untyped-def]
    read = everything_looked_at(run)
    legal = run.authority.budget_lines.get(code="LEG-EXT")
    actuals_save(
        authority=run.authority, user=finance_officer, period=run.year.periods.get(number=1), amounts={legal.pk: 0}
    )
    with pytest.raises(services.SignOffNeedsLookError) as refused:
        services.period_sign_off(authority=run.authority, user=director, run=run, comment="Ok.", acknowledged=read)
    assert [item.kind for item in refused.value.items] == ["actuals"]


def test_the_page_refuses_without_ticks_and_publishes_with_them_recording_what_was_acknowledged(
    run, director, committee_member, client_for
) -> None:  # type: ignore[no-untyped-def]
    client = client_for(director)
    page = client.get(f"{reverse('dashboards:sign_off')}?{_query(run)}").content.decode()
    assert "What needs a look before you sign off" in page and LEGAL in page
    assert page.count('name="acknowledged"') == 3
    refused = client.post(reverse("dashboards:sign_off"), {"run": run.pk, "comment": "For committee."})
    assert refused.status_code == 400 and not PublishedPeriod.objects.exists()
    text = refused.content.decode()
    assert f"Confirm that you have looked at this: {LEGAL}" in text
    assert "govuk-form-group--error" in text and "For committee." in text  # the comment is kept
    keys = sorted(everything_looked_at(run))
    response = client.post(
        reverse("dashboards:sign_off"), {"run": run.pk, "comment": "For committee.", "acknowledged": keys}
    )
    published = PublishedPeriod.objects.get()
    assert response.status_code == 302
    record = published.acknowledged
    assert record["by"] == "dee" and record["at"] == published.signed_off_at.isoformat()
    assert sorted(item["key"] for item in record["items"]) == keys
    assert LEGAL in [item["words"] for item in record["items"]]
    assert LEGAL in AuditEvent.objects.get(action="dashboards.sign_off").after["acknowledged"]
    # The committee reads what the director looked at on the published page.
    shown = client_for(committee_member).get(reverse("dashboards:published", args=[published.pk])).content.decode()
    assert "Looked at before sign-off" in shown and "dee confirmed having looked at:" in shown and LEGAL in shown


def test_with_nothing_to_look_at_the_page_says_so_and_the_record_is_empty(
    run, director, finance_officer, client_for
) -> None:  # type: ignore[no-untyped-def]
    services.commentary_save(authority=run.authority, user=finance_officer, year=run.year, period=4, texts=ALL_WRITTEN)
    client = client_for(director)
    page = client.get(f"{reverse('dashboards:sign_off')}?{_query(run)}").content.decode()
    assert 'id="nothing-needs-a-look"' in page and 'name="acknowledged"' not in page
    response = client.post(reverse("dashboards:sign_off"), {"run": run.pk, "comment": "For committee."})
    assert response.status_code == 302
    published = PublishedPeriod.objects.get()
    assert published.acknowledged["items"] == []
    assert "Nothing needed a look." in client.get(response["Location"]).content.decode()


def test_commentary_is_carried_forward_but_saved_only_when_edited(run, finance_officer, client_for) -> None:  # type: ignore[no-untyped-def]
    services.commentary_save(
        authority=run.authority,
        user=finance_officer,
        year=run.year,
        period=3,
        texts={"Legal": "Proceedings\nabove budget."},
    )
    client = client_for(finance_officer)
    url = f"{reverse('dashboards:commentary')}?{_query(run)}"
    page = client.get(url)
    rows = {row["name"]: row for row in page.context["rows"]}
    assert rows["Legal"]["text"] == "Proceedings\nabove budget." and rows["Legal"]["carried_from"] == "period 3"
    assert rows["Social Work"]["carried_from"] == "" and rows["Social Work"]["text"] == ""
    assert "Carried forward from period 3 — edit before you submit." in page.content.decode()
    # £24,000 a month × 12 = £288,000 against £260,000; no service's variance is written "-£".
    assert "Forecast outturn £288,000, budget £260,000, variance £28,000 overspend." in page.content.decode()
    assert "-£" not in page.content.decode()
    legal = f"commentary-{list(rows).index('Legal')}"
    # Sent back as a browser sends it (CRLF line breaks) and unedited: not saved for period 4.
    client.post(url, {legal: "Proceedings\r\nabove budget."})
    assert not ServiceCommentary.objects.filter(period=4).exists()
    assert LEGAL in _words(run)
    client.post(url, {legal: "Proceedings above budget; two more final hearings in August."})
    saved = ServiceCommentary.objects.get(period=4)
    assert (saved.service_area, saved.text) == ("Legal", "Proceedings above budget; two more final hearings in August.")
    assert LEGAL not in _words(run)
    # Once written for the period, the form shows the period's own text, not the carried one.
    again = {row["name"]: row for row in client.get(url).context["rows"]}
    assert again["Legal"]["carried_from"] == ""


def _pounds(pence: int) -> str:
    from forecasting.engine.money import pounds_text

    return pounds_text(pence)


def test_the_thresholds_are_settings(run, director, settings) -> None:  # type: ignore[no-untyped-def]
    # A £50,000 floor is below 2% of £3,866,000 (£77,320), so it is the threshold.
    settings.OUTTURN_SIGN_OFF_MOVEMENT_PENCE = 5_000_000
    outturn = _department(run)["outturn"]
    _publish_by_hand(run, director, period=3, department={"outturn": outturn + 5_000_000})
    (moved,) = [w for w in _words(run) if w.startswith("The forecast outturn")]
    assert moved.startswith("The forecast outturn has moved down by £50,000 since 2019/20 period 3")
    assert moved.endswith("the smaller of 2.0% of the £3,866,000 budget and £50,000.")


def test_a_run_already_published_is_refused_as_such_before_anything_is_asked_of_the_director(run, director) -> None:  # type: ignore[no-untyped-def]
    services.period_sign_off(
        authority=run.authority, user=director, run=run, comment="Ok.", acknowledged=everything_looked_at(run)
    )
    with pytest.raises(services.SignOffError) as refused:
        services.period_sign_off(authority=run.authority, user=director, run=run, comment="Again.", acknowledged=set())
    assert str(refused.value) == "This run is already published as version 1 of period 4"


def test_a_refused_sign_off_wires_each_error_to_its_boxes(run, director, client_for) -> None:  # type: ignore[no-untyped-def]
    client = client_for(director)
    # Nothing ticked: the error is on the things that need a look, a group of boxes whose
    # fieldset names the error; the summary links to the first box.
    html = client.post(reverse("dashboards:sign_off"), {"run": run.pk, "comment": "For committee."}).content.decode()
    assert field_error_problems(html, "acknowledged_0", described_by="acknowledged") == []
    # Everything ticked but no comment: the error is on the comment box.
    keys = sorted(everything_looked_at(run))
    html = client.post(
        reverse("dashboards:sign_off"), {"run": run.pk, "comment": "", "acknowledged": keys}
    ).content.decode()
    assert field_error_problems(html, "comment", error_class="govuk-textarea--error") == []
    assert "Enter a sign-off comment" in html and not PublishedPeriod.objects.exists()
    page = read(html)
    assert all("checked" in page.by_id()[f"acknowledged_{n}"].attrs for n in range(len(keys)))  # ticks kept
    assert problems(html) == []


def test_the_commentary_form_reads_each_service_its_figures_and_what_was_carried_forward(
    run, finance_officer, client_for
) -> None:  # type: ignore[no-untyped-def]
    # Commentary takes any text (the service cuts what is too long), so it never comes back with
    # an error; what it must do is describe each box by its hint and any carried-forward note.
    services.commentary_save(
        authority=run.authority, user=finance_officer, year=run.year, period=3, texts={"Legal": "Proceedings."}
    )
    response = client_for(finance_officer).get(f"{reverse('dashboards:commentary')}?{_query(run)}")
    html = response.content.decode()
    legal = f"commentary-{[row['name'] for row in response.context['rows']].index('Legal')}"
    page = read(html)
    assert page.by_id()[legal].attrs["aria-describedby"].split() == [f"{legal}-hint", f"{legal}-note"]
    assert "Carried forward from period 3" in page.by_id()[f"{legal}-note"].text
    assert "govuk-textarea" in page.by_id()[legal].classes and page.by_id()[legal].text.strip() == "Proceedings."
    assert problems(html) == []
