"""Problem files: one TOML file per exercise, read with the standard library and checked here.

A problem holds what a course needs to grade one exercise without sending its reference through
every request: the prompt (English and Korean), the starter code, the reference program, the seed
and the checks, each with its points, tolerance, visibility, hint, partial credit and the check it
requires. `load_problem` refuses any mistake in the file with one sentence naming the place;
`Problem.check_job` turns a submission into the worker's `check` job (plain data).

Torch-free: the web process lists problems and builds jobs; only the worker runs them.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10 only
    import tomli as tomllib

LANGS = ("en", "ko")
VISIBILITIES = ("visible", "hidden", "after_due_date", "after_published")
PARTIAL_RULES = ("none", "fraction")
PROBLEM_KEYS = {"id", "title", "prompt", "starter", "reference", "seed", "lang", "checks"}
CHECK_KEYS = {
    "name",
    "expr",
    "expected",
    "points",
    "rtol",
    "atol",
    "visibility",
    "hint",
    "partial",
    "requires",
}
TIER_KEYS = {"rtol", "atol", "credit"}
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


class ProblemFileError(ValueError):
    """A problem file that cannot be used, with one sentence saying where and why."""


@dataclass(frozen=True)
class ProblemCheck:
    """One check of a problem file."""

    name: str
    expr: str
    points: float = 1.0
    visibility: str = "visible"
    hint: dict[str, str] | None = None
    partial: Any = None
    requires: str | None = None
    rtol: float | None = None
    atol: float | None = None
    expected: Any = None
    has_expected: bool = False

    @property
    def hidden(self) -> bool:
        """True when students must not see this check's expected value (or the check) now."""
        return self.visibility != "visible"

    def to_job(self) -> dict[str, Any]:
        """The check as the worker's `check` job reads it."""
        job: dict[str, Any] = {"name": self.name, "expr": self.expr, "points": self.points}
        for key in ("rtol", "atol", "partial", "requires"):
            value = getattr(self, key)
            if value is not None:
                job[key] = value
        if self.has_expected:
            job["expected"] = self.expected
        return job


@dataclass(frozen=True)
class Problem:
    """A whole problem file."""

    id: str
    title: dict[str, str]
    prompt: dict[str, str]
    starter: str
    reference: str
    seed: int = 0
    lang: str = "en"
    checks: tuple[ProblemCheck, ...] = field(default_factory=tuple)
    path: Path | None = None

    def check_job(self, source: str) -> dict[str, Any]:
        """The worker's `check` job grading `source` against this problem."""
        return {
            "source": source,
            "seed": self.seed,
            "reference": self.reference,
            "checks": [check.to_job() for check in self.checks],
        }

    def text(self, field_name: str, lang: str) -> str:
        """The title or prompt in `lang` (English when the file has no such translation)."""
        texts: dict[str, str] = getattr(self, field_name)
        return texts.get(lang) or texts["en"]

    def public(self) -> dict[str, Any]:
        """What a student may see before grading: never the reference or expected values."""
        return {
            "id": self.id,
            "title": self.title,
            "prompt": self.prompt,
            "starter": self.starter,
            "seed": self.seed,
            "lang": self.lang,
            "checks": [
                {
                    "name": check.name,
                    "points": check.points,
                    "visibility": check.visibility,
                    "hint": check.hint,
                }
                for check in self.checks
                if check.visibility == "visible"
            ],
            "max_points": sum(check.points for check in self.checks),
        }


