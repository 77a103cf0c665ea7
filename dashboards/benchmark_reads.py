"""What the benchmarks page, its downloads and the dashboard's panel show (docs/benchmarks-dfe.md).

One table per measure: every published year, the council, its statistical neighbours' average
(and how many had a figure), its region, England and each neighbour, with the release each
year's figures come from. The same frame is the page's table, the chart and the download.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pandas as pd
from django.http import Http404

from accounts.models import Authority
from benchmarks import selectors as bench
from benchmarks.measures import BY_CODE, GROUPS, KNOWN, Known
from core.spreadsheet import Title
from dashboards import benchmark_words as words
from dashboards.benchmark_own import OwnFigures, own_figures
from dashboards.charts import figure_json, fte_lines_figure

ATTRIBUTION = (
    "Contains public sector information licensed under the Open Government Licence v3.0 "
    "(Department for Education: Local Authority Interactive Tool and statistical neighbours)."
)
Y_TITLES = {
    "number": "Children",
    "rate": "Per 10,000 children",
    "percent": "%",
    "weekly_pounds": "£ per child per week",
    "pounds": "£",
    "decimal": "Cases per worker",
}


@dataclass
class Setting:
    """Whose figures the page reads, or why it cannot."""

    place: bench.Place | None
    area: Any
    neighbours: list[bench.Neighbour]
    problem: str = ""


def setting_of(authority: Authority) -> Setting:
    place = bench.place_of(authority)
    if place is None:
        return Setting(None, None, [], "An administrator has not yet set the council's DfE LA number.")
    area = bench.area_of(place.la_number)
    if area is None:
        return Setting(None, None, [], f"DfE's published statistics for LA number {place.la_number} are not loaded.")
    neighbours = bench.neighbours_of(place.la_number)
    return Setting(place, area, neighbours, "" if neighbours else "DfE's statistical neighbours are not loaded.")


def table_frame(comparison: bench.Comparison, setting: Setting) -> pd.DataFrame:
    unit = comparison.known.unit if comparison.known else "decimal"
    council = setting.area.name
    region = setting.area.region.name if setting.area.region is not None else "Region"
    records = []
    for row in comparison.rows:
        record: dict[str, object] = {
            "Year": words.year_text(row.year),
            council: words.shown(row.own, unit),
            "Statistical neighbours (average)": words.shown(row.neighbour_average, unit),
            "Neighbours with a figure": row.neighbours_averaged,
            region: words.shown(row.region, unit),
            "England": words.shown(row.england, unit),
        }
        for neighbour, value in zip(setting.neighbours, row.neighbours, strict=False):
            record[neighbour.name] = words.shown(value, unit)
        record["Release"] = words.published_text(row.published_on)
        records.append(record)
    return pd.DataFrame.from_records(records)


def _chart(comparison: bench.Comparison, setting: Setting) -> dict[str, object]:
    unit = comparison.known.unit if comparison.known else "decimal"

    def number(value: Decimal | None) -> float | None:
        return None if value is None else float(value)

    frame = pd.DataFrame(
        {
            "month": [words.year_text(row.year) for row in comparison.rows],
            "own": [number(row.own) for row in comparison.rows],
            "neighbours": [number(row.neighbour_average) for row in comparison.rows],
            "region": [number(row.region) for row in comparison.rows],
            "england": [number(row.england) for row in comparison.rows],
        }
    )
    region = setting.area.region.name if setting.area.region is not None else "Region"
    series = [("own", setting.area.name), ("neighbours", "Statistical neighbours"), ("region", region)]
    figure = fte_lines_figure(frame, series=[*series, ("england", "England")], y_title=Y_TITLES[unit])
    return figure_json(figure)


def _sentence(known: Known, comparison: bench.Comparison, setting: Setting) -> str:
    latest = comparison.latest
    if latest is None:
        return ""
    council = setting.area.name
    if known.group == "workforce" and known.unit == "percent":
        return words.rate_sentence(
            council=council,
            what=f"{'an' if known.label[0] in 'AEIOU' else 'a'} {known.label.lower()}",
            source=f"DfE's children's social work workforce statistics ({known.when} {latest.year})",
            own=latest.own,
            england=latest.england,
            neighbours=latest.neighbour_average,
            region_name=setting.area.region.name if setting.area.region is not None else "",
            region=latest.region,
        )
    if known.unit in ("number", "pounds"):
        return words.count_sentence(
            council=council,
            year=latest.year,
            what=("number of " if known.unit == "number" else "") + known.label[0].lower() + known.label[1:],
            own=latest.own,
            neighbours=latest.neighbour_average,
            unit=known.unit,
        )
    return words.comparison_sentence(
        subject=f"{council}'s {known.phrase or known.label.lower()}",
        year=latest.year,
        own=latest.own,
        neighbours=latest.neighbour_average,
        england=latest.england,
    )


def _panel(known: Known, comparison: bench.Comparison, setting: Setting, own: OwnFigures) -> dict[str, object]:
    latest = comparison.latest
    frame = table_frame(comparison, setting)
    return {
        "key": known.code,
        "chart_id": f"bench-chart-{known.code}",
        "title": known.label,
        "sentence": _sentence(known, comparison, setting),
        "own_now": words.own_beside(
            known,
            own.values.get(known.code),
            latest.own if latest else None,
            latest.year if latest else "",
            when=words.own_when(known.code, year_from=own.year_from, as_at=own.as_at, spend_of=own.spend_of),
        ),
        "columns": list(frame.columns),
        "rows": frame.values.tolist(),
        "figure": _chart(comparison, setting),
    }


def _published_rate(comparisons: dict[str, bench.Comparison]) -> tuple[Decimal, Decimal] | None:
    numbers, rates = comparisons.get("LACnum"), comparisons.get("LAC")
    if numbers is None or rates is None:
        return None
    by_year = {row.year: row.own for row in rates.rows}
    for row in reversed(numbers.rows):
        rate = by_year.get(row.year)
        if row.own is not None and rate:
            return row.own, rate
    return None


def benchmarks_page(*, authority: Authority) -> dict[str, object]:
    setting = setting_of(authority)
    context: dict[str, object] = {"setting": setting, "attribution": ATTRIBUTION, "releases": _releases()}
    if setting.place is None or setting.area is None:
        return context
    comparisons = bench.comparisons(setting.place)
    own = own_figures(authority, published_rate=_published_rate(comparisons))
    groups = []
    for key, heading in GROUPS.items():
        panels = [
            _panel(known, comparisons[known.code], setting, own)
            for known in KNOWN
            if known.group == key and known.code in comparisons
        ]
        if panels:
            groups.append({"key": key, "heading": heading, "panels": panels})
    context.update(
        {
            "groups": groups,
            "own": own,
            "others": _other_measures(setting),
        }
    )
    return context


def _releases() -> list[dict[str, str]]:
    return [
        {
            "kind": release.get_kind_display(),
            "published": words.published_text(release.published_on, release.month_only),
        }
        for release in bench.releases()
    ]


def _other_measures(setting: Setting) -> list[dict[str, str]]:
    """Every other measure of the release, under DfE's own title: the latest year and figures."""
    if setting.place is None:
        return []
    rows = []
    for code, comparison in bench.comparisons(setting.place, bench.other_measure_codes()).items():
        latest = comparison.latest
        if latest is None:
            continue
        rows.append(
            {
                "code": code,
                "title": comparison.title,
                "year": words.year_text(latest.year),
                "own": words.shown(latest.own, "decimal"),
                "neighbours": words.shown(latest.neighbour_average, "decimal"),
                "england": words.shown(latest.england, "decimal"),
            }
        )
    return rows


