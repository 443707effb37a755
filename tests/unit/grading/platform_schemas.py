"""JSON Schemas of the two platforms' results files, written from their published specifications.

Gradescope: "Autograder Specifications" (gradescope-autograders.readthedocs.io, specs page):
top-level `score`, `execution_time`, `output`, `output_format`, `test_output_format`,
`test_name_format`, `visibility`, `stdout_visibility`, `extra_data`, `tests`, `leaderboard`; each
test `score`, `max_score`, `status`, `name`, `name_format`, `number`, `output`, `output_format`,
`tags`, `visibility`, `extra_data`. PrairieLearn: docs/externalGrading.md, "Grading results":
`gradable`, `score` in [0, 1] (needed when gradable), `message`, `output`, `format_errors` (a string
or a list of strings), `images` ({url, label} or a URL string), `tests` with `name`, `description`,
`points`, `max_points`, `message`, `output`, `images`. Unknown keys are refused here on purpose,
so that a typo in our output cannot pass as an extra field.
"""

from __future__ import annotations

from typing import Any

OUTPUT_FORMATS = ["text", "html", "simple_format", "md", "ansi"]
VISIBILITIES = ["hidden", "after_due_date", "after_published", "visible"]

GRADESCOPE_TEST: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "score": {"type": "number"},
        "max_score": {"type": "number", "minimum": 0},
        "status": {"enum": ["passed", "failed"]},
        "name": {"type": "string"},
        "name_format": {"enum": OUTPUT_FORMATS},
        "number": {"type": "string"},
        "output": {"type": "string"},
        "output_format": {"enum": OUTPUT_FORMATS},
        "tags": {"type": "array", "items": {"type": "string"}},
        "visibility": {"enum": VISIBILITIES},
        "extra_data": {"type": "object"},
    },
}

GRADESCOPE_RESULTS: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    # `score` is optional only when every test has one.
    "anyOf": [
        {"required": ["score"]},
        {"required": ["tests"], "properties": {"tests": {"items": {"required": ["score"]}}}},
    ],
    "properties": {
        "score": {"type": "number"},
        "execution_time": {"type": "number", "minimum": 0},
        "output": {"type": "string"},
        "output_format": {"enum": OUTPUT_FORMATS},
        "test_output_format": {"enum": OUTPUT_FORMATS},
        "test_name_format": {"enum": OUTPUT_FORMATS},
        "visibility": {"enum": VISIBILITIES},
        "stdout_visibility": {"enum": VISIBILITIES},
        "extra_data": {"type": "object"},
        "tests": {"type": "array", "items": GRADESCOPE_TEST},
        "leaderboard": {"type": "array"},
    },
}

IMAGE: dict[str, Any] = {
    "oneOf": [
        {"type": "string"},
        {
            "type": "object",
            "additionalProperties": False,
            "required": ["url"],
            "properties": {"url": {"type": "string"}, "label": {"type": "string"}},
        },
    ]
}

PRAIRIELEARN_RESULTS: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "gradable": {"type": "boolean"},
        "score": {"type": "number", "minimum": 0, "maximum": 1},
        "message": {"type": "string"},
        "output": {"type": "string"},
        "format_errors": {
            "oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]
        },
        "images": {"type": "array", "items": IMAGE},
        "tests": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["name"],
                "properties": {
                    "name": {"type": "string"},
                    "description": {"type": "string"},
                    "points": {"type": "number"},
                    "max_points": {"type": "number"},
                    "message": {"type": "string"},
                    "output": {"type": "string"},
                    "images": {"type": "array", "items": IMAGE},
                },
            },
        },
    },
    # A gradable result needs its score; a non-gradable one does not.
    "if": {"properties": {"gradable": {"const": False}}, "required": ["gradable"]},
    "else": {"required": ["score"]},
}
