import torch

x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
for step in range(3):
    y = (x * x).sum()
    y.backward()
    print(f"after backward {step + 1}: x.grad = {x.grad}")

x.grad.zero_()
print("after zero_():", x.grad)
y = (x * x).sum()
y.backward()
print("one more backward:", x.grad)
