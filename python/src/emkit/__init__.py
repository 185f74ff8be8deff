"""emkit: Expectation-Maximization in C++, with a drop-in, faster
scikit-learn ``GaussianMixture``, discrete mixtures, and hidden Markov
models with hmmlearn's interface.

>>> import emkit
>>> gm = emkit.GaussianMixture(n_components=3, random_state=0).fit(X)
>>> gm.report_.best.mean_log_likelihoods    # per iteration
>>> emkit.plot.convergence(gm)               # needs matplotlib

``emkit.plot`` is imported on first use, so emkit works without matplotlib.
"""

import importlib

from ._compat import ConvergenceWarning, NotFittedError
from ._model_file import load
from ._report import FitReport, RestartReport
from .discrete_mixture import BernoulliMixture, CategoricalMixture, PoissonMixture
from .gaussian_mixture import GaussianMixture
from .hmm import GMMHMM, CategoricalHMM, GaussianHMM, PoissonHMM
from .von_mises_fisher import VonMisesFisherMixture

__version__ = "0.1.0"

__all__ = [
    "BernoulliMixture",
    "CategoricalMixture",
    "CategoricalHMM",
    "ConvergenceWarning",
    "FitReport",
    "GMMHMM",
    "GaussianHMM",
    "GaussianMixture",
    "NotFittedError",
    "PoissonHMM",
    "PoissonMixture",
    "RestartReport",
    "VonMisesFisherMixture",
    "load",
    "plot",
]


def __getattr__(name):
    # Lazy: matplotlib is imported only when emkit.plot is first used.
    if name == "plot":
        return importlib.import_module(".plot", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
