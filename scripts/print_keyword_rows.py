"""Print the keyword rows of the torch table, derived from torch's own signatures.

    PYTHONPATH=. .venv/bin/python scripts/print_keyword_rows.py > /tmp/rows.py

Each row is what torch accepts minus the keywords the playground never allows
(`allowlist.UNSAFE_KEYWORDS`); review the output and paste it into
`app/sandbox/keyword_rows.py` (the rows are data, checked by
tests/unit/sandbox/test_keyword_rows.py).
"""

from __future__ import annotations

from app.sandbox import allowlist
from app.sandbox.allowlist import Kind
from tests.unit.sandbox.real_signatures import real_keywords

CALLABLE_KINDS = (Kind.FUNCTION, Kind.METHOD, Kind.CLASS, Kind.CONTEXT, Kind.TYPE_TOKEN)


def rows() -> dict[str, str]:
    found: dict[str, str] = {}
    owners = {
        **allowlist.NAMESPACES,
        "Tensor": allowlist.TENSOR,
        "Module": allowlist.MODULE,
        "optimizer": allowlist.OPTIMIZER,
        "scheduler": allowlist.SCHEDULER,
    }
    for owner, table in owners.items():
        for name, entry in table.items():
            if entry.kind not in CALLABLE_KINDS:
                continue
            keywords = real_keywords(owner, name) - set(allowlist.UNSAFE_KEYWORDS)
            keywords = {k for k in keywords if not k.startswith("_")}
            found[f"{owner}.{name}"] = " ".join(sorted(keywords))
    for name, entry in allowlist.NN.items():
        if entry.kind is Kind.CLASS and hasattr(getattr(__import__("torch").nn, name), "forward"):
            keywords = real_keywords("forward", name) - set(allowlist.UNSAFE_KEYWORDS)
            found[f"forward.{name}"] = " ".join(sorted(keywords))
    return found


if __name__ == "__main__":
    print("KEYWORD_ROWS: dict[str, str] = {")
    for key, value in sorted(rows().items()):
        print(f"    {key!r}: {value!r},")
    print("}")
