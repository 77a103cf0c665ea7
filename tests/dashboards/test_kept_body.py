"""The live dashboard's body is drawn once and served again from the cache until something it
shows changes: the run's document, the period's commentary, the earlier publication its
movement is measured from, or the runs and publications of the accuracy chart. What depends on
the reader (the buttons of their role) is drawn for every request."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse

from dashboards import selectors, services
from dashboards.document import build

pytestmark = pytest.mark.django_db


def _url(run: Any, **extra: Any) -> str:
    query = "&".join(f"{k}={v}" for k, v in {"year": run.year.label, "period": run.period, **extra}.items())
    return f"{reverse('dashboards:period')}?{query}"


def _body(html: str) -> str:
    """From the headline to the end of the assumptions: the part kept in the cache."""
    return html[html.index('id="headline-heading"') : html.index('id="made-from"')]


@pytest.fixture
def documents_built(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The run ids whose period document the dashboard assembled."""
    built: list[int] = []
    real = selectors.period_document

    def counting(run: Any, *args: Any, **kwargs: Any) -> Any:
        built.append(run.pk)
        return real(run, *args, **kwargs)

    monkeypatch.setattr(selectors, "period_document", counting)
    return built


def test_the_body_is_drawn_once_and_then_served_again(run, director, client_for, documents_built) -> None:  # type: ignore[no-untyped-def]
    client = client_for(director)
    first = client.get(_url(run)).content.decode()
    assert documents_built == [run.pk]
    second = client.get(_url(run)).content.decode()
    assert documents_built == [run.pk]  # not assembled again
    assert _body(second) == _body(first)
    assert "£3,866,000" in _body(second)


def test_new_commentary_shows_at_once(run, director, finance_officer, client_for, documents_built) -> None:  # type: ignore[no-untyped-def]
    client = client_for(director)
    before = client.get(_url(run)).content.decode()
    name = build.run_document(run)["services"][0]["name"]
    services.commentary_save(
        authority=run.authority,
        user=finance_officer,
        year=run.year,
        period=run.period,
        texts={name: "Two new residential placements from May."},
    )
    after = client.get(_url(run)).content.decode()
    assert "Two new residential placements from May." not in before
    assert "Two new residential placements from May." in _body(after)
    assert documents_built == [run.pk, run.pk]


def test_a_document_built_again_with_other_figures_is_drawn_again(run, director, client_for, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    client = client_for(director)
    assert "£3,866,000" in _body(client.get(_url(run)).content.decode())
    real = build.build_run_document

    def other_budget(run: Any, scenario: str = "middle") -> dict[str, Any]:
        document = real(run, scenario)
        document["department"] = {**document["department"], "budget": 400_000_000}
        return document

    # The document's cache lapses (as it does after a few minutes) and the register moved meanwhile.
    monkeypatch.setattr(build, "build_run_document", other_budget)
    cache.delete_many([build._document_key(run, "middle"), f"{build._document_key(run, 'middle')}:made"])
    assert "£4,000,000" in _body(client.get(_url(run)).content.decode())


def test_the_buttons_follow_the_reader_the_body_does_not(run, director, finance_officer, client_for) -> None:  # type: ignore[no-untyped-def]
    as_director = client_for(director).get(_url(run)).content.decode()
    as_officer = client_for(finance_officer).get(_url(run)).content.decode()
    assert 'id="sign-off"' in as_director and 'id="write-commentary"' not in as_director
    assert 'id="write-commentary"' in as_officer and 'id="sign-off"' not in as_officer
    assert _body(as_officer) == _body(as_director)


def test_a_scenario_the_run_does_not_have_is_still_not_found(run, director, client_for) -> None:  # type: ignore[no-untyped-def]
    client = client_for(director)
    assert client.get(_url(run)).status_code == 200
    assert client.get(_url(run, scenario="sunny")).status_code == 404
    assert client.get(_url(run, scenario="worst")).status_code == 200


@override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}})
def test_without_a_cache_every_page_is_drawn_in_full(run, director, client_for, documents_built) -> None:  # type: ignore[no-untyped-def]
    client = client_for(director)
    first = client.get(_url(run)).content.decode()
    second = client.get(_url(run)).content.decode()
    assert "£3,866,000" in _body(first) and _body(second) == _body(first)
    assert documents_built == [run.pk, run.pk]
