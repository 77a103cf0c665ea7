"""What every workforce page shares: downloads, the date a page is read on, its query string
and a service's problems on a form."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

import pandas as pd
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.http import urlencode

from accounts.access import authority_of
from accounts.models import Authority
from core.exports import Title, table_download
from core.spreadsheet import header_words
from forecasting.parsing import parse_date
from workforce import kpis, selectors


def download_table(
    request: HttpRequest,
    tables: Mapping[str, Callable[[], pd.DataFrame]],
    filename: str,
    *,
    what: str,
    period: str = "",
) -> HttpResponse | None:
    """The download asked for, if any: tables maps a name to a zero-argument frame builder; the
    title row says `what` the page is, the table's name in words and the `period`."""
    fmt = request.GET.get("format")
    if fmt not in ("csv", "xlsx"):
        return None
    name = request.GET.get("table", next(iter(tables)))
    if name not in tables:
        raise Http404("No such table")
    authority = authority_of(request)
    title = Title(authority.name, f"{what}: {header_words(name).lower()}", period)
    return table_download(kpis.export_frame(tables[name]()), filename=f"{filename}-{name}", fmt=fmt, title=title)


def date_param(request: HttpRequest, name: str, default: date) -> date:
    text = request.GET.get(name, "").strip()
    if not text:
        return default
    try:
        return parse_date(text)
    except ValueError:
        return default


def default_on(authority: Authority) -> date:
    """The latest snapshot's date (the last picture recorded), else today."""
    latest = selectors.latest_snapshot(authority=authority)
    return latest.as_at if latest else timezone.localdate()


def page_query(request: HttpRequest, **extra: str) -> str:
    """The page's own query string with `extra` (a table's download links)."""
    params: dict[str, str] = {k: str(v) for k, v in request.GET.items() if k not in ("format", "table")}
    params.update(extra)
    return urlencode(params)


def form_errors(form: Any, error: ValidationError) -> None:
    if hasattr(error, "message_dict"):
        for field, problems in error.message_dict.items():
            form.add_error(field if field in form.fields else None, problems)
    else:
        form.add_error(None, error.messages)
