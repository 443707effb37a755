"""The tour notebook's cells (docs/notebook-tour.ipynb) and running it with a real kernel.

`python -m tests.notebook.tour` writes docs/notebook-tour.ipynb with its outputs; the tests run
the same cells with nbclient + ipykernel and check what came out.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[2]
TOUR = ROOT / "docs" / "notebook-tour.ipynb"

SEED_PROGRAM = """import torch
x = torch.ones(2, 2, requires_grad=True)
y = x + 2
z = y * y * 3
out = z.mean()
out.backward()
print(x.grad)"""

CELLS: list[tuple[str, str]] = [
    (
        "markdown",
        "# Autograd Playground in a notebook\n\n"
        "See autograd work on every node: values, gradients, the backward replay and the "
        "Jacobian.\n\n"
        "노트북에서 autograd가 일하는 모습을 봅니다: 모든 노드의 값과 gradient, "
        "backward 재생, Jacobian.",
    ),
    (
        "code",
        "# Load the extension: registers the %%autograd cell magic.\n"
        "# 확장을 불러옵니다: %%autograd 셀 매직이 등록됩니다.\n"
        "%load_ext autograd_playground\n"
        "import torch\n"
        "\n"
        "import autograd_playground as ag\n"
        "from autograd_playground.kernel_state import KernelState\n"
        "\n"
        "states = {}  # kernel state before/after each tool (커널 상태 비교용)\n"
        "states['magic'] = KernelState.now()",
    ),
    (
        "markdown",
        "## A playground program, in the sandbox\n\n"
        "The cell runs in a worker process with the server's limits; click `x` in the graph to "
        "see `x.grad` and why it is 4.5.\n\n"
        "셀은 서버와 같은 제한을 가진 작업자 프로세스에서 실행됩니다. 그래프에서 `x`를 누르면 "
        "`x.grad`가 왜 4.5인지 볼 수 있습니다.",
    ),
    ("code", "%%autograd --seed 0\n" + SEED_PROGRAM),
    (
        "code",
        "# The magic left the kernel as it was / 매직은 커널 상태를 바꾸지 않습니다\n"
        "assert KernelState.now() == states['magic']\n"
        "states['run'] = KernelState.now()",
    ),
    (
        "markdown",
        "## `run()`: the same, as a Python object\n\n"
        "`backward(v)` with a vector `v`: the Jacobian panel shows what `v` means.\n\n"
        "벡터 `v`로 `backward(v)`를 부르면 Jacobian 패널이 `v`의 뜻을 보여 줍니다.",
    ),
    (
        "code",
        "# x.grad = v · J, with J = dy/dx / x.grad는 v와 Jacobian의 곱입니다\n"
        "r = ag.run('''import torch\n"
        "x = torch.tensor([0.5, 1.0, 2.0], requires_grad=True)\n"
        "y = x ** 3''', backward='y', gradient=[0.1, 1.0, 0.0001], jacobian='y:x')\n"
        "print(r.grad('x'))\n"
        "r",
    ),
    (
        "code",
        "assert KernelState.now() == states['run']\n"
        "# A two-layer net built outside the watch / watch 밖에서 만든 2층 신경망\n"
        "torch.manual_seed(0)\n"
        "net = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 1))\n"
        "opt = torch.optim.SGD(net.parameters(), lr=0.1)\n"
        "xb, yb = torch.randn(5, 3), torch.randn(5, 1)\n"
        "states['watch'] = KernelState.now()",
    ),
    (
        "markdown",
        "## `watch()`: the notebook's own code\n\n"
        "Any torch code, recorded with torch's own hooks; nothing it sees changes.\n\n"
        "어떤 torch 코드든 torch 자체의 hook으로 기록합니다. "
        "코드가 보는 것은 하나도 바뀌지 않습니다.",
    ),
    (
        "code",
        "# Record a training step / 학습 한 단계를 기록합니다\n"
        "with ag.watch() as w:\n"
        "    hidden = net[1](net[0](xb))\n"
        "    loss = ((net[2](hidden) - yb) ** 2).mean()\n"
        "    opt.zero_grad()\n"
        "    loss.backward()\n"
        "    opt.step()\n"
        "# Intermediates keep .grad None / 중간 텐서의 .grad는 그대로 None입니다\n"
        "import warnings\n"
        "\n"
        "with warnings.catch_warnings():\n"
        "    warnings.simplefilter('ignore')  # torch warns on reading a non-leaf's .grad\n"
        "    assert hidden.grad is None and not hidden.retains_grad\n"
        "w",
    ),
    ("code", "# show(): the graph behind one tensor / 텐서 하나 뒤의 그래프\nag.show(loss)"),
    (
        "code",
        "# Nothing changed in the kernel / 커널 상태는 그대로입니다\n"
        "import json\n"
        "\n"
        "after = KernelState.now()\n"
        "unchanged = after == states['watch']  # after watch() and show() / watch()와 show() 뒤\n"
        "print(json.dumps({'kernel_state_unchanged': unchanged,\n"
        "                  'grad_enabled': after.grad_enabled,\n"
        "                  'dtype': str(after.default_dtype)}))",
    ),
]


def build() -> nbformat.NotebookNode:
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    for kind, text in CELLS:
        cell = (nbformat.v4.new_code_cell if kind == "code" else nbformat.v4.new_markdown_cell)(
            text
        )
        notebook.cells.append(cell)
    return nbformat.validator.normalize(notebook)[1]


def execute(notebook: nbformat.NotebookNode, timeout: int = 120) -> nbformat.NotebookNode:
    """Run every cell in a fresh kernel of this Python (ipykernel's `python3` kernel spec is
    the interpreter running this code, so a fresh venv needs no `kernelspec install`)."""
    client = NotebookClient(
        notebook,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(ROOT)}},
        store_widget_state=False,
    )
    client.execute()
    return notebook


if __name__ == "__main__":
    executed = execute(build())
    nbformat.write(executed, TOUR)
    print(f"wrote {TOUR}", file=sys.stderr)
