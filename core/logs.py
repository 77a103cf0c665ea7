"""Logs as one JSON object a line, each carrying what it happened for: the request id, the user,
the authority and the forecast run (docs/deployment.md, "Logs"). The context lives in
contextvars, set by core.log_middleware for a request and by config.celery for a task, so any
logger anywhere picks it up without being passed it."""

from __future__ import annotations

import json
import logging
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

# The fields a line may carry beyond the message; None is left out of the line.
CONTEXT_FIELDS = ("request_id", "user", "authority", "run_id", "task", "task_id")
_context: ContextVar[dict[str, Any] | None] = ContextVar("outturn_log_context", default=None)


def log_context() -> dict[str, Any]:
    return dict(_context.get() or {})


def log_context_update(**fields: Any) -> None:
    """Add to the current context (e.g. the user, once the session is read)."""
    merged = {**(_context.get() or {}), **{k: v for k, v in fields.items() if v is not None}}
    _context.set(merged)


@contextmanager
def log_context_bound(**fields: Any) -> Iterator[None]:
    """A fresh context for one request or task, gone when it ends."""
    token = _context.set({k: v for k, v in fields.items() if v is not None})
    try:
        yield
    finally:
        _context.reset(token)


def log_context_set(**fields: Any) -> object:
    """A fresh context, for code that cannot use a `with` (Celery's prerun/postrun signals)."""
    return _context.set({k: v for k, v in fields.items() if v is not None})


def log_context_clear() -> None:
    _context.set(None)


def log_context_reset(token: object) -> None:
    _context.reset(token)  # type: ignore[arg-type]


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC, ISO 8601), level, logger, message, the context fields,
    and the traceback as text when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        line.update(log_context())
        for field in CONTEXT_FIELDS:  # passed explicitly with extra={...}
            if getattr(record, field, None) is not None:
                line[field] = getattr(record, field)
        if record.exc_info:
            line["exception"] = "".join(traceback.format_exception(*record.exc_info)).rstrip()
        elif record.exc_text:
            line["exception"] = record.exc_text
        return json.dumps(line, default=str, ensure_ascii=False)
