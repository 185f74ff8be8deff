"""Compares two builds of emkit's EM benchmark program on the benchmark
cases: the two programs' runs alternate (base, new, base, new, ...) in one
command, so that both see the same machine load, and the table gives, per
case and thread count, the median over rounds of new / base seconds per
iteration. Used to check that a change keeps emkit's speed (a ratio under
1.05 is within 5%).

  python bench/compare_builds.py --base OLD/build-bench --new build-bench \\
      [--cases A,B,...] [--threads 1] [--rounds 5] [--iters 5] [--scale 1]
      [--dtype float64|float32]

Both build directories must hold emkit_em_bench (bench/run.sh builds it,
or cmake -DEMKIT_BUILD_BENCH=ON). Case data are generated once into
--work-dir (default NEW/compare-work) from bench/cases.py.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import cases  # noqa: E402
from machine import cpu_model  # noqa: E402


def seconds_per_iter(program, case_dir, threads, iters, dtype):
    env = dict(os.environ)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env[var] = str(threads)
    out = subprocess.run([program, "--case", case_dir, "--threads", str(threads), "--iters",
                          str(iters), "--repeats", "1", "--dtype", dtype], env=env,
                         capture_output=True, text=True, check=True).stdout
    record = json.loads([line for line in out.splitlines() if line.startswith("{")][0])
    return record["seconds_per_iter"]


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--base", required=True, help="build directory of the baseline")
    p.add_argument("--new", required=True, help="build directory of the change")
    p.add_argument("--cases", default=",".join(cases.CASES))
    p.add_argument("--threads", default="1")
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--iters", type=int, default=5)
    p.add_argument("--scale", type=float, default=1.0)
    p.add_argument("--dtype", default="float64", choices=("float64", "float32"),
                   help="the data's dtype in both programs")
    p.add_argument("--work-dir")
    args = p.parse_args()
    work = args.work_dir or os.path.join(args.new, "compare-work")
    os.makedirs(work, exist_ok=True)
    base = os.path.join(args.base, "bench", "emkit_em_bench")
    new = os.path.join(args.new, "bench", "emkit_em_bench")
    print(f"CPU: {cpu_model()}, {os.cpu_count()} logical cores")
    print(f"median over {args.rounds} alternating rounds of {args.iters} iterations, "
          f"{args.dtype} data")
    print("| case | n | d | k | covariance | threads | base s/iter | new s/iter | new / base |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name in [c for c in args.cases.split(",") if c]:
        rows, d, k, cov, seed = cases.CASES[name]
        n = cases.scaled_rows(rows, k, d, args.scale)
        case_dir = os.path.join(work, f"{name}-{n}")
        cases.generate(name, n, d, k, cov, seed, case_dir)
        for threads in [int(t) for t in args.threads.split(",")]:
            ratios, base_times, new_times = [], [], []
            for _ in range(args.rounds):
                b = seconds_per_iter(base, case_dir, threads, args.iters, args.dtype)
                m = seconds_per_iter(new, case_dir, threads, args.iters, args.dtype)
                base_times.append(b)
                new_times.append(m)
                ratios.append(m / b)
            print(f"| {name} | {n} | {d} | {k} | {cov} | {threads} | "
                  f"{statistics.median(base_times):.4g} | {statistics.median(new_times):.4g} | "
                  f"{statistics.median(ratios):.3f} |", flush=True)


if __name__ == "__main__":
    main()
