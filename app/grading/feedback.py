"""Grading messages in the student's language: English as the grader writes them, or Korean.

The grader (compare, checks, scoring, credit, requirements) writes each message in English from a
small set of sentence templates. This module is the one place that knows those templates in
Korean: `localize` matches a message against the table and refills the Korean template with the
same parts (names, numbers and PyTorch's own error text stay as they are, as on the page).
`tests/unit/grading/test_feedback.py` runs every kind of failure and fails on any message that
falls through untranslated, so a new English template cannot ship without its Korean one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

DEFAULT_LANG = "en"
SUPPORTED = ("en", "ko")

_V = r"(?P<value>.+?)"
_TOLERANCE = r" \(difference (?P<diff>[^,]+), allowed (?P<allowed>[^:]+): (?P<tol>[^)]+)\)"

# (English pattern, Korean template); the first full match wins, so specific ones come first.
_TEMPLATES: list[tuple[str, str]] = [
    (r"(?P<label>.+?) matches the expected value\.", "{label}: 기대한 값과 일치합니다."),
    (
        r"(?P<label>.+?) is None, expected (?P<expected>.+?): no gradient reached it; call "
        r"backward\(\) on a result computed from it, with requires_grad=True on the leaf\.",
        "{label}이(가) None입니다(기대한 값: {expected}). 기울기가 도달하지 않았습니다. "
        "리프 텐서에 requires_grad=True를 주고, 그 텐서로 계산한 결과에서 backward()를 "
        "호출하세요.",
    ),
    (
        r"(?P<label>.+?) differs from the expected value at (?P<bad>\d+) of (?P<n>\d+) "
        r"elements; the worst is index (?P<index>\[[^\]]*\]): got (?P<got>\S+), expected "
        r"(?P<want>\S+)" + _TOLERANCE + r"\.",
        "{label}이(가) 기대한 값과 {n}개 원소 중 {bad}개에서 다릅니다. 가장 큰 차이는 인덱스 "
        "{index}: 결과 {got}, 기대 {want} (차이 {diff}, 허용 {allowed}: {tol}).",
    ),
    (
        r"(?P<label>.+?) is (?P<got>\S+), expected (?P<want>\S+)" + _TOLERANCE + r"\.",
        "{label}의 값은 {got}, 기대한 값은 {want}입니다 (차이 {diff}, 허용 {allowed}: {tol}).",
    ),
    (
        r"(?P<label>.+?) has shape (?P<shape>.+?), expected (?P<want>.+?)\.",
        "{label}의 모양은 {shape}이고, 기대한 모양은 {want}입니다.",
    ),
    (
        r"(?P<label>.+?) is numeric with shape (?P<shape>.+?), expected (?P<want>.+?)\.",
        "{label}은(는) 모양이 {shape}인 수치 값인데, 기대한 값은 {want}입니다.",
    ),
    (
        r"(?P<label>.+?) is a list of (?P<n>\d+) items, expected (?P<want>.+?)\.",
        "{label}은(는) 항목 {n}개의 리스트인데, 기대한 값은 {want}입니다.",
    ),
    (
        r"(?P<label>.+?) has (?P<n>\d+) items, expected (?P<m>\d+)\.",
        "{label}의 항목은 {n}개이고, 기대한 개수는 {m}개입니다.",
    ),
    (
        r"(?P<label>.+?) is a dict, expected (?P<want>.+?)\.",
        "{label}은(는) dict인데, 기대한 값은 {want}입니다.",
    ),
    (
        r"(?P<label>.+?) has keys (?P<keys>\[.*?\]), expected (?P<want>\[.*?\])\.",
        "{label}의 키는 {keys}이고, 기대한 키는 {want}입니다.",
    ),
    (
        r"(?P<label>.+?) is a (?P<kind>\S+) object, which a check cannot compare; check one of "
        r"its values instead \(for a grad_fn, its \.name\(\)\)\.",
        "{label}은(는) {kind} 객체라서 검사에서 비교할 수 없습니다. 대신 그 값 하나를 "
        "검사하세요(grad_fn이라면 .name()).",
    ),
    (
        r"(?P<label>.+?) is (?P<got>.+?), expected (?P<want>.+?)\.",
        "{label}의 값은 {got}이고, 기대한 값은 {want}입니다.",
    ),
    (
        r"The check expression (?P<expr>.+?) was refused: (?P<why>.+)",
        "검사 식 {expr}이(가) 거부되었습니다: {why}",
    ),
    (
        r"Evaluating (?P<expr>.+?) on your program failed with (?P<type>\w+): (?P<why>.*)",
        "제출한 프로그램에서 {expr}을(를) 계산하다가 {type} 오류가 났습니다: {why}",
    ),
    (
        r"Not checked: your program stopped at line (?P<line>\d+) with (?P<type>\w+): (?P<why>.*)",
        "검사하지 않음: 프로그램이 {line}번째 줄에서 {type} 오류로 멈췄습니다: {why}",
    ),
    (
        r"Not checked: your program stopped with (?P<type>\w+): (?P<why>.*)",
        "검사하지 않음: 프로그램이 {type} 오류로 멈췄습니다: {why}",
    ),
    (
        r"Not graded: the grader's reference program failed \((?P<why>.*)\); this is not a "
        r"problem with your program\.",
        "채점하지 않음: 채점기의 참조 프로그램이 실패했습니다({why}). 제출한 프로그램의 "
        "문제가 아닙니다.",
    ),
    (
        r"Skipped: this check needs the check (?P<name>.+?) to pass first\.",
        "건너뜀: 이 검사는 {name} 검사를 먼저 통과해야 합니다.",
    ),
    (
        r"(?P<passed>\d+) of (?P<total>\d+) checks passed \((?P<points>\S+) of (?P<max>\S+) "
        r"points\)\.",
        "검사 {total}개 중 {passed}개 통과 ({max}점 중 {points}점).",
    ),
    (
        r"Your program stopped at line (?P<line>\d+) with (?P<type>\w+): (?P<why>.*)",
        "프로그램이 {line}번째 줄에서 {type} 오류로 멈췄습니다: {why}",
    ),
    (
        r"Your program stopped with (?P<type>\w+): (?P<why>.*)",
        "프로그램이 {type} 오류로 멈췄습니다: {why}",
    ),
    (
        r"The grader could not grade this submission: its (?P<source>\w+) failed with "
        r"(?P<type>\w+): (?P<why>.*)",
        "채점기가 이 제출물을 채점하지 못했습니다: {source}이(가) {type} 오류로 실패했습니다: "
        "{why}",
    ),
    # Sentences of the platform reports and the problem grader (app/grading/reports.py).
    (r"Hidden check: passed\.", "숨은 검사: 통과."),
    (r"Hidden check: not passed\.", "숨은 검사: 통과하지 못함."),
    (r"Your program printed:", "프로그램이 출력한 내용:"),
    (r"Hint: (?P<hint>.*)", "힌트: {hint}"),
    (
        r"Your code has a syntax error at line (?P<line>\d+): (?P<why>.*)",
        "코드의 {line}번째 줄에 문법 오류가 있습니다: {why}",
    ),
    (
        r"Your code uses something the playground does not allow at line (?P<line>\d+): "
        r"(?P<why>.*)",
        "코드의 {line}번째 줄에서 플레이그라운드가 허용하지 않는 것을 사용합니다: {why}",
    ),
    (r"No submission file was found\.", "제출 파일을 찾지 못했습니다."),
]
_COMPILED = [(re.compile(pattern, re.DOTALL), korean) for pattern, korean in _TEMPLATES]
_PARTIAL = re.compile(
    r"(?P<head>.+?) Partial credit: (?:(?P<within>\d+) of (?P<n>\d+) elements are within "
    r"tolerance|within the looser tolerance (?P<tol>[^(]+?)) \((?P<points>\S+) of (?P<max>\S+) "
    r"points\)\.",
    re.DOTALL,
)


def _translate_one(message: str) -> str | None:
    for pattern, korean in _COMPILED:
        match = pattern.fullmatch(message)
        if match is not None:
            return korean.format(**match.groupdict())
    return None


def localize(message: str, lang: str) -> str:
    """`message` in `lang`; English (or an unknown sentence) is returned unchanged."""
    if lang != "ko" or not message:
        return message
    partial = _PARTIAL.fullmatch(message)
    if partial is not None:
        head = localize(partial["head"], lang)
        if partial["within"] is not None:
            why = f"{partial['n']}개 원소 중 {partial['within']}개가 허용 오차 안에 있습니다"
        else:
            why = f"더 느슨한 허용 오차({partial['tol']}) 안에 있습니다"
        return f"{head} 부분 점수: {why} ({partial['max']}점 중 {partial['points']}점)."
    translated = _translate_one(message)
    return message if translated is None else translated


def is_translated(message: str) -> bool:
    """True when `localize` knows a Korean sentence for `message` (tests use this)."""
    return localize(message, "ko") != message or not message


def choose_lang(
    requested: str | None, accept_language: str | None, default: str = DEFAULT_LANG
) -> str:
    """The language of the feedback: the request's, then Accept-Language's, then the default."""
    if requested in SUPPORTED:
        return requested
    if accept_language:
        for part in accept_language.split(","):
            tag = part.split(";")[0].strip().lower()
            primary = tag.split("-")[0]
            if primary in SUPPORTED:
                return primary
    return default if default in SUPPORTED else DEFAULT_LANG


def pick(texts: Mapping[str, str] | None, lang: str) -> str | None:
    """One language out of an {en, ko} table (English when that language is missing)."""
    if not texts:
        return None
    return texts.get(lang) or texts.get("en")
