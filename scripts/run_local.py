"""`make run`: the first look. Migrates SQLite, loads the demo county, starts a real Celery worker
and beat on the local filesystem transport, and serves the site; Ctrl-C stops everything."""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def local_secret_key() -> str:
    """This machine's own secret key for the first look, made once and kept in var/ (readable
    by this user only): the app refuses the built-in one outside DEBUG."""
    path = ROOT / "var" / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


def manage(*args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, check=True)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", default=os.environ.get("PORT", "8000"))
    parser.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DJANGO_SECRET_KEY", local_secret_key())
    # A first look needs no phone: the demo asks no authenticator code unless told to (the
    # setting's default everywhere else is directors and administrators).
    os.environ.setdefault("OUTTURN_SECOND_FACTOR_ROLES", "")
    # Log lines for a person at a terminal; a deployment keeps the default, JSON (docs/deployment.md).
    os.environ.setdefault("LOG_FORMAT", "plain")
    manage("migrate", "--noinput", "-v", "0")
    manage("seed_demo")
    logs = ROOT / "var" / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    children = []
    for name, command in (
        ("worker", ["-m", "celery", "-A", "config", "worker", "--pool=solo", "--loglevel=INFO"]),
        ("beat", ["-m", "celery", "-A", "config", "beat", "--loglevel=INFO"]),
    ):
        out = open(logs / f"{name}.log", "ab")  # noqa: SIM115 - kept open for the child's life
        children.append(subprocess.Popen([sys.executable, *command], cwd=ROOT, stdout=out, stderr=subprocess.STDOUT))
    url = f"http://{args.host}:{args.port}/"
    print(f"\nOutturn is starting at {url}")
    print("Celery worker and beat are running (logs in var/logs/). Press Ctrl-C to stop.")
    if not os.environ["OUTTURN_SECOND_FACTOR_ROLES"]:
        print("The demo asks no authenticator code; OUTTURN_SECOND_FACTOR_ROLES=director,administrator asks one.")
    print()
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"{args.host}:{args.port}", "--noreload"], cwd=ROOT
    )
    children.append(server)

    def stop(*_: object) -> None:
        for child in children:
            if child.poll() is None:
                child.terminate()
        for child in children:
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
        sys.exit(0)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    while server.poll() is None:
        time.sleep(1)
    stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
