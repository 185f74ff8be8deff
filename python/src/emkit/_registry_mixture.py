"""The scikit-learn mixture interface over any family of emkit's model
registry. A family's class names its registry family and declares its
options as keyword arguments (named as in the family's option table, which
``_core.registry_family_options`` lists); its fitted parameter arrays become
attributes named after the parameter codec's keys with a trailing ``_``
(``mean_directions_``, ``concentrations_``). Fits, predictions, samples and
model files all go through the same core functions, whatever the
family."""

import os
import warnings

import numpy as np

from . import _checkpoint, _compat, _core, _model_file, _validation
from ._report import FitReport
from ._stepwise import StepwiseMixin

# The settings of a parameter dict that are not arrays of the family.
_STRUCTURE_KEYS = ("model", "n_components", "weights")


class RegistryMixture(StepwiseMixin, _compat.DensityMixin, _compat.BaseEstimator):
    _family = None  # the registry's family name ("vmf")
    # Options of the family's table that the class fixes rather than takes
    # as keywords: {name: value}.
    _fixed_options = {}
    # The dtype of sampled rows (None: float64).
    _sample_dtype = None

    def _init(self, n_components, tol, max_iter, n_init, init_params, random_state,
              warm_start, verbose, accelerate, learning_decay=0.6, average=False):
        self.accelerate = accelerate
        # partial_fit's (stepwise EM): the step sizes' exponent, and whether
        # the reported parameters are the average over the steps.
        self.learning_decay = learning_decay
        self.average = average
        self.n_components = n_components
        self.tol = tol
        self.max_iter = max_iter
        self.n_init = n_init
        self.init_params = init_params
        self.random_state = random_state
        self.warm_start = warm_start
        self.verbose = verbose

    @classmethod
    def _option_table(cls):
        return [entry for entry in _core.registry_family_options(cls._family)
                if entry[0] not in cls._fixed_options]

    def _family_options(self):
        options = {name: getattr(self, name) for name, _, _, _ in self._option_table()}
        return options | self._fixed_options

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
        v.check_options(self, "accelerate", ["none", "squarem"])
        v.check_learning_decay(self, "learning_decay")
        v.check_bool(self, "average")
        for name, _, _, choices in self._option_table():
            if choices:
                v.check_options(self, name, list(choices))
            else:
                v.check_real(self, name, 0.0)

    # The model as the codec's dict, from the fitted attributes (so that
    # attributes set by hand take part).
    def _params(self):
        params = dict(self._settings_)
        params["weights"] = _validation.as_float64(self.weights_)
        for key in self._array_keys_:
            params[key] = _validation.as_float64(getattr(self, key + "_"))
        return params

    def _set_params_from(self, params):
        self._settings_ = {k: v for k, v in params.items() if not isinstance(v, np.ndarray)}
        self._array_keys_ = [k for k, v in params.items()
                             if isinstance(v, np.ndarray) and k not in _STRUCTURE_KEYS]
        self.weights_ = params["weights"]
        for key in self._array_keys_:
            setattr(self, key + "_", params[key])

    def fit(self, X, y=None, *, checkpoint=None, checkpoint_every=10.0, resume=None):
        """Fits the mixture by EM (n_init restarts; with warm_start, one run
        from the previous fit). Returns self.

        ``checkpoint`` (a path) saves the fit's progress every
        ``checkpoint_every`` seconds (0: after every iteration) and when
        Ctrl-C interrupts it; ``resume`` (a path) continues the fit saved
        there, with the same X and the same parameters that shape the
        result (ValueError naming the first that differs), to the very
        result of a fit never interrupted. Both are the command's
        checkpoint files (``emkit fit --checkpoint/--resume``)."""
        self._fit_predict(X, checkpoint, checkpoint_every, resume)
        return self

    def fit_predict(self, X, y=None, *, checkpoint=None, checkpoint_every=10.0, resume=None):
        """Fits and returns the most probable component of each row of X;
        ``checkpoint``, ``checkpoint_every`` and ``resume`` are those of
        ``fit``."""
        return self._fit_predict(X, checkpoint, checkpoint_every, resume)

    def _checkpoint_settings(self, X, warm, seed):
        """The command's settings of this fit (emkit fit --model FAMILY),
        and for a warm start the parameters it starts from, which only
        Python continues."""
        family = self._family_options()
        settings = {
            "command": "python fit" if warm else "fit",
            "model": self._family,
            "n_components": int(self.n_components),
            # The command keeps a covariance type for every model.
            "covariance": "full",
            "init": "kmeans++" if self.init_params in ("kmeans", "k-means++")
                    else self.init_params,
            "init_model": None,
            "n_init": 1 if warm else int(self.n_init),
            "max_iter": int(self.max_iter),
            "tol": float(self.tol),
            "seed": seed,
            "accelerate": self.accelerate,
            **{name: value if isinstance(value, str) else float(value)
               for name, value in family.items()},
            "dtype": _checkpoint.dtype_setting(X),
            **_checkpoint.DATA_SETTINGS,
        }
        if warm:
            settings["warm_model"] = {
                key: _checkpoint.array_setting(value) for key, value in self._params().items()
                if isinstance(value, np.ndarray)}
        labels = {"model": "the estimator", "n_components": "n_components",
                  "init": "init_params", "init_model": "the command's --init-model",
                  "warm_model": "warm_start", "n_init": "n_init", "max_iter": "max_iter",
                  "tol": "tol", "seed": "random_state", "accelerate": "accelerate"}
        labels.update({name: name for name in family})
        labels["dtype"] = "the dtype of X"
        return settings, labels

    def _fit_predict(self, X, checkpoint=None, checkpoint_every=10.0, resume=None,
                     initialise_only=False):
        """The fit; with initialise_only, its start alone (no EM iteration),
        which partial_fit's first batch takes."""
        self._check_params()
        if not initialise_only:
            self._forget_stepwise_run()
        # float32 rows stay float32 (the fit holds them as they are).
        X = _validation.validate_rows(self, X, reset=True)
        if X.shape[0] < self.n_components:
            raise ValueError(
                "Expected n_samples >= n_components but got n_components = "
                f"{self.n_components}, n_samples = {X.shape[0]}")
        warm = self.warm_start and hasattr(self, "weights_")
        settings, labels = self._checkpoint_settings(
            X, warm, _checkpoint.seed(self.random_state, resume))
        request, settings = _checkpoint.plan(
            settings, labels, ("fit", "python fit"), checkpoint, checkpoint_every, resume,
            _checkpoint.feature_names(self))
        options = {
            "n_components": int(self.n_components),
            "init": self.init_params,
            "max_iter": 0 if initialise_only else int(self.max_iter),
            "tol": float(self.tol),
            "n_init": 1 if warm else int(self.n_init),
            "seed": settings["seed"],
            "accelerate": self.accelerate,
            "family_options": self._family_options(),
            # The estimator's current options, as scikit-learn's warm start
            # keeps the parameters but not the settings of the last fit.
            "warm": (self._params() | self._family_options()) if warm else None,
        }
        if self.verbose:
            options["callback"] = lambda it, ll: print(
                f"  Iteration {it}\t mean log-likelihood {ll:.8f}", flush=True)
        params, report_json, brief, full = _core.registry_fit(self._family, X, options,
                                                              request)
        report = FitReport._from_core(report_json, brief, full)
        if not report.usable:
            raise ValueError(f"Fitting the mixture model failed ({report.message})")
        self._set_params_from(params)
        self.converged_ = report.converged
        self.n_iter_ = report.n_iter
        self.lower_bound_ = report.mean_log_likelihood
        self.lower_bounds_ = report.best.mean_log_likelihoods
        self.report_ = report
        if initialise_only:
            return None
        if not self.converged_ and self.max_iter > 0:
            warnings.warn("Best performing initialization did not converge. Try "
                          "different init parameters, or increase max_iter, tol, "
                          "or check for degenerate data.", _compat.ConvergenceWarning)
        return _core.registry_predict(self._params(), X)

    # partial_fit's hooks (_stepwise.py).
    def _initialise_on(self, X):
        self._fit_predict(X, initialise_only=True)

    def _batch_rows(self, X, reset):
        return _validation.validate_rows(self, X, reset=reset)

    def _set_stepwise_params(self, params):
        self._set_params_from(params)

    def _checked(self, X):
        _compat.check_is_fitted(self)
        return _validation.validate_rows(self, X, reset=False)

    def predict_proba(self, X):
        """Posterior probability of each component for each row, n x K."""
        X = self._checked(X)
        return _core.registry_predict_proba(self._params(), X)

    def predict(self, X):
        """The most probable component of each row (ties: the lowest index)."""
        X = self._checked(X)
        return _core.registry_predict(self._params(), X)

    def score_samples(self, X):
        """log p(x) of each row."""
        X = self._checked(X)
        return _core.registry_score_samples(self._params(), X)

    def score(self, X, y=None):
        """Mean log-likelihood of the rows of X."""
        return float(self.score_samples(X).mean())

    def _n_parameters(self):
        return int(_core.registry_n_free_parameters(self._params()))

    def bic(self, X):
        """Bayesian information criterion: -2 log L + p log n."""
        X = self._checked(X)
        return _core.registry_bic(self._params(), X)

    def aic(self, X):
        """Akaike information criterion: -2 log L + 2 p."""
        X = self._checked(X)
        return _core.registry_aic(self._params(), X)

    def sample(self, n_samples=1):
        """(X, y): n_samples rows and their components, drawn with emkit's
        generator seeded by ``random_state``, grouped by component."""
        _compat.check_is_fitted(self)
        if n_samples < 1:
            raise ValueError(
                f"Invalid value for 'n_samples': {n_samples} . The sampling "
                "requires at least one sample.")
        seed = _validation.seed_from_random_state(self.random_state)
        X, y = _core.registry_sample(self._params(), int(n_samples), seed)
        order = np.argsort(y, kind="stable")
        X = X[order]
        return (X if self._sample_dtype is None else X.astype(self._sample_dtype)), y[order]

    def save(self, path):
        """Write the model to a JSON model file, as ``emkit fit -o`` does
        (``emkit predict``, ``score`` and ``sample`` read it; ``emkit.load``
        reads it back exactly)."""
        _compat.check_is_fitted(self)
        _core.registry_save(self._params(), os.fspath(path),
                            _model_file.feature_names(self))

    @classmethod
    def _from_params(cls, params, names, path="parameters"):
        for name, value in cls._fixed_options.items():
            if params.get(name, value) != value:
                raise ValueError(f"{path}: {cls.__name__} reads {cls._family} mixtures of "
                                 f"{name} {value!r} only, not {params[name]!r}")
        options = {name: params[name] for name, _, _, _ in cls._option_table()
                   if name in params}
        model = cls(n_components=int(params["n_components"]), **options)
        model._set_params_from(params)
        model.n_features_in_ = int(params["n_features"] if "n_features" in params else
                                   np.shape(params[model._array_keys_[0]])[-1])
        if names:
            model.feature_names_in_ = np.asarray(names, dtype=object)
        model.converged_ = False
        model.n_iter_ = 0
        model.lower_bound_ = -np.inf
        model.lower_bounds_ = np.empty(0)
        model.report_ = None
        return model
