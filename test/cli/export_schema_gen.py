#!/usr/bin/env python3
"""Writes the JSON Schema of the export format (docs/export-format.schema.json) from the table
catalogue in cli/transfer_tables.cpp, so the two cannot drift apart.

    export_schema_gen.py [OUT]      (default: print to standard output)
"""
import json
import os
import re
import sys

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
src = open(os.path.join(root, "cli", "transfer_tables.cpp"), encoding="utf-8").read()

arrays = {}
for name, body in re.findall(r"constexpr Column (k\w+)\[\] = \{(.*?)\};", src, re.S):
    arrays[name] = re.findall(r'\{"(\w+)", K::k(\w+)(, true)?\}', body)
tables = re.findall(r'\{"(\w+)", "[^"]+", (k\w+), k\w+(?:, (\d+))?\}', src)
assert len(tables) == 15, tables

B64 = "^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$"
defs = {
    "text": {"type": "string"},
    "json": {"description": "any JSON value (objects for metadata/properties columns)"},
    "bytes": {"type": "string", "pattern": B64, "description": "base64 (RFC 4648, padded)"},
    "timestamp": {
        "type": "string",
        "pattern": r"^(infinity|-infinity|[0-9]{4}-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9]\.[0-9]{6}Z)$",
        "description": "UTC with microseconds, or PostgreSQL's infinity / -infinity",
    },
    "int32": {"type": "integer", "minimum": -2147483648, "maximum": 2147483647},
    "int64": {"type": "integer", "minimum": -9223372036854775808, "maximum": 9223372036854775807},
    "bool": {"type": "boolean"},
}


def vector(dim):
    n = (dim * 4 + 2) // 3 * 4
    return {"type": "string", "pattern": B64, "minLength": n, "maxLength": n,
            "description": "base64 of %d little-endian float32" % dim}


sections = {}
for table, columns, dim in tables:
    props = {}
    for col, kind, nullable in arrays[columns]:
        ref = vector(int(dim)) if kind == "Vector" else {"$ref": "#/$defs/" + {
            "Text": "text", "Json": "json", "Bytes": "bytes", "Timestamp": "timestamp",
            "Int32": "int32", "Int64": "int64", "Bool": "bool"}[kind]}
        props[col] = {"anyOf": [ref, {"type": "null"}]} if nullable else ref
    sections[table] = {"type": "array", "items": {
        "type": "object", "properties": props, "required": list(props),
        "additionalProperties": False}}

schema = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://llmspell.dev/schemas/export-format-1.0.json",
    "title": "llmspell storage export, version 1.0",
    "description": "Written by `llmspell storage export`, read by `llmspell storage import`; "
                   "see docs/export-format.md. Generated from cli/transfer_tables.cpp by "
                   "test/cli/export_schema_gen.py.",
    "type": "object",
    "required": ["version", "exported_at", "source_backend", "migrations", "data"],
    "additionalProperties": False,
    "properties": {
        "version": {"const": "1.0"},
        "exported_at": {"$ref": "#/$defs/timestamp"},
        "source_backend": {"enum": ["sqlite", "postgresql", "memory"]},
        "migrations": {"type": "array", "items": {"type": "string"}},
        "tenant": {"type": ["string", "null"]},
        "data": {"type": "object", "properties": sections, "required": list(sections),
                 "additionalProperties": False},
    },
    "$defs": defs,
}
text = json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
if len(sys.argv) > 1:
    open(sys.argv[1], "w", encoding="utf-8").write(text)
else:
    sys.stdout.write(text)
