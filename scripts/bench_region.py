"""A region on one machine (docs/scaling.md): N authorities the size of the large county in one
deployment, the monthly schedule asking for every authority's forecast at once, run by 1 and then
2 real Celery workers, while the directors of another authority read their dashboard.

    .venv/bin/python scripts/bench_region.py [--authorities 20] [--workers 1 2] [--kill]

For each number of workers it prints: every run finished or not, the total wall time from the
monthly request to the last result, each authority's month (its back-test and its run, from the
request to its results), the time inside each task, the peak resident memory of each worker
process (VmHWM), and the other authority's dashboard (server time and whole response, p50 and
p95) while the region ran. `--kill` SIGKILLs one worker halfway through the 2-worker pass and
starts another in its place, as a supervisor would: every run must still finish, through the
recovery sweep of `celery beat` with the production settings.

Each authority is loaded through the real importers from the files of DATA_FORMATS.md
(`bench_county.county_files`); the other authority is the demo county. Needs PostgreSQL
(DATABASE_URL) and Redis (CELERY_BROKER_URL); it creates and drops its own database,
`<name>_region`. It takes minutes: `make bench` runs it with 3 authorities."""

from __future__ import annotations

import argparse
import http.client
import os
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
BASE_URL = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/outturn")
REGION_URL = BASE_URL.rsplit("/", 1)[0] + "/" + BASE_URL.rsplit("/", 1)[1].split("?")[0] + "_region"
os.environ["DATABASE_URL"] = REGION_URL
os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# One key for this process (which signs the readers' sessions), gunicorn and the workers.
os.environ.setdefault("DJANGO_SECRET_KEY", secrets.token_urlsafe(50))
QUEUE = f"region-{os.getpid()}"  # its own queue, so that nothing else on the broker takes the work
PORT = 8797
READERS = 4  # the other authority's directors, each reading the dashboard every READ_PAUSE seconds
READ_PAUSE = 0.5


def _database(action: str) -> None:
    import psycopg2

    connection = psycopg2.connect(REGION_URL.rsplit("/", 1)[0] + "/postgres")
    connection.autocommit = True
    name = REGION_URL.rsplit("/", 1)[1]
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if action == "create":
            cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))] if ordered else float("nan")


def load_region(count: int) -> list[Any]:
    """`count` large counties, each through the importers, with periods 1..p submitted (what the
    monthly schedule forecasts)."""
    from bench_county import county_files, timed_import

    os.environ["DATABASE_URL"] = REGION_URL  # importing bench_county pointed it at its own database

    from accounts.services import authority_create
    from forecasting.engine.synthetic import large_county_inputs
    from forecasting.models import FinancialYear
    from forecasting.services import period_submit

    authorities = []
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        for number in range(1, count + 1):
            # Each county its own (seed): identical counties would find each other's statistical
            # fits in the shared store, which real authorities' different registers never do.
            inputs = large_county_inputs(seed=number)
            label = inputs.year.label
            as_at = inputs.year.as_at_date(inputs.as_at_period).isoformat()
            own = Path(folder) / str(number)
            own.mkdir()
            files = county_files(inputs, own)
            authority = authority_create(code=f"R{number:02d}", name=f"Region County Council {number}")
            for kind, options in (
                ("budget", {"year": label}),
                ("actuals", {"year": label}),
                ("placements", {}),
                ("workforce", {"as_at": as_at}),
                ("savings", {"year": label}),
                ("scenarios", {}),
            ):
                timed_import(authority, kind, files[kind], **options)
            year = FinancialYear.objects.get(authority=authority, label=label)
            for period in year.periods.filter(number__lte=inputs.as_at_period).order_by("number"):
                period_submit(period=period, user=None, forecast=False)
            authorities.append(authority)
    print(
        f"  {count} authorities loaded through the importers ({len(inputs.placements):,} placement rows, "
        f"{len(inputs.budget_lines)} budget lines, {len(inputs.workers)} workers each): "
        f"{time.perf_counter() - started:.0f} s",
        flush=True,
    )
    return authorities


