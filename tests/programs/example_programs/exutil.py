"""Test plumbing shared by the example programs (not part of what they exercise).

``share_init`` makes a model start from the same weights on both libraries: the reference run
(EXAMPLE_ROLE=save) writes the freshly initialised state_dict as NumPy arrays; the ember run
(EXAMPLE_ROLE=load) loads them back through ``load_state_dict``. ``report`` prints the results
as the last line of stdout, as JSON.
"""

import json
import os

import numpy as np


def _path(name):
    return os.path.join(os.environ.get("EXAMPLE_DIR", "."), name + ".npz")


def share_init(model, name="model"):
    import torch

    role = os.environ.get("EXAMPLE_ROLE", "")
    if role == "save":
        arrays = {k: v.detach().cpu().numpy() for k, v in model.state_dict().items()}
        np.savez(_path(name), **arrays)
    elif role == "load":
        with np.load(_path(name)) as data:
            state = {k: torch.from_numpy(data[k].copy()) for k in data.files}
        model.load_state_dict(state)
    return model


def share_tensors(tensors, name):
    """Same as share_init for a list of plain tensors (copied in place, under no_grad)."""
    import torch

    role = os.environ.get("EXAMPLE_ROLE", "")
    if role == "save":
        np.savez(_path(name), *[t.detach().cpu().numpy() for t in tensors])
    elif role == "load":
        with np.load(_path(name)) as data, torch.no_grad():
            for i, t in enumerate(tensors):
                t.copy_(torch.from_numpy(data[f"arr_{i}"].copy()))
    return tensors


def report(**results):
    print(json.dumps(results))
