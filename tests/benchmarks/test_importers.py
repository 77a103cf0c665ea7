"""import_data benchmarks / statistical_neighbours: hand-made files, every bad case, idempotence,
a newer release replacing the years it covers, and a failed import leaving the previous one."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from benchmarks.models import Area, Measure, PublishedValue, Release, StatisticalNeighbour
from core.services import import_run
from tests.benchmarks.files import csv_bytes, neighbour_row, neighbours_xlsx, release_rows

pytestmark = pytest.mark.django_db

FIRST = {
    ("LACnum", "2023", 886): "1938",
    ("LACnum", "2024", 886): "1960",
    ("LACnum", "2024", 887): "c",
    ("LACnum", "2024", 970): "83630",
    ("LACnum", "2024", 989): "11180",
    ("LAC", "2024", 886): "56",
    ("Work_Force_Agecy_Rate", "2024", 886): "22.700000000000003",
}
TEN = [887, 936, 938, 801, 802, 803, 805, 806, 807, 808]


def _import(authority, kind, name, data, as_at=None):  # type: ignore[no-untyped-def]
    return import_run(authority=authority, kind=kind, source=name, data=data, options={"as_at": as_at}, user=None)


def _values() -> dict[tuple[str, int, str], tuple[Decimal | None, date]]:
    return {
        (v.measure.code, v.area.la_number, v.year): (v.value, v.release.published_on)
        for v in PublishedValue.objects.select_related("measure", "area", "release")
    }


def _first(authority):  # type: ignore[no-untyped-def]
    plan, result = _import(authority, "benchmarks", "lait-bds-long-2025-11-03.csv", csv_bytes(release_rows(FIRST)))
    assert plan.ok, [str(p) for p in plan.errors]
    return plan, result


def test_a_release_is_loaded_with_its_date_and_suppressed_figures_kept_as_missing(authority) -> None:  # type: ignore[no-untyped-def]
    _first(authority)
    values = _values()
    day = date(2025, 11, 3)
    assert values[("LACnum", 886, "2024")] == (Decimal(1960), day)
    assert values[("LACnum", 887, "2024")] == (None, day)  # "c": suppressed, not zero
    # DfE's floating-point noise is kept to six places.
    assert values[("Work_Force_Agecy_Rate", 886, "2024")][0] == Decimal("22.700000")
    assert Area.objects.get(la_number=886).region == Area.objects.get(la_number=989)
    assert Area.objects.get(la_number=970).kind == Area.Kind.ENGLAND
    assert Measure.objects.get(code="LAC").title == "Children looked after rate per 10,000"


def test_importing_the_same_release_twice_changes_nothing(authority) -> None:  # type: ignore[no-untyped-def]
    _first(authority)
    ids = sorted(PublishedValue.objects.values_list("pk", flat=True))
    plan, result = _first(authority)
    assert plan.counts() == {"unchanged": 3}
    assert result is not None and result["figures_written"] == 0
    assert sorted(PublishedValue.objects.values_list("pk", flat=True)) == ids


def test_a_newer_release_replaces_the_years_it_covers_and_older_years_keep_their_release(authority) -> None:  # type: ignore[no-untyped-def]
    _first(authority)
    newer = {("LACnum", "2024", 886): "1961", ("LACnum", "2025", 886): "2001"}
    plan, _ = _import(authority, "benchmarks", "lait-bds-long-2026-11-02.csv", csv_bytes(release_rows(newer)))
    assert plan.ok and plan.counts() == {"update": 1}
    values = _values()
    assert values[("LACnum", 886, "2025")] == (Decimal(2001), date(2026, 11, 2))
    assert values[("LACnum", 886, "2024")] == (Decimal(1961), date(2026, 11, 2))
    # 2023 is not in the newer file: it keeps the 2025 release's figure and date.
    assert values[("LACnum", 886, "2023")] == (Decimal(1938), date(2025, 11, 3))
    # The year 2024 was covered, so England's 2024 figure (not in the newer file) is replaced by nothing.
    assert ("LACnum", 970, "2024") not in values


def test_an_older_release_after_a_newer_one_is_refused(authority) -> None:  # type: ignore[no-untyped-def]
    _first(authority)
    plan, result = _import(authority, "benchmarks", "lait-bds-long-2024-11-01.csv", csv_bytes(release_rows(FIRST)))
    assert result is None
    assert "a newer release (published 3 November 2025) is already loaded" in str(plan.errors[0])


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        (
            "lait-2025-11-03.csv",
            csv_bytes([["1", "2"]], header=["measure", "value"]),
            "lait-2025-11-03.csv: this is not a release of DfE's published statistics in the interactive tool's "
            "long format: the header row lacks Short Desc, Data item, Years, LA and Regions, Values, LA Number, "
            "Region (found: measure, value)",
        ),
        (
            "lait-2025-11-03.csv",
            csv_bytes([["LAC", "", "2024", "Kent", "lots", "886", "South East"]]),
            "lait-2025-11-03.csv row 2, column Values: is not a number or one of DfE's marks for a suppressed "
            "figure (x, c, -) (value: 'lots')",
        ),
        (
            "lait-2025-11-03.csv",
            csv_bytes([["LAC", "", "2024", "Kent", "56", "Kent", "South East"]]),
            "lait-2025-11-03.csv row 2, column LA Number: is not a DfE LA number (a whole number such as 886) "
            "(value: 'Kent')",
        ),
        (
            "lait.csv",
            csv_bytes(release_rows(FIRST)),
            "lait.csv: the file's name does not say when it was published (e.g. lait-bds-long-2025-11-03.parquet); "
            "give the date with --as-at 2025-11-03",
        ),
    ],
)
def test_a_bad_release_gets_a_clear_message_and_leaves_the_previous_release(authority, name, data, message) -> None:  # type: ignore[no-untyped-def]
    _first(authority)
    before = _values()
    plan, result = _import(authority, "benchmarks", name, data)
    assert result is None
    assert message in [str(p) for p in plan.errors]
    assert _values() == before


def test_the_release_date_can_be_given_when_the_name_has_none(authority) -> None:  # type: ignore[no-untyped-def]
    plan, _ = _import(authority, "benchmarks", "lait.csv", csv_bytes(release_rows(FIRST)), as_at="2025-11-03")
    assert plan.ok and Release.objects.get().published_on == date(2025, 11, 3)


def test_a_measure_dfe_s_dictionary_does_not_know_is_kept_under_the_file_s_own_title(authority) -> None:  # type: ignore[no-untyped-def]
    rows = [["LAC_Kinship_New", "Children looked after in kinship care", "2024", "Kent", "12", "886", "South East"]]
    plan, _ = _import(authority, "benchmarks", "lait-2025-11-03.csv", csv_bytes(rows))
    assert plan.ok
    assert [str(w) for w in plan.warnings] == [
        "lait-2025-11-03.csv row 2, column Short Desc: the measure 'LAC_Kinship_New' is not in DfE's data "
        "dictionary; it is kept and shown as 'Children looked after in kinship care'"
    ]
    assert Measure.objects.get(code="LAC_Kinship_New").title == "Children looked after in kinship care"
    assert _values()[("LAC_Kinship_New", 886, "2024")][0] == Decimal(12)


def test_a_failure_while_writing_leaves_the_previous_release_in_place(authority, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    _first(authority)
    before = _values()
    original = PublishedValue.objects.bulk_create

    def failing(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("the database went away")

    monkeypatch.setattr(PublishedValue.objects, "bulk_create", failing)
    newer = {("LACnum", "2024", 886): "1961"}
    with pytest.raises(RuntimeError):
        _import(authority, "benchmarks", "lait-bds-long-2026-11-02.csv", csv_bytes(release_rows(newer)))
    monkeypatch.setattr(PublishedValue.objects, "bulk_create", original)
    assert _values() == before
    assert not Release.objects.filter(published_on=date(2026, 11, 2)).exists()


def test_a_parquet_release_as_dfe_publishes_it_is_read(authority) -> None:  # type: ignore[no-untyped-def]
    table = pa.table(
        {
            "Short Desc": ["LACnum", "LACnum"],
            "Data item": ["Number of Looked after Children", None],
            "Years": ["2024", "2024"],
            "LA and Regions": ["Kent", "England"],
            "Values": ["1960", "-"],
            "LA Number": [886.0, 970.0],  # DfE stores the numbers as doubles
            "Region": ["South East", "NA"],
        }
    )
    out = io.BytesIO()
    pq.write_table(table, out)
    plan, _ = _import(authority, "benchmarks", "lait-bds-long-2025-11-03.parquet", out.getvalue())
    assert plan.ok, [str(p) for p in plan.errors]
    assert _values() == {
        ("LACnum", 886, "2024"): (Decimal(1960), date(2025, 11, 3)),
        ("LACnum", 970, "2024"): (None, date(2025, 11, 3)),
    }


def test_a_parquet_file_with_too_many_rows_is_refused_before_it_is_read(authority, settings) -> None:  # type: ignore[no-untyped-def]
    settings.OUTTURN_MAX_ROWS = 1
    settings.OUTTURN_MAX_PUBLISHED_ROWS = 1
    table = pa.table({name: ["x", "y"] for name in ("Short Desc", "Years")})
    out = io.BytesIO()
    pq.write_table(table, out)
    plan, _ = _import(authority, "benchmarks", "lait-2025-11-03.parquet", out.getvalue())
    assert [str(p) for p in plan.errors] == ["lait-2025-11-03.parquet: the file has 2 rows; the most accepted is 1"]


# --------------------------------------------------------------------------------------------
# Statistical neighbours


def test_the_neighbours_workbook_is_loaded_and_a_second_import_changes_nothing(authority) -> None:  # type: ignore[no-untyped-def]
    data = neighbours_xlsx([neighbour_row(886, "Kent", TEN), neighbour_row(887, "Medway", [886, *TEN[1:]])])
    plan, _ = _import(authority, "statistical_neighbours", "statistical-neighbours-may-2025.xlsx", data)
    assert plan.ok, [str(p) for p in plan.errors]
    assert (
        list(
            StatisticalNeighbour.objects.filter(la_number=886)
            .order_by("position")
            .values_list("neighbour_number", flat=True)
        )
        == TEN
    )
    release = Release.objects.get(kind=Release.Kind.NEIGHBOURS)
    assert (release.published_on, release.month_only) == (date(2025, 5, 1), True)
    ids = sorted(StatisticalNeighbour.objects.values_list("pk", flat=True))
    plan, result = _import(authority, "statistical_neighbours", "statistical-neighbours-may-2025.xlsx", data)
    assert plan.counts() == {"unchanged": 2} and result == {"councils_written": 0}
    assert sorted(StatisticalNeighbour.objects.values_list("pk", flat=True)) == ids


def test_a_neighbours_workbook_with_a_changed_header_is_refused_naming_the_cell(authority) -> None:  # type: ignore[no-untyped-def]
    good = neighbours_xlsx([neighbour_row(886, "Kent", TEN)])
    _import(authority, "statistical_neighbours", "statistical-neighbours-may-2025.xlsx", good)
    from benchmarks.neighbour_import import HEADER

    changed = list(HEADER)
    changed[5] = "Neighbour 1"
    plan, result = _import(
        authority,
        "statistical_neighbours",
        "statistical-neighbours-may-2026.xlsx",
        neighbours_xlsx([neighbour_row(886, "Kent", [887, *TEN[2:], 936])], header=changed),
    )
    assert result is None
    assert [str(p) for p in plan.errors] == [
        "statistical-neighbours-may-2026.xlsx row 3, column F: the header has changed: DfE's statistical "
        "neighbours workbook has 'SN1' here; check the workbook is the statistical neighbours list and its "
        "columns are as published (value: 'Neighbour 1')"
    ]
    assert list(StatisticalNeighbour.objects.filter(la_number=886).values_list("neighbour_number", flat=True)) == TEN


def test_neighbours_that_no_longer_exist_are_kept_with_a_warning(authority) -> None:  # type: ignore[no-untyped-def]
    _first(authority)
    # 928 (Northamptonshire) was reorganised in 2021: it has no published figures here.
    data = neighbours_xlsx([neighbour_row(886, "Kent", [928, *TEN[1:]])])
    plan, _ = _import(authority, "statistical_neighbours", "statistical-neighbours-may-2025.xlsx", data)
    assert plan.ok
    assert (
        "statistical-neighbours-may-2025.xlsx row 4: neighbour(s) with no published figures (reorganised "
        "councils); averages use the others (value: '928, 936, 938, 801, 802, 803, 805, 806, 807, 808')"
    ) in [str(w) for w in plan.warnings]


def test_a_council_cannot_be_its_own_neighbour(authority) -> None:  # type: ignore[no-untyped-def]
    data = neighbours_xlsx([neighbour_row(886, "Kent", [886, *TEN[1:]])])
    plan, result = _import(authority, "statistical_neighbours", "statistical-neighbours-may-2025.xlsx", data)
    assert result is None
    assert (
        "statistical-neighbours-may-2025.xlsx row 4, column F: a council cannot be its own neighbour (value: '886')"
        in [str(p) for p in plan.errors]
    )


def test_neither_kind_is_offered_on_the_upload_pages() -> None:
    from core.importing import every_importer, importers

    assert {"benchmarks", "statistical_neighbours"} <= set(every_importer())
    assert not {"benchmarks", "statistical_neighbours"} & set(importers())
