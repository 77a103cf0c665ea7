"""The finance officer's month, step by step (issue 12, point 3): load actuals → update the
register, workforce and savings lists → run the forecast → read the dashboard → write commentary
→ submit. Each step is done or not from the data alone (`docs/dashboards.md`, One path through
the month, says what "done" means for each); the first step not done is the next one.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, time
from typing import Any

from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from accounts.models import Authority
from dashboards.document import run_document
from dashboards.models import PublishedPeriod, ServiceCommentary
from dashboards.sign_off_reads import actuals_changed_after, sign_off_checks
from forecasting.download_titles import when_words
from forecasting.engine.money import pounds_text
from forecasting.engine.scenarios import REPORTED_SCENARIO
from forecasting.models import Actual, FinancialYear, ForecastRun, Period
from forecasting.period_rules import period_gaps, year_line_ids
from placements.models import Placement
from savings.models import Saving, SavingUpdate
from workforce.models import Worker, WorkforceSnapshot


@dataclass(frozen=True)
class Step:
    """One step of the month: what to do, whether it is done and the evidence either way."""

    key: str
    title: str
    done: bool
    evidence: str
    url: str
    link_text: str
    is_next: bool = False


def current_period(year: FinancialYear) -> Period | None:
    """The period the month is about: the first one not yet submitted (the last when all are)."""
    periods = list(year.periods.order_by("number"))
    return next((p for p in periods if p.status == Period.Status.OPEN), periods[-1] if periods else None)


def month_steps(*, authority: Authority, year: FinancialYear, period: Period) -> list[Step]:
    run = (
        ForecastRun.objects.filter(authority=authority, year=year, period=period.number)
        .exclude(status=ForecastRun.Status.FAILED)
        .order_by("-created_at", "-id")
        .first()
    )
    finished = run if run is not None and run.status == ForecastRun.Status.SUCCEEDED else None
    forecast = _forecast(period, run)
    commentary = _commentary(authority, year, period, finished)
    steps = [
        _actuals(year, period),
        _lists(authority, period),
        forecast,
        _dashboard(authority, year, period, finished if forecast.done else None),
        commentary,
        _submit(period),
    ]
    first_open = next((i for i, step in enumerate(steps) if not step.done), None)
    return [replace(step, is_next=i == first_open) for i, step in enumerate(steps)]


def _actuals(year: FinancialYear, period: Period) -> Step:
    gaps = period_gaps(year=year, number=period.number)
    lines = len(year_line_ids(year))
    latest = Actual.objects.filter(period=period).aggregate(at=Max("updated_at"))["at"]
    if gaps.actuals_complete and lines:
        evidence = f"Actuals loaded for all {lines} lines up to period {period.number}"
        evidence += f", the latest saved {when_words(latest)}." if latest else "."
    elif not lines:
        evidence = "There are no budget lines for this year yet."
    else:
        missing = {gap.code for gap in gaps.lines}
        if gaps.empty_periods:
            evidence = f"No line has an actual yet for {gaps.empty_text}."
        else:
            evidence = f"{len(missing)} of {lines} lines have no actual yet: {'; '.join(gaps.line_texts[:5])}."
    return Step(
        "actuals",
        f"Load the actuals for period {period.number} ({period.month_name})",
        bool(lines) and gaps.actuals_complete,
        evidence,
        reverse("forecasting:actuals", args=[period.pk]),
        "Enter or upload the actuals",
    )


def _lists(authority: Authority, period: Period) -> Step:
    """Each list in use must have a change saved after the period's month ended: the month's
    starters, leavers and savings updates come in after it ends, with its actuals."""
    month_over = timezone.make_aware(datetime.combine(period.month_end, time.max))
    sources: list[tuple[str, Any, bool]] = []
    placements = Placement.objects.filter(authority=authority)
    sources.append(("placement register", placements.aggregate(at=Max("updated_at"))["at"], placements.exists()))
    workers = Worker.objects.filter(authority=authority)
    worker_at = workers.aggregate(at=Max("updated_at"))["at"]
    snapshot_at = WorkforceSnapshot.objects.filter(authority=authority).aggregate(at=Max("created_at"))["at"]
    sources.append(("workforce list", max(filter(None, [worker_at, snapshot_at]), default=None), workers.exists()))
    savings = Saving.objects.filter(authority=authority)
    saving_at = savings.aggregate(at=Max("updated_at"))["at"]
    update_at = SavingUpdate.objects.filter(saving__authority=authority).aggregate(at=Max("recorded_at"))["at"]
    sources.append(("savings tracker", max(filter(None, [saving_at, update_at]), default=None), savings.exists()))
    words, done = [], True
    for name, at, in_use in sources:
        if not in_use:
            words.append(f"no {name} in use")
        elif at is None or at <= month_over:
            done = False
            words.append(f"{name} not changed since {period.month_name} ended")
        else:
            words.append(f"{name} updated {when_words(at)}")
    evidence = "; ".join(words)
    return Step(
        "lists",
        "Update the placement register, workforce list and savings tracker",
        done,
        evidence[0].upper() + evidence[1:] + ".",
        reverse("placements:register"),
        "Go to the placement register",
    )


def _forecast(period: Period, run: ForecastRun | None) -> Step:
    title = f"Run the forecast as at period {period.number}"
    url, link = reverse("forecast_runs:runs"), "Go to forecast runs"
    if run is None:
        return Step("forecast", title, False, f"No forecast as at period {period.number} yet.", url, link)
    if run.status != ForecastRun.Status.SUCCEEDED:
        return Step(
            "forecast", title, False, f"Forecast run {run.pk} is {run.get_status_display().lower()}.", url, link
        )
    changed = actuals_changed_after(run)
    if changed:
        evidence = (
            f"Forecast run {run.pk} was made {when_words(run.started_at or run.created_at)}, before the actuals "
            f"changed ({changed[0].line} for {changed[0].period}, {when_words(changed[0].at)}): run it again."
        )
        return Step("forecast", title, False, evidence, url, link)
    evidence = f"Forecast run {run.pk} finished {when_words(run.finished_at or run.created_at)}."
    return Step("forecast", title, True, evidence, reverse("forecast_runs:run", args=[run.pk]), "See the run")


def _dashboard_url(run: ForecastRun) -> str:
    return f"{reverse('dashboards:period')}?year={run.year.label}&period={run.period}&run={run.pk}"


def _dashboard(authority: Authority, year: FinancialYear, period: Period, run: ForecastRun | None) -> Step:
    """Outturn does not record who reads a page: the step counts as done once commentary has been
    saved for the period after the run finished, since commentary is written from the dashboard."""
    title = "Read the forecast on the dashboard"
    if run is None:
        return Step(
            "dashboard", title, False, "Run the forecast first.", reverse("dashboards:period"), "Go to the forecast"
        )
    after = ServiceCommentary.objects.filter(
        authority=authority, year=year, period=period.number, updated_at__gte=run.finished_at or run.created_at
    ).exists()
    evidence = (
        f"Commentary has been written against forecast run {run.pk}."
        if after
        else f"Forecast run {run.pk} is ready to read, by service and line."
    )
    return Step("dashboard", title, after, evidence, _dashboard_url(run), "Read the forecast")


def _commentary(authority: Authority, year: FinancialYear, period: Period, run: ForecastRun | None) -> Step:
    title = "Write the variance commentary"
    if run is None:
        return Step(
            "commentary", title, False, "Run the forecast first.", reverse("dashboards:period"), "Go to the forecast"
        )
    services = [s["name"] for s in run_document(run, REPORTED_SCENARIO)["services"]]
    written = set(
        ServiceCommentary.objects.filter(authority=authority, year=year, period=period.number).values_list(
            "service_area", flat=True
        )
    )
    missing = [name for name in services if name not in written]
    if missing:
        evidence = (
            f"Written for {len(services) - len(missing)} of {len(services)} services; not yet for {', '.join(missing)}."
        )
    else:
        evidence = f"Written for all {len(services)} services."
    url = f"{reverse('dashboards:commentary')}?year={run.year.label}&period={run.period}&run={run.pk}"
    return Step("commentary", title, not missing, evidence, url, "Write the commentary")


def _submit(period: Period) -> Step:
    title = f"Submit period {period.number}"
    if period.status == Period.Status.OPEN:
        return Step(
            "submit",
            title,
            False,
            "Not submitted yet. The director locks it once it is submitted.",
            reverse("forecasting:period_submit", args=[period.pk]),
            "Submit the period",
        )
    by = period.submitted_by.get_full_name() or period.submitted_by.get_username() if period.submitted_by else ""
    when = f" {when_words(period.submitted_at)}" if period.submitted_at else ""
    state = "Locked" if period.status == Period.Status.LOCKED else "Submitted"
    evidence = f"{state}; submitted{when}{f' by {by}' if by else ''}."
    return Step("submit", title, True, evidence, reverse("forecasting:periods"), "See the periods")


# --------------------------------------------------------------------------------------------
# Where each role lands: the home page's context
# --------------------------------------------------------------------------------------------


def finance_home(*, authority: Authority, year: FinancialYear) -> dict[str, Any]:
    """The finance officer's month: the current period and its steps."""
    period = current_period(year)
    if period is None:
        return {"month_period": None, "steps": []}
    return {"month_period": period, "steps": month_steps(authority=authority, year=year, period=period)}


