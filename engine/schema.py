"""The case file's JSON Schema, generated from the Case model so it cannot drift from it."""
from __future__ import annotations

import json
from typing import Any

from .case import Case

SCHEMA_ID = "https://joinup.example/case.schema.json"


def case_schema() -> dict[str, Any]:
    """The JSON Schema editors use to complete and check case files."""
    schema = Case.model_json_schema()
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID, **schema}


def case_schema_text() -> str:
    """The schema as the text written to cases/case.schema.json."""
    return json.dumps(case_schema(), indent=2, ensure_ascii=False) + "\n"
