"""Hidden Markov models with hmmlearn's interface: ``GaussianHMM``,
``GMMHMM``, ``CategoricalHMM`` and ``PoissonHMM``, fitted by Baum-Welch in emkit's C++
engine.

The classes take hmmlearn's constructor parameters (its Gaussian priors at
their neutral values only; see docs/python.md), hold the same fitted attributes (``startprob_``,
``transmat_``, ``means_``, ``covars_``, ``weights_``, ``emissionprob_``, ``lambdas_``,
``n_features``, ``monitor_``) and offer the same methods (``fit(X, lengths)``,
``score``, ``score_samples``, ``predict``, ``predict_proba``, ``decode``,
``sample``), so hmmlearn code switches by changing the import.

Beyond hmmlearn's parameters, ``accelerate="squarem"`` runs monotone
SQUAREM (fewer E-steps on slowly converging fits; ``report_`` counts them),
and float32 arrays are taken as they are.
"""

import os

import numpy as np

from . import _checkpoint, _compat, _core, _model_file, _validation
from ._report import FitReport

_DECODERS = ("viterbi", "map")

# Parameters that do not shape a fit's result: a resumed fit may change them.
_PER_RUN = ("algorithm", "implementation", "verbose", "random_state")


class ConvergenceMonitor:
    """hmmlearn's ``monitor_``: the total log-likelihood of the parameters
    before every M-step (``history``), the number of iterations and whether
    EM converged (or ran all ``n_iter`` iterations, as hmmlearn counts it)."""

    def __init__(self, tol, n_iter, verbose, history=(), iter=0, converged_by_tol=False):
        self.tol = tol
        self.n_iter = n_iter
        self.verbose = verbose
        self.history = list(history)
        self.iter = iter
        self._converged_by_tol = converged_by_tol

    @property
    def converged(self):
        return self._converged_by_tol or self.iter == self.n_iter

    def __repr__(self):
        return (f"ConvergenceMonitor(history={self.history!r}, iter={self.iter}, "
                f"n_iter={self.n_iter}, tol={self.tol}, converged={self.converged})")


def _check_lengths(lengths, n_samples):
    if lengths is None:
        return [n_samples]
    lengths = np.asarray(lengths)
    if lengths.ndim != 1 or (lengths.size and lengths.dtype.kind not in "iu"):
        raise ValueError("lengths must be a 1-D array of integers")
    if lengths.sum() != n_samples:
        raise ValueError(
            f"lengths array {lengths} doesn't sum to {n_samples} samples")
    return [int(n) for n in lengths]


