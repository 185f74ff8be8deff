#!/usr/bin/env python3
"""Generate scikit-learn reference fixtures for the Gaussian mixture EM parity tests.

Usage (from the repository root):

    .venv/bin/python tests/reference/make_sklearn_fixtures.py [--out DIR]
    .venv/bin/python tests/reference/make_sklearn_fixtures.py --verify [--out DIR]

Writes one JSON file per case into tests/reference/fixtures/ (default), named
sklearn_gmm_<dataset>_<covariance_type>[_iter<N>].json.

Every case runs sklearn.mixture.GaussianMixture with fully specified initial
parameters (weights_init, means_init, precisions_init) and tol=0.0, so that
exactly n_iter E-step + M-step iterations are performed from a known starting
point.  The output is fully deterministic: all data and initial parameters are
derived from fixed seeds.

--verify re-runs every fixture in DIR through an independent EM written in
numpy long double (centred second moments, Cholesky-based log-densities, same
nk + 10*eps and reg_covar conventions as scikit-learn) and prints the largest
relative deviation of the stored scikit-learn result.  This measures how
accurate the reference itself is (see README.md).
"""

import argparse
import json
import os
import platform
import sys
import warnings

import numpy as np
import sklearn
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import GaussianMixture

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
GENERATOR = "tests/reference/make_sklearn_fixtures.py"
COVARIANCE_TYPES = ("full", "diag", "spherical", "tied")
REG_COVAR = 1e-6
DEFAULT_N_ITER = 20


# ---------------------------------------------------------------------------
# Datasets
# ---------------------------------------------------------------------------


def load_faithful():
    path = os.path.join(REPO_ROOT, "data", "faithful.csv")
    X = np.loadtxt(path, delimiter=",", skiprows=1, dtype=np.float64)
    assert X.shape == (272, 2), X.shape
    return X


def _spd(rng, d, scales):
    """Random symmetric positive-definite matrix with given axis scales."""
    q, _ = np.linalg.qr(rng.standard_normal((d, d)))
    return q @ np.diag(np.asarray(scales, dtype=np.float64) ** 2) @ q.T


def make_synthetic3d():
    """600 x 3: three overlapping clusters, distinct full covariances, sizes 300/200/100."""
    rng = np.random.default_rng(20240517)
    sizes = (300, 200, 100)
    means = np.array([[0.0, 0.0, 0.0], [4.0, 1.5, -1.0], [1.0, 5.0, 3.0]])
    covs = [
        _spd(rng, 3, (1.6, 0.9, 0.4)),
        _spd(rng, 3, (1.2, 1.0, 0.7)),
        _spd(rng, 3, (0.9, 0.5, 0.3)),
    ]
    parts = [
        rng.multivariate_normal(m, c, size=n, method="cholesky")
        for m, c, n in zip(means, covs, sizes)
    ]
    X = np.vstack(parts)
    X = X[rng.permutation(X.shape[0])]
    # Six decimals keep the file small and make the decimal text exact input.
    return np.round(X, 6)


def make_offset():
    """400 x 2: two clusters with spread ~1 sitting at an offset of 1e4."""
    rng = np.random.default_rng(7011)
    sizes = (250, 150)
    means = np.array([[0.0, 0.0], [2.5, 1.0]])
    covs = [
        np.array([[1.0, 0.4], [0.4, 0.6]]),
        np.array([[0.5, -0.2], [-0.2, 0.9]]),
    ]
    parts = [
        rng.multivariate_normal(m, c, size=n, method="cholesky")
        for m, c, n in zip(means, covs, sizes)
    ]
    X = np.vstack(parts)
    X = X[rng.permutation(X.shape[0])]
    return np.round(X + 1.0e4, 6)


# ---------------------------------------------------------------------------
# Initial parameters (same construction for every covariance type)
# ---------------------------------------------------------------------------


def make_init(X, n_components, seed):
    n, d = X.shape
    K = n_components
    rng = np.random.default_rng(seed)

    # Non-uniform weights: K+1, K, ..., 2 normalised (K=2: 0.6/0.4, K=3: 4/9, 3/9, 2/9).
    w = np.arange(K + 1, 1, -1, dtype=np.float64)
    weights = w / w.sum()

    # K distinct data rows plus a small perturbation (5% of the per-feature std).
    idx = rng.choice(n, size=K, replace=False)
    means = X[idx] + 0.05 * X.std(axis=0) * rng.standard_normal((K, d))
    assert len({tuple(r) for r in means}) == K

    # Per-component scaled data covariance: factors 0.5 .. 1.5.
    S = np.cov(X, rowvar=False)
    factors = np.linspace(0.5, 1.5, K)
    covs = np.array([f * S for f in factors])

    full = np.array([np.linalg.inv(c) for c in covs])
    full = 0.5 * (full + np.transpose(full, (0, 2, 1)))
    tied = np.linalg.inv(S)
    tied = 0.5 * (tied + tied.T)
    diag = np.array([1.0 / np.diag(c) for c in covs])
    spherical = np.array([1.0 / np.mean(np.diag(c)) for c in covs])

    precisions = {"full": full, "tied": tied, "diag": diag, "spherical": spherical}
    return weights, means, precisions


