"""Renders the benchmark records (see run.py) as Markdown: the main table,
the correctness checks and the speed targets. Targets are reported, never
asserted; only correctness failures are returned as failures."""
import cases

PEER_ORDER = ("sklearn", "pomegranate", "armadillo")
LOGLIK_RTOL = 1e-9
# The float32 path's final mean log-likelihood against float64's, from the
# same initial parameters (the data rounded to float once).
FLOAT32_LOGLIK_RTOL = 1e-5


def _seconds(s):
    if s is None:
        return "—"
    return f"{s * 1e3:.3g} ms" if s < 1 else f"{s:.3g} s"


def _find(records, impl, case, threads):
    for r in records:
        if r.get("impl") == impl and r.get("case") == case and r.get("threads") == threads:
            return r
    return None


def _speed(r):
    return r.get("seconds_per_iter") if r and "seconds_per_iter" in r else None


def render(records, dgemm, thread_counts, iters, peers):
    lines, failures, notes = [], [], []
    peers = [p for p in PEER_ORDER if p in peers]
    case_names = [c for c in cases.CASES if _find(records, "emkit", c, thread_counts[0])]
    head = ["case", "N×D×K", "cov", "thr", "emkit s/iter", "GFLOP/s", "of DGEMM"]
    head += [f"{p} s/iter (emkit ×)" for p in peers] + ["vs fastest peer", "log-lik"]
    lines.append("| " + " | ".join(head) + " |")
    lines.append("|" + "---|" * len(head))
    speedups = {}
    for name in case_names:
        for t in thread_counts:
            e = _find(records, "emkit", name, t)
            if e is None:
                continue
            if "error" in e:
                failures.append(f"{name} t={t}: emkit failed: {e['error']}")
                continue
            es = _speed(e)
            flops = cases.useful_flops(e["covariance_type"], e["n"], e["d"], e["k"])
            gflops = flops / es * 1e-9
            row = [name, f"{e['n']}×{e['d']}×{e['k']}", e["covariance_type"], str(t),
                   _seconds(es), f"{gflops:.1f}", f"{gflops / dgemm[t]:.0%}"]
            worst = 0.0
            fastest = None
            for p in peers:
                r = _find(records, p, name, t)
                if r is None or "unsupported" in r:
                    row.append("n/a")
                    continue
                if "error" in r:
                    row.append("error")
                    failures.append(f"{name} t={t}: {p} failed: {r['error']}")
                    continue
                ps = _speed(r)
                row.append(f"{_seconds(ps)} ({ps / es:.2f}×)")
                fastest = ps if fastest is None else min(fastest, ps)
                rel = abs(r["mean_log_likelihood"] - e["mean_log_likelihood"]) / abs(
                    e["mean_log_likelihood"])
                worst = max(worst, rel)
                if rel > LOGLIK_RTOL:
                    failures.append(
                        f"MISMATCH {name} t={t}: {p} mean log-likelihood "
                        f"{r['mean_log_likelihood']!r} vs emkit "
                        f"{e['mean_log_likelihood']!r} (relative {rel:.2e})")
                if r.get("n_iter", iters) != iters:
                    notes.append(f"{name} t={t}: {p} stopped after {r['n_iter']} of "
                                 f"{iters} iterations (its own convergence test); its "
                                 "time per iteration is over the iterations it ran")
            speedups[(name, t)] = fastest / es if fastest else None
            row.append(f"{fastest / es:.2f}×" if fastest else "—")
            row.append(f"{e['mean_log_likelihood']:.10g} (≤{worst:.0e})")
            lines.append("| " + " | ".join(row) + " |")
            if e.get("certificate_violations", 0):
                failures.append(f"{name} t={t}: emkit reported "
                                f"{e['certificate_violations']} certificate violations")
            if e.get("n_iter") != iters:
                failures.append(f"{name} t={t}: emkit ran {e.get('n_iter')} iterations")
        # Bit-identical across thread counts.
        runs = [_find(records, "emkit", name, t) for t in thread_counts]
        keys = {(r.get("param_hash"), r.get("mean_log_likelihood")) for r in runs if r}
        if len(keys) > 1:
            failures.append(f"{name}: emkit results differ between thread counts: {keys}")

    lines.append("")
    lines.append(f"DGEMM rate (GFLOP/s): " +
                 ", ".join(f"{t} thread(s) {dgemm[t]:.1f}" for t in thread_counts) +
                 ". “emkit ×” = peer time / emkit time. Log-likelihood: emkit's final "
                 "mean log-likelihood (worst relative difference of a peer).")

    # The speed targets, reported.
    lines.append("")
    lines.append("Targets (reported, not asserted):")
    for (name, t), s in speedups.items():
        if s is None:
            continue
        base = name.split("-")[0]
        goal = (3.0 if t >= 2 else 2.0) if base == "D" else (5.0 if t >= 2 else 3.0)
        lines.append(f"- {name} t={t}: {s:.2f}× the fastest peer (target {goal:g}×): "
                     f"{'met' if s >= goal else 'not met'}")
    for name in ("A", "D"):
        for t in thread_counts:
            e = _find(records, "emkit", name, t)
            if e and "seconds_per_iter" in e:
                frac = cases.useful_flops(e["covariance_type"], e["n"], e["d"], e["k"]) / \
                    e["seconds_per_iter"] * 1e-9 / dgemm[t]
                lines.append(f"- {name} t={t}: {frac:.0%} of DGEMM (target 40%): "
                             f"{'met' if frac >= 0.4 else 'not met'}")
    if 1 in thread_counts and 2 in thread_counts:
        for name in ("A", "B", "C", "D"):
            one, two = _find(records, "emkit", name, 1), _find(records, "emkit", name, 2)
            if _speed(one) and _speed(two):
                s = _speed(one) / _speed(two)
                lines.append(f"- {name}: 2 threads {s:.2f}× one thread (target 1.8×): "
                             f"{'met' if s >= 1.8 else 'not met'}")

    scaling = [r for r in records if r.get("case") == "C-scaling" and _speed(r)]
    if scaling:
        lines.append("")
        lines.append("Case C's shape at growing N (emkit): time per row, peak memory")
        lines.append("")
        lines.append("| N | thr | ns/row/iter | peak RSS / data | (peak − start) / data |")
        lines.append("|---|---|---|---|---|")
        for t in thread_counts:
            per_row = []
            for r in sorted((r for r in scaling if r["threads"] == t), key=lambda r: r["n"]):
                ns = _speed(r) / r["n"] * 1e9
                per_row.append(ns)
                data = r["data_bytes"]
                lines.append(f"| {r['n']} | {t} | {ns:.2f} | {r['peak_rss_bytes'] / data:.2f} | "
                             f"{(r['peak_rss_bytes'] - r['rss_before_load_bytes']) / data:.2f} |")
            if per_row:
                spread = max(per_row) / min(per_row)
                lines.append(f"| | {t} | max/min {spread:.2f} (target ≤ 1.2: "
                             f"{'met' if spread <= 1.2 else 'not met'}) | | |")
    float32_lines, float32_failures = _render_float32(records, thread_counts, iters)
    lines += float32_lines
    failures += float32_failures
    if notes:
        lines.append("")
        lines.append("Notes:")
        lines += [f"- {n}" for n in notes]
    if failures:
        lines.append("")
        lines.append("**FAILURES (a speed figure for a wrong answer does not count):**")
        lines += [f"- {f}" for f in failures]
    return "\n".join(lines) + "\n", failures


