# Invert a function graph (logic of pytorch/examples fx/invert.py).
import ember as torch
import ember.fx as fx

invert_mapping = {}


def add_inverse(a, b):
    invert_mapping[a] = b
    invert_mapping[b] = a


for a, b in [(torch.sin, torch.arcsin), (torch.cos, torch.arccos), (torch.tan, torch.arctan),
             (torch.exp, torch.log)]:
    add_inverse(a, b)


def invert(model):
    fx_model = fx.symbolic_trace(model)
    new_graph = fx.Graph()
    env = {}
    for node in reversed(fx_model.graph.nodes):
        if node.op == "call_function":
            new_node = new_graph.call_function(invert_mapping[node.target], (env[node.name],))
            env[node.args[0].name] = new_node
        elif node.op == "output":
            new_node = new_graph.placeholder(node.name)
            env[node.args[0].name] = new_node
        elif node.op == "placeholder":
            new_graph.output(env[node.name])
        else:
            raise RuntimeError("Not implemented")
    new_graph.lint()
    return fx.GraphModule(fx_model, new_graph)


def f(x):
    return torch.exp(torch.tan(x))


res = invert(f)
print(res.code)
# Rounded: float32 tan/arctan differ from PyTorch's in the last bit.
print(f(res((torch.arange(5) + 1))).round(decimals=3))