# ---------------------------------------------------------------------------
# Cases
# ---------------------------------------------------------------------------


def build_cases():
    faithful = load_faithful()
    synthetic3d = make_synthetic3d()
    offset = make_offset()

    # (name, dataset label, X, K, init seed, n_iter, covariance types)
    specs = [
        ("faithful", "faithful", faithful, 2, 101, DEFAULT_N_ITER, COVARIANCE_TYPES),
        ("faithful_k3", "faithful_k3", faithful, 3, 103, DEFAULT_N_ITER, COVARIANCE_TYPES),
        ("synthetic3d", "synthetic3d", synthetic3d, 3, 303, DEFAULT_N_ITER, COVARIANCE_TYPES),
        ("offset", "offset", offset, 2, 404, DEFAULT_N_ITER, COVARIANCE_TYPES),
    ]
    cases = []
    for name, label, X, K, seed, n_iter, cts in specs:
        init = make_init(X, K, seed)
        for ct in cts:
            cases.append((f"{name}_{ct}", label, X, K, init, ct, n_iter))

    # Single iteration from the initial parameters.
    init = make_init(synthetic3d, 3, 303)
    cases.append(("synthetic3d_full_iter1", "synthetic3d", synthetic3d, 3, init, "full", 1))
    # Long run: should reach a fixed point of the EM map.
    init = make_init(faithful, 2, 101)
    cases.append(("faithful_full_iter100", "faithful", faithful, 2, init, "full", 100))
    return cases


