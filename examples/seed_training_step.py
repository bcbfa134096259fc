"""The seed tutorial's first program, unchanged except for the import: a training step with
loss.backward() on nn.Linear, MSELoss and SGD (../shared/seed, section 一)."""

import ember as torch
import ember.nn as nn
import ember.optim as optim


# 定义一个简单的模型 (a simple model)
class SimpleModel(nn.Module):
    def __init__(self):
        super(SimpleModel, self).__init__()
        self.fc = nn.Linear(10, 1)

    def forward(self, x):
        return self.fc(x)


# 初始化模型、损失函数和优化器 (model, loss, optimizer)
model = SimpleModel()
criterion = nn.MSELoss()
optimizer = optim.SGD(model.parameters(), lr=0.01)

# 输入和目标 (input and target)
input_tensor = torch.randn(1, 10, requires_grad=True)
target = torch.tensor([[1.]])

# 前向传播 (forward)
output = model(input_tensor)
loss = criterion(output, target)

# 清除之前的梯度 (clear old gradients)
optimizer.zero_grad()

# 反向传播 (backward)
loss.backward()

# 更新参数 (update)
optimizer.step()

print("output:", output)
print("loss:", loss)
print("fc.weight.grad:", model.fc.weight.grad)