class _BaseHMM(_compat.BaseEstimator):
    """What every emission family shares: the chain, the EM loop in C++,
    decoding and sampling."""


    def __init__(self, n_components=1, startprob_prior=1.0, transmat_prior=1.0,
                 algorithm="viterbi", random_state=None,
                 n_iter=10, tol=1e-2, verbose=False, params="st", init_params="st",
                 implementation="log", accelerate="none"):
        self.n_components = n_components
        self.startprob_prior = startprob_prior
        self.transmat_prior = transmat_prior
        self.algorithm = algorithm
        self.random_state = random_state
        self.n_iter = n_iter
        self.tol = tol
        self.verbose = verbose
        self.params = params
        self.init_params = init_params
        self.implementation = implementation
        self.accelerate = accelerate

    # --- What a family provides ---

    def _family(self):
        """The model's name in checkpoints ("diag", "categorical", ...)."""
        raise NotImplementedError

    def _emission_name(self):
        """The emission family's name in the model registry ("gaussian", ...)."""
        raise NotImplementedError

    def _emission_settings(self):
        """The family's settings, by their keys in its parameter codec."""
        return {}

    def _emission_arrays(self):
        """The family's arrays, by their keys in its parameter codec."""
        raise NotImplementedError

    def _emission_priors(self):
        """The family's prior arrays, by their keys in its parameter codec."""
        return {}

    def _prior(self, name, shape, value=None):
        """Parameter `name` (a scalar or an array; `value` when given) as a
        C-contiguous float64 array of `shape`; ValueError naming it when it
        does not broadcast or has a value that is negative or not finite."""
        value = getattr(self, name) if value is None else value
        try:
            a = np.broadcast_to(np.asarray(value, dtype=np.float64), shape)
        except (ValueError, TypeError):
            raise ValueError(f"{name} must be a scalar or an array that broadcasts to "
                             f"shape {shape}, got {np.shape(value)}") from None
        if not (np.isfinite(a).all() and (a >= 0).all()):
            raise ValueError(f"{name} must be finite and >= 0, got {value!r}")
        return np.ascontiguousarray(a)

    def _chain_priors(self):
        k = self.n_components
        return {"startprob_prior": self._prior("startprob_prior", (k,)),
                "transmat_prior": self._prior("transmat_prior", (k, k))}

    def _set_emission_arrays(self, p):
        """Sets the fitted attributes from a parameter codec dict."""
        raise NotImplementedError

    def _check_X(self, X, fitting):
        """X as C-contiguous (n_samples, n_features), float32 when it is a
        float32 array (fitted and scored as the float64 rows of the same
        values), else float64; sets n_features."""
        X = np.asarray(X)
        if X.ndim != 2:
            raise ValueError(
                f"Expected 2D array, got {X.ndim}D array instead. Reshape your "
                "data using array.reshape(-1, 1) for a single feature.")
        if X.shape[0] < 1 or X.shape[1] < 1:
            raise ValueError(f"Found array with shape {X.shape}; need at least "
                             "one sample and one feature.")
        if X.dtype.kind not in "fiub":
            X = X.astype(np.float64)
        if not np.isfinite(X).all():
            raise ValueError("Input X contains NaN or infinity.")
        if fitting:
            self.n_features = X.shape[1]
        return _rows(X)

    def _init_emissions(self, X, needs):
        """Initial emission parameters from X; returns True when the engine
        initialises them itself."""
        raise NotImplementedError

    # --- Parameters ---

    def _needs_init(self, code, name):
        return code in self.init_params or not hasattr(self, name)

    def _core_params(self, emissions=True):
        """The model as its parameter codec's dict (emkit/model_registry.h),
        the emission arrays left out when not `emissions`."""
        p = {"model": "hmm", "emission": self._emission_name(),
             "startprob": _validation.as_float64(self.startprob_),
             "transmat": _validation.as_float64(self.transmat_)}
        k = self.n_components
        if p["startprob"].shape != (k,):
            raise ValueError(f"startprob_ must have shape ({k},), got "
                             f"{p['startprob'].shape}")
        if p["transmat"].shape != (k, k):
            raise ValueError(f"transmat_ must have shape ({k}, {k}), got "
                             f"{p['transmat'].shape}")
        if not np.allclose(p["startprob"].sum(), 1.0):
            raise ValueError(f"startprob_ must sum to 1 (got {p['startprob'].sum():.4f})")
        if not np.allclose(p["transmat"].sum(axis=1), 1.0):
            raise ValueError("rows of transmat_ must sum to 1 "
                             f"(got {p['transmat'].sum(axis=1)})")
        p.update(self._emission_settings())
        if emissions:
            p.update({name: _validation.as_float64(a)
                      for name, a in self._emission_arrays().items()})
        return p

    def _check_params(self):
        v = _validation
        v.check_int(self, "n_components", 1)
        v.check_int(self, "n_iter", 0)
        v.check_real(self, "tol", -np.inf)
        v.check_options(self, "algorithm", list(_DECODERS))
        v.check_options(self, "accelerate", ["none", "squarem"])
        v.check_random_state_param(self, "random_state")
        for name in ("params", "init_params"):
            if not isinstance(getattr(self, name), str):
                raise ValueError(f"{name} must be a string of parameter letters")

    def _check_fitted(self):
        if not hasattr(self, "startprob_"):
            raise _compat.NotFittedError(
                f"This {type(self).__name__} instance is not fitted yet. Call "
                "'fit' with appropriate arguments before using this estimator.")
        if getattr(self, "n_features", None) is None:
            # Parameters set by hand: the last axis of the emission means,
            # rates or symbol probabilities.
            code, name = self._family_names()[0]
            if hasattr(self, name):
                self.n_features = int(np.shape(getattr(self, name))[-1])

    def _call(self, function, X, lengths):
        self._check_fitted()
        X = self._check_X(X, fitting=False)
        return function(self._core_params(), X, _check_lengths(lengths, X.shape[0]))

    # --- hmmlearn's methods ---

    def fit(self, X, lengths=None, *, checkpoint=None, checkpoint_every=10.0, resume=None):
        """Baum-Welch on the sequences of X (rows concatenated; ``lengths``
        their lengths, None for one sequence). Returns self.

        ``checkpoint`` (a path) saves the fit's progress every
        ``checkpoint_every`` seconds (0: after every iteration) and when
        Ctrl-C interrupts it; ``resume`` (a path) continues the fit saved
        there, with the same X, lengths, parameters and initial parameters
        (ValueError naming the first that differs), to the very result of a
        fit never interrupted. Priors other than the neutral ones and
        ``params`` that keep a parameter fixed cannot be checkpointed (model
        files hold neither)."""
        self._check_params()
        X = self._check_X(X, fitting=True)
        lengths = _check_lengths(lengths, X.shape[0])
        if checkpoint is not None or resume is not None:
            self._check_checkpointable()
        k = self.n_components
        if self._needs_init("s", "startprob_"):
            self.startprob_ = np.full(k, 1.0 / k)
        if self._needs_init("t", "transmat_"):
            self.transmat_ = np.full((k, k), 1.0 / k)
        engine_init = self._init_emissions(
            X, any(self._needs_init(c, n) for c, n in self._family_names()))
        options = {
            "max_iter": int(self.n_iter),
            # hmmlearn's tol is on the total log-likelihood, emkit's on its
            # mean per time step.
            "tol": max(float(self.tol), 0.0) / X.shape[0],
            "seed": _checkpoint.seed(self.random_state, resume),
            "fit": self.params,
            "accelerate": self.accelerate,
            "init_emissions": engine_init,
            **self._chain_priors(),
        }
        initial = self._core_params(emissions=not engine_init)
        settings, labels = self._checkpoint_settings(X, lengths, options["seed"], initial)
        request, settings = _checkpoint.plan(
            settings, labels, ("python hmm fit",), checkpoint, checkpoint_every, resume,
            _checkpoint.feature_names(self))
        options["seed"] = settings["seed"]
        if self.verbose:
            options["callback"] = self._print_iteration(X.shape[0])
        params, report_json, brief, full = _core.hmm_fit(
            {**initial, **self._emission_priors()}, X, lengths, options, request)
        report = FitReport._from_core(report_json, brief, full)
        if not report.usable:
            raise ValueError(f"Fitting the HMM failed ({report.message})")
        self.startprob_ = params["startprob"]
        self.transmat_ = params["transmat"]
        self._set_emission_arrays(params)
        n = X.shape[0]
        best = report.best
        history = [float(best.initial_mean_log_likelihood * n)]
        history += [float(v * n) for v in best.mean_log_likelihoods[:-1]]
        self.monitor_ = ConvergenceMonitor(self.tol, self.n_iter, self.verbose,
                                           history, report.n_iter, report.converged)
        self.report_ = report
        return self

    def _check_checkpointable(self):
        letters = set(self.params)
        k = self.n_components
        neutral = ((self._prior("startprob_prior", (k,)) == 1.0).all()
                   and (self._prior("transmat_prior", (k, k)) == 1.0).all())
        if not ({"s", "t"} <= letters and letters - {"s", "t"}):
            raise ValueError(f"params={self.params!r} keeps parameters fixed, which a "
                             "checkpoint cannot hold (model files do not store it); "
                             "checkpoints need every parameter's letter in params")
        if not neutral or self._emission_priors():
            raise ValueError("a checkpoint cannot hold priors other than the neutral ones "
                             "(model files do not store them)")

    def _checkpoint_settings(self, X, lengths, seed, initial):
        """What a checkpoint of this fit keeps (as ``"python hmm fit"``: the
        command's HMMs start otherwise), and the parameter of each setting."""
        count, checksum = _core.lengths_fingerprint(lengths, X.shape[0])
        settings = {"command": "python hmm fit", "model": self._family()}
        settings.update({name: _checkpoint.json_value(value)
                         for name, value in self.get_params(deep=False).items()
                         if name not in _PER_RUN})
        settings["seed"] = seed
        settings["dtype"] = _checkpoint.dtype_setting(X)
        # Drawn from random_state, or set by hand (init_params).
        settings["initial"] = (_checkpoint.FROM_CHECKPOINT
                               if seed is _checkpoint.FROM_CHECKPOINT else
                               {key: _checkpoint.json_value(value)
                                for key, value in initial.items()})
        settings["sequences"] = {"count": count, "checksum": checksum}
        labels = {key: key for key in settings if key != "command"}
        labels.update({"model": "the estimator", "seed": "random_state",
                       "initial": "the initial parameters: init_params, random_state and "
                                  "the attributes it keeps",
                       "sequences": "lengths"})
        return settings, labels

    def _print_iteration(self, n):
        def callback(iteration, mean_log_likelihood):
            print(f"{iteration:10d} {mean_log_likelihood * n:16.8f}", flush=True)
        return callback

    def score(self, X, lengths=None):
        """Total log-likelihood of the sequences of X."""
        return float(self._call(_core.hmm_score, X, lengths).sum())

    def score_samples(self, X, lengths=None):
        """(total log-likelihood, posterior state probabilities n x K)."""
        return self.score(X, lengths), self.predict_proba(X, lengths)

    def predict_proba(self, X, lengths=None):
        """Posterior probability of each state at each step, n x K."""
        return self._call(_core.hmm_predict_proba, X, lengths)

    def decode(self, X, lengths=None, algorithm=None):
        """(log probability, states): "viterbi" gives the most probable path
        and its log p(X, Z); "map" the most probable state of each step and,
        as hmmlearn, the sum of their posterior probabilities."""
        algorithm = self.algorithm if algorithm is None else algorithm
        if algorithm not in _DECODERS:
            raise ValueError(f"Unknown decoder {algorithm!r}")
        if algorithm == "viterbi":
            return self._call(_core.hmm_viterbi, X, lengths)
        posteriors = self.predict_proba(X, lengths)
        return float(posteriors.max(axis=1).sum()), posteriors.argmax(axis=1)

    def predict(self, X, lengths=None):
        """The decoded states (``algorithm``)."""
        return self.decode(X, lengths)[1]

    def sample(self, n_samples=1, random_state=None):
        """(X, Z): one sequence of n_samples steps and its hidden states.
        Drawn with emkit's generator, seeded by ``random_state`` (or the
        estimator's; an int gives the same draws every call)."""
        self._check_fitted()
        if random_state is None:
            random_state = self.random_state
        seed = _validation.seed_from_random_state(random_state)
        X, Z = _core.hmm_sample(self._core_params(), int(n_samples), seed)
        return self._sampled(X), Z

    def _sampled(self, X):
        return X

    # --- Model files ---

    def save(self, path):
        """Write the model to a JSON model file, as ``emkit hmm fit -o`` does
        (``emkit hmm decode``, ``score`` and ``sample`` read it;
        ``emkit.load`` reads it back exactly)."""
        self._check_fitted()
        _core.registry_save(self._core_params(), os.fspath(path),
                            _model_file.feature_names(self))

    @classmethod
    def _from_params(cls, params, names):
        """The estimator of a loaded model file (its codec dict); init_params
        is "" so that a later fit starts from these parameters."""
        model = cls(n_components=len(params["startprob"]), init_params="",
                    **cls._file_options(params))
        model.startprob_ = params["startprob"]
        model.transmat_ = params["transmat"]
        model.n_features = int(params["n_categories"] if "n_categories" in params
                               else params["n_features"])
        model._set_emission_arrays(params)
        if names:
            # Kept so that saving again writes them back.
            model.feature_names_in_ = np.asarray(names, dtype=object)
        return model

    def get_stationary_distribution(self):
        """The stationary distribution of the chain (left eigenvector of
        transmat_ for eigenvalue 1)."""
        self._check_fitted()
        eigvals, eigvecs = np.linalg.eig(np.asarray(self.transmat_).T)
        v = np.real(eigvecs[:, np.argmax(np.real(eigvals))])
        return v / v.sum()


