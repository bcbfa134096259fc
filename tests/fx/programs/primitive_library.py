# wrap() and inlining (logic of pytorch/examples fx/primitive_library.py).
import ember as torch
import ember.fx


def sigmoid_lowp(x):
    x = x.float()
    x = x.sigmoid()
    return x.half()


ember.fx.wrap(sigmoid_lowp)


def add_lowp(a, b):
    a, b = a.float(), b.float()
    c = a + b
    return c.half()


ember.fx.wrap(add_lowp)


class Foo(torch.nn.Module):
    def forward(self, x, y):
        x = sigmoid_lowp(x)
        y = sigmoid_lowp(y)
        return add_lowp(x, y)


traced = ember.fx.symbolic_trace(Foo())
print(traced.code)


def inline_lowp_func(n):
    if n.op == "call_function" and n.target.__module__ == inline_lowp_func.__module__:
        with n.graph.inserting_before(n):
            proxy_args = ember.fx.node.map_arg(n.args, ember.fx.Proxy)
            proxy_kwargs = ember.fx.node.map_arg(n.kwargs, ember.fx.Proxy)
            output_proxy = n.target(*proxy_args, **proxy_kwargs)
            node.replace_all_uses_with(output_proxy.node)
            node.graph.erase_node(node)


for node in traced.graph.nodes:
    if node.op == "call_function" and node.target is sigmoid_lowp:
        inline_lowp_func(node)
traced.recompile()
print(traced.code)


class InliningTracer(ember.fx.Tracer):
    FNS_TO_INLINE = [add_lowp]

    def create_node(self, kind, target, args, kwargs, name=None, type_expr=None):
        if kind == "call_function" and target in self.FNS_TO_INLINE:
            proxy_args = ember.fx.node.map_arg(args, ember.fx.Proxy)
            proxy_kwargs = ember.fx.node.map_arg(kwargs, ember.fx.Proxy)
            return target(*proxy_args, **proxy_kwargs).node
        return super().create_node(kind, target, args, kwargs, name, type_expr)


f = Foo()
graph = InliningTracer().trace(f)
print(ember.fx.GraphModule(f, graph).code)
