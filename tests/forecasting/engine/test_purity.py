"""The engine is pure: importing it and every one of its modules loads no Django module.

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
names = sorted(m.name for m in pkgutil.iter_modules(engine.__path__, engine.__name__ + "."))
for name in names:
    importlib.import_module(name)
engine.run_engine, engine.EngineInputs, engine.EngineResult, engine.ENGINE_VERSION
loaded = sorted(m for m in sys.modules if m == "django" or m.startswith("django."))
print("MODULES", ",".join(names))
print("DJANGO", ",".join(loaded))
"""


def test_importing_the_engine_and_every_submodule_loads_no_django_module() -> None:
    completed = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )
    assert completed.returncode == 0, completed.stderr
    lines = dict(line.split(" ", 1) if " " in line else (line, "") for line in completed.stdout.splitlines())
    modules = lines["MODULES"].split(",")
    for expected in ("run", "inputs", "result", "workforce", "other_lines", "variance", "synthetic"):
        assert f"forecasting.engine.{expected}" in modules
    assert lines["DJANGO"].strip() == "", f"the engine loaded Django: {lines['DJANGO']}"
