"""Logs are one JSON object a line, carrying the request id, user, authority and run (and the
task in a worker)."""

from __future__ import annotations

import io
import json
import logging

import pytest
from django.test import Client

from core.logs import JsonFormatter, log_context, log_context_bound


@pytest.fixture
def json_lines():  # type: ignore[no-untyped-def]
    """What the root logger writes while the test runs, formatted as in production (at once, so
    the context of the moment is in the line)."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        root.removeHandler(handler)


def test_a_line_is_json_with_the_context_and_the_traceback(json_lines) -> None:  # type: ignore[no-untyped-def]
    log = logging.getLogger("outturn.test")
    with log_context_bound(request_id="abc12345", user="fiona", authority=7, run_id=None):
        try:
            raise ValueError("the register has no rows")
        except ValueError:
            log.exception("Could not read %s", "register.csv")
    log.warning("outside")
    inside, outside = json_lines()
    assert inside["message"] == "Could not read register.csv"
    assert inside["level"] == "ERROR" and inside["logger"] == "outturn.test"
    assert (inside["request_id"], inside["user"], inside["authority"]) == ("abc12345", "fiona", 7)
    assert "run_id" not in inside  # None is left out
    assert "ValueError: the register has no rows" in inside["exception"]
    assert inside["time"].endswith("+00:00")
    assert "request_id" not in outside and outside["message"] == "outside"


@pytest.mark.django_db
def test_a_request_logs_its_id_user_authority_and_run(json_lines, finance_officer, client_for) -> None:  # type: ignore[no-untyped-def]
    client = client_for(finance_officer)
    # No such run: the 404 is logged by Django inside the request.
    response = client.get("/forecasts/987654/", HTTP_X_REQUEST_ID="proxy-req-0001")
    assert response.status_code == 404
    assert response.headers["X-Request-ID"] == "proxy-req-0001"
    lines = [line for line in json_lines() if line["logger"] == "django.request"]
    assert lines, "Django logs a page not found"
    line = lines[0]
    assert line["request_id"] == "proxy-req-0001"
    assert line["user"] == finance_officer.username
    assert line["authority"] == finance_officer.authority_id
    assert line["run_id"] == 987654
    assert log_context() == {}  # nothing leaks into the next request


@pytest.mark.django_db
def test_a_request_id_that_is_not_plain_is_replaced() -> None:
    response = Client().get("/healthz?check=web", HTTP_X_REQUEST_ID='x" injected\nline')
    given = response.headers["X-Request-ID"]
    assert len(given) == 32 and given.isalnum()


def test_a_task_logs_its_name_id_and_run(json_lines) -> None:  # type: ignore[no-untyped-def]
    from config.celery import _task_log_context, _task_log_context_end
    from forecast_runs.tasks import forecast_run_execute_task

    _task_log_context(task_id="task-1", task=forecast_run_execute_task, args=(42,), kwargs={})
    logging.getLogger("forecast_runs.execute").info("Run started")
    _task_log_context_end(task_id="task-1")
    logging.getLogger("forecast_runs.execute").info("After")
    during, after = json_lines()
    assert during["run_id"] == 42 and during["task_id"] == "task-1"
    assert during["task"] == forecast_run_execute_task.name
    assert "run_id" not in after and "task_id" not in after


def test_the_settings_write_json_unless_told_plain() -> None:
    from django.conf import settings

    handler = settings.LOGGING["handlers"]["console"]
    assert settings.LOGGING["formatters"][handler["formatter"]] == {"()": "core.logs.JsonFormatter"}
    assert settings.CELERY_WORKER_HIJACK_ROOT_LOGGER is False
