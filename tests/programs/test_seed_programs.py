"""The seed tutorial's two programs, verbatim, run with ``import ember as torch``: the training
step (SimpleModel / Linear(10, 1) / MSELoss / SGD) and the CustomReLU Function. Their printed
output must have PyTorch's form (numbers aside, as the inputs are random), and the values must
satisfy the maths the tutorial relies on."""

from __future__ import annotations

import contextlib
import io
import re

import numpy as np
import pytest

TRAINING_STEP = '''
import torch
import torch.nn as nn
import torch.optim as optim

# 定义一个简单的模型
class SimpleModel(nn.Module):
    def __init__(self):
        super(SimpleModel, self).__init__()
        self.fc = nn.Linear(10, 1)

    def forward(self, x):
        return self.fc(x)

# 初始化模型、损失函数和优化器
model = SimpleModel()
criterion = nn.MSELoss()
optimizer = optim.SGD(model.parameters(), lr=0.01)

# 输入和目标
input_tensor = torch.randn(1, 10, requires_grad=True)
target = torch.tensor([[1.]])

# 前向传播
output = model(input_tensor)
loss = criterion(output, target)

# 清除之前的梯度
optimizer.zero_grad()

# 反向传播
loss.backward()

# 更新参数
optimizer.step()
'''

CUSTOM_RELU = '''
import torch

class CustomReLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, input):
        """
        在前向传播中,我们接收到一个上下文对象和一个输入张量,
        并返回一个经过 ReLU 激活的输出张量。
        """
        ctx.save_for_backward(input)  # 保存输入以供反向传播使用
        return input.clamp(min=0)

    @staticmethod
    def backward(ctx, grad_output):
        """
        在反向传播中,我们接收到一个上下文对象和一个输出张量的梯度,
        并返回输入张量的梯度。
        """
        input, = ctx.saved_tensors
        grad_input = grad_output.clone()
        grad_input[input < 0] = 0
        return grad_input

# 使用自定义 ReLU 函数
custom_relu = CustomReLU.apply

# 示例:将自定义 ReLU 应用于输入
input_tensor = torch.randn(5, requires_grad=True)
output = custom_relu(input_tensor)

# 创建一个简单的损失并进行反向传播
loss = output.sum()
loss.backward()

print("Input tensor:", input_tensor)
print("Gradient of input tensor:", input_tensor.grad)
'''


def _as_ember(src: str) -> str:
    """The program with ``import torch...`` turned into ``import ember... as torch...``."""
    src = src.replace("import torch.nn as nn", "import ember.nn as nn")
    src = src.replace("import torch.optim as optim", "import ember.optim as optim")
    return re.sub(r"^import torch$", "import ember as torch", src, flags=re.M)


def _run(src: str):
    ns: dict = {"__name__": "__seed__"}
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(src, "<seed>", "exec"), ns)  # noqa: S102 - the tutorial program itself
    return ns, out.getvalue()


def _shape_of_output(text: str) -> str:
    """The printed text with each number replaced by '#' and the padding spaces (which depend
    on the signs and widths of the random values) removed."""
    text = re.sub(r"-?\d+\.\d*(e[+-]?\d+)?", "#", text)
    return re.sub(r"[ ]+", "", text)


def _optim_ready():
    try:
        import ember.optim as optim

        return hasattr(optim, "SGD")
    except ImportError:
        return False


@pytest.mark.skipif(not _optim_ready(), reason="ember.optim.SGD is not there yet")
def test_training_step_program():
    ns, out = _run(_as_ember(TRAINING_STEP))
    assert out == ""
    import ember

    model, x, target = ns["model"], ns["input_tensor"], ns["target"]
    output, loss = ns["output"], ns["loss"]
    assert isinstance(model, ember.nn.Module) and isinstance(model.fc, ember.nn.Linear)
    assert output.shape == (1, 1) and loss.dim() == 0 and loss.requires_grad
    assert type(loss.grad_fn).__name__ == "MseLossBackward0"
    err = (output - target).detach()
    assert abs(loss.item() - (err ** 2).item()) < 1e-6
    w, b = model.fc.weight, model.fc.bias
    # SGD stepped with lr=0.01 after backward: recover the weights the forward used
    w0 = w.detach() + 0.01 * w.grad
    np.testing.assert_allclose(w.grad.numpy(), (2 * err * x.detach()).numpy(), rtol=1e-5,
                               atol=1e-6)
    np.testing.assert_allclose(b.grad.numpy(), (2 * err).reshape(1).numpy(), rtol=1e-5,
                               atol=1e-6)
    np.testing.assert_allclose(x.grad.numpy(), (2 * err * w0).numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose((x.detach() @ w0.t() + (b.detach() + 0.01 * b.grad)).numpy(),
                               output.detach().numpy(), rtol=1e-5, atol=1e-6)
    assert np.abs(w0.numpy()).max() <= 1 / 10 ** 0.5  # PyTorch's default init bound


def test_custom_relu_program():
    ns, out = _run(_as_ember(CUSTOM_RELU))
    x = ns["input_tensor"]
    mask = (x.detach().numpy() > 0).astype(np.float32)
    assert np.array_equal(x.grad.numpy(), mask)
    assert type(ns["output"].grad_fn).__name__ == "CustomReLUBackward"
    lines = out.splitlines()
    assert lines[0].startswith("Input tensor: tensor([") and \
        lines[0].endswith("], requires_grad=True)")
    assert lines[1].startswith("Gradient of input tensor: tensor([")
    # the printed values are the tensors' own, rounded to 4 decimals as PyTorch prints them
    shown = [float(v) for v in re.findall(r"-?\d+\.\d+", lines[0])]
    np.testing.assert_allclose(shown, x.detach().numpy(), atol=5e-5)
    try:
        import torch  # noqa: F401
    except ImportError:
        return
    _, t_out = _run(CUSTOM_RELU)
    assert _shape_of_output(out).count("#") == _shape_of_output(t_out).count("#") == 10
    assert _shape_of_output(out).split("#")[0] == _shape_of_output(t_out).split("#")[0]
    assert _shape_of_output(out).rsplit("#", 1)[1] == _shape_of_output(t_out).rsplit("#", 1)[1]


def test_custom_relu_same_values_as_torch():
    torch = pytest.importorskip("torch")
    import ember

    data = np.array([0.5, -1.25, 2.0, -0.1, 0.0], dtype=np.float32)
    outs = []
    for lib, src in ((ember, _as_ember(CUSTOM_RELU)), (torch, CUSTOM_RELU)):
        ns, _ = _run(src.split("# 使用自定义 ReLU 函数")[0])
        x = lib.tensor(data, requires_grad=True)
        y = ns["CustomReLU"].apply(x)
        y.sum().backward()
        outs.append((repr(x), repr(x.grad), repr(y.detach())))
    assert outs[0] == outs[1]
