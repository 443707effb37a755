"""`autograd-playground check SPEC.json`: grade offline, exactly as POST /api/v1/check would.

The spec is a /check request body. It runs on a one-worker pool with the same sandbox, limits
and deadline as the server, and prints the same bytes the API answers with.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from app.config import Settings, get_settings
from app.grading.platforms import format_check_result
from app.schemas_grading import CheckRequest
from app.strict_json import loads_strict
from app.workers.framing import encode_json

EXIT_GRADED = 0
EXIT_NOT_OK = 1
EXIT_BAD_SPEC = 2
EXIT_GRADER_ERROR = 3


def register(
    subcommands: Any, handlers: dict[str, Callable[[argparse.Namespace], int]], version: str
) -> None:
    """Add the `check` subcommand to the main parser."""
    parser = subcommands.add_parser(
        "check",
        help="Grade a program offline: SPEC.json is a /api/v1/check request body.",
        description="Exit status: 0 graded, 1 the program failed, 2 bad spec, 3 the grader "
        "failed (the reference program), never the student's fault.",
    )
    parser.add_argument("spec", type=Path, help="The request as JSON ('-' reads stdin).")
    parser.add_argument("--version", action="version", version=f"autograd-playground {version}")
    parser.add_argument(
        "--format",
        choices=("json", "gradescope", "prairielearn"),
        default="json",
        help="Results format, as ?format= of the API (default json).",
    )
    handlers["check"] = check_file


def load_spec(spec: Path, settings: Settings) -> CheckRequest:
    """Read and validate the spec the way the API validates a request body."""
    text = sys.stdin.read() if str(spec) == "-" else spec.read_text(encoding="utf-8")
    # Decoded as the API decodes a body: strict JSON (no NaN), then the strict model.
    request = CheckRequest.model_validate(loads_strict(text))
    for program in (request.source, request.reference):
        if program is not None and len(program.encode("utf-8")) > settings.limits.source_bytes:
            raise ValueError(
                f"a program is larger than {settings.limits.source_bytes} bytes (source_bytes)"
            )
    return request


def check_file(args: argparse.Namespace) -> int:
    """Grade the spec and print the result."""
    settings = get_settings().model_copy(update={"workers": 1, "queue_size": 1})
    try:
        request = load_spec(args.spec, settings)
    except (OSError, ValidationError, ValueError) as problem:
        print(f"autograd-playground check: {problem}", file=sys.stderr)
        return EXIT_BAD_SPEC
    body = asyncio.run(grade_on_fresh_pool(settings, request))
    result = json.loads(body)
    if args.format != "json":
        body = encode_json(format_check_result(result, args.format))
    sys.stdout.buffer.write(body + b"\n")
    sys.stdout.flush()
    if result.get("grader_error") is not None:
        return EXIT_GRADER_ERROR
    return EXIT_GRADED if result["ok"] else EXIT_NOT_OK


async def grade_on_fresh_pool(settings: Settings, request: CheckRequest) -> bytes:
    """Start a one-worker pool, grade the request on it, stop the pool."""
    from app.grading.submit import check_on_pool
    from app.workers import WorkerPool

    pool = WorkerPool(settings)
    try:
        await pool.start()
        return await check_on_pool(pool, request.to_job(), request.programs)
    finally:
        await pool.close()
