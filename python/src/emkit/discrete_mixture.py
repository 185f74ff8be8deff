"""Mixtures of discrete distributions with scikit-learn's mixture interface:
``BernoulliMixture`` (binary features), ``CategoricalMixture`` (rows of
category counts: bag-of-words, or one-hot rows) and ``PoissonMixture``
(count features). EM runs in emkit's C++ engine.
"""

import os
import warnings

import numpy as np

from . import _compat, _core, _model_file, _validation
from ._report import FitReport


class _DiscreteMixture(_compat.DensityMixin, _compat.BaseEstimator):
    _family = None
    _param_name = None   # the family's array: probabilities_ or rates_
    _smoothing = None    # the name of the family's smoothing parameter

    def _init(self, n_components, tol, max_iter, n_init, init_params, random_state,
              warm_start, verbose):
        self.n_components = n_components
        self.tol = tol
        self.max_iter = max_iter
        self.n_init = n_init
        self.init_params = init_params
        self.random_state = random_state
        self.warm_start = warm_start
        self.verbose = verbose

    def _check_params(self):
        v = _validation
        v.check_int(self, "n_components", 1)
        v.check_real(self, "tol", 0.0)
        v.check_int(self, "max_iter", 0)
        v.check_int(self, "n_init", 1)
        v.check_options(self, "init_params",
                        ["kmeans", "k-means++", "random", "random_from_data"])
        v.check_random_state_param(self, "random_state")
        v.check_bool(self, "warm_start")
        v.check_real(self, self._smoothing, 0.0)

    def _params(self):
        return {"weights": self.weights_,
                self._param_name[:-1]: getattr(self, self._param_name)}

    def fit(self, X, y=None):
        """Fits the mixture by EM (n_init restarts; with warm_start, one run
        from the previous fit). Returns self."""
        self.fit_predict(X, y)
        return self

    def fit_predict(self, X, y=None):
        """Fits and returns the most probable component of each row of X."""
        self._check_params()
        X = _validation.validate_data(self, X, reset=True)
        if X.shape[0] < self.n_components:
            raise ValueError(
                "Expected n_samples >= n_components but got n_components = "
                f"{self.n_components}, n_samples = {X.shape[0]}")
        warm = self.warm_start and hasattr(self, "weights_")
        options = {
            "n_components": int(self.n_components),
            "init": self.init_params,
            "max_iter": int(self.max_iter),
            "tol": float(self.tol),
            "n_init": 1 if warm else int(self.n_init),
            "seed": _validation.seed_from_random_state(self.random_state),
            "floor": float(getattr(self, self._smoothing)),
            "warm": ({k: _validation.as_float64(v) for k, v in self._params().items()}
                     if warm else None),
        }
        if self.verbose:
            options["callback"] = lambda it, ll: print(
                f"  Iteration {it}\t mean log-likelihood {ll:.8f}", flush=True)
        params, report_json, brief, full = _core.mixture_fit(self._family, X, options)
        report = FitReport._from_core(report_json, brief, full)
        if not report.usable:
            raise ValueError(f"Fitting the mixture model failed ({report.message})")
        self.weights_ = params["weights"]
        setattr(self, self._param_name, params[self._param_name[:-1]])
        self.converged_ = report.converged
        self.n_iter_ = report.n_iter
        self.lower_bound_ = report.mean_log_likelihood
        self.lower_bounds_ = report.best.mean_log_likelihoods
        self.report_ = report
        if not self.converged_ and self.max_iter > 0:
            warnings.warn("Best performing initialization did not converge. Try "
                          "different init parameters, or increase max_iter, tol, "
                          "or check for degenerate data.", _compat.ConvergenceWarning)
        return self._predict_proba(X).argmax(axis=1)

    def _checked(self, X):
        _compat.check_is_fitted(self)
        return _validation.validate_data(self, X, reset=False)

    def _core_params(self):
        return {k: _validation.as_float64(v) for k, v in self._params().items()}

    def _predict_proba(self, X):
        return _core.mixture_predict_proba(self._family, self._core_params(),
                                           self.n_components, X)

    def predict_proba(self, X):
        """Posterior probability of each component for each row, n x K."""
        return self._predict_proba(self._checked(X))

    def predict(self, X):
        """The most probable component of each row."""
        return self.predict_proba(X).argmax(axis=1)

    def score_samples(self, X):
        """log p(x) of each row."""
        return _core.mixture_score_samples(self._family, self._core_params(),
                                           self.n_components, self._checked(X))

    def score(self, X, y=None):
        """Mean log-likelihood of the rows of X."""
        return float(self.score_samples(X).mean())

    def _n_parameters(self):
        k, d = np.shape(getattr(self, self._param_name))
        return (k - 1) + k * self._free_per_component(d)

    def _free_per_component(self, d):
        return d

    def bic(self, X):
        """Bayesian information criterion: -2 log L + p log n."""
        n = np.shape(X)[0]
        return -2 * self.score(X) * n + self._n_parameters() * np.log(n)

    def aic(self, X):
        """Akaike information criterion: -2 log L + 2 p."""
        return -2 * self.score(X) * np.shape(X)[0] + 2 * self._n_parameters()

    def save(self, path):
        """Write the model to a JSON model file, as ``emkit fit -o`` does
        (``emkit predict``, ``score`` and ``sample`` read it; ``emkit.load``
        reads it back exactly)."""
        _compat.check_is_fitted(self)
        k, d = np.shape(getattr(self, self._param_name))
        _core.mixture_save(self._family, self._core_params(), int(k), int(d),
                           float(getattr(self, self._smoothing)), os.fspath(path),
                           _model_file.feature_names(self))

    @classmethod
    def _from_file(cls, params, floor, n_features, names):
        model = cls(n_components=len(params["weights"]), **{cls._smoothing: floor})
        model.weights_ = params["weights"]
        setattr(model, cls._param_name, params[cls._param_name[:-1]])
        model.n_features_in_ = int(n_features)
        if names:
            model.feature_names_in_ = np.asarray(names, dtype=object)
        model.converged_ = False
        model.n_iter_ = 0
        model.lower_bound_ = -np.inf
        model.lower_bounds_ = np.empty(0)
        model.report_ = None
        return model

    def sample(self, n_samples=1):
        """(X, y): n_samples rows and their components, drawn with emkit's
        generator seeded by ``random_state``, grouped by component."""
        _compat.check_is_fitted(self)
        if n_samples < 1:
            raise ValueError(
                f"Invalid value for 'n_samples': {n_samples} . The sampling "
                "requires at least one sample.")
        seed = _validation.seed_from_random_state(self.random_state)
        X, y = _core.mixture_sample(self._family, self._core_params(), self.n_components,
                                    self.n_features_in_, int(n_samples), seed)
        order = np.argsort(y, kind="stable")
        return X[order].astype(np.int64), y[order]


