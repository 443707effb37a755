"""The work a C-level operation on plain containers does, known before it runs.

CPython compares, searches and hashes lists, tuples and dicts in C, in one interpreter step: a
list of 10**5 references to one list of 10**5 ints is cheap to build (the run pays 2·10**5
items) but `a == b` against an equal copy does 10**10 comparisons. These functions measure a
value as such an operation walks it — shared containers counted every time they are reached —
so that the step is paid (and refused) before it starts.
"""

from __future__ import annotations

from typing import Any

# A Python object comparison costs about this many tensor element operations (op_cost counts
# those): one `==` of two ints through PyObject_RichCompare is ~10 ns, a float add ~1 ns.
COMPARISON_WEIGHT = 10
# Characters compared per unit of walk (a memcmp compares about this many for one object
# comparison): long strings inside containers count by their length too.
CHARS_PER_COMPARISON = 16

_NESTED = (list, tuple, dict)


def walk_size(value: Any, cap: int) -> int:
    """Items a full walk of `value` reaches (nested containers each time they are reached;
    strings by their length), or `cap + 1` as soon as it exceeds `cap`.

    Each distinct container is read once (memoised by identity), so measuring costs at most
    the items the run built, never the shared-reference product it may stand for.
    """
    kind = type(value)
    if kind is str:
        return 1 + len(value) // CHARS_PER_COMPARISON
    if kind not in _NESTED:
        return 1
    sizes: dict[int, int] = {}
    # Post-order without recursion: (container, children done?).
    stack: list[tuple[Any, bool]] = [(value, False)]
    keep_alive: list[Any] = []  # ids are only unique while the objects live
    while stack:
        container, done = stack.pop()
        key = id(container)
        if key in sizes and not done:
            continue
        children = container.values() if type(container) is dict else container
        if not done:
            sizes[key] = -1  # in progress: a container holding itself counts once
            keep_alive.append(container)
            stack.append((container, True))
            if type(container) is dict:
                stack.extend((k, False) for k in container if type(k) is tuple)
            stack.extend((child, False) for child in children if type(child) in _NESTED)
            continue
        total = len(container)
        for child in (*container, *children) if type(container) is dict else children:
            child_kind = type(child)
            if child_kind is str:
                total += len(child) // CHARS_PER_COMPARISON
            elif child_kind in _NESTED:
                total += max(sizes.get(id(child), 0), 0)
            if total > cap:
                return cap + 1
        sizes[key] = min(total, cap + 1)
    return min(max(sizes[id(value)], 1), cap + 1)


def comparison_size(left: Any, right: Any, cap: int) -> int:
    """Item comparisons `left == right` (or `<`) may do at most: the smaller walk of the two."""
    if type(left) not in _NESTED or type(right) not in _NESTED:
        return 1
    smaller = walk_size(left, cap)
    if smaller <= 1:
        return smaller
    return min(smaller, walk_size(right, cap))


def search_size(container: Any, item: Any, cap: int) -> int:
    """Comparisons of `item in container`, `.count(item)`, `.index(item)`: every entry against
    `item`, each at most the smaller of the two walks."""
    if type(container) in (dict, set, frozenset):  # hashed, not compared one by one
        return hash_size(item, cap)
    if type(container) is str:
        return 1 + len(container) // CHARS_PER_COMPARISON
    entries = len(container)
    if type(item) not in _NESTED:
        # A scalar against containers stops at the type; against strings at their length.
        if type(item) is str:
            return entries * (1 + len(item) // CHARS_PER_COMPARISON)
        return max(entries, 1)
    per_entry = walk_size(item, cap)
    if entries * per_entry <= cap:
        return max(entries * per_entry, 1)
    return min(walk_size(container, cap), cap + 1)


def hash_size(key: Any, cap: int) -> int:
    """Work of hashing `key` (a tuple's hash is not cached: it walks every item each time)."""
    if type(key) is not tuple:
        return 1
    return walk_size(key, cap)
