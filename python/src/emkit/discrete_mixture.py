"""Mixtures of discrete distributions with scikit-learn's mixture interface:
``BernoulliMixture`` (binary features), ``CategoricalMixture`` (rows of
category counts: bag-of-words, or one-hot rows) and ``PoissonMixture``
(count features). EM runs in emkit's C++ engine; the scikit-learn interface
is the registry's generic one (``_registry_mixture.py``).
"""

import numpy as np

from ._model_file import register_mixture_class
from ._registry_mixture import RegistryMixture


class _DiscreteMixture(RegistryMixture):
    # Samples are counts: int64 rows.
    _sample_dtype = np.int64


class BernoulliMixture(_DiscreteMixture):
    """Mixture of multivariate Bernoulli distributions over binary features.

    Fitted attributes: ``weights_`` (K,), ``probabilities_`` (K, D) with
    P(x_d = 1 | k), ``converged_``, ``n_iter_``, ``lower_bound_``,
    ``lower_bounds_``, ``report_``. ``pseudo_count`` is added to the counts
    of ones and of zeros in every M-step (0: maximum likelihood; 1: Laplace).
    """

    _family = "bernoulli"

    def __init__(self, n_components=1, *, tol=1e-3, max_iter=100, n_init=1,
                 init_params="kmeans", random_state=None, warm_start=False,
                 pseudo_count=1e-10, verbose=0, accelerate="none",
                 learning_decay=0.6, average=False):
        self._init(n_components, tol, max_iter, n_init, init_params, random_state,
                   warm_start, verbose, accelerate, learning_decay, average)
        self.pseudo_count = pseudo_count


class CategoricalMixture(_DiscreteMixture):
    """Mixture of multinomial distributions over rows of V category counts
    (one-hot rows are single categorical observations).

    Fitted attributes: ``weights_`` (K,), ``probabilities_`` (K, V), and the
    fit's ``converged_``, ``n_iter_``, ``lower_bound_``, ``lower_bounds_``,
    ``report_``. ``pseudo_count`` is added to every category's count in the
    M-step. ``sample`` draws one-hot rows.
    """

    _family = "categorical"
    # Rows of category counts; the command's symbols layout is for HMMs.
    _fixed_options = {"categorical_layout": "counts"}

    def __init__(self, n_components=1, *, tol=1e-3, max_iter=100, n_init=1,
                 init_params="kmeans", random_state=None, warm_start=False,
                 pseudo_count=1e-10, verbose=0, accelerate="none",
                 learning_decay=0.6, average=False):
        self._init(n_components, tol, max_iter, n_init, init_params, random_state,
                   warm_start, verbose, accelerate, learning_decay, average)
        self.pseudo_count = pseudo_count


class PoissonMixture(_DiscreteMixture):
    """Mixture of independent Poisson distributions over count features.

    Fitted attributes: ``weights_`` (K,), ``rates_`` (K, D), and the fit's
    ``converged_``, ``n_iter_``, ``lower_bound_``, ``lower_bounds_``,
    ``report_``. ``min_rate`` floors every rate after the M-step.
    """

    _family = "poisson"

    def __init__(self, n_components=1, *, tol=1e-3, max_iter=100, n_init=1,
                 init_params="kmeans", random_state=None, warm_start=False,
                 min_rate=1e-10, verbose=0, accelerate="none",
                 learning_decay=0.6, average=False):
        self._init(n_components, tol, max_iter, n_init, init_params, random_state,
                   warm_start, verbose, accelerate, learning_decay, average)
        self.min_rate = min_rate


register_mixture_class("bernoulli_mixture", BernoulliMixture)
register_mixture_class("categorical_mixture", CategoricalMixture)
register_mixture_class("poisson_mixture", PoissonMixture)
