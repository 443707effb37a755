import torch
import torch.nn.functional as F

logits = torch.tensor([[2.0, 1.0, 0.1]], requires_grad=True)
target = torch.tensor([0])
probs = F.softmax(logits, dim=1)
print("softmax:", probs)
loss = F.cross_entropy(logits, target)
print("loss:", loss)
loss.backward()
print("logits.grad:", logits.grad)
print("softmax - one_hot:", probs - torch.tensor([[1.0, 0.0, 0.0]]))
