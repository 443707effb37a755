"""One-line hints for the errors students hit most often, keyed on torch's own messages.

Each hint is written in English and Korean (RunResult `error.hint` and `error.hint_ko`); the
Korean follows the page's glossary (static/js/i18n/glossary.ko.json: 기울기 for gradient, 역전파 for
backward …).
"""

from __future__ import annotations

import re
from typing import NamedTuple

from app.sandbox.errors import ProgramError
from app.sandbox.grammar import IMPORT_ALTERNATIVES


class Hint(NamedTuple):
    error_type: str
    needle: str  # text the error message contains
    en: str
    ko: str


# The first match wins: specific NameErrors before the general one.
HINTS: tuple[Hint, ...] = (
    # The program's classes (issue 15).
    Hint(
        "AttributeError",
        "before Module.__init__() call",
        "Call super().__init__() first in your module's __init__, before assigning layers or "
        "parameters to self.",
        "모듈의 __init__에서 self에 층이나 매개변수를 대입하기 전에 먼저 super().__init__()을 "
        "호출하세요.",
    ),
    Hint(
        "RuntimeError",
        "returned an incorrect number of gradients",
        "backward() of a custom Function returns one gradient per input of forward() (after "
        "ctx), in order; return None for an input that needs no gradient.",
        "사용자 정의 Function의 backward()는 forward()의 입력(ctx 제외)마다 기울기를 하나씩 "
        "순서대로 반환합니다. 기울기가 필요 없는 입력에는 None을 반환하세요.",
    ),
    Hint(
        "NotImplementedError",
        'missing the required "forward" function',
        "Define forward(self, x) in your nn.Module subclass: calling the module runs it.",
        "nn.Module을 상속한 클래스에 forward(self, x)를 정의하세요. 모듈을 호출하면 이 메서드가 "
        "실행됩니다.",
    ),
    Hint(
        "SandboxViolation",
        "the attribute '__",
        "Python's special attributes (like __class__ and __name__) cannot be read here. To see "
        "what kind of object a value is, print(type(value)); to name a class, give it an "
        "attribute of your own (name = 'Net').",
        "파이썬의 특수 속성(__class__, __name__ 등)은 여기서 읽을 수 없습니다. 값이 어떤 "
        "객체인지 보려면 print(type(value))를 쓰고, 클래스에 이름이 필요하면 직접 속성을 "
        "만드세요(name = 'Net').",
    ),
    Hint(
        "SandboxViolation",
        "a class cannot define",
        "Only the special methods listed in the message can be defined; use a plain method "
        "instead (e.g. def get(self, name)).",
        "메시지에 나열된 특수 메서드만 정의할 수 있습니다. 대신 일반 메서드를 쓰세요"
        "(예: def get(self, name)).",
    ),
    Hint(
        "SandboxViolation",
        "takes a module of the program's own classes first",
        "Call it on your module instead: model.parameters() (or Net.parameters(model) with "
        "model an instance of your own nn.Module class).",
        "대신 모듈에서 호출하세요: model.parameters() (또는 model이 직접 정의한 nn.Module "
        "클래스의 인스턴스일 때 Net.parameters(model)).",
    ),
    Hint(
        "SandboxViolation",
        "positional-only parameters (/)",
        "Remove the / from the parameter list: the playground accepts plain, *args, "
        "keyword-only and **kwargs parameters.",
        "매개변수 목록에서 /를 빼세요. 이 놀이터는 일반 매개변수, *args, 키워드 전용 매개변수, "
        "**kwargs를 받습니다.",
    ),
    Hint(
        "RuntimeError",
        "grad can be implicitly created only for scalar outputs",
        "backward() without arguments needs a single-element output; reduce it first "
        "(e.g. y.sum().backward()) or pass a gradient of the output's shape: "
        "y.backward(torch.ones_like(y)).",
        "인자 없는 backward()는 원소가 하나인 출력에만 쓸 수 있습니다. 먼저 하나로 줄이거나 "
        "(예: y.sum().backward()) 출력과 모양이 같은 기울기를 넘기세요: "
        "y.backward(torch.ones_like(y)).",
    ),
    Hint(
        "RuntimeError",
        "Trying to backward through the graph a second time",
        "The first backward() freed the saved tensors; pass retain_graph=True to it if you "
        "need to run backward through the same graph again.",
        "첫 번째 backward()가 저장된 텐서를 해제했습니다. 같은 그래프로 역전파를 다시 하려면 "
        "첫 호출에 retain_graph=True를 넘기세요.",
    ),
    Hint(
        "RuntimeError",
        "a leaf Variable that requires grad is being used in an in-place operation",
        "Change a leaf tensor in place only inside `with torch.no_grad():`, or work on a "
        "copy made with .clone().",
        "리프 텐서를 제자리에서 바꾸는 연산은 `with torch.no_grad():` 안에서만 하거나, "
        ".clone()으로 만든 복사본에 하세요.",
    ),
    Hint(
        "RuntimeError",
        "does not require grad and does not have a grad_fn",
        "Nothing in this computation requires grad: create the input with "
        "requires_grad=True (or call .requires_grad_()) before computing the output.",
        "이 계산에는 기울기가 필요한 텐서가 없습니다. 출력을 계산하기 전에 입력을 "
        "requires_grad=True로 만드세요(또는 .requires_grad_()를 호출하세요).",
    ),
    Hint(
        "RuntimeError",
        "Only Tensors of floating point and complex dtype can require gradients",
        "Use a floating-point tensor, e.g. torch.tensor([1.0, 2.0], requires_grad=True) or "
        "dtype=torch.float32.",
        "부동소수점 텐서를 쓰세요. 예: torch.tensor([1.0, 2.0], requires_grad=True) 또는 "
        "dtype=torch.float32.",
    ),
    Hint(
        "RuntimeError",
        "Mismatch in shape",
        "The gradient passed to backward() must have exactly the output's shape.",
        "backward()에 넘기는 기울기는 출력과 모양이 정확히 같아야 합니다.",
    ),
    Hint(
        "RuntimeError",
        "One of the differentiated Tensors appears to not have been used in the graph",
        "An input of torch.autograd.grad did not contribute to the output; pass "
        "allow_unused=True to get None for it.",
        "torch.autograd.grad의 입력 중 하나가 출력 계산에 쓰이지 않았습니다. "
        "allow_unused=True를 넘기면 그 입력의 결과로 None을 받습니다.",
    ),
    Hint(
        "RuntimeError",
        "has been modified by an inplace operation",
        "A tensor saved for backward was changed in place afterwards; use an out-of-place "
        "operation (x = x + 1 instead of x += 1) or .clone() it first.",
        "역전파에 쓰려고 저장한 텐서가 나중에 제자리 연산으로 바뀌었습니다. 새 텐서를 만드는 "
        "연산(x += 1 대신 x = x + 1)을 쓰거나 먼저 .clone()하세요.",
    ),
    Hint(
        "RuntimeError",
        "Boolean value of Tensor with more than one value is ambiguous",
        "Use .any(), .all() or compare a single element (t.item()) in conditions.",
        "조건문에서는 .any()나 .all()을 쓰거나 원소 하나(t.item())를 비교하세요.",
    ),
    Hint(
        "RuntimeError",
        "shapes cannot be multiplied",
        "For A @ B the last dimension of A must equal the first dimension of B; check .shape.",
        "A @ B에서는 A의 마지막 차원과 B의 첫 차원의 크기가 같아야 합니다. .shape을 확인하세요.",
    ),
    Hint(
        "RuntimeError",
        "must match the size of tensor",
        "The shapes do not broadcast; print the .shape of both operands.",
        "두 모양을 브로드캐스트할 수 없습니다. 두 피연산자의 .shape을 출력해 보세요.",
    ),
    Hint(
        "RuntimeError",
        "can't convert np.ndarray",
        "Build tensors with torch functions only.",
        "텐서는 torch 함수로만 만드세요.",
    ),
    Hint(
        "NameError",
        "name 'torch' is not defined",
        "The program uses torch without importing it: add `import torch` at the top.",
        "프로그램이 torch를 가져오지 않고 쓰고 있습니다. 맨 위에 `import torch`를 추가하세요.",
    ),
    Hint(
        "NameError",
        "name 'nn' is not defined",
        "The program uses nn without importing it: add `from torch import nn` at the top.",
        "프로그램이 nn을 가져오지 않고 쓰고 있습니다. 맨 위에 `from torch import nn`을 추가하세요.",
    ),
    Hint(
        "NameError",
        "name 'F' is not defined",
        "The program uses F without importing it: add "
        "`import torch.nn.functional as F` at the top.",
        "프로그램이 F를 가져오지 않고 쓰고 있습니다. 맨 위에 "
        "`import torch.nn.functional as F`를 추가하세요.",
    ),
    Hint(
        "NameError",
        "is not defined",
        "Define the variable before this line (check the spelling and the import).",
        "이 줄보다 앞에서 변수를 정의하세요(철자와 import 문도 확인하세요).",
    ),
    Hint(
        "UnboundLocalError",
        "cannot access local variable",
        "The function assigns this name, so it is local everywhere in the function; assign "
        "it before reading it or pass the value as an argument.",
        "함수 안에서 이 이름에 값을 대입하므로 함수 전체에서 지역 변수가 됩니다. 읽기 전에 "
        "대입하거나 값을 인자로 넘기세요.",
    ),
    # The text of program_errors.MEMORY_MESSAGE, wherever the run ran out (an operation, the
    # interpreter, the capture, the worker).
    Hint(
        "MemoryError",
        "ran out of memory",
        "Each run has a fixed amount of memory: use smaller tensors, and do not keep copies "
        "of big ones (in a list, for example) longer than you need them.",
        "실행마다 쓸 수 있는 메모리가 정해져 있습니다. 더 작은 텐서를 쓰고, 큰 텐서의 "
        "복사본을 (예를 들어 리스트에) 필요 이상으로 오래 두지 마세요.",
    ),
)


