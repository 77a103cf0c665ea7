"""Issue 14, point 4, in a real browser: each kind of widget on a real page, sent with nothing
typed, at 1366 and 390 px. axe (WCAG 2.2 A/AA) finds nothing, the title starts "Error: ", the
error summary has the focus and each of its links leads to a box, and checkboxes are drawn."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# (page, the kinds of widget it shows, the button that sends it)
FINANCE_PAGES = [
    ("/workforce/teams/new/", "text input, select, single checkbox", "Save"),
    ("/workforce/workers/new/", "text, date and money inputs, selects, single checkbox", "Save"),
    ("/savings/new/", "textarea, selects, money inputs", "Save"),
    ("/placements/import/", "radios, file upload, text input", "Check the files"),
    ("/uploads/", "select, file upload, text input", "Check the file"),
]


def _sent_empty(visitor: Any, path: str, button: str, width: int) -> None:
    page = visitor.page
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(path)
    assert not page.title().startswith("Error"), path
    with page.expect_navigation():
        page.click(f"main button:has-text('{button}')")
    where = f"{path} sent empty at {width} px"
    assert page.locator(".govuk-error-summary").count() == 1, f"{where}: {page.inner_text('main')[:600]}"
    assert page.title().startswith("Error: "), where
    assert visitor.axe_violations() == [], where
    assert visitor.console_errors == [], f"{where}: {visitor.console_errors}"
    # GOV.UK Frontend moves the focus to the summary, so a screen reader starts there.
    focused = page.evaluate("document.activeElement.classList.contains('govuk-error-summary')")
    assert focused, f"{where}: the error summary does not have the focus"
    links = page.eval_on_selector_all(".govuk-error-summary__list a", "links => links.map(a => a.hash)")
    assert links, where
    for target in links:
        assert page.locator(target).count() == 1, f"{where}: {target} is not one element"
    width_used = page.evaluate("document.documentElement.scrollWidth")
    assert width_used <= width, f"{where}: the page is {width_used} px wide"
    # Following the first link puts the cursor in the box it names.
    page.click(".govuk-error-summary__list a >> nth=0")
    assert page.evaluate("document.activeElement.id") == links[0][1:], where


def _checkboxes_drawn(visitor: Any, where: str) -> None:
    """Each checkbox's square is drawn by its label in the GOV.UK wrappers; without them it is invisible."""
    drawn = visitor.page.eval_on_selector_all(
        ".govuk-checkboxes__input",
        """boxes => boxes.map(box => {
            const label = document.querySelector(`label[for="${box.id}"]`);
            const square = label && getComputedStyle(label, '::before');
            return !!square && square.content !== 'none' && square.borderTopWidth !== '0px'
                && box.closest('.govuk-checkboxes__item') !== null;
        })""",
    )
    assert drawn and all(drawn), f"{where}: {drawn}"


@pytest.mark.parametrize("width", [1366, 390])
def test_each_kind_of_widget_sent_empty_reads_well(width, visitor, finance_officer, administrator) -> None:  # type: ignore[no-untyped-def]
    stranger = visitor()
    stranger.page.set_viewport_size({"width": width, "height": 900})
    stranger.page.goto("/accounts/sign-in/")
    with stranger.page.expect_navigation():  # the title is read from the answer, not the form sent
        stranger.page.click("main button:has-text('Sign in')")  # a text box and a password box
    assert stranger.page.title().startswith("Error: ")
    assert stranger.axe_violations() == [], f"sign-in sent empty at {width} px"

    officer = visitor()
    officer.sign_in(finance_officer.username)
    for path, _kinds, button in FINANCE_PAGES:
        _sent_empty(officer, path, button, width)
        if path.startswith("/workforce/"):
            _checkboxes_drawn(officer, path)

    admin = visitor()
    admin.sign_in(administrator.username)
    _sent_empty(admin, "/accounts/users/add/", "Add user", width)  # an email box


def _sent_wrong(visitor: Any, path: str, fill: dict[str, str], button: str, width: int) -> None:
    """The page sent with a wrong answer the service refuses: the same checks as sent empty."""
    page = visitor.page
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(path)
    for selector, text in fill.items():
        page.fill(selector, text)
    with page.expect_navigation():
        page.click(f"main button:has-text('{button}')")
    where = f"{path} sent wrong at {width} px"
    assert page.locator(".govuk-error-summary").count() == 1, f"{where}: {page.inner_text('main')[:600]}"
    assert page.title().startswith("Error: "), where
    assert visitor.axe_violations() == [], where
    focused = page.evaluate("document.activeElement.classList.contains('govuk-error-summary')")
    assert focused, f"{where}: the error summary does not have the focus"
    width_used = page.evaluate("document.documentElement.scrollWidth")
    assert width_used <= width, f"{where}: the page is {width_used} px wide"
    links = page.eval_on_selector_all(".govuk-error-summary__list a", "links => links.map(a => a.hash)")
    page.click(".govuk-error-summary__list a >> nth=0")
    assert page.evaluate("document.activeElement.id") == links[0][1:], where
    # The browser logs the 400 a refused form is answered with; nothing else.
    visitor.console_errors[:] = [e for e in visitor.console_errors if "status of 400" not in e]
    assert visitor.console_errors == [], f"{where}: {visitor.console_errors}"


@pytest.mark.parametrize("width", [1366, 390])
def test_forms_whose_fields_come_from_the_data_read_well_with_an_error(  # type: ignore[no-untyped-def]
    width, visitor, year, lines, finance_officer, director
) -> None:
    from forecasting.services import actuals_save, budget_set, period_lock, period_submit

    for line in lines.values():
        budget_set(authority=year.authority, user=finance_officer, line=line, year=year, amount=1_200_000, reason="")
    first, second = year.periods.get(number=1), year.periods.get(number=2)
    amounts = {line.pk: 10_000 for line in lines.values()}
    actuals_save(authority=year.authority, user=finance_officer, period=first, amounts=amounts)
    officer = visitor()
    officer.sign_in(finance_officer.username)
    # The actuals grid: one box per line, in a table; a bad amount in one of them.
    legal = f"#line-{lines['LEG-EXT'].pk}"
    _sent_wrong(officer, f"/periods/{second.pk}/actuals/", {legal: "1O0"}, "Save actuals", width)
    period_submit(period=first, user=finance_officer, forecast=False)
    period_lock(period=first, user=director)
    boss = visitor()
    boss.sign_in(director.username)
    # Unlocking asks why: sent with no reason.
    _sent_wrong(boss, f"/periods/{first.pk}/unlock/", {}, "Unlock", width)
