"""Layer modules (conv, pooling, normalisation, recurrent, attention, ...), gathered here."""

from .conv import *  # noqa: F401,F403
from .conv import __all__ as _conv_all
from .misc import *  # noqa: F401,F403
from .misc import __all__ as _misc_all
from .normalization import *  # noqa: F401,F403
from .normalization import __all__ as _norm_all
from .pooling import *  # noqa: F401,F403
from .pooling import __all__ as _pool_all
from .rnn import *  # noqa: F401,F403
from .rnn import __all__ as _rnn_all
from .transformer import *  # noqa: F401,F403
from .transformer import __all__ as _tr_all

__all__ = _conv_all + _pool_all + _norm_all + _misc_all + _rnn_all + _tr_all
