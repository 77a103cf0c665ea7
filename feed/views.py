"""The feed's addresses: read-only, token-authenticated, no session and no CSRF (GET only).

Each view parses the address, calls one selector and hands back rows; `feed_endpoint` does what
every address shares: the method, the token, the rate limit, counting the use, the format, and
answering a missing thing (404), a changed published version (409) in JSON words.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from dashboards import integrity
from feed import ratelimit, render, selectors, services
from feed.columns import PERIOD_COLUMNS, RUN_COLUMNS, TABLES, Column, table_columns
from feed.models import FeedToken
from feed.openapi import schema

REALM = 'realm="Outturn data feed", charset="UTF-8"'
Answer = tuple[Any, tuple[Column, ...], str]  # rows (a list, or one row), their columns, the file name
FeedView = Callable[..., Answer]


def _error(status: int, words: str, **headers: str) -> HttpResponse:
    response = HttpResponse(render.json_bytes({"error": words}), status=status, content_type=render.JSON_TYPE)
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    response["Cache-Control"] = "no-store"
    return response


def _format(request: HttpRequest, suffix: str | None) -> str | None:
    wanted = (suffix or request.GET.get("format") or "json").lower()
    return wanted if wanted in ("json", "csv") else None


def _answer(answer: Answer, fmt: str) -> HttpResponse:
    rows, columns, filename = answer
    if fmt == "csv":
        listed = rows if isinstance(rows, list) else [rows]
        response = HttpResponse(render.table_csv(listed, columns), content_type=render.CSV_TYPE)
        response["Content-Disposition"] = f'inline; filename="{filename}.csv"'
    else:
        response = HttpResponse(render.json_bytes(rows), content_type=render.JSON_TYPE)
    # Figures may change with the next run; a shared cache must never keep one authority's answer.
    response["Cache-Control"] = "no-store"
    return response


def feed_endpoint(view: FeedView) -> Callable[..., HttpResponse]:
    @csrf_exempt
    @login_not_required
    @wraps(view)
    def wrapper(request: HttpRequest, fmt: str | None = None, **kwargs: Any) -> HttpResponse:
        if request.method not in ("GET", "HEAD"):
            return _error(405, "The feed is read-only: only GET is allowed", Allow="GET, HEAD")
        token = services.token_for(services.presented_token(request.headers.get("Authorization", "")))
        if token is None:
            return _error(
                401,
                "Send a feed token: Authorization: Bearer TOKEN, or HTTP Basic with the token as the password",
                WWW_Authenticate=f"Bearer {REALM}, Basic {REALM}",
            )
        wait = ratelimit.wait_seconds(token.pk)
        if wait:
            return _error(429, f"Too many requests this minute: try again in {wait} seconds", Retry_After=str(wait))
        services.token_used(token=token, path=request.get_full_path())
        chosen = _format(request, fmt)
        if chosen is None:
            return _error(400, "The format must be json or csv")
        try:
            return _answer(view(request, token, **kwargs), chosen)
        except selectors.NotFound as missing:
            return _error(404, str(missing))
        except integrity.SealBroken as broken:
            return _error(409, f"{broken.what} of {broken.published} no longer matches what was signed off")

    return wrapper


def _published(token: FeedToken, published: str) -> Any:
    """The published version asked for, its seal checked first (as the pages' downloads do)."""
    found = selectors.published(
        authority=token.authority, published_id=None if published == "latest" else int(published)
    )
    integrity.published_check(authority=token.authority, published_id=found.pk, user=None)
    return found


def _slug(published: Any) -> str:
    return (
        f"{published.authority.code}-{published.year.label.replace('/', '-')}-P{published.period}-v{published.version}"
    )


@feed_endpoint
def periods(request: HttpRequest, token: FeedToken) -> Answer:
    return selectors.periods(authority=token.authority), PERIOD_COLUMNS, f"{token.authority.code}-published-periods"


@feed_endpoint
def period(request: HttpRequest, token: FeedToken, published: str) -> Answer:
    found = _published(token, published)
    return selectors.period_row(found), PERIOD_COLUMNS, _slug(found)


@feed_endpoint
def period_table(request: HttpRequest, token: FeedToken, published: str, table: str) -> Answer:
    if table not in TABLES:
        raise selectors.NotFound("No such table")
    found = _published(token, published)
    rows = selectors.table_rows(run=found.run, table=table, published=found)
    return rows, table_columns(table), f"{_slug(found)}-{table}"


@feed_endpoint
def latest(request: HttpRequest, token: FeedToken) -> Answer:
    run = selectors.latest_run(authority=token.authority)
    return selectors.run_row(run), RUN_COLUMNS, f"{token.authority.code}-run{run.pk}"


@feed_endpoint
def latest_table(request: HttpRequest, token: FeedToken, table: str) -> Answer:
    if table not in TABLES:
        raise selectors.NotFound("No such table")
    run = selectors.latest_run(authority=token.authority)
    rows = selectors.table_rows(run=run, table=table, published=None)
    return rows, table_columns(table), f"{token.authority.code}-{run.year.label.replace('/', '-')}-run{run.pk}-{table}"


@csrf_exempt
@login_not_required
def openapi(request: HttpRequest) -> HttpResponse:
    """The schema is open to anyone: it describes the addresses and columns, and holds no figures."""
    if request.method not in ("GET", "HEAD"):
        return _error(405, "The feed is read-only: only GET is allowed", Allow="GET, HEAD")
    server = request.build_absolute_uri("/api/v1").rstrip("/")
    return HttpResponse(render.json_bytes(schema(server)), content_type=render.JSON_TYPE)
