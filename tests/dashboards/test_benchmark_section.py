"""The committee report's optional benchmarks section: chosen at sign-off, frozen in the published
document (so sealed with it), shown on the published page and printed in the PDF."""

from __future__ import annotations

import pytest

from benchmarks.models import AuthorityLink, PublishedValue
from core.services import import_run
from dashboards import printing, services
from dashboards.models import PublishedPeriod, PublishedSeal, SnapshotPdf
from dashboards.seals import SEALED_FIELDS, published_digest
from tests.benchmarks.files import csv_bytes, neighbour_row, neighbours_xlsx, release_rows
from tests.dashboards.county import everything_looked_at
from tests.dashboards.test_pdf import pdf_text

pytestmark = pytest.mark.django_db

TEN = [887, 936, 938, 801, 802, 803, 805, 806, 807, 808]


@pytest.fixture
def published_statistics(authority):  # type: ignore[no-untyped-def]
    values = {("LAC", "2024", 886): "56", ("LAC", "2024", 887): "70", ("LAC", "2024", 970): "70"}
    for kind, name, data in (
        ("benchmarks", "lait-2025-11-03.csv", csv_bytes(release_rows(values))),
        ("statistical_neighbours", "sn-may-2025.xlsx", neighbours_xlsx([neighbour_row(886, "Kent", TEN)])),
    ):
        plan, _ = import_run(authority=authority, kind=kind, source=name, data=data, options={}, user=None)
        assert plan.ok, [str(p) for p in plan.errors]
    AuthorityLink.objects.create(authority=authority, la_number=886)


def _sign_off(run, director, include: bool) -> PublishedPeriod:  # type: ignore[no-untyped-def]
    return services.period_sign_off(
        authority=run.authority,
        user=director,
        run=run,
        comment="For committee.",
        acknowledged=everything_looked_at(run),
        include_benchmarks=include,
    )


SENTENCE = (
    "In 2024 Kent's rate of children looked after was 20.0% lower than statistical neighbours and 20.0% lower "
    "than England."
)


def test_the_section_is_published_only_when_chosen(run, director, published_statistics) -> None:  # type: ignore[no-untyped-def]
    without = _sign_off(run, director, include=False)
    assert "benchmarks" not in without.document


def test_the_chosen_section_is_frozen_sealed_and_shown_on_the_published_page(
    run,
    director,
    committee_member,
    client_for,
    published_statistics,  # type: ignore[no-untyped-def]
) -> None:
    published = _sign_off(run, director, include=True)
    section = published.document["benchmarks"]
    assert section["council"] == "Kent" and section["tables"][0]["sentence"] == SENTENCE
    assert section["tables"][0]["rows"] == [["2024", "56", "70", "", "70", "published 3 November 2025"]]
    # A later release does not change what was published.
    PublishedValue.objects.filter(measure__code="LAC", area__la_number=886).update(value=99)
    page = client_for(committee_member).get(f"/dashboards/published/{published.pk}/").content.decode()
    assert SENTENCE.replace("'", "&#x27;") in page and "Open Government Licence v3.0" in page
    # The section is part of the sealed document: the seal is taken over it, and would differ.
    stored = PublishedSeal.objects.get(published=published).sha256
    values = {name: getattr(published, name) for name in SEALED_FIELDS}
    assert published_digest(values) == stored
    values["document"] = {**published.document, "benchmarks": {**section, "council": "Elsewhere"}}
    assert published_digest(values) != stored


@pytest.mark.browser
def test_the_chosen_section_is_printed_in_the_pdf(run, director, published_statistics) -> None:  # type: ignore[no-untyped-def]
    published = _sign_off(run, director, include=True)
    pdf = SnapshotPdf.objects.create(published=published)
    printing.snapshot_pdf_generate(pdf_id=pdf.pk)
    pdf.refresh_from_db()
    text = " ".join(pdf_text(bytes(pdf.content)).split())
    assert "How we compare" in text
    assert "20.0% lower than statistical neighbours" in text
    assert "Open Government Licence v3.0" in text
