"""Forecast runs asked for by events: of the financial core, and of the end of a back-test."""

from __future__ import annotations

import logging
from typing import Any

from django.dispatch import receiver

from accounts.models import User
from forecast_runs.dispatch import backtest_fits_ahead_send, forecast_run_request, forecast_runs_waiting_send
from forecast_runs.signals import backtest_ended
from forecasting.models import ForecastRun, Period
from forecasting.signals import period_submitted

log = logging.getLogger(__name__)


@receiver(period_submitted, dispatch_uid="forecast_runs.forecast_on_submit")
def forecast_on_submit(*, period: Period, user: User | None, forecast: bool, **_: Any) -> None:
    """Submitting a period asks for a forecast as at it; the run is dispatched once the
    submitting transaction commits."""
    if forecast:
        forecast_run_request(
            authority=period.year.authority,
            year=period.year,
            period=period.number,
            user=user,
            trigger=ForecastRun.Trigger.SUBMIT,
        )


@receiver(backtest_ended, dispatch_uid="forecast_runs.send_waiting_runs")
def send_waiting_runs(*, authority_id: int, **_: Any) -> None:
    """A back-test ended: the authority's runs that waited for it go to a worker."""
    forecast_runs_waiting_send(authority_id=authority_id)


@receiver(backtest_ended, dispatch_uid="forecast_runs.send_fits_ahead")
def send_fits_ahead(*, report_id: int, **_: Any) -> None:
    """After the runs it was waiting for: the next months' back-tests' fits, made ahead. Work
    nobody waits for: a broker that refuses it costs those fits, never the back-test."""
    try:
        backtest_fits_ahead_send(report_id=report_id)
    except Exception:  # noqa: BLE001 - see above
        log.warning("the fits ahead of back-test %s could not be sent", report_id, exc_info=True)
