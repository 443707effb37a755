"""Korean uses one word per autograd term everywhere (static/js/i18n/glossary.ko.json), and no
machine-like particle fallbacks such as 이(가)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from app.examples.catalog import EXAMPLES
from app.sandbox.hints import HINTS

ROOT = Path(__file__).resolve().parents[2]
GLOSSARY = json.loads((ROOT / "static/js/i18n/glossary.ko.json").read_text(encoding="utf-8"))
STRING = re.compile(r"'((?:[^'\\]|\\.)*)'")


def korean_texts() -> dict[str, str]:
    """Every Korean string the user can see, named by where it lives."""
    texts = {}
    table = (ROOT / "static/js/i18n/ko.js").read_text(encoding="utf-8")
    for line in table.splitlines():
        strings = STRING.findall(line)
        if len(strings) == 2:
            texts[f"ko.js {strings[0]}"] = strings[1]
    for example in EXAMPLES:
        texts[f"example {example.id} title"] = example.title_ko
        texts[f"example {example.id} explanation"] = example.explanation_ko
    for hint in HINTS:
        texts[f"hint {hint.needle}"] = hint.ko
    return texts


def test_every_korean_string_follows_the_glossary() -> None:
    texts = korean_texts()
    assert len(texts) > 150
    offending = [
        (where, avoided)
        for where, text in texts.items()
        for avoided in GLOSSARY["avoid"]
        if avoided in text
    ]
    assert offending == []


def test_the_glossary_words_are_the_ones_used() -> None:
    joined = " ".join(korean_texts().values())
    for term in ("gradient", "backward pass", "leaf tensor"):
        assert GLOSSARY["terms"][term] in joined, term


def test_every_key_has_a_korean_string() -> None:
    def keys(name: str) -> set[str]:
        text = (ROOT / f"static/js/i18n/{name}.js").read_text(encoding="utf-8")
        return {STRING.findall(line)[0] for line in text.splitlines() if STRING.search(line)}

    assert keys("en") == keys("ko")
