"""The benchmark cases: shapes, deterministic synthetic data, initial
parameters, and the count of useful floating-point operations per EM
iteration that GFLOP/s and the fraction of DGEMM are computed from.

Every implementation reads the same files (X.npy, weights.npy, means.npy,
covariances.npy, meta.json), so they start from the same bytes.
"""
import json
import os

import numpy as np

# name: (rows, features, components, covariance type, seed)
CASES = {
    "A": (200_000, 16, 16, "full", 101),
    "B": (200_000, 16, 16, "diag", 102),
    "C": (1_000_000, 2, 8, "diag", 103),
    "D": (50_000, 64, 32, "full", 104),
    "E": (20_000, 2, 3, "full", 105),
    "F-spherical": (200_000, 16, 16, "spherical", 106),
    "F-tied": (200_000, 16, 16, "tied", 107),
}

# Case C's shape at growing N: time per row should stay flat.
SCALING_ROWS = (100_000, 1_000_000, 10_000_000)


def scaled_rows(rows, components, features, scale):
    """Rows after EMKIT_BENCH_SCALE; never so few per component (50, and
    5(D+1)) that a covariance estimate comes near singular."""
    return max(max(50, 5 * (features + 1)) * components, int(round(rows * scale)))


def useful_flops(covariance_type, n, d, k):
    """Floating-point operations of one EM iteration that any implementation
    must do, counting a multiply-add as 2 (see docs/benchmarks.md).

    full:      N K D^2 (whitening in the E-step) + N K D(D+1)/2 (symmetric
               second moments in the M-step) multiply-adds.
    tied:      N D^2 (whitening once per row) + N K D (distances to whitened
               means) + N D(D+1)/2 + N K D (moments) multiply-adds.
    diag:      2 N K D (x^2 and x against the precisions) + 2 N K D (weighted
               x and x^2) multiply-adds.
    spherical: N K D (cross terms) + N K D (weighted sums), plus N D for |x|^2.
    """
    if covariance_type == "full":
        mads = n * k * d * d + n * k * d * (d + 1) // 2
    elif covariance_type == "tied":
        mads = n * d * d + n * k * d + n * d * (d + 1) // 2 + n * k * d
    elif covariance_type == "diag":
        mads = 4 * n * k * d
    else:
        mads = 2 * n * k * d + n * d
    return 2.0 * mads


def _random_factor(rng, d):
    """A lower-triangular factor of a well-conditioned covariance."""
    a = np.eye(d) + rng.normal(0.0, 0.3 / np.sqrt(d), (d, d))
    cov = a @ a.T
    cov *= 1.0 / np.mean(np.diag(cov))
    return np.linalg.cholesky(cov)


def generate(name, n, d, k, covariance_type, seed, out_dir):
    """Writes the case to out_dir (once: an existing complete case is kept)."""
    meta_path = os.path.join(out_dir, "meta.json")
    meta = {"name": name, "covariance_type": covariance_type, "n": n, "d": d,
            "k": k, "seed": seed}
    files = [os.path.join(out_dir, f + ".npy")
             for f in ("X", "weights", "means", "covariances")]
    if os.path.exists(meta_path) and all(map(os.path.exists, files)):
        with open(meta_path) as f:
            if json.load(f) == meta:
                return meta
    os.makedirs(out_dir, exist_ok=True)
    rng = np.random.default_rng(seed)
    # Well separated: centres spread over a box several standard deviations
    # wide in every feature, unit-scale components.
    spread = 6.0 if d <= 4 else 2.5
    true_means = rng.uniform(-spread, spread, (k, d))
    true_weights = rng.uniform(0.5, 1.5, k)
    true_weights /= true_weights.sum()
    labels = rng.choice(k, size=n, p=true_weights)
    x = np.empty((n, d))
    tied_factor = _random_factor(rng, d)
    for j in range(k):
        rows = np.flatnonzero(labels == j)
        z = rng.standard_normal((rows.size, d))
        if covariance_type == "full":
            z = z @ _random_factor(rng, d).T
        elif covariance_type == "tied":
            z = z @ tied_factor.T
        elif covariance_type == "diag":
            z *= rng.uniform(0.5, 1.5, d)
        else:
            z *= rng.uniform(0.5, 1.5)
        x[rows] = true_means[j] + z
    # Initial parameters: the true centres moved by about one standard
    # deviation, equal weights, and unit covariances twice too wide, so EM
    # has real work in the first iterations (no k-means anywhere).
    means = true_means + rng.normal(0.0, 0.7, (k, d))
    weights = np.full(k, 1.0 / k)
    if covariance_type == "full":
        covariances = np.tile(2.0 * np.eye(d), (k, 1, 1))
    elif covariance_type == "tied":
        covariances = 2.0 * np.eye(d)
    elif covariance_type == "diag":
        covariances = np.full((k, d), 2.0)
    else:
        covariances = np.full(k, 2.0)
    np.save(os.path.join(out_dir, "X.npy"), np.ascontiguousarray(x))
    np.save(os.path.join(out_dir, "weights.npy"), weights)
    np.save(os.path.join(out_dir, "means.npy"), means)
    np.save(os.path.join(out_dir, "covariances.npy"), covariances)
    with open(meta_path, "w") as f:
        json.dump(meta, f)
    return meta


def load(case_dir):
    """(X, weights, means, covariances, meta) as numpy arrays."""
    with open(os.path.join(case_dir, "meta.json")) as f:
        meta = json.load(f)
    arrays = [np.load(os.path.join(case_dir, f + ".npy"))
              for f in ("X", "weights", "means", "covariances")]
    return (*arrays, meta)
