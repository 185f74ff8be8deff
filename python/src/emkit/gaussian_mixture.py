"""``emkit.GaussianMixture``: scikit-learn's GaussianMixture on emkit's engine.

The model crosses to C++ as the dict of its parameter codec (the keys of the
Gaussian codec: "covariance_type", "reg_covar", "means", "covariances" and,
for full and tied, "precisions_cholesky"); predictions, samples and model
files go through the registry's generic functions, as every other mixture's
do (``_registry_mixture.py``). Only the fit is Gaussian-specific, where
scikit-learn's interface is (initial parameters, sample weights, the
per-iteration callback)."""

import os
import warnings

import numpy as np

from . import _checkpoint, _compat, _core, _model_file, _validation
from ._options import INIT_METHODS, engine_options
from ._report import FitReport
from ._stepwise import StepwiseMixin
from ._verbose import VerbosePrinter

_COVARIANCE_TYPES = ("full", "tied", "diag", "spherical")

# The checkpoint settings that a resumed fit compares, and the parameter
# each comes from (emkit/_checkpoint.py).
_CHECKPOINT_LABELS = {
    "model": "the estimator",
    "n_components": "n_components",
    "covariance": "covariance_type",
    "init": "init_params",
    "kmeans_max_iter": "init_params",
    "weights_init": "weights_init",
    "means_init": "means_init",
    "precisions_init": "precisions_init",
    "init_model": "the command's --init-model",
    "warm_model": "warm_start",
    "n_init": "n_init",
    "max_iter": "max_iter",
    "accelerate": "accelerate",
    "tol": "tol",
    "seed": "random_state",
    "reg_covar": "reg_covar",
    "dtype": "the dtype of X",
}

_FIT_FAILED = (
    "Fitting the mixture model failed because some components have "
    "ill-defined empirical covariance (for Gaussian mixture) or collapsed "
    "samples (for BayesianGaussianMixture). Try to decrease the number of "
    "components, increase reg_covar, or scale the input data."
)


