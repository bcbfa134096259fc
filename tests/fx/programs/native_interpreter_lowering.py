# Lower a traced module to an instruction list run by an interpreter object (the fx part of
# pytorch/examples fx/native_interpreter; the C++ interpreter is replaced by a Python one).
import numbers
import operator

import ember as torch
import ember.fx


class ElementwiseInterpreter:
    def __init__(self):
        self.constants, self.instructions = {}, []

    def __call__(self, inputs):
        env = dict(zip(self.input_names, inputs), **self.constants)
        for name, args, out in self.instructions:
            env[out] = {"add": operator.add, "mul": operator.mul}[name](*[env[a] for a in args])
        return env[self.output_name]


def lower_to_elementwise_interpreter(orig_mod):
    mod = torch.fx.symbolic_trace(orig_mod)
    instructions, constants, fn_input_names = [], {}, []
    target_to_name = {operator.add: "add", operator.mul: "mul"}
    output_node = None
    for n in mod.graph.nodes:
        target, args, out_name = n.target, n.args, n.name
        if n.op == "placeholder":
            fn_input_names.append(target)
        elif n.op == "call_function":
            arg_names = []
            for arg in args:
                if not isinstance(arg, torch.fx.Node):
                    arg_name = f"constant_{len(constants)}"
                    constants[arg_name] = torch.tensor([arg] if isinstance(arg, numbers.Number)
                                                       else arg)
                    arg_names.append(arg_name)
                else:
                    arg_names.append(arg.name)
            instructions.append((target_to_name[target], arg_names, out_name))
        elif n.op == "output":
            output_node = n
    interpreter = ElementwiseInterpreter()
    interpreter.constants = constants
    interpreter.input_names = fn_input_names
    interpreter.instructions = instructions
    interpreter.output_name = output_node.args[0].name

    class WrapperModule(torch.nn.Module):
        def __init__(self, interpreter):
            super().__init__()
            self.interpreter = interpreter

    wrapper = WrapperModule(interpreter)
    graph = torch.fx.Graph()
    placeholder_nodes = [graph.create_node("placeholder", name) for name in fn_input_names]
    interpreter_node = graph.create_node("get_attr", "interpreter")
    output_node = graph.create_node(op="call_method", target="__call__",
                                    args=(interpreter_node, placeholder_nodes))
    graph.output(output_node)
    graph.lint()
    return torch.fx.GraphModule(wrapper, graph)


class MyElementwiseModule(torch.nn.Module):
    def forward(self, x, y):
        return x * y + y + 2


mem = MyElementwiseModule()
lowered = lower_to_elementwise_interpreter(mem)
print(lowered.code)
print(lowered.interpreter.instructions)
for _ in range(5):
    x, y = torch.randn(3, 4), torch.randn(3, 4)
    torch.testing.assert_close(lowered(x, y), mem(x, y))
print("ok")
