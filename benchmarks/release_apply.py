"""Writing a checked release of DfE's published statistics (benchmarks.importers plans it).

Called inside the import's transaction: the areas and measures are created or updated, and for
each changed measure the years the file gives are replaced by its values.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from benchmarks import reading
from benchmarks.models import Area, Measure, PublishedValue, Release

BATCH = 5000
ENGLAND = 970


@dataclass
class ReleasePayload:
    frame: pd.DataFrame
    day: reading.ReleaseDate
    changed: list[str]
    titles: dict[str, tuple[str, str]]
    digests: dict[str, str]


def _region_key(name: str) -> str:
    """The tool names a London council's region "Inner London" or "Outer London" and the regions
    themselves "London (Inner)"; both are London. Case differs too ("Yorkshire and The Humber")."""
    key = " ".join(name.lower().split())
    return "london" if key in ("inner london", "outer london", "london (inner)", "london (outer)") else key


def _kind(number: int, region: str) -> str:
    if number == ENGLAND:
        return Area.Kind.ENGLAND
    return Area.Kind.REGION if region.strip().upper() in ("NA", "") else Area.Kind.COUNCIL


def _save_areas(frame: pd.DataFrame) -> dict[int, int]:
    """Every area of the release, by LA number, with its latest name and region; their ids."""
    latest = frame.drop_duplicates("la_number", keep="last")
    existing = {area.la_number: area for area in Area.objects.all()}
    regions: dict[int, str] = {}
    for number, name, region in zip(latest["la_number"], latest["area"], latest["region"], strict=True):
        number, kind = int(number), _kind(int(number), region)
        area = existing.get(number)
        if area is None:
            area = existing[number] = Area.objects.create(la_number=number, name=name[:200], kind=kind)
        elif (area.name, area.kind) != (name[:200], kind):
            area.name, area.kind = name[:200], kind
            area.save(update_fields=["name", "kind"])
        if kind == Area.Kind.COUNCIL:
            regions[number] = region
    by_name = {_region_key(a.name): a for a in existing.values() if a.kind == Area.Kind.REGION}
    for number, region in regions.items():
        parent = by_name.get(_region_key(region))
        area = existing[number]
        if parent is not None and area.region_id != parent.pk:
            area.region = parent
            area.save(update_fields=["region"])
    return {number: area.pk for number, area in existing.items()}


def _save_measures(payload: ReleasePayload) -> dict[str, int]:
    existing = {measure.code: measure for measure in Measure.objects.filter(code__in=list(payload.titles))}
    for code, (title, polarity) in payload.titles.items():
        measure = existing.get(code)
        digest = payload.digests[code] if code in payload.changed else (measure.digest if measure else "")
        if measure is None:
            existing[code] = Measure.objects.create(code=code, title=title, polarity=polarity, digest=digest)
        elif (measure.title, measure.polarity, measure.digest) != (title, polarity, digest):
            measure.title, measure.polarity, measure.digest = title, polarity, digest
            measure.save(update_fields=["title", "polarity", "digest"])
    return {code: measure.pk for code, measure in existing.items()}


def apply_release(payload: ReleasePayload, *, source: str) -> dict[str, Any]:
    release, _ = Release.objects.update_or_create(
        kind=Release.Kind.STATISTICS,
        published_on=payload.day.day,
        defaults={"source_name": source[:255], "month_only": payload.day.month_only},
    )
    areas = _save_areas(payload.frame)
    measures = _save_measures(payload)
    rows = payload.frame[payload.frame["code"].isin(payload.changed)]
    for code, part in rows.groupby("code", sort=False):
        PublishedValue.objects.filter(measure_id=measures[str(code)], year__in=list(part["year"].unique())).delete()
    written = 0
    batch: list[PublishedValue] = []
    for code, number, year, text in zip(rows["code"], rows["la_number"], rows["year"], rows["value"], strict=True):
        batch.append(
            PublishedValue(
                measure_id=measures[code],
                area_id=areas[int(number)],
                year=year[:40],
                value=reading.figure(text),
                release=release,
            )
        )
        if len(batch) == BATCH:
            PublishedValue.objects.bulk_create(batch)
            written += len(batch)
            batch = []
    PublishedValue.objects.bulk_create(batch)
    written += len(batch)
    return {"figures_written": written, "measures_changed": len(payload.changed), "release": release.pk}
