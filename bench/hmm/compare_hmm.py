#!/usr/bin/env python3
"""Time per Baum-Welch iteration: emkit against hmmlearn and pomegranate.

Usage (from the repository root, after building emkit into BUILD):

    .venv/bin/pip install hmmlearn pomegranate
    .venv/bin/python bench/hmm/compare_hmm.py --build build-hmm [--repeats 5] [--threads 1]

Two problems, each with the same data and initial parameters for all three
libraries: 100 sequences x 1000 steps, 8 states, 4-D diagonal Gaussian
emissions; and the same shape with categorical emissions over 20 symbols.
Each library runs one EM iteration (E-step and M-step) from the initial
parameters, `repeats` times; the script prints the median seconds and the
ratios to emkit. emkit's time is the engine's per-iteration record; the
Python libraries' is the wall time of fit(n_iter=1) (pomegranate:
max_iter=1, float32 as it computes), on the CPU with --threads torch threads.
The C++ timer (hmm_iteration_time.cc) is compiled here against BUILD's
libemkit.a.
"""

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import warnings

import numpy as np

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
N_SEQ, LENGTH, K, D, V = 100, 1000, 8, 4, 20


def make_problems(seed=0):
    rng = np.random.default_rng(seed)
    start = rng.dirichlet(np.ones(K))
    trans = rng.dirichlet(np.ones(K), size=K) + 4 * np.eye(K)
    trans /= trans.sum(1, keepdims=True)
    z = np.empty((N_SEQ, LENGTH), dtype=int)
    for s in range(N_SEQ):
        state = rng.choice(K, p=start)
        for t in range(LENGTH):
            z[s, t] = state
            state = rng.choice(K, p=trans[state])
    true_means = rng.normal(scale=3.0, size=(K, D))
    xg = true_means[z] + rng.standard_normal((N_SEQ, LENGTH, D))
    emission = rng.dirichlet(np.full(V, 0.5), size=K)
    cum = emission.cumsum(1)
    u = rng.random((N_SEQ, LENGTH))
    xc = (u[..., None] > cum[z]).sum(-1).clip(max=V - 1)
    init = {
        "start": np.full(K, 1.0 / K),
        "trans": np.full((K, K), 1.0 / K) * 0.5 + 0.5 * np.eye(K),
        "means": true_means + rng.normal(scale=0.5, size=(K, D)),
        "vars": rng.uniform(0.5, 2.0, size=(K, D)),
        "probs": rng.dirichlet(np.full(V, 2.0), size=K),
    }
    return xg, xc, init


def write_problem(path, kind, x, init):
    with open(path, "wb") as f:
        np.array([kind, N_SEQ, LENGTH, K, D if kind == 0 else V], dtype=np.int64).tofile(f)
        np.ascontiguousarray(x.reshape(N_SEQ * LENGTH, -1), dtype=np.float64).tofile(f)
        init["start"].astype(np.float64).tofile(f)
        init["trans"].astype(np.float64).tofile(f)
        if kind == 0:
            init["means"].tofile(f)
            init["vars"].tofile(f)
        else:
            init["probs"].tofile(f)


def build_timer(build):
    exe = os.path.join(build, "hmm_iteration_time")
    src = os.path.join(REPO_ROOT, "bench", "hmm", "hmm_iteration_time.cc")
    cmd = ["g++", "-std=c++20", "-O2", "-DNDEBUG", "-march=native", src,
           "-I", os.path.join(REPO_ROOT, "include"), "-I", "/usr/include/eigen3",
           os.path.join(build, "libemkit.a"), "-lfmt", "-pthread", "-o", exe]
    subprocess.run(cmd, check=True)
    return exe


def time_emkit(exe, path, repeats, threads):
    out = subprocess.run([exe, path, str(repeats), str(threads)], check=True,
                         capture_output=True, text=True).stdout.split()
    return float(out[0]), float(out[1])


def median_wall(fn, repeats):
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def time_hmmlearn(kind, x, init, repeats):
    from hmmlearn import hmm
    lengths = [LENGTH] * N_SEQ

    def run():
        if kind == 0:
            m = hmm.GaussianHMM(K, "diag", n_iter=1, tol=-np.inf, init_params="",
                                covars_prior=0.0, min_covar=0.0)
            m.means_, m.covars_ = init["means"], init["vars"]
            X = x.reshape(-1, D)
        else:
            m = hmm.CategoricalHMM(K, n_features=V, n_iter=1, tol=-np.inf, init_params="")
            m.emissionprob_ = init["probs"]
            X = x.reshape(-1, 1)
        m.startprob_, m.transmat_ = init["start"], init["trans"]
        m.fit(X, lengths)
        return m
    score = (run().monitor_.history[0])
    return median_wall(run, repeats), score


def time_pomegranate(kind, x, init, repeats):
    import torch
    from pomegranate.hmm import DenseHMM
    from pomegranate.distributions import Categorical, Normal

    # pomegranate keeps the chain in float32; its distributions follow.
    f32 = {key: np.asarray(v, dtype=np.float32) for key, v in init.items()}

    def run():
        if kind == 0:
            dists = [Normal(means=f32["means"][k], covs=f32["vars"][k],
                            covariance_type="diag") for k in range(K)]
            X = torch.tensor(x, dtype=torch.float32)
        else:
            dists = [Categorical(probs=f32["probs"][k:k + 1]) for k in range(K)]
            X = torch.tensor(x[..., None], dtype=torch.int64)
        m = DenseHMM(dists, edges=f32["trans"], starts=f32["start"], max_iter=1,
                     tol=0.0, verbose=False)
        m.fit(X)
    return median_wall(run, repeats)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default=os.path.join(REPO_ROOT, "build"))
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1,
                        help="emkit threads (and torch threads for pomegranate)")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    xg, xc, init = make_problems()
    exe = build_timer(os.path.abspath(args.build))
    import hmmlearn
    print(f"python {platform.python_version()}, numpy {np.__version__}, "
          f"hmmlearn {hmmlearn.__version__}", end="")
    try:
        import pomegranate
        import torch
        torch.set_num_threads(args.threads)
        print(f", pomegranate {pomegranate.__version__}, torch {torch.__version__}")
    except ImportError:
        print(", pomegranate not installed")
    print(f"{N_SEQ} sequences x {LENGTH} steps, {K} states, emkit threads {args.threads}, "
          f"medians of {args.repeats}")
    with tempfile.TemporaryDirectory() as tmp:
        for kind, name, x in ((0, f"diag Gaussian D={D}", xg), (1, f"categorical V={V}", xc)):
            path = os.path.join(tmp, f"problem{kind}.bin")
            write_problem(path, kind, x, init)
            t_emkit, ll_emkit = time_emkit(exe, path, args.repeats, args.threads)
            t_hmmlearn, ll_hmmlearn = time_hmmlearn(kind, x, init, args.repeats)
            line = (f"{name:22s} emkit {t_emkit:.4f} s | hmmlearn {t_hmmlearn:.4f} s "
                    f"(x{t_hmmlearn / t_emkit:.1f})")
            try:
                t_pom = time_pomegranate(kind, x, init, args.repeats)
                line += f" | pomegranate {t_pom:.4f} s (x{t_pom / t_emkit:.1f})"
            except Exception as e:  # report, do not hide, a failing library
                line += f" | pomegranate failed: {type(e).__name__}: {e}"
            line += (f" | initial log-likelihood emkit {ll_emkit:.6f}, "
                     f"hmmlearn {ll_hmmlearn:.6f}")
            print(line, flush=True)


if __name__ == "__main__":
    sys.exit(main())
