"""How it will be checked: pull the published period into a spreadsheet with a token and nothing
else. A real HTTP client against the running site, answering the Basic challenge as Excel's
"From Web" does (any user name, the token as the password), with no session and no cookie."""

from __future__ import annotations

import csv
import io
import urllib.error
import urllib.request

import pytest

from forecasting.engine.result import EXPORT_COLUMNS
from forecasting.models import ForecastLineResult

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_spreadsheet_reads_the_published_lines_with_only_the_token(live_server, published, issued) -> None:  # type: ignore[no-untyped-def]
    _, token = issued
    address = f"{live_server.url}/api/v1/periods/latest/lines.csv"
    passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
    passwords.add_password(None, live_server.url, "excel", token)
    opener = urllib.request.build_opener(urllib.request.HTTPBasicAuthHandler(passwords))
    with opener.open(address, timeout=60) as answer:
        assert answer.status == 200 and answer.headers["Content-Type"] == "text/csv; charset=utf-8"
        assert "Set-Cookie" not in answer.headers
        text = answer.read().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == ["authority_code", "financial_year", "as_at_period", "published_version", "run_id"] + list(
        EXPORT_COLUMNS["lines"]
    )
    assert len(rows) == ForecastLineResult.objects.filter(run=published.run).count()
    assert {(r["authority_code"], r["published_version"]) for r in rows} == {("NOTTS", "1")}


def test_without_the_token_the_running_site_says_how_to_sign_in(live_server, published) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{live_server.url}/api/v1/periods/latest/lines.csv", timeout=60)
    assert refused.value.code == 401
    assert "Basic realm=" in refused.value.headers["WWW-Authenticate"]
