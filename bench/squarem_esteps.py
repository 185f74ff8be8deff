"""E-steps of plain EM and of SQUAREM (accelerate="squarem") to convergence
on the benchmark cases, from each case's own starting parameters: the check
that acceleration never costs E-steps on fast problems, and what it saves.

  python bench/squarem_esteps.py [--cases A,B,...] [--tol 1e-6] [--threads 2]
      [--work-dir DIR] [--scale 1]

Both fits are emkit.GaussianMixture from the same start (weights_init,
means_init, precisions_init from the case files, n_init=1), to the same tol
(change of the mean log-likelihood per sample); the table gives the E-steps
each made (SQUAREM counts every E-step, extrapolated points included), the
extrapolations kept and refused, and both final mean log-likelihoods.
"""
import argparse
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import cases  # noqa: E402


def precisions(covariances, covariance_type):
    """precisions_init from the case's covariances (matrices for full and
    tied, variances for diag and spherical)."""
    if covariance_type in ("full", "tied"):
        return np.linalg.inv(covariances)
    return 1.0 / covariances


def fit(X, weights, means, covariances, covariance_type, accelerate, tol, threads):
    import emkit

    gm = emkit.GaussianMixture(
        n_components=len(weights), covariance_type=covariance_type, tol=tol,
        max_iter=100000, n_init=1, weights_init=weights, means_init=means,
        precisions_init=precisions(covariances, covariance_type), accelerate=accelerate,
        n_jobs=threads)
    gm.fit(X)
    return gm


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--cases", default=",".join(cases.CASES))
    p.add_argument("--tol", type=float, default=1e-6)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--scale", type=float, default=1.0)
    p.add_argument("--work-dir", default=os.path.join(HERE, "..", "build-bench", "compare-work"))
    args = p.parse_args()

    print(f"tol {args.tol:g}, {args.threads} threads, from each case's starting parameters")
    print("| case | covariance | plain E-steps | SQUAREM E-steps | kept / refused "
          "| SQUAREM / plain | plain mean log L | SQUAREM mean log L |")
    print("|---|---|---|---|---|---|---|---|")
    for name in args.cases.split(","):
        n, d, k, covariance_type, seed = cases.CASES[name]
        rows = cases.scaled_rows(n, k, d, args.scale)
        case_dir = os.path.join(args.work_dir, f"{name}-{rows}")
        cases.generate(name, rows, d, k, covariance_type, seed, case_dir)
        X, weights, means, covariances, _ = cases.load(case_dir)
        plain = fit(X, weights, means, covariances, covariance_type, "none", args.tol,
                    args.threads)
        squarem = fit(X, weights, means, covariances, covariance_type, "squarem", args.tol,
                      args.threads)
        a, b = plain.report_, squarem.report_
        print(f"| {name} | {covariance_type} | {a.e_steps} | {b.e_steps} "
              f"| {b.extrapolations_accepted} / {b.extrapolations_rejected} "
              f"| {b.e_steps / a.e_steps:.2f} | {plain.lower_bound_:.10f} "
              f"| {squarem.lower_bound_:.10f} |", flush=True)


if __name__ == "__main__":
    main()
