"""``VonMisesFisherMixture``: clustering of directions (unit vectors:
normalised text and image embeddings, tf-idf rows, measured directions) with
a mixture of von Mises-Fisher distributions, with scikit-learn's mixture
interface. scikit-learn has no counterpart; the interface is that of its
``GaussianMixture``."""

from ._model_file import register_mixture_class
from ._registry_mixture import RegistryMixture


class VonMisesFisherMixture(RegistryMixture):
    """Mixture of von Mises-Fisher distributions on the unit sphere of R^D
    (D >= 2): log p(x | k) = log C_D(kappa_k) + kappa_k mu_k'x.

    Rows must be unit vectors (norm 1 within 1e-6; normalise them first,
    e.g. ``X / np.linalg.norm(X, axis=1, keepdims=True)``); others are a
    ValueError naming the row.

    Fitted attributes: ``weights_`` (K,), ``mean_directions_`` (K, D) unit
    vectors, ``concentrations_`` (K,) kappa >= 0, and the fit's
    ``converged_``, ``n_iter_``, ``lower_bound_``, ``lower_bounds_``,
    ``report_``. ``max_concentration`` caps every kappa (a component on a
    single direction would otherwise have an infinite one); a capped
    M-step is counted in ``report_`` as a regularised component.
    """

    _family = "vmf"

    def __init__(self, n_components=1, *, tol=1e-3, max_iter=100, n_init=1,
                 init_params="kmeans", random_state=None, warm_start=False,
                 max_concentration=1e6, verbose=0, accelerate="none",
                 learning_decay=0.6, average=False):
        self._init(n_components, tol, max_iter, n_init, init_params, random_state,
                   warm_start, verbose, accelerate, learning_decay, average)
        self.max_concentration = max_concentration


register_mixture_class("vmf_mixture", VonMisesFisherMixture)
