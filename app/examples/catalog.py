"""The built-in examples, in the order the playground lists them.

The first three are the programs of the seed blog post (ids fixed by the API contract); the
rest each teach one autograd idea. Texts say what the student will see and why.
"""

from __future__ import annotations

from app.examples.example import Example, read_program


def _example(
    example_id: str,
    *,
    title: str,
    explanation: str,
    title_ko: str,
    explanation_ko: str,
    expected_error: str | None = None,
    tags: tuple[str, ...] = (),
) -> Example:
    return Example(
        id=example_id,
        title=title,
        explanation=explanation,
        title_ko=title_ko,
        explanation_ko=explanation_ko,
        source=read_program(example_id),
        expected_error=expected_error,
        tags=tags,
    )


EXAMPLES: tuple[Example, ...] = (
    _example(
        "scalar-backward",
        title="Scalar value and backward",
        explanation=(
            "y = x + 2 records an AddBackward0 node, so printing y shows its grad_fn. "
            "Calling y.backward() fills x.grad but leaves y itself unchanged, which is why "
            "the last print repeats the second."
        ),
        title_ko="스칼라 값과 backward",
        explanation_ko=(
            "y = x + 2 연산이 AddBackward0 노드를 기록하기 때문에 y를 출력하면 grad_fn이 "
            "함께 보입니다. y.backward()는 x.grad를 채울 뿐 y 자체는 바꾸지 않으므로 마지막 "
            "출력은 두 번째 출력과 똑같습니다."
        ),
        tags=("seed", "backward", "grad_fn"),
    ),
    _example(
        "chain-rule",
        title="Chain rule and a scalar backward",
        explanation=(
            "out is the mean of 3·(x+2)² over four elements, so the chain rule gives "
            "d out/dx = 6·(x+2)/4 = 4.5 for every entry. Watch the graph: MeanBackward0 "
            "passes 1/4 to MulBackward0, which passes it on through AddBackward0 to x."
        ),
        title_ko="연쇄 법칙과 스칼라 backward",
        explanation_ko=(
            "out은 네 원소에 대한 3·(x+2)²의 평균이므로, 연쇄 법칙에 따라 모든 원소에서 "
            "d out/dx = 6·(x+2)/4 = 4.5가 됩니다. 그래프에서 MeanBackward0이 1/4을 "
            "MulBackward0에 넘기고, 그 값이 AddBackward0을 거쳐 x까지 전달되는 과정을 "
            "확인해 보세요."
        ),
        tags=("seed", "chain-rule", "mean"),
    ),
    _example(
        "vector-backward",
        title="Vector backward",
        explanation=(
            "y is x doubled k times, so its Jacobian is 2^k times the identity and "
            "y.backward(gradients) stores the vector-Jacobian product gradients · 2^k in "
            "x.grad. The number of doublings depends on the random x, which is why the "
            "blog post's numbers differ from yours."
        ),
        title_ko="벡터 backward",
        explanation_ko=(
            "y는 x를 k번 두 배 한 값이라 야코비안이 2^k 곱하기 단위행렬이 되고, "
            "y.backward(gradients)는 벡터-야코비안 곱인 gradients · 2^k를 x.grad에 저장합니다. "
            "두 배를 하는 횟수가 무작위 x에 따라 달라지므로 블로그 글의 숫자와 여기서 나오는 "
            "숫자가 다를 수 있습니다."
        ),
        tags=("seed", "vector-jacobian-product", "loop"),
    ),
    _example(
        "grad-accumulation",
        title="Gradients accumulate",
        explanation=(
            "Each backward adds 2x to x.grad instead of replacing it, so the gradient grows "
            "to 2x, 4x, 6x over three calls. Only x.grad.zero_() (or x.grad = None) starts "
            "again from zero, which is why training loops call zero_grad()."
        ),
        title_ko="기울기는 누적됩니다",
        explanation_ko=(
            "backward를 호출할 때마다 x.grad가 새 값으로 바뀌는 것이 아니라 2x가 더해지므로, "
            "세 번 호출하면 기울기가 2x, 4x, 6x로 커집니다. x.grad.zero_()나 "
            "x.grad = None으로 비워야 다시 0부터 시작하며, 학습 루프에서 zero_grad()를 "
            "부르는 이유가 바로 이것입니다."
        ),
        tags=("accumulation", "zero_"),
    ),
    _example(
        "retain-graph",
        title="Backward more than once with retain_graph",
        explanation=(
            "x * x saves x for its backward, and retain_graph=True keeps those saved tensors "
            "alive so the same graph can be walked again. Each pass adds another 2x to x.grad; "
            "the last call omits retain_graph, so the graph is freed afterwards."
        ),
        title_ko="retain_graph로 여러 번 backward 하기",
        explanation_ko=(
            "x * x는 backward에 쓸 x를 저장해 두는데, retain_graph=True를 주면 저장된 텐서가 "
            "해제되지 않아 같은 그래프를 다시 거슬러 갈 수 있습니다. 매번 x.grad에 2x가 "
            "더해지며, 마지막 호출에는 retain_graph가 없으므로 그 뒤에는 그래프가 해제됩니다."
        ),
        tags=("retain_graph", "accumulation"),
    ),
    _example(
        "backward-twice-error",
        title="Backward twice without retain_graph",
        explanation=(
            "The first backward frees the tensors that MulBackward0 saved, so the second "
            "backward stops with a RuntimeError: the error is the point of this example. "
            "Pass retain_graph=True to the first call to walk the graph again."
        ),
        title_ko="retain_graph 없이 두 번 backward 하기",
        explanation_ko=(
            "첫 번째 backward가 MulBackward0이 저장해 둔 텐서를 해제하기 때문에 두 번째 "
            "backward는 RuntimeError로 멈추며, 이 에러를 보는 것이 이 예제의 목적입니다. "
            "그래프를 다시 거슬러 가려면 첫 번째 호출에 retain_graph=True를 넘기세요."
        ),
        expected_error="RuntimeError",
        tags=("retain_graph", "error"),
    ),
    _example(
        "retain-grad-vs-hooks",
        title="retain_grad versus hooks",
        explanation=(
            "Intermediate tensors do not keep .grad: h.retain_grad() asks autograd to store "
            "h's gradient, while the hook on g only sees g's gradient as it flows past. "
            "The hook prints during backward, before any line after out.backward() runs."
        ),
        title_ko="retain_grad와 hook 비교",
        explanation_ko=(
            "중간 텐서는 .grad를 보관하지 않으므로, h.retain_grad()는 h의 기울기를 저장해 "
            "달라고 요청하고 g에 건 hook은 지나가는 기울기를 들여다보기만 합니다. "
            "hook의 출력은 backward 도중에 나오기 때문에 out.backward() 다음 줄보다 먼저 "
            "보입니다."
        ),
        tags=("retain_grad", "hooks", "non-leaf"),
    ),
    _example(
        "no-grad-detach-data",
        title="no_grad, detach and .data",
        explanation=(
            "Results computed under torch.no_grad(), from w.detach() or from w.data have no "
            "grad_fn and do not require grad, so autograd does not see them. That is also how "
            "an optimizer updates a leaf in place without an error: w stays a leaf."
        ),
        title_ko="no_grad, detach, .data",
        explanation_ko=(
            "torch.no_grad() 안에서 계산하거나 w.detach(), w.data로 만든 결과에는 grad_fn이 "
            "없고 requires_grad도 False여서 autograd가 추적하지 않습니다. 옵티마이저가 에러 "
            "없이 leaf를 제자리에서 갱신하는 방법도 이것이며, 갱신 후에도 w는 leaf로 "
            "남습니다."
        ),
        tags=("no_grad", "detach", "data"),
    ),
    _example(
        "second-derivative",
        title="torch.autograd.grad and a second derivative",
        explanation=(
            "torch.autograd.grad returns dy/dx = 3x² = 12 directly instead of writing x.grad, "
            "and create_graph=True makes that result differentiable itself. Differentiating "
            "again gives 6x = 12, while x.grad stays None."
        ),
        title_ko="torch.autograd.grad와 2계 도함수",
        explanation_ko=(
            "torch.autograd.grad는 x.grad에 쓰지 않고 dy/dx = 3x² = 12를 바로 돌려주며, "
            "create_graph=True를 주면 그 결과도 다시 미분할 수 있게 됩니다. 한 번 더 미분하면 "
            "6x = 12가 나오고, x.grad는 계속 None으로 남습니다."
        ),
        tags=("autograd.grad", "create_graph", "higher-order"),
    ),
    _example(
        "jacobian-vector-product",
        title="The Jacobian behind a vector backward",
        explanation=(
            "For y = x², the Jacobian is the diagonal matrix diag(2x), shown in full by "
            "torch.autograd.functional.jacobian. y.backward(v) never builds that matrix, yet "
            "x.grad equals v @ J: backward computes vector-Jacobian products."
        ),
        title_ko="벡터 backward 뒤에 있는 야코비안",
        explanation_ko=(
            "y = x²의 야코비안은 대각행렬 diag(2x)이며, torch.autograd.functional.jacobian으로 "
            "전체 행렬을 볼 수 있습니다. y.backward(v)는 이 행렬을 직접 만들지 않지만 x.grad는 "
            "v @ J와 같은데, backward가 계산하는 것이 바로 벡터-야코비안 곱이기 때문입니다."
        ),
        tags=("jacobian", "vector-jacobian-product"),
    ),
    _example(
        "broadcasting-grad",
        title="Broadcasting and how gradients are summed back",
        explanation=(
            "b of shape (3,) is broadcast over both rows of a, so each element of b is used "
            "twice. Backward sums the gradient over the broadcast dimension, so b.grad is "
            "[2, 2, 2] and has exactly b's shape."
        ),
        title_ko="브로드캐스팅과 기울기 합산",
        explanation_ko=(
            "모양이 (3,)인 b는 a의 두 행에 브로드캐스트되므로 b의 각 원소가 두 번씩 쓰입니다. "
            "backward는 브로드캐스트된 차원을 따라 기울기를 더해 주기 때문에 b.grad는 "
            "[2, 2, 2]이고 모양도 b와 정확히 같습니다."
        ),
        tags=("broadcasting", "shapes"),
    ),
    _example(
        "inplace-leaf-error",
        title="In-place operation on a leaf",
        explanation=(
            "x is a leaf that requires grad, and changing it in place with add_ would "
            "silently corrupt its gradient, so PyTorch raises a RuntimeError: the error is "
            "the point. Update leaves inside torch.no_grad(), as optimizers do."
        ),
        title_ko="리프 텐서에 대한 in-place 연산",
        explanation_ko=(
            "x는 grad가 필요한 리프 텐서라서 add_로 제자리에서 바꾸면 기울기가 조용히 "
            "망가질 수 있으므로, PyTorch는 RuntimeError를 냅니다. 이 에러가 이 예제의 "
            "핵심이며, leaf는 옵티마이저처럼 torch.no_grad() 안에서 갱신해야 합니다."
        ),
        expected_error="RuntimeError",
        tags=("in-place", "leaf", "error"),
    ),
    _example(
        "nonscalar-backward-error",
        title="backward of a non-scalar",
        explanation=(
            "y has three elements, so y.backward() cannot guess which combination of them to "
            "differentiate and raises a RuntimeError: the error is the point. Pass a gradient "
            "vector, as in vector-backward, or reduce y to a scalar with sum() first."
        ),
        title_ko="스칼라가 아닌 값의 backward",
        explanation_ko=(
            "y는 원소가 세 개라서 y.backward()는 어떤 조합을 미분해야 할지 알 수 없어 "
            "RuntimeError를 내며, 이 에러가 바로 이 예제의 요점입니다. vector-backward "
            "예제처럼 기울기 벡터를 넘기거나 sum()으로 먼저 스칼라를 만드세요."
        ),
        expected_error="RuntimeError",
        tags=("backward", "error"),
    ),
    _example(
        "linear-sgd",
        title="nn.Linear trained with SGD",
        explanation=(
            "A single nn.Linear learns y = 2x + 1: each step clears the old gradients, "
            "computes the MSE loss, runs backward and lets SGD move weight and bias. "
            "The printed loss falls towards zero and the parameters approach 2 and 1."
        ),
        title_ko="SGD로 학습하는 nn.Linear",
        explanation_ko=(
            "nn.Linear 하나가 y = 2x + 1을 배우는데, 매 단계마다 이전 기울기를 지우고 "
            "MSE 손실을 계산한 뒤 backward를 실행하면 SGD가 weight와 bias를 움직입니다. "
            "출력되는 손실은 0에 가까워지고 파라미터는 2와 1에 다가갑니다."
        ),
        tags=("nn", "optim", "training"),
    ),
    _example(
        "softmax-cross-entropy",
        title="Softmax and cross-entropy",
        explanation=(
            "F.cross_entropy applies log-softmax and the negative log-likelihood in one step, "
            "so its grad_fn is NllLossBackward0. Its gradient with respect to the logits is "
            "softmax minus the one-hot target, which the last two lines show side by side."
        ),
        title_ko="소프트맥스와 크로스 엔트로피",
        explanation_ko=(
            "F.cross_entropy는 log-softmax와 음의 로그 가능도를 한 번에 계산하므로 grad_fn이 "
            "NllLossBackward0입니다. 로짓에 대한 기울기는 소프트맥스에서 원-핫 정답을 뺀 "
            "값이며, 마지막 두 줄에서 두 값을 나란히 비교할 수 있습니다."
        ),
        tags=("softmax", "cross-entropy", "functional"),
    ),
    _example(
        "tiny-mlp",
        title="A tiny MLP learns XOR",
        explanation=(
            "Two Linear layers with a Tanh in between, trained with Adam and BCELoss, learn "
            "XOR, which no single linear layer can. The loss drops within a hundred steps and "
            "the rounded predictions become 0, 1, 1, 0."
        ),
        title_ko="XOR을 배우는 작은 MLP",
        explanation_ko=(
            "Tanh를 사이에 둔 두 개의 Linear 층을 Adam과 BCELoss로 학습시켜, 선형 층 하나로는 "
            "풀 수 없는 XOR을 배웁니다. 백 단계 안에 손실이 뚝 떨어지고 반올림한 예측값이 "
            "0, 1, 1, 0이 됩니다."
        ),
        tags=("nn", "optim", "mlp", "training"),
    ),
)

_BY_ID: dict[str, Example] = {example.id: example for example in EXAMPLES}


def get_example(example_id: str) -> Example | None:
    """Return the example with this id, or None when there is none."""
    return _BY_ID.get(example_id)