def _render_float32(records, thread_counts, iters):
    """The float32 path against float64, measured in one process with
    alternating repeats (emkit_em_bench --dtype both)."""
    lines, failures = [], []
    names = [c for c in cases.CASES
             if any(_find(records, "emkit-float32", c, t) for t in thread_counts)]
    if not names:
        return lines, failures
    lines.append("")
    lines.append("float32 path (emkit, same initial parameters, data rounded to float; "
                 "repeats alternate float64/float32 in one process)")
    lines.append("")
    lines.append("| case | cov | thr | float64 s/iter | float32 s/iter | float32 speed-up "
                 "(median of paired ratios) | log-lik float64 | rel. diff |")
    lines.append("|---|---|---|---|---|---|---|---|")
    for name in names:
        for t in thread_counts:
            f = _find(records, "emkit-float32", name, t)
            d = _find(records, "emkit-float64-paired", name, t)
            if f is None or d is None:
                continue
            if "error" in f or "error" in d:
                failures.append(f"{name} t={t}: float32 run failed: "
                                f"{f.get('error') or d.get('error')}")
                continue
            rel = abs(f["mean_log_likelihood"] - d["mean_log_likelihood"]) / abs(
                d["mean_log_likelihood"])
            lines.append(f"| {name} | {f['covariance_type']} | {t} | "
                         f"{_seconds(_speed(d))} | {_seconds(_speed(f))} | "
                         f"{f['speedup_vs_float64']:.2f}× | "
                         f"{d['mean_log_likelihood']:.10g} | {rel:.1e} |")
            if rel > FLOAT32_LOGLIK_RTOL:
                failures.append(f"MISMATCH {name} t={t}: float32 mean log-likelihood "
                                f"{f['mean_log_likelihood']!r} vs float64 "
                                f"{d['mean_log_likelihood']!r} (relative {rel:.2e})")
            if f.get("certificate_violations", 0):
                failures.append(f"{name} t={t}: float32 run reported "
                                f"{f['certificate_violations']} certificate violations")
            if f.get("n_iter") != iters:
                failures.append(f"{name} t={t}: float32 run ran {f.get('n_iter')} iterations")
        runs = [_find(records, "emkit-float32", name, t) for t in thread_counts]
        keys = {(r.get("param_hash"), r.get("mean_log_likelihood")) for r in runs if r}
        if len(keys) > 1:
            failures.append(f"{name}: float32 results differ between thread counts: {keys}")
    lines.append("")
    lines.append("Target: float32 at least 1.7× float64 per iteration on A, B, C (1 thread), "
                 f"final log-likelihood within {FLOAT32_LOGLIK_RTOL:g} relative.")
    for name in ("A", "B", "C"):
        f = _find(records, "emkit-float32", name, 1)
        if f and "speedup_vs_float64" in f:
            s = f["speedup_vs_float64"]
            lines.append(f"- {name} t=1: {s:.2f}× ({'met' if s >= 1.7 else 'not met'})")
    return lines, failures
