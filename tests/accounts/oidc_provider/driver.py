"""Signing in at the test provider with plain HTTP, as a browser would, for the Django-client tests."""

from __future__ import annotations

from urllib.parse import urlsplit

import requests

from tests.accounts.oidc_provider import PASSWORD


def provider_answer(authorize_url: str, username: str, password: str = PASSWORD) -> str:
    """Follow the authorisation request to the provider's sign-in form, sign in as `username`, and
    return where the provider sends the browser back (the relying party's callback with code and state)."""
    with requests.Session() as browser:
        form = browser.get(authorize_url, timeout=10)
        assert "/login/" in form.url, form.url
        token = browser.cookies.get("provider_csrftoken")
        posted = browser.post(
            form.url,
            data={
                "csrfmiddlewaretoken": token,
                "username": username,
                "password": password,
                "next": urlsplit(authorize_url)._replace(scheme="", netloc="").geturl(),
            },
            headers={"Referer": form.url},
            allow_redirects=False,
            timeout=10,
        )
        assert posted.status_code == 302, posted.text[:500]
        location = posted.headers["Location"]
        while True:
            target = location if location.startswith("http") else f"{_origin(authorize_url)}{location}"
            if not target.startswith(_origin(authorize_url)):
                return target
            answer = browser.get(target, allow_redirects=False, timeout=10)
            assert answer.status_code == 302, answer.text[:500]
            location = answer.headers["Location"]


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"
