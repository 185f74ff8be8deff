"""Fit time of emkit.GaussianMixture against scikit-learn's, and of the
Python package against the emkit command, on the same data.

    .venv/bin/python python/benchmarks/compare_sklearn.py [--cli PATH/TO/emkit]

Both estimators start from the same initial parameters (weights_init,
means_init, precisions_init) and run exactly the same number of M-steps
(tol=0); the parameters are checked to agree. Times are medians of 5 runs
of the whole fit() call. scikit-learn still spends one M-step on its own
initialisation (init_params="random_from_data", the cheapest) before the
given parameters replace it; emkit skips it when all three are given.
"""

import argparse
import json
import os
import statistics
import subprocess
import tempfile
import time
import warnings

import numpy as np
from sklearn.mixture import GaussianMixture as SkGaussianMixture
from threadpoolctl import threadpool_limits

import emkit

N, D, K, ITERATIONS, REPEATS = 100_000, 8, 8, 20, 5


def data(seed=0):
    rng = np.random.default_rng(seed)
    centers = rng.normal(scale=4.0, size=(K, D))
    labels = rng.integers(0, K, size=N)
    mixing = rng.normal(size=(K, D, D)) * 0.4 + np.eye(D)
    return np.einsum("nij,nj->ni", mixing[labels], rng.normal(size=(N, D))) + centers[labels]


def initial_parameters(X, covariance_type, seed=1):
    rng = np.random.default_rng(seed)
    cov = np.cov(X.T)
    precisions = {
        "full": np.stack([np.linalg.inv(cov)] * K),
        "diag": np.stack([1.0 / np.diag(cov)] * K),
    }[covariance_type]
    return {"weights_init": np.full(K, 1.0 / K),
            "means_init": X[rng.choice(N, K, replace=False)],
            "precisions_init": precisions}


def median_seconds(fit):
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        fit()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def compare_with_sklearn(X, covariance_type, threads):
    params = dict(n_components=K, covariance_type=covariance_type, tol=0.0,
                  max_iter=ITERATIONS, **initial_parameters(X, covariance_type))
    ours = emkit.GaussianMixture(n_jobs=threads, **params)
    theirs = SkGaussianMixture(init_params="random_from_data", random_state=0, **params)
    with warnings.catch_warnings(), threadpool_limits(limits=threads):
        warnings.simplefilter("ignore")
        t_ours = median_seconds(lambda: ours.fit(X))
        t_theirs = median_seconds(lambda: theirs.fit(X))
    gap = np.max(np.abs(ours.means_ - theirs.means_)) / np.max(np.abs(theirs.means_))
    print(f"{covariance_type:4s} threads={threads}: emkit {t_ours:.3f} s, scikit-learn "
          f"{t_theirs:.3f} s, ratio {t_theirs / t_ours:.1f}x faster "
          f"(means agree to {gap:.1e} relative)")


def compare_with_cli(X, cli):
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "x.npy")
        np.save(path, X)
        command = [cli, "fit", path, "-k", str(K), "--covariance", "full", "--seed", "0",
                   "--max-iter", str(ITERATIONS), "--tol", "0", "--threads", "1",
                   "-o", os.path.join(tmp, "m.json"), "--report",
                   os.path.join(tmp, "r.json"), "-q"]
        walls, inner = [], []
        for _ in range(REPEATS):
            start = time.perf_counter()
            subprocess.run(command, check=True)
            walls.append(time.perf_counter() - start)
            with open(os.path.join(tmp, "r.json")) as f:
                inner.append(json.load(f)["total_seconds"])
        cli_report = json.load(open(os.path.join(tmp, "r.json")))
    gm = emkit.GaussianMixture(K, random_state=0, max_iter=ITERATIONS, tol=0.0, n_jobs=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t_python = median_seconds(lambda: gm.fit(X))
    assert gm.lower_bound_ == cli_report["mean_log_likelihood"], "not the same fit"
    cli_wall, cli_fit = statistics.median(walls), statistics.median(inner)
    print(f"Python fit() {t_python:.3f} s; command: whole run {cli_wall:.3f} s "
          f"(reading .npy, writing files), its fit {cli_fit:.3f} s; "
          f"ratios python/command-fit {t_python / cli_fit:.3f}, "
          f"python/command-run {t_python / cli_wall:.3f}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cli", help="path of the emkit command")
    args = parser.parse_args()
    X = data()
    print(f"N={N} D={D} K={K}, {ITERATIONS} M-steps, medians of {REPEATS}, "
          f"{os.cpu_count()} cores")
    for covariance_type in ("full", "diag"):
        for threads in (1, os.cpu_count()):
            compare_with_sklearn(X, covariance_type, threads)
    if args.cli:
        compare_with_cli(X, args.cli)


if __name__ == "__main__":
    main()
