#!/usr/bin/env python3
"""Generate reference fixtures for the Bernoulli, Categorical and Poisson mixtures.

Usage (from the repository root, in an environment with pomegranate 1.x):

    python tests/reference/make_discrete_fixtures.py [--out DIR]

Writes tests/reference/fixtures/discrete_<case>.json. Every case runs EM for
exactly n_iter iterations from fully specified initial parameters and records
the parameters after the last M-step and the weighted total log-likelihood
before every M-step and after the last one.

Two independent implementations produce the results:

- pomegranate 1.x GeneralMixtureModel (Bernoulli, Poisson and, with one
  feature, Categorical distributions) for the Bernoulli, Poisson and
  categorical-symbols cases. pomegranate runs in float64 here
  (torch.set_default_dtype) and is driven by its own summarize /
  from_summaries, exactly what its fit() does.
- For multinomial count rows (pomegranate has no multinomial distribution):
  a direct EM written from the textbook formulas, whose log-probabilities come
  from scipy.stats.multinomial.logpmf (coefficient included), not from the
  code under test's formula.

All data and initial parameters come from fixed seeds; the data are small
integers, so the JSON text is the exact input.
"""

import argparse
import json
import os
import platform

import numpy as np
import scipy
import scipy.stats
from scipy.special import logsumexp
import torch
import pomegranate
from pomegranate.distributions import Bernoulli, Categorical, Poisson
from pomegranate.gmm import GeneralMixtureModel

torch.set_default_dtype(torch.float64)

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
GENERATOR = "tests/reference/make_discrete_fixtures.py"


def initial_weights(k):
    w = np.arange(k + 1, 1, -1, dtype=np.float64)
    return w / w.sum()


# ---------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------


def bernoulli_data(seed, n, d, k):
    rng = np.random.default_rng(seed)
    probs = rng.uniform(0.1, 0.9, size=(k, d))
    z = rng.choice(k, size=n, p=np.linspace(1.0, 2.0, k) / np.linspace(1.0, 2.0, k).sum())
    x = (rng.uniform(size=(n, d)) < probs[z]).astype(np.float64)
    init = rng.uniform(0.25, 0.75, size=(k, d))
    return x, init


def poisson_data(seed, n, d, k):
    rng = np.random.default_rng(seed)
    rates = rng.uniform(0.5, 12.0, size=(k, d))
    z = rng.choice(k, size=n)
    x = rng.poisson(rates[z]).astype(np.float64)
    init = x.mean(axis=0) * rng.uniform(0.5, 1.5, size=(k, d))
    return x, init


def symbol_data(seed, n, v, k):
    rng = np.random.default_rng(seed)
    probs = rng.dirichlet(np.ones(v), size=k)
    z = rng.choice(k, size=n)
    x = np.array([rng.choice(v, p=probs[c]) for c in z], dtype=np.int64)[:, None]
    init = rng.dirichlet(2.0 * np.ones(v), size=k)
    return x, init


def count_data(seed, n, v, k):
    rng = np.random.default_rng(seed)
    probs = rng.dirichlet(0.5 * np.ones(v), size=k)
    z = rng.choice(k, size=n)
    totals = rng.integers(5, 31, size=n)
    x = np.array([rng.multinomial(t, probs[c]) for t, c in zip(totals, z)],
                 dtype=np.float64)
    init = rng.dirichlet(2.0 * np.ones(v), size=k)
    return x, init


def integer_weights(seed, n):
    return np.random.default_rng(seed).integers(1, 4, size=n).astype(np.float64)


# ---------------------------------------------------------------------------
# pomegranate runs
# ---------------------------------------------------------------------------


def run_pomegranate(components, weights, x, sample_weight, n_iter):
    """EM as GeneralMixtureModel.fit does it, recording the likelihoods."""
    model = GeneralMixtureModel(components, priors=torch.tensor(weights),
                                max_iter=n_iter, tol=float("-inf"))
    xt = torch.tensor(x)
    sw = None if sample_weight is None else torch.tensor(sample_weight)
    w = np.ones(x.shape[0]) if sample_weight is None else sample_weight

    def total_loglik():
        return float(np.dot(w, model.log_probability(xt).numpy()))

    logliks = []
    for _ in range(n_iter):
        logliks.append(total_loglik())
        model.summarize(xt, sample_weight=sw)
        model.from_summaries()
    logliks.append(total_loglik())
    return model, logliks


def case_bernoulli(name, seed, n, d, k, n_iter, weighted):
    x, init = bernoulli_data(seed, n, d, k)
    sw = integer_weights(seed + 1, n) if weighted else None
    weights = initial_weights(k)
    comps = [Bernoulli(torch.tensor(init[c])) for c in range(k)]
    model, logliks = run_pomegranate(comps, weights, x, sw, n_iter)
    params = np.stack([m.probs.detach().numpy() for m in model.distributions])
    return dict(family="bernoulli", layout=None, X=x, sample_weight=sw,
                init=dict(weights=weights, parameters=init),
                result=dict(weights=model.priors.detach().numpy(), parameters=params),
                log_likelihoods=logliks, n_iter=n_iter, reference="pomegranate",
                name=name)


