"""Every database read of the period document, and nothing else: the run's stored results, the
budget lines' links to placement types and teams, the placement register and workforce lists as
they stand, earlier runs and publications, and commentary. Each returns frames or plain values,
so that the parts of the document (children.py, money.py, ...) never see the ORM.

A few drivers the run does not store (past years' children in care, high-cost placements, agency
workers by reason, vacancy rates and caseloads) are read from the register and workforce lists
as they stand, limited to dates up to the as-at date; publishing freezes them with the rest.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import pandas as pd
from django.db.models import Count, Max, Q, Sum

from accounts.models import Authority
from dashboards.document.accuracy import AccuracyInputs, RunMade
from dashboards.document.headline import RunFacts
from dashboards.document.movement import CommentaryNote, EarlierPublication
from dashboards.models import PublishedPeriod, ServiceCommentary
from forecasting.engine.scenarios import REPORTED_SCENARIO
from forecasting.models import (
    BudgetLine,
    FinancialYear,
    ForecastLineResult,
    ForecastRun,
    ForecastTable,
    ScenarioAssumption,
)
from placements.selectors import placement_register_frame, placement_types_frame
from savings.models import Rag, Status
from workforce.models import AgencyReason, Team
from workforce.selectors import current_frames

LINE_FIELDS = (
    "scenario",
    "line_code",
    "line_name",
    "service_area",
    "category",
    "annual_budget",
    "actual_ytd",
    "committed_remaining",
    "projected_change",
    "savings_adjustment",
    "forecast_outturn",
    "variance",
)
DOCUMENT_TABLES = ("placements", "workforce", "savings", "variance_explained", "models_used", "outturn_ranges")


@dataclass(frozen=True)
class Vocabulary:
    """The words of other apps' choices that the document prints."""

    saving_statuses: dict[str, str]
    rags: dict[str, str]
    agency_reasons: dict[str, str]
    demand_methods: dict[str, str]


def vocabulary() -> Vocabulary:
    return Vocabulary(
        saving_statuses=dict(Status.choices),
        rags=dict(Rag.choices),
        agency_reasons=dict(AgencyReason.choices),
        demand_methods=dict(ScenarioAssumption.DemandMethod.choices),
    )


def run_facts(run: ForecastRun) -> RunFacts:
    return RunFacts(
        run_id=run.pk,
        authority=run.authority.name,
        year=run.year.label,
        period=int(run.period),
        calendar=run.year.calendar,
        engine_version=run.engine_version,
        inputs_hash=run.inputs_hash,
        finished_at=run.finished_at,
        made_from=run.input_summary,
        assumptions=run.assumptions,
    )


def run_tables(run: ForecastRun, names: tuple[str, ...] | set[str] = DOCUMENT_TABLES) -> dict[str, pd.DataFrame]:
    """The run's stored tables (every scenario) by name; a table the run did not store is absent."""
    return {
        t.name: pd.DataFrame(t.rows, columns=t.columns) for t in ForecastTable.objects.filter(run=run, name__in=names)
    }


class RunReads:
    """What a run's document is made from, each read once, when first asked for."""

    def __init__(self, run: ForecastRun) -> None:
        self.run = run

    @cached_property
    def facts(self) -> RunFacts:
        return run_facts(self.run)

    @cached_property
    def lines(self) -> pd.DataFrame:
        """The run's line results, every scenario (LINE_FIELDS; pence)."""
        return pd.DataFrame(list(ForecastLineResult.objects.filter(run=self.run).values(*LINE_FIELDS)))

    @cached_property
    def tables(self) -> dict[str, pd.DataFrame]:
        return run_tables(self.run)

    @cached_property
    def _line_links(self) -> list[tuple[str, str | None, str]]:
        return list(
            BudgetLine.objects.filter(authority_id=self.run.authority_id).values_list(
                "code", "placement_type__code", "team_code"
            )
        )

    @cached_property
    def line_types(self) -> dict[str, str]:
        """Line code -> the placement type it is costed from."""
        return {code: t for code, t, _ in self._line_links if t}

    @cached_property
    def line_teams(self) -> dict[str, str]:
        """Line code -> the team code it is costed from."""
        return {code: team for code, _, team in self._line_links if team}

    @cached_property
    def placement_types(self) -> pd.DataFrame:
        """Finance placement types: code, continues_after_18, name."""
        return placement_types_frame()

    @cached_property
    def register(self) -> pd.DataFrame | None:
        """The register as known at the as-at date (rows that had started by then), or None."""
        register = placement_register_frame(authority=self.run.authority)
        if register.empty:
            return None
        as_at = pd.Timestamp(self.facts.calendar.as_at_date(self.facts.period))
        register = register[register["start_date"] <= as_at]
        return register if len(register) else None

    @cached_property
    def workforce(self) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame] | None:
        """Workers, posts and teams as they stand (engine frames, by team), or None."""
        workers, posts, teams = current_frames(authority=self.run.authority, level="team")
        return (workers, posts, teams) if len(workers) or len(posts) else None

    @cached_property
    def vocabulary(self) -> Vocabulary:
        return vocabulary()


