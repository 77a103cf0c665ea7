"""Worker-kill trials (issue 13, point 5): a real worker is SIGKILLed at a random moment of a
forecast run or a back-test, and another worker must finish it. Used by
tests/integration/test_worker_kill_trials.py with short recovery settings and by
scripts/worker_kill_trials.py with the production ones.

Each trial: send the task; as soon as a worker has claimed it, wait a random time within the
task's own duration (measured on one uninterrupted task first; the seed is printed) and SIGKILL
the worker. A second worker is on the queue (``spare_first``: started before the kill, as in a
deployment with more than one worker; else started just after it). The trial records the time
from the kill to the moment another worker took the task up again (the run's new ``started_at``;
for a back-test, its ``finished_at`` less its ``seconds``) and checks that the task then
finished. A task that finished before the kill landed is not a trial: it is run again with a
new random time.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from forecast_runs.backtests import backtest_request
from forecast_runs.dispatch import backtest_dispatch, forecast_run_request
from forecasting.models import BacktestReport, FinancialYear, ForecastRun
from tests.support import ROOT, test_database_url, wait_until

KINDS = ("backtest", "run")  # back-tests first: then every run finds its date back-tested


@dataclass(frozen=True)
class Trial:
    kind: str
    number: int
    delay: float  # seconds after the claim when the worker was killed
    resume: float  # seconds from the kill to another worker taking the task up
    finished: bool

    def line(self) -> str:
        outcome = "finished" if self.finished else "NOT FINISHED"
        return (
            f"  {self.kind} trial {self.number}: killed {self.delay:.2f} s in, "
            f"resumed after {self.resume:.1f} s, {outcome}"
        )


def recovery_env(*, heartbeat: float, stale: int, sweep: int) -> dict[str, str]:
    return {
        "OUTTURN_HEARTBEAT_SECONDS": str(heartbeat),
        "OUTTURN_FORECAST_STALE_SECONDS": str(stale),
        "OUTTURN_RECOVERY_SWEEP_SECONDS": str(sweep),
    }


@contextmanager
def celery_beat(*, extra_env: dict[str, str]) -> Iterator[subprocess.Popen[bytes]]:
    """Run `celery beat` (the production DatabaseScheduler) against the same database."""
    env = {**os.environ, "DATABASE_URL": test_database_url(), "DJANGO_SETTINGS_MODULE": "config.settings"}
    env.setdefault("DJANGO_SECRET_KEY", f"test-beat-{uuid.uuid4().hex}")
    env.update(extra_env)
    log = ROOT / "var" / f"beat-{uuid.uuid4().hex[:10]}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "beat", "--loglevel=INFO", "--pidfile="],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            yield process
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _send(kind: str, year: FinancialYear, period: int) -> int:
    if kind == "run":
        return forecast_run_request(authority=year.authority, year=year, period=period, user=None).pk
    report = backtest_request(authority=year.authority, as_at=year.calendar.as_at_date(period), user=None)
    backtest_dispatch(report_id=report.pk)
    return report.pk


def _row(kind: str, pk: int) -> ForecastRun | BacktestReport:
    return (ForecastRun if kind == "run" else BacktestReport).objects.get(pk=pk)


def _took_up_at(kind: str, pk: int) -> datetime | None:
    """When the worker that finished the task started on it."""
    row = _row(kind, pk)
    if row.status != "succeeded":
        return None
    if isinstance(row, ForecastRun):
        return row.started_at
    assert row.finished_at is not None and row.seconds is not None
    return row.finished_at - timedelta(seconds=row.seconds)


def _duration(kind: str, pk: int) -> float:
    row = _row(kind, pk)
    if isinstance(row, ForecastRun):
        assert row.finished_at is not None and row.started_at is not None
        return (row.finished_at - row.started_at).total_seconds()
    return float(row.seconds or 0.0)


class Workers:
    """Real worker processes (solo pool, as tests/support.py starts them), each on the shared
    queue, where the recovery sweep sends work again, and on a queue of its own, where a trial
    sends its task so that it knows which worker to kill. ``spares`` more are kept starting, so
    that one is ready when a worker dies, as in a deployment with more than one worker."""

    def __init__(self, *, queue: str, env: dict[str, str], spares: int) -> None:
        self.queue, self.spares, self.started = queue, spares, 0
        self.env = {**os.environ, "DATABASE_URL": test_database_url(), "DJANGO_SETTINGS_MODULE": "config.settings"}
        self.env.setdefault("DJANGO_SECRET_KEY", f"test-worker-{uuid.uuid4().hex}")
        self.env.update(env)
        self.alive: list[tuple[str, subprocess.Popen[bytes], Path]] = []

    def start(self) -> None:
        self.started += 1
        own = f"{self.queue}-{self.started}"
        log = ROOT / "var" / f"worker-{own}.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        with open(log, "wb") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "-Q", f"{self.queue},{own}"]
                + ["-n", f"{own}@%h", "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=INFO"],
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        self.alive.append((own, process, log))

    def topped_up(self) -> None:
        while len(self.alive) < 1 + self.spares:
            self.start()

    def ready(self, count: int, *, timeout: float) -> list[str]:
        """The private queues of ``count`` workers that are ready to take work."""

        def ready_ones() -> list[str]:
            return [own for own, _, log in self.alive if b" ready." in log.read_bytes()]

        assert wait_until(lambda: len(ready_ones()) >= count, timeout=timeout), "too few workers became ready"
        return ready_ones()[:count]

    def kill(self, own: str) -> None:
        process = next(p for name, p, _ in self.alive if name == own)
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
        self.alive = [w for w in self.alive if w[0] != own]

    def stop(self) -> None:
        for _, process, _ in self.alive:
            process.terminate()
        for _, process, _ in self.alive:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _sent_to(queue: str, kind: str, year: FinancialYear, period: int) -> int:
    settings.OUTTURN_FORECAST_QUEUE = queue
    return _send(kind, year, period)


def kill_trials(
    *,
    year: FinancialYear,
    period: int,
    kinds: tuple[str, ...] = KINDS,
    trials: int = 10,
    seed: int,
    recovery: dict[str, str],
    spares: int,
    timeout: float,
    log: Callable[[str], None] = lambda line: print(line, flush=True),
) -> list[Trial]:
    """Kill a worker ``trials`` times in each kind of task; every trial is printed as it ends.
    The kinds go in rounds side by side, a run and a back-test each on its own worker, killed
    each at its own random moment (the back-tests are as at the period before ``period``, so
    the runs never wait for them). With ``spares=0`` the workers that take the tasks up again
    are started only after the kills (their start-up counts in the time to resume)."""
    rng = random.Random(seed)
    queue = f"kill-{uuid.uuid4().hex[:10]}"
    env = {**recovery, "OUTTURN_FORECAST_QUEUE": queue}
    log(f"worker-kill trials: seed {seed}, {trials} of each of {', '.join(kinds)}; recovery settings {recovery}")
    periods = {"run": period, "backtest": period - 1}
    done: list[Trial] = []
    workers = Workers(queue=queue, env=env, spares=spares + len(kinds) - 1)
    sending_to = settings.OUTTURN_FORECAST_QUEUE
    with celery_beat(extra_env=env):
        try:
            workers.topped_up()
            # Uninterrupted first (the run's own date back-tested first, so that runs never wait):
            # how long each task takes here, so that the kills land inside it.
            durations = {}
            for kind in ("backtest", "run"):
                first = _sent_to(workers.ready(1, timeout=timeout)[0], kind, year, period)
                finished = wait_until(lambda: _took_up_at(kind, first) is not None, timeout=timeout)  # noqa: B023
                assert finished, _row(kind, first).__dict__
                durations[kind] = _duration(kind, first)
                log(f"  an uninterrupted {kind} takes {durations[kind]:.2f} s")
            for _ in range(3 * trials):
                counted = [t for t in done if t.resume >= 0]
                todo = [k for k in kinds if sum(t.kind == k for t in counted) < trials]
                if not todo:
                    break
                for trial in _round(
                    todo, workers, rng, durations, year=year, periods=periods, timeout=timeout, log=log
                ):
                    if trial.resume >= 0:
                        trial = replace(trial, number=1 + sum(t.kind == trial.kind for t in counted))
                        log(trial.line())
                    done.append(trial)
        finally:
            workers.stop()
            settings.OUTTURN_FORECAST_QUEUE = sending_to
    return [t for t in done if t.resume >= 0]


def _round(  # type: ignore[no-untyped-def]
    kinds: list[str], workers: Workers, rng: random.Random, durations, *, year, periods, timeout, log
) -> list[Trial]:
    """One trial of each kind at once; a kind whose task ended before its kill is left out."""
    # Every worker up first (the spares too), so that the time to resume is the recovery's, not
    # a worker's start-up; with no spares the replacements start after the kills.
    ready = workers.ready(len(workers.alive), timeout=timeout)
    victims = dict(zip(kinds, ready[: len(kinds)], strict=True))
    sent = {kind: _sent_to(victims[kind], kind, year, periods[kind]) for kind in kinds}
    for kind, pk in sent.items():
        # A quick task may be over before it is looked at (while the other kind was waited for):
        # that is a claim too, and the round below counts it as "finished before the kill".
        claimed = wait_until(
            lambda: _row(kind, pk).status in ("running", "succeeded"),  # noqa: B023
            timeout=timeout,
            interval=0.02,
        )
        assert claimed, _row(kind, pk).__dict__
    claimed_at = time.monotonic()
    delays = {kind: rng.uniform(0.0, durations[kind]) for kind in kinds}
    killed_at = {}
    for kind in sorted(kinds, key=delays.__getitem__):
        time.sleep(max(0.0, claimed_at + delays[kind] - time.monotonic()))
        workers.kill(victims[kind])
        killed_at[kind] = timezone.now()
    workers.topped_up()  # the replacements start now
    trials: list[Trial] = []
    for kind in kinds:
        pk = sent[kind]
        took_up = _took_up_at(kind, pk)
        if took_up is not None and took_up < killed_at[kind]:
            log(f"  ({kind} finished {delays[kind]:.2f} s in, before the kill: not a trial)")
            # A warm worker is quicker than the first task was: aim within the quickest seen.
            durations[kind] = min(durations[kind], _duration(kind, pk))
            trials.append(Trial(kind, 0, delays[kind], -1.0, True))
            continue
        finished = wait_until(lambda: _took_up_at(kind, pk) is not None, timeout=timeout)  # noqa: B023
        took_up = _took_up_at(kind, pk)
        resume = (took_up - killed_at[kind]).total_seconds() if took_up else float("inf")
        trials.append(Trial(kind, 0, delays[kind], resume, finished))
    return trials


def summary(trials: list[Trial]) -> str:
    lines = []
    for kind in KINDS:
        mine = [t for t in trials if t.kind == kind]
        if mine:
            finished = sum(t.finished for t in mine)
            worst = max(t.resume for t in mine)
            mean = sum(t.resume for t in mine) / len(mine)
            lines.append(
                f"{kind}: {finished} of {len(mine)} finished; "
                f"resumed after {mean:.1f} s on average, {worst:.1f} s at worst"
            )
    return "\n".join(lines)
