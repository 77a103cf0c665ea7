"""An administrator issues a data feed token, a program reads the feed with it alone, and the
administrator revokes it, in a real browser at a laptop's 1366 px and a phone's 390 px: every page
passes axe (WCAG 2.2 A/AA) with no console errors and no request to another origin."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _clean(visitor: Any, where: str) -> None:
    assert visitor.axe_violations() == [], where
    assert visitor.console_errors == [], f"{where}: {visitor.console_errors}"
    assert visitor.foreign_requests() == [], f"{where}: {visitor.foreign_requests()}"


def _feed(base: str, token: str) -> int:
    request = urllib.request.Request(f"{base}/api/v1/periods", headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:
            assert json.loads(answer.read()) == []
            return int(answer.status)
    except urllib.error.HTTPError as refused:
        return int(refused.code)


@pytest.mark.parametrize("width,height", [(1366, 900), (390, 844)])
def test_an_administrator_issues_and_revokes_a_token(visitor, administrator, width, height) -> None:  # type: ignore[no-untyped-def]
    admin = visitor()
    admin.page.set_viewport_size({"width": width, "height": height})
    admin.sign_in(administrator.username)
    admin.page.goto("/")
    admin.page.click("text=Data feed tokens")
    assert "No token has been issued yet" in admin.page.inner_text("main")
    _clean(admin, "tokens, none yet")
    admin.page.click("text=Issue a token")
    admin.page.click("button:has-text('Issue token')")
    assert admin.page.title().startswith("Error: Issue a data feed token")
    _clean(admin, "issue, with its error")
    admin.page.fill("#id_name", "Finance Power BI report")
    admin.page.click("button:has-text('Issue token')")
    token = admin.page.inner_text("#feed-token").strip()
    assert token.startswith("otf_")
    _clean(admin, "token shown once")
    assert _feed(admin.base_url, token) == 200
    admin.page.click("text=Back to data feed tokens")
    assert "Finance Power BI report" in admin.page.inner_text("main") and token not in admin.page.content()
    _clean(admin, "tokens, one active")
    admin.page.click("a:has-text('Revoke')")
    _clean(admin, "revoke, asked first")
    admin.page.click("button:has-text('Revoke token')")
    assert "Revoked" in admin.page.inner_text("main")
    _clean(admin, "tokens, one revoked")
    assert _feed(admin.base_url, token) == 401
