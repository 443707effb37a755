import torch

x = torch.tensor([1.0, 2.0], requires_grad=True)
y = (x * x).sum()
y.backward(retain_graph=True)
print("first backward: ", x.grad)
y.backward(retain_graph=True)
print("second backward:", x.grad)
y.backward()
print("third backward: ", x.grad)
