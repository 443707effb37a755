import torch

w = torch.tensor([1.0, 2.0], requires_grad=True)
with torch.no_grad():
    a = w * 2
print("inside no_grad:", a, a.requires_grad)

b = w.detach() * 2
print("after detach:", b, b.requires_grad)

c = w.data * 2
print("through .data:", c, c.requires_grad)

d = w * 2
print("normal:", d, d.requires_grad, d.grad_fn)

with torch.no_grad():
    w -= 0.1 * torch.ones(2)
print("updated under no_grad:", w, w.is_leaf)
