"""Nothing a signed-in user sees is kept by a browser or a proxy (Cache-Control: no-store)."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_signed_in_pages_and_downloads_are_not_stored(finance_officer, client_for) -> None:  # type: ignore[no-untyped-def]
    client = client_for(finance_officer)
    for url in (reverse("forecast_runs:backtest"), reverse("forecast_runs:backtest") + "?table=chosen&format=csv"):
        response = client.get(url)
        assert "no-store" in response.headers.get("Cache-Control", ""), url
