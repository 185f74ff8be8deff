"""The benchmark driver: generates the cases, runs emkit and its peers on
the same data from the same initial parameters for the same number of
iterations, checks that they agree, and prints the table.

Usually started through bench/run.sh, which builds the programs first.
Settings come from flags or, for run.sh, from environment variables:
EMKIT_BENCH_SCALE (rows multiplier, 0.01 for a smoke run), EMKIT_BENCH_ITERS,
EMKIT_BENCH_REPEATS, EMKIT_BENCH_CASES (comma-separated), EMKIT_BENCH_THREADS
(comma-separated), EMKIT_BENCH_PEERS, EMKIT_BENCH_MAX_SECONDS (per
measurement: further repeats are skipped once it is spent).

Exit status 1 when an implementation ends at a different mean
log-likelihood, or emkit's results differ between thread counts: a speed
figure for a wrong answer does not count. Times are never asserted.
"""
import argparse
import datetime
import json
import os
import platform
import subprocess
import sys

import cases

HERE = os.path.dirname(os.path.abspath(__file__))
PEERS = ("sklearn", "pomegranate", "armadillo")


def env_default(name, fallback):
    return os.environ.get(name) or fallback


def child_env(threads):
    """The environment of a measured program: `threads` threads everywhere,
    and no OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE, so that OpenBLAS picks the
    kernels of this CPU (they may be pinned for the tests' sake)."""
    env = dict(os.environ)
    env.pop("OPENBLAS_CORETYPE", None)
    env.pop("OPENBLAS_L2_SIZE", None)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env[var] = str(threads)
    env["PYTHONPATH"] = HERE + os.pathsep + env.get("PYTHONPATH", "")
    return env


def run_json_lines(command, threads):
    """Runs a program that prints JSON lines; returns them, or [an error]."""
    result = subprocess.run(command, env=child_env(threads), capture_output=True,
                            text=True)
    if result.returncode != 0:
        return [{"error": (result.stderr or result.stdout).strip()[-400:]}]
    try:
        return [json.loads(line) for line in result.stdout.splitlines()
                if line.startswith("{")] or [{"error": "no output"}]
    except ValueError:
        return [{"error": "bad JSON in output: " + result.stdout[-400:]}]


def run_json(command, threads):
    return run_json_lines(command, threads)[-1]


def numpy_dgemm(threads, n, repeats):
    code = f"""
import json, time, numpy as np
from threadpoolctl import threadpool_info
a = np.full(({n}, {n}), 1.0) + np.arange({n}) * 1e-3
b = a.T.copy(); c = a @ b
r = []
for _ in range({repeats}):
    t = time.perf_counter(); np.matmul(a, b, out=c); r.append(2.0 * {n}**3 / (time.perf_counter() - t) * 1e-9)
blas = [i.get("architecture") for i in threadpool_info() if i.get("user_api") == "blas"]
print(json.dumps({{"impl": "numpy_dgemm", "gflops": sorted(r)[len(r) // 2], "core": ",".join(map(str, blas))}}))
"""
    return run_json([sys.executable, "-c", code], threads)


