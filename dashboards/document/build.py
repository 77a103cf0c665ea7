"""The period document, assembled here and nowhere else.

`run_document(run, scenario)` is what a finished run shows: meta, headlines by scenario, services
and lines, every chart, savings and models; it depends only on the run (and the register and
workforce lists as they stand), so it is cached for a few minutes per run and scenario.

`period_document(run, scenario, publication)` adds what depends on the period: movement since
the last published period, forecast accuracy and the variance commentary. The director's
dashboard, the sign-off (which freezes it into a PublishedPeriod) and therefore the committee
view, its downloads and its PDF all read this one document.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Any

import pandas as pd
from django.core.cache import cache

from dashboards.document import accuracy, children, headline, money, movement, reads, savings, summary, workforce
from dashboards.document.spec import Chart, scenario_rows
from forecast_runs.demand.methods import LABELS as METHOD_WORDS
from forecasting.engine.high_cost import high_cost_by_month
from forecasting.engine.scenarios import REPORTED_SCENARIO
from forecasting.models import ForecastRun

log = logging.getLogger(__name__)

DOCUMENT_SCHEMA = 2  # 2: the department's likely range as numbers, and the range by line
CACHE_SECONDS = 600


@dataclass(frozen=True)
class Publication:
    """Who signed off which version, and when: frozen into the published document."""

    version: int
    signed_off_by: str
    signed_off_at: datetime
    comment: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "signed_off_by": self.signed_off_by,
            "signed_off_at": self.signed_off_at.isoformat(),
            "comment": self.comment,
            "supersedes": self.version - 1 if self.version > 1 else None,
        }


def period_document(
    run: ForecastRun, scenario: str = REPORTED_SCENARIO, publication: Publication | None = None
) -> dict[str, Any]:
    """The whole document of a finished run for one scenario. With a `publication`, the copy to
    freeze: rebuilt from the run (not from the cache, which may hold register-based drivers a few
    minutes old), with accuracy worked out afresh and the commentary's authors and times."""
    document = dict(run_document(run, scenario, cached=publication is None))
    authority, year = run.authority, run.year
    previous = reads.earlier_publication(authority=authority, year=year, period=run.period)
    document["movement"] = movement.movement_since(document, previous)
    found = accuracy_chart(run, cached=publication is None)
    document["charts"] = [*document["charts"], *([found] if found else [])]
    notes = reads.commentary_notes(authority=authority, year=year, period=run.period)
    document["commentary"] = movement.commentary_rows(notes, published=publication is not None)
    if publication is not None:
        document["publication"] = publication.as_dict()
    return document


def run_document(run: ForecastRun, scenario: str = REPORTED_SCENARIO, *, cached: bool = True) -> dict[str, Any]:
    """The run's own part of the document, cached per run (a run never changes; the
    register-based drivers may, so the cache lasts minutes, not forever)."""
    if not cached:
        return build_run_document(run, scenario)
    key = _document_key(run, scenario)
    document: dict[str, Any] | None = cache.get(key)
    if document is None:
        document = build_run_document(run, scenario)
        cache.set_many({key: document, f"{key}:made": _made_stamp(document)}, CACHE_SECONDS)
    return document


def _document_key(run: ForecastRun, scenario: str) -> str:
    return f"dashboards:document:{DOCUMENT_SCHEMA}:{run.pk}:{run.inputs_hash}:{scenario}"


def _made_stamp(document: dict[str, Any]) -> dict[str, Any]:
    """What a page needs to know of a cached document without reading it back: a digest of its
    content (the same document built again has the same digest) and the scenarios it has."""
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), default=str)
    return {
        "digest": hashlib.blake2b(text.encode(), digest_size=20).hexdigest(),
        "scenarios": [h["scenario"] for h in document["headlines"]],
    }


