#!/usr/bin/env python3
"""Generate hmmlearn reference fixtures for the HMM parity tests.

Usage (from the repository root):

    .venv/bin/pip install hmmlearn
    .venv/bin/python tests/reference/make_hmmlearn_fixtures.py [--out DIR]

Writes tests/reference/fixtures/hmmlearn_<model>_<variant>.json. Each holds the
data (X, lengths), the initial parameters, the parameters after n_iter
Baum-Welch iterations, the log-likelihood history (of the parameters before
each M-step, hmmlearn's monitor_.history) and the total log-likelihood of the
final parameters (model.score). src/hmm/hmmlearn_parity_test.cc reads them.

Every model starts from the given parameters (init_params="") with all
parameters fitted, tol=-inf (exactly n_iter iterations) and priors set to
values that make hmmlearn's M-step the maximum-likelihood one:
startprob_prior = transmat_prior = 1, means_weight = 0, covars_prior = 0 and
covars_weight = 1 (GaussianHMM: its divisor is max(covars_weight - 1, 0) + N
for diag/spherical and max(covars_weight - D, 0) + N for full/tied),
emissionprob_prior = 1, lambdas_prior = lambdas_weight = 0. hmmlearn adds
min_covar only when it initialises covariances itself, which these runs do
not, so emkit runs with reg_covar = 0.

Two fixtures use non-neutral priors instead (the "_priors" variants):
CategoricalHMM with Dirichlet priors on the start, transition and emission
probabilities, and a one-state PoissonHMM with lambdas_prior and
lambdas_weight (see poisson_priors_case for why one state).

GMMHMM: hmmlearn accumulates the covariance statistics about the means of the
E-step, not the re-estimated ones, so its covariance update is not the
M-step's maximiser: Sigma_hmmlearn = Sigma_ML + d d^T with d = mean_new -
mean_old (diag: + d^2; spherical: + |d|^2 / D; tied, one covariance per
state: + sum_m w_km d_km d_km^T with the new weights). The fixture therefore
runs hmmlearn one iteration at a time and subtracts that term after each,
exactly; everything else (E-step, weights, means, transitions) is hmmlearn's
own. Its GMMHMM priors are made neutral as its _do_mstep requires: full, diag
and tied keep the defaults (which cancel), spherical needs covars_prior =
-(D + 2) / 2 and covars_weight = 0.
"""

import argparse
import json
import os
import platform
import sys

import numpy as np
import hmmlearn
from hmmlearn import hmm

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
GENERATOR = "tests/reference/make_hmmlearn_fixtures.py"
N_ITER = 10
LENGTHS = [60, 90, 25, 125]  # several sequences of different lengths


def tolist(a):
    return np.asarray(a, dtype=np.float64).tolist()


def random_chain(rng, k, zero=None):
    start = rng.dirichlet(np.full(k, 2.0))
    trans = rng.dirichlet(np.full(k, 2.0), size=k) + 2.0 * np.eye(k)
    if zero is not None:
        trans[zero] = 0.0  # a structural zero, kept by both libraries
    trans /= trans.sum(axis=1, keepdims=True)
    return start, trans


def sample_states(rng, start, trans, lengths):
    states = []
    for n in lengths:
        z = rng.choice(len(start), p=start)
        for _ in range(n):
            states.append(z)
            z = rng.choice(len(start), p=trans[z])
    return np.array(states)


def spd(rng, d, scale):
    a = rng.standard_normal((d, d))
    return scale * (a @ a.T / d + 0.5 * np.eye(d))


def header(model_name, variant):
    return {
        "generator": GENERATOR,
        "hmmlearn_version": hmmlearn.__version__,
        "numpy_version": np.__version__,
        "python_version": platform.python_version(),
        "model": model_name,
        "variant": variant,
        "n_iter": N_ITER,
    }


def common_out(model, X, lengths, start0, trans0):
    return {
        "X": tolist(X),
        "lengths": list(LENGTHS),
        "init": {"startprob": tolist(start0), "transmat": tolist(trans0)},
        "final": {"startprob": tolist(model.startprob_),
                  "transmat": tolist(model.transmat_)},
    }