def run_case(label, X, K, init, ct, n_iter):
    weights, means, precisions = init
    gm = GaussianMixture(
        n_components=K,
        covariance_type=ct,
        tol=0.0,
        max_iter=n_iter,
        reg_covar=REG_COVAR,
        weights_init=weights,
        means_init=means,
        precisions_init=precisions[ct],
        random_state=0,
        init_params="random",
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        gm.fit(X)
    if gm.n_iter_ != n_iter:
        raise RuntimeError(f"expected {n_iter} iterations, sklearn ran {gm.n_iter_}")

    return {
        "format": "emkit-reference-fixture",
        "generator": GENERATOR,
        "reference": "scikit-learn GaussianMixture",
        "sklearn_version": sklearn.__version__,
        "numpy_version": np.__version__,
        "python_version": platform.python_version(),
        "dataset": label,
        "covariance_type": ct,
        "n_components": int(K),
        "n_iter": int(n_iter),
        "reg_covar": REG_COVAR,
        "X": X.tolist(),
        "init": {
            "weights": weights.tolist(),
            "means": means.tolist(),
            "precisions": precisions[ct].tolist(),
        },
        "result": {
            "weights": gm.weights_.tolist(),
            "means": gm.means_.tolist(),
            "covariances": gm.covariances_.tolist(),
            "precisions_cholesky": gm.precisions_cholesky_.tolist(),
            "mean_log_likelihood": float(gm.score(X)),
            "lower_bound": float(gm.lower_bound_),
            "n_iter": int(gm.n_iter_),
        },
    }


# ---------------------------------------------------------------------------
# Independent extended-precision check (--verify)
# ---------------------------------------------------------------------------

LD = np.longdouble


def _ld_cholesky(A):
    d = A.shape[0]
    Lm = np.zeros((d, d), dtype=LD)
    for i in range(d):
        for j in range(i + 1):
            s = A[i, j] - sum(Lm[i, k] * Lm[j, k] for k in range(j))
            Lm[i, j] = np.sqrt(s) if i == j else s / Lm[j, j]
    return Lm


def _ld_inverse(P):
    """Inverse of an SPD matrix: double-precision start, Newton-Schulz refinement."""
    C = np.linalg.inv(P.astype(np.float64)).astype(LD)
    eye = np.eye(P.shape[0], dtype=LD)
    for _ in range(3):
        C = C @ (2 * eye - P @ C)
    return 0.5 * (C + C.T)


def _ld_log_gaussian(X, mu, cov):
    n, d = X.shape
    Lm = _ld_cholesky(cov)
    D = X - mu
    Y = np.zeros_like(D)
    for i in range(d):
        Y[:, i] = (D[:, i] - sum(Lm[i, k] * Y[:, k] for k in range(i))) / Lm[i, i]
    log_det = sum(np.log(Lm[i, i]) for i in range(d))
    return -0.5 * (d * np.log(2 * LD(np.pi)) + (Y * Y).sum(axis=1)) - log_det


def _ld_component_covs(ct, c, K, d):
    if ct == "full":
        return [c[k] for k in range(K)]
    if ct == "tied":
        return [c] * K
    if ct == "diag":
        return [np.diag(c[k]) for k in range(K)]
    return [np.eye(d, dtype=LD) * c[k] for k in range(K)]


def _ld_loglik(X, w, mu, c, ct):
    K, d = mu.shape
    covs = _ld_component_covs(ct, c, K, d)
    lp = np.stack([_ld_log_gaussian(X, mu[k], covs[k]) + np.log(w[k]) for k in range(K)], 1)
    m = lp.max(axis=1, keepdims=True)
    lse = m[:, 0] + np.log(np.exp(lp - m).sum(axis=1))
    return lp, lse


def ld_em(f):
    X = np.array(f["X"], dtype=LD)
    n, d = X.shape
    K, ct, reg = f["n_components"], f["covariance_type"], LD(f["reg_covar"])
    w = np.array(f["init"]["weights"], dtype=LD)
    mu = np.array(f["init"]["means"], dtype=LD)
    P = np.array(f["init"]["precisions"], dtype=LD)
    if ct == "full":
        c = np.array([_ld_inverse(P[k]) for k in range(K)])
    elif ct == "tied":
        c = _ld_inverse(P)
    else:
        c = 1 / P
    eye = np.eye(d, dtype=LD)
    lower_bound = None
    for _ in range(f["n_iter"]):
        lp, lse = _ld_loglik(X, w, mu, c, ct)
        lower_bound = lse.mean()
        R = np.exp(lp - lse[:, None])
        nk = R.sum(axis=0) + LD(10 * np.finfo(np.float64).eps)
        mu = (R.T @ X) / nk[:, None]
        S = np.array([((R[:, k, None] * (X - mu[k])).T @ (X - mu[k])) / nk[k] for k in range(K)])
        if ct == "full":
            c = S + reg * eye
        elif ct == "tied":
            c = (S * nk[:, None, None]).sum(axis=0) / nk.sum() + reg * eye
        elif ct == "diag":
            c = np.array([np.diag(S[k]) for k in range(K)]) + reg
        else:
            c = np.array([np.diag(S[k]).mean() for k in range(K)]) + reg
        w = nk / nk.sum()
    _, lse = _ld_loglik(X, w, mu, c, ct)
    return w, mu, c, lse.mean(), lower_bound


def verify(directory):
    print(f"long double: {np.finfo(LD).eps!r} epsilon")
    if np.finfo(LD).eps >= np.finfo(np.float64).eps:
        print("warning: long double is no wider than double here; the check is not meaningful")

    def rel(a, b):
        a = np.array(a, dtype=LD)
        return float(np.max(np.abs(a - b) / np.maximum(1, np.abs(b))))

    for name in sorted(os.listdir(directory)):
        if not (name.startswith("sklearn_gmm_") and name.endswith(".json")):
            continue
        with open(os.path.join(directory, name), encoding="utf-8") as fh:
            f = json.load(fh)
        r = f["result"]
        w, mu, c, ll, lb = ld_em(f)
        print(
            f"{name:44s} weights {rel(r['weights'], w):.1e}  means {rel(r['means'], mu):.1e}"
            f"  covariances {rel(r['covariances'], c):.1e}"
            f"  mean_ll {abs(r['mean_log_likelihood'] - float(ll)):.1e}"
            f"  lower_bound {abs(r['lower_bound'] - float(lb)):.1e}"
        )
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out",
        default=os.path.join(REPO_ROOT, "tests", "reference", "fixtures"),
        help="output directory (default: tests/reference/fixtures)",
    )
    parser.add_argument(
        "--verify",
        action="store_true",
        help="check the fixtures in --out against an independent long-double EM",
    )
    args = parser.parse_args(argv)
    if args.verify:
        return verify(args.out)
    os.makedirs(args.out, exist_ok=True)

    for name, label, X, K, init, ct, n_iter in build_cases():
        fixture = run_case(label, X, K, init, ct, n_iter)
        path = os.path.join(args.out, f"sklearn_gmm_{name}.json")
        with open(path, "w", encoding="utf-8") as fh:
            json.dump(fixture, fh, allow_nan=False)
            fh.write("\n")
        res = fixture["result"]
        print(
            f"{os.path.relpath(path, REPO_ROOT)}: n={X.shape[0]} d={X.shape[1]} K={K} "
            f"iter={res['n_iter']} mean_ll={res['mean_log_likelihood']:.10g} "
            f"lower_bound={res['lower_bound']:.10g}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
