"""``ember.distributions`` (``torch.distributions``): parameterisable probability
distributions with sampling, differentiable ``log_prob``/``entropy``/``rsample``, and
closed-form ``kl_divergence``.

Samples come from ember's generator (``ember.manual_seed`` makes them reproducible); they
follow the same distributions as PyTorch's but are not the same stream of values.

Example (REINFORCE)::

    from ember.distributions import Categorical
    logits = policy(state)
    dist = Categorical(logits=logits)
    action = dist.sample()
    loss = -dist.log_prob(action) * reward
"""

from . import (
    constraints,
    kl,
    transforms,
    utils,
)
from .constraints import Constraint
from .continuous import Cauchy, Exponential, Laplace, Normal, Uniform
from .discrete import (
    Bernoulli,
    Binomial,
    Categorical,
    Geometric,
    Multinomial,
    OneHotCategorical,
    Poisson,
)
from .distribution import Distribution
from .gamma_family import Beta, Chi2, Dirichlet, Gamma, StudentT
from .independent import Independent
from .kl import kl_divergence, register_kl
from .multivariate_normal import MultivariateNormal
from .transformed_distribution import LogNormal, TransformedDistribution
from .transforms import (
    AffineTransform,
    ComposeTransform,
    ExpTransform,
    PowerTransform,
    SigmoidTransform,
    TanhTransform,
    Transform,
)

__all__ = [
    "AffineTransform", "Bernoulli", "Beta", "Binomial", "Categorical", "Cauchy", "Chi2",
    "ComposeTransform", "Constraint", "Dirichlet", "Distribution", "ExpTransform",
    "Exponential", "Gamma", "Geometric", "Independent", "Laplace", "LogNormal", "Multinomial",
    "MultivariateNormal", "Normal", "OneHotCategorical", "Poisson", "PowerTransform",
    "SigmoidTransform", "StudentT", "TanhTransform", "Transform", "TransformedDistribution",
    "Uniform", "constraints", "kl", "kl_divergence", "register_kl", "transforms", "utils",
]
