"""Issue 14, point 4, on the real pages: every role signs in on the demo county and follows the
links of its menus. Every page's controls have an accessible name and describe themselves only by
what is on the page; every form that asks for an answer, sent back empty, comes back with
"Error: " before its title and an error summary whose links lead to the boxes in error."""

from __future__ import annotations

import html as html_lib
import re

import pytest
from django.core.management import call_command
from django.test import Client

from accounts.models import User
from tests.core.form_markup import CONTROLS, problems, read
from tests.support import signed_in
from tests.wording.reading import HREF, NOT_PAGES, _is_download

pytestmark = pytest.mark.django_db

FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.DOTALL)
METHOD_POST = re.compile(r"""method=["']post["']""", re.IGNORECASE)
ACTION = re.compile(r"""action=["']([^"']*)["']""")
# A control the renderer marks as needing an answer (Django's `required`), so an empty form is wrong.
REQUIRED = re.compile(r"<(?:input|select|textarea)\b[^>]*\srequired[\s>]")
# Forms every crawl must have sent back empty, so that the test cannot pass by finding none.
MUST_TRY = {
    "finance": {"/lines/new/", "/uploads/", "/placements/add/", "/placements/import/", "/workforce/workers/new/"},
    "admin": {"/accounts/users/add/"},
}


def _shape(url: str) -> str:
    """A URL with its ids and references (PL-002405-20180529, 2019-20) blanked: one of each is enough."""
    path, _, query = url.partition("?")
    keys = sorted(part.split("=")[0] for part in query.split("&") if part)
    return re.sub(r"/[A-Z]*-?\d[\w-]*", "/#", path) + "?" + "&".join(keys)


@pytest.fixture
def demo(settings) -> None:  # type: ignore[no-untyped-def]
    settings.OUTTURN_ADMINS_SEE_REGISTER = True
    call_command("seed_demo", "--year", "2019/20", "--period", "6", stdout=open("/dev/null", "w"))  # noqa: SIM115


def _pages(client: Client, *, limit: int = 250) -> dict[str, str]:
    """Every page reachable by links from the home page, one of each URL shape: its HTML."""
    seen: set[str] = set()
    queue = ["/"]
    pages: dict[str, str] = {}
    while queue and len(pages) < limit:
        url = queue.pop(0)
        response = client.get(url)
        if response.status_code != 200 or not response.get("Content-Type", "").startswith("text/html"):
            continue
        body = response.content.decode()
        pages[url] = body
        for raw in HREF.findall(body):
            link = html_lib.unescape(raw)
            if not link.startswith("/") or link.startswith(NOT_PAGES) or _is_download(link) or "/pdf" in link:
                continue
            if _shape(link) not in seen:
                seen.add(_shape(link))
                queue.append(link)
    return pages


def _answer_forms(url: str, body: str) -> list[tuple[str, dict[str, str]]]:
    """Where each form of the page that asks for an answer is sent, and what a browser sends when
    nothing is typed: every box empty, hidden fields as they are, nothing ticked or chosen."""
    targets = []
    for attrs, inside in FORM.findall(body):
        if METHOD_POST.search(attrs) and REQUIRED.search(inside):
            action = ACTION.search(attrs)
            empty: dict[str, str] = {}
            for control in read(inside).elements:
                name, kind = control.attrs.get("name"), control.attrs.get("type", "text")
                if control.tag in CONTROLS and name and kind not in ("checkbox", "radio", "file", "submit"):
                    empty[name] = control.attrs.get("value", "") if kind == "hidden" else ""
            targets.append((html_lib.unescape(action.group(1)) if action and action.group(1) else url, empty))
    return targets


def _sent_back_empty(client: Client, target: str, empty: dict[str, str]) -> list[str]:
    response = client.post(target, empty or {"nothing": ""})
    body = response.content.decode()
    page = read(body)
    found = [f"{target} sent empty: {p}" for p in problems(body)]
    if response.status_code not in (200, 400):
        return [f"{target} sent empty answered {response.status_code}"]
    if not page.title.strip().startswith("Error: "):
        found.append(f"{target} sent empty: the title {page.title.strip()!r} does not start 'Error: '")
    links = [e for e in page.elements if e.tag == "a" and e.attrs.get("href", "").startswith("#")]
    summary = page.with_class("govuk-error-summary")
    if not summary or not any(e for e in links if e.attrs["href"][1:] in page.by_id()):
        found.append(f"{target} sent empty: no error summary linking to a box")
    return found


def test_every_form_page_reads_well_to_a_screen_reader_and_empty_answers_are_errors(demo) -> None:  # type: ignore[no-untyped-def]
    found: list[str] = []
    for username in ("finance", "director", "councillor", "admin"):
        client = signed_in(User.objects.get(username=username))
        pages = _pages(client)
        tried: set[str] = set()
        for url, body in pages.items():
            found += [f"{username} {url}: {p}" for p in problems(body)]
            for target, empty in _answer_forms(url, body):
                if _shape(target) not in tried:
                    tried.add(_shape(target))
                    found += [f"{username} {p}" for p in _sent_back_empty(client, target, empty)]
        missing = {shape for shape in MUST_TRY.get(username, set()) if _shape(shape) not in tried}
        assert not missing, f"{username}: the crawl did not reach the forms {sorted(missing)}"
    assert found == [], "\n".join(found[:60])


def test_the_sign_in_page_reads_well_and_an_empty_sign_in_is_an_error(db) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    body = client.get("/accounts/sign-in/").content.decode()
    assert problems(body) == [] and not read(body).title.startswith("Error")
    assert _sent_back_empty(client, "/accounts/sign-in/", {"username": "", "password": ""}) == []
    wrong = client.post("/accounts/sign-in/", {"username": "nobody", "password": "wrong-password"})
    page = read(wrong.content.decode())
    assert page.title.startswith("Error: ") and problems(wrong.content.decode()) == []
    assert "#id_username" in [e.attrs.get("href") for e in page.elements if e.tag == "a"]


def test_an_upload_with_no_file_chosen_is_refused_with_a_message(client_for, finance_officer) -> None:  # type: ignore[no-untyped-def]
    """A browser sends the upload form with a kind chosen (the first) and no file; nothing starts."""
    from core.models import ImportBatch

    response = client_for(finance_officer).post("/uploads/", {"kind": "budget", "year": "", "as_at": ""})
    body = response.content.decode()
    assert response.status_code == 200 and ImportBatch.objects.count() == 0
    assert 'id="id_file-error"' in body and "Choose a file to upload" in body
    assert read(body).title.startswith("Error: ") and problems(body) == []
