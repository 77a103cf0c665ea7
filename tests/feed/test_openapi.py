"""The feed's OpenAPI schema: valid OpenAPI 3, every address and column in it, and what the
addresses answer matches it."""

from __future__ import annotations

import pytest
from django.urls import resolve
from openapi_schema_validator import OAS30Validator
from openapi_spec_validator import validate

from feed import urls, views
from feed.columns import IDENTITY, PERIOD_COLUMNS, RUN_COLUMNS, TABLES
from feed.openapi import TITLE_CASE
from tests.feed.conftest import bearer

pytestmark = pytest.mark.django_db


def _schema(client) -> dict:  # type: ignore[no-untyped-def,type-arg]
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    return response.json()


def test_the_schema_is_open_and_valid_openapi_3(api) -> None:  # type: ignore[no-untyped-def]
    schema = _schema(api)
    validate(schema)
    assert schema["openapi"].startswith("3.") and schema["servers"] == [{"url": "http://testserver/api/v1"}]
    assert set(schema["components"]["securitySchemes"]) == {"bearer", "basic"}


def test_every_address_of_the_feed_is_in_the_schema_and_every_path_of_the_schema_is_served(api) -> None:  # type: ignore[no-untyped-def]
    schema = _schema(api)
    served = set()
    for path in schema["paths"]:
        match = resolve("/api/v1" + path.replace("{published}", "latest"))
        assert match.url_name in {p.name for p in urls.api_patterns}, path
        served.add(match.url_name)
        if "{published}" in path:
            assert resolve("/api/v1" + path.replace("{published}", "12")).url_name == match.url_name
    assert served == {p.name for p in urls.api_patterns} - {"openapi"}
    expected = {"/periods", "/periods/{published}", "/latest"} | {
        f"/{where}/{table}" for table in TABLES for where in ("periods/{published}", "latest")
    }
    assert set(schema["paths"]) == expected
    assert views.openapi is resolve("/api/v1/openapi.json").func


def test_every_column_is_in_the_schema_in_order(api) -> None:  # type: ignore[no-untyped-def]
    components = _schema(api)["components"]["schemas"]
    for table, columns in TABLES.items():
        properties = components[f"{TITLE_CASE[table]}Row"]["properties"]
        assert list(properties) == [c.name for c in (*IDENTITY, *columns)], table
    assert list(components["Period"]["properties"]) == [c.name for c in PERIOD_COLUMNS]
    assert list(components["Run"]["properties"]) == [c.name for c in RUN_COLUMNS]
    # Money is a number in pounds and says so.
    forecast = components["LinesRow"]["properties"]["forecast_outturn"]
    assert forecast["type"] == "number" and "pounds" in forecast["description"]


def test_what_each_address_answers_matches_its_schema(api, published, issued) -> None:  # type: ignore[no-untyped-def]
    _, token = issued
    schema = _schema(api)
    checked = 0
    for path, item in schema["paths"].items():
        address = "/api/v1" + path.replace("{published}", str(published.pk))
        body = api.get(address, **bearer(token)).json()
        wanted = item["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        OAS30Validator({**wanted, "components": schema["components"]}).validate(body)
        checked += len(body) if isinstance(body, list) else 1
    assert checked > 100
    # And the validator can fail: a money column as text is refused.
    row = api.get(f"/api/v1/periods/{published.pk}/lines", **bearer(token)).json()[0]
    bad = {**row, "forecast_outturn": "123.45"}
    validator = OAS30Validator({"$ref": "#/components/schemas/LinesRow", "components": schema["components"]})
    assert not validator.is_valid(bad)
