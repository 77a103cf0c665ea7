"""A worker that pauses for a minute between computing a run and writing its results, so the
worker-killed test can kill it at that moment. Installed only by slow_write_settings."""

from __future__ import annotations

import time
from typing import Any

from django.apps import AppConfig

PAUSE_SECONDS = 60


def _pause(**_: Any) -> None:
    time.sleep(PAUSE_SECONDS)


class SlowWriteConfig(AppConfig):
    name = "tests.integration.slow_write"
    label = "slow_write"

    def ready(self) -> None:
        from forecast_runs.signals import forecast_run_results_ready

        forecast_run_results_ready.connect(_pause, dispatch_uid="tests.slow_write")