@dataclass(frozen=True)
class LiveBody:
    """The live dashboard's body as a cache key: it changes whenever anything the body shows
    could (the run's document as cached, and through `page_stamp` the earlier publication its
    movement is from, the accuracy chart's runs and publications and the period's commentary),
    so the body drawn once can be served again until then. `key` is None where the cache keeps
    nothing (no caching)."""

    key: str | None
    scenarios: list[str]


def live_body(run: ForecastRun, scenario: str, *, page_stamp: str) -> LiveBody:
    stamp_key = f"{_document_key(run, scenario)}:made"
    made: dict[str, Any] | None = cache.get(stamp_key)
    if made is None:
        made = _made_stamp(run_document(run, scenario))
        cache.add(stamp_key, made, CACHE_SECONDS)  # a document cached before stamps were kept
        if cache.get(stamp_key) is None:  # a cache that keeps nothing: draw the body every time
            return LiveBody(key=None, scenarios=made["scenarios"])
    text = repr((made["digest"], page_stamp, run.pk, scenario))
    return LiveBody(key=hashlib.blake2b(text.encode(), digest_size=20).hexdigest(), scenarios=made["scenarios"])


def accuracy_chart(run: ForecastRun, *, cached: bool = True) -> Chart | None:
    """The accuracy chart as at `run`; the live one is cached until a run finishes or a period is
    published (the two things that change it)."""
    if not cached:
        return accuracy.accuracy_chart(reads.accuracy_inputs(authority=run.authority, run=run))
    stamp = reads.accuracy_stamp(authority=run.authority)
    key = f"dashboards:accuracy:{DOCUMENT_SCHEMA}:{run.pk}:{stamp[0]}:{stamp[1]}:{stamp[2]}"
    found: Chart | None | str = cache.get(key, "missing")
    if found == "missing":
        found = accuracy.accuracy_chart(reads.accuracy_inputs(authority=run.authority, run=run))
        cache.set(key, found, CACHE_SECONDS)
    return found if isinstance(found, dict) else None


def build_run_document(run: ForecastRun, scenario: str = REPORTED_SCENARIO) -> dict[str, Any]:
    if run.status != ForecastRun.Status.SUCCEEDED:
        raise ValueError("Only a finished run has figures to show")
    source = reads.RunReads(run)
    parts = _Parts(source, scenario)
    sections: list[Chart] = []
    for name, part in parts.in_page_order():
        try:
            sections += part()
        except Exception:  # noqa: BLE001 - one driver with odd data must not take the whole page down
            log.exception("dashboard chart %s failed for run %s", name, run.pk)
    words = source.vocabulary
    return {
        "schema": DOCUMENT_SCHEMA,
        "meta": headline.meta(source.facts, scenario),
        "headlines": parts.headlines,
        "department": headline.department(parts.headlines, scenario, parts.table("outturn_ranges")),
        "likely_range": headline.likely_range_table(source.lines, parts.table("outturn_ranges"), scenario),
        "services": headline.services(
            source.lines, scenario, line_types=source.line_types, line_teams=source.line_teams
        ),
        "charts": sections,
        "savings": savings.savings_rows(
            parts.table("savings"), status_words=words.saving_statuses, rag_words=words.rags
        ),
        "models": headline.models_table(
            parts.table("models_used"),
            type_names=parts.type_names,
            method_words=words.demand_methods,
            chosen_words=METHOD_WORDS,
        ),
        "assumptions": headline.assumption_rows(source.facts),
        "placement_costs": summary.placement_costs(
            parts.table("variance_explained"),
            parts.table("placements"),
            period=source.facts.period,
            line_types=source.line_types,
            type_names=parts.type_names,
        ),
    }


