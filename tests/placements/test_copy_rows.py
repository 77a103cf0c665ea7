"""The register's write path (`placements/copy_rows.py`): COPY in text format stores exactly the
rows bulk_create stores, and an import that fails while writing leaves nothing behind."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest
from django.db import connection, transaction
from django.utils import timezone

from core.services import import_run
from forecasting.models import PlacementType
from placements import copy_rows
from placements.import_changes import stored_rows_by_orm, stored_rows_frame
from placements.models import Child, Placement
from tests.placements.conftest import register_csv

pytestmark = pytest.mark.django_db

# Texts COPY's text format treats specially (\N is its NULL, tab and line break end a cell or a
# row, backslash escapes), and text that merely looks like NULL or a number.
TEXTS = [
    "\\N",
    "Tab\there",
    "Two\nlines",
    "Carriage\rreturn",
    "Back\\slash \\\\ \\t",
    'Quote "x", comma',
    "",
    "NULL",
    "1.50",
    "Ünïcode £",
]


def _frame(authority, children: dict[str, int], types: dict[str, int], refs: list[str]) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    n = len(TEXTS)
    return pd.DataFrame(
        {
            "authority_id": authority.pk,
            "placement_ref": refs,
            "child_id": [children["C001"]] * n,
            "placement_type_id": types["fostering_ifa"],
            "provider": TEXTS,
            "procurement": "spot",
            "start_date": pd.to_datetime([f"2019-04-{d:02d}" for d in range(1, n + 1)]),
            # NaT is NULL; 2262-04-11 is the last day a datetime64[ns] holds.
            "end_date": pd.to_datetime(["2020-01-01", None] + ["2262-04-11"] * (n - 2)),
            "planned_end_date": pd.Series(pd.NaT, index=range(n), dtype="datetime64[ns]"),
            "weekly_cost": np.arange(n, dtype=np.int64) * 100_000_000,  # up to £9m a week in pence
            "health_contribution": 0,
            "education_contribution": 1,
            "uasc": [True, False] * (n // 2),
            # A foreign key that may be NULL arrives as a float column (NaN = NULL).
            "line_id": [np.nan] * n,
            "source": Placement.Source.REGISTER,
            "source_file": "register.csv",
            "source_row": pd.array([2, None] + list(range(4, n + 2)), dtype="Int64"),
            "place": "",
            "place_provider": "",
            "updated_at": pd.Timestamp(timezone.now()),
        }
    )


FIELDS = [
    "provider",
    "procurement",
    "start_date",
    "end_date",
    "planned_end_date",
    "weekly_cost",
    "health_contribution",
    "education_contribution",
    "uasc",
    "line_id",
    "source",
    "source_file",
    "source_row",
    "place",
    "place_provider",
    "child_id",
    "placement_type_id",
]


def test_copy_stores_the_same_rows_as_bulk_create(authority, placement_types) -> None:  # type: ignore[no-untyped-def]
    assert connection.vendor == "postgresql"  # the COPY path is what is tested
    child = Child.objects.create(authority=authority, child_ref="C001", date_of_birth=date(2010, 5, 1))
    types = dict(PlacementType.objects.values_list("code", "id"))
    n = len(TEXTS)
    copied = _frame(authority, {"C001": child.pk}, types, [f"COPY-{k}" for k in range(n)])
    created = _frame(authority, {"C001": child.pk}, types, [f"ORM-{k}" for k in range(n)])
    assert copy_rows.copy_insert(Placement, copied) == n
    assert copy_rows.orm_insert(Placement, created) == n

    def stored(prefix: str) -> list[tuple[object, ...]]:
        rows = Placement.objects.filter(placement_ref__startswith=prefix).order_by("start_date")
        return list(rows.values_list(*FIELDS))

    by_copy, by_orm = stored("COPY-"), stored("ORM-")
    assert by_copy == by_orm
    # Worked by hand: every text exactly as given (none taken for NULL), the second row's end and
    # source row NULL, the ninth row's cost 8 × 100,000,000 pence.
    assert [row[0] for row in by_copy] == TEXTS
    assert by_copy[1][3] is None and by_copy[1][12] is None
    assert by_copy[2][3] == date(2262, 4, 11)
    assert by_copy[8][5] == 800_000_000
    assert [row[8] for row in by_copy[:3]] == [True, False, True]


def test_an_import_that_fails_while_writing_writes_nothing(authority, placement_lines, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    data = register_csv(
        "P1,C001,2010-05-01,fostering_ifa,Agency,spot,2019-04-01,,,950,,,N,",
        "P2,C002,2011-05-01,fostering_ifa,Agency,spot,2019-04-01,,,950,,,N,",
    )
    real_insert = copy_rows.copy_insert

    def fail_after_the_children(model, frame):  # type: ignore[no-untyped-def]
        if model is Placement:
            raise RuntimeError("the database went away")
        return real_insert(model, frame)

    monkeypatch.setattr(copy_rows, "copy_insert", fail_after_the_children)
    with pytest.raises(RuntimeError):
        import_run(authority=authority, kind="placements", source="r.csv", data=data, options={}, user=None)
    # The children were written before the failure, in the same transaction: rolled back too.
    assert not Child.objects.filter(authority=authority).exists()
    assert not Placement.objects.filter(authority=authority).exists()
    monkeypatch.setattr(copy_rows, "copy_insert", real_insert)
    with transaction.atomic():
        plan, result = import_run(
            authority=authority, kind="placements", source="r.csv", data=data, options={}, user=None
        )
    assert plan.ok and result is not None and result["rows_written"] == 2


def test_the_stored_rows_read_back_by_copy_are_the_orms_to_the_cell(authority, placement_lines) -> None:  # type: ignore[no-untyped-def]
    assert connection.vendor == "postgresql"  # the COPY path is what is tested
    child = Child.objects.create(authority=authority, child_ref="C001", date_of_birth=date(2010, 5, 1))
    types = dict(PlacementType.objects.values_list("code", "id"))
    n = len(TEXTS)
    frame = _frame(authority, {"C001": child.pk}, types, [f"P-{k}" for k in range(n)])
    copy_rows.copy_insert(Placement, frame)
    rows = Placement.objects.filter(authority=authority)
    # Every line NULL (None), then some NULL and some not (floats), then none NULL (integers).
    line = placement_lines["CIC-FOS-IFA"].pk
    for lines, kind in (([], "object"), (["P-0", "P-3"], "float64"), ([f"P-{k}" for k in range(n)], "int64")):
        rows.filter(placement_ref__in=lines).update(line_id=line)
        copied, by_orm = stored_rows_frame(rows), stored_rows_by_orm(rows)
        pd.testing.assert_frame_equal(copied, by_orm, check_exact=True)
        assert sorted(copied["provider"]) == sorted(TEXTS)  # every text as stored, none taken for NULL
        assert copied["line_id"].dtype == kind
    assert copied["end_date"].isna().sum() == 1 and copied["planned_end_date"].isna().all()
    # Nothing stored: the ORM's empty frame.
    none = Placement.objects.filter(placement_ref="none")
    pd.testing.assert_frame_equal(stored_rows_frame(none), stored_rows_by_orm(none))
