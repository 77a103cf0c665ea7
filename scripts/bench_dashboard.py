"""Dashboard and PDF figures for `make bench`, on the large county that bench_county.py loaded
into PostgreSQL: the director's period dashboard served by gunicorn to 20 concurrent users
(server time from the Server-Timing header, and the whole response time), the same users' first
visit with an empty browser cache (the page and every script and stylesheet it links, gzip
accepted, static files collected as the image collects them), and the committee PDF.

Run after bench_county.py (it reuses that database)."""

from __future__ import annotations

import http.client
import os
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
BASE_URL = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/outturn")
os.environ["DATABASE_URL"] = BASE_URL.rsplit("/", 1)[0] + "/" + BASE_URL.rsplit("/", 1)[1].split("?")[0] + "_bench"
os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# As deployed (docker-compose.yml): the web workers share a Redis cache (warm documents, drawn
# charts, sessions).
os.environ.setdefault("DJANGO_CACHE_URL", "redis://127.0.0.1:6379/1")
# The sessions made here are signed with the key the server checks them with.
os.environ["DJANGO_SECRET_KEY"] = secrets.token_urlsafe(50)
PORT = 8799
USERS = 20
REQUESTS_PER_USER = 15


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def main() -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from accounts.models import Authority, Role, User
    from accounts.sign_in_views import SECOND_STEP_KEY
    from forecasting.models import ForecastRun

    authority = Authority.objects.filter(code="BIG").first()
    run = ForecastRun.objects.filter(authority=authority, status="succeeded").order_by("-finished_at").first()
    if authority is None or run is None:
        raise SystemExit("Run scripts/bench_county.py first: it loads the large county this measures.")
    director, _ = User.objects.get_or_create(
        username="bench-director", defaults={"authority": authority, "role": Role.DIRECTOR}
    )
    cookies = []
    for _ in range(USERS):  # one signed-in session per simulated user
        session = SessionStore()
        session[SESSION_KEY] = str(director.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = director.get_session_auth_hash()
        session[SECOND_STEP_KEY] = director.pk  # as after the authenticator code
        session.create()
        cookies.append(f"{settings.SESSION_COOKIE_NAME}={session.session_key}")
    workers = str(max(2, (os.cpu_count() or 2) * 2))
    # Static files as in the image: collected once, served by WhiteNoise from the collected folder.
    static_root = tempfile.mkdtemp(prefix="outturn-bench-static-")
    collected = {**os.environ, "DJANGO_STATIC_COLLECTED": "1", "DJANGO_STATIC_ROOT": static_root}
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=collected,
        check=True,
    )
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{PORT}",
            "--workers",
            workers,
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=collected,
    )
    path = f"/dashboards/?year={run.year.label}&period={run.period}"
    try:
        for _ in range(100):
            try:
                connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
                connection.request("GET", "/healthz")
                connection.getresponse().read()
                break
            except OSError:
                time.sleep(0.2)
        for cookie in cookies[: int(workers) * 3]:  # warm each worker process's cache
            connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
            connection.request("GET", path, headers={"Cookie": cookie})
            connection.getresponse().read()
        server_ms: list[float] = []
        total_ms: list[float] = []
        errors: list[int] = []
        lock = threading.Lock()

        def user(cookie: str) -> None:
            connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
            for _ in range(REQUESTS_PER_USER):
                started = time.perf_counter()
                connection.request("GET", path, headers={"Cookie": cookie})
                response = connection.getresponse()
                response.read()
                elapsed = (time.perf_counter() - started) * 1000
                timing = response.getheader("Server-Timing", "app;dur=0").split("dur=")[-1]
                with lock:
                    if response.status != 200:
                        errors.append(response.status)
                    server_ms.append(float(timing))
                    total_ms.append(elapsed)

        threads = [threading.Thread(target=user, args=(cookie,)) for cookie in cookies]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.perf_counter() - started
        print(
            f"  period dashboard, {USERS} concurrent users × {REQUESTS_PER_USER} requests on PostgreSQL "
            f"(gunicorn, {workers} workers, {os.cpu_count()} cores): {len(total_ms)} responses in {wall:.1f} s, "
            f"{len(errors)} errors"
        )
        if errors:  # a redirect or an error page is quick: its timings would flatter the dashboard
            raise SystemExit(
                f"  not measured: {len(errors)} responses were not the dashboard (statuses {sorted(set(errors))})"
            )
        print(
            f"    server time p50 {statistics.median(server_ms):.0f} ms, p95 {percentile(server_ms, 0.95):.0f} ms "
            f"[target p95 < 300 ms]; whole response p50 {statistics.median(total_ms):.0f} ms, "
            f"p95 {percentile(total_ms, 0.95):.0f} ms (includes waiting for a free worker)"
        )
        first_visit_figures(path, cookies)
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(static_root, ignore_errors=True)
    pdf_figures(authority, run)