def gaussian_case(covariance_type):
    # Seeds whose fits stay away from degenerate optima (a state shrinking
    # onto one point), where parameters are ill-conditioned.
    seed = {"diag": 1010, "full": 1001, "spherical": 1002, "tied": 1003}[covariance_type]
    rng = np.random.default_rng(seed)
    k, d = 3, 2
    start, trans = random_chain(rng, k, zero=(0, 2))
    true_means = np.array([[0.0, 0.0], [3.0, 1.0], [-2.0, 4.0]])
    z = sample_states(rng, start, trans, LENGTHS)
    X = true_means[z] + rng.standard_normal((len(z), d)) @ np.diag([1.0, 0.7])
    # Initial parameters away from the truth.
    means0 = true_means + rng.normal(scale=0.8, size=true_means.shape)
    if covariance_type == "diag":
        covars0 = rng.uniform(0.5, 2.0, size=(k, d))
    elif covariance_type == "spherical":
        covars0 = rng.uniform(0.5, 2.0, size=k)
    elif covariance_type == "full":
        covars0 = np.array([spd(rng, d, 1.0) for _ in range(k)])
    else:
        covars0 = spd(rng, d, 1.0)
    start0, trans0 = random_chain(rng, k, zero=(0, 2))
    model = hmm.GaussianHMM(
        n_components=k, covariance_type=covariance_type, min_covar=0.0,
        startprob_prior=1.0, transmat_prior=1.0, means_prior=0.0, means_weight=0.0,
        covars_prior=0.0, covars_weight=1.0, n_iter=N_ITER, tol=-np.inf,
        init_params="", params="stmc", implementation="log")
    model.startprob_ = start0.copy()
    model.transmat_ = trans0.copy()
    model.means_ = means0.copy()
    model.covars_ = covars0.copy()
    model.fit(X, LENGTHS)
    out = header("GaussianHMM", covariance_type)
    out.update(common_out(model, X, LENGTHS, start0, trans0))
    out["init"].update({"means": tolist(means0), "covars": tolist(covars0)})
    out["final"].update({"means": tolist(model.means_), "covars": tolist(model._covars_)})
    out["history"] = [float(v) for v in model.monitor_.history]
    out["final_total_log_likelihood"] = float(model.score(X, LENGTHS))
    assert np.min(np.linalg.eigvalsh(model.covars_)) > 0.05, "degenerate fit"
    return out


def gmm_case(covariance_type):
    rng = np.random.default_rng(
        2000 + ["diag", "full", "spherical", "tied"].index(covariance_type))
    k, m, d = 2, 2, 2
    start, trans = random_chain(rng, k)
    centers = np.array([[[0.0, 0.0], [2.5, 0.5]], [[-2.0, 3.0], [1.0, 4.0]]])
    z = sample_states(rng, start, trans, LENGTHS)
    pick = rng.integers(0, m, size=len(z))
    X = centers[z, pick] + 0.6 * rng.standard_normal((len(z), d))
    means0 = centers + rng.normal(scale=0.5, size=centers.shape)
    weights0 = rng.dirichlet(np.full(m, 3.0), size=k)
    if covariance_type == "diag":
        covars0 = rng.uniform(0.3, 1.0, size=(k, m, d))
    elif covariance_type == "spherical":
        covars0 = rng.uniform(0.3, 1.0, size=(k, m))
    elif covariance_type == "tied":
        covars0 = np.array([spd(rng, d, 0.5) for _ in range(k)])
    else:
        covars0 = np.array([[spd(rng, d, 0.5) for _ in range(m)] for _ in range(k)])
    start0, trans0 = random_chain(rng, k)
    priors = {}
    if covariance_type == "spherical":
        priors = {"covars_prior": -(d + 2.0) / 2.0, "covars_weight": 0.0}

    def one_iteration(params):
        model = hmm.GMMHMM(
            n_components=k, n_mix=m, covariance_type=covariance_type, min_covar=0.0,
            startprob_prior=1.0, transmat_prior=1.0, weights_prior=1.0,
            means_prior=0.0, means_weight=0.0, n_iter=1, tol=-np.inf,
            init_params="", params="stmcw", implementation="log", **priors)
        model.startprob_, model.transmat_, model.weights_, model.means_, model.covars_ = (
            p.copy() for p in params)
        score_before = model.score(X, LENGTHS)
        model.fit(X, LENGTHS)
        delta = model.means_ - params[3]
        covars = np.array(model.covars_)
        if covariance_type == "full":
            covars = covars - delta[..., :, None] * delta[..., None, :]
        elif covariance_type == "diag":
            covars = covars - delta ** 2
        elif covariance_type == "tied":
            covars = covars - np.einsum("km,kmi,kmj->kij", model.weights_, delta, delta)
        else:
            covars = covars - (delta ** 2).sum(-1) / d
        return score_before, (model.startprob_, model.transmat_, model.weights_,
                              model.means_, covars), model

    params = (start0, trans0, weights0, means0, covars0)
    history = []
    for _ in range(N_ITER):
        score, params, model = one_iteration(params)
        history.append(float(score))
    model.startprob_, model.transmat_, model.weights_, model.means_, model.covars_ = (
        p.copy() for p in params)
    out = header("GMMHMM", covariance_type)
    out["X"] = tolist(X)
    out["lengths"] = list(LENGTHS)
    out["init"] = {"startprob": tolist(start0), "transmat": tolist(trans0),
                   "weights": tolist(weights0), "means": tolist(means0),
                   "covars": tolist(covars0)}
    out["final"] = {"startprob": tolist(params[0]), "transmat": tolist(params[1]),
                    "weights": tolist(params[2]), "means": tolist(params[3]),
                    "covars": tolist(params[4])}
    out["history"] = history
    out["final_total_log_likelihood"] = float(model.score(X, LENGTHS))
    out["covariance_correction"] = "Sigma_ML = Sigma_hmmlearn - d d^T after each iteration"
    return out


