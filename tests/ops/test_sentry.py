"""Error reporting: nothing is started without SENTRY_DSN; with one, an error reaches the DSN's
server (a local one here) and carries no personal details."""

from __future__ import annotations

import gzip
import http.server
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

REPORT = """
import django, json, logging
django.setup()
import sentry_sdk
from django.conf import settings
active = sentry_sdk.get_client().is_active()
if active:
    try:
        raise RuntimeError("test error for the error-reporting check")
    except RuntimeError:
        logging.getLogger("outturn.check").exception("It failed")
    sentry_sdk.flush(timeout=10)
print(json.dumps({"enabled": settings.SENTRY_ENABLED, "active": active}))
"""


def _run(dsn: str | None) -> dict[str, bool]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SENTRY_")}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    if dsn is not None:
        env["SENTRY_DSN"] = dsn
    done = subprocess.run(
        [sys.executable, "-c", REPORT], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_without_a_dsn_nothing_is_started() -> None:
    assert _run(None) == {"enabled": False, "active": False}
    assert _run("  ") == {"enabled": False, "active": False}


def test_with_a_dsn_an_error_reaches_its_server() -> None:
    received: list[tuple[str, bytes]] = []

    class Receiver(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - the name http.server calls
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            if self.headers.get("Content-Encoding") == "gzip":
                body = gzip.decompress(body)
            received.append((self.path, body))
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *_: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        port = server.server_address[1]
        assert _run(f"http://publickey@127.0.0.1:{port}/42") == {"enabled": True, "active": True}
    finally:
        server.shutdown()
    assert received, "the error reached the server"
    path, body = received[0]
    assert path == "/api/42/envelope/"
    text = body.decode()
    assert "test error for the error-reporting check" in text
    event = next(json.loads(line) for line in text.splitlines() if '"exception"' in line)
    assert event["exception"]["values"][0]["type"] == "RuntimeError"
    # Nothing personal: no user details, and no local variables from the frames.
    assert "user" not in event or not event["user"].get("ip_address")
    frames = event["exception"]["values"][0]["stacktrace"]["frames"]
    assert all("vars" not in frame for frame in frames)
