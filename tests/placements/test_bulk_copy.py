"""The bulk write path (COPY on PostgreSQL) stores every text exactly as the file gave it: a
provider called literally \\N (COPY's usual NULL marker), a tab, a line break, a backslash and a
quote all round-trip, and only a real NULL is NULL."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection

from core.services import import_run
from placements.models import Placement
from tests.placements.conftest import HEADER

pytestmark = pytest.mark.django_db

PROVIDERS = {
    "P1": "\\N",
    "P2": "Tab\there",
    "P3": "Two\nlines",
    "P4": "Back\\slash \\\\ and \\t",
    "P5": 'Quote "marks", and a comma',
    "P6": "",
    "P7": "NULL",
}


def register_file() -> bytes:
    out = io.StringIO()
    out.write(HEADER)
    writer = csv.writer(out, lineterminator="\n")
    for n, (ref, provider) in enumerate(PROVIDERS.items(), start=1):
        writer.writerow(
            [
                ref,
                f"C{n:03d}",
                "2010-05-01",
                "fostering_ifa",
                provider,
                "",
                "2019-04-01",
                "",
                "",
                "950",
                "",
                "",
                "N",
                "",
            ]
        )
    return out.getvalue().encode()


def test_the_copy_path_is_used_here() -> None:
    # These tests are about PostgreSQL's COPY; on SQLite the rows go through bulk_create.
    assert connection.vendor == "postgresql"


def test_every_provider_round_trips_exactly(authority, placement_lines) -> None:  # type: ignore[no-untyped-def]
    plan, result = import_run(
        authority=authority,
        kind="placements",
        source="register.csv",
        data=register_file(),
        options={"today": "2024-06-01"},
        user=None,
    )
    assert plan.ok, [str(p) for p in plan.errors]
    assert result["rows_written"] == len(PROVIDERS)
    stored = dict(Placement.objects.filter(authority=authority).values_list("placement_ref", "provider"))
    assert stored == PROVIDERS
    # Only real NULLs are NULL: an open placement's end date, and nothing else of these rows.
    assert Placement.objects.filter(authority=authority, end_date__isnull=True).count() == len(PROVIDERS)
    assert not Placement.objects.filter(authority=authority, provider__isnull=True).exists()