def _rows(X):
    """X as C-contiguous float32 when it is float32, else float64."""
    dtype = np.float32 if X.dtype == np.float32 else np.float64
    return np.ascontiguousarray(X, dtype=dtype)


def _fill_covars(covars, covariance_type, n_components, n_features):
    covars = np.asarray(covars)
    if covariance_type == "full":
        return covars
    if covariance_type == "diag":
        return np.array([np.diag(c) for c in covars])
    if covariance_type == "tied":
        return np.tile(covars, (n_components, 1, 1))
    return np.array([np.eye(n_features) * c for c in covars])


def _require_neutral(estimator, neutral):
    """NotImplementedError for a Gaussian prior other than its neutral value:
    emkit's Gaussian M-step is the maximum-likelihood one."""
    for name, value in neutral.items():
        given = getattr(estimator, name)
        same = given is None if value is None else (
            given is not None and np.all(np.asarray(given, dtype=np.float64) == value))
        if not same:
            raise NotImplementedError(
                f"{type(estimator).__name__}: {name}={given!r} is not supported; emkit's "
                f"Gaussian M-step is the maximum-likelihood one, which is hmmlearn's with "
                f"{name}={value!r} (use reg_covar to regularise the covariances)")


class GaussianHMM(_BaseHMM):
    """HMM with Gaussian emissions, as ``hmmlearn.hmm.GaussianHMM``.

    ``covariance_type`` is "diag" (default), "full", "spherical" or "tied".
    ``covars_`` reads as (n_components, n_features, n_features) for every
    type and is set in the type's own shape (spherical (K,), diag (K, D),
    full (K, D, D), tied (D, D)), as in hmmlearn.

    Initialisation ("m" or "c" in ``init_params``, or no means_/covars_
    yet): emkit's k-means++ and Lloyd iterations on all rows give the means
    and each cluster's covariance. ``reg_covar`` is added to the variances
    after every M-step (and at initialisation); 0 gives the
    maximum-likelihood update, which is hmmlearn's with neutral priors.
    ``min_covar`` is accepted for compatibility and unused.
    """


    def __init__(self, n_components=1, covariance_type="diag", min_covar=1e-3,
                 startprob_prior=1.0, transmat_prior=1.0, means_prior=0.0,
                 means_weight=0.0, covars_prior=0.0, covars_weight=1.0,
                 reg_covar=1e-6, algorithm="viterbi", random_state=None, n_iter=10,
                 tol=1e-2, verbose=False, params="stmc", init_params="stmc",
                 implementation="log", accelerate="none"):
        self.means_prior = means_prior
        self.means_weight = means_weight
        self.covars_prior = covars_prior
        self.covars_weight = covars_weight
        super().__init__(n_components=n_components, startprob_prior=startprob_prior,
                         transmat_prior=transmat_prior, algorithm=algorithm,
                         random_state=random_state, n_iter=n_iter, tol=tol,
                         verbose=verbose, params=params, init_params=init_params,
                         implementation=implementation, accelerate=accelerate)
        self.covariance_type = covariance_type
        self.min_covar = min_covar
        self.reg_covar = reg_covar

    @property
    def covars_(self):
        return _fill_covars(self._covars_, self.covariance_type, self.n_components,
                            self.n_features)

    @covars_.setter
    def covars_(self, covars):
        self._covars_ = np.array(covars, dtype=np.float64)

    @staticmethod
    def _file_options(params):
        return {"covariance_type": str(params["covariance_type"]),
                "reg_covar": float(params["reg_covar"])}

    def _family_names(self):
        return (("m", "means_"), ("c", "_covars_"))

    def _family(self):
        return self.covariance_type

    def _emission_name(self):
        return "gaussian"

    def _emission_settings(self):
        return {"covariance_type": self.covariance_type, "reg_covar": float(self.reg_covar)}

    def _check_params(self):
        super()._check_params()
        _validation.check_options(self, "covariance_type",
                                  ["spherical", "tied", "diag", "full"])
        _validation.check_real(self, "reg_covar", 0.0)
        _require_neutral(self, {"means_weight": 0.0, "covars_prior": 0.0,
                                "covars_weight": 1.0})

    def _init_emissions(self, X, needs):
        return needs

    def _emission_arrays(self):
        k, d = self.n_components, self.n_features
        expected = {"spherical": (k,), "diag": (k, d), "full": (k, d, d),
                    "tied": (d, d)}[self.covariance_type]
        means = np.asarray(self.means_)
        if means.shape != (k, d):
            raise ValueError(f"means_ must have shape ({k}, {d}), got {means.shape}")
        if self._covars_.shape != expected:
            raise ValueError(f"'{self.covariance_type}' covars must have shape "
                             f"{expected}, got {self._covars_.shape}")
        return {"means": means, "covariances": self._covars_}

    def _set_emission_arrays(self, p):
        self.means_ = p["means"]
        self._covars_ = p["covariances"]


