"""Browser tests: the system Chromium driven by Playwright against pytest-django's live server."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# The sync Playwright API keeps an event loop on the test's thread; the ORM calls the tests make
# between browser steps are ordinary synchronous code, so Django's async-safety guard is relaxed.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
PASSWORD = "a-long-test-password-42"  # tests.factories.PASSWORD


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    from dashboards.pdf import CHROMIUM_ARGS, chromium_path

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


class Visitor:
    """One person's browser: their page, every URL it asked for and any console errors."""

    def __init__(self, browser: Any, base_url: str) -> None:
        self.base_url = base_url
        self.context = browser.new_context(
            base_url=base_url, accept_downloads=True, viewport={"width": 1200, "height": 900}
        )
        self.page = self.context.new_page()
        self.requests: list[str] = []
        self.console_errors: list[str] = []
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.console_errors.append(str(error)))

    def _console(self, message: Any) -> None:
        # The project has no favicon; the browser's automatic request for it is not a page error.
        if message.type == "error" and not str(message.location.get("url", "")).endswith("/favicon.ico"):
            self.console_errors.append(message.text)

    def sign_in(self, username: str) -> None:
        self.page.goto("/accounts/sign-in/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", PASSWORD)
        self.page.click("form button[type=submit]")
        self.page.wait_for_load_state()
        if self.page.url.endswith("/accounts/sign-in/set-up-app/") or self.page.url.endswith("/accounts/sign-in/code/"):
            self.second_step(username)
        self.page.wait_for_url(f"{self.base_url}/")

    def second_step(self, username: str) -> None:
        """A director's or administrator's authenticator app, as its owner would use it: set up
        from the secret the page shows, or (set up before) the code of now."""
        import pyotp

        from accounts.models import SecondFactor

        if self.page.url.endswith("/set-up-app/"):
            secret = self.page.inner_text("#secret").replace(" ", "")
            self.page.fill("#code", pyotp.TOTP(secret).now())
            self.page.click("form button[type=submit]")
            self.page.click("text=Continue to Outturn")
            return
        factor = SecondFactor.objects.get(user__username=username)
        # A code works once: an earlier sign-in of this test within the same 30 seconds is
        # forgotten, as if the next step had come.
        SecondFactor.objects.filter(pk=factor.pk).update(last_step=0)
        self.page.fill("#code", pyotp.TOTP(factor.secret).now())
        self.page.click("form button[type=submit]")

    def charts_drawn(self) -> None:
        self.page.wait_for_selector("body[data-charts-ready=true]", timeout=30_000)
        failed = self.page.evaluate("document.body.dataset.chartsFailed || ''")
        assert not failed, failed

    def axe_violations(self) -> list[dict[str, Any]]:
        """WCAG 2.2 A and AA rules of axe-core on the current page."""
        # add_script_tag would add an inline <script>, which the site's CSP rightly refuses; the
        # DevTools protocol's evaluate is outside the page's policy, so axe is loaded through it.
        if not self.page.evaluate("typeof window.axe !== 'undefined'"):
            self.page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
        result = self.page.evaluate("""async () => {
            const r = await axe.run(document, {runOnly: {type: 'tag',
                values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                           nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
        }""")
        return list(result)

    def foreign_requests(self) -> list[str]:
        own = (self.base_url, "data:", "blob:", "about:")
        return [url for url in self.requests if not url.startswith(own)]

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def visitor(browser: Any, live_server: Any) -> Iterator[Any]:
    made: list[Visitor] = []

    def make() -> Visitor:
        made.append(Visitor(browser, live_server.url))
        return made[-1]

    yield make
    for v in made:
        v.close()
