"""What the feed reads: one authority's published versions and latest run, and each table's rows
with the columns of `feed.columns` (plain Python values; `feed.render` writes them).

Every read takes the token's authority, so an id of another authority is simply not found.
"""

from __future__ import annotations

import math
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import Q, Sum
from django.http import Http404
from django.utils import timezone

from accounts.models import Authority
from dashboards.models import PublishedPeriod
from feed.columns import DATE, NUMBER, PERCENT, POUNDS, SCENARIO_KINDS, TABLES
from feed.models import FeedToken
from forecast_runs.exports import export_frame
from forecasting.download_titles import when_words
from forecasting.models import ForecastRun, PlacementType
from forecasting.scenarios import FILE_COLUMNS, assumption_words

Row = dict[str, Any]


class NotFound(Exception):
    """Nothing of that name for this authority (answered 404, saying only what was asked for)."""


def _published_rows(authority: Authority) -> list[PublishedPeriod]:
    return list(
        PublishedPeriod.objects.filter(authority=authority)
        .select_related("year", "authority")
        .defer("document")
        .order_by("-year__start_year", "-period", "-version")
    )


def _period_row(published: PublishedPeriod, current: bool) -> Row:
    return {
        "published_id": published.pk,
        "authority_code": published.authority.code,
        "financial_year": published.year.label,
        "period": published.period,
        "version": published.version,
        "is_current": current,
        "title": f"{published.year.label} period {published.period} version {published.version}",
        "run_id": published.run_id,
        "signed_off_by": published.signed_off_name,
        "signed_off_at": published.signed_off_at,
        "signed_off_on": when_words(published.signed_off_at),
    }


def periods(*, authority: Authority) -> list[Row]:
    """Every published version, newest period first, each saying whether it is its period's newest."""
    seen: set[tuple[int, int]] = set()
    rows = []
    for published in _published_rows(authority):
        key = (published.year_id, published.period)
        rows.append(_period_row(published, key not in seen))
        seen.add(key)
    return rows


def published(*, authority: Authority, published_id: int | None) -> PublishedPeriod:
    """A published version of the authority; None asks for the newest version of the latest period."""
    found = _published_rows(authority)
    if published_id is not None:
        found = [p for p in found if p.pk == published_id]
    if not found:
        raise NotFound("No such published period" if published_id is not None else "Nothing is published yet")
    return found[0]


def period_row(published: PublishedPeriod) -> Row:
    newest = (
        PublishedPeriod.objects.filter(
            authority_id=published.authority_id, year_id=published.year_id, period=published.period
        )
        .order_by("-version")
        .values_list("pk", flat=True)
        .first()
    )
    return _period_row(published, newest == published.pk)


def latest_run(*, authority: Authority) -> ForecastRun:
    run = (
        ForecastRun.objects.filter(authority=authority, status=ForecastRun.Status.SUCCEEDED)
        .select_related("year", "authority")
        .order_by("-finished_at", "-id")
        .first()
    )
    if run is None:
        raise NotFound("There is no finished forecast run yet")
    return run


def run_row(run: ForecastRun) -> Row:
    return {
        "run_id": run.pk,
        "authority_code": run.authority.code,
        "financial_year": run.year.label,
        "as_at_period": run.period,
        "finished_at": run.finished_at,
        "finished_on": when_words(run.finished_at) if run.finished_at else None,
    }


def _plain(value: Any) -> Any:
    """A frame's cell as a plain value: NaN and pandas' missing values become None."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if type(value).__module__ == "numpy":
        return value.item()
    if value.__class__.__name__ in ("NAType", "NaTType"):
        return None
    return value


def _scenario_value(name: str, value: Any) -> Any:
    """A recorded assumption cell (text, as the scenarios file writes it) as its kind's value."""
    if value in ("", None):
        return None
    kind = SCENARIO_KINDS.get(name)
    if kind in (NUMBER, PERCENT, POUNDS):
        try:
            return Decimal(str(value))
        except InvalidOperation:
            return str(value)
    if kind == DATE:
        return str(value)[:10]
    return value


def _scenario_rows(run: ForecastRun) -> list[Row]:
    recorded = run.assumptions.get("rows", []) if isinstance(run.assumptions, dict) else []
    names = dict(PlacementType.objects.values_list("code", "name"))
    rows = []
    for record in recorded:
        row = {name: _scenario_value(name, record.get(name)) for name in FILE_COLUMNS}
        row["assumption"] = assumption_words(record, names)
        rows.append(row)
    return rows


def table_rows(*, run: ForecastRun, table: str, published: PublishedPeriod | None) -> list[Row]:
    """A run's table with its identifying columns first (TABLES says which columns)."""
    if table not in TABLES:
        raise NotFound("No such table")
    identity = {
        "authority_code": run.authority.code,
        "financial_year": run.year.label,
        "as_at_period": run.period,
        "published_version": published.version if published is not None else None,
        "run_id": run.pk,
    }
    if table == "scenarios":
        own = _scenario_rows(run)
    else:
        frame = export_frame(run, table)
        own = [{k: _plain(v) for k, v in record.items()} for record in frame.to_dict("records")]
    names = [c.name for c in TABLES[table]]
    return [{**identity, **{name: row.get(name) for name in names}} for row in own]


# --------------------------------------------------------------------------------------------
# The administrators' token page
# --------------------------------------------------------------------------------------------


def tokens_of(authority: Authority) -> list[FeedToken]:
    """The authority's tokens, newest first, each with `requests_today` and `requests_30_days`."""
    today = timezone.localdate()
    since = today - timedelta(days=29)
    rows = (
        FeedToken.objects.filter(authority=authority)
        .select_related("created_by", "revoked_by")
        .annotate(
            requests_today=Sum("uses__requests", filter=Q(uses__day=today), default=0),
            requests_30_days=Sum("uses__requests", filter=Q(uses__day__gte=since), default=0),
        )
    )
    return list(rows)


def token_of(authority: Authority, token_id: int) -> FeedToken:
    try:
        return FeedToken.objects.select_related("authority").get(pk=token_id, authority=authority)
    except FeedToken.DoesNotExist:
        raise Http404("No such token") from None