def director_home(*, authority: Authority) -> dict[str, Any]:
    """The latest period with a finished run: its run, headline, what needs a look before
    sign-off and whether it is published."""
    run = (
        ForecastRun.objects.filter(authority=authority, status=ForecastRun.Status.SUCCEEDED)
        .select_related("year")
        .order_by("-year__start_year", "-period", "-finished_at", "-id")
        .first()
    )
    if run is None:
        return {"latest_run": None}
    document = run_document(run, REPORTED_SCENARIO)
    published = (
        PublishedPeriod.objects.filter(authority=authority, year=run.year, period=run.period)
        .defer("document")
        .order_by("-version")
        .first()
    )
    return {
        "latest_run": run,
        "latest_title": f"Latest forecast: {run.year.label} period {run.period}",
        "latest_caption": f"Forecast run {run.pk}, finished {when_words(run.finished_at or run.created_at)}.",
        "latest_link_text": f"Read the forecast for period {run.period}",
        "latest_department": document.get("department") or {},
        "variance_words": variance_words((document.get("department") or {}).get("variance")),
        "latest_url": _dashboard_url(run),
        "latest_published": published,
        "latest_is_published": published is not None and published.run_id == run.pk,
        "needs_a_look": [] if published is not None and published.run_id == run.pk else sign_off_checks(run).items,
        "sign_off_url": f"{reverse('dashboards:sign_off')}?year={run.year.label}&period={run.period}&run={run.pk}",
    }


def committee_home(*, authority: Authority) -> dict[str, Any]:
    """The newest version of the latest published period, with its headline."""
    latest = (
        PublishedPeriod.objects.filter(authority=authority)
        .select_related("year")
        .order_by("-year__start_year", "-period", "-version")
        .first()
    )
    if latest is None:
        return {"latest_published": None}
    department = latest.document.get("department") or {}
    return {
        "latest_published": latest,
        "latest_title": f"Latest published: {latest.year.label} period {latest.period}",
        "latest_caption": f"Version {latest.version}, signed off {when_words(latest.signed_off_at)} by "
        f"{latest.signed_off_name}.",
        "latest_link_text": f"Read period {latest.period}",
        "latest_department": department,
        "variance_words": variance_words(department.get("variance")),
    }


def variance_words(pence: int | None) -> str:
    """A variance as councils say it: "£1,234 overspend", "£1,234 underspend" (never "-£")."""
    if pence is None:
        return ""
    if pence > 0:
        return f"{pounds_text(pence)} overspend"
    if pence < 0:
        return f"{pounds_text(-pence)} underspend"
    return "On budget"
