"""Celery entry points for dashboards: take ids, call one function (dashboards.printing)."""

from __future__ import annotations

from celery import shared_task

from dashboards.printing import snapshot_pdf_generate


@shared_task(
    name="dashboards.tasks.snapshot_pdf_task",
    acks_late=True,
    reject_on_worker_lost=True,
    # Chromium normally prints a period in a few seconds; a hung browser is stopped well before
    # the broker's visibility timeout would hand the task to a second worker.
    soft_time_limit=120,
    time_limit=180,
    max_retries=2,
)
def snapshot_pdf_task(pdf_id: int) -> str:
    # A task redelivered after a killed worker finds the row RUNNING with no content and makes
    # it again; a ready PDF is never made twice (the service's compare-and-swap).
    return snapshot_pdf_generate(pdf_id=pdf_id)
