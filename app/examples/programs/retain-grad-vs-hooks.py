import torch

x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
h = x * 2
h.retain_grad()
g = x * 3
g.register_hook(lambda grad: print("hook sees the gradient of g:", grad))
out = (h * g).sum()
out.backward()
print("h.grad (kept by retain_grad):", h.grad)
print("h.retains_grad:", h.retains_grad, " g.retains_grad:", g.retains_grad)
print("x.grad:", x.grad)
