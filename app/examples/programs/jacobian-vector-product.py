import torch

x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
y = x**2
J = torch.autograd.functional.jacobian(lambda t: t**2, x)
print("Jacobian dy/dx:")
print(J)
v = torch.tensor([0.1, 1.0, 0.0001])
y.backward(v)
print("x.grad after y.backward(v):", x.grad)
print("v @ J:                     ", v @ J)
