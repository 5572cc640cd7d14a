#!/usr/bin/env python3
"""Validates export documents against the JSON Schema: export_validate.py SCHEMA FILE...

Strings over 64 KiB (large artifact contents) are checked as base64 with the C decoder, then
replaced by "" before the schema is applied: the schema's regex would take minutes on 100 MiB.
"""
import base64
import json
import sys

import jsonschema


def slim(value):
    if isinstance(value, dict):
        return {k: slim(v) for k, v in value.items()}
    if isinstance(value, list):
        return [slim(v) for v in value]
    if isinstance(value, str) and len(value) > 65536:
        base64.b64decode(value, validate=True)  # raises binascii.Error when it is not base64
        return ""
    return value


schema = json.load(open(sys.argv[1], encoding="utf-8"))
for path in sys.argv[2:]:
    with open(path, encoding="utf-8") as f:
        doc = slim(json.load(f))
    jsonschema.validate(doc, schema, cls=jsonschema.Draft202012Validator)
    print("valid", path)
