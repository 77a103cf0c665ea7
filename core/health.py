"""What /healthz checks: the database answers, the broker takes a connection, and a worker finished
a task recently. Beat sends the recovery sweep every OUTTURN_RECOVERY_SWEEP_SECONDS and a worker
records its result (the result backend is the database), so a recent result means beat, the
broker and a worker all work; its age is "worker last seen"."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from celery import current_app
from django.conf import settings
from django.db import connection
from django.utils import timezone
from django_celery_results.models import TaskResult

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Health:
    database: bool
    broker: bool | None  # None: not checked
    worker_last_seen: datetime | None
    worker_checked: bool

    @property
    def worker(self) -> bool:
        if self.worker_last_seen is None:
            return False
        age = (timezone.now() - self.worker_last_seen).total_seconds()
        return age <= settings.OUTTURN_HEALTH_WORKER_SECONDS

    @property
    def ok(self) -> bool:
        return self.database and self.broker is not False and (self.worker or not self.worker_checked)

    def as_json(self) -> dict[str, object]:
        body: dict[str, object] = {"status": "ok" if self.ok else "failing", "database": _word(self.database)}
        if self.broker is not None:
            body["broker"] = _word(self.broker)
        if self.worker_checked:
            body["worker"] = _word(self.worker)
            body["worker_last_seen"] = self.worker_last_seen.isoformat() if self.worker_last_seen else None
        return body


def _word(ok: bool) -> str:
    return "ok" if ok else "failing"


def database_answers() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except Exception:  # noqa: BLE001 - any failure means "not healthy", logged for the operator
        log.exception("health check: the database did not answer")
        return False


def broker_answers() -> bool:
    try:
        with current_app.connection_for_write() as broker:
            broker.ensure_connection(
                max_retries=1,
                interval_start=0,
                timeout=settings.OUTTURN_HEALTH_TIMEOUT_SECONDS,  # type: ignore[arg-type]
            )
        return True
    except Exception:  # noqa: BLE001 - any failure means "not healthy", logged for the operator
        log.exception("health check: the broker did not answer")
        return False


def worker_last_seen() -> datetime | None:
    """When a worker last finished a task (any task: the recovery sweep comes every few seconds)."""
    try:
        return TaskResult.objects.order_by("-date_done").values_list("date_done", flat=True).first()
    except Exception:  # noqa: BLE001 - the database check reports this failure
        return None


def health_check(*, web_only: bool = False) -> Health:
    """Everything, or (web_only, for the web container's own check) the database alone: a web
    process must not be restarted because a worker is down."""
    database = database_answers()
    if web_only:
        return Health(database=database, broker=None, worker_last_seen=None, worker_checked=False)
    return Health(database=database, broker=broker_answers(), worker_last_seen=worker_last_seen(), worker_checked=True)