def categorical_case():
    rng = np.random.default_rng(3000)
    k, v = 3, 5
    start, trans = random_chain(rng, k, zero=(1, 0))
    emission = rng.dirichlet(np.full(v, 0.7), size=k)
    z = sample_states(rng, start, trans, LENGTHS)
    X = np.array([rng.choice(v, p=emission[s]) for s in z])[:, None]
    start0, trans0 = random_chain(rng, k, zero=(1, 0))
    emission0 = rng.dirichlet(np.full(v, 3.0), size=k)
    model = hmm.CategoricalHMM(
        n_components=k, n_features=v, startprob_prior=1.0, transmat_prior=1.0,
        emissionprob_prior=1.0, n_iter=N_ITER, tol=-np.inf, init_params="",
        params="ste", implementation="log")
    model.startprob_, model.transmat_, model.emissionprob_ = start0, trans0, emission0
    model.fit(X, LENGTHS)
    out = header("CategoricalHMM", "symbols")
    out.update(common_out(model, X, LENGTHS, start0, trans0))
    out["init"]["emissionprob"] = tolist(emission0)
    out["final"]["emissionprob"] = tolist(model.emissionprob_)
    out["history"] = [float(h) for h in model.monitor_.history]
    out["final_total_log_likelihood"] = float(model.score(X, LENGTHS))
    return out


def poisson_case():
    rng = np.random.default_rng(4000)
    k, d = 3, 2
    start, trans = random_chain(rng, k)
    rates = np.array([[1.0, 6.0], [4.0, 0.5], [9.0, 3.0]])
    z = sample_states(rng, start, trans, LENGTHS)
    X = rng.poisson(rates[z]).astype(np.float64)
    start0, trans0 = random_chain(rng, k)
    lambdas0 = rates * rng.uniform(0.6, 1.5, size=rates.shape)
    model = hmm.PoissonHMM(
        n_components=k, startprob_prior=1.0, transmat_prior=1.0, lambdas_prior=0.0,
        lambdas_weight=0.0, n_iter=N_ITER, tol=-np.inf, init_params="", params="stl",
        implementation="log")
    model.startprob_, model.transmat_, model.lambdas_ = start0, trans0, lambdas0.copy()
    model.fit(X.astype(int), LENGTHS)
    out = header("PoissonHMM", "default")
    out.update(common_out(model, X, LENGTHS, start0, trans0))
    out["init"]["lambdas"] = tolist(lambdas0)
    out["final"]["lambdas"] = tolist(model.lambdas_)
    out["history"] = [float(h) for h in model.monitor_.history]
    out["final_total_log_likelihood"] = float(model.score(X.astype(int), LENGTHS))
    return out


