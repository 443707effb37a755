"""A/B proof that a change leaves every RunResult as it was: one digest per program.

Runs every built-in example, differential case and hostile program (the corpus's CPU category
left out: whether a deadline hits depends on the machine's load) with full capture, and writes
the SHA-256 of each RunResult's JSON bytes (the worker's encoding), `timing_ms` removed, to a
JSON file. Run it in both checkouts with the same PYTHONHASHSEED, then compare:

    PYTHONHASHSEED=0 PYTHONPATH=A python bench/ab_results.py --out a.json
    PYTHONHASHSEED=0 PYTHONPATH=B python bench/ab_results.py --out b.json
    python bench/ab_results.py --compare a.json b.json
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def programs() -> dict[str, tuple[str, int]]:
    """Program id -> (source, seed), from the checkout this script runs from."""
    sys.path.insert(0, str(ROOT))
    from app.examples import EXAMPLES
    from tests.differential.cases import CASES
    from tests.security.corpus import CORPUS

    found: dict[str, tuple[str, int]] = {}
    for example in EXAMPLES:
        found[f"example:{example.id}"] = (example.source, 0)
    for case in CASES:
        found[f"case:{case.id}"] = (case.source, case.seed)
    for hostile in CORPUS:
        if hostile.category.lower() != "cpu":
            found[f"hostile:{hostile.id}"] = (hostile.source, 0)
    return found


def digests() -> dict[str, str]:
    import torch

    from app.runner import run_program
    from app.workers.framing import encode_json

    torch.set_num_threads(1)
    found: dict[str, str] = {}
    for program_id, (source, seed) in programs().items():
        result = run_program(source, seed=seed)
        result.pop("timing_ms", None)
        found[program_id] = hashlib.sha256(encode_json(result)).hexdigest()
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path)
    parser.add_argument("--compare", nargs=2, type=Path, metavar=("A", "B"))
    arguments = parser.parse_args()
    if arguments.compare:
        a, b = (json.loads(path.read_text()) for path in arguments.compare)
        differ = sorted(key for key in a.keys() & b.keys() if a[key] != b[key])
        only = sorted(a.keys() ^ b.keys())
        both = len(a.keys() & b.keys())
        print(f"{both} programs in both, {len(differ)} differ, {len(only)} in one only")
        for key in differ:
            print(f"  differs: {key}")
        sys.exit(1 if differ else 0)
    found = digests()
    arguments.out.write_text(json.dumps(found, indent=1, sort_keys=True))
    print(f"{len(found)} programs")


if __name__ == "__main__":
    main()
