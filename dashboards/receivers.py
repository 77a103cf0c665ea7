"""The dashboards hear that a forecast run finished and prepare its document."""

from __future__ import annotations

import logging
from typing import Any

from django.dispatch import receiver

from forecast_runs.signals import forecast_run_succeeded
from forecasting.models import ForecastRun

log = logging.getLogger(__name__)


@receiver(forecast_run_succeeded, dispatch_uid="dashboards.warm_run_document")
def warm_run_document(*, run_id: int, **_: Any) -> None:
    """Build the director's dashboard for the new run now (the reported scenario's document and
    the accuracy chart, both cached), so the first reader does not wait."""
    # Imported here, not at the top: the document and its charts (plotly) would otherwise be
    # imported by every process that starts Django, where only a run's end needs them.
    from dashboards.document import period_document

    try:
        period_document(ForecastRun.objects.get(pk=run_id))
    except Exception:  # noqa: BLE001 - a cold cache is slower, never wrong; the run has succeeded
        log.exception("could not prepare the dashboard of run %s", run_id)