class _Parts:
    """The charts of each part of the report, from one run's reads and scenario. Each method is
    called inside the guard above, so a part reads what it needs (the register, the workforce
    lists) only when its turn comes, and a failure stays in its part."""

    def __init__(self, source: reads.RunReads, scenario: str) -> None:
        self.source = source
        self.scenario = scenario
        self.calendar = source.facts.calendar
        self.period = source.facts.period
        self.as_at = self.calendar.as_at_date(self.period)
        self.headlines = headline.headlines(source.lines)

    def in_page_order(self) -> list[tuple[str, Callable[[], list[Chart]]]]:
        return [
            ("children", self.children),
            ("mix", self.mix),
            ("high-cost", self.high_cost),
            ("spend", self.spend),
            ("bridge", self.bridge),
            ("agency", self.agency),
            ("agency-reason", self.agency_reason),
            ("rates", self.rates),
            ("caseloads", self.caseloads),
            ("savings", self.savings),
            ("scenarios", self.scenarios),
        ]

    def table(self, name: str) -> pd.DataFrame:
        """The run's table `name` for the scenario (empty when the run did not store it)."""
        return scenario_rows(self.source.tables.get(name, pd.DataFrame()), self.scenario)

    @property
    def lines(self) -> pd.DataFrame:
        return scenario_rows(self.source.lines, self.scenario)

    @property
    def type_names(self) -> dict[str, str]:
        types = self.source.placement_types
        return dict(zip(types["code"], types["name"], strict=True))

    @property
    def care_leaver_types(self) -> set[str]:
        types = self.source.placement_types
        return set(types.loc[types["continues_after_18"], "code"])

    def children(self) -> list[Chart]:
        placements = self.table("placements")
        if placements.empty:
            return []
        past = children.past_year_numbers(
            self.source.register, self.source.placement_types, self.calendar, self.care_leaver_types
        )
        return children.children_charts(
            placements,
            calendar=self.calendar,
            period=self.period,
            care_leaver_types=self.care_leaver_types,
            type_names=self.type_names,
            budgeted=children.budgeted_numbers(self.table("variance_explained"), self.source.line_types),
            past=past,
            band=children.in_care_band(self.source.facts.made_from, self.table("models_used"), self.scenario),
        )

    def mix(self) -> list[Chart]:
        return children.mix_chart(
            self.table("placements"),
            calendar=self.calendar,
            period=self.period,
            care_leaver_types=self.care_leaver_types,
            type_names=self.type_names,
        )

    def high_cost(self) -> list[Chart]:
        if self.period == 0 or self.source.register is None:
            return []
        series = high_cost_by_month(
            self.source.register, self.source.placement_types, self.calendar, through_period=self.period
        )
        return children.high_cost_chart(series, calendar=self.calendar, period=self.period)

    def spend(self) -> list[Chart]:
        return money.spend_chart(self.lines)

    def bridge(self) -> list[Chart]:
        return money.bridge_charts(self.lines, self.table("variance_explained"))

    def agency(self) -> list[Chart]:
        return workforce.agency_chart(self.table("workforce"), calendar=self.calendar, period=self.period)

    def agency_reason(self) -> list[Chart]:
        if self.source.workforce is None:
            return []
        workers = self.source.workforce[0]
        return workforce.agency_reason_chart(
            workers, as_at=self.as_at, reason_labels=self.source.vocabulary.agency_reasons
        )

    @cached_property
    def team_kpis(self) -> pd.DataFrame | None:
        if self.source.workforce is None:
            return None
        return workforce.team_kpis(*self.source.workforce, as_at=self.as_at)

    def rates(self) -> list[Chart]:
        return [] if self.team_kpis is None else workforce.rates_chart(self.team_kpis, as_at=self.as_at)

    def caseloads(self) -> list[Chart]:
        return [] if self.team_kpis is None else workforce.caseload_chart(self.team_kpis)

    def savings(self) -> list[Chart]:
        words = self.source.vocabulary
        return savings.savings_charts(self.table("savings"), status_words=words.saving_statuses, rag_words=words.rags)

    def scenarios(self) -> list[Chart]:
        return headline.scenarios_chart(self.headlines)
