"""The `%%autograd` cell magic: the cell is a playground program."""

from __future__ import annotations

import argparse
import json
import shlex
from typing import Any

from autograd_playground.runs import run


def parser() -> argparse.ArgumentParser:
    parse = argparse.ArgumentParser(
        prog="%%autograd",
        description=(
            "Run the cell in the playground's sandbox / 셀을 플레이그라운드 샌드박스에서 실행"
        ),
        add_help=False,
        exit_on_error=False,
    )
    parse.add_argument("--seed", type=int, default=0)
    parse.add_argument("--backward", default=None)
    parse.add_argument("--gradient", default=None)
    parse.add_argument("--jacobian", default=None)
    parse.add_argument("--lang", default="en", choices=("en", "ko"))
    parse.add_argument("--server", default=None)
    return parse


def parse_line(line: str) -> dict[str, Any]:
    """The magic's options as `run()` keywords; ValueError (English and Korean) when wrong."""
    try:
        options = parser().parse_args(shlex.split(line))
    except (argparse.ArgumentError, SystemExit) as error:
        raise ValueError(f"%%autograd options: {error} / %%autograd 옵션 오류: {error}") from None
    gradient = None
    if options.gradient is not None:
        try:
            gradient = json.loads(options.gradient)
        except json.JSONDecodeError:
            raise ValueError(
                '--gradient takes a JSON list, e.g. "[0.1, 1.0]" / '
                '--gradient에는 JSON 목록을 주세요(예: "[0.1, 1.0]")'
            ) from None
    return {
        "seed": options.seed,
        "backward": options.backward,
        "gradient": gradient,
        "jacobian": options.jacobian,
        "lang": options.lang,
        "server": options.server,
    }


def autograd(line: str, cell: str) -> None:
    """Run the cell, print its stdout, display its view."""
    from IPython.display import display

    result = run(cell, **parse_line(line))
    if result.stdout:
        print(result.stdout, end="" if result.stdout.endswith("\n") else "\n")
    display(result)


def register(ipython: Any) -> None:
    ipython.register_magic_function(autograd, magic_kind="cell", magic_name="autograd")
