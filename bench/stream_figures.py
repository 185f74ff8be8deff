"""The figures of streamed fits (emkit fit --stream / --memory-limit),
measured by running the command:

  1. Peak resident memory (/usr/bin/time -v, "Maximum resident set size")
     of `emkit fit BIG.npy -k 8 --covariance diag --max-iter 3 --tol 0
     --memory-limit 256M` on .npy files of 16 float64 features from 10^6 to
     --rows rows (default 3.2*10^7: 4.1 GB), with --init random (one pass)
     and with k-means++ (which keeps nothing per row on a stream); a file
     under the limit is read whole, and measured with --stream as well.
  2. Seconds per EM iteration of the largest file from the page cache,
     streamed against read whole (no --stream; the file fits in memory),
     the two alternating --repeats times: the median ratio.
  3. From a cold cache (where /proc/sys/vm/drop_caches can be written): the
     sequential read rate of the file (dd, after dropping the caches) and
     the rate a streamed EM iteration reads it at, with the caches dropped
     every --drop-every seconds while the fit runs, so that every pass
     reads the disk; in the same run.

  python bench/stream_figures.py [--rows 32000000] [--sizes 1e6,3e6,1e7,3e7]
      [--work DIR] [--repeats 3] [--emkit build/cli/emkit] [--keep] [--memory-only]

The data files (about 9 GB with the default sizes) are written to --work
(default /tmp/emkit-stream-bench) and removed afterwards unless --keep.
"""
import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time

import numpy as np

from machine import cpu_model

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
FEATURES = 16
K = 8
DROP_CACHES = "/proc/sys/vm/drop_caches"


def write_npy(path, rows, seed):
    """rows x 16 float64 from a mixture of 8 diagonal Gaussians, in chunks."""
    if os.path.exists(path) and os.path.getsize(path) > rows * FEATURES * 8:
        return
    rng = np.random.default_rng(seed)
    centres = rng.normal(scale=5.0, size=(K, FEATURES))
    scales = rng.uniform(0.5, 2.0, size=(K, FEATURES))
    out = np.lib.format.open_memmap(path, mode="w+", dtype=np.float64,
                                    shape=(rows, FEATURES))
    chunk = 1 << 20
    for first in range(0, rows, chunk):
        n = min(chunk, rows - first)
        labels = rng.integers(0, K, size=n)
        out[first:first + n] = centres[labels] + rng.normal(size=(n, FEATURES)) * scales[labels]
    out.flush()
    del out


def fit_command(emkit, data, *flags):
    return [emkit, "fit", data, "-k", str(K), "--covariance", "diag", "--max-iter", "3",
            "--tol", "0", "--seed", "1", "-q", *flags]


def peak_rss_mb(command):
    out = subprocess.run(["/usr/bin/time", "-v", *command], capture_output=True, text=True,
                         check=False)
    if out.returncode != 0:
        sys.exit(out.stderr)
    kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", out.stderr).group(1))
    return kb / 1024.0


def iteration_seconds(command):
    """The EM iterations' seconds from the fit's JSON report."""
    out = subprocess.run([*command, "--json"], capture_output=True, text=True, check=False)
    if out.returncode != 0:
        sys.exit(out.stderr)
    report = json.loads(out.stdout)
    return [it["seconds"] for it in report["restarts"][0]["iterations"]]


def dd_rate(path):
    out = subprocess.run(["dd", f"if={path}", "of=/dev/null", "bs=8M"], capture_output=True,
                         text=True, check=False)
    seconds = float(re.search(r"copied, ([0-9.]+) s", out.stderr).group(1))
    return os.path.getsize(path) / seconds


def drop_caches():
    with open(DROP_CACHES, "w") as f:
        f.write("3\n")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=32_000_000)
    parser.add_argument("--sizes", default="1e6,3e6,1e7,3e7")
    parser.add_argument("--work", default="/tmp/emkit-stream-bench")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--drop-every", type=float, default=0.05)
    parser.add_argument("--emkit", default=os.path.join(ROOT, "build", "cli", "emkit"))
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--memory-only", action="store_true",
                        help="measure the peak resident memory only (part 1)")
    args = parser.parse_args()
    os.makedirs(args.work, exist_ok=True)
    sizes = sorted({int(float(s)) for s in args.sizes.split(",")} | {args.rows})
    files = {}
    for n in sizes:
        files[n] = os.path.join(args.work, f"rows-{n}.npy")
        write_npy(files[n], n, seed=n)
    big = files[args.rows]
    model = os.path.join(args.work, "model.json")

    print(f"CPU: {cpu_model()}, {os.cpu_count()} cores; "
          f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB memory")
    print()
    print("Peak resident memory, emkit fit -k 8 --covariance diag --max-iter 3 "
          "--memory-limit 256M (MB, /usr/bin/time -v):")
    print()
    print("| rows | file (GB) | --init random | --init kmeans++ |")
    print("|---|---|---|---|")
    limit = 256 * 2**20
    for n in sizes:
        flags = ["--memory-limit", "256M", "-o", model]
        cells = []
        for init in (["--init", "random"], []):
            peak = peak_rss_mb(fit_command(args.emkit, files[n], *flags, *init))
            cell = f"{peak:.0f}"
            if n * 16 * 8 <= limit:  # read whole under the limit: streamed too
                streamed = peak_rss_mb(fit_command(args.emkit, files[n], *flags, *init,
                                                   "--stream"))
                cell += f" ({streamed:.0f} with --stream)"
            cells.append(cell)
        print(f"| {n:.2g} | {os.path.getsize(files[n]) / 1e9:.2f} | {cells[0]} | {cells[1]} |",
              flush=True)
    print()
    if args.memory_only:
        if not args.keep:
            shutil.rmtree(args.work)
        return

    # Page cache: streamed against in memory, alternating.
    subprocess.run(["cat", big], stdout=subprocess.DEVNULL, check=True)  # into the cache
    ratios = []
    for _ in range(args.repeats):
        memory = iteration_seconds(fit_command(args.emkit, big, "--init", "random", "-o", model))
        streamed = iteration_seconds(fit_command(args.emkit, big, "--init", "random", "--stream",
                                                 "-o", model))
        ratios.append(statistics.median(streamed) / statistics.median(memory))
        print(f"  seconds per iteration: in memory {statistics.median(memory):.3f}, "
              f"streamed from the page cache {statistics.median(streamed):.3f}")
    print(f"Page cache: streamed / in-memory seconds per iteration, median of "
          f"{args.repeats}: {statistics.median(ratios):.3f}")
    print()

    if not os.access(DROP_CACHES, os.W_OK):
        print(f"Cold cache: {DROP_CACHES} cannot be written here; not measured.")
    else:
        drop_caches()
        rate = dd_rate(big)
        stop = threading.Event()

        def dropper():
            while not stop.is_set():
                drop_caches()
                time.sleep(args.drop_every)

        drop_caches()
        thread = threading.Thread(target=dropper)
        thread.start()
        try:
            seconds = iteration_seconds(fit_command(args.emkit, big, "--init", "random",
                                                    "--stream", "-o", model))
        finally:
            stop.set()
            thread.join()
        fit_rate = os.path.getsize(big) / statistics.median(seconds)
        print(f"Cold cache: dd reads the file at {rate / 1e6:.0f} MB/s; a streamed EM "
              f"iteration reads it at {fit_rate / 1e6:.0f} MB/s (median of "
              f"{len(seconds)} iterations, caches dropped every {args.drop_every} s): "
              f"{fit_rate / rate:.2f} of dd's rate")
    if not args.keep:
        shutil.rmtree(args.work)


if __name__ == "__main__":
    main()