def categorical_priors_case():
    """CategoricalHMM with non-neutral Dirichlet priors on every part, some
    concentrations below 1 (where hmmlearn's max(prior - 1 + counts, 0)
    clips)."""
    rng = np.random.default_rng(5000)
    k, v = 3, 5
    start, trans = random_chain(rng, k)
    emission = rng.dirichlet(np.full(v, 0.7), size=k)
    z = sample_states(rng, start, trans, LENGTHS)
    X = np.array([rng.choice(v, p=emission[s]) for s in z])[:, None]
    start0, trans0 = random_chain(rng, k)
    emission0 = rng.dirichlet(np.full(v, 3.0), size=k)
    startprob_prior = rng.uniform(0.5, 4.0, size=k)
    transmat_prior = rng.uniform(0.8, 6.0, size=(k, k))
    emissionprob_prior = rng.uniform(0.5, 3.0, size=(k, v))
    model = hmm.CategoricalHMM(
        n_components=k, n_features=v, startprob_prior=startprob_prior,
        transmat_prior=transmat_prior, emissionprob_prior=emissionprob_prior,
        n_iter=N_ITER, tol=-np.inf, init_params="", params="ste", implementation="log")
    model.startprob_, model.transmat_, model.emissionprob_ = start0, trans0, emission0
    model.fit(X, LENGTHS)
    out = header("CategoricalHMM", "priors")
    out.update(common_out(model, X, LENGTHS, start0, trans0))
    out["priors"] = {"startprob_prior": tolist(startprob_prior),
                     "transmat_prior": tolist(transmat_prior),
                     "emissionprob_prior": tolist(emissionprob_prior)}
    out["init"]["emissionprob"] = tolist(emission0)
    out["final"]["emissionprob"] = tolist(model.emissionprob_)
    out["history"] = [float(h) for h in model.monitor_.history]
    out["final_total_log_likelihood"] = float(model.score(X, LENGTHS))
    return out


def poisson_priors_case():
    """PoissonHMM with a Gamma prior on the rates. hmmlearn's M-step is
    (lambdas_prior + N * mean_k) / (lambdas_weight + N) with N the posterior
    weight of all states, which is the Gamma posterior's
    (prior + sum_t p_tk x_t) / (weight + sum_t p_tk) only for one state: the
    fixture has one state (and priors on the chain, which then has nothing
    to fit but keeps the run comparable)."""
    rng = np.random.default_rng(6000)
    d = 3
    X = rng.poisson([2.0, 7.0, 0.3], size=(sum(LENGTHS), d)).astype(np.float64)
    start0, trans0 = np.ones(1), np.ones((1, 1))
    lambdas0 = np.array([[1.0, 5.0, 1.0]])
    model = hmm.PoissonHMM(
        n_components=1, startprob_prior=2.0, transmat_prior=3.0, lambdas_prior=40.0,
        lambdas_weight=9.0, n_iter=N_ITER, tol=-np.inf, init_params="", params="stl",
        implementation="log")
    model.startprob_, model.transmat_, model.lambdas_ = start0, trans0, lambdas0.copy()
    model.fit(X.astype(int), LENGTHS)
    out = header("PoissonHMM", "priors")
    out.update(common_out(model, X, LENGTHS, start0, trans0))
    out["priors"] = {"startprob_prior": 2.0, "transmat_prior": 3.0,
                     "lambdas_prior": 40.0, "lambdas_weight": 9.0}
    out["init"]["lambdas"] = tolist(lambdas0)
    out["final"]["lambdas"] = tolist(model.lambdas_)
    out["history"] = [float(h) for h in model.monitor_.history]
    out["final_total_log_likelihood"] = float(model.score(X.astype(int), LENGTHS))
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=os.path.join(REPO_ROOT, "tests", "reference", "fixtures"))
    args = parser.parse_args()
    cases = {f"hmmlearn_gaussian_{c}": (lambda c=c: gaussian_case(c))
             for c in ("diag", "full", "spherical", "tied")}
    cases.update({f"hmmlearn_gmm_{c}": (lambda c=c: gmm_case(c))
                  for c in ("diag", "full", "spherical", "tied")})
    cases["hmmlearn_categorical"] = categorical_case
    cases["hmmlearn_poisson"] = poisson_case
    cases["hmmlearn_categorical_priors"] = categorical_priors_case
    cases["hmmlearn_poisson_priors"] = poisson_priors_case
    os.makedirs(args.out, exist_ok=True)
    for name, make in cases.items():
        data = make()
        path = os.path.join(args.out, name + ".json")
        with open(path, "w") as f:
            json.dump(data, f, indent=1)
            f.write("\n")
        print(f"{path}: final total log-likelihood {data['final_total_log_likelihood']:.10f}",
              file=sys.stderr)


if __name__ == "__main__":
    main()