class Workers:
    """Real `celery worker` processes (solo pool: the worker process is the one that computes,
    so its peak resident memory is the run's) on the bench's queue, with the production
    recovery settings."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.started = 0
        self.alive: dict[str, tuple[subprocess.Popen[bytes], Path]] = {}
        self.peaks: dict[str, int] = {}  # worker → peak resident memory, kB
        self.logs = Path(tempfile.mkdtemp(prefix="bench-region-"))

    def start(self) -> str:
        self.started += 1
        name = f"{QUEUE}-{self.started}"
        log = self.logs / f"{name}.log"
        with open(log, "wb") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "-Q", QUEUE, "-n"]
                + [f"{name}@%h", "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=INFO"],
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        self.alive[name] = (process, log)
        return name

    def wait_ready(self, timeout: float = 300) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if all(b" ready." in log.read_bytes() for _, log in self.alive.values()):
                return
            time.sleep(0.5)
        raise SystemExit(f"workers did not start; see {self.logs}")

    def sample(self) -> None:
        """Each live worker's peak resident memory so far (the kernel's high-water mark)."""
        for name, (process, _) in self.alive.items():
            try:
                text = Path(f"/proc/{process.pid}/status").read_text()
            except OSError:
                continue
            for line in text.splitlines():
                if line.startswith("VmHWM:"):
                    self.peaks[name] = max(self.peaks.get(name, 0), int(line.split()[1]))

    def kill_one(self) -> str:
        name = next(iter(self.alive))
        self.sample()
        process, _ = self.alive.pop(name)
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
        return name

    def stop(self) -> None:
        self.sample()
        for process, _ in self.alive.values():
            process.terminate()
        for process, _ in self.alive.values():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.alive.clear()


@dataclass
class Readers:
    """The other authority's directors reading their period dashboard through gunicorn, each
    every READ_PAUSE seconds, for as long as the region runs: server time (Server-Timing) and
    the whole response, in ms."""

    path: str
    cookies: list[str]
    server_ms: list[float] = field(default_factory=list)
    total_ms: list[float] = field(default_factory=list)
    errors: list[int] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def reader(self, cookie: str) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
        while not self.stop.is_set():
            started = time.perf_counter()
            try:
                connection.request("GET", self.path, headers={"Cookie": cookie})
                response = connection.getresponse()
                response.read()
            except (OSError, http.client.HTTPException):
                self.errors.append(0)
                connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
                self.stop.wait(READ_PAUSE)
                continue
            elapsed = (time.perf_counter() - started) * 1000
            if response.status != 200:
                self.errors.append(response.status)
                self.stop.wait(READ_PAUSE)
                continue
            self.server_ms.append(float(response.getheader("Server-Timing", "app;dur=0").split("dur=")[-1]))
            self.total_ms.append(elapsed)
            self.stop.wait(READ_PAUSE)

    def take(self) -> tuple[list[float], list[float], list[int]]:
        """The figures so far, and start afresh."""
        figures = (self.server_ms, self.total_ms, self.errors)
        self.server_ms, self.total_ms, self.errors = [], [], []
        return figures


def start_dashboard(other: Any) -> tuple[subprocess.Popen[bytes], Readers]:
    """gunicorn with 2 processes (one per core) serving the other authority's directors."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from accounts.models import Role, User
    from accounts.sign_in_views import SECOND_STEP_KEY
    from forecasting.models import ForecastRun

    run = ForecastRun.objects.filter(authority=other, status="succeeded").order_by("-finished_at").first()
    director, _ = User.objects.get_or_create(
        username="region-director", defaults={"authority": other, "role": Role.DIRECTOR}
    )
    cookies = []
    for _ in range(READERS):
        session = SessionStore()
        session[SESSION_KEY] = str(director.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = director.get_session_auth_hash()
        session[SECOND_STEP_KEY] = director.pk  # as after the authenticator code
        session.create()
        cookies.append(f"{settings.SESSION_COOKIE_NAME}={session.session_key}")
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{PORT}"]
        + ["--workers", "2", "--log-level", "warning"],
        cwd=ROOT,
        env=dict(os.environ),
    )
    assert run is not None, "the other authority has no forecast"
    readers = Readers(path=f"/dashboards/?year={run.year.label}&period={run.period}", cookies=cookies)
    for _ in range(300):
        try:
            connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
            connection.request("GET", readers.path, headers={"Cookie": cookies[0]})
            if connection.getresponse().status == 200:
                break
        except OSError:
            pass
        time.sleep(0.2)
    for cookie in cookies:
        threading.Thread(target=readers.reader, args=(cookie,), daemon=True).start()
    return server, readers


def reset_region(authorities: list[Any]) -> None:
    """Forget the region's runs and back-tests, so that the next pass does the month again."""
    from forecasting.models import BacktestReport, ForecastRun

    ForecastRun.objects.filter(authority__in=authorities).delete()
    BacktestReport.objects.filter(authority__in=authorities).delete()


