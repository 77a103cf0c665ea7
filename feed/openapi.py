"""The feed's OpenAPI 3 schema, written from the same column definitions the endpoints use."""

from __future__ import annotations

from typing import Any

from feed.columns import (
    BOOLEAN,
    DATE,
    DATETIME,
    INTEGER,
    NUMBER,
    PERCENT,
    PERIOD_COLUMNS,
    POUNDS,
    RUN_COLUMNS,
    TABLE_WORDS,
    TABLES,
    Column,
    table_columns,
)

VERSION = "1"
TITLE_CASE = {name: name.capitalize() for name in TABLES}

_TYPES: dict[str, dict[str, Any]] = {
    POUNDS: {"type": "number", "description_suffix": " (pounds, at most 2 decimal places)"},
    NUMBER: {"type": "number", "description_suffix": " (2 decimal places)"},
    PERCENT: {"type": "number", "description_suffix": " (3.1 means 3.1%)"},
    INTEGER: {"type": "integer", "description_suffix": ""},
    BOOLEAN: {"type": "boolean", "description_suffix": ""},
    DATE: {"type": "string", "format": "date", "description_suffix": ""},
    DATETIME: {"type": "string", "format": "date-time", "description_suffix": ""},
}


def column_schema(column: Column) -> dict[str, Any]:
    spec = dict(_TYPES.get(column.kind, {"type": "string", "description_suffix": ""}))
    suffix = spec.pop("description_suffix")
    spec["description"] = column.description + suffix
    if column.nullable:
        spec["nullable"] = True
    return spec


def row_schema(columns: tuple[Column, ...]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {column.name: column_schema(column) for column in columns},
        "required": [column.name for column in columns],
        "additionalProperties": False,
    }


def _format_parameter() -> dict[str, Any]:
    return {
        "name": "format",
        "in": "query",
        "required": False,
        "description": "json (the default) or csv; a .json or .csv ending on the address does the same",
        "schema": {"type": "string", "enum": ["json", "csv"]},
    }


def _published_parameter() -> dict[str, Any]:
    return {
        "name": "published",
        "in": "path",
        "required": True,
        "description": "A published_id from /periods, or latest for the newest version of the latest period",
        "schema": {"type": "string", "pattern": "^([0-9]+|latest)$"},
    }


def _error(text: str) -> dict[str, Any]:
    return {"description": text, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def _errors(*codes: str) -> dict[str, Any]:
    words = {
        "401": "No token, or an unknown or revoked one",
        "404": "Nothing of that name for the token's authority",
        "409": "The published version no longer matches what was signed off; nothing is served",
        "429": "Too many requests this minute; the Retry-After header says how many seconds to wait",
    }
    return {code: _error(words[code]) for code in codes}


def _get(summary: str, schema: dict[str, Any], params: list[dict[str, Any]], errors: tuple[str, ...]) -> Any:
    return {
        "get": {
            "summary": summary,
            "parameters": [*params, _format_parameter()],
            "responses": {
                "200": {
                    "description": summary,
                    "content": {
                        "application/json": {"schema": schema},
                        "text/csv": {"schema": {"type": "string"}},
                    },
                },
                **_errors(*errors),
            },
        }
    }


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def paths() -> dict[str, Any]:
    """Every address of the feed (after /api/v1) and what it answers."""
    out: dict[str, Any] = {
        "/periods": _get("Every published version", {"type": "array", "items": _ref("Period")}, [], ("401", "429")),
        "/periods/{published}": _get(
            "One published version", _ref("Period"), [_published_parameter()], ("401", "404", "409", "429")
        ),
        "/latest": _get("The latest finished forecast run", _ref("Run"), [], ("401", "404", "429")),
    }
    for name in TABLES:
        rows = {"type": "array", "items": _ref(f"{TITLE_CASE[name]}Row")}
        out[f"/periods/{{published}}/{name}"] = _get(
            f"{TABLE_WORDS[name]}: a published version",
            rows,
            [_published_parameter()],
            ("401", "404", "409", "429"),
        )
        out[f"/latest/{name}"] = _get(f"{TABLE_WORDS[name]}: the latest finished run", rows, [], ("401", "404", "429"))
    return out


def schema(server: str) -> dict[str, Any]:
    schemas: dict[str, Any] = {
        "Period": row_schema(PERIOD_COLUMNS),
        "Run": row_schema(RUN_COLUMNS),
        "Error": {
            "type": "object",
            "properties": {"error": {"type": "string", "description": "What is wrong, in words"}},
            "required": ["error"],
        },
    }
    for name in TABLES:
        schemas[f"{TITLE_CASE[name]}Row"] = row_schema(table_columns(name))
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Outturn data feed",
            "version": VERSION,
            "description": (
                "Read-only figures of one authority for spreadsheets and BI tools: its published periods and "
                "its latest forecast run. Send the token as `Authorization: Bearer TOKEN`, or by HTTP Basic "
                "with the token as the password (any user name). Money is in pounds."
            ),
        },
        "servers": [{"url": server}],
        "security": [{"bearer": []}, {"basic": []}],
        "paths": paths(),
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "basic": {"type": "http", "scheme": "basic"},
            },
            "schemas": schemas,
        },
    }