def fmt_seconds(s):
    if s is None:
        return "—"
    return f"{s * 1e3:.3g} ms" if s < 1 else f"{s:.3g} s"


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--build-dir", required=True, help="where the bench programs are")
    p.add_argument("--work-dir", help="case data and results (default BUILD/bench-work)")
    p.add_argument("--scale", type=float,
                   default=float(env_default("EMKIT_BENCH_SCALE", "1")))
    p.add_argument("--iters", type=int, default=int(env_default("EMKIT_BENCH_ITERS", "5")))
    p.add_argument("--repeats", type=int,
                   default=int(env_default("EMKIT_BENCH_REPEATS", "3")))
    p.add_argument("--cases", default=env_default("EMKIT_BENCH_CASES", ",".join(cases.CASES)))
    p.add_argument("--threads", default=env_default("EMKIT_BENCH_THREADS", "1,2"))
    p.add_argument("--peers", default=env_default("EMKIT_BENCH_PEERS", ",".join(PEERS)))
    p.add_argument("--max-seconds", type=float,
                   default=float(env_default("EMKIT_BENCH_MAX_SECONDS", "60")))
    p.add_argument("--float32-cases",
                   default=env_default("EMKIT_BENCH_FLOAT32_CASES", "A,B,C"),
                   help="cases also run with float32 data against float64 in one "
                        "process (empty: none)")
    p.add_argument("--no-scaling", action="store_true",
                   help="skip the time-per-row and memory check on case C's shape")
    args = p.parse_args()

    work = args.work_dir or os.path.join(args.build_dir, "bench-work")
    os.makedirs(work, exist_ok=True)
    thread_counts = [int(t) for t in args.threads.split(",")]
    peers = [q for q in args.peers.split(",") if q]
    prog = lambda name: os.path.join(args.build_dir, "bench", name)
    dgemm_n = 4096 if args.scale >= 0.5 else 1024
    records = []
    print(f"# emkit EM benchmark — {datetime.datetime.now():%Y-%m-%d %H:%M}, "
          f"{platform.node()}, {os.cpu_count()} CPUs, scale {args.scale}, "
          f"{args.iters} iterations, median of up to {args.repeats} repeats",
          flush=True)

    # The machine's DGEMM rate: the better of Debian's OpenBLAS and numpy's.
    dgemm = {}
    for t in thread_counts:
        c = run_json([prog("dgemm_rate"), "--threads", str(t), "--n", str(dgemm_n)], t)
        n = numpy_dgemm(t, dgemm_n, 3)
        records += [dict(c, threads=t), dict(n, threads=t)]
        dgemm[t] = max(c.get("gflops", 0.0), n.get("gflops", 0.0))
        print(f"DGEMM {dgemm_n}², {t} thread(s): OpenBLAS {c.get('gflops', 0):.1f} GFLOP/s "
              f"({c.get('core', c.get('error'))}), numpy {n.get('gflops', 0):.1f} GFLOP/s "
              f"({n.get('core', n.get('error'))}) -> {dgemm[t]:.1f}", flush=True)

    common = ["--iters", str(args.iters), "--repeats", str(args.repeats),
              "--max-seconds", str(args.max_seconds)]
    for name in [c for c in args.cases.split(",") if c]:
        rows, d, k, cov, seed = cases.CASES[name]
        n = cases.scaled_rows(rows, k, d, args.scale)
        case_dir = os.path.join(work, f"{name}-{n}")
        cases.generate(name, n, d, k, cov, seed, case_dir)
        for t in thread_counts:
            runs = [("emkit", [prog("emkit_em_bench"), "--case", case_dir,
                               "--threads", str(t)] + common)]
            if "armadillo" in peers:
                runs.append(("armadillo", [prog("armadillo_em_bench"), "--case",
                                           case_dir] + common))
            python_peers = [q for q in ("sklearn", "pomegranate") if q in peers]
            if python_peers:
                # One process for both: the imports cost seconds.
                runs.append((",".join(python_peers),
                             [sys.executable, os.path.join(HERE, "peers.py"),
                              "--impl", ",".join(python_peers), "--case", case_dir,
                              "--threads", str(t)] + common))
            for impl, command in runs:
                lines = run_json_lines(command, t)
                if len(lines) == 1 and "impl" not in lines[0]:
                    lines = [dict(lines[0], impl=i) for i in impl.split(",")]
                for r in lines:
                    r.update(case=name, threads=t, n=n, d=d, k=k, covariance_type=cov)
                    records.append(r)
                    status = r.get("error") or r.get("unsupported") or \
                        f"{fmt_seconds(r.get('seconds_per_iter'))}/iter"
                    print(f"  {name} t={t} {r['impl']:12s} {status}", flush=True)

    # The float32 path: float64 and float32 repeats alternate in one process.
    for name in [c for c in args.float32_cases.split(",") if c]:
        rows, d, k, cov, seed = cases.CASES[name]
        n = cases.scaled_rows(rows, k, d, args.scale)
        case_dir = os.path.join(work, f"{name}-{n}")
        cases.generate(name, n, d, k, cov, seed, case_dir)
        for t in thread_counts:
            lines = run_json_lines([prog("emkit_em_bench"), "--case", case_dir, "--threads",
                                    str(t), "--dtype", "both"] + common, t)
            if len(lines) == 1 and "impl" not in lines[0]:
                lines = [dict(lines[0], impl=i) for i in ("emkit", "emkit-float32")]
            for r in lines:
                if r.get("impl") == "emkit":
                    r["impl"] = "emkit-float64-paired"
                r.update(case=name, threads=t, n=n, d=d, k=k, covariance_type=cov)
                records.append(r)
            f32 = lines[-1]
            status = f32.get("error") or \
                f"{fmt_seconds(f32.get('seconds_per_iter'))}/iter, " \
                f"{f32.get('speedup_vs_float64', 0):.2f}× float64"
            print(f"  {name} t={t} {'emkit-float32':12s} {status}", flush=True)

    if not args.no_scaling:
        rows, d, k, cov, seed = cases.CASES["C"]
        for rows in cases.SCALING_ROWS:
            n = cases.scaled_rows(rows, k, d, args.scale)
            case_dir = os.path.join(work, f"C-{n}")
            cases.generate("C", n, d, k, cov, cases.CASES["C"][4], case_dir)
            for t in thread_counts:
                r = run_json([prog("emkit_em_bench"), "--case", case_dir,
                              "--threads", str(t)] + common, t)
                r.update(impl="emkit", case="C-scaling", threads=t, n=n, d=d, k=k,
                         covariance_type=cov)
                records.append(r)

    with open(os.path.join(work, "results.json"), "w") as f:
        json.dump({"dgemm_gflops": dgemm, "scale": args.scale, "iters": args.iters,
                   "records": records}, f, indent=1)
    import report
    text, failures = report.render(records, dgemm, thread_counts, args.iters, peers)
    print(text)
    with open(os.path.join(work, "table.md"), "w") as f:
        f.write(text)
    print(f"(results: {os.path.join(work, 'results.json')}, "
          f"{os.path.join(work, 'table.md')})")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
