"""Loading JSON model files, the format the ``emkit`` command writes."""

import os

import numpy as np

from . import _core


def load(path):
    """A fitted :class:`emkit.GaussianMixture` from a JSON model file.

    The file holds parameters, not a fit history: the estimator's
    ``n_components``, ``covariance_type`` and ``reg_covar`` come from the file,
    ``n_iter_`` is 0, ``converged_`` False, ``lower_bound_`` -inf and
    ``report_`` None. With ``warm_start=True`` a later ``fit`` continues from
    the loaded parameters (as ``emkit fit --init-model``).
    """
    from .gaussian_mixture import GaussianMixture

    model, names = _core.Model.load(os.fspath(path))
    gm = GaussianMixture(
        n_components=model.n_components,
        covariance_type=model.covariance_type,
        reg_covar=model.reg_covar,
    )
    gm._set_fitted(model)
    gm.n_features_in_ = model.n_features
    if names:
        gm.feature_names_in_ = np.asarray(names, dtype=object)
    gm.converged_ = False
    gm.n_iter_ = 0
    gm.lower_bound_ = -np.inf
    gm.lower_bounds_ = np.empty(0)
    gm.report_ = None
    return gm
