"""A task round-trips through the real broker (Redis in CI) and a real worker process."""

from __future__ import annotations

import pytest
from django.conf import settings

from config.celery import ping
from tests.support import celery_worker

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_a_real_worker_runs_a_task_and_the_result_comes_back_through_the_database() -> None:
    assert not settings.CELERY_TASK_ALWAYS_EAGER
    with celery_worker() as (queue, _process):
        result = ping.apply_async(args=["outturn"], queue=queue)
        assert result.get(timeout=90) == "pong:outturn"
    from django_celery_results.models import TaskResult

    stored = TaskResult.objects.get(task_id=result.id)
    assert stored.status == "SUCCESS"
