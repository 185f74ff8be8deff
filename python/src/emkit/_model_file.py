"""JSON model files, the format the ``emkit`` command reads and writes."""

import os

import numpy as np

from . import _core

# The Python class of the HMMs of each emission family of the model file.
_HMM_CLASSES = {"gaussian": "GaussianHMM", "gaussian_mixture": "GMMHMM",
                "categorical": "CategoricalHMM", "poisson": "PoissonHMM"}


# The classes of the registry's other mixture families, by model kind
# ("vmf_mixture"); each family's module adds its own.
_REGISTRY_CLASSES = {}


def register_mixture_class(kind, cls):
    """Makes ``load`` return a ``cls`` for model files of ``kind``."""
    _REGISTRY_CLASSES[kind] = cls


def load(path):
    """A fitted estimator from a JSON model file (``emkit fit -o``,
    ``emkit hmm fit -o`` or an estimator's ``save``).

    Gaussian, Bernoulli, categorical (counts), Poisson and von Mises-Fisher
    mixtures give :class:`GaussianMixture`, :class:`BernoulliMixture`,
    :class:`CategoricalMixture`, :class:`PoissonMixture` and
    :class:`VonMisesFisherMixture`; HMMs with
    Gaussian, Gaussian-mixture, categorical (symbols) and Poisson emissions
    give :class:`GaussianHMM`, :class:`GMMHMM`, :class:`CategoricalHMM` and
    :class:`PoissonHMM`.
    The file holds parameters, not a fit history: the family's options
    (``reg_covar``, ``pseudo_count``, ``min_rate``) and sizes come from the
    file; a mixture's ``n_iter_`` is 0, ``converged_`` False,
    ``lower_bound_`` -inf and ``report_`` None. A mixture with
    ``warm_start=True``, and an HMM (loaded with ``init_params=""``), fit
    from the loaded parameters (as ``--init-model`` does).
    """
    path = os.fspath(path)
    params, names = _core.registry_load(path)
    kind = params["model"]
    if kind == "gaussian_mixture":
        return _load_gaussian_mixture(path)
    from . import discrete_mixture, hmm, von_mises_fisher  # noqa: F401 (they register)
    if kind == "hmm":
        return _load_hmm(path, params, names)
    if kind not in _REGISTRY_CLASSES:
        raise ValueError(f"{path}: holds a {kind}, which no Python class holds")
    return _REGISTRY_CLASSES[kind]._from_params(params, names, path)


def _load_hmm(path, params, names):
    from . import hmm

    emission = params["emission"]
    if emission not in _HMM_CLASSES:
        raise ValueError(f"{path}: holds an HMM with {emission} emissions, which no Python "
                         "class holds; use emkit hmm decode, score or sample")
    if emission == "categorical" and params["categorical_layout"] != "symbols":
        raise ValueError(f"{path}: CategoricalHMM reads categorical HMMs of the symbols "
                         "layout only")
    return getattr(hmm, _HMM_CLASSES[emission])._from_params(params, names)


def _load_gaussian_mixture(path):
    from .gaussian_mixture import GaussianMixture

    params, names = _core.registry_load(path)
    gm = GaussianMixture(
        n_components=int(params["n_components"]),
        covariance_type=params["covariance_type"],
        reg_covar=params["reg_covar"],
    )
    gm._set_fitted(params)
    gm.n_features_in_ = int(params["n_features"])
    if names:
        gm.feature_names_in_ = np.asarray(names, dtype=object)
    gm.converged_ = False
    gm.n_iter_ = 0
    gm.lower_bound_ = -np.inf
    gm.lower_bounds_ = np.empty(0)
    gm.report_ = None
    return gm


def feature_names(estimator):
    """The estimator's feature names as a list of str ([] when it has none)."""
    names = getattr(estimator, "feature_names_in_", None)
    return [] if names is None else [str(n) for n in names]
