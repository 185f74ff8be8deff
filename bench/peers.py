"""Times scikit-learn's or pomegranate's EM on one benchmark case from the
case's initial parameters, for a fixed number of iterations; prints one JSON
line per implementation, in the format of emkit_em_bench.

    python peers.py --impl sklearn,pomegranate --case DIR --threads T
                    --iters N --repeats R [--max-seconds S]

Only the iterations are timed. For scikit-learn that is the loop body of
GaussianMixture.fit (an E-step, then an M-step), run on an estimator whose
fitted attributes are set to the initial parameters; fit itself would also
run its initialisation and a final E-step. For pomegranate it is the body of
GeneralMixtureModel.fit (summarize, then from_summaries) on float64 tensors.
Both run without covariance regularisation (reg_covar = 0, min_cov None), as
every implementation in the benchmark does. The final mean log-likelihood is
computed after the clock stops.
"""
import argparse
import json
import sys
import time

import numpy as np

import cases


def run_sklearn(x, weights, means, covariances, meta, args):
    from sklearn.mixture import GaussianMixture
    from sklearn.mixture._gaussian_mixture import _compute_precision_cholesky

    cov_type = meta["covariance_type"]
    gm = GaussianMixture(n_components=meta["k"], covariance_type=cov_type,
                         reg_covar=0.0, tol=0.0, max_iter=args.iters)
    per_iter = []
    for r in range(args.repeats):
        gm.weights_ = weights.copy()
        gm.means_ = means.copy()
        gm.covariances_ = covariances.copy()
        gm.precisions_cholesky_ = _compute_precision_cholesky(
            gm.covariances_, cov_type)
        start = time.perf_counter()
        for _ in range(args.iters):
            _, log_resp = gm._e_step(x)
            gm._m_step(x, log_resp)
        seconds = time.perf_counter() - start
        per_iter.append(seconds / args.iters)
        if sum(per_iter) * args.iters > args.max_seconds:
            break
    return {"n_iter": args.iters, "mean_log_likelihood": float(gm.score(x)),
            "seconds_per_iter_each": per_iter,
            "version": __import__("sklearn").__version__}


def run_pomegranate(x, weights, means, covariances, meta, args):
    import torch
    from pomegranate.distributions import Normal
    from pomegranate.gmm import GeneralMixtureModel

    torch.set_num_threads(args.threads)
    # pomegranate allocates some accumulators (the mixture's weight sums)
    # with torch's default dtype; float64 keeps the whole fit in double.
    torch.set_default_dtype(torch.float64)
    cov_type = {"full": "full", "diag": "diag", "spherical": "sphere"}.get(
        meta["covariance_type"])
    if cov_type is None:
        return {"unsupported": "pomegranate has no %s covariance"
                % meta["covariance_type"]}
    xt = torch.from_numpy(x)

    def initial_model():
        # A spherical component's variance is given once per feature.
        covs = (np.repeat(covariances[:, None], meta["d"], axis=1)
                if cov_type == "sphere" else covariances)
        dists = [Normal(means=torch.from_numpy(means[j].copy()),
                        covs=torch.from_numpy(covs[j].copy()), covariance_type=cov_type)
                 for j in range(meta["k"])]
        return GeneralMixtureModel(dists, priors=torch.from_numpy(weights.copy()),
                                   max_iter=args.iters, tol=0.0)

    per_iter = []
    with torch.inference_mode():
        for r in range(args.repeats):
            model = initial_model()
            start = time.perf_counter()
            for _ in range(args.iters):
                model.summarize(xt)
                model.from_summaries()
            seconds = time.perf_counter() - start
            per_iter.append(seconds / args.iters)
            if sum(per_iter) * args.iters > args.max_seconds:
                break
        loglik = float(model.log_probability(xt).mean())
    return {"n_iter": args.iters, "mean_log_likelihood": loglik,
            "seconds_per_iter_each": per_iter,
            "version": __import__("pomegranate").__version__,
            "torch": torch.__version__, "torch_threads": torch.get_num_threads()}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--impl", required=True,
                        help="comma-separated: sklearn, pomegranate")
    parser.add_argument("--case", required=True)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--iters", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--max-seconds", type=float, default=1e30)
    args = parser.parse_args()

    from threadpoolctl import threadpool_info, threadpool_limits

    x, weights, means, covariances, meta = cases.load(args.case)
    runners = {"sklearn": run_sklearn, "pomegranate": run_pomegranate}
    for impl in args.impl.split(","):
        with threadpool_limits(limits=args.threads):
            try:
                out = runners[impl](x, weights, means, covariances, meta, args)
            except ImportError as e:
                out = {"unsupported": "not installed: %s" % e}
            except Exception as e:  # reported in the table, not fatal
                out = {"error": "%s: %s" % (type(e).__name__, e)}
            # Which BLAS kernels ran: OPENBLAS_CORETYPE would pin them.
            out["blas"] = [
                {k: info.get(k) for k in ("internal_api", "version", "architecture",
                                          "num_threads", "filepath")}
                for info in threadpool_info() if info.get("user_api") == "blas"]
        if "seconds_per_iter_each" in out:
            out["seconds_per_iter"] = float(np.median(out["seconds_per_iter_each"]))
            out["repeats"] = len(out["seconds_per_iter_each"])
        out.update({"impl": impl, "case": meta["name"],
                    "covariance_type": meta["covariance_type"],
                    "threads": args.threads, "iters": args.iters})
        print(json.dumps(out), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