class CategoricalHMM(_BaseHMM):
    """HMM with categorical emissions, as ``hmmlearn.hmm.CategoricalHMM``.

    X is (n_samples, 1) of integer symbols in [0, n_features); n_features
    None takes the largest symbol + 1 at fit. ``emissionprob_`` is
    (n_components, n_features); initialised, as hmmlearn, by normalised
    uniform draws of ``random_state``. ``pseudo_count`` is added to every
    category's expected count in the M-step (0: maximum likelihood, which is
    hmmlearn's with emissionprob_prior=1).
    """


    def __init__(self, n_components=1, startprob_prior=1.0, transmat_prior=1.0, *,
                 emissionprob_prior=1.0, n_features=None, pseudo_count=1e-10,
                 algorithm="viterbi", random_state=None, n_iter=10, tol=1e-2,
                 verbose=False, params="ste", init_params="ste",
                 implementation="log", accelerate="none"):
        self.emissionprob_prior = emissionprob_prior
        super().__init__(n_components=n_components, startprob_prior=startprob_prior,
                         transmat_prior=transmat_prior, algorithm=algorithm,
                         random_state=random_state, n_iter=n_iter, tol=tol,
                         verbose=verbose, params=params, init_params=init_params,
                         implementation=implementation, accelerate=accelerate)
        self.n_features = n_features
        self.pseudo_count = pseudo_count

    @staticmethod
    def _file_options(params):
        return {"pseudo_count": float(params["pseudo_count"])}

    def _family_names(self):
        return (("e", "emissionprob_"),)

    def _family(self):
        return "categorical"

    def _emission_name(self):
        return "categorical"

    def _emission_settings(self):
        return {"categorical_layout": "symbols", "pseudo_count": float(self.pseudo_count)}

    def _check_params(self):
        super()._check_params()
        _validation.check_real(self, "pseudo_count", 0.0)

    def _emission_priors(self):
        prior = self._prior("emissionprob_prior", (self.n_components, self.n_features))
        # All ones is the maximum-likelihood M-step: dropped, as the chain's.
        return {} if (prior == 1.0).all() else {"dirichlet_prior": prior}

    def _check_X(self, X, fitting):
        X = np.asarray(X)
        if X.ndim != 2 or X.shape[1] != 1 or X.shape[0] < 1:
            raise ValueError(f"CategoricalHMM expects X of shape (n_samples, 1), "
                             f"got {X.shape}")
        if not (np.isfinite(X).all() and (X == np.round(X)).all() and X.min() >= 0):
            raise ValueError("Symbols should be nonnegative integers")
        if fitting:
            top = int(X.max())
            if self.n_features is None:
                self.n_features = top + 1
            elif top >= self.n_features:
                raise ValueError(f"Largest symbol is {top} but the model only "
                                 f"emits symbols up to {self.n_features - 1}")
        return _validation.as_float64(X)

    def _init_emissions(self, X, needs):
        if self._needs_init("e", "emissionprob_"):
            rs = np.random.RandomState(
                _validation.seed_from_random_state(self.random_state))
            p = rs.rand(self.n_components, self.n_features)
            self.emissionprob_ = p / p.sum(axis=1, keepdims=True)
        return False

    def _emission_arrays(self):
        e = np.asarray(self.emissionprob_)
        if e.shape != (self.n_components, self.n_features):
            raise ValueError(f"emissionprob_ must have shape "
                             f"({self.n_components}, {self.n_features}), got {e.shape}")
        return {"probabilities": e}

    def _set_emission_arrays(self, p):
        self.emissionprob_ = p["probabilities"]

    def _sampled(self, X):
        return X.astype(np.int64)


