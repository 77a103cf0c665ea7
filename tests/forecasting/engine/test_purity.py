"""The engine is pure: importing it and every one of its modules loads no Django module.
Nor does the SSDA903 reader and cleaner (placements.ssda903), which loads no app module either.

Checked in a fresh interpreter, because the test process itself may have Django loaded.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

SCRIPT = """
import importlib, pkgutil, sys
import forecasting.engine as engine
# walk_packages: the modules inside the engine's packages (placements, savings, ...) too
names = sorted(m.name for m in pkgutil.walk_packages(engine.__path__, engine.__name__ + "."))
for name in names:
    importlib.import_module(name)
engine.run_engine, engine.EngineInputs, engine.EngineResult, engine.ENGINE_VERSION
loaded = sorted(m for m in sys.modules if m == "django" or m.startswith("django."))
print("MODULES", ",".join(names))
print("DJANGO", ",".join(loaded))
"""

SSDA903_SCRIPT = """
import importlib, pkgutil, sys
import placements.ssda903 as package
names = sorted(m.name for m in pkgutil.iter_modules(package.__path__, package.__name__ + "."))
for name in names:
    importlib.import_module(name)
package.read_903_files, package.clean_episodes, package.default_mapping, package.STEPS
print("MODULES", ",".join(names))
print("LOADED", ",".join(sorted(sys.modules)))
"""


def _run(script: str) -> dict[str, str]:
    completed = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )
    assert completed.returncode == 0, completed.stderr
    return dict(line.split(" ", 1) if " " in line else (line, "") for line in completed.stdout.splitlines())


def test_importing_the_engine_and_every_submodule_loads_no_django_module() -> None:
    lines = _run(SCRIPT)
    modules = lines["MODULES"].split(",")
    for expected in (
        "run",
        "inputs",
        "inputs.checks",
        "result",
        "workforce",
        "workforce.forecast",
        "placements",
        "placements.projection",
        "savings",
        "savings.delivery",
        "other_lines",
        "variance",
        "synthetic",
    ):
        assert f"forecasting.engine.{expected}" in modules
    assert lines["DJANGO"].strip() == "", f"the engine loaded Django: {lines['DJANGO']}"


def test_the_ssda903_package_and_every_module_load_no_django_and_no_app_module() -> None:
    lines = _run(SSDA903_SCRIPT)
    modules = lines["MODULES"].split(",")
    for expected in ("reading", "mapping", "cleaning", "episode_steps", "history_steps", "state"):
        assert f"placements.ssda903.{expected}" in modules
    loaded = lines["LOADED"].split(",")
    django = [m for m in loaded if m == "django" or m.startswith("django.")]
    assert not django, f"placements.ssda903 loaded Django: {django}"
    # The project's own packages (apps, config): only the empty placements/__init__ may be loaded.
    # `wording` is not an app: plain Python below every layer, which import-linter holds free of both.
    apps = {p.name for p in ROOT.iterdir() if (p / "__init__.py").is_file()} - {"wording"}
    # The bounded reader (tablereader) is Django-free too, and is how the files are read.
    own = [
        m
        for m in loaded
        if m.split(".")[0] in apps and m != "placements" and not m.startswith(("placements.ssda903", "tablereader"))
    ]
    assert not own, f"placements.ssda903 loaded app modules: {own}"


DEMAND_SCRIPT = """
import importlib, pkgutil, sys
import forecast_runs.demand as package
names = sorted(m.name for m in pkgutil.iter_modules(package.__path__, package.__name__ + "."))
for name in names:
    importlib.import_module(name)
print("MODULES", ",".join(names))
print("LOADED", ",".join(sorted(sys.modules)))
"""


def test_the_demand_forecast_package_loads_no_django_and_no_app_module_but_its_own() -> None:
    """forecast_runs.demand (the replay, the choice of method, the intervals) is pure too: it uses
    placements.ssda903 and the engine, never Django, models or the forecast_runs app itself."""
    lines = _run(DEMAND_SCRIPT)
    modules = lines["MODULES"].split(",")
    for expected in ("replay", "series", "methods", "backtest", "selection", "intervals", "forecast", "series_file"):
        assert f"forecast_runs.demand.{expected}" in modules
    loaded = lines["LOADED"].split(",")
    django = [m for m in loaded if m == "django" or m.startswith("django.")]
    assert not django, f"forecast_runs.demand loaded Django: {django}"
    # `wording` is not an app: plain Python below every layer, which import-linter holds free of both.
    apps = {p.name for p in ROOT.iterdir() if (p / "__init__.py").is_file()} - {"wording"}
    allowed = ("forecast_runs.demand", "placements.ssda903", "forecasting.engine", "tablereader")
    own = [
        m
        for m in loaded
        if m.split(".")[0] in apps
        and m not in ("forecast_runs", "placements", "forecasting")
        and not m.startswith(allowed)
    ]
    assert not own, f"forecast_runs.demand loaded app modules: {own}"
    assert "statsforecast" not in loaded, "the statistical library is imported only when a fit is needed"


TABLEREADER_SCRIPT = """
import importlib, pkgutil, sys
import tablereader as package
names = sorted(m.name for m in pkgutil.iter_modules(package.__path__, package.__name__ + "."))
for name in names:
    importlib.import_module(name)
package.read_sheet, package.Limits
print("MODULES", ",".join(names))
print("LOADED", ",".join(sorted(sys.modules)))
"""


def test_the_bounded_reader_loads_no_django_and_no_app_module() -> None:
    """tablereader reads every file for every import, the SSDA903 cleaner's included, so it may
    use neither Django nor any app."""
    lines = _run(TABLEREADER_SCRIPT)
    for expected in ("limits", "csvfile", "xlsxzip", "sheetscan", "xlsx", "sheet"):
        assert f"tablereader.{expected}" in lines["MODULES"].split(",")
    loaded = lines["LOADED"].split(",")
    assert not [m for m in loaded if m == "django" or m.startswith("django.")]
    apps = {p.name for p in ROOT.iterdir() if (p / "__init__.py").is_file()}
    assert not [m for m in loaded if m.split(".")[0] in apps and not m.startswith("tablereader")]
