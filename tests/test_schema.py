"""The JSON Schema of the event record and the pyarrow schema in code agree."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa

from chronology.schema import EVENT_COLUMNS, NULLABLE_EVENT_COLUMNS, event_schema

SCHEMAS = Path(__file__).resolve().parent.parent / "schemas"


def _json_schema() -> dict:
    return json.loads((SCHEMAS / "event.schema.json").read_text(encoding="utf-8"))


def test_same_fields_in_same_order() -> None:
    doc = _json_schema()
    # The JSON Schema lists the columns in events.parquet's order.
    assert tuple(doc["properties"]) == EVENT_COLUMNS
    assert tuple(doc["required"]) == EVENT_COLUMNS
    assert tuple(event_schema().names) == EVENT_COLUMNS


def test_every_field_is_described() -> None:
    for name, prop in _json_schema()["properties"].items():
        assert len(prop.get("description", "")) > 20, name


def test_types_agree() -> None:
    arrow = event_schema("Europe/London")
    for name, prop in _json_schema()["properties"].items():
        field = arrow.field(name)
        declared = prop.get("type") or ("string" if "enum" in prop else None)
        types = set(declared) if isinstance(declared, list) else {declared}
        if "enum" in prop and None in prop["enum"]:
            types.add("null")
        # Nullable in Arrow exactly where JSON allows null.
        assert ("null" in types) == (name in NULLABLE_EVENT_COLUMNS), name
        assert field.nullable == (name in NULLABLE_EVENT_COLUMNS), name
        if pa.types.is_timestamp(field.type):
            assert prop.get("format") == "date-time", name
            assert field.type.tz == "Europe/London"
        elif pa.types.is_integer(field.type):
            assert "integer" in types, name
        else:
            assert pa.types.is_string(field.type), name
            assert "string" in types or "enum" in prop, name


def test_timezone_follows_the_case() -> None:
    assert event_schema("Europe/Dublin").field("start").type.tz == "Europe/Dublin"
