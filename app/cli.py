"""`autograd-playground`: serve the playground, or run one program as the API would."""

from __future__ import annotations

import argparse
import asyncio
import importlib.metadata
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from app.config import Settings, get_settings
from app.grading.cli import register as register_check
from app.grading.problem_cli import register as register_course_commands
from app.telemetry.logs import configure_logging


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run the chosen subcommand."""
    parser = argparse.ArgumentParser(prog="autograd-playground")
    version = package_version()
    parser.add_argument("--version", action="version", version=f"autograd-playground {version}")
    subcommands = parser.add_subparsers(dest="command", required=True)
    handlers: dict[str, Callable[[argparse.Namespace], int]] = {}

    serve_parser = subcommands.add_parser("serve", help="Start the web server.")
    serve_parser.add_argument("--host", help="Bind address (default: settings.host).")
    serve_parser.add_argument("--port", type=int, help="Port (default: settings.port).")
    serve_parser.add_argument(
        "--version", action="version", version=f"autograd-playground {version}"
    )
    handlers["serve"] = serve

    run_parser = subcommands.add_parser(
        "run", help="Run a program in the sandbox and print what the API would return."
    )
    run_parser.add_argument("file", type=Path, help="Program file ('-' reads stdin).")
    run_parser.add_argument("--json", action="store_true", help="Print the full RunResult.")
    run_parser.add_argument("--seed", type=int, default=0, help="torch.manual_seed (default 0).")
    run_parser.add_argument("--version", action="version", version=f"autograd-playground {version}")
    handlers["run"] = run_file

    # Further subcommands (e.g. the grader's `check`) register here: add_parser + handler.
    register_check(subcommands, handlers, version)
    register_course_commands(subcommands, handlers, version)

    args = parser.parse_args(argv)
    return handlers[args.command](args)


def package_version() -> str:
    """The installed distribution's version (the checkout's pyproject when not installed)."""
    try:
        return importlib.metadata.version("autograd-playground")
    except importlib.metadata.PackageNotFoundError:
        return "0+unknown"


def serve(args: argparse.Namespace) -> int:
    """Run uvicorn with the app; Ctrl-C shuts the workers down gracefully."""
    import uvicorn

    from app.main import create_app

    settings = get_settings()
    overrides: dict[str, Any] = {}
    if args.host:
        overrides["host"] = args.host
    if args.port:
        overrides["port"] = args.port
    settings = settings.model_copy(update=overrides)
    configure_logging(settings.log_format)
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_level="info",
        # Our access log (app/api/observability.py) carries the request id; uvicorn's would
        # repeat each request without it. log_config=None keeps configure_logging's handlers.
        access_log=False,
        log_config=None,
    )
    return 0


def run_file(args: argparse.Namespace) -> int:
    """Run one program through a one-worker pool: same sandbox, same deadline as the server."""
    source = sys.stdin.read() if str(args.file) == "-" else args.file.read_text(encoding="utf-8")
    settings = get_settings().model_copy(update={"workers": 1, "queue_size": 1})
    result = asyncio.run(run_in_pool(settings, {"source": source, "seed": args.seed}))
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=1))
    else:
        sys.stdout.write(result.get("stdout", ""))
        error = result.get("error")
        if error:
            where = f" (line {error['line']})" if error.get("line") else ""
            print(f"{error['type']}{where}: {error['message']}", file=sys.stderr)
    return 0 if result.get("ok") else 1


async def run_in_pool(settings: Settings, request: dict[str, Any]) -> dict[str, Any]:
    """Start a pool, run one request on it, stop the pool."""
    from app.workers import WorkerPool
    from app.workers.failures import failed_run_result

    pool = WorkerPool(settings)
    try:
        await pool.start()
        outcome = await pool.submit("run", request)
    finally:
        await pool.close()
    if outcome.failure is None:
        return outcome.result()
    return failed_run_result(
        outcome.failure,
        request,
        settings.limits,
        pool.info.get("torch_version", ""),
        outcome.elapsed_ms,
    )


if __name__ == "__main__":
    sys.exit(main())
