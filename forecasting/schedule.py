"""What the monthly schedule forecasts: each authority's latest year, as at its latest period
that finance has submitted or a director has locked."""

from __future__ import annotations

from accounts.models import Authority
from forecasting.models import ForecastRun, Period


def forecast_monthly_requests() -> list[int]:
    from forecasting.runs import forecast_run_request

    run_ids = []
    for authority in Authority.objects.all():
        period = (
            Period.objects.filter(year__authority=authority, status__in=[Period.Status.SUBMITTED, Period.Status.LOCKED])
            .select_related("year")
            .order_by("-year__start_year", "-number")
            .first()
        )
        if period is None:
            continue
        run = forecast_run_request(
            authority=authority,
            year=period.year,
            period=period.number,
            user=None,
            trigger=ForecastRun.Trigger.SCHEDULE,
        )
        run_ids.append(run.pk)
    return run_ids
