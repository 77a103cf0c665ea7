"""Reads for signing off: what needs a look before a director signs off a run
(`dashboards.sign_off_checks` holds the rules), and the commentary carried forward from an
earlier period for the commentary form."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import Q

from accounts.models import Authority
from dashboards.document import period_document, reads
from dashboards.models import PublishedPeriod, ServiceCommentary
from dashboards.sign_off_checks import (
    MOVEMENT_PCT,
    MOVEMENT_PENCE,
    RANGE_LOOKBACK,
    RANGE_RATIO,
    ActualChange,
    Checks,
    actuals_check,
    commentary_checks,
    movement_check,
    range_check,
)
from forecasting.download_titles import period_words, when_words
from forecasting.engine.scenarios import REPORTED_SCENARIO
from forecasting.models import Actual, FinancialYear, ForecastRun


def sign_off_checks(run: ForecastRun) -> Checks:
    """What the director must look at before signing off `run` (dashboards.sign_off_checks): the
    movement since the last published period, services without commentary, actuals changed after
    the run, and a likely range wider than usual. The figures are the dashboard's own."""
    document = period_document(run, REPORTED_SCENARIO)
    department = document.get("department") or {}
    items, notes = [], []
    moved = (document.get("movement") or {}).get("department") or {}
    found = movement_check(
        before=moved.get("previous"),
        now=int(department.get("outturn", 0)),
        budget=int(department.get("budget", 0)),
        since=(document.get("movement") or {}).get("previous_title", ""),
        pct=Decimal(str(getattr(settings, "OUTTURN_SIGN_OFF_MOVEMENT_PCT", MOVEMENT_PCT))),
        floor=int(getattr(settings, "OUTTURN_SIGN_OFF_MOVEMENT_PENCE", MOVEMENT_PENCE)),
    )
    if document.get("movement") is None:
        notes.append("No earlier period of this year has been published, so there is no movement to compare.")
    items += [found] if found else []
    written = {n.service for n in reads.commentary_notes(authority=run.authority, year=run.year, period=run.period)}
    items += commentary_checks([(s["name"], int(s["variance"])) for s in document["services"]], written)
    changes = actuals_changed_after(run)
    stale = actuals_check(
        run_started=when_words(run.started_at or run.created_at),
        changes=changes,
        when=when_words(changes[0].at) if changes else "",
    )
    items += [stale] if stale else []
    wider, note = range_check(
        low=department.get("likely_low"),
        high=department.get("likely_high"),
        earlier=earlier_range_widths(run),
        ratio=Decimal(str(getattr(settings, "OUTTURN_SIGN_OFF_RANGE_RATIO", RANGE_RATIO))),
    )
    items += [wider] if wider else []
    notes += [note] if note else []
    return Checks(items=items, notes=notes)


def actuals_changed_after(run: ForecastRun) -> list[ActualChange]:
    """Actuals of the run's year up to its period saved after the run started, newest first."""
    started = run.started_at or run.created_at
    rows = (
        Actual.objects.filter(
            line__authority=run.authority, period__year=run.year, period__number__lte=run.period, updated_at__gt=started
        )
        .select_related("line", "period")
        .order_by("-updated_at", "-id")
    )
    return [
        ActualChange(
            line=f"{a.line.code} {a.line.name}", period=period_words(run.year, a.period.number), at=a.updated_at
        )
        for a in rows
    ]


def earlier_range_widths(run: ForecastRun) -> list[int]:
    """The widths (pence) of the likely ranges of the published periods before the run's, newest
    first: the current version of each, any year; periods published without a range are left out."""
    mine = (run.year.start_year, run.period)
    widths = []
    seen: set[tuple[int, int]] = set()
    rows = (
        PublishedPeriod.objects.filter(authority=run.authority)
        .order_by("-year__start_year", "-period", "-version")
        .values_list("year__start_year", "period", "document__department")
    )
    for start_year, period, department in rows:
        # The newest version of each period only, and only periods before the run's.
        if (start_year, period) in seen or (start_year, period) >= mine:
            continue
        seen.add((start_year, period))
        department = department or {}
        low, high = department.get("likely_low"), department.get("likely_high")
        if low is not None and high is not None:
            widths.append(abs(int(high) - int(low)))
        if len(widths) >= RANGE_LOOKBACK:
            break
    return widths


@dataclass(frozen=True)
class CarriedForward:
    """The latest earlier commentary of a service, offered for a period that has none yet."""

    text: str
    source: str  # "period 3", or "2018/19 period 12" from an earlier year


def carried_forward_commentary(
    *, authority: Authority, year: FinancialYear, period: int, services: list[str]
) -> dict[str, CarriedForward]:
    """For each of `services` without commentary for the period, its newest commentary from an
    earlier period (this year's, else an earlier year's). Nothing is saved: it is offered only."""
    written = set(
        ServiceCommentary.objects.filter(authority=authority, year=year, period=period).values_list(
            "service_area", flat=True
        )
    )
    wanted = [name for name in services if name not in written]
    if not wanted:
        return {}
    earlier = (
        ServiceCommentary.objects.filter(authority=authority, service_area__in=wanted)
        .filter(Q(year=year, period__lt=period) | Q(year__start_year__lt=year.start_year))
        .select_related("year")
        .order_by("service_area", "-year__start_year", "-period")
    )
    out: dict[str, CarriedForward] = {}
    for row in earlier:
        if row.service_area not in out:
            source = f"period {row.period}" if row.year_id == year.pk else f"{row.year.label} period {row.period}"
            out[row.service_area] = CarriedForward(text=row.text, source=source)
    return out
