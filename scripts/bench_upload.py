"""Upload figures for `make bench`: a bad spreadsheet of about 1.7 MB (every row with a problem)
through the upload page. The request only keeps the file and queues its check, so it should take
well under a second whatever the file; the check (in a worker) is timed apart, then the preview
page and the download of every problem.

Needs PostgreSQL (DATABASE_URL; default the local one) and a broker (CELERY_BROKER_URL; default
the local Redis; the one message it queues is purged). It creates and drops its own database,
`<name>_upload_bench`."""

from __future__ import annotations

import os
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
BASE_URL = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/outturn")
BENCH_URL = BASE_URL.rsplit("/", 1)[0] + "/" + BASE_URL.rsplit("/", 1)[1].split("?")[0] + "_upload_bench"
os.environ["DATABASE_URL"] = BENCH_URL
os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_DEBUG", "1")

ROWS = 72_000  # about 1.7 MB of actuals, every one with a problem
TIMES = 5


def database(action: str) -> None:
    from bench_database import own_database  # scripts/ is on the path when a script runs

    own_database(BENCH_URL, action)


def bad_actuals() -> bytes:
    lines = ["line_code,period,amount"]
    lines += [f"LINE-{n:06d},{13 + n % 40},{n}.5x" for n in range(ROWS)]
    return ("\n".join(lines) + "\n").encode()


def main() -> int:
    database("create")
    try:
        import django

        django.setup()
        from django.core.files.uploadedfile import SimpleUploadedFile
        from django.core.management import call_command
        from django.test import Client

        from accounts.models import Authority, Role, User
        from config.celery import app
        from core.models import ImportBatch
        from core.services import import_batch_check

        call_command("migrate", verbosity=0)
        authority = Authority.objects.create(code="BENCH", name="Bench County Council")
        user = User.objects.create_user("bench", authority=authority, role=Role.FINANCE_OFFICER)
        client = Client()
        client.force_login(user)
        data = bad_actuals()

        def upload() -> float:
            started = time.perf_counter()
            response = client.post(
                "/uploads/", {"kind": "actuals", "year": "2019/20", "file": SimpleUploadedFile("actuals.csv", data)}
            )
            assert response.status_code == 302
            return time.perf_counter() - started

        # The first upload of a web process also loads the broker's client and connects to it.
        first_s = upload()
        times = sorted(upload() for _ in range(TIMES))
        request_s, slowest_s = times[len(times) // 2], times[-1]
        app.control.purge()
        assert not ImportBatch.objects.exclude(status=ImportBatch.Status.CHECKING).exists()
        batch = ImportBatch.objects.latest("pk")
        tracemalloc.start()
        started = time.perf_counter()
        import_batch_check(batch_id=batch.pk)
        check_s = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        batch.refresh_from_db()
        started = time.perf_counter()
        page = client.get(f"/uploads/{batch.pk}/")
        page_s = time.perf_counter() - started
        started = time.perf_counter()
        download = client.get(f"/uploads/{batch.pk}/?download=problems")
        download_s = time.perf_counter() - started
        print(f"| a {len(data) / 1e6:.1f} MB actuals file, {ROWS:,} rows each with problems | |")
        print(
            f"| upload request (keeps the file, queues the check): median / slowest of {TIMES}"
            f" | {request_s:.2f} / {slowest_s:.2f} s | < 1 s |"
        )
        print(f"| the first upload of a web process (loads the broker client) | {first_s:.2f} s | |")
        print(
            f"| the check in the worker: {batch.problem_count:,} problems | {check_s:.2f} s, peak {peak / 1e6:.0f} MB |"
        )
        print(
            f"| what the upload keeps: {len(batch.errors)} problems as JSON, every one as gzipped CSV"
            f" | {len(bytes(batch.problems_csv)) / 1e6:.2f} MB |"
        )
        print(f"| preview page | {page_s:.3f} s, {len(page.content) / 1e3:.0f} kB |")
        print(f"| download of every problem (CSV) | {download_s:.3f} s, {len(download.content) / 1e6:.1f} MB |")
    finally:
        database("drop")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