def accuracy_stamp(*, authority: Authority) -> tuple[int, int | None, int | None]:
    """What changes the accuracy chart: the number of finished runs, the newest of them and the
    newest publication."""
    runs = ForecastRun.objects.filter(authority=authority, status=ForecastRun.Status.SUCCEEDED).aggregate(
        n=Count("pk"), last=Max("pk")
    )
    last_published = PublishedPeriod.objects.filter(authority=authority).aggregate(last=Max("pk"))["last"]
    return runs["n"], runs["last"], last_published


def accuracy_inputs(*, authority: Authority, run: ForecastRun) -> AccuracyInputs:
    """Finished runs of the authority up to `run` (only those finished by the time it finished,
    so that a published document never sees later runs), the run published for each period and
    each run's department total in the reported scenario."""
    runs = ForecastRun.objects.filter(authority=authority, status=ForecastRun.Status.SUCCEEDED)
    if run.finished_at is not None:
        runs = runs.filter(Q(finished_at__lte=run.finished_at) | Q(pk=run.pk))
    made = [
        RunMade(run_id=pk, year=label, period=period, finished_at=finished_at)
        for pk, label, period, finished_at in runs.values_list("pk", "year__label", "period", "finished_at")
    ]
    published = {
        (label, period): run_id
        for label, period, run_id in PublishedPeriod.objects.filter(authority=authority)
        .order_by("version")
        .values_list("year__label", "period", "run_id")
    }
    totals = dict(
        ForecastLineResult.objects.filter(run_id__in=[r.run_id for r in made], scenario=REPORTED_SCENARIO)
        .values("run_id")
        .annotate(total=Sum("forecast_outturn"))
        .values_list("run_id", "total")
    )
    return AccuracyInputs(runs=made, published=published, totals=totals)


def earlier_publication(*, authority: Authority, year: FinancialYear, period: int) -> EarlierPublication | None:
    """The newest version of the latest earlier period of the same year that was published."""
    found = (
        PublishedPeriod.objects.filter(authority=authority, year=year, period__lt=period)
        .select_related("year")
        .order_by("-period", "-version")
        .first()
    )
    if found is None:
        return None
    return EarlierPublication(
        published_id=found.pk,
        year=found.year.label,
        period=found.period,
        version=found.version,
        document=found.document,
    )


def commentary_notes(*, authority: Authority, year: FinancialYear, period: int) -> list[CommentaryNote]:
    """The period's variance commentary, one note per service, in service order."""
    rows = ServiceCommentary.objects.filter(authority=authority, year=year, period=period).select_related("updated_by")
    return [
        CommentaryNote(
            service=row.service_area,
            text=row.text,
            author_name=row.updated_by.get_full_name() if row.updated_by else "",
            author_username=row.updated_by.get_username() if row.updated_by else "",
            updated_at=row.updated_at,
        )
        for row in rows
    ]


def teams_behind(*, authority: Authority, line_codes: list[str]) -> list[tuple[int, str, str]]:
    """(team id, team name, line code) of the teams costed to the lines."""
    return list(
        Team.objects.filter(authority=authority, budget_line__code__in=line_codes).values_list(
            "pk", "name", "budget_line__code"
        )
    )
