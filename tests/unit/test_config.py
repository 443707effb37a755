"""Settings: read from the environment, validated, and every field documented in the README."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
from pydantic import ValidationError

from app.config import Settings
from app.sandbox.limits import Limits

README = Path(__file__).resolve().parents[2] / "README.md"


def documented_variables() -> dict[str, str]:
    """Variable → default column of every row of the README's configuration tables."""
    section = README.read_text(encoding="utf-8").split("## Configuration", 1)[1].split("\n## ")[0]
    rows = re.findall(r"^\| `(PLAYGROUND_[A-Z_]+)` \| ([^|]+) \|", section, flags=re.MULTILINE)
    return {name: default.strip() for name, default in rows}


def test_every_setting_is_documented_in_the_readme() -> None:
    documented = documented_variables()
    missing = [
        f"PLAYGROUND_{name.upper()}"
        for name in Settings.model_fields
        if name != "limits" and f"PLAYGROUND_{name.upper()}" not in documented
    ]
    assert not missing, f"undocumented settings: {missing}"


def test_every_limit_is_documented_with_its_default() -> None:
    documented = documented_variables()
    for field in dataclasses.fields(Limits):
        variable = f"PLAYGROUND_LIMITS__{field.name.upper()}"
        assert variable in documented, f"undocumented limit: {variable}"
        assert documented[variable] == f"`{getattr(Limits(), field.name)}`", variable


def test_the_readme_documents_nothing_that_does_not_exist() -> None:
    known = {f"PLAYGROUND_{n.upper()}" for n in Settings.model_fields if n != "limits"}
    known |= {f"PLAYGROUND_LIMITS__{f.name.upper()}" for f in dataclasses.fields(Limits)}
    assert set(documented_variables()) <= known


def test_settings_come_from_prefixed_environment_variables(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PLAYGROUND_WORKERS", "3")
    monkeypatch.setenv("PLAYGROUND_LIMITS__SECONDS", "2.5")
    monkeypatch.setenv("PLAYGROUND_CORS_ORIGINS", '["https://course.example"]')
    settings = Settings()
    assert settings.workers == 3
    assert settings.limits.seconds == 2.5
    assert settings.limits.steps == Limits().steps
    assert settings.cors_origins == ["https://course.example"]


@pytest.mark.parametrize(
    "override", [{"workers": 0}, {"runs_per_worker": 0}, {"queue_size": -1}, {"port": "x"}]
)
def test_nonsense_settings_are_refused(override: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        Settings(**override)  # type: ignore[arg-type]


def test_settings_survive_the_trip_to_the_zygote() -> None:
    settings = Settings(workers=1, limits=Limits(seconds=0.25, steps=7))
    assert Settings.model_validate_json(settings.model_dump_json()) == settings
