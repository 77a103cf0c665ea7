"""The data feed (issue 14, point 3): token only, read-only, one authority, the export columns,
sealed published data, rate-limited and counted."""

from __future__ import annotations

import base64
import csv
import io
import json
from decimal import Decimal

import pytest

from accounts.models import AuditEvent
from dashboards.models import PublishedPeriod
from feed import services
from feed.columns import IDENTITY, TABLES
from feed.models import FeedToken, FeedUse
from forecasting.engine.result import EXPORT_COLUMNS
from forecasting.models import ForecastLineResult
from tests.feed.conftest import bearer

pytestmark = pytest.mark.django_db

TABLE_NAMES = ("lines", "placements", "workforce", "savings", "scenarios")


def _csv(response) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    text = response.content.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def _header(response) -> list[str]:  # type: ignore[no-untyped-def]
    return next(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def _addresses(published_id: int) -> list[str]:
    tables = [f"/api/v1/periods/{published_id}/{t}" for t in TABLE_NAMES] + [f"/api/v1/latest/{t}" for t in TABLE_NAMES]
    return ["/api/v1/periods", f"/api/v1/periods/{published_id}", "/api/v1/periods/latest", "/api/v1/latest", *tables]


# --------------------------------------------------------------------------------------------
# Who may read
# --------------------------------------------------------------------------------------------


def test_without_a_live_token_nothing_is_served_and_the_answer_says_how_to_send_one(api, published, issued) -> None:  # type: ignore[no-untyped-def]
    row, token = issued
    services.token_revoke(token=row, by=row.created_by)
    unknown = "otf_" + "x" * 43
    for headers in ({}, bearer(unknown), bearer(token), bearer(""), {"HTTP_AUTHORIZATION": "Basic not-base64!"}):
        for address in _addresses(published.pk):
            response = api.get(address, **headers)
            assert response.status_code == 401, (address, headers)
            assert response["WWW-Authenticate"].startswith('Bearer realm="Outturn data feed"')
            assert 'Basic realm="Outturn data feed"' in response["WWW-Authenticate"]
            assert "token" in response.json()["error"]
    assert not FeedUse.objects.exists()


def test_a_session_is_not_a_token(client_for, director, published) -> None:  # type: ignore[no-untyped-def]
    assert client_for(director).get("/api/v1/periods").status_code == 401


def test_bearer_and_basic_with_the_token_as_password_both_read_the_feed(api, published, issued) -> None:  # type: ignore[no-untyped-def]
    _, token = issued
    basic = base64.b64encode(f"anyone:{token}".encode()).decode()
    only_user = base64.b64encode(f"{token}:".encode()).decode()
    for headers in (
        bearer(token),
        {"HTTP_AUTHORIZATION": f"Basic {basic}"},
        {"HTTP_AUTHORIZATION": f"Basic {only_user}"},
    ):
        response = api.get("/api/v1/periods", **headers)
        assert response.status_code == 200
        assert [p["published_id"] for p in response.json()] == [published.pk]


def test_every_other_method_is_refused(api, published, issued) -> None:  # type: ignore[no-untyped-def]
    _, token = issued
    for address in (*_addresses(published.pk), "/api/v1/openapi.json"):
        for method in ("post", "put", "patch", "delete"):
            response = getattr(api, method)(address, **bearer(token))
            assert response.status_code == 405, (method, address)
            assert response["Allow"] == "GET, HEAD"


def test_a_token_never_reaches_another_authoritys_data(api, published, other_issued) -> None:  # type: ignore[no-untyped-def]
    """Dorset's token on Nottinghamshire's addresses: 404 everywhere (not 403, which would say the
    id exists), and an empty list of periods."""
    _, token = other_issued
    assert api.get("/api/v1/periods", **bearer(token)).json() == []
    for address in _addresses(published.pk)[1:]:
        for ending in ("", ".csv", ".json"):
            response = api.get(address + ending, **bearer(token))
            assert response.status_code == 404, address + ending
            body = response.content.decode()
            assert "Nottinghamshire" not in body and "NOTTS" not in body


# --------------------------------------------------------------------------------------------
# What it serves
# --------------------------------------------------------------------------------------------


def test_each_tables_csv_has_the_identifying_then_the_export_columns(api, published, issued) -> None:  # type: ignore[no-untyped-def]
    _, token = issued
    identity = ["authority_code", "financial_year", "as_at_period", "published_version", "run_id"]
    assert [c.name for c in IDENTITY] == identity
    for table in ("lines", "placements", "workforce", "savings"):
        for address in (f"/api/v1/periods/{published.pk}/{table}.csv", f"/api/v1/latest/{table}?format=csv"):
            response = api.get(address, **bearer(token))
            assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
            assert response.content.startswith("\ufeff".encode())
            assert _header(response) == identity + list(EXPORT_COLUMNS[table]), address
            # The test county has no savings programme: its table is the header alone.
            assert (len(_csv(response)) > 0) is (table != "savings"), address
    header = _header(api.get(f"/api/v1/periods/{published.pk}/scenarios.csv", **bearer(token)))
    assert header[:5] == identity and header[5:] == [c.name for c in TABLES["scenarios"]]


def test_the_published_lines_are_the_runs_figures_in_pounds(api, published, issued) -> None:  # type: ignore[no-untyped-def]
    _, token = issued
    stored = {(r.scenario, r.line_code): r for r in ForecastLineResult.objects.filter(run=published.run)}
    rows = api.get(f"/api/v1/periods/{published.pk}/lines.json", **bearer(token)).json()
    assert len(rows) == len(stored)
    for row in rows:
        line = stored[(row["scenario"], row["line_code"])]
        assert row["authority_code"] == "NOTTS" and row["financial_year"] == published.year.label
        assert row["as_at_period"] == published.period and row["published_version"] == published.version
        assert row["run_id"] == published.run_id
        # 12345 pence is 123.45 pounds, written exactly.
        assert Decimal(str(row["forecast_outturn"])) * 100 == line.forecast_outturn
        assert Decimal(str(row["variance"])) * 100 == line.variance
    csv_rows = _csv(api.get(f"/api/v1/periods/{published.pk}/lines.csv", **bearer(token)))
    for row in csv_rows:
        line = stored[(row["scenario"], row["line_code"])]
        assert row["annual_budget"] == f"{Decimal(line.annual_budget) / 100:.2f}"
        assert row["published_version"] == str(published.version)


def test_the_latest_run_is_not_a_published_version(api, published, issued, finance_officer, county) -> None:  # type: ignore[no-untyped-def]
    from tests.dashboards.county import run_forecast

    newer = run_forecast(authority=published.authority, year=county, user=finance_officer)
    _, token = issued
    assert api.get("/api/v1/latest", **bearer(token)).json()["run_id"] == newer.pk
    rows = api.get("/api/v1/latest/lines", **bearer(token)).json()
    assert {r["run_id"] for r in rows} == {newer.pk} and {r["published_version"] for r in rows} == {None}
    published_rows = api.get("/api/v1/periods/latest/lines", **bearer(token)).json()
    assert {r["run_id"] for r in published_rows} == {published.run_id}


def test_the_latest_published_period_is_the_newest_version(api, published, issued) -> None:  # type: ignore[no-untyped-def]
    _, token = issued
    detail = api.get("/api/v1/periods/latest", **bearer(token)).json()
    assert detail["published_id"] == published.pk and detail["is_current"] is True
    assert detail["title"] == f"{published.year.label} period {published.period} version 1"
    assert api.get(f"/api/v1/periods/{published.pk}.csv", **bearer(token)).status_code == 200


def test_the_scenarios_are_those_the_run_was_made_with_in_words(api, published, issued) -> None:  # type: ignore[no-untyped-def]
    _, token = issued
    rows = api.get(f"/api/v1/periods/{published.pk}/scenarios", **bearer(token)).json()
    assert len(rows) == len(published.run.assumptions["rows"]) == 4
    middle = [r for r in rows if r["scenario"] == "middle"]
    assert {"Agency workers by March: 2"} <= {r["assumption"] for r in middle}
    worst = next(r for r in rows if r["scenario"] == "worst")
    assert worst["net_change"] == 6 and worst["demand_method"] == "net_change"
    assert worst["agency_target_fte"] is None


def test_a_format_other_than_json_or_csv_is_a_clear_400(api, published, issued) -> None:  # type: ignore[no-untyped-def]
    _, token = issued
    response = api.get("/api/v1/periods?format=xlsx", **bearer(token))
    assert response.status_code == 400 and response.json() == {"error": "The format must be json or csv"}
    assert api.get("/api/v1/latest/bananas", **bearer(token)).status_code == 404
    # An id beyond any the database holds is simply not found, not a database error.
    huge = api.get(f"/api/v1/periods/{10**30}/lines.csv", **bearer(token))
    assert huge.status_code == 404 and huge.json() == {"error": "No such published period"}


def test_nothing_published_yet_is_a_404_in_words(api, issued) -> None:  # type: ignore[no-untyped-def]
    _, token = issued
    response = api.get("/api/v1/periods/latest/lines.csv", **bearer(token))
    assert response.status_code == 404 and response.json() == {"error": "Nothing is published yet"}
    assert api.get("/api/v1/latest", **bearer(token)).json() == {"error": "There is no finished forecast run yet"}


# --------------------------------------------------------------------------------------------
# The seal
# --------------------------------------------------------------------------------------------


def test_a_published_version_changed_below_the_application_is_not_served(api, published, issued) -> None:  # type: ignore[no-untyped-def]
    from tests.dashboards.test_published_unchangeable import as_owner_without_triggers

    _, token = issued
    as_owner_without_triggers(
        "dashboards_publishedperiod",
        "UPDATE dashboards_publishedperiod SET comment = 'Not what was said' WHERE id = %s",
        [published.pk],
    )
    for address in (
        f"/api/v1/periods/{published.pk}/lines.csv",
        "/api/v1/periods/latest",
        "/api/v1/periods/latest/savings",
    ):
        response = api.get(address, **bearer(token))
        assert response.status_code == 409, address
        assert "no longer matches what was signed off" in response.json()["error"]
    assert AuditEvent.objects.filter(action="dashboards.tampering_refused", object_id=str(published.pk)).count() == 3
    # The latest run is not a published version and has no seal to check.
    assert api.get("/api/v1/latest/lines", **bearer(token)).status_code == 200


# --------------------------------------------------------------------------------------------
# Rate limit and use
# --------------------------------------------------------------------------------------------


def test_more_than_the_limit_a_minute_is_429_with_retry_after(api, settings, published, issued, other_issued) -> None:  # type: ignore[no-untyped-def]
    settings.OUTTURN_FEED_REQUESTS_PER_MINUTE = 3
    _, token = issued
    answers = [api.get("/api/v1/periods", **bearer(token)) for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert 1 <= int(answers[3]["Retry-After"]) <= 60
    assert "Too many requests" in answers[3].json()["error"]
    # The limit is the token's own: another token is not held back.
    assert api.get("/api/v1/periods", **bearer(other_issued[1])).status_code == 200


def test_use_is_counted_per_day_and_audited_once_a_day(api, published, issued, time_machine) -> None:  # type: ignore[no-untyped-def]
    row, token = issued
    time_machine.move_to("2026-03-02 10:00:00+00:00")
    for _ in range(3):
        api.get("/api/v1/periods", **bearer(token))
    time_machine.move_to("2026-03-03 09:00:00+00:00")
    api.get("/api/v1/latest/lines.csv", **bearer(token))
    uses = {u.day.isoformat(): u.requests for u in FeedUse.objects.filter(token=row)}
    assert uses == {"2026-03-02": 3, "2026-03-03": 1}
    events = AuditEvent.objects.filter(action="feed_token.used", object_id=str(row.pk)).order_by("created_at")
    assert [e.reason for e in events] == [
        "First request of the day: /api/v1/periods",
        "First request of the day: /api/v1/latest/lines.csv",
    ]
    assert events[0].actor == "Feed token “Finance Power BI report”" and events[0].authority_id == row.authority_id
    row.refresh_from_db()
    assert row.last_used_at.isoformat().startswith("2026-03-03T09:00")


def test_only_the_sha256_of_a_token_is_stored(issued) -> None:  # type: ignore[no-untyped-def]
    row, token = issued
    assert token.startswith("otf_") and len(token) == 47
    stored = json.dumps(list(FeedToken.objects.values())[0], default=str)
    assert token not in stored and token[8:] not in stored
    assert row.token_sha256 == services.token_digest(token) and row.prefix == token[:8]
    assert PublishedPeriod.objects.count() == 0
