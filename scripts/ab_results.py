"""A/B of run results: every differential, example and hostile program, before and after a change.

    python scripts/ab_results.py dump OUT.jsonl [SECONDS]   # run from the checkout to measure
    python scripts/ab_results.py compare A.jsonl B.jsonl

`dump` runs each program through `run_program` of the checkout this script lives in (full
capture, its seed) and writes one JSON line per program with the whole RunResult minus timing
(`timing_ms`, any `*_ms` field). Hostile programs run in-process, not in a worker, under an
address-space cap, with their `{SECRET}`/`{CANARY}`/`{PORT}` holes filled with fixed text and a
deadline of SECONDS (default 2); a run that ended at the deadline is kept as its error type
only (where the clock stopped it is timing). `compare` prints every program whose results
differ and exits 1 if any does; a program that reached the deadline on one side only (one aimed
at a limit can reach it or the deadline first, depending on load) is listed apart: rerun those
with a larger SECONDS to settle them. A program whose own output is not deterministic (a set of
objects iterated in address order) differs between two runs of the same checkout too.
Run both sides with PYTHONHASHSEED=0.
"""

from __future__ import annotations

import json
import resource
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT = {"error": {"type": "Timeout"}}
ADDRESS_SPACE = 8 * 1024**3
FILLS = {"{SECRET}": "/nonexistent/secret.txt", "{CANARY}": "/nonexistent/canary", "{PORT}": "9"}


def _untimed(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            key: _untimed(item)
            for key, item in value.items()
            if key != "timing_ms" and not key.endswith("_ms")
        }
    if isinstance(value, list):
        return [_untimed(item) for item in value]
    return value


def _programs() -> list[tuple[str, str, str, int, bool]]:
    """(set, id, source, seed, hostile) of every program."""
    from app.examples import EXAMPLES
    from tests.differential.cases import CASES
    from tests.security.corpus import CORPUS

    programs = [("differential", case.id, case.source, case.seed, False) for case in CASES]
    programs += [("example", example.id, example.source, 0, False) for example in EXAMPLES]
    for program in CORPUS:
        source = program.source
        for hole, text in FILLS.items():
            source = source.replace(hole, text)
        programs.append(("hostile", program.id, source, 0, True))
    return programs


def dump(out: Path, seconds: float) -> None:
    sys.path.insert(0, str(ROOT))
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))
    from app.runner import run_program
    from app.sandbox.limits import Limits

    with out.open("w") as file:
        for kind, program_id, source, seed, hostile in _programs():
            limits = Limits(seconds=seconds) if hostile else None
            result = _untimed(run_program(source, seed, limits=limits))
            error = result.get("error") or {}
            if error.get("type") == "Timeout":
                result = TIMEOUT  # where the clock stopped it is timing
            line = {"set": kind, "id": program_id, "result": result}
            file.write(json.dumps(line, sort_keys=True, default=repr) + "\n")


def compare(first: Path, second: Path) -> int:
    def load(path: Path) -> dict[tuple[str, str], Any]:
        lines = [json.loads(line) for line in path.read_text().splitlines()]
        return {(line["set"], line["id"]): line["result"] for line in lines}

    a, b = load(first), load(second)
    unequal = sorted(key for key in a.keys() | b.keys() if a.get(key) != b.get(key))
    timing = [key for key in unequal if TIMEOUT in (a.get(key), b.get(key))]
    differing = [key for key in unequal if key not in timing]
    for kind, program_id in timing:
        print(f"{kind}/{program_id}: reached the deadline on one side only (timing)")
    for kind, program_id in differing:
        left, right = a.get((kind, program_id)), b.get((kind, program_id))
        fields = sorted(
            key
            for key in (left or {}).keys() | (right or {}).keys()
            if (left or {}).get(key) != (right or {}).get(key)
        )
        print(f"{kind}/{program_id}: differs in {', '.join(fields) or 'presence'}")
    by_set: dict[str, int] = {}
    for kind, _ in a.keys() | b.keys():
        by_set[kind] = by_set.get(kind, 0) + 1
    print(
        f"{len(differing)} of {sum(by_set.values())} programs differ ({by_set}); "
        f"{len(timing)} reached the deadline on one side only"
    )
    return 1 if differing else 0


def main() -> None:
    if len(sys.argv) in (3, 4) and sys.argv[1] == "dump":
        dump(Path(sys.argv[2]), float(sys.argv[3]) if len(sys.argv) == 4 else 2.0)
    elif len(sys.argv) == 4 and sys.argv[1] == "compare":
        raise SystemExit(compare(Path(sys.argv[2]), Path(sys.argv[3])))
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main()
