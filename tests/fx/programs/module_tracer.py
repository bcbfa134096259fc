# Record each node's originating module (logic of pytorch/examples fx/module_tracer.py, on a
# small residual network defined here instead of torchvision's resnet18).
import ember as torch
import ember.fx


class ModulePathTracer(torch.fx.Tracer):
    current_module_qualified_name = ""
    node_to_originating_module = {}

    def call_module(self, m, forward, args, kwargs):
        old_qualname = self.current_module_qualified_name
        try:
            self.current_module_qualified_name = self.path_of_module(m)
            return super().call_module(m, forward, args, kwargs)
        finally:
            self.current_module_qualified_name = old_qualname

    def create_proxy(self, kind, target, args, kwargs, name=None, type_expr=None):
        proxy = super().create_proxy(kind, target, args, kwargs, name, type_expr)
        self.node_to_originating_module[proxy.node] = self.current_module_qualified_name
        return proxy


class Block(torch.nn.Module):
    def __init__(self, c, down=False):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(c, c, 3, padding=1)
        self.bn1 = torch.nn.BatchNorm2d(c)
        self.relu = torch.nn.ReLU()
        self.conv2 = torch.nn.Conv2d(c, c, 3, padding=1)
        self.bn2 = torch.nn.BatchNorm2d(c)
        self.downsample = torch.nn.Sequential(torch.nn.Conv2d(c, c, 1),
                                              torch.nn.BatchNorm2d(c)) if down else None

    def forward(self, x):
        identity = x
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        if self.downsample is not None:
            identity = self.downsample(x)
        out += identity
        return self.relu(out)


class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(3, 4, 3)
        self.layer1 = torch.nn.Sequential(Block(4), Block(4, down=True))
        self.avgpool = torch.nn.AdaptiveAvgPool2d((1, 1))
        self.fc = torch.nn.Linear(4, 2)

    def forward(self, x):
        x = self.layer1(self.conv1(x))
        x = torch.flatten(self.avgpool(x), 1)
        return self.fc(x)


tracer = ModulePathTracer()
traced = tracer.trace(Net())
for node in traced.nodes:
    module_qualname = tracer.node_to_originating_module.get(node)
    print("Node", node, "is from module", module_qualname)
