import torch

a = torch.ones(2, 3, requires_grad=True)
b = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
c = a * b
print(c)
c.sum().backward()
print("a.grad:", a.grad)
print("b.grad:", b.grad)
print(b.grad.shape == b.shape)
