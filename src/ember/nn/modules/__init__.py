"""The layer modules; ``ember.nn`` re-exports everything listed in ``__all__`` here (and the
conv / pooling / normalisation / recurrent / attention layers of ``modules.layers``)."""

from .module import Module
from .container import ModuleDict, ModuleList, ParameterDict, ParameterList, Sequential
from .linear import Bilinear, Identity, LazyLinear, Linear
from .flatten import Flatten, Unflatten
from .activation import *  # noqa: F401,F403
from .activation import __all__ as _activation_all
from .dropout import *  # noqa: F401,F403
from .dropout import __all__ as _dropout_all
from .sparse import Embedding, EmbeddingBag
from .distance import CosineSimilarity, PairwiseDistance
from .loss import *  # noqa: F401,F403
from .loss import __all__ as _loss_all

__all__ = [
    "Module", "Sequential", "ModuleList", "ModuleDict", "ParameterList", "ParameterDict",
    "Linear", "LazyLinear", "Bilinear", "Identity", "Flatten", "Unflatten", "Embedding",
    "EmbeddingBag",
    "CosineSimilarity", "PairwiseDistance",
] + _activation_all + _dropout_all + _loss_all
