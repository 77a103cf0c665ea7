"""The dependencies: declared in pyproject.toml, locked with hashes in uv.lock, exported for the
image, each one used, and the Python plotly moving with the vendored plotly.js."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
UV = Path(sys.executable).parent / "uv"

# How each run-time dependency is used when not by `import <its name>`: named in settings, or
# run as a program.
USED_AS = {
    "django": "import django",
    "psycopg2-binary": "import psycopg2",
    "dj-database-url": "import dj_database_url",
    "celery": "from celery import",
    "django-celery-results": "django_celery_results",
    "django-celery-beat": '"django_celery_beat"',
    "django-axes": '"axes"',
    "whitenoise": "whitenoise.middleware.WhiteNoiseMiddleware",
    "gunicorn": "gunicorn config.wsgi:application",
    "openpyxl": "import openpyxl",
    "python-calamine": "python_calamine",
    "defusedxml": "defusedxml",
    "django-stubs-ext": "import django_stubs_ext",
    "plotly": "import plotly",
    "statsforecast": "statsforecast",
    "numpy": "import numpy",
    "pandas": "import pandas",
    "playwright": "from playwright",
    "sentry-sdk": "import sentry_sdk",
    "pyarrow": "import pyarrow",
    "authlib": "from authlib",
    "joserfc": "from joserfc",
    "requests": "import requests",
    "pyotp": "import pyotp",
    "segno": "import segno",
}


def _pyproject() -> dict:  # type: ignore[type-arg]
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def _name(requirement: str) -> str:
    return re.split(r"[\[<>=!~ ;]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def _tracked_text() -> str:
    files = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    wanted = [f for f in files if f.endswith((".py", ".yml")) or f in {"Dockerfile", "Makefile"}]
    return "\n".join((ROOT / f).read_text(errors="replace") for f in wanted if not f.startswith("tests/"))


def test_every_run_time_dependency_is_used() -> None:
    declared = {_name(r) for r in _pyproject()["project"]["dependencies"]}
    assert declared == set(USED_AS), "a new dependency says here how it is used (or an unused one is removed)"
    text = _tracked_text()
    unused = [name for name, use in USED_AS.items() if use not in text]
    assert unused == []


def test_the_image_requirements_are_the_lock_exported() -> None:
    exported = subprocess.run(
        [str(UV), "export", "--frozen", "--no-dev", "--no-emit-project", "--no-header", "--quiet"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert exported == (ROOT / "deploy" / "requirements.txt").read_text(), "run `make lock`"
    # Every package is pinned to one version and carries hashes, so pip --require-hashes takes it.
    blocks = [b for b in re.split(r"\n(?=\S)", exported.strip()) if not b.startswith("#")]
    assert blocks and all(re.match(r"^[A-Za-z0-9_.\[\],-]+==\S+", b) and "--hash=sha256:" in b for b in blocks)
    assert "sqlalchemy" not in exported.lower()


def test_the_bootstrap_uv_is_the_locked_uv() -> None:
    lock = (ROOT / "uv.lock").read_text()
    locked = re.search(r'\[\[package\]\]\nname = "uv"\nversion = "([^"]+)"', lock)
    assert locked
    bootstrap = (ROOT / "deploy" / "bootstrap-uv.txt").read_text()
    assert f"uv=={locked.group(1)} \\" in bootstrap and "--hash=sha256:" in bootstrap
    assert f"uv=={locked.group(1)}" in _pyproject()["dependency-groups"]["dev"]


def test_python_plotly_matches_the_vendored_plotly_js() -> None:
    vendored = (ROOT / "static" / "vendor" / "plotly").glob("plotly*.min.js")
    headers = {p.name: re.search(r"plotly\.js[^\n]*? v(\d+)\.(\d+)\.\d+", p.read_text()[:300]) for p in vendored}
    assert headers and all(headers.values())
    import plotly

    bundled = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    python_side = re.search(r"plotly\.js v(\d+)\.(\d+)\.\d+", bundled.read_text()[:300])
    assert python_side
    for match in headers.values():
        assert match.groups() == python_side.groups()  # type: ignore[union-attr]
    assert version("plotly") == next(_pin(r) for r in _pyproject()["project"]["dependencies"] if _name(r) == "plotly")


def _pin(requirement: str) -> str:
    assert "==" in requirement, "plotly is pinned to one release"
    return requirement.split("==", 1)[1]
