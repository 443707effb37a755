"""The `__repr__` of the program's objects in `variables`, computed once the run is over.

While the program runs, the capture never runs its code: an object of a class of the program
is encoded as `<Value object>` (classes.short_repr). Its own `__repr__` (or a module's
`extra_repr`) is what a reader wants, so the runner, after everything else of the result is
built, asks for it here: each such object among the final variables (also inside lists,
tuples and dicts) is shown by its program `repr`, run aside (sandbox/aside.py: output
discarded, a small budget of its own, nothing recorded). Whatever fails keeps the short
form. Doing it last means nothing a `__repr__` changes (an attribute, a counter, a tensor)
can reach any other part of the result: the program's stdout, error and values are those of
its run.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.sandbox.aside import Aside
from app.sandbox.classes import runs_program_repr
from app.sandbox.python_values import strip_addresses
from app.sandbox.sanitize import json_safe_text
from app.trace.encode import CHARS_PER_ELEMENT
from app.trace.result_budget import ResultBudget

# Encoded values walked at most (lists of lists of objects), and objects shown at most.
_MAX_WALKED = 10_000
_MAX_OBJECTS = 200


def show_program_reprs(
    final: Mapping[str, Any],
    variables: dict[str, Any],
    aside: Aside,
    budget: ResultBudget,
    value_elements: int,
) -> int:
    """Put the program's `repr` into the encoded `variables` (in place); how many were shown."""
    pending: list[tuple[Any, Any, str]] = [
        (final[name], encoded, f"variables.{name}")
        for name, encoded in reversed(variables.items())
        if name in final
    ]
    shown: dict[int, str | None] = {}  # one call per object, however often it is listed
    walked = 0
    while pending and walked < _MAX_WALKED and len(shown) < _MAX_OBJECTS and not aside.spent:
        value, encoded, where = pending.pop()
        walked += 1
        if not isinstance(encoded, dict):
            continue
        if type(value) in (list, tuple) and isinstance(encoded.get("items"), list):
            # The encoded items are the value's first items (all of them, unless cut).
            listed = zip(value, encoded["items"], strict=False)
            pending.extend(
                reversed(
                    [
                        (item, shown_as, f"{where}[{index}]")
                        for index, (item, shown_as) in enumerate(listed)
                    ]
                )
            )
            continue
        if type(value) is dict and isinstance(encoded.get("entries"), list):
            # Each entry's key and value are shown by their own Value; the dict's `repr` is
            # one string built with the short forms, so it is asked for whole when it holds
            # an object whose repr is the program's.
            listed = zip(value.items(), encoded["entries"], strict=False)
            for index, ((key, item), entry) in reversed(list(enumerate(listed))):
                pending.append((item, entry.get("value"), f"{where}.entries[{index}].value"))
                pending.append((key, entry.get("key"), f"{where}.entries[{index}].key"))
            if "repr" in encoded and not encoded.get("truncated") and _holds_program_repr(value):
                text = aside.repr_of(value)
                if text is not None:
                    _replace_repr(encoded, text, where, budget, value_elements)
            continue
        if "repr" not in encoded or encoded.get("truncated") or not runs_program_repr(value):
            continue
        key = id(value)
        if key not in shown:
            shown[key] = aside.repr_of(value)
        text = shown[key]
        if text is None:
            continue
        _replace_repr(encoded, text, where, budget, value_elements)
    return sum(text is not None for text in shown.values())


def _holds_program_repr(value: Any) -> bool:
    """True when a dict's repr would run the program's code: an object with a program
    `__repr__` among its keys and values, or inside the lists, tuples and dicts it holds."""
    pending = [value]
    walked = 0
    while pending and walked < _MAX_WALKED:
        current = pending.pop()
        walked += 1
        kind = type(current)
        if kind is dict:
            pending.extend(current.keys())
            pending.extend(current.values())
        elif kind is list or kind is tuple:
            pending.extend(current)
        elif runs_program_repr(current):
            return True
    return False


def _replace_repr(
    encoded: dict[str, Any], text: str, where: str, budget: ResultBudget, value_elements: int
) -> None:
    text = json_safe_text(strip_addresses(text))
    limit = value_elements * CHARS_PER_ELEMENT  # as much as a string may show
    truncated = len(text) > limit
    if truncated:
        text = text[:limit]
    extra = len(text) // CHARS_PER_ELEMENT - len(str(encoded["repr"])) // CHARS_PER_ELEMENT
    if extra > 0 and not budget.take(extra, where):
        return  # the short form it had, already paid for
    encoded["repr"] = text
    if truncated:
        encoded["truncated"] = True
