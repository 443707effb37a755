import torch

x = torch.ones(3, requires_grad=True)
print(x.is_leaf, x.requires_grad)
x.add_(1)
print("never printed")