def load_problem(path: Path) -> Problem:
    """Read and check a problem file; ProblemFileError says what is wrong and where."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise ProblemFileError(
            f"{path}: cannot read the problem file ({error.strerror})."
        ) from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ProblemFileError(f"{path}: the problem file is not UTF-8 text.") from None
    except tomllib.TOMLDecodeError as error:
        raise ProblemFileError(f"{path}: not valid TOML: {error}.") from None
    return parse_problem(data, path)


def _fail(path: Path | None, where: str, message: str) -> ProblemFileError:
    prefix = f"{path}: " if path is not None else ""
    return ProblemFileError(f"{prefix}{where}{message}")


def _unknown_keys(data: dict[str, Any], allowed: set[str]) -> str | None:
    unknown = sorted(set(data) - allowed)
    if not unknown:
        return None
    return f"unknown key {unknown[0]!r} (allowed: {', '.join(sorted(allowed))})."


def _texts(value: Any, key: str, required: bool, fail: Any) -> dict[str, str] | None:
    if value is None:
        if required:
            raise fail(f"{key!r} is missing; give it as a table with 'en' and 'ko' strings.")
        return None
    if isinstance(value, str):
        raise fail(f"{key!r} needs both languages: write {key}.en = ... and {key}.ko = ....")
    if not isinstance(value, dict) or set(value) - set(LANGS):
        extra = sorted(set(value) - set(LANGS)) if isinstance(value, dict) else []
        after = (
            f" ({extra[0]!r} landed in it: keys written after a [{key}] header belong to that"
            " table, so put top-level keys first)"
            if extra
            else ""
        )
        raise fail(f"{key!r} must be a table with only the keys 'en' and 'ko'{after}.")
    for lang in LANGS:
        if not isinstance(value.get(lang), str) or not value[lang].strip():
            raise fail(f"{key}.{lang} must be a non-empty string.")
    return {lang: value[lang] for lang in LANGS}


def _number(value: Any, key: str, fail: Any, *, default: float | None) -> float | None:
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise fail(f"{key!r} must be a number of at least 0, not {value!r}.")
    return float(value)


def _partial(value: Any, fail: Any) -> Any:
    if value is None or value == "none":
        return None
    if isinstance(value, str):
        if value not in PARTIAL_RULES:
            raise fail(f"'partial' must be 'none', 'fraction' or a list of tiers, not {value!r}.")
        return value
    if not isinstance(value, list) or not value:
        raise fail("'partial' must be 'none', 'fraction' or a non-empty list of tiers.")
    tiers = []
    for number, tier in enumerate(value, start=1):
        if not isinstance(tier, dict):
            raise fail(f"partial tier {number} must be a table like {{atol = 0.01, credit = 0.5}}.")
        unknown = _unknown_keys(tier, TIER_KEYS)
        if unknown:
            raise fail(f"partial tier {number}: {unknown}")
        credit = tier.get("credit")
        if isinstance(credit, bool) or not isinstance(credit, int | float) or not 0 < credit < 1:
            raise fail(f"partial tier {number}: 'credit' must be a number between 0 and 1.")
        cleaned: dict[str, float] = {"credit": float(credit)}
        for key in ("rtol", "atol"):
            number_value = _number(
                tier.get(key), f"partial tier {number} {key}", fail, default=None
            )
            if number_value is not None:
                cleaned[key] = number_value
        if len(cleaned) == 1:
            raise fail(f"partial tier {number} needs an 'rtol' or an 'atol'.")
        tiers.append(cleaned)
    return tiers


def _check(data: Any, number: int, path: Path | None) -> ProblemCheck:
    if not isinstance(data, dict):
        raise _fail(path, f"check {number}: ", "each [[checks]] entry must be a table.")
    label = f"check {number}" + (
        f" ({data['name']!r})" if isinstance(data.get("name"), str) else ""
    )

    def fail(message: str) -> ProblemFileError:
        return _fail(path, f"{label}: ", message)

    unknown = _unknown_keys(data, CHECK_KEYS)
    if unknown:
        raise fail(unknown)
    expr = data.get("expr")
    if not isinstance(expr, str) or not expr.strip():
        raise fail("'expr' must be a non-empty expression, e.g. expr = \"x.grad\".")
    name = data.get("name", expr)
    if not isinstance(name, str) or not name.strip():
        raise fail("'name' must be a non-empty string.")
    visibility = data.get("visibility", "visible")
    if visibility not in VISIBILITIES:
        raise fail(f"'visibility' must be one of {', '.join(VISIBILITIES)}, not {visibility!r}.")
    requires = data.get("requires")
    if requires is not None and not isinstance(requires, str):
        raise fail("'requires' must be the name of another check.")
    points = _number(data.get("points"), "points", fail, default=1.0)
    assert points is not None
    return ProblemCheck(
        name=name,
        expr=expr,
        points=points,
        visibility=visibility,
        hint=_texts(data.get("hint"), "hint", False, fail),
        partial=_partial(data.get("partial"), fail),
        requires=requires,
        rtol=_number(data.get("rtol"), "rtol", fail, default=None),
        atol=_number(data.get("atol"), "atol", fail, default=None),
        expected=data.get("expected"),
        has_expected="expected" in data,
    )


def _check_requirements(checks: list[ProblemCheck], path: Path | None) -> None:
    names = [check.name for check in checks]
    for name in names:
        if names.count(name) > 1:
            raise _fail(path, "", f"two checks are named {name!r}; check names must be unique.")
    requires = {check.name: check.requires for check in checks if check.requires is not None}
    for name, required in requires.items():
        if required not in names:
            raise _fail(path, f"check {name!r}: ", f"it requires {required!r}, which is no check.")
        seen = {name}
        current: str | None = required
        while current is not None:
            if current in seen:
                raise _fail(path, f"check {name!r}: ", "its 'requires' chain is a cycle.")
            seen.add(current)
            current = requires.get(current)


def parse_problem(data: dict[str, Any], path: Path | None = None) -> Problem:
    """Check the data of a problem file (as TOML gives it) and build the Problem."""

    def fail(message: str) -> ProblemFileError:
        return _fail(path, "", message)

    unknown = _unknown_keys(data, PROBLEM_KEYS)
    if unknown:
        raise fail(unknown)
    problem_id = data.get("id")
    if not isinstance(problem_id, str) or not ID_PATTERN.match(problem_id):
        raise fail("'id' must be lower-case letters, digits and dashes, e.g. id = \"chain-rule\".")
    title = _texts(data.get("title"), "title", True, fail)
    prompt = _texts(data.get("prompt"), "prompt", True, fail)
    assert title is not None and prompt is not None
    for key in ("starter", "reference"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            raise fail(f'{key!r} must be a program (a non-empty string; use """ for lines).')
    seed = data.get("seed", 0)
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise fail(f"'seed' must be an integer, not {seed!r}.")
    lang = data.get("lang", "en")
    if lang not in LANGS:
        raise fail(f"'lang' must be 'en' or 'ko', not {lang!r}.")
    raw_checks = data.get("checks")
    if not isinstance(raw_checks, list) or not raw_checks:
        raise fail("the problem has no checks; add at least one [[checks]] table.")
    checks = [_check(entry, number, path) for number, entry in enumerate(raw_checks, start=1)]
    _check_requirements(checks, path)
    return Problem(
        id=problem_id,
        title=title,
        prompt=prompt,
        starter=data["starter"],
        reference=data["reference"],
        seed=seed,
        lang=lang,
        checks=tuple(checks),
        path=path,
    )


def load_problem_dir(directory: Path) -> dict[str, Problem]:
    """Every `*.toml` problem in `directory`, by id (a broken file or a repeated id raises)."""
    problems: dict[str, Problem] = {}
    for path in sorted(directory.glob("*.toml")):
        problem = load_problem(path)
        if problem.id in problems:
            raise ProblemFileError(
                f"{path}: the id {problem.id!r} is already used by {problems[problem.id].path}."
            )
        problems[problem.id] = problem
    return problems