def benchmark_table(*, authority: Authority, code: str) -> tuple[pd.DataFrame, str, Title]:
    setting = setting_of(authority)
    if setting.place is None or setting.area is None:
        raise Http404("No published statistics for this authority")
    comparison = bench.comparisons(setting.place, [code]).get(code)
    if comparison is None:
        raise Http404("No such measure")
    frame = table_frame(comparison, setting)
    title = Title(authority.name, f"DfE published statistics: {comparison.title}", "", ATTRIBUTION)
    return frame, f"benchmarks-{code.lower().replace('_', '-')}", title


def panel_sentences(*, authority: Authority) -> list[str]:
    """The dashboard's panel: the headline comparisons, from the published figures alone."""
    setting = setting_of(authority)
    if setting.place is None or setting.area is None:
        return []
    codes = ["LAC", "FosteringFinance", "RescareFinance", "Work_Force_Agecy_Rate"]
    comparisons = bench.comparisons(setting.place, codes)
    return [
        sentence
        for code in codes
        if code in comparisons
        for sentence in [_sentence(BY_CODE[code], comparisons[code], setting)]
        if sentence
    ]


# The committee report's optional section: the headline measures, without the ten neighbours'
# own columns (too wide for A4; they are named in a sentence instead).
SECTION_CODES = ("LAC", "FosteringFinance", "RescareFinance", "Work_Force_Agecy_Rate", "Work_Force_Vac_Rate")
SECTION_COLUMNS = 5  # Year, council, neighbours' average, region, England


def published_section(*, authority: Authority) -> dict[str, Any] | None:
    """What a signed-off period keeps of the benchmarks when the director includes them: plain
    JSON, frozen with the rest of the published document (and so covered by its seal)."""
    setting = setting_of(authority)
    if setting.place is None or setting.area is None:
        return None
    comparisons = bench.comparisons(setting.place, list(SECTION_CODES))
    if not comparisons:
        return None
    tables = []
    for code in SECTION_CODES:
        if code not in comparisons:
            continue
        frame = table_frame(comparisons[code], setting)
        keep = [*frame.columns[:3], *frame.columns[4:6], "Release"]
        tables.append(
            {
                "key": code,
                "title": BY_CODE[code].label,
                "sentence": _sentence(BY_CODE[code], comparisons[code], setting),
                "columns": keep,
                "rows": frame[keep].astype(str).values.tolist(),
            }
        )
    return {
        "council": setting.area.name,
        "la_number": setting.area.la_number,
        "neighbours": [n.name for n in setting.neighbours],
        "tables": tables,
        "attribution": ATTRIBUTION,
        "releases": _releases(),
    }
