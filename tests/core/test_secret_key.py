"""Outside DEBUG the web app, the worker and beat refuse to start with the built-in secret key."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.startup import require_secret_key

ROOT = Path(__file__).resolve().parents[2]


def test_the_built_in_key_is_refused_outside_debug(settings) -> None:  # type: ignore[no-untyped-def]
    settings.DEBUG, settings.SECRET_KEY_IS_LOCAL = False, True
    with pytest.raises(ImproperlyConfigured, match="DJANGO_SECRET_KEY is not set"):
        require_secret_key()
    settings.DEBUG = True  # a developer's machine
    require_secret_key()
    settings.DEBUG, settings.SECRET_KEY_IS_LOCAL = False, False  # production sets its own
    require_secret_key()


def _start_web_app(**env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SECRET_KEY", "DJANGO_DEBUG")}
    return subprocess.run(
        [sys.executable, "-c", "import config.wsgi"],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_web_app_does_not_start_without_a_key_and_does_with_one() -> None:
    refused = _start_web_app()
    assert refused.returncode != 0 and "DJANGO_SECRET_KEY is not set" in refused.stderr
    assert _start_web_app(DJANGO_SECRET_KEY="a-long-random-value-for-this-test-0123456789").returncode == 0
