"""The register read once for every projection of a run.

A run projects the placements several times (each scenario, and the reported scenario again
with its p10 and p90 paths), always from the same register. Reading it (effective ends, entries
and exits) and counting its month-end history cost more than the projection itself, so a run
keeps them here and each projection asks. The register and types must not change while a memo
is in use: the engine's run makes its own copy of the register first.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pandas as pd

from forecasting.engine.placements.history import month_end_history_of_rows
from forecasting.engine.placements.register import RegisterRows, read_register


class RegisterMemo:
    """`read_register` and `month_end_history` of one register and types table, each worked
    out once for each distinct set of extra types or dates asked for."""

    def __init__(self, register: pd.DataFrame, types: pd.DataFrame) -> None:
        self.register = register
        self.types = types
        self._known = {str(c) for c in types["code"]} | {str(c) for c in register["placement_type"].unique()}
        self._rows: dict[tuple[str, ...], RegisterRows] = {}
        self._history: dict[tuple[date, date | None], pd.DataFrame] = {}

    def rows(self, extra_types: Sequence[str] = ()) -> RegisterRows:
        # Extra types already in the register or the types table change nothing.
        key = tuple(sorted({str(t) for t in extra_types} - self._known))
        if key not in self._rows:
            self._rows[key] = read_register(self.register, self.types, key)
        return self._rows[key]

    def history(self, *, up_to: date, from_date: date | None = None) -> pd.DataFrame:
        key = (up_to, from_date)
        if key not in self._history:
            self._history[key] = month_end_history_of_rows(self.rows(), up_to=up_to, from_date=from_date)
        return self._history[key]
