"""/healthz and `manage.py health`: the database, the broker and a worker seen recently."""

from __future__ import annotations

from datetime import timedelta

import pytest
from celery import current_app
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone
from django_celery_results.models import TaskResult
from kombu import Connection

pytestmark = pytest.mark.django_db


def _worker_finished_a_task(seconds_ago: float) -> None:
    result = TaskResult.objects.create(
        task_id=f"t-{seconds_ago}", task_name="forecast_runs.schedule.forecast_runs_recover_task", status="SUCCESS"
    )
    # date_done is set on save; put it back in time as a worker would have written it then.
    TaskResult.objects.filter(pk=result.pk).update(date_done=timezone.now() - timedelta(seconds=seconds_ago))


def test_all_is_well_when_a_worker_finished_a_task_recently(settings) -> None:  # type: ignore[no-untyped-def]
    settings.OUTTURN_HEALTH_WORKER_SECONDS = 60
    _worker_finished_a_task(seconds_ago=5)
    response = Client().get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["database"] == "ok" and body["broker"] == "ok" and body["worker"] == "ok"
    assert body["worker_last_seen"]


def test_a_worker_silent_past_the_limit_fails_the_check(settings) -> None:  # type: ignore[no-untyped-def]
    settings.OUTTURN_HEALTH_WORKER_SECONDS = 60
    _worker_finished_a_task(seconds_ago=61)
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json()["worker"] == "failing" and response.json()["status"] == "failing"


def test_no_worker_ever_seen_fails_the_check() -> None:
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json()["worker"] == "failing" and response.json()["worker_last_seen"] is None


def test_a_broker_that_does_not_answer_fails_the_check(monkeypatch, settings) -> None:  # type: ignore[no-untyped-def]
    settings.OUTTURN_HEALTH_TIMEOUT_SECONDS = 1
    _worker_finished_a_task(seconds_ago=1)
    # A real connection attempt to port 9 on this machine, where nothing listens.
    monkeypatch.setattr(current_app, "connection_for_write", lambda: Connection("redis://127.0.0.1:9/0"))
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"] == "failing" and response.json()["worker"] == "ok"


def test_the_web_check_needs_the_database_only() -> None:
    response = Client().get("/healthz?check=web")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_a_database_that_does_not_answer_fails_the_check(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from core import health

    def refuse(*_: object, **__: object) -> None:
        raise OSError("connection refused")

    monkeypatch.setattr(health.connection, "cursor", refuse)
    response = Client().get("/healthz?check=web")
    assert response.status_code == 503
    assert response.json() == {"status": "failing", "database": "failing"}


def test_the_command_fails_with_what_is_failing(capsys) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(CommandError, match="worker"):
        call_command("health")
    _worker_finished_a_task(seconds_ago=1)
    call_command("health")
    assert '"status": "ok"' in capsys.readouterr().out
