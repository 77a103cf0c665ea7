"""The Celery app. Tasks live in each app's tasks.py and take ids, never model instances."""

import os

from celery import Celery
from celery.signals import beat_init, task_postrun, task_prerun, worker_init, worker_process_init, worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("outturn")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="outturn.ping")
def ping(value: str) -> str:
    """A task that proves the broker, a worker and the result backend round-trip."""
    return f"pong:{value}"


def _warm_up(**_: object) -> None:
    """Import the statistical forecasting library once when a worker starts (it takes a few
    seconds), so that no forecast run pays for it."""
    try:
        from forecasting.engine.demand import statistical_forecast

        statistical_forecast([3.0, 4.0, 5.0, 4.0] * 6, 2)
    except Exception:  # noqa: BLE001 - a cold start is slower, never wrong
        import logging

        logging.getLogger(__name__).exception("could not warm up the forecasting library")


# worker_process_init runs in each child of a prefork worker; worker_init in a solo worker.
worker_process_init.connect(_warm_up, weak=False)
worker_init.connect(
    lambda **kwargs: _warm_up() if kwargs.get("sender") and _is_solo(kwargs["sender"]) else None, weak=False
)


def _is_solo(worker: object) -> bool:
    pool = getattr(getattr(worker, "app", None), "conf", None)
    return str(getattr(pool, "worker_pool", "")) == "solo" or "solo" in str(getattr(worker, "pool_cls", ""))


def _require_secret_key(**_: object) -> None:
    from config.startup import require_secret_key

    require_secret_key()


# A worker or beat started with the built-in key outside DEBUG stops before it takes any work.
worker_init.connect(_require_secret_key, weak=False)
beat_init.connect(_require_secret_key, weak=False)


def _recovery_sweep(**_: object) -> None:
    """As a worker starts, sweep for runs and back-tests whose worker died (beat does it every
    few seconds too; docs/forecast-runs.md, Recovery)."""
    try:
        from forecast_runs.schedule import recovery_sweep_send

        recovery_sweep_send()
    except Exception:  # noqa: BLE001 - beat's next sweep does the same
        import logging

        logging.getLogger(__name__).exception("could not ask for a recovery sweep")


worker_ready.connect(_recovery_sweep, weak=False)


# Each task's log lines carry its name and id, and the forecast run it works on (core.logs).
_log_tokens: dict[str, object] = {}


def _task_log_context(
    task_id: str | None = None,
    task: object = None,
    args: tuple[object, ...] | None = None,
    kwargs: dict[str, object] | None = None,
    **_: object,
) -> None:
    import inspect

    from core.logs import log_context_set

    run_id = None
    try:
        bound = inspect.signature(task.run).bind_partial(*(args or ()), **(kwargs or {}))  # type: ignore[attr-defined]
        run_id = bound.arguments.get("run_id")
    except (AttributeError, TypeError, ValueError):
        pass
    if task_id:
        _log_tokens[task_id] = log_context_set(task=getattr(task, "name", None), task_id=task_id, run_id=run_id)


def _task_log_context_end(task_id: str | None = None, **_: object) -> None:
    from core.logs import log_context_reset

    token = _log_tokens.pop(task_id or "", None)
    if token is not None:
        log_context_reset(token)


task_prerun.connect(_task_log_context, weak=False)
task_postrun.connect(_task_log_context_end, weak=False)
