"""Reading DfE's published figures for an authority: its own, its ten statistical neighbours'
(each, and their average), its region's and England's, year by year (docs/benchmarks-dfe.md).

The neighbour average is the plain mean of the neighbours that have a figure for the year (a
suppressed figure or a council since reorganised is left out, and the count says how many were
averaged); it is not weighted by population, as DfE's own tool does not weight it either.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Exists, OuterRef

from accounts.models import Authority
from benchmarks.measures import BY_CODE, KNOWN, Known
from benchmarks.models import Area, AuthorityLink, Measure, PublishedValue, Release, StatisticalNeighbour

ENGLAND = 970


def year_key(label: str) -> tuple[int, str]:
    """'2016' < '2016-17 (OT)' < '2017': by the first year the label names, then the label."""
    found = re.search(r"\d{4}", label)
    return (int(found[0]) if found else 0, label)


def link_of(authority: Authority) -> AuthorityLink | None:
    return AuthorityLink.objects.filter(authority=authority).first()


def la_number_of(authority: Authority) -> int | None:
    link = link_of(authority)
    return link.la_number if link is not None else None


def area_of(la_number: int | None) -> Area | None:
    if la_number is None:
        return None
    return Area.objects.select_related("region").filter(la_number=la_number).first()


def published_31_march_numbers(authority: Authority) -> dict[int, int]:
    """Children looked after at 31 March of each year DfE publishes (LACnum), for the authority's
    LA number; a year with a suppressed figure, or no link, gives nothing."""
    la_number = la_number_of(authority)
    if la_number is None:
        return {}
    values = PublishedValue.objects.filter(
        measure__code="LACnum", area__la_number=la_number, value__isnull=False
    ).values_list("year", "value")
    out: dict[int, int] = {}
    for year, value in values:
        if value is not None and re.fullmatch(r"\d{4}", year.strip()):
            out[int(year)] = int(value)
    return dict(sorted(out.items()))


@dataclass(frozen=True)
class Neighbour:
    position: int
    la_number: int
    name: str
    closeness: str
    has_figures: bool


def neighbours_of(la_number: int | None) -> list[Neighbour]:
    if la_number is None:
        return []
    rows = list(StatisticalNeighbour.objects.filter(la_number=la_number).order_by("position"))
    areas = {a.la_number: a for a in Area.objects.filter(la_number__in=[r.neighbour_number for r in rows])}
    # A neighbour "has figures" when it has the latest year's count of children looked after: a
    # council since reorganised has only older years.
    counts = PublishedValue.objects.filter(measure__code="LACnum", value__isnull=False)
    latest = max(counts.values_list("year", flat=True).distinct(), key=year_key, default=None)
    with_figures = set(
        counts.filter(year=latest, area__la_number__in=list(areas)).values_list("area__la_number", flat=True)
    )
    return [
        Neighbour(
            position=row.position,
            la_number=row.neighbour_number,
            name=areas[row.neighbour_number].name if row.neighbour_number in areas else f"LA {row.neighbour_number}",
            closeness=row.closeness,
            has_figures=row.neighbour_number in with_figures,
        )
        for row in rows
    ]


@dataclass
class YearRow:
    year: str
    own: Decimal | None
    neighbour_average: Decimal | None
    neighbours_averaged: int
    neighbours: list[Decimal | None]
    region: Decimal | None
    england: Decimal | None
    published_on: date | None


@dataclass
class Comparison:
    code: str
    title: str
    known: Known | None
    rows: list[YearRow] = field(default_factory=list)

    @property
    def latest(self) -> YearRow | None:
        """The latest year with the authority's own figure, else the latest year."""
        with_own = [row for row in self.rows if row.own is not None]
        return with_own[-1] if with_own else (self.rows[-1] if self.rows else None)


def average(values: list[Decimal | None]) -> tuple[Decimal | None, int]:
    """The mean of the figures that exist, and how many there were."""
    present = [v for v in values if v is not None]
    if not present:
        return None, 0
    return sum(present, Decimal(0)) / len(present), len(present)


@dataclass(frozen=True)
class Place:
    """Whose figures a comparison reads: the council, its neighbours in order, region, England."""

    la_number: int
    neighbours: tuple[int, ...]
    region: int | None


def place_of(authority: Authority) -> Place | None:
    la_number = la_number_of(authority)
    if la_number is None:
        return None
    area = area_of(la_number)
    region = area.region.la_number if area is not None and area.region is not None else None
    neighbours = tuple(
        StatisticalNeighbour.objects.filter(la_number=la_number)
        .order_by("position")
        .values_list("neighbour_number", flat=True)
    )
    return Place(la_number=la_number, neighbours=neighbours, region=region)


def comparisons(place: Place, codes: list[str] | None = None) -> dict[str, Comparison]:
    """Every measure of `codes` (default: those the page compares), year by year."""
    wanted = codes if codes is not None else [known.code for known in KNOWN]
    numbers = {place.la_number, *place.neighbours, ENGLAND} | ({place.region} if place.region else set())
    found: dict[str, dict[str, dict[int, tuple[Decimal | None, date]]]] = defaultdict(lambda: defaultdict(dict))
    rows = PublishedValue.objects.filter(measure__code__in=wanted, area__la_number__in=numbers).values_list(
        "measure__code", "year", "area__la_number", "value", "release__published_on"
    )
    for code, year, number, value, published_on in rows:
        found[code][year][number] = (value, published_on)
    titles = dict(Measure.objects.filter(code__in=wanted).values_list("code", "title"))
    out: dict[str, Comparison] = {}
    for code in wanted:
        if code not in found:
            continue
        known = BY_CODE.get(code)
        comparison = Comparison(code=code, title=known.label if known else titles.get(code, code), known=known)
        for year in sorted(found[code], key=year_key):
            by_area = found[code][year]

            def value_of(number: int | None, by_area=by_area) -> Decimal | None:  # type: ignore[no-untyped-def]
                return by_area[number][0] if number in by_area else None

            neighbours = [value_of(n) for n in place.neighbours]
            mean, counted = average(neighbours)
            dates = [d for _, d in by_area.values()]
            comparison.rows.append(
                YearRow(
                    year=year,
                    own=value_of(place.la_number),
                    neighbour_average=mean,
                    neighbours_averaged=counted,
                    neighbours=neighbours,
                    region=value_of(place.region),
                    england=value_of(ENGLAND),
                    published_on=max(dates) if dates else None,
                )
            )
        out[code] = comparison
    return out


def other_measure_codes() -> list[str]:
    """Every measure of the loaded releases that the page does not compare, by title."""
    return list(Measure.objects.exclude(code__in=list(BY_CODE)).order_by("title").values_list("code", flat=True))


def releases() -> list[Release]:
    """The releases holding figures or neighbours now, newest first, for the attribution."""
    used = Release.objects.filter(
        Exists(PublishedValue.objects.filter(release=OuterRef("pk")))
        | Exists(StatisticalNeighbour.objects.filter(release=OuterRef("pk")))
    )
    return sorted(used, key=lambda r: (r.kind, r.published_on), reverse=True)


def councils() -> list[Area]:
    return list(Area.objects.filter(kind=Area.Kind.COUNCIL).order_by("name"))
