"""Plots of fitted mixtures with matplotlib (imported when this module is).

Each function draws into ``ax`` (or new axes) and returns the matplotlib
Axes, or the Figure for :func:`selection`, which draws two panels.
"""

import numpy as np
from matplotlib.patches import Ellipse

from .gaussian_mixture import GaussianMixture

__all__ = ["convergence", "ellipses", "selection"]


def _new_axes(ax):
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    return plt.figure().add_subplot()


def convergence(gm, ax=None, restarts="best"):
    """Mean log-likelihood per iteration and the bound EM certified for it.

    For iteration t the certified lower bound is
    ``L(t-1) + bound_gain(t) / n``: Jensen's inequality guarantees
    ``L(t) >= bound``; a point under its bound is a certificate violation
    (marked with a red cross).

    Parameters
    ----------
    gm : fitted GaussianMixture, or its ``report_``
    ax : matplotlib Axes, optional
    restarts : "best" or "all"
        Which initialisations to draw.
    """
    report = gm.report_ if isinstance(gm, GaussianMixture) else gm
    if report is None:
        raise ValueError("the model has no fit report (it was loaded from a file)")
    if restarts not in ("best", "all"):
        raise ValueError(f"restarts must be 'best' or 'all', got {restarts!r}")
    ax = _new_axes(ax)
    chosen = [report.best] if restarts == "best" else report.restarts
    for r in chosen:
        suffix = f" (init {r.restart})" if len(chosen) > 1 else ""
        loglik = np.concatenate(([r.initial_mean_log_likelihood], r.mean_log_likelihoods))
        steps = np.arange(loglik.size)
        (line,) = ax.plot(steps, loglik, marker="o", markersize=3,
                          label="log-likelihood" + suffix)
        if r.n_iter:
            bound = loglik[:-1] + r.bound_gain / report.num_samples
            ax.plot(steps[1:], bound, linestyle="--", color=line.get_color(),
                    alpha=0.7, label="certified bound" + suffix)
            bad = r.certificate_violated
            if bad.any():
                ax.plot(steps[1:][bad], loglik[1:][bad], "x", color="red",
                        markersize=8, label="certificate violated" + suffix)
    ax.set_xlabel("iteration (M-steps)")
    ax.set_ylabel("mean log-likelihood")
    ax.set_title("EM convergence")
    ax.legend()
    return ax


def selection(X, n_components=range(1, 9),
              covariance_types=("full", "tied", "diag", "spherical"),
              axes=None, **params):
    """BIC and AIC against the number of components, per covariance type.

    Fits ``GaussianMixture(n_components=k, covariance_type=t, **params)`` for
    every k and t (``random_state`` defaults to 0, so the figure is
    reproducible) and draws BIC and AIC (lower is better), marking the
    minimum of each curve.

    Returns
    -------
    matplotlib Figure with two Axes (BIC, AIC)
    """
    params.setdefault("random_state", 0)
    ks = list(n_components)
    if axes is None:
        import matplotlib.pyplot as plt

        fig, axes = plt.subplots(1, 2, figsize=(10, 4), sharex=True)
    else:
        fig = axes[0].figure
    for cov in covariance_types:
        bic, aic = [], []
        for k in ks:
            gm = GaussianMixture(n_components=k, covariance_type=cov, **params).fit(X)
            bic.append(gm.bic(X))
            aic.append(gm.aic(X))
        for ax, values in zip(axes, (bic, aic)):
            (line,) = ax.plot(ks, values, marker="o", label=cov)
            best = int(np.argmin(values))
            ax.plot([ks[best]], [values[best]], marker="*", markersize=14,
                    color=line.get_color(), linestyle="none")
    for ax, name in zip(axes, ("BIC", "AIC")):
        ax.set_xlabel("number of components")
        ax.set_ylabel(f"{name} (lower is better)")
        ax.set_title(name)
        ax.legend(title="covariance")
    return fig


def _covariance_2d(gm, k, f):
    cov = np.asarray(gm.covariances_)
    kind = gm.covariance_type
    if kind == "full":
        return cov[k][np.ix_(f, f)]
    if kind == "tied":
        return cov[np.ix_(f, f)]
    if kind == "diag":
        return np.diag(cov[k][f])
    return np.eye(2) * cov[k]


def ellipses(gm, X=None, features=(0, 1), ax=None, n_std=(1.0, 2.0)):
    """Data coloured by component, with an ellipse per component.

    Each ellipse is the contour at ``n_std`` standard deviations of the
    component's Gaussian projected on the two chosen features (indices, or
    names when the model was fitted on a DataFrame).
    """
    features = list(features)
    if len(features) != 2:
        raise ValueError(f"features must name two features, got {features!r}")
    names = getattr(gm, "feature_names_in_", None)
    f = [
        int(np.flatnonzero(names == c)[0]) if isinstance(c, str) and names is not None
        else int(c)
        for c in features
    ]
    ax = _new_axes(ax)
    colors = [f"C{k % 10}" for k in range(gm.n_components)]
    if X is not None:
        labels = gm.predict(X)
        data = np.asarray(X, dtype=float)
        ax.scatter(data[:, f[0]], data[:, f[1]], c=[colors[k] for k in labels], s=6,
                   alpha=0.6)
    means = np.asarray(gm.means_)[:, f]
    for k in range(gm.n_components):
        values, vectors = np.linalg.eigh(_covariance_2d(gm, k, f))
        angle = np.degrees(np.arctan2(vectors[1, -1], vectors[0, -1]))
        for s in n_std:
            width, height = 2.0 * s * np.sqrt(np.maximum(values[::-1], 0.0))
            ax.add_patch(Ellipse(means[k], width, height, angle=angle, fill=False,
                                 edgecolor=colors[k], linewidth=1.5))
    ax.scatter(means[:, 0], means[:, 1], marker="x", c=colors, s=60, zorder=3)
    label = [str(names[i]) if names is not None else f"feature {i}" for i in f]
    ax.set_xlabel(label[0])
    ax.set_ylabel(label[1])
    ax.set_title(f"{gm.n_components} components, {gm.covariance_type} covariance")
    ax.autoscale_view()
    return ax
