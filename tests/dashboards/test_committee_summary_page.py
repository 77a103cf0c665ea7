"""Issue 12, point 7: page 1 of the committee PDF, and the top of the published page, is the
one-page summary; the sign-off and the full report start on page 2."""

from __future__ import annotations

import html
import re
import shutil
import subprocess

import pytest
from django.urls import reverse

from dashboards import printing, services
from dashboards.pdf import pdf_page_count, render_pdf
from tests.dashboards.county import everything_looked_at
from tests.wording.reading import problems

pytestmark = pytest.mark.django_db


def _page_text(content: bytes, page: int) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    out = subprocess.run(
        ["pdftotext", "-layout", "-f", str(page), "-l", str(page), "-", "-"],
        input=content,
        capture_output=True,
        check=True,
    ).stdout.decode()
    return " ".join(out.split())


def test_the_published_page_opens_with_the_summary(run, director, committee_member, client_for) -> None:  # type: ignore[no-untyped-def]
    published = services.period_sign_off(
        authority=run.authority,
        user=director,
        run=run,
        comment="For committee.",
        acknowledged=everything_looked_at(run),
    )
    page = client_for(committee_member).get(reverse("dashboards:published", args=[published.pk])).content.decode()
    summary, sign_off = page.index('id="committee-summary"'), page.index('id="sign-off-details"')
    assert page.index("<h1") < summary < sign_off < page.index('id="headline-heading"')
    top = html.unescape(page[summary:sign_off])
    # The county's department: every figure in words, no code, no minus sign before a pound.
    assert "Children's services are forecast to spend" in top and "against a budget of" in top
    assert re.search(r"an (over|under)spend of £[\d.,]+[mk]?", top)
    assert 'id="summary-services"' in top and "Children in Care" in top
    assert 'id="summary-placements"' in top and "External residential" in top
    assert "-£" not in top and not re.search(r"\b[a-z]+_[a-z_]+\b", re.sub(r"<[^>]+>", " ", top))


@pytest.mark.browser
def test_page_one_of_the_pdf_is_the_summary_and_the_report_starts_on_page_two(run, director) -> None:  # type: ignore[no-untyped-def]
    published = services.period_sign_off(
        authority=run.authority,
        user=director,
        run=run,
        comment="For committee.",
        acknowledged=everything_looked_at(run),
    )
    content = render_pdf("dashboards/print.html", printing.print_context(published))
    first, second = _page_text(content, 1), _page_text(content, 2)
    department = published.document["department"]
    assert "Summary" in first and "Children's services are forecast to spend" in first
    assert ("an overspend of" if department["variance"] > 0 else "an underspend of") in first
    assert "Services: budget and forecast outturn" in first and "Children by placement type" in first
    assert "Page 1 of" in first and "Sign-off" not in first
    assert second.startswith("Sign-off") or " Sign-off " in f" {second} "
    assert "For committee." in second and "For committee." not in first
    # Every page of the PDF reads in words (issue 12's test), but for what other parts still owe.
    whole = " ".join(_page_text(content, n) for n in range(1, pdf_page_count(content) + 1))
    found = problems(whole, "PDF")
    assert found == [], "\n".join(ascii(f) for f in found)
