"""The comparisons the page reads: the neighbour average worked out by hand, missing figures left
out, region and England, and the 31 March counts other parts of the product use."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from benchmarks import selectors
from benchmarks.models import AuthorityLink
from core.services import import_run
from tests.benchmarks.files import csv_bytes, neighbour_row, neighbours_xlsx, release_rows

pytestmark = pytest.mark.django_db

TEN = [887, 936, 938, 801, 802, 803, 805, 806, 807, 808]


def _load(authority, values):  # type: ignore[no-untyped-def]
    plan, _ = import_run(
        authority=authority,
        kind="benchmarks",
        source="lait-2025-11-03.csv",
        data=csv_bytes(release_rows(values)),
        options={},
        user=None,
    )
    assert plan.ok, [str(p) for p in plan.errors]
    plan, _ = import_run(
        authority=authority,
        kind="statistical_neighbours",
        source="statistical-neighbours-may-2025.xlsx",
        data=neighbours_xlsx([neighbour_row(886, "Kent", TEN)]),
        options={},
        user=None,
    )
    assert plan.ok, [str(p) for p in plan.errors]
    AuthorityLink.objects.create(authority=authority, la_number=886)


def test_the_neighbour_average_is_the_mean_of_the_neighbours_with_a_figure(authority) -> None:  # type: ignore[no-untyped-def]
    _load(
        authority,
        {
            ("LAC", "2024", 886): "56",
            ("LAC", "2024", 887): "70",
            ("LAC", "2024", 936): "41",
            ("LAC", "2024", 938): "x",  # suppressed: left out, not counted as zero
            ("LAC", "2024", 989): "57",
            ("LAC", "2024", 970): "70",
            ("LAC", "2023", 886): "55",
            ("LAC", "2023", 938): "44",
        },
    )
    place = selectors.place_of(authority)
    assert place is not None and place.neighbours == tuple(TEN) and place.region == 989
    rows = selectors.comparisons(place, ["LAC"])["LAC"].rows
    assert [row.year for row in rows] == ["2023", "2024"]
    latest = rows[-1]
    # (70 + 41) / 2 = 55.5: Medway and Surrey; West Sussex is suppressed and the rest have nothing.
    assert latest.neighbour_average == Decimal("55.5") and latest.neighbours_averaged == 2
    assert (latest.own, latest.region, latest.england) == (Decimal(56), Decimal(57), Decimal(70))
    assert latest.neighbours[:3] == [Decimal(70), Decimal(41), None]
    assert latest.published_on == date(2025, 11, 3)
    assert (rows[0].neighbour_average, rows[0].neighbours_averaged) == (Decimal(44), 1)


def test_the_31_march_numbers_are_the_council_s_published_counts_by_year(authority, other_authority) -> None:  # type: ignore[no-untyped-def]
    _load(authority, {("LACnum", "2023", 886): "1938", ("LACnum", "2024", 886): "c", ("LACnum", "2022", 886): "1777"})
    assert selectors.published_31_march_numbers(authority) == {2022: 1777, 2023: 1938}
    assert selectors.published_31_march_numbers(other_authority) == {}


def test_year_labels_sort_by_the_year_they_name() -> None:
    labels = ["2017", "2016-17 (OT)", "2016", "2015/16"]
    assert sorted(labels, key=selectors.year_key) == ["2015/16", "2016", "2016-17 (OT)", "2017"]


def test_a_neighbour_without_this_year_s_figures_is_shown_as_reorganised(authority) -> None:  # type: ignore[no-untyped-def]
    _load(authority, {("LACnum", "2024", 886): "1960", ("LACnum", "2024", 887): "450", ("LACnum", "2020", 936): "1"})
    neighbours = selectors.neighbours_of(886)
    assert [(n.name, n.has_figures) for n in neighbours[:3]] == [
        ("Medway", True),
        ("Surrey", False),
        ("LA 938", False),
    ]