class PoissonHMM(_BaseHMM):
    """HMM with independent Poisson emissions per feature, as
    ``hmmlearn.hmm.PoissonHMM``. ``lambdas_`` is (n_components, n_features);
    initialised, as hmmlearn, from gamma draws matching the data's mean and
    variance. ``min_rate`` floors every rate after the M-step (0: maximum
    likelihood, hmmlearn's with lambdas_prior = lambdas_weight = 0).
    """


    def __init__(self, n_components=1, startprob_prior=1.0, transmat_prior=1.0,
                 lambdas_prior=0.0, lambdas_weight=0.0, min_rate=1e-10,
                 algorithm="viterbi", random_state=None, n_iter=10, tol=1e-2,
                 verbose=False, params="stl", init_params="stl", implementation="log",
                 accelerate="none"):
        self.lambdas_prior = lambdas_prior
        self.lambdas_weight = lambdas_weight
        super().__init__(n_components=n_components, startprob_prior=startprob_prior,
                         transmat_prior=transmat_prior, algorithm=algorithm,
                         random_state=random_state, n_iter=n_iter, tol=tol,
                         verbose=verbose, params=params, init_params=init_params,
                         implementation=implementation, accelerate=accelerate)
        self.min_rate = min_rate

    @staticmethod
    def _file_options(params):
        return {"min_rate": float(params["min_rate"])}

    def _family_names(self):
        return (("l", "lambdas_"),)

    def _family(self):
        return "poisson"

    def _emission_name(self):
        return "poisson"

    def _emission_settings(self):
        return {"min_rate": float(self.min_rate)}

    def _check_params(self):
        super()._check_params()
        _validation.check_real(self, "min_rate", 0.0)

    def _emission_priors(self):
        # hmmlearn documents lambdas_prior and lambdas_weight per state
        # (n_components,); an array of that shape applies to every feature.
        shape = (self.n_components, self.n_features)
        out = {}
        for name, key in (("lambdas_prior", "prior_sums"), ("lambdas_weight", "prior_weights")):
            value = np.asarray(getattr(self, name), dtype=np.float64)
            if value.shape == (self.n_components,):
                value = value[:, None]
            out[key] = self._prior(name, shape, value)
        # All zeros is the maximum-likelihood M-step: dropped, as the chain's.
        return out if any((a != 0.0).any() for a in out.values()) else {}

    def _check_X(self, X, fitting):
        X = super()._check_X(X, fitting)
        if not ((X == np.round(X)).all() and X.min() >= 0):
            raise ValueError("PoissonHMM features must be non-negative integers (counts)")
        return X

    def _init_emissions(self, X, needs):
        if self._needs_init("l", "lambdas_"):
            rs = np.random.RandomState(
                _validation.seed_from_random_state(self.random_state))
            # In float64 for float32 rows too: the start of the float64 fit.
            mean, var = X.mean(dtype=np.float64), max(X.var(dtype=np.float64), 1e-10)
            mean = max(mean, 1e-10)
            self.lambdas_ = rs.gamma(shape=mean ** 2 / var, scale=var / mean,
                                     size=(self.n_components, self.n_features))
        return False

    def _emission_arrays(self):
        lam = np.asarray(self.lambdas_)
        if lam.shape != (self.n_components, self.n_features):
            raise ValueError(f"lambdas_ must have shape "
                             f"({self.n_components}, {self.n_features}), got {lam.shape}")
        return {"rates": lam}

    def _set_emission_arrays(self, p):
        self.lambdas_ = p["rates"]

    def _sampled(self, X):
        return X.astype(np.int64)


