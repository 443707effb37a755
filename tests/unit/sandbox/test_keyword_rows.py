"""The keyword rows (app/sandbox/keyword_rows.py) agree with torch's real signatures.

Every keyword of a row is one torch 2.13 accepts; no row holds a refused (unsafe) keyword; every
callable of the table has a row; and the surface enforces the rows: an allowed keyword reaches
torch, a refused one is stopped with a sentence naming it, one torch does not know gets torch's
own TypeError.
"""

from __future__ import annotations

import pytest
import torch

from app.runner import run_program
from app.sandbox import allowlist
from app.sandbox.allowlist import Kind
from app.sandbox.keyword_rows import KEYWORD_ROWS
from app.sandbox.limits import Limits
from tests.unit.sandbox.real_signatures import real_keywords

CALLABLE_KINDS = (Kind.FUNCTION, Kind.METHOD, Kind.CLASS, Kind.CONTEXT, Kind.TYPE_TOKEN)
OWNERS = {
    **allowlist.NAMESPACES,
    "Tensor": allowlist.TENSOR,
    "Module": allowlist.MODULE,
    "optimizer": allowlist.OPTIMIZER,
    "scheduler": allowlist.SCHEDULER,
}


def _split(key: str) -> tuple[str, str]:
    owner, _, name = key.rpartition(".")
    return owner, name


@pytest.mark.parametrize("key", sorted(KEYWORD_ROWS))
def test_every_keyword_of_a_row_is_accepted_by_torch(key: str) -> None:
    owner, name = _split(key)
    row = set(KEYWORD_ROWS[key].split())
    assert row <= real_keywords(owner, name), (
        f"{key}: torch does not take {row - real_keywords(owner, name)}"
    )


@pytest.mark.parametrize("key", sorted(KEYWORD_ROWS))
def test_no_row_holds_a_refused_or_private_keyword(key: str) -> None:
    row = set(KEYWORD_ROWS[key].split())
    assert not row & set(allowlist.REFUSED_KEYWORDS)
    assert not {k for k in row if k.startswith("_")}


def test_every_callable_of_the_table_has_a_row() -> None:
    missing = [
        f"{owner}.{name}"
        for owner, table in OWNERS.items()
        for name, entry in table.items()
        if entry.kind in CALLABLE_KINDS and f"{owner}.{name}" not in KEYWORD_ROWS
    ]
    modules = [
        name
        for name, entry in allowlist.NN.items()
        if entry.kind is Kind.CLASS
        and name != "Parameter"
        and name not in allowlist.FORWARD_KEYWORDS
    ]
    assert not missing and not modules, (missing, modules)


def test_rows_reach_the_entries() -> None:
    assert "keepdim" in allowlist.TORCH["sum"].keywords
    assert "sparse_grad" not in allowlist.TORCH["gather"].keywords
    assert "memory_format" not in allowlist.TENSOR["clone"].keywords
    assert allowlist.FORWARD_KEYWORDS["MSELoss"] == frozenset({"input", "target"})


# NumPy's spellings come from torch's argument parser, not from the stubs: try them for real.
@pytest.mark.parametrize(
    ("call", "keyword"),
    [
        (lambda **k: torch.sum(torch.ones(2, 2), **k), {"axis": 0, "keepdims": True}),
        (lambda **k: torch.exp(**k), {"x": torch.ones(1)}),
        (lambda **k: torch.add(**k), {"x1": torch.ones(1), "x2": torch.ones(1)}),
        (lambda **k: torch.ones(2).softmax(**k), {"axis": 0}),
    ],
)
def test_numpy_spellings_in_rows_work_in_torch(call: object, keyword: dict[str, object]) -> None:
    call(**keyword)  # type: ignore[operator]