def one_pass(workers: int, kill: bool, env: dict[str, str], readers: Readers, expected: int, timeout: float) -> bool:
    """The monthly request with `workers` workers; prints the figures; True when every run finished."""
    from django.utils import timezone

    from forecast_runs.schedule import forecast_monthly_task
    from forecasting.models import BacktestReport, ForecastRun

    pool = Workers(env)
    for _ in range(workers):
        pool.start()
    pool.wait_ready()
    readers.take()
    requested = timezone.now()
    started = time.perf_counter()
    forecast_monthly_task.apply_async(queue=QUEUE)  # what beat sends on the day
    killed = ""
    runs = ForecastRun.objects.filter(created_at__gte=requested)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pool.sample()
        done = runs.filter(status__in=("succeeded", "failed")).count()
        if done >= expected:
            break
        if kill and not killed and done >= expected // 2:
            killed = pool.kill_one()  # mid-month: its task is left half done
            pool.start()
        time.sleep(1)
    wall = time.perf_counter() - started
    pool.stop()
    server, total, errors = readers.take()
    finished = list(runs.select_related("authority").order_by("finished_at"))
    reports = {r.authority_id: r for r in BacktestReport.objects.filter(created_at__gte=requested)}
    ok = bool(finished) and all(r.status == "succeeded" for r in finished)
    months = [(r.finished_at - requested).total_seconds() for r in finished if r.finished_at]
    inside = [(r.finished_at - r.started_at).total_seconds() for r in finished if r.finished_at and r.started_at]
    backtests = [float(r.seconds) for r in reports.values() if r.seconds]
    note = f" (one SIGKILLed halfway: {killed})" if killed else ""
    print(f"\n  {workers} worker{'s' if workers > 1 else ''}{note}:")
    print(
        f"    runs finished: {sum(r.status == 'succeeded' for r in finished)} of {len(finished)} "
        f"({', '.join(sorted({r.status for r in finished}))}); back-tests {len(backtests)}"
    )
    print(f"    total wall time, monthly request to the last result: {wall:.0f} s")
    print(
        f"    each authority's month (request to results): first {min(months):.0f} s, median "
        f"{statistics.median(months):.0f} s, last {max(months):.0f} s"
        if months
        else "    no run finished"
    )
    if inside and backtests:
        print(
            f"    inside the tasks, median (max): back-test {statistics.median(backtests):.1f} s "
            f"({max(backtests):.1f}), run {statistics.median(inside):.1f} s ({max(inside):.1f}); "
            f"wall per authority {wall / len(finished):.1f} s"
        )
    print(
        "    peak resident memory per worker (VmHWM): "
        + ", ".join(f"{name.rsplit('-', 1)[-1]}: {kb / 1024:.0f} MB" for name, kb in sorted(pool.peaks.items()))
        + "   [target < 500 MB]"
    )
    print(
        f"    the other authority's dashboard meanwhile, {len(server)} requests ({len(errors)} errors): "
        f"server p50 {percentile(server, 0.5):.0f} ms, p95 {percentile(server, 0.95):.0f} ms   [target p95 < 300 ms]; "
        f"whole response p50 {percentile(total, 0.5):.0f} ms, p95 {percentile(total, 0.95):.0f} ms",
        flush=True,
    )
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--authorities", type=int, default=20)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--kill", action="store_true", help="SIGKILL a worker halfway through the last pass")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds to wait for a pass")
    options = parser.parse_args()
    _database("create")
    server = None
    try:
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        from accounts.models import Authority

        call_command("seed_demo", year="2019/20", period=7, verbosity=0)
        other = Authority.objects.get(code="DEMO")
        authorities = load_region(options.authorities)
        env = {**os.environ, "OUTTURN_FORECAST_QUEUE": QUEUE}
        server, readers = start_dashboard(other)
        time.sleep(30)  # the dashboard with no forecast work: what the machine gives it anyway
        idle, idle_total, _ = readers.take()
        print(
            f"  the other authority's dashboard with no forecast work, {len(idle)} requests: server p50 "
            f"{percentile(idle, 0.5):.0f} ms, p95 {percentile(idle, 0.95):.0f} ms; whole response p95 "
            f"{percentile(idle_total, 0.95):.0f} ms",
            flush=True,
        )
        with _beat(env):
            results = []
            for index, workers in enumerate(options.workers):
                if index:
                    reset_region(authorities)
                kill = options.kill and index == len(options.workers) - 1
                expected = len(authorities) + 1  # and the other authority's own month
                results.append(one_pass(workers, kill, env, readers, expected, options.timeout))
        readers.stop.set()
        return 0 if all(results) else 1
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        from django.db import connections

        connections.close_all()
        _database("drop")


class _beat:
    """`celery beat` as deployed (its recovery sweep every OUTTURN_RECOVERY_SWEEP_SECONDS)."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env

    def __enter__(self) -> subprocess.Popen[bytes]:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "beat", "--loglevel=WARNING", "--pidfile="],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        return self.process

    def __exit__(self, *_: object) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


if __name__ == "__main__":
    raise SystemExit(main())
