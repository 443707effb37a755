import torch
import torch.nn as nn

xs = torch.tensor([[0.0], [1.0], [2.0], [3.0]])
ys = 2 * xs + 1
model = nn.Linear(1, 1)
optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
loss_fn = nn.MSELoss()
for epoch in range(200):
    optimizer.zero_grad()
    loss = loss_fn(model(xs), ys)
    loss.backward()
    optimizer.step()
    if epoch % 50 == 0:
        print(f"epoch {epoch:3d}  loss {loss.item():.4f}")
print(f"weight {model.weight.item():.3f}  bias {model.bias.item():.3f}")