def first_visit_figures(path: str, cookies: list[str]) -> None:
    """Each user loads the page and then every script and stylesheet it links, as a browser with
    an empty cache does (over one keep-alive connection, gzip accepted): bytes on the wire, and
    the time until the last file has arrived."""
    connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
    connection.request("GET", path, headers={"Cookie": cookies[0]})
    page = connection.getresponse().read().decode()
    assets = sorted(set(re.findall(r'(?:src|href)="(/static/[^"]+\.(?:js|css))"', page)))
    totals: list[float] = []
    wire: list[int] = []
    lock = threading.Lock()

    def visit(cookie: str) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=120)
        started = time.perf_counter()
        received = 0
        for url in [path, *assets]:
            connection.request("GET", url, headers={"Cookie": cookie, "Accept-Encoding": "gzip"})
            received += len(connection.getresponse().read())
        with lock:
            totals.append((time.perf_counter() - started) * 1000)
            wire.append(received)

    threads = [threading.Thread(target=visit, args=(cookie,)) for cookie in cookies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(
        f"  first visit (page + {len(assets)} scripts and stylesheets, empty cache, gzip accepted), {len(cookies)} "
        f"concurrent users: {statistics.median(wire) / 1e6:.2f} MB on the wire each; until the last file "
        f"p50 {statistics.median(totals):.0f} ms, p95 {percentile(totals, 0.95):.0f} ms"
    )


def pdf_figures(authority, run) -> None:  # type: ignore[no-untyped-def]
    from accounts.models import Role, User
    from dashboards.models import PublishedPeriod, SnapshotPdf
    from dashboards.printing import snapshot_pdf_generate
    from dashboards.services import period_sign_off, snapshot_pdf_request
    from dashboards.sign_off_reads import sign_off_checks

    director = User.objects.get(username="bench-director")
    assert director.role == Role.DIRECTOR
    published = PublishedPeriod.objects.filter(run=run).first() or period_sign_off(
        authority=authority,
        user=director,
        run=run,
        comment="Benchmark sign-off",
        acknowledged={item.key for item in sign_off_checks(run).items},
    )
    pdf = snapshot_pdf_request(published=published, user=director)
    started = time.perf_counter()
    status = snapshot_pdf_generate(pdf_id=pdf.pk)
    seconds = time.perf_counter() - started
    pdf.refresh_from_db()
    if pdf.status == SnapshotPdf.Status.READY and status == "not claimed":
        # Made by an earlier run on this database: a published PDF is never made again, so its
        # stored making time is reported.
        status, seconds = pdf.status, pdf.seconds or 0.0
    size = len(pdf.content or b"")
    pages = "?"
    try:
        info = subprocess.run(["pdfinfo", "-"], input=bytes(pdf.content or b""), capture_output=True, check=True)
        pages = next(line.split()[-1] for line in info.stdout.decode().splitlines() if line.startswith("Pages:"))
    except (OSError, subprocess.CalledProcessError, StopIteration):
        pass
    print(
        f"  committee PDF snapshot (system Chromium): {seconds:.1f} s, {pages} pages, {size / 1e6:.1f} MB ({status})"
        "   [target < 15 s]"
    )


if __name__ == "__main__":
    main()
