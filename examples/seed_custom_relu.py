"""The seed tutorial's custom autograd.Function, unchanged except for the import: forward keeps
its input with ctx.save_for_backward, backward reads ctx.saved_tensors (../shared/seed, 三)."""

import ember as torch


class CustomReLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, input):
        """Receive a context object and an input tensor; return ReLU(input)."""
        ctx.save_for_backward(input)  # 保存输入以供反向传播使用 (kept for backward)
        return input.clamp(min=0)

    @staticmethod
    def backward(ctx, grad_output):
        """Receive the context and the gradient of the output; return the input's gradient."""
        input, = ctx.saved_tensors
        grad_input = grad_output.clone()
        grad_input[input < 0] = 0
        return grad_input


# 使用自定义 ReLU 函数 (use the custom ReLU)
custom_relu = CustomReLU.apply

# 示例:将自定义 ReLU 应用于输入 (apply it to an input)
input_tensor = torch.randn(5, requires_grad=True)
output = custom_relu(input_tensor)

# 创建一个简单的损失并进行反向传播 (a simple loss, then backward)
loss = output.sum()
loss.backward()

print("Input tensor:", input_tensor)
print("Gradient of input tensor:", input_tensor.grad)