class BernoulliMixture(_DiscreteMixture):
    """Mixture of multivariate Bernoulli distributions over binary features.

    Fitted attributes: ``weights_`` (K,), ``probabilities_`` (K, D) with
    P(x_d = 1 | k), ``converged_``, ``n_iter_``, ``lower_bound_``,
    ``lower_bounds_``, ``report_``. ``pseudo_count`` is added to the counts
    of ones and of zeros in every M-step (0: maximum likelihood; 1: Laplace).
    """

    _family = "bernoulli"
    _param_name = "probabilities_"
    _smoothing = "pseudo_count"

    def __init__(self, n_components=1, *, tol=1e-3, max_iter=100, n_init=1,
                 init_params="kmeans", random_state=None, warm_start=False,
                 pseudo_count=1e-10, verbose=0):
        self._init(n_components, tol, max_iter, n_init, init_params, random_state,
                   warm_start, verbose)
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
    _param_name = "probabilities_"
    _smoothing = "pseudo_count"

    def __init__(self, n_components=1, *, tol=1e-3, max_iter=100, n_init=1,
                 init_params="kmeans", random_state=None, warm_start=False,
                 pseudo_count=1e-10, verbose=0):
        self._init(n_components, tol, max_iter, n_init, init_params, random_state,
                   warm_start, verbose)
        self.pseudo_count = pseudo_count

    def _free_per_component(self, d):
        return d - 1


class PoissonMixture(_DiscreteMixture):
    """Mixture of independent Poisson distributions over count features.

    Fitted attributes: ``weights_`` (K,), ``rates_`` (K, D), and the fit's
    ``converged_``, ``n_iter_``, ``lower_bound_``, ``lower_bounds_``,
    ``report_``. ``min_rate`` floors every rate after the M-step.
    """

    _family = "poisson"
    _param_name = "rates_"
    _smoothing = "min_rate"

    def __init__(self, n_components=1, *, tol=1e-3, max_iter=100, n_init=1,
                 init_params="kmeans", random_state=None, warm_start=False,
                 min_rate=1e-10, verbose=0):
        self._init(n_components, tol, max_iter, n_init, init_params, random_state,
                   warm_start, verbose)
        self.min_rate = min_rate