@pytest.mark.parametrize(
    ("source", "keyword"),
    [
        (
            "x = torch.ones(3)\ny = torch.gather(x, 0, torch.tensor([0]), sparse_grad=True)",
            "sparse_grad",
        ),
        ("x = torch.ones(3)\ny = x.clone(memory_format=None)", "memory_format"),
        ("x = torch.ones(3)\ny = torch.sum(x, out=x)", "out"),
        ("x = torch.tensor([1.0], pin_memory=False)", "pin_memory"),
        ("e = torch.nn.Embedding(3, 2, sparse=True)", "sparse"),
        (
            "d = torch.utils.data.TensorDataset(torch.ones(2))\n"
            "l = torch.utils.data.DataLoader(d, num_workers=2)",
            "num_workers",
        ),
        (
            "x = torch.ones(2)\n"
            "w = torch.nn.functional.embedding(torch.tensor([0]), torch.eye(2), sparse=True)",
            "sparse",
        ),
    ],
)
def test_refused_keywords_are_named_in_english_and_korean(source: str, keyword: str) -> None:
    result = run_program("import torch\n" + source, capture=False)
    error = result["error"]
    assert error["type"] == "SandboxViolation", error
    assert f"{keyword}=" in error["message"]
    assert "키워드를 받지 않습니다" in error["message"]


def test_a_keyword_torch_does_not_know_gets_torchs_own_error() -> None:
    result = run_program("import torch\nx = torch.ones(2)\ny = x.sum(foo=1)", capture=False)
    assert result["error"]["type"] == "TypeError"
    assert "sum() received an invalid combination of arguments" in result["error"]["message"]
    result = run_program("import torch\nm = torch.nn.ReLU(foo=1)", capture=False)
    assert result["error"]["type"] == "TypeError"
    assert "unexpected keyword argument 'foo'" in result["error"]["message"]


@pytest.mark.parametrize(
    ("source", "suggested"),
    [
        ("x = torch.concat([torch.ones(1)])", "torch.cat"),
        ("x = torch.ones(1).numpy()", "Tensor.tolist"),
        ("x = torch.sigmoid_(torch.ones(1))", "Tensor.sigmoid_"),
        ("r = torch.nn.relu", "torch.nn.functional.relu"),
        ("l = torch.nn.functional.MSELoss", "torch.nn.MSELoss"),
    ],
)
def test_an_unsupported_name_gets_the_supported_spelling(source: str, suggested: str) -> None:
    result = run_program("import torch\n" + source, capture=False)
    assert result["error"]["type"] == "SandboxViolation"
    message = result["error"]["message"]
    assert "Did you mean " in message and suggested in message.split("Did you mean ")[1]
    assert message.endswith("쓰세요.")


def test_capabilities_publish_the_keyword_rows() -> None:
    from app.sandbox.capabilities import capabilities

    table = capabilities()
    gather = next(f for f in table["torch"]["torch"]["functions"] if f["name"] == "gather")
    assert "sparse_grad" not in gather["keywords"] and "dim" in gather["keywords"]
    assert "memory_format" not in table["tensor"]["keywords"]["clone"]
    assert table["nn_module"]["call_keywords"]["MSELoss"] == ["input", "target"]
    assert table["did_you_mean"]["concat"] == "torch.cat"


def test_checking_a_method_keyword_keeps_no_optimizer_alive() -> None:
    import gc
    import weakref

    from app.sandbox import torch_surface

    source = (
        "import torch\nw = torch.ones(2, requires_grad=True)\n"
        "opt = torch.optim.SGD([w], lr=0.1)\nopt.step(foo=1)\n"
    )
    # The first optimizer of a process imports parts of torch for seconds: a roomy deadline.
    execution_result = run_program(source, capture=False, limits=Limits(seconds=120.0))
    assert execution_result["error"]["type"] == "TypeError"
    optimizers = [o for o in gc.get_objects() if isinstance(o, torch.optim.SGD)]
    references = [weakref.ref(o) for o in optimizers]
    del optimizers
    gc.collect()
    assert all(ref() is None for ref in references)
    cached = torch_surface._function_rejects_unknown_keywords.cache_info().currsize
    assert cached < 1_000  # keyed by functions, not by each run's bound methods
