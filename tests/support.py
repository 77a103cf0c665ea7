"""Starting a real Celery worker process against the test database and the configured broker."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.db import connection
from django.test import Client

ROOT = Path(__file__).resolve().parents[1]


def test_database_url() -> str:
    """A URL the worker process can use to reach the database this test run created."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    user = settings.get("USER") or "postgres"
    password = f":{settings['PASSWORD']}" if settings.get("PASSWORD") else ""
    host = settings.get("HOST") or "127.0.0.1"
    port = settings.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{settings['NAME']}"


@contextmanager
def celery_worker(
    *, queue: str | None = None, extra_env: dict[str, str] | None = None
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """Run `celery worker` on its own queue (so no other worker takes our messages)."""
    queue = queue or f"test-{uuid.uuid4().hex[:10]}"
    env = {**os.environ, "DATABASE_URL": test_database_url(), "DJANGO_SETTINGS_MODULE": "config.settings"}
    env.setdefault("DJANGO_SECRET_KEY", f"test-worker-{uuid.uuid4().hex}")  # a worker refuses the built-in key
    env.update(extra_env or {})
    log = ROOT / "var" / f"worker-{queue}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--pool=solo",
                "-Q",
                queue,
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--loglevel=INFO",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            yield queue, process
        finally:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


def wait_until(predicate, *, timeout: float = 60.0, interval: float = 0.2) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return False


def signed_in(user: Any) -> Client:
    """A client signed in as `user` as after a whole sign-in: for a director or administrator,
    with their second step done (a bare `force_login` session is asked for the code)."""
    from accounts.sign_in_views import SECOND_STEP_KEY

    client = Client()
    client.force_login(user)
    session = client.session
    session[SECOND_STEP_KEY] = user.pk
    session.save()
    return client
