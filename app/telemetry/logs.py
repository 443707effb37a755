"""Structured logs: JSON lines in containers, readable text on a terminal, one shape of event.

Every record may carry fields (`extra=`); the request id of the request being served is added to
each record automatically. Nothing here ever logs a program's source or output: callers pass only
the fields of `RunEvent.as_log_fields()` and of the access log.
"""

from __future__ import annotations

import logging
import sys
from typing import Literal

from pythonjsonlogger.json import JsonFormatter

from app.telemetry import context

LogFormat = Literal["auto", "json", "text"]
RUN_LOGGER = "autograd_playground.run"
ACCESS_LOGGER = "autograd_playground.access"
# The attributes every LogRecord has; anything else on a record came in through `extra=`.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


class _RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = context.request_id.get()
        return True


class TextFormatter(logging.Formatter):
    """`time level logger message key=value …` for people reading a terminal."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        fields = {
            key: value
            for key, value in vars(record).items()
            if key not in _STANDARD and value is not None
        }
        return line + "".join(f" {key}={value}" for key, value in sorted(fields.items()))


def json_formatter() -> logging.Formatter:
    """One JSON object per line: time, level, logger, message and the record's fields."""
    return JsonFormatter(
        "%(asctime)s %(levelname)s %(name)s %(message)s",
        rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
    )


def configure_logging(log_format: LogFormat = "auto", level: int = logging.INFO) -> logging.Handler:
    """Send every log record (ours and uvicorn's) to stderr in `log_format`; return the handler.

    "auto" is text when stderr is a terminal and JSON lines otherwise (containers, systemd).
    """
    chosen = log_format
    if chosen == "auto":
        chosen = "text" if sys.stderr.isatty() else "json"
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(TextFormatter() if chosen == "text" else json_formatter())
    handler.addFilter(_RequestIdFilter())
    root = logging.getLogger()
    for existing in list(root.handlers):
        root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(level)
    # uvicorn's own loggers go through the same handler; its access log is replaced by ours
    # (which carries the request id and the client after the proxy rule).
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers = []
        logging.getLogger(name).propagate = True
    logging.getLogger("uvicorn.access").disabled = True
    return handler
