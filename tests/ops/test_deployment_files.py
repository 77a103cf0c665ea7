"""docker-compose and the image: migrations before the app starts, restarts, health checks, a
user who is not root, `.env` kept out of the image, and every install from the lock."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def _compose() -> dict:  # type: ignore[type-arg]
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_the_app_starts_after_migrations_restarts_and_reports_its_health() -> None:
    services = _compose()["services"]
    for name in ("web", "worker", "beat"):
        service = services[name]
        assert service["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}, name
        assert service["restart"] == "unless-stopped", name
        assert service["healthcheck"]["test"], name
        assert "user" not in service, f"{name} runs as the image's own user"
    for name in ("db", "redis"):
        assert services[name]["restart"] == "unless-stopped" and services[name]["healthcheck"]["test"], name
    assert services["migrate"]["restart"] == "no"
    assert "healthz?check=web" in " ".join(services["web"]["healthcheck"]["test"])


def test_the_image_installs_from_the_lock_and_runs_as_a_plain_user() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "pip install --no-cache-dir --require-hashes --no-deps -r deploy/requirements.txt" in dockerfile
    users = re.findall(r"^USER (\S+)$", dockerfile, flags=re.MULTILINE)
    assert users and users[-1] not in {"root", "0"}
    assert dockerfile.index("ENV DJANGO_STATIC_COLLECTED=1") < dockerfile.index("collectstatic")
    assert "HEALTHCHECK" in dockerfile


def test_secrets_stay_out_of_the_image() -> None:
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert ".env" in ignored and ".env.*" in ignored and "!.env.example" in ignored


def test_make_and_ci_install_from_the_lock() -> None:
    makefile = (ROOT / "Makefile").read_text()
    assert "$(UV) sync --locked" in makefile
    assert "--require-hashes" in makefile
    assert "requirements.txt" not in makefile.replace("deploy/requirements.txt", "")
    assert "make test" in (ROOT / ".ci" / "run").read_text()
