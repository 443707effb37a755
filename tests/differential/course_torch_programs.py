# ruff: noqa: E501  (the programs are literals)
"""Differential programs for the torch surface of course programs (issue 21, torch half).

Written by the team in the style of the public tutorials, course notes and Korean textbooks
that use these spellings (nothing copied): legacy constructors and devices, in-place ops,
sorting and selecting, convolutions and pooling, the new nn modules, optimizers and
schedulers, autograd.functional extras and TensorDataset/DataLoader. Each entry is
`(id, source, expected error type or None)`; `cases.py` turns them into `Case`s.
"""

from __future__ import annotations

PROGRAMS: list[tuple[str, str, str | None]] = [
    # ---- legacy constructors, devices, accelerators --------------------------------------
    (
        "course-legacy-tensor-scalar-engine",
        """
        import torch
        x = torch.Tensor([-4.0]).double()
        x.requires_grad = True
        z = 2 * x + 2 + x
        q = z.relu() + z * x
        h = (z * z).relu()
        y = h + q + q * x
        y.backward()
        print(y.data.item(), x.grad.item())
        """,
        None,
    ),
    (
        "course-legacy-typed-constructors",
        """
        import torch
        a = torch.FloatTensor([[1, 2], [3, 4]])
        b = torch.LongTensor([0, 1])
        c = torch.DoubleTensor([0.5])
        d = torch.Tensor([[1.0], [2.0]])
        print(a.dtype, b.dtype, c.dtype, d.shape)
        print(isinstance(a, torch.FloatTensor), isinstance(b, torch.FloatTensor), isinstance(b, torch.LongTensor))
        print(torch.Tensor, torch.FloatTensor)
        """,
        None,
    ),
    (
        "course-legacy-data-conversions",
        """
        import torch
        a = torch.FloatTensor([1.0, 2.0])
        b = a * torch.FloatTensor([3.0])
        print(b)
        c = torch.LongTensor([1.5, 2.7])
        print(c)
        """,
        None,
    ),
    (
        "course-device-cpu",
        """
        import torch
        device = torch.device("cpu")
        x = torch.ones(2, 2, device=device)
        y = torch.randn(2, 2).to(device)
        print(device, device.type, device.index, x.device, y.device == device)
        z = (x + y).cpu()
        print(z.device, torch.device("cpu", 0))
        """,
        None,
    ),
    (
        "course-accelerator-first-lines",
        """
        import torch
        print(torch.accelerator.is_available())
        device = torch.accelerator.current_accelerator().type if torch.accelerator.is_available() else "cpu"
        print(f"Using {device} device")
        x = torch.linspace(-1, 1, 5, device=device)
        print(x)
        """,
        None,
    ),
    (
        "course-cuda-is-available-idiom",
        """
        import torch
        device = "cuda" if torch.cuda.is_available() else "cpu"
        w = torch.randn(3, requires_grad=True, device=device)
        loss = (w ** 2).sum()
        loss.backward()
        print(device, w.grad.device)
        """,
        None,
    ),
    (
        "course-set-default-device-cpu",
        """
        import torch
        torch.set_default_device("cpu")
        a = torch.zeros(3)
        print(a.device, a)
        """,
        None,
    ),
    (
        "course-variable-legacy",
        """
        import torch
        from torch.autograd import Variable
        x = Variable(torch.ones(2, 2), requires_grad=True)
        y = x + 2
        z = y * y * 3
        out = z.mean()
        out.backward()
        print(isinstance(x, torch.Tensor), x.grad)
        v = Variable(torch.tensor([1.0, 2.0]))
        print(v.requires_grad, v.is_leaf)
        """,
        None,
    ),
    (
        "course-parameter-basics",
        """
        import torch
        import torch.nn as nn
        w = nn.Parameter(torch.tensor([0.5, -1.0]))
        print(w)
        print(w.requires_grad, w.is_leaf, isinstance(w, torch.Tensor))
        frozen = nn.Parameter(torch.zeros(2), requires_grad=False)
        loss = (w * torch.tensor([2.0, 3.0])).sum() + frozen.sum()
        loss.backward()
        print(w.grad, frozen.grad)
        """,
        None,
    ),
    (
        "course-inference-mode",
        """
        import torch
        import torch.nn as nn
        torch.manual_seed(0)
        model = nn.Linear(3, 1)
        x = torch.randn(4, 3)
        with torch.inference_mode():
            pred = model(x)
        print(pred.requires_grad, pred.grad_fn, pred.shape)
        with torch.inference_mode(False):
            grad_pred = model(x)
        print(grad_pred.requires_grad)
        """,
        None,
    ),
    # ---- in-place forms ----------------------------------------------------------------------
    (
        "course-in-place-unary-family",
        """
        import torch
        x = torch.tensor([-1.0, 0.5, 2.0])
        print(x.clone().sin_(), x.clone().cos_(), x.clone().exp_())
        print(x.clone().relu_(), x.clone().clamp_(min=0.0, max=1.0), x.clone().sigmoid_())
        print(x.clone().abs_().sqrt_(), x.clone().neg_(), x.clone().pow_(2), x.clone().tanh_())
        print(x.clone().floor_(), x.clone().ceil_(), x.clone().round_(), x.clone().sign_())
        print(x.clone().abs_().log_(), x.clone().abs_().log1p_(), x.clone().abs_().rsqrt_(), x.clone().tan_())
        """,
        None,
    ),
    (
        "course-in-place-in-graph",
        """
        import torch
        x = torch.tensor([-1.0, 2.0, 3.0], requires_grad=True)
        y = x * 2
        y.relu_()
        print(y.grad_fn.name())
        z = x * 1
        z.clamp_(max=2.5)
        total = y.sum() + z.sum()
        total.backward()
        print(y, x.grad)
        """,
        None,
    ),
    (
        "course-error-in-place-on-leaf",
        """
        import torch
        w = torch.tensor([0.1, 0.2], requires_grad=True)
        w.exp_()
        """,
        "RuntimeError",
    ),
    (
        "course-error-in-place-on-saved-output",
        """
        import torch
        x = torch.tensor([0.0, 1.0], requires_grad=True)
        y = x.sigmoid()
        y.mul_(2)
        y.sum().backward()
        """,
        "RuntimeError",
    ),
    (
        "course-detach-in-place",
        """
        import torch
        x = torch.ones(2, requires_grad=True)
        y = x * 3
        print(y.requires_grad, y.grad_fn)
        y.detach_()
        print(y.requires_grad, y.grad_fn, y.is_leaf)
        """,
        None,
    ),
    (
        "course-no-grad-update-in-place",
        """
        import torch
        w = torch.tensor([1.0, -2.0], requires_grad=True)
        for step in range(3):
            loss = (w ** 2).sum()
            loss.backward()
            with torch.no_grad():
                w.sub_(0.25 * w.grad)
                w.clamp_(-1.0, 1.0)
            w.grad.zero_()
            print(step, w)
        """,
        None,
    ),
    # ---- reductions, sorting, selecting ---------------------------------------------------
    (
        "course-all-any",
        """
        import torch
        x = torch.tensor([[1.0, 0.0], [2.0, 3.0]])
        print(torch.all(x > -1), torch.any(x == 0), x.all(), x.any())
        print(x.all(dim=1), torch.any(x > 2, dim=0), (x >= 0).all().item())
        print(x.sum(axis=0), x.mean(axis=1, keepdims=True))
        """,
        None,
    ),
    (
        "course-torch-softmax-functions",
        """
        import torch
        logits = torch.tensor([2.0, 1.0, 0.1], requires_grad=True)
        probs = torch.softmax(logits, dim=0)
        log_probs = torch.log_softmax(logits, dim=0)
        print(probs, log_probs)
        (probs[0] - log_probs[2]).backward()
        print(logits.grad, logits.softmax(0).sum())
        """,
        None,
    ),
    (
        "course-sort-argsort-grad",
        """
        import torch
        x = torch.tensor([3.0, -1.0, 2.0, 0.5], requires_grad=True)
        values, indices = x.sort(descending=True)
        print(values, indices, torch.argsort(x), x.argsort(descending=True))
        (values * torch.tensor([1.0, 2.0, 3.0, 4.0])).sum().backward()
        print(x.grad, values.grad_fn.name())
        """,
        None,
    ),
    (
        "course-topk-kthvalue-median-mode",
        """
        import torch
        x = torch.tensor([[4.0, 1.0, 3.0], [2.0, 2.0, 5.0]], requires_grad=True)
        top = x.topk(2, dim=1)
        print(top.values, top.indices)
        print(torch.kthvalue(x, 2, dim=1), x.median(), torch.median(x, dim=0).values)
        print(torch.mode(torch.tensor([1, 2, 2, 3])), x.mode(dim=1).values)
        top.values.sum().backward()
        print(x.grad)
        """,
        None,
    ),
    (
        "course-repeat-tile-flip-roll",
        """
        import torch
        x = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
        r = x.repeat(2, 1)
        t = torch.tile(x, (1, 2))
        f = x.flip(0)
        o = torch.roll(x, shifts=1, dims=1)
        print(r, t, f, o, sep="\\n")
        print(x.repeat(repeats=(1, 2)).shape, torch.tile(x, dims=(2,)).shape, x.tile((2, 1, 1)).shape)
        (r.sum() + (t * 2).sum() + f[0].sum() + o[:, 0].sum()).backward()
        print(x.grad)
        """,
        None,
    ),
    (
        "course-tril-triu-diag-diagonal",
        """
        import torch
        m = torch.arange(1.0, 10.0).reshape(3, 3).requires_grad_()
        lower = torch.tril(m)
        upper = m.triu(diagonal=1)
        d = m.diagonal()
        e = torch.diag(torch.tensor([1.0, 2.0]))
        print(lower, upper, d, e, torch.diag(m, 1), sep="\\n")
        (lower.sum() + 10 * d.sum()).backward()
        print(m.grad)
        """,
        None,
    ),
    (
        "course-masked-fill",
        """
        import torch
        scores = torch.tensor([[0.5, 1.5, -0.5], [2.0, 0.0, 1.0]], requires_grad=True)
        mask = torch.tensor([[False, True, False], [False, False, True]])
        filled = scores.masked_fill(mask, float("-inf"))
        attn = torch.softmax(filled, dim=-1)
        print(filled, attn, sep="\\n")
        attn[:, 0].sum().backward()
        print(scores.grad)
        """,
        None,
    ),
    (
        "course-scatter-family",
        """
        import torch
        src = torch.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
        index = torch.tensor([0, 1, 0, 2])
        out = torch.zeros(3).scatter_add(0, index, src)
        print(out)
        placed = torch.zeros(2, 3).scatter(1, torch.tensor([[2], [0]]), 7.0)
        print(placed)
        summed = torch.zeros(3).index_add(0, torch.tensor([2, 2]), torch.tensor([1.0, 5.0]))
        print(summed, torch.scatter(torch.zeros(4), 0, index, src))
        acc = torch.zeros(3)
        acc.index_add_(0, torch.tensor([0, 0, 1]), torch.ones(3))
        acc.scatter_(0, torch.tensor([2]), 9.0)
        acc.scatter_add_(0, torch.tensor([1]), torch.tensor([0.5]))
        acc.masked_fill_(acc > 5, -1.0)
        print(acc)
        out.sum().backward()
        print(src.grad)
        """,
        None,
    ),
    (
        "course-error-scatter-index-out-of-range",
        """
        import torch
        x = torch.zeros(3)
        y = x.scatter_add(0, torch.tensor([0, 7]), torch.ones(2))
        """,
        "RuntimeError",
    ),
    (
        "course-unbind-narrow",
        """
        import torch
        x = torch.arange(6.0).reshape(2, 3).requires_grad_()
        rows = x.unbind(0)
        cols = torch.unbind(x, dim=1)
        middle = x.narrow(1, 1, 2)
        print(rows, len(cols), middle, torch.narrow(x, 0, 1, 1))
        (rows[0] * 2 + middle[:, 0].sum()).sum().backward()
        print(x.grad)
        """,
        None,
    ),
    # ---- convolutions, pooling, functional extras ---------------------------------------
    (
        "course-conv1d-functional",
        """
        import torch
        import torch.nn.functional as F
        signal = torch.tensor([[[1.0, 2.0, 3.0, 4.0, 5.0]]], requires_grad=True)
        kernel = torch.tensor([[[1.0, 0.0, -1.0]]], requires_grad=True)
        edges = F.conv1d(signal, kernel)
        padded = F.conv1d(signal, kernel, padding=1, stride=2)
        print(edges, padded)
        (edges.sum() + padded.sum()).backward()
        print(signal.grad, kernel.grad, edges.grad_fn.name())
        """,
        None,
    ),
    (
        "course-conv2d-stride-dilation-groups",
        """
        import torch
        import torch.nn.functional as F
        torch.manual_seed(3)
        image = torch.randn(1, 2, 5, 5, requires_grad=True)
        weight = torch.randn(4, 1, 2, 2, requires_grad=True)
        out = F.conv2d(image, weight, stride=2, padding=1, dilation=2, groups=2)
        print(out.shape)
        same = F.conv2d(image, torch.ones(1, 2, 3, 3), padding="same")
        print(same.shape, F.conv2d(image, torch.ones(3, 2, 1, 1), bias=torch.zeros(3)).shape)
        out.pow(2).mean().backward()
        print(image.grad.shape, weight.grad.abs().sum() > 0)
        """,
        None,
    ),
    (
        "course-pooling-functional",
        """
        import torch
        import torch.nn.functional as F
        x = torch.arange(16.0).reshape(1, 1, 4, 4).requires_grad_()
        m = F.max_pool2d(x, 2)
        a = F.avg_pool2d(x, kernel_size=2, stride=1)
        values, where = F.max_pool2d(x, 2, return_indices=True)
        print(m, a, where, sep="\\n")
        (m.sum() + a.sum()).backward()
        print(x.grad)
        """,
        None,
    ),
    (
        "course-dropout-seeded",
        """
        import torch
        import torch.nn as nn
        import torch.nn.functional as F
        torch.manual_seed(11)
        x = torch.ones(8)
        print(F.dropout(x, p=0.5))
        print(F.dropout(x, p=0.5, training=False))
        layer = nn.Dropout(p=0.25)
        print(layer(x))
        layer.eval()
        print(layer(x), layer, layer.p)
        """,
        None,
    ),
    (
        "course-embedding-functional-and-module",
        """
        import torch
        import torch.nn as nn
        import torch.nn.functional as F
        table = torch.tensor([[0.0, 1.0], [2.0, 3.0], [4.0, 5.0]], requires_grad=True)
        words = torch.tensor([[0, 2], [1, 1]])
        vectors = F.embedding(words, table)
        print(vectors.shape, vectors[1])
        vectors.sum().backward()
        print(table.grad)
        torch.manual_seed(2)
        emb = nn.Embedding(5, 3, padding_idx=0)
        out = emb(torch.tensor([0, 4, 4]))
        out.sum().backward()
        print(emb.weight.grad, emb.num_embeddings, emb.embedding_dim)
        """,
        None,
    ),
    (
        "course-layer-norm-batch-norm-functional",
        """
        import torch
        import torch.nn.functional as F
        x = torch.tensor([[1.0, 2.0, 3.0], [2.0, 4.0, 8.0]], requires_grad=True)
        ln = F.layer_norm(x, (3,))
        running_mean = torch.zeros(3)
        running_var = torch.ones(3)
        bn = F.batch_norm(x, running_mean, running_var, training=True, momentum=0.5)
        print(ln, bn, running_mean, running_var, sep="\\n")
        (ln[0, 0] + bn[1, 2]).backward()
        print(x.grad)
        """,
        None,
    ),
    (
        "course-one-hot-normalize-pad",
        """
        import torch
        import torch.nn.functional as F
        labels = torch.tensor([2, 0, 1])
        print(F.one_hot(labels), F.one_hot(labels, num_classes=4))
        v = torch.tensor([[3.0, 4.0], [1.0, 0.0]], requires_grad=True)
        unit = F.normalize(v, dim=1)
        print(unit, F.normalize(v, p=1, dim=0))
        grown = F.pad(v, (1, 2), value=-1.0)
        print(grown, F.pad(v, (0, 0, 1, 0)))
        (unit[0, 0] + grown.sum()).backward()
        print(v.grad)
        """,
        None,
    ),
    (
        "course-robust-losses-functional",
        """
        import torch
        import torch.nn.functional as F
        pred = torch.tensor([0.0, 2.0, 5.0], requires_grad=True)
        target = torch.tensor([0.5, 2.0, 1.0])
        print(F.smooth_l1_loss(pred, target), F.smooth_l1_loss(pred, target, beta=2.0))
        print(F.huber_loss(pred, target, delta=1.5), F.huber_loss(pred, target, reduction="none"))
        p = torch.log_softmax(torch.tensor([[1.0, 2.0, 3.0]]), dim=1)
        q = torch.softmax(torch.tensor([[1.0, 1.0, 1.0]]), dim=1)
        print(F.kl_div(p, q, reduction="batchmean"))
        a = torch.tensor([[1.0, 0.0], [1.0, 1.0]])
        b = torch.tensor([[0.0, 1.0], [2.0, 2.0]])
        print(F.cosine_similarity(a, b), F.cosine_similarity(a, b, dim=0))
        F.huber_loss(pred, target).backward()
        print(pred.grad)
        """,
        None,
    ),
    (
        "course-error-conv2d-channel-mismatch",
        """
        import torch
        import torch.nn.functional as F
        image = torch.ones(1, 3, 4, 4)
        kernel = torch.ones(2, 1, 3, 3)
        out = F.conv2d(image, kernel)
        """,
        "RuntimeError",
    ),
    # ---- nn modules ---------------------------------------------------------------------------
    (
        "course-small-cnn-training",
        """
        import torch
        import torch.nn as nn
        torch.manual_seed(0)
        model = nn.Sequential(
            nn.Conv2d(1, 4, kernel_size=3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(4, 2, 3),
            nn.AvgPool2d(1),
            nn.Flatten(),
            nn.Linear(2 * 2 * 2, 3),
        )
        images = torch.randn(5, 1, 8, 8)
        labels = torch.tensor([0, 1, 2, 1, 0])
        loss_fn = nn.CrossEntropyLoss()
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        for epoch in range(3):
            optimizer.zero_grad()
            loss = loss_fn(model(images), labels)
            loss.backward()
            optimizer.step()
            print(epoch, round(loss.item(), 4))
        print(model)
        print(model[0].weight.grad.shape, model[0].kernel_size, model[0].stride, model[0].padding)
        """,
        None,
    ),
    (
        "course-conv1d-module",
        """
        import torch
        import torch.nn as nn
        torch.manual_seed(4)
        conv = nn.Conv1d(in_channels=2, out_channels=3, kernel_size=2, stride=1, bias=False)
        x = torch.randn(1, 2, 6)
        y = conv(x)
        y.sum().backward()
        print(y.shape, conv.weight.grad.shape, conv.in_channels, conv.out_channels)
        print(conv.dilation, conv.groups)
        print(conv)
        """,
        None,
    ),
    (
        "course-batch-norm-modules",
        """
        import torch
        import torch.nn as nn
        torch.manual_seed(5)
        bn = nn.BatchNorm1d(3, momentum=0.5)
        x = torch.randn(6, 3)
        y = bn(x)
        print(y.mean(dim=0).abs().max() < 1e-5, bn.running_mean, bn.running_var)
        bn.eval()
        print(bn(x[:2]))
        bn2 = nn.BatchNorm2d(2)
        z = bn2(torch.randn(2, 2, 3, 3))
        z.sum().backward()
        print(bn2.weight.grad, bn2.num_features, bn2.eps, bn.momentum)
        """,
        None,
    ),
    (
        "course-layer-norm-module",
        """
        import torch
        import torch.nn as nn
        norm = nn.LayerNorm(4)
        x = torch.tensor([[1.0, 2.0, 3.0, 4.0], [0.0, 0.0, 1.0, 1.0]], requires_grad=True)
        y = norm(x)
        (y * torch.arange(4.0)).sum().backward()
        print(y, x.grad, norm.weight.grad, norm.normalized_shape, sep="\\n")
        """,
        None,
    ),
    (
        "course-embedding-bag-of-words",
        """
        import torch
        import torch.nn as nn
        torch.manual_seed(6)
        vocab = {"good": 0, "bad": 1, "movie": 2, "plot": 3}
        emb = nn.Embedding(len(vocab), 4)
        head = nn.Linear(4, 1)
        sentences = [["good", "movie"], ["bad", "plot"]]
        targets = torch.tensor([[1.0], [0.0]])
        optimizer = torch.optim.Adam(list(emb.parameters()) + list(head.parameters()), lr=0.05)
        loss_fn = nn.BCEWithLogitsLoss()
        for step in range(4):
            ids = torch.tensor([[vocab[w] for w in s] for s in sentences])
            logits = head(emb(ids).mean(dim=1))
            loss = loss_fn(logits, targets)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        print(round(loss.item(), 4), torch.sigmoid(logits).detach())
        """,
        None,
    ),
    (
        "course-module-containers",
        """
        import torch
        import torch.nn as nn
        torch.manual_seed(7)
        layers = nn.ModuleList([nn.Linear(2, 2) for _ in range(2)])
        layers.append(nn.Tanh())
        acts = nn.ModuleDict({"relu": nn.ReLU(), "gelu": nn.GELU()})
        scales = nn.ParameterList([nn.Parameter(torch.ones(2)), nn.Parameter(torch.full((2,), 0.5))])
        x = torch.tensor([[1.0, -1.0]])
        for layer in layers:
            x = layer(x)
        x = acts["gelu"](x) * scales[0] + scales[1]
        x.sum().backward()
        print(len(layers), len(acts), list(acts.keys()), scales[1].grad)
        for name, module in acts.items():
            print(name, module)
        print(layers)
        """,
        None,
    ),
    (
        "course-activation-modules",
        """
        import torch
        import torch.nn as nn
        x = torch.tensor([-2.0, -0.5, 0.0, 1.5], requires_grad=True)
        acts = [nn.LeakyReLU(0.2), nn.GELU(), nn.ELU(alpha=0.5), nn.SiLU(), nn.Softplus(beta=2.0), nn.Identity()]
        total = 0
        for act in acts:
            y = act(x)
            print(act, y)
            total = total + y.sum()
        total.backward()
        print(x.grad)
        """,
        None,
    ),
    (
        "course-log-softmax-nll",
        """
        import torch
        import torch.nn as nn
        logits = torch.tensor([[1.0, 2.0, 0.5], [0.1, 0.2, 3.0]], requires_grad=True)
        log_probs = nn.LogSoftmax(dim=1)(logits)
        loss = nn.NLLLoss()(log_probs, torch.tensor([1, 2]))
        loss.backward()
        same = nn.CrossEntropyLoss()(logits.detach(), torch.tensor([1, 2]))
        print(loss, same, torch.isclose(loss, same), logits.grad)
        """,
        None,
    ),
    (
        "course-loss-modules",
        """
        import torch
        import torch.nn as nn
        pred = torch.tensor([0.2, 1.5, -0.3], requires_grad=True)
        target = torch.tensor([0.0, 1.0, 1.0])
        losses = [nn.L1Loss(), nn.SmoothL1Loss(beta=0.5), nn.HuberLoss(delta=0.3), nn.BCEWithLogitsLoss(pos_weight=torch.tensor([2.0]))]
        for fn in losses:
            value = fn(pred, target)
            print(fn, value)
            value.backward()
        print(pred.grad)
        kl = nn.KLDivLoss(reduction="batchmean", log_target=True)
        print(kl(torch.log_softmax(pred, 0).unsqueeze(0), torch.log_softmax(target, 0).unsqueeze(0)))
        """,
        None,
    ),
    (
        "course-flatten-unflatten",
        """
        import torch
        import torch.nn as nn
        x = torch.arange(24.0).reshape(2, 3, 4)
        flat = nn.Flatten()(x)
        all_flat = nn.Flatten(start_dim=0)(x)
        back = nn.Unflatten(1, (3, 4))(flat)
        print(flat.shape, all_flat.shape, back.shape, torch.equal(back, x))
        print(nn.Flatten(), nn.Unflatten(1, (3, 4)))
        """,
        None,
    ),
    # ---- optimizers and schedulers -----------------------------------------------------------
    (
        "course-sgd-nesterov-weight-decay",
        """
        import torch
        w = torch.tensor([2.0, -3.0], requires_grad=True)
        opt = torch.optim.SGD([w], lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01)
        for step in range(4):
            opt.zero_grad()
            loss = (w ** 2).sum()
            loss.backward()
            opt.step()
            print(step, w.detach(), round(loss.item(), 5))
        print(opt.param_groups[0]["nesterov"], opt.param_groups[0]["weight_decay"])
        """,
        None,
    ),
    (
        "course-optimizers-compared",
        """
        import torch
        def fit(make_optimizer):
            w = torch.tensor([1.5, -0.5], requires_grad=True)
            opt = make_optimizer([w])
            for _ in range(5):
                opt.zero_grad()
                loss = ((w - torch.tensor([0.5, 0.5])) ** 2).sum()
                loss.backward()
                opt.step()
            return w.detach()
        print(fit(lambda p: torch.optim.Adam(p, lr=0.1)))
        print(fit(lambda p: torch.optim.AdamW(p, lr=0.1, weight_decay=0.1)))
        print(fit(lambda p: torch.optim.RMSprop(p, lr=0.05, alpha=0.9)))
        print(fit(lambda p: torch.optim.Adagrad(p, lr=0.3)))
        print(fit(lambda p: torch.optim.Adam(p, lr=0.1, betas=(0.8, 0.99), amsgrad=True)))
        """,
        None,
    ),
    (
        "course-step-lr",
        """
        import torch
        import torch.nn as nn
        model = nn.Linear(1, 1)
        optimizer = torch.optim.SGD(model.parameters(), lr=1.0)
        scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.1)
        for epoch in range(5):
            optimizer.step()
            scheduler.step()
            print(epoch, scheduler.get_last_lr(), optimizer.param_groups[0]["lr"], scheduler.last_epoch)
        """,
        None,
    ),
    (
        "course-exponential-lr-import",
        """
        import torch
        from torch.optim.lr_scheduler import ExponentialLR
        w = torch.zeros(1, requires_grad=True)
        opt = torch.optim.Adam([w], lr=0.5)
        sched = ExponentialLR(opt, gamma=0.5)
        for _ in range(3):
            opt.zero_grad()
            ((w - 1) ** 2).sum().backward()
            opt.step()
            sched.step()
        print(sched.get_last_lr(), sched.base_lrs, w)
        """,
        None,
    ),
    (
        "course-lambda-lr-warmup",
        """
        import torch
        import torch.optim as optim
        def warmup(epoch):
            return min(1.0, (epoch + 1) / 3)
        w = torch.ones(1, requires_grad=True)
        opt = optim.SGD([w], lr=0.3)
        sched = optim.lr_scheduler.LambdaLR(opt, lr_lambda=warmup)
        for epoch in range(4):
            print(epoch, sched.get_last_lr())
            opt.step()
            sched.step()
        """,
        None,
    ),
    (
        "course-scheduler-before-optimizer-warning",
        """
        import torch
        w = torch.ones(1, requires_grad=True)
        opt = torch.optim.SGD([w], lr=0.1)
        sched = torch.optim.lr_scheduler.StepLR(opt, step_size=1)
        sched.step()
        print(sched.get_last_lr())
        """,
        None,
    ),
    # ---- autograd extras ---------------------------------------------------------------------
    (
        "course-vhp-hvp",
        """
        import torch
        from torch.autograd.functional import vhp, hvp, hessian
        def energy(x):
            return (x ** 3).sum() + x[0] * x[1]
        x = torch.tensor([1.0, 2.0])
        v = torch.tensor([1.0, 0.0])
        value, product = vhp(energy, x, v)
        print(value, product)
        print(hvp(energy, x, v)[1], hessian(energy, x) @ v)
        """,
        None,
    ),
    (
        "course-jacobian-vectorize",
        """
        import torch
        from torch.autograd.functional import jacobian
        def f(x):
            return torch.stack([x[0] * x[1], x[1].sin(), x.sum()])
        x = torch.tensor([0.5, 1.0])
        fast = jacobian(f, x, vectorize=True)
        slow = jacobian(f, x)
        print(fast, torch.allclose(fast, slow))
        print(torch.autograd.functional.hessian(lambda t: (t ** 4).sum(), x, vectorize=True))
        """,
        None,
    ),
    (
        "course-post-accumulate-grad-hook",
        """
        import torch
        w = torch.tensor([1.0, 2.0], requires_grad=True)
        seen = []
        def after(param):
            seen.append(param.grad.clone())
            print("accumulated", param.grad)
        handle = w.register_post_accumulate_grad_hook(after)
        (w * 3).sum().backward()
        (w ** 2).sum().backward()
        handle.remove()
        (w * 1).sum().backward()
        print(len(seen), w.grad)
        """,
        None,
    ),
    (
        "course-grad-is-grads-batched",
        """
        import torch
        x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = x ** 2
        rows = torch.eye(3)
        (jac,) = torch.autograd.grad(y, x, grad_outputs=rows, is_grads_batched=True)
        print(jac)
        """,
        None,
    ),
    (
        "course-error-post-hook-on-non-leaf",
        """
        import torch
        x = torch.ones(2, requires_grad=True)
        y = x * 2
        y.register_post_accumulate_grad_hook(lambda p: None)
        """,
        "RuntimeError",
    ),
    # ---- TensorDataset / DataLoader ------------------------------------------------------------
    (
        "course-dataloader-in-order",
        """
        import torch
        from torch.utils.data import TensorDataset, DataLoader
        x = torch.arange(10.0).reshape(5, 2)
        y = torch.tensor([0, 1, 0, 1, 1])
        dataset = TensorDataset(x, y)
        print(len(dataset), dataset[1])
        print(len(DataLoader(dataset, batch_size=64)), [b[0].shape for b in DataLoader(dataset, batch_size=64)])
        loader = DataLoader(dataset, batch_size=2)
        print(len(loader), loader.batch_size, loader.dataset is dataset, len(dataset.tensors))
        for xb, yb in loader:
            print(xb.tolist(), yb.tolist())
        for features, label in dataset:
            print(features, label)
            break
        """,
        None,
    ),
    (
        "course-dataloader-shuffle-drop-last",
        """
        import torch
        import torch.utils.data
        torch.manual_seed(21)
        data = torch.utils.data.TensorDataset(torch.arange(7.0))
        loader = torch.utils.data.DataLoader(data, batch_size=3, shuffle=True, drop_last=True)
        for epoch in range(2):
            for (batch,) in loader:
                print(epoch, batch)
        print(len(loader), loader.drop_last)
        """,
        None,
    ),
    (
        "course-dataloader-training-loop",
        """
        import torch
        import torch.nn as nn
        from torch.utils.data import TensorDataset, DataLoader
        torch.manual_seed(1)
        X = torch.linspace(-1, 1, 12).unsqueeze(1)
        Y = 3 * X + 0.5
        loader = DataLoader(TensorDataset(X, Y), batch_size=4, shuffle=True)
        model = nn.Linear(1, 1)
        opt = torch.optim.SGD(model.parameters(), lr=0.2)
        for epoch in range(5):
            total = 0.0
            for i, (xb, yb) in enumerate(loader):
                loss = nn.functional.mse_loss(model(xb), yb)
                opt.zero_grad()
                loss.backward()
                opt.step()
                total += loss.item()
            print(epoch, round(total, 4))
        print(model.weight, model.bias)
        """,
        None,
    ),
    (
        "course-error-tensor-dataset-size-mismatch",
        """
        import torch
        from torch.utils.data import TensorDataset
        ds = TensorDataset(torch.ones(3, 2), torch.ones(4))
        """,
        "AssertionError",
    ),
    (
        "course-error-dataset-index-out-of-range",
        """
        import torch
        from torch.utils.data import TensorDataset
        ds = TensorDataset(torch.ones(3, 2), torch.zeros(3))
        print(ds[2][1])
        item = ds[3]
        """,
        "IndexError",
    ),
    # ---- keywords -----------------------------------------------------------------------------
    (
        "course-keywords-numpy-spellings",
        """
        import torch
        x = torch.tensor([[1.0, 5.0], [3.0, 2.0]])
        print(torch.sum(x, axis=1), x.max(axis=0).values, torch.mean(x, axis=0, keepdims=True))
        print(torch.exp(input=x), torch.add(x, other=x, alpha=2), x.softmax(dim=-1))
        """,
        None,
    ),
    (
        "course-error-keyword-torch-does-not-take",
        """
        import torch
        x = torch.ones(2, 3)
        y = torch.ones(2, 3, requires_gradient=True)
        """,
        "TypeError",
    ),
    (
        "course-error-method-keyword-torch-does-not-take",
        """
        import torch
        x = torch.tensor([3.0, 1.0])
        values = x.sort(reverse=True)
        """,
        "TypeError",
    ),
    (
        "course-error-module-call-keyword",
        """
        import torch
        import torch.nn as nn
        loss_fn = nn.MSELoss()
        loss = loss_fn(input=torch.ones(2), target=torch.zeros(2))
        print(loss)
        loss = loss_fn(prediction=torch.ones(2), target=torch.zeros(2))
        """,
        "TypeError",
    ),
    (
        "course-error-hook-handle-remove-keyword",
        """
        import torch
        x = torch.ones(2, requires_grad=True)
        handle = x.register_hook(lambda g: g * 2)
        handle.remove(force=True)
        """,
        "TypeError",
    ),
    # ---- devices that do not exist here ----------------------------------------------------------
    (
        "course-error-device-cuda",
        """
        import torch
        device = torch.device("cuda")
        print(device)
        x = torch.zeros(2, device=device)
        """,
        "AssertionError",
    ),
    (
        "course-error-to-cuda-string",
        """
        import torch
        x = torch.ones(2)
        y = x.to("cuda")
        """,
        "AssertionError",
    ),
    (
        "course-error-device-unknown-name",
        """
        import torch
        d = torch.device("gpu")
        """,
        "RuntimeError",
    ),
    # ---- Korean teaching material --------------------------------------------------------------
    (
        "course-ko-linear-regression-floattensor",
        """
        import torch
        import torch.optim as optim
        torch.manual_seed(1)
        x_train = torch.FloatTensor([[1], [2], [3]])
        y_train = torch.FloatTensor([[2], [4], [6]])
        가중치 = torch.zeros(1, requires_grad=True)
        편향 = torch.zeros(1, requires_grad=True)
        optimizer = optim.SGD([가중치, 편향], lr=0.01)
        에포크 = 1000
        for epoch in range(에포크 + 1):
            가설 = x_train * 가중치 + 편향
            비용 = torch.mean((가설 - y_train) ** 2)
            optimizer.zero_grad()
            비용.backward()
            optimizer.step()
            if epoch % 250 == 0:
                print(f"에포크 {epoch:4d}/{에포크} 가중치: {가중치.item():.3f}, 편향: {편향.item():.3f} 비용: {비용.item():.6f}")
        """,
        None,
    ),
    (
        "course-ko-multivariable-regression",
        """
        import torch
        import torch.nn as nn
        import torch.nn.functional as F
        torch.manual_seed(1)
        x_train = torch.FloatTensor([[73, 80, 75], [93, 88, 93], [89, 91, 90], [96, 98, 100], [73, 66, 70]])
        y_train = torch.FloatTensor([[152], [185], [180], [196], [142]])
        모델 = nn.Linear(3, 1)
        optimizer = torch.optim.SGD(모델.parameters(), lr=1e-5)
        for epoch in range(31):
            예측 = 모델(x_train)
            비용 = F.mse_loss(예측, y_train)
            optimizer.zero_grad()
            비용.backward()
            optimizer.step()
            if epoch % 10 == 0:
                print(f"에포크 {epoch}: 비용 = {비용.item():.4f}")
        새_입력 = torch.FloatTensor([[73, 80, 75]])
        print("훈련 후 예측값:", 모델(새_입력))
        """,
        None,
    ),
    (
        "course-ko-logistic-regression",
        """
        import torch
        import torch.nn as nn
        torch.manual_seed(1)
        x_data = [[1, 2], [2, 3], [3, 1], [4, 3], [5, 3], [6, 2]]
        y_data = [[0], [0], [0], [1], [1], [1]]
        x_train = torch.FloatTensor(x_data)
        y_train = torch.FloatTensor(y_data)
        모델 = nn.Sequential(nn.Linear(2, 1), nn.Sigmoid())
        optimizer = torch.optim.SGD(모델.parameters(), lr=1)
        for epoch in range(101):
            가설 = 모델(x_train)
            비용 = nn.BCELoss()(가설, y_train)
            optimizer.zero_grad()
            비용.backward()
            optimizer.step()
            if epoch % 25 == 0:
                예측 = 가설 >= torch.FloatTensor([0.5])
                정확도 = (예측.float() == y_train).float().mean()
                print(f"에포크 {epoch:3d} 비용: {비용.item():.6f} 정확도: {정확도.item() * 100:.2f}%")
        """,
        None,
    ),
    (
        "course-ko-dataloader-minibatch",
        """
        import torch
        import torch.nn.functional as F
        from torch.utils.data import TensorDataset, DataLoader
        torch.manual_seed(3)
        x_train = torch.FloatTensor([[73, 80, 75], [93, 88, 93], [89, 91, 90], [96, 98, 100], [73, 66, 70]])
        y_train = torch.FloatTensor([[152], [185], [180], [196], [142]])
        데이터셋 = TensorDataset(x_train, y_train)
        데이터로더 = DataLoader(데이터셋, batch_size=2, shuffle=True)
        모델 = torch.nn.Linear(3, 1)
        optimizer = torch.optim.SGD(모델.parameters(), lr=1e-5)
        for epoch in range(2):
            for 배치_번호, 샘플 in enumerate(데이터로더):
                x_배치, y_배치 = 샘플
                비용 = F.mse_loss(모델(x_배치), y_배치)
                optimizer.zero_grad()
                비용.backward()
                optimizer.step()
                print(f"에포크 {epoch} 배치 {배치_번호 + 1}/{len(데이터로더)} 비용: {비용.item():.4f}")
        """,
        None,
    ),
    (
        "course-ko-softmax-classification",
        """
        import torch
        import torch.nn.functional as F
        torch.manual_seed(1)
        점수 = torch.rand(3, 5, requires_grad=True)
        정답 = torch.randint(5, (3,)).long()
        원핫 = F.one_hot(정답, num_classes=5).float()
        확률 = torch.softmax(점수, dim=1)
        비용_직접 = (원핫 * -torch.log(확률)).sum(dim=1).mean()
        비용_함수 = F.cross_entropy(점수, 정답)
        print("직접 계산한 비용:", 비용_직접)
        print("함수로 구한 비용:", 비용_함수)
        비용_함수.backward()
        print("점수의 기울기 합:", 점수.grad.sum(dim=1))
        """,
        None,
    ),
    (
        "course-ko-cnn-convolution",
        """
        import torch
        import torch.nn as nn
        torch.manual_seed(0)
        입력 = torch.randn(1, 1, 8, 8)
        합성곱1 = nn.Conv2d(1, 4, 3, padding=1)
        풀링 = nn.MaxPool2d(2)
        합성곱2 = nn.Conv2d(4, 8, kernel_size=3, padding=1)
        출력 = 풀링(합성곱1(입력))
        print("첫 번째 층을 지난 뒤:", 출력.shape)
        출력 = 풀링(합성곱2(출력))
        print("두 번째 층을 지난 뒤:", 출력.shape)
        출력 = 출력.view(출력.size(0), -1)
        print("펼친 뒤:", 출력.shape)
        완전연결층 = nn.Linear(2 * 2 * 8, 10)
        print("최종 출력:", 완전연결층(출력).shape)
        """,
        None,
    ),
    (
        "course-ko-word-embedding",
        """
        import torch
        import torch.nn as nn
        torch.manual_seed(2)
        단어장 = {"<패딩>": 0, "나는": 1, "파이토치를": 2, "좋아한다": 3}
        임베딩 = nn.Embedding(num_embeddings=len(단어장), embedding_dim=3, padding_idx=0)
        문장 = torch.LongTensor([[단어장["나는"], 단어장["파이토치를"], 단어장["좋아한다"], 단어장["<패딩>"]]])
        벡터 = 임베딩(문장)
        print("임베딩 결과의 모양:", 벡터.shape)
        print("패딩 벡터:", 벡터[0, 3])
        벡터.sum().backward()
        print("패딩 행의 기울기:", 임베딩.weight.grad[0])
        """,
        None,
    ),
    (
        "course-ko-learning-rate-scheduler",
        """
        import torch
        from torch.optim.lr_scheduler import StepLR
        가중치 = torch.tensor([3.0], requires_grad=True)
        최적화기 = torch.optim.SGD([가중치], lr=0.4)
        스케줄러 = StepLR(최적화기, step_size=2, gamma=0.5)
        for 에포크 in range(6):
            최적화기.zero_grad()
            손실 = (가중치 ** 2).sum()
            손실.backward()
            최적화기.step()
            스케줄러.step()
            print(f"{에포크}번째 에포크: 학습률 {스케줄러.get_last_lr()[0]:.3f}, 가중치 {가중치.item():.4f}")
        """,
        None,
    ),
    (
        "course-ko-parameter-and-inplace",
        """
        import torch
        import torch.nn as nn
        기울기_기록 = []
        가중치 = nn.Parameter(torch.tensor([1.0, -1.0]))
        입력값 = torch.tensor([2.0, 3.0])
        for 단계 in range(3):
            출력 = (가중치 * 입력값).sum()
            출력.backward()
            기울기_기록.append(가중치.grad.clone())
            with torch.no_grad():
                가중치.sub_(0.1 * 가중치.grad)
            가중치.grad.zero_()
        print("가중치:", 가중치)
        print("기울기 기록:", 기울기_기록)
        """,
        None,
    ),
    (
        "course-ko-error-inplace-leaf",
        """
        import torch
        가중치 = torch.tensor([0.5, 1.5], requires_grad=True)
        print("제자리 연산을 시도합니다")
        가중치.sigmoid_()
        """,
        "RuntimeError",
    ),
    (
        "course-ko-legacy-tensor-and-device",
        """
        import torch
        장치 = torch.device("cpu")
        데이터 = torch.Tensor([[1, 2], [3, 4]]).to(장치)
        라벨 = torch.LongTensor([1, 0])
        print("장치:", 장치, "데이터 자료형:", 데이터.dtype, "라벨 자료형:", 라벨.dtype)
        print("모두 양수인가?", torch.all(데이터 > 0).item(), "하나라도 3보다 큰가?", 데이터.any())
        정렬값, 순서 = 데이터.flatten().sort(descending=True)
        print("정렬:", 정렬값, 순서)
        """,
        None,
    ),
    # ---- the module tree and state_dict() on torch's own layers ---------------------------
    (
        "course-layer-state-dict-and-tree",
        """
        import torch
        import torch.nn as nn
        torch.manual_seed(1)
        layer = nn.Linear(3, 2)
        state = layer.state_dict()
        print(state.keys(), len(state))
        print(state["weight"].shape, state["bias"].requires_grad)
        model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1))
        print(list(model.state_dict().keys()))
        for name, child in model.named_children():
            print(name, child)
        print(len(list(model.modules())), [name for name, _ in model.named_modules()])
        print(list(model.children())[1])
        for name, value in model.state_dict().items():
            print(name, tuple(value.shape))
        """,
        None,
    ),
    (
        "course-layer-state-dict-shares-storage",
        """
        import torch
        import torch.nn as nn
        torch.manual_seed(2)
        layer = nn.Linear(2, 1)
        saved = layer.state_dict()
        with torch.no_grad():
            layer.weight.fill_(0.5)
        print(saved["weight"])
        print(saved["weight"].grad_fn, layer.weight.requires_grad)
        print("bias" in saved, "weight.grad" in saved, saved.get("missing"))
        """,
        None,
    ),
]
