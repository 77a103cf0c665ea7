"""Recovery within a minute (issue 13, point 5): a real worker SIGKILLed at a random moment of a
forecast run, ten times, and of a back-test, ten times; each time another worker finishes the
task. The workers and beat run with short recovery settings (beat every second, stale after 3 s,
sweep every second); scripts/worker_kill_trials.py runs the same trials with the production
settings (docs/benchmarks.md, Recovery). The trials spend about 80 CPU-seconds, most of it
starting the 24 worker processes; the rest of their time is waiting for the stale limit."""

from __future__ import annotations

import os
import random

import pytest

from tests.dashboards.county import AS_AT, build_county, set_assumptions
from tests.integration.kill_trials import kill_trials, recovery_env, summary

pytestmark = [
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not os.environ.get("CELERY_BROKER_URL", "").startswith("redis"),
        reason="the trials need the Redis broker (make test and CI use it)",
    ),
]

SHORT = recovery_env(heartbeat=1, stale=3, sweep=1)


def test_ten_killed_runs_and_ten_killed_back_tests_all_finish_on_another_worker(authority, finance_officer) -> None:  # type: ignore[no-untyped-def]
    year, _ = build_county(authority=authority, user=finance_officer)
    set_assumptions(authority=authority)  # the statistical model: the back-test fits it at every past date
    seed = int(os.environ.get("OUTTURN_KILL_SEED") or random.SystemRandom().randrange(10**6))
    trials = kill_trials(year=year, period=AS_AT, seed=seed, recovery=SHORT, spares=2, timeout=90)
    print(summary(trials))
    assert sorted((t.kind, t.number) for t in trials) == [
        (kind, n) for kind in ("backtest", "run") for n in range(1, 11)
    ]
    assert all(t.finished for t in trials), f"seed {seed}: " + "; ".join(t.line() for t in trials if not t.finished)
    # Stale after 3 s, swept every second: every task is taken up again well inside the minute.
    assert max(t.resume for t in trials) < 60, f"seed {seed}: " + summary(trials)