class GMMHMM(_BaseHMM):
    """HMM whose states emit Gaussian mixtures, as ``hmmlearn.hmm.GMMHMM``.

    ``weights_`` is (n_components, n_mix), ``means_`` (n_components, n_mix,
    n_features), ``covars_`` (n_components, n_mix) spherical, (n_components,
    n_mix, n_features) diag, (n_components, n_mix, n_features, n_features)
    full, (n_components, n_features, n_features) tied (one covariance per
    state, shared by its n_mix Gaussians, as in hmmlearn).

    The M-step is the maximum-likelihood one: covariances are taken about
    the re-estimated means (hmmlearn takes them about the E-step's means, so
    its covariances differ by the outer product of the mean update).
    Initialisation ("m", "c" or "w" in ``init_params``): means at
    n_components * n_mix distinct rows drawn with ``random_state``,
    covariances the data's plus ``min_covar``, uniform weights.
    ``reg_covar`` is added to the variances after every M-step.
    """


    def __init__(self, n_components=1, n_mix=1, min_covar=1e-3, startprob_prior=1.0,
                 transmat_prior=1.0, weights_prior=1.0, means_prior=0.0,
                 means_weight=0.0, covars_prior=None, covars_weight=None,
                 reg_covar=1e-6, algorithm="viterbi", covariance_type="diag",
                 random_state=None, n_iter=10, tol=1e-2, verbose=False, params="stmcw",
                 init_params="stmcw", implementation="log", accelerate="none"):
        self.weights_prior = weights_prior
        self.means_prior = means_prior
        self.means_weight = means_weight
        self.covars_prior = covars_prior
        self.covars_weight = covars_weight
        super().__init__(n_components=n_components, startprob_prior=startprob_prior,
                         transmat_prior=transmat_prior, algorithm=algorithm,
                         random_state=random_state, n_iter=n_iter, tol=tol,
                         verbose=verbose, params=params, init_params=init_params,
                         implementation=implementation, accelerate=accelerate)
        self.n_mix = n_mix
        self.min_covar = min_covar
        self.reg_covar = reg_covar
        self.covariance_type = covariance_type

    @staticmethod
    def _file_options(params):
        return {"covariance_type": str(params["covariance_type"]),
                "reg_covar": float(params["reg_covar"]),
                "n_mix": params["weights"].shape[1]}

    def _family_names(self):
        return (("m", "means_"), ("c", "covars_"), ("w", "weights_"))

    def _family(self):
        return "gmm-" + self.covariance_type

    def _emission_name(self):
        return "gaussian_mixture"

    def _emission_settings(self):
        return {"covariance_type": self.covariance_type, "reg_covar": float(self.reg_covar),
                "n_mix": int(self.n_mix)}

    def _check_params(self):
        super()._check_params()
        _require_neutral(self, {"weights_prior": 1.0, "means_weight": 0.0,
                                "covars_prior": None, "covars_weight": None})
        _validation.check_int(self, "n_mix", 1)
        _validation.check_options(self, "covariance_type",
                                  ["spherical", "diag", "full", "tied"])
        _validation.check_real(self, "reg_covar", 0.0)
        _validation.check_real(self, "min_covar", 0.0)

    def _shapes(self):
        k, m, d = self.n_components, self.n_mix, self.n_features
        return {"weights": (k, m), "means": (k, m, d),
                "covars": {"spherical": (k, m), "diag": (k, m, d),
                           "full": (k, m, d, d), "tied": (k, d, d)}[self.covariance_type]}

    def _init_emissions(self, X, needs):
        k, m = self.n_components, self.n_mix
        n, d = X.shape
        rs = np.random.RandomState(_validation.seed_from_random_state(self.random_state))
        if self._needs_init("m", "means_"):
            rows = rs.choice(n, size=k * m, replace=n < k * m)
            self.means_ = X[rows].reshape(k, m, d).copy()
        if self._needs_init("c", "covars_"):
            cov = np.atleast_2d(np.cov(X.T)) + self.min_covar * np.eye(d)
            self.covars_ = {
                "spherical": lambda: np.full((k, m), np.mean(np.diag(cov))),
                "diag": lambda: np.tile(np.diag(cov), (k, m, 1)),
                "full": lambda: np.tile(cov, (k, m, 1, 1)),
                "tied": lambda: np.tile(cov, (k, 1, 1)),
            }[self.covariance_type]()
        if self._needs_init("w", "weights_"):
            self.weights_ = np.full((k, m), 1.0 / m)
        return False

    def _emission_arrays(self):
        arrays = {"weights": np.asarray(self.weights_), "means": np.asarray(self.means_),
                  "covars": np.asarray(self.covars_)}
        for name, shape in self._shapes().items():
            if arrays[name].shape != shape:
                raise ValueError(f"{name}_ must have shape {shape}, got "
                                 f"{arrays[name].shape}")
        # The codec's shapes: the n_components * n_mix Gaussians state-major,
        # a tied covariance per state.
        k, m, d = self.n_components, self.n_mix, self.n_features
        covars = arrays["covars"]
        if self.covariance_type != "tied":
            covars = covars.reshape((k * m,) + covars.shape[2:])
        return {"weights": arrays["weights"], "means": arrays["means"].reshape(k * m, d),
                "covariances": covars}

    def _set_emission_arrays(self, p):
        shapes = self._shapes()
        self.weights_ = p["weights"].reshape(shapes["weights"])
        self.means_ = p["means"].reshape(shapes["means"])
        self.covars_ = p["covariances"].reshape(shapes["covars"])
