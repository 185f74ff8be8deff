"""Online (stepwise) EM against batch EM, through the command.

Draws N rows (default 10^6) and a held-out set from a known 4-component
Gaussian mixture in 3-D (seeded), then fits:
  - batch EM to convergence (tol 1e-10) from the same k-means++ start;
  - stepwise EM, one pass, `--online --batch-size B` for each step exponent;
and prints the held-out mean log-likelihood of each, its difference from
batch EM's (the issue's target: within 1e-3 after one pass), the wall time
as a ratio to batch EM's (medians over --repeats), and that a step exponent
outside (0.5, 1] is refused with exit 2 and no model file.

  python bench/online_em.py [--rows 1000000] [--batch-size 1000]
      [--exponents 0.6,0.75,1.0] [--repeats 3] [--emkit build/cli/emkit]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

from machine import cpu_model

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def truth():
    weights = np.array([0.4, 0.3, 0.2, 0.1])
    means = np.array([[0.0, 0.0, 0.0], [4.0, 1.0, -2.0], [-3.0, 4.0, 1.0], [1.0, -4.0, 3.0]])
    rng = np.random.default_rng(2026)
    factors = [np.eye(3) + 0.4 * rng.normal(size=(3, 3)) for _ in range(4)]
    return weights, means, [f @ f.T for f in factors]


def sample(n, seed):
    weights, means, covariances = truth()
    rng = np.random.default_rng(seed)
    labels = rng.choice(4, size=n, p=weights)
    x = np.empty((n, 3))
    for k in range(4):
        rows = labels == k
        x[rows] = rng.multivariate_normal(means[k], covariances[k], size=rows.sum())
    return x


def run(emkit, *args):
    start = time.perf_counter()
    out = subprocess.run([emkit, *map(str, args)], capture_output=True, text=True, check=False)
    return out, time.perf_counter() - start


def held_out_score(emkit, model, data):
    out, _ = run(emkit, "score", model, data, "--json")
    if out.returncode != 0:
        sys.exit(out.stderr)
    return json.loads(out.stdout)["mean_log_likelihood"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--held-out", type=int, default=200_000)
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--exponents", default="0.6,0.75,1.0")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--emkit", default=os.path.join(ROOT, "build", "cli", "emkit"))
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as work:
        train = os.path.join(work, "train.npy")
        test = os.path.join(work, "test.npy")
        np.save(train, sample(args.rows, 1))
        np.save(test, sample(args.held_out, 2))
        common = ["-k", 4, "--seed", args.seed, "-q"]

        def fit(name, *flags):
            model = os.path.join(work, name + ".json")
            times = []
            for _ in range(args.repeats):
                out, seconds = run(args.emkit, "fit", train, *common, *flags, "-o", model)
                if out.returncode != 0:
                    sys.exit(out.stderr)
                times.append(seconds)
            return held_out_score(args.emkit, model, test), statistics.median(times)

        batch_score, batch_time = fit("batch", "--tol", "1e-10", "--max-iter", "1000")
        print(f"CPU: {cpu_model()}, {os.cpu_count()} cores")
        print(f"{args.rows} rows (3-D, K = 4, known mixture), held-out {args.held_out} rows; "
              f"batch EM to tol 1e-10: held-out mean log-likelihood {batch_score:.6f}")
        print()
        print("| fit | held-out mean log-likelihood | minus batch EM's | time / batch EM's |")
        print("|---|---|---|---|")
        print(f"| batch EM | {batch_score:.6f} | 0 | 1.00 |")
        for exponent in args.exponents.split(","):
            for average in (False, True):
                flags = ["--online", "--batch-size", args.batch_size, "--step-exponent",
                         exponent] + (["--average"] if average else [])
                score, seconds = fit(f"online-{exponent}-{average}", *flags)
                label = (f"online, 1 pass, B = {args.batch_size}, alpha = {exponent}"
                         + (", averaged" if average else ""))
                print(f"| {label} | {score:.6f} | {score - batch_score:+.2e} | "
                      f"{seconds / batch_time:.2f} |")
        print()
        for exponent in ("0.5", "1.5"):
            model = os.path.join(work, "refused.json")
            out, _ = run(args.emkit, "fit", train, *common, "--online", "--batch-size",
                         args.batch_size, "--step-exponent", exponent, "-o", model)
            print(f"--step-exponent {exponent}: exit {out.returncode}, model file written: "
                  f"{os.path.exists(model)}; {out.stderr.strip()}")


if __name__ == "__main__":
    main()