class GaussianMixture(StepwiseMixin, _compat.DensityMixin, _compat.BaseEstimator):
    """Gaussian mixture fitted by EM in C++: a drop-in for
    :class:`sklearn.mixture.GaussianMixture`.

    The parameters, their defaults, the fitted attributes, methods, warnings
    and errors are scikit-learn's; see its documentation. What differs:

    Parameters
    ----------
    n_components, covariance_type, tol, reg_covar, max_iter, n_init,
    init_params, weights_init, means_init, precisions_init, random_state,
    warm_start, verbose, verbose_interval
        As in scikit-learn. ``init_params="kmeans"`` runs emkit's k-means
        (k-means++ seeding then Lloyd iterations); ``"k-means++"`` uses the
        seeds alone. The random draws are emkit's, so results from the same
        ``random_state`` differ from scikit-learn's unless the initial
        parameters are given (``weights_init``, ``means_init``,
        ``precisions_init``). An int ``random_state`` is the seed of the
        ``emkit`` command (``--seed``).
    tol
        Convergence test: EM stops when the mean log-likelihood of the new
        parameters exceeds that of the previous ones by less than ``tol``
        (a decrease is never convergence). scikit-learn tests the change of
        the previous parameters' likelihood, ``|change| < tol``, so it
        usually does one M-step more. With ``tol=0`` both run ``max_iter``
        M-steps and, from the same initial parameters, agree to rounding.
    n_jobs : int or None, default=None
        Threads of the E-step. None or -1: all cores; -2: all but one.
        Results are bit-identical for any value, so this changes speed only.
    accelerate : {"none", "squarem"}, default="none"
        The iteration policy of ``fit``: plain EM, or monotone SQUAREM.
    learning_decay : float in (0.5, 1], default=0.6
        ``partial_fit`` (stepwise EM) moves the running statistics by the
        step size (t + 2)^-learning_decay at its t-th batch after the first,
        as scikit-learn's LatentDirichletAllocation names the exponent of
        its online updates (the command's ``--step-exponent``).
    average : bool, default=False
        ``partial_fit`` reports the parameters of the average of the running
        statistics over the steps (Polyak-Ruppert), as SGDClassifier's
        ``average`` does (the command's ``--average``).

    Attributes
    ----------
    weights_, means_, covariances_, precisions_, precisions_cholesky_,
    converged_, n_iter_, n_features_in_, feature_names_in_
        As in scikit-learn.
    lower_bound_ : float
        The mean log-likelihood of the returned parameters (scikit-learn
        reports that of the parameters before the last M-step).
    lower_bounds_ : ndarray of shape (n_iter_,)
        The mean log-likelihood after each M-step of the best initialisation.
    report_ : emkit.FitReport
        The fit report: per initialisation and per iteration the mean
        log-likelihood, the certified gain of the EM bound (``bound_gain``),
        the likelihood gain (``loglik_gain``) and seconds.
    """

    def __init__(
        self,
        n_components=1,
        *,
        covariance_type="full",
        tol=1e-3,
        reg_covar=1e-6,
        max_iter=100,
        n_init=1,
        init_params="kmeans",
        weights_init=None,
        means_init=None,
        precisions_init=None,
        random_state=None,
        warm_start=False,
        verbose=0,
        verbose_interval=10,
        n_jobs=None,
        accelerate="none",
        learning_decay=0.6,
        average=False,
    ):
        self.n_components = n_components
        self.covariance_type = covariance_type
        self.tol = tol
        self.reg_covar = reg_covar
        self.max_iter = max_iter
        self.n_init = n_init
        self.init_params = init_params
        self.weights_init = weights_init
        self.means_init = means_init
        self.precisions_init = precisions_init
        self.random_state = random_state
        self.warm_start = warm_start
        self.verbose = verbose
        self.verbose_interval = verbose_interval
        self.n_jobs = n_jobs
        self.accelerate = accelerate
        self.learning_decay = learning_decay
        self.average = average

    # ------------------------------------------------------------------
    # Fitting

    def fit(self, X, y=None, *, checkpoint=None, checkpoint_every=10.0, resume=None):
        """Estimate the parameters by EM; see scikit-learn's ``fit``.

        Runs ``n_init`` initialisations (one when warm starting a fitted
        estimator) of at most ``max_iter`` M-steps each and keeps the one
        with the highest likelihood. Emits ``ConvergenceWarning`` when that
        one did not converge. Ctrl-C raises ``KeyboardInterrupt`` after the
        current iteration and leaves the estimator as it was.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : ignored
        checkpoint : str or path, optional
            Write the fit's progress to this file (atomically) every
            ``checkpoint_every`` seconds and when Ctrl-C interrupts the fit,
            so that ``fit(X, resume=checkpoint)`` continues it.
        checkpoint_every : float, default=10.0
            Seconds between checkpoint writes; 0 writes after every iteration.
        resume : str or path, optional
            Continue the fit saved in this checkpoint file (written by
            ``fit(checkpoint=...)`` or by ``emkit fit --checkpoint``). X and
            the parameters that shape the result must be those of the fit
            that wrote it (ValueError naming the first that differs); the
            result is then the very one, bit for bit, of a fit that was
            never interrupted. ``n_jobs`` and ``verbose`` may differ.

        Returns
        -------
        self : GaussianMixture
        """
        self._fit(X, checkpoint, checkpoint_every, resume)
        return self

    def fit_predict(self, X, y=None, *, checkpoint=None, checkpoint_every=10.0, resume=None):
        """Fit, then return the most probable component of each row of X.

        ``checkpoint``, ``checkpoint_every`` and ``resume`` are those of
        ``fit``."""
        X = self._fit(X, checkpoint, checkpoint_every, resume)
        return _core.registry_predict(self._params(), X)

    def _fit(self, X, checkpoint=None, checkpoint_every=10.0, resume=None,
             initialise_only=False):
        """The fit; with initialise_only, its start alone (no EM iteration),
        which partial_fit's first batch takes."""
        self._check_params()
        if not initialise_only:
            self._forget_stepwise_run()
        X = _validated(self, X, reset=True, ensure_min_samples=2)
        n_samples, n_features = X.shape
        if n_samples < self.n_components:
            raise ValueError(
                "Expected n_samples >= n_components "
                f"but got n_components = {self.n_components}, "
                f"n_samples = {n_samples}"
            )
        self._check_initial_parameters(n_features)
        warm = self.warm_start and hasattr(self, "converged_")
        request, settings = _checkpoint.plan(
            self._checkpoint_settings(X, warm, _checkpoint.seed(self.random_state, resume)),
            _CHECKPOINT_LABELS, ("fit", "python fit"), checkpoint, checkpoint_every, resume,
            _checkpoint.feature_names(self))
        # The estimator's current covariance_type and reg_covar, as
        # scikit-learn's warm start keeps the parameters, not the settings.
        warm_model = (self._params() | {"covariance_type": self.covariance_type,
                                        "reg_covar": float(self.reg_covar)}) if warm else None
        context = {"warm_model": warm_model, "seed": settings["seed"]}
        if self.verbose:
            context["callback"] = VerbosePrinter(
                self.verbose, self.verbose_interval, n_samples, self.tol, self.max_iter
            )
        options = engine_options(self.get_params(deep=False), context)
        if initialise_only:
            options["max_iter"] = 0
        params, report_json, brief, full = _core.fit(X, None, options, request)
        report = FitReport._from_core(report_json, brief, full)
        if not report.usable:
            raise ValueError(f"{_FIT_FAILED} ({report.message})")
        self._set_fitted(params)
        self.converged_ = report.converged
        self.n_iter_ = report.n_iter
        self.lower_bound_ = report.mean_log_likelihood
        self.lower_bounds_ = report.best.mean_log_likelihoods
        self.report_ = report
        if not self.converged_ and self.max_iter > 0 and not initialise_only:
            warnings.warn(
                "Best performing initialization did not converge. "
                "Try different init parameters, or increase max_iter, "
                "tol, or check for degenerate data.",
                _compat.ConvergenceWarning,
            )
        return X

    def _checkpoint_settings(self, X, warm, seed):
        """The settings a checkpoint of this fit keeps: the command's for a
        fit that ``emkit fit`` runs alike, else also those only Python has."""
        init, kmeans_max_iter = INIT_METHODS[self.init_params]
        array = _checkpoint.array_setting
        python_only = {
            "kmeans_max_iter": kmeans_max_iter if kmeans_max_iter == 0 else None,
            "weights_init": array(self.weights_init),
            "means_init": array(self.means_init),
            "precisions_init": array(self.precisions_init),
            "warm_model": {
                "weights": array(self.weights_), "means": array(self.means_),
                "covariances": array(self.covariances_),
            } if warm else None,
        }
        python_only = {k: v for k, v in python_only.items() if v is not None}
        return {
            "command": "python fit" if python_only else "fit",
            "model": "gaussian",
            "n_components": int(self.n_components),
            "covariance": self.covariance_type,
            "init": init,
            "init_model": None,
            "n_init": 1 if warm else int(self.n_init),
            "max_iter": int(self.max_iter),
            "tol": float(self.tol),
            "seed": seed,
            "reg_covar": float(self.reg_covar),
            "accelerate": self.accelerate,
            "dtype": _checkpoint.dtype_setting(X),
            **python_only,
            **_checkpoint.DATA_SETTINGS,
        }

    def _set_fitted(self, params):
        """The fitted attributes from the codec's dict of the model.

        precisions_cholesky_ of diag and spherical and every precisions_
        are computed from the others as scikit-learn computes them
        (``_compute_precision_cholesky``, ``_set_parameters``)."""
        self._settings_ = {k: v for k, v in params.items() if not isinstance(v, np.ndarray)}
        self.weights_ = params["weights"]
        self.means_ = params["means"]
        self.covariances_ = params["covariances"]
        cov = params["covariance_type"]
        if cov in ("full", "tied"):
            self.precisions_cholesky_ = params["precisions_cholesky"]
        else:
            self.precisions_cholesky_ = 1.0 / np.sqrt(self.covariances_)
        if cov == "full":
            self.precisions_ = np.empty_like(self.precisions_cholesky_)
            for k, prec_chol in enumerate(self.precisions_cholesky_):
                self.precisions_[k] = prec_chol @ prec_chol.T
        elif cov == "tied":
            self.precisions_ = self.precisions_cholesky_ @ self.precisions_cholesky_.T
        else:
            self.precisions_ = self.precisions_cholesky_**2

    def _params(self):
        """The model as the codec's dict, from the fitted attributes (so
        that, as in scikit-learn, the attributes are the model; attributes
        set by hand take part). The stored precision Cholesky factors of
        full and tied are used as they are, so a round trip is exact."""
        params = dict(self._settings_)
        params["weights"] = _validation.as_float64(self.weights_)
        params["means"] = _validation.as_float64(self.means_)
        params["covariances"] = _validation.as_float64(self.covariances_)
        if params["covariance_type"] in ("full", "tied"):
            params["precisions_cholesky"] = _validation.as_float64(self.precisions_cholesky_)
        return params

    # ------------------------------------------------------------------
    # Using a fitted model

    # partial_fit's hooks (_stepwise.py).
    def _initialise_on(self, X):
        self._fit(X, initialise_only=True)

    def _batch_rows(self, X, reset):
        return _validated(self, X, reset=reset)

    def _set_stepwise_params(self, params):
        self._set_fitted(params)

    def _checked(self, X):
        _compat.check_is_fitted(self)
        return _validated(self, X, reset=False)

    def score_samples(self, X):
        """The log-likelihood log p(x) of each row of X."""
        X = self._checked(X)
        return _core.registry_score_samples(self._params(), X)

    def score(self, X, y=None):
        """The mean log-likelihood of the rows of X."""
        return float(np.mean(self.score_samples(X)))

    def predict(self, X):
        """The most probable component of each row of X."""
        X = self._checked(X)
        return _core.registry_predict(self._params(), X)

    def predict_proba(self, X):
        """The posterior probability of each component for each row of X."""
        X = self._checked(X)
        return _core.registry_predict_proba(self._params(), X)

    def bic(self, X):
        """Bayesian information criterion of the model on X (lower is better)."""
        X = self._checked(X)
        return _core.registry_bic(self._params(), X)

    def aic(self, X):
        """Akaike information criterion of the model on X (lower is better)."""
        X = self._checked(X)
        return _core.registry_aic(self._params(), X)

    def _n_parameters(self):
        """The number of free parameters of the model."""
        return int(_core.registry_n_free_parameters(self._params()))

    def sample(self, n_samples=1):
        """Draw n_samples points; returns (X, y), y the component labels.

        As in scikit-learn, the draws are grouped by component and
        ``random_state`` seeds them (an int gives the same draws every call).
        """
        _compat.check_is_fitted(self)
        if n_samples < 1:
            raise ValueError(
                f"Invalid value for 'n_samples': {n_samples} . The sampling "
                "requires at least one sample."
            )
        seed = _validation.seed_from_random_state(self.random_state)
        X, y = _core.registry_sample(self._params(), int(n_samples), seed)
        order = np.argsort(y, kind="stable")
        return X[order], y[order]

    # ------------------------------------------------------------------
    # Model files

    def save(self, path):
        """Write the model to a JSON model file, as ``emkit fit -o`` does."""
        _compat.check_is_fitted(self)
        _core.registry_save(self._params(), os.fspath(path), _model_file.feature_names(self))

    # ------------------------------------------------------------------
    # Checks

    def _check_params(self):
        v = _validation
        v.check_int(self, "n_components", 1)
        v.check_options(self, "covariance_type", _COVARIANCE_TYPES)
        v.check_real(self, "tol", 0.0)
        v.check_real(self, "reg_covar", 0.0)
        v.check_int(self, "max_iter", 0)
        v.check_int(self, "n_init", 1)
        v.check_options(self, "init_params", tuple(INIT_METHODS))
        v.check_options(self, "accelerate", ("none", "squarem"))
        v.check_learning_decay(self, "learning_decay")
        v.check_bool(self, "average")
        v.check_random_state_param(self, "random_state")
        v.check_bool(self, "warm_start")
        v.check_verbose(self, "verbose")
        v.check_int(self, "verbose_interval", 1)
        v.check_n_jobs(self, "n_jobs")

    def _check_initial_parameters(self, n_features):
        k = self.n_components
        if self.weights_init is not None:
            w = _check_shape(self.weights_init, (k,), "weights")
            if np.any(w < 0.0) or np.any(w > 1.0):
                raise ValueError(
                    "The parameter 'weights' should be in the range [0, 1], but "
                    # scikit-learn's wording, values in its order
                    f"got max value {np.min(w):.5f}, min value {np.max(w):.5f}"
                )
            if not np.allclose(np.abs(1.0 - np.sum(w)), 0.0):
                raise ValueError(
                    "The parameter 'weights' should be normalized, but got "
                    f"sum(weights) = {np.sum(w):.5f}"
                )
        if self.means_init is not None:
            _check_shape(self.means_init, (k, n_features), "means")
        if self.precisions_init is not None:
            shapes = {
                "full": (k, n_features, n_features),
                "tied": (n_features, n_features),
                "diag": (k, n_features),
                "spherical": (k,),
            }
            p = _check_shape(
                self.precisions_init, shapes[self.covariance_type],
                f"{self.covariance_type} precision",
            )
            if self.covariance_type in ("diag", "spherical"):
                if np.any(p <= 0.0):
                    raise ValueError(
                        f"'{self.covariance_type} precision' should be positive"
                    )
            else:
                matrices = p if p.ndim == 3 else p[np.newaxis]
                for m in matrices:
                    if not (np.allclose(m, m.T) and np.all(np.linalg.eigvalsh(m) > 0.0)):
                        raise ValueError(
                            f"'{self.covariance_type} precision' should be "
                            "symmetric, positive-definite"
                        )


_validated = _validation.validate_rows


def _check_shape(value, shape, name):
    array = np.asarray(value, dtype=np.float64)
    if array.shape != shape:
        raise ValueError(
            f"The parameter '{name}' should have the shape of {shape}, but got "
            f"{array.shape}"
        )
    return array
