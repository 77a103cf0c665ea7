"""The pure forecast engine: Python, pandas and numpy only; never Django (see FORECAST.md).

`run_engine`, `EngineInputs`, `EngineResult` and `ENGINE_VERSION` are exported lazily so that
importing a small helper such as `forecasting.engine.calendar` does not load pandas models.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .inputs import EngineInputError, EngineInputs, inputs_hash
    from .result import EngineResult, to_export_frames
    from .run import ENGINE_VERSION, run_engine

__all__ = [
    "ENGINE_VERSION",
    "EngineInputError",
    "EngineInputs",
    "EngineResult",
    "inputs_hash",
    "run_engine",
    "to_export_frames",
]

_WHERE = {
    "ENGINE_VERSION": "run",
    "run_engine": "run",
    "EngineInputs": "inputs",
    "EngineInputError": "inputs",
    "inputs_hash": "inputs",
    "EngineResult": "result",
    "to_export_frames": "result",
}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        import importlib

        module = importlib.import_module(f"{__name__}.{_WHERE[name]}")
        return getattr(module, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
