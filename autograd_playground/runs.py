"""`run(source, ...)`: a playground program through the sandbox, locally or on a server."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

from autograd_playground.result import RunResult

LANGUAGES = ("en", "ko")


def build_request(
    source: str,
    seed: int = 0,
    backward: str | None = None,
    gradient: Any = None,
    jacobian: str | None = None,
) -> dict[str, Any]:
    """The v1 RunRequest for these options (`jacobian` as "output:input")."""
    request: dict[str, Any] = {"source": source, "seed": int(seed)}
    if gradient is not None and backward is None:
        raise ValueError("a gradient needs --backward NAME / gradient에는 --backward가 필요합니다")
    if backward is not None:
        request["backward"] = {"output": backward, "gradient": gradient, "retain_graph": False}
    if jacobian is not None:
        output, sep, input_name = jacobian.partition(":")
        if not sep or not output or not input_name:
            raise ValueError(
                "--jacobian takes OUTPUT:INPUT, e.g. y:x / "
                "--jacobian은 OUTPUT:INPUT 형식입니다(예: y:x)"
            )
        request["jacobian"] = {"output": output, "input": input_name}
    return request


def run(
    source: str,
    seed: int = 0,
    *,
    backward: str | None = None,
    gradient: Any = None,
    jacobian: str | None = None,
    lang: str = "en",
    server: str | None = None,
) -> RunResult:
    """Run `source` as the playground does and return its RunResult.

    Locally the program runs in the kernel's warm worker process (same sandbox and limits as
    the server); with `server` it is sent to that playground's `/api/v1/run` instead.
    """
    if lang not in LANGUAGES:
        raise ValueError(f"lang must be one of {LANGUAGES} / lang은 {LANGUAGES} 중 하나입니다")
    request = build_request(source, seed, backward, gradient, jacobian)
    if server:
        data = _post(server, request)
    else:
        from autograd_playground._pool import kernel_pool

        data = kernel_pool().submit_run(request)
    return RunResult(data, lang=lang)


def _post(server: str, request: dict[str, Any]) -> dict[str, Any]:
    url = server.rstrip("/") + "/api/v1/run"
    if not url.startswith(("http://", "https://")):
        raise ValueError("--server takes an http(s) URL / --server에는 http(s) 주소를 주세요")
    body = json.dumps(request).encode()
    message = urllib.request.Request(
        url, data=body, headers={"Content-Type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(message, timeout=60) as answer:
        data: dict[str, Any] = json.loads(answer.read())
    return data