_IMPORT_REFUSAL = re.compile(r"importing '([\w.]+)' is not allowed")
# Korean of grammar.IMPORT_ALTERNATIVES (the English owner), by module.
_IMPORT_ALTERNATIVES_KO: dict[str, str] = {
    "numpy": "여기서는 torch가 numpy의 일을 합니다: 배열은 torch.tensor([...]), torch.zeros/ones/"
    "arange/linspace, torch.sin/exp/sqrt, x.sum()/x.mean(), x @ y, torch.pi를 쓰세요.",
}


def _import_hint(error: ProgramError) -> Hint | None:
    """A refused import whose module has a torch equivalent: name it."""
    if error.type != "SandboxViolation":
        return None
    refused = _IMPORT_REFUSAL.search(error.message)
    if refused is None:
        return None
    module = refused.group(1).split(".")[0]
    alternative = IMPORT_ALTERNATIVES.get(module)
    if alternative is None:
        return None
    english = alternative[0].upper() + alternative[1:] + "."
    korean = _IMPORT_ALTERNATIVES_KO.get(module, english)
    return Hint("SandboxViolation", refused.group(0), english, korean)


def find_hint(error: ProgramError) -> Hint | None:
    """The hint for `error`, or None when there is none."""
    imported = _import_hint(error)
    if imported is not None:
        return imported
    for hint in HINTS:
        if error.type == hint.error_type and hint.needle in error.message:
            return hint
    return None


def hint_for(error: ProgramError) -> str | None:
    """The English hint for `error`, or None when there is none."""
    hint = find_hint(error)
    return None if hint is None else hint.en


def add_hint(error: ProgramError) -> None:
    """Set `error.hint` and `error.hint_ko` (both None when no hint fits)."""
    hint = find_hint(error)
    error.hint = None if hint is None else hint.en
    error.hint_ko = None if hint is None else hint.ko