def case_poisson(name, seed, n, d, k, n_iter, weighted):
    x, init = poisson_data(seed, n, d, k)
    sw = integer_weights(seed + 1, n) if weighted else None
    weights = initial_weights(k)
    comps = [Poisson(torch.tensor(init[c])) for c in range(k)]
    model, logliks = run_pomegranate(comps, weights, x, sw, n_iter)
    params = np.stack([m.lambdas.detach().numpy() for m in model.distributions])
    return dict(family="poisson", layout=None, X=x, sample_weight=sw,
                init=dict(weights=weights, parameters=init),
                result=dict(weights=model.priors.detach().numpy(), parameters=params),
                log_likelihoods=logliks, n_iter=n_iter, reference="pomegranate",
                name=name)


def case_symbols(name, seed, n, v, k, n_iter):
    x, init = symbol_data(seed, n, v, k)
    weights = initial_weights(k)
    comps = [Categorical(torch.tensor(init[c][None, :])) for c in range(k)]
    model = GeneralMixtureModel(comps, priors=torch.tensor(weights),
                                max_iter=n_iter, tol=float("-inf"))
    xt = torch.tensor(x)
    logliks = []
    for _ in range(n_iter):
        logliks.append(float(model.log_probability(xt).sum()))
        model.summarize(xt)
        model.from_summaries()
    logliks.append(float(model.log_probability(xt).sum()))
    params = np.stack([m.probs.detach().numpy()[0] for m in model.distributions])
    return dict(family="categorical", layout="symbols", X=x.astype(np.float64),
                sample_weight=None, init=dict(weights=weights, parameters=init),
                result=dict(weights=model.priors.detach().numpy(), parameters=params),
                log_likelihoods=logliks, n_iter=n_iter, reference="pomegranate",
                name=name)


# ---------------------------------------------------------------------------
# Multinomial counts: a direct EM on scipy's multinomial log-pmf
# ---------------------------------------------------------------------------


def multinomial_em(x, sample_weight, weights, theta, n_iter):
    w = np.ones(x.shape[0]) if sample_weight is None else sample_weight
    totals = x.sum(axis=1).astype(np.int64)

    def log_joint(weights, theta):
        lp = np.column_stack([
            scipy.stats.multinomial.logpmf(x, totals, theta[c])
            for c in range(theta.shape[0])])
        return lp + np.log(weights)

    logliks = []
    for _ in range(n_iter):
        lj = log_joint(weights, theta)
        norm = logsumexp(lj, axis=1)
        logliks.append(float(np.dot(w, norm)))
        r = np.exp(lj - norm[:, None]) * w[:, None]
        weights = r.sum(axis=0) / r.sum()
        c = r.T @ x
        theta = c / c.sum(axis=1, keepdims=True)
    logliks.append(float(np.dot(w, logsumexp(log_joint(weights, theta), axis=1))))
    return weights, theta, logliks


def case_counts(name, seed, n, v, k, n_iter, weighted):
    x, init = count_data(seed, n, v, k)
    sw = integer_weights(seed + 1, n) if weighted else None
    weights = initial_weights(k)
    w_out, theta, logliks = multinomial_em(x, sw, weights, init, n_iter)
    return dict(family="categorical", layout="counts", X=x, sample_weight=sw,
                init=dict(weights=weights, parameters=init),
                result=dict(weights=w_out, parameters=theta),
                log_likelihoods=logliks, n_iter=n_iter,
                reference="numpy EM on scipy.stats.multinomial.logpmf", name=name)


# ---------------------------------------------------------------------------


def to_json(case):
    def plain(a):
        return None if a is None else np.asarray(a).tolist()

    return {
        "format": 1,
        "generator": GENERATOR,
        "reference": case["reference"],
        "pomegranate_version": pomegranate.__version__,
        "torch_version": torch.__version__,
        "numpy_version": np.__version__,
        "scipy_version": scipy.__version__,
        "python_version": platform.python_version(),
        "case": case["name"],
        "family": case["family"],
        "layout": case["layout"],
        "n_iter": case["n_iter"],
        "X": plain(case["X"]),
        "sample_weight": plain(case["sample_weight"]),
        "init": {"weights": plain(case["init"]["weights"]),
                 "parameters": plain(case["init"]["parameters"])},
        "result": {"weights": plain(case["result"]["weights"]),
                   "parameters": plain(case["result"]["parameters"])},
        "log_likelihoods": case["log_likelihoods"],
    }


def all_cases():
    return [
        case_bernoulli("bernoulli_k3", 101, 500, 8, 3, 15, weighted=False),
        case_bernoulli("bernoulli_k2_weighted", 102, 300, 6, 2, 10, weighted=True),
        case_poisson("poisson_k3", 201, 400, 4, 3, 15, weighted=False),
        case_poisson("poisson_k2_weighted", 202, 300, 3, 2, 10, weighted=True),
        case_symbols("categorical_symbols_k2", 301, 300, 5, 2, 5),
        case_counts("categorical_counts_k3", 401, 240, 6, 3, 15, weighted=False),
        case_counts("categorical_counts_k2_weighted", 402, 200, 5, 2, 10, weighted=True),
    ]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=os.path.join(REPO_ROOT, "tests", "reference",
                                                       "fixtures"))
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    for case in all_cases():
        path = os.path.join(args.out, "discrete_" + case["name"] + ".json")
        with open(path, "w") as f:
            json.dump(to_json(case), f, indent=1)
            f.write("\n")
        print(path)


if __name__ == "__main__":
    main()
