"""The one table from the estimator's parameters to the engine's options.

Every constructor parameter of :class:`emkit.GaussianMixture` has a row here
naming the keys of the option dictionary it sets for ``emkit._core.fit`` and
how its value becomes theirs. The C++ side rejects unknown keys, and a test
checks that the rows cover every parameter and every key. The engine's
keys (max_iter, tol, n_init, seed, num_threads) are the names of its option
table, ``emkit._core.engine_options()`` (``FitOptions::Describe`` in C++),
whose defaults the estimators' defaults equal; a test checks both.
"""

from dataclasses import dataclass
from typing import Callable

from ._validation import as_float64, seed_from_random_state

# scikit-learn's init_params -> (emkit init method, Lloyd iterations after
# the k-means++ seeding). scikit-learn's "kmeans" runs KMeans (seeding +
# Lloyd, max_iter=300); its "k-means++" uses the seeds alone.
INIT_METHODS = {
    "kmeans": ("kmeans++", 300),
    "k-means++": ("kmeans++", 0),
    "random": ("random", None),
    "random_from_data": ("random_from_data", None),
}


def _num_threads(n_jobs):
    # None and -1: every core (results do not depend on the thread count);
    # -2: all but one, as joblib counts.
    if n_jobs is None:
        return 0
    if n_jobs < 0:
        import os

        return max(1, (os.cpu_count() or 1) + 1 + n_jobs)
    return n_jobs


def _optional_array(value):
    return None if value is None else as_float64(value)


@dataclass(frozen=True)
class Row:
    keys: tuple  # engine option keys this parameter sets
    convert: Callable  # (value, context) -> {key: value}
    meaning: str


PARAMETERS = {
    "n_components": Row(("n_components",), lambda v, c: {"n_components": int(v)},
                        "number of mixture components K"),
    "covariance_type": Row(("covariance_type",), lambda v, c: {"covariance_type": v},
                           "full, tied, diag or spherical"),
    "tol": Row(("tol",), lambda v, c: {"tol": float(v)},
               "convergence threshold on the mean log-likelihood gain"),
    "reg_covar": Row(("reg_covar",), lambda v, c: {"reg_covar": float(v)},
                     "added to the diagonal of every covariance"),
    "max_iter": Row(("max_iter",), lambda v, c: {"max_iter": int(v)},
                    "maximum M-steps per initialisation"),
    "n_init": Row(("n_init",), lambda v, c: {"n_init": int(v)},
                  "number of initialisations, the best kept"),
    "init_params": Row(
        ("init", "kmeans_max_iter"),
        lambda v, c: dict(zip(("init", "kmeans_max_iter"), INIT_METHODS[v])),
        "initialisation method"),
    "weights_init": Row(("initial_weights",),
                        lambda v, c: {"initial_weights": _optional_array(v)},
                        "user-given initial weights"),
    "means_init": Row(("initial_means",),
                      lambda v, c: {"initial_means": _optional_array(v)},
                      "user-given initial means"),
    "precisions_init": Row(("initial_precisions",),
                           lambda v, c: {"initial_precisions": _optional_array(v)},
                           "user-given initial precisions"),
    "random_state": Row(("seed",),
                        lambda v, c: {"seed": c["seed"] if "seed" in c
                                      else seed_from_random_state(v)},
                        "seed of the initialisation (the context's seed when it has one)"),
    "warm_start": Row(("initial_model",),
                      lambda v, c: {"initial_model": c.get("warm_model") if v else None},
                      "start from the fitted model, one initialisation"),
    "verbose": Row(("callback",), lambda v, c: {"callback": c.get("callback")},
                   "progress printing after each iteration"),
    "verbose_interval": Row(("callback",), lambda v, c: {},
                            "iterations between progress lines"),
    "n_jobs": Row(("num_threads",), lambda v, c: {"num_threads": _num_threads(v)},
                  "threads of the E-step (results identical for any count)"),
    "accelerate": Row(("accelerate",), lambda v, c: {"accelerate": v},
                      "iteration policy: none (plain EM) or squarem"),
    # partial_fit's settings (_stepwise.py): no option of fit.
    "learning_decay": Row((), lambda v, c: {}, "partial_fit's step-size exponent"),
    "average": Row((), lambda v, c: {}, "partial_fit reports the averaged parameters"),
}


# Options of the engine's table that no parameter sets: every fit keeps the
# table's default (no time limit).
ENGINE_DEFAULTS = ("max_seconds",)


def engine_options(params, context):
    """The option dictionary of ``emkit._core.fit`` for estimator params.

    ``context`` holds what is not a parameter: ``warm_model`` (the fitted
    model when warm starting), ``callback`` (the per-iteration hook) and
    ``seed`` (the seed drawn from random_state already, or a resumed
    checkpoint's).
    """
    options = {}
    for name, row in PARAMETERS.items():
        values = row.convert(params[name], context)
        options.update(values)
    return options
