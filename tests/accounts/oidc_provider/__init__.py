"""A real OpenID Connect provider for the sign-in tests, run as its own process on a free port.

It is django-oidc-provider (a maintained provider implementation) in a small Django project of its
own (`settings.py`, `urls.py`), with its own SQLite database: discovery, an authorisation endpoint
behind a username-and-password form, a token endpoint, RS256 keys at its JWKS address and
userinfo. `serve.py` prepares it (people, groups, the client, a key) and serves it; `Provider`
below starts and stops it for a test. Nothing here is product code.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parents[3]
PASSWORD = "provider-pass-1234"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Provider:
    """A provider process: its people (username -> groups, and any fault), the client it knows."""

    workdir: Path
    redirect_uris: list[str]
    people: dict[str, dict[str, Any]]
    client_id: str = "outturn-test-client"
    client_secret: str = "outturn-test-secret-0123456789"
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def issuer(self) -> str:
        return f"{self.url}/openid"

    def start(self) -> Provider:
        config = self.workdir / "provider.json"
        config.write_text(
            json.dumps(
                {
                    "port": self.port,
                    "client_id": self.client_id,
                    "client_secret": self.client_secret,
                    "redirect_uris": self.redirect_uris,
                    "people": self.people,
                    "password": PASSWORD,
                    "database": str(self.workdir / "provider.sqlite3"),
                }
            )
        )
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
        env["OIDC_TEST_PROVIDER_CONFIG"] = str(config)
        log = (self.workdir / "provider.log").open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.accounts.oidc_provider.serve"], cwd=ROOT, env=env, stdout=log, stderr=log
        )
        self._wait()
        return self

    def _wait(self) -> None:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError("The test provider stopped:\n" + (self.workdir / "provider.log").read_text())
            try:
                if requests.get(f"{self.issuer}/.well-known/openid-configuration", timeout=2).ok:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.3)
        raise RuntimeError("The test provider did not start:\n" + (self.workdir / "provider.log").read_text())

    def stop(self) -> None:
        # It keeps nothing worth a clean stop: its database is thrown away with the folder.
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
