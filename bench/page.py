"""Benchmark the playground page in headless Chromium.

Prints, for the seed programs, the time from navigation to a drawn graph; for synthetic graphs
of 100 and 500 nodes, model + layout + first paint (target: 500 nodes <= 1.5 s); the layout
engines side by side (the page's dagre / layered layout against ELK's layered algorithm, elkjs:
time, overlapping nodes, overlapping edge labels and the node text size at a fitted view, on every
example and on the 100/500-node graphs); and the bytes a fresh page load transfers. Ratios are
against a baseline measured in the same run: navigation to a ready page that draws nothing.

    python bench/page.py              # starts `uvicorn app.main:app` on a free port
    PLAYGROUND_BENCH_BASE_URL=http://127.0.0.1:8000 python bench/page.py
"""

from __future__ import annotations

import base64
import json
import os
import statistics
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import Browser, Page, Route, sync_playwright

ROOT = Path(__file__).resolve().parents[1]

# The server launcher is shared with the tests (tests/support/server_process.py).
sys.path.insert(0, str(ROOT))
from tests.support.server_process import serve_app  # noqa: E402

CHROMIUM = os.environ.get("PLAYGROUND_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SEED_PROGRAMS = ["scalar-backward", "chain-rule", "vector-backward"]
REPEATS = 3
TARGET_500_MS = 1500.0

# Records, in page time (ms since navigation start), when the graph was drawn and painted.
RECORD_DRAWS = """
window.__draws = [];
document.addEventListener('playground:graph-drawn', (event) => {
  const { nodes, ms, started } = event.detail;
  requestAnimationFrame(() => requestAnimationFrame(() => {
    window.__draws.push({ nodes, layoutMs: ms, paintedMs: performance.now() - started,
                          sinceNavigationMs: performance.now() });
  }));
});
"""


@contextmanager
def server() -> Iterator[str]:
    if os.environ.get("PLAYGROUND_BENCH_BASE_URL"):
        yield os.environ["PLAYGROUND_BENCH_BASE_URL"].rstrip("/")
        return
    with serve_app({"PLAYGROUND_WORKERS": os.environ.get("PLAYGROUND_WORKERS", "1")}) as running:
        yield running.url


def synthetic_result(node_count: int) -> dict[str, Any]:
    """A RunResult whose graph has `node_count` nodes: blocks of leaf -> AccumulateGrad -> Mul ->
    output, each Mul also fed by the block before and (skip connection) the one before that."""
    nodes: list[dict[str, Any]] = []
    edges: list[dict[str, Any]] = []
    previous: list[str] = []
    for block in range(node_count // 4):
        leaf, accumulate, multiply, output = (
            f"t{2 * block}",
            f"f{2 * block}",
            f"f{2 * block + 1}",
            f"t{2 * block + 1}",
        )
        value = [float(block), 1.0, 2.0]
        tensor = {"kind": "tensor", "shape": [3], "dtype": "float32", "line": block + 1}
        nodes += [
            {
                **tensor,
                "id": leaf,
                "names": [f"w{block}"],
                "role": "leaf",
                "is_leaf": True,
                "requires_grad": True,
                "grad_fn": None,
                "grad_fn_node": None,
                "value": value,
                "grad": value,
            },
            {
                "id": accumulate,
                "kind": "function",
                "name": "AccumulateGrad",
                "line": block + 1,
                "tensor": leaf,
                "saved": [],
            },
            {
                "id": multiply,
                "kind": "function",
                "name": "MulBackward0",
                "line": block + 1,
                "tensor": output,
                "saved": [],
            },
            {
                **tensor,
                "id": output,
                "names": [],
                "role": "intermediate",
                "is_leaf": False,
                "requires_grad": True,
                "grad_fn": "MulBackward0",
                "grad_fn_node": multiply,
                "value": value,
                "grad": value,
            },
        ]
        edges += [
            {"source": leaf, "target": accumulate, "kind": "variable"},
            {"source": accumulate, "target": multiply, "kind": "next", "grad": value},
            {"source": multiply, "target": output, "kind": "output"},
        ]
        edges += [
            {"source": source, "target": multiply, "kind": "next", "grad": value}
            for source in previous[-2:]
        ]
        previous.append(multiply)
    for index, edge in enumerate(edges):
        edge["id"] = f"e{index}"
    return {
        "api_version": "1",
        "ok": True,
        "error": None,
        "seed": 0,
        "stdout": "",
        "warnings": [],
        "variables": {},
        "graph": {"nodes": nodes, "edges": edges},
        "timeline": [],
        "backward_trace": [],
        "jacobian": None,
    }


def fulfill_with(body: str) -> Callable[[Route], None]:
    def fulfill(route: Route) -> None:
        route.fulfill(body=body, content_type="application/json")

    return fulfill


def browser_cpu_ms() -> float:
    """CPU time (user + system) used so far by every process this script started (the Playwright
    driver and all Chromium processes): unlike wall time, not inflated by other load."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the process ended while we looked
        children.setdefault(int(fields[1]), []).append(int(entry.name))
    total_ticks = 0
    pending = list(children.get(os.getpid(), []))
    while pending:
        pid = pending.pop()
        pending.extend(children.get(pid, []))
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total_ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return 1000 * total_ticks / os.sysconf("SC_CLK_TCK")


def navigate_and_wait(page: Page, url: str, min_nodes: int = 1) -> dict[str, Any]:
    page.goto(url)
    page.wait_for_function(
        f"window.__draws.some((draw) => draw.nodes >= {min_nodes})", timeout=60_000
    )
    draws: list[dict[str, Any]] = page.evaluate("window.__draws")
    return next(draw for draw in draws if draw["nodes"] >= min_nodes)


def page_ready_ms(browser: Browser, base: str) -> float:
    """Baseline: navigation to the page ready to run (modules loaded, examples fetched)."""
    page = browser.new_page()
    page.goto(f"{base}/")
    page.wait_for_function("document.documentElement.dataset.ready === 'true'")
    ready = float(page.evaluate("performance.now()"))
    page.close()
    return ready


def transferred_bytes(browser: Browser, base: str) -> dict[str, int]:
    page = browser.new_page()
    sizes: dict[str, int] = {}

    def on_finished(request: Any) -> None:
        body = request.sizes()["responseBodySize"] + request.sizes()["responseHeadersSize"]
        kind = "api" if "/api/" in request.url else "page"
        sizes[kind] = sizes.get(kind, 0) + body

    page.on("requestfinished", on_finished)
    page.add_init_script(RECORD_DRAWS)
    navigate_and_wait(page, f"{base}/?example=chain-rule")
    page.close()
    return sizes


ELK_SCRIPT = ROOT / "static" / "vendor" / "elkjs-0.12.1" / "elk.bundled.js"
# Lays the drawn graph's elements out again with each engine (same node sizes, left to right)
# and measures each result the same way: time, node boxes that overlap, edge labels (at the
# midpoint between the centres, sized by the canvas's text metrics) that overlap a node or
# another label, and the node text size (CSS px) when the layout is fitted into the canvas.
# The script is one function expression after a comment line: Playwright calls it in the page.
COMPARE_LAYOUTS = (
    (ROOT / "bench" / "compare_layouts.js").read_text().split("\n", 1)[1].strip().rstrip(";")
)


def compare_layouts(browser: Browser, base: str, examples: list[str]) -> None:
    """The page's layout engine and ELK's layered algorithm, side by side."""
    print("\nlayout engines, same graphs and node sizes, left to right (median ms of 3):")
    header = f"  {'graph':<26}{'nodes':>6}  {'engine':<14}{'ms':>8}{'node ovl':>9}"
    print(f"{header}{'labels':>7}{'lbl ovl':>8}{'text px':>8}")
    cases: list[tuple[str, str, str | None]] = [
        (name, f"{base}/?example={name}", None) for name in examples
    ]
    source = base64.urlsafe_b64encode(b"# synthetic").decode().rstrip("=")
    for count in (100, 500):
        cases.append(
            (
                f"synthetic {count}",
                f"{base}/#src={source}&seed=0",
                json.dumps(synthetic_result(count)),
            )
        )
    for name, url, body in cases:
        page = browser.new_page(viewport={"width": 1440, "height": 1000})
        page.add_init_script(RECORD_DRAWS)
        if body is not None:
            page.route("**/api/v1/run", fulfill_with(body))
        navigate_and_wait(page, url)
        page.add_script_tag(path=str(ELK_SCRIPT))
        runs = [page.evaluate(COMPARE_LAYOUTS) for _ in range(REPEATS)]
        count = int(page.evaluate("document.body.dataset.graphNodes"))
        for key in ("page", "elk"):
            first = runs[0][key]
            ms = statistics.median(run[key]["ms"] for run in runs)
            print(
                f"  {name:<26}{count:>6}  {first['engine']:<14}{ms:8.1f}{first['nodeOverlaps']:>9}"
                f"{first['labels']:>7}{first['labelOverlaps']:>8}{first['textPx']:>8.1f}"
            )
        page.close()


def main() -> None:
    # Wall-clock figures depend on what else the machine runs: print the load next to them.
    print(f"load average before: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    with server() as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        baseline = statistics.median(page_ready_ms(browser, base) for _ in range(REPEATS))
        print(f"baseline: navigation -> page ready to run: {baseline:.0f} ms")

        print("\nseed programs: navigation -> graph drawn and painted (median of 3)")
        for example in SEED_PROGRAMS:
            times = []
            for _ in range(REPEATS):
                page = browser.new_page()
                page.add_init_script(RECORD_DRAWS)
                times.append(
                    navigate_and_wait(page, f"{base}/?example={example}")["sinceNavigationMs"]
                )
                page.close()
            median = statistics.median(times)
            print(f"  {example:<18} {median:7.0f} ms   x{median / baseline:.2f} of baseline")

        print("\nsynthetic graphs: model + layout + first paint (median of 3)")
        results = {}
        for count in (100, 500):
            body = json.dumps(synthetic_result(count))
            times = []
            layouts = []
            cpus = []
            for _ in range(REPEATS):
                page = browser.new_page()
                page.add_init_script(RECORD_DRAWS)

                page.route("**/api/v1/run", fulfill_with(body))
                source = base64.urlsafe_b64encode(b"# synthetic").decode().rstrip("=")
                cpu_before = browser_cpu_ms()
                draw = navigate_and_wait(page, f"{base}/#src={source}&seed=0", min_nodes=count)
                cpus.append(browser_cpu_ms() - cpu_before)
                times.append(draw["paintedMs"])
                layouts.append(draw["layoutMs"])
                page.close()
            results[count] = statistics.median(times)
            layout = statistics.median(layouts)
            cpu = statistics.median(cpus)
            verdict = ""
            if count == 500:
                wall_ok = results[count] <= TARGET_500_MS
                cpu_ok = cpu <= TARGET_500_MS
                wall_verdict = "met" if wall_ok else "MISSED"
                cpu_verdict = "met" if cpu_ok else "MISSED"
                verdict = (
                    f"\n       target <= {TARGET_500_MS:.0f} ms: "
                    f"wall {wall_verdict}, CPU {cpu_verdict}"
                )
            print(
                f"  {count:4d} nodes {results[count]:7.0f} ms wall "
                f"(model + layout {layout:.0f} ms); browser CPU for the whole load "
                f"{cpu:.0f} ms{verdict}"
            )
        print(f"  ratio 500/100 nodes: x{results[500] / results[100]:.2f}")

        examples = [example["id"] for example in httpx.get(f"{base}/api/v1/examples").json()]
        compare_layouts(browser, base, examples)

        sizes = transferred_bytes(browser, base)
        print("\ntransferred on a fresh load of ?example=chain-rule (bodies + headers)")
        for kind, size in sorted(sizes.items()):
            print(f"  {kind:<5} {size / 1024:8.1f} KiB")
        print(f"  total {sum(sizes.values()) / 1024:8.1f} KiB")
        browser.close()
    print(f"load average after: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
