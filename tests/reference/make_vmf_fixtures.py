#!/usr/bin/env python3
"""Generate reference fixtures for the von Mises-Fisher family.

Usage (from the repository root):

    .venv/bin/pip install numpy scipy mpmath
    .venv/bin/python tests/reference/make_vmf_fixtures.py [--out DIR]

Writes two kinds of fixture, read by src/families/von_mises_fisher_test.cc:

- fixtures/vmf_functions.json: the Bessel functions and densities.
  "bessel": log(ive(nu, kappa)) = log I_nu(kappa) - kappa and the ratio
  I_{nu+1}(kappa) / I_nu(kappa), both from mpmath at 50 digits (the truth)
  and from scipy.special.ive (null where ive underflows to 0 or is not
  finite).
  "logpdf": scipy.stats.vonmises_fisher(mu, kappa).logpdf(x) and the same
  value from mpmath, for D = 2, 3, 10, 100, 1000 and kappa from 1e-3 to 1e5.
  To keep the file small the points are x = c mu + sqrt(1 - c^2) t for a
  unit t orthogonal to mu and a few cosines c per kappa (one where the
  draws lie, 1 - (D - 1) / (2 kappa), and 1, 0, -0.6); the test rebuilds x
  from mu, t and c with the same two roundings. scipy's value is null
  where ive underflows (D = 1000 and small kappa: it returns inf there).
  "von_mises": scipy.stats.vonmises.logpdf, the D = 2 case by angle.
  "mean_resultant": A_D(kappa) = ive(D/2, kappa) / ive(D/2 - 1, kappa) for
  the sampler's cases.
- fixtures/vmf_em_<case>.json: a direct EM for a mixture of von
  Mises-Fisher components written here from the textbook formulas, with
  scipy's ive for the normaliser and brentq on ive(D/2) / ive(D/2 - 1) = r
  for the concentrations (an independent route: no Newton step, no
  approximation to start from). It runs exactly n_iter iterations from the
  stored initial parameters and records the parameters after the last
  M-step and the weighted total log-likelihood before every M-step and
  after the last one.

All data come from fixed seeds; floats are written with repr, so the JSON
text is the exact input.
"""

import argparse
import json
import os
import platform

import mpmath
import numpy as np
import scipy
import scipy.optimize
import scipy.special
import scipy.stats
from scipy.special import logsumexp

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
GENERATOR = "tests/reference/make_vmf_fixtures.py"
LOG_2PI = np.log(2.0 * np.pi)

mpmath.mp.dps = 50


def versions():
    return {
        "numpy_version": np.__version__,
        "scipy_version": scipy.__version__,
        "mpmath_version": mpmath.__version__,
        "python_version": platform.python_version(),
    }


def finite_or_none(v):
    v = float(v)
    return v if np.isfinite(v) else None


# ---------------------------------------------------------------------------
# Functions
# ---------------------------------------------------------------------------


def mp_log_ive(nu, kappa):
    return mpmath.log(mpmath.besseli(nu, kappa)) - kappa


def bessel_cases():
    orders = [-0.5, 0.0, 0.5, 1.0, 1.5, 4.0, 24.5, 25.0, 49.0, 499.0, 511.0]
    kappas = [float(k) for k in np.logspace(-3, 6, 19)] + [1.4, 2.0, 20.0, 20.5, 64.0, 3e6]
    cases = []
    for nu in orders:
        for kappa in kappas:
            i0 = mpmath.besseli(nu, kappa)
            i1 = mpmath.besseli(nu + 1, kappa)
            with np.errstate(all="ignore"):
                s0 = scipy.special.ive(nu, kappa)
                s1 = scipy.special.ive(nu + 1, kappa)
                scipy_log = np.log(s0) if s0 > 0 else np.nan
                scipy_ratio = s1 / s0 if s0 > 0 and s1 > 0 else np.nan
            cases.append({
                "nu": nu,
                "kappa": kappa,
                "log_ive": float(mpmath.log(i0) - kappa),
                "ratio": float(i1 / i0),
                "scipy_log_ive": finite_or_none(scipy_log),
                "scipy_ratio": finite_or_none(scipy_ratio),
            })
    return cases


def unit_pair(rng, d):
    """A unit mu and a unit t orthogonal to it."""
    mu = rng.standard_normal(d)
    mu /= np.linalg.norm(mu)
    t = rng.standard_normal(d)
    t -= (t @ mu) * mu
    t /= np.linalg.norm(t)
    return mu, t


def point(mu, t, c):
    # The C++ test forms x the same way: c * mu_j + s * t_j, two roundings.
    s = np.sqrt((1.0 - c) * (1.0 + c))
    return c * mu + s * t


def mp_logpdf(d, kappa, cosine):
    nu = mpmath.mpf(d) / 2 - 1
    k = mpmath.mpf(kappa)
    log_c = nu * mpmath.log(k) - mpmath.mpf(d) / 2 * mpmath.log(2 * mpmath.pi) - \
        mpmath.log(mpmath.besseli(nu, k))
    return log_c + k * cosine


def logpdf_cases():
    rng = np.random.default_rng(20250601)
    cases = []
    for d in [2, 3, 10, 100, 1000]:
        mu, t = unit_pair(rng, d)
        entries = []
        for kappa in [1e-3, 1e-1, 1.0, 10.0, 100.0, 1e3, 1e4, 1e5]:
            typical = max(-1.0, 1.0 - (d - 1) / (2.0 * kappa))
            cosines = [typical, 1.0, 0.0, -0.6]
            xs = np.array([point(mu, t, c) for c in cosines])
            with np.errstate(all="ignore"):
                values = scipy.stats.vonmises_fisher(mu, kappa).logpdf(xs)
            # mpmath at the exact cosine of the stored (rounded) vectors.
            mp_mu = [mpmath.mpf(float(v)) for v in mu]
            exact = []
            for x in xs:
                dot = mpmath.fsum(a * mpmath.mpf(float(b)) for a, b in zip(mp_mu, x))
                norm = mpmath.sqrt(mpmath.fsum(mpmath.mpf(float(b)) ** 2 for b in x)) * \
                    mpmath.sqrt(mpmath.fsum(a ** 2 for a in mp_mu))
                exact.append(float(mp_logpdf(d, kappa, dot / norm)))
            entries.append({
                "kappa": kappa,
                "cosines": cosines,
                "logpdf": exact,
                "scipy_logpdf": [finite_or_none(v) for v in values],
            })
        cases.append({"d": d, "mu": mu.tolist(), "t": t.tolist(), "cases": entries})
    return cases


def von_mises_cases():
    cases = []
    for kappa in [1e-3, 0.5, 3.0, 40.0, 700.0, 1e4]:
        for loc, theta in [(0.3, 0.3), (0.3, 1.2), (-2.0, 2.5), (1.0, -2.0)]:
            cases.append({
                "kappa": kappa,
                "loc": loc,
                "theta": theta,
                "logpdf": float(scipy.stats.vonmises.logpdf(theta, kappa, loc=loc)),
            })
    return cases


def mean_resultant(d, kappa):
    return float(scipy.special.ive(d / 2.0, kappa) / scipy.special.ive(d / 2.0 - 1.0, kappa))


def mean_resultant_cases():
    pairs = [(2, 0.0), (2, 2.0), (3, 0.5), (3, 50.0), (10, 5.0), (100, 1e3), (1000, 1e5),
             (3, 1e6)]
    return [{"d": d, "kappa": k, "mean_resultant": 0.0 if k == 0.0 else mean_resultant(d, k)}
            for d, k in pairs]


def functions_fixture():
    out = {"format": 1, "generator": GENERATOR,
           "reference": "mpmath besseli (50 digits); scipy.special.ive, "
                        "scipy.stats.vonmises_fisher, scipy.stats.vonmises"}
    out.update(versions())
    out["bessel"] = bessel_cases()
    out["logpdf"] = logpdf_cases()
    out["von_mises"] = von_mises_cases()
    out["mean_resultant"] = mean_resultant_cases()
    return out


# ---------------------------------------------------------------------------
# EM
# ---------------------------------------------------------------------------


def log_normalizer(d, kappa):
    nu = d / 2.0 - 1.0
    return nu * np.log(kappa) - d / 2.0 * LOG_2PI - (np.log(scipy.special.ive(nu, kappa)) + kappa)


def concentration(d, r):
    f = lambda k: mean_resultant(d, k) - r
    return scipy.optimize.brentq(f, 1e-10, 1e7, xtol=1e-300, rtol=4 * np.finfo(float).eps,
                                 maxiter=500)


def direct_em(x, sample_weight, weights, mu, kappa, n_iter):
    d = x.shape[1]
    sw = np.ones(len(x)) if sample_weight is None else sample_weight
    logliks = []
    for it in range(n_iter + 1):
        log_p = (np.log(weights) + np.array([log_normalizer(d, k) for k in kappa]) +
                 kappa * (x @ mu.T))
        norm = logsumexp(log_p, axis=1)
        logliks.append(float(sw @ norm))
        if it == n_iter:
            break
        resp = np.exp(log_p - norm[:, None]) * sw[:, None]
        counts = resp.sum(axis=0)
        sums = resp.T @ x
        resultants = np.linalg.norm(sums, axis=1)
        weights = counts / counts.sum()
        mu = sums / resultants[:, None]
        kappa = np.array([concentration(d, rr / n) for rr, n in zip(resultants, counts)])
    return weights, mu, kappa, logliks


def em_case(name, seed, d, n, true_kappa, init_kappa, n_iter, weighted):
    rng = np.random.default_rng(seed)
    k = len(true_kappa)
    centres = rng.standard_normal((k, d))
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    z = rng.choice(k, size=n, p=np.linspace(1.0, 2.0, k) / np.linspace(1.0, 2.0, k).sum())
    x = np.empty((n, d))
    for c in range(k):
        rows = np.flatnonzero(z == c)
        x[rows] = scipy.stats.vonmises_fisher(centres[c], true_kappa[c]).rvs(
            len(rows), random_state=rng)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    sample_weight = rng.integers(1, 4, size=n).astype(np.float64) if weighted else None
    # The start: the true directions moved by noise of 0.3 per coordinate.
    mu0 = centres + 0.3 * rng.standard_normal((k, d))
    mu0 /= np.linalg.norm(mu0, axis=1, keepdims=True)
    w0 = np.arange(k + 1, 1, -1, dtype=np.float64)
    w0 /= w0.sum()
    kappa0 = np.array(init_kappa, dtype=np.float64)
    weights, mu, kappa, logliks = direct_em(x, sample_weight, w0, mu0, kappa0, n_iter)
    out = {"format": 1, "generator": GENERATOR,
           "reference": "direct numpy EM; scipy.special.ive normaliser; brentq concentrations"}
    out.update(versions())
    out.update({
        "case": name,
        "n_iter": n_iter,
        "true_kappa": list(true_kappa),
        "X": x.tolist(),
        "sample_weight": None if sample_weight is None else sample_weight.tolist(),
        "init": {"weights": w0.tolist(), "mean_directions": mu0.tolist(),
                 "concentrations": kappa0.tolist()},
        "result": {"weights": weights.tolist(), "mean_directions": mu.tolist(),
                   "concentrations": kappa.tolist()},
        "log_likelihoods": logliks,
    })
    return out


def em_cases():
    return [
        em_case("k3_d3", 5101, 3, 400, [4.0, 20.0, 60.0], [1.0, 2.0, 3.0], 15, False),
        em_case("k2_d10_weighted", 5102, 10, 300, [30.0, 80.0], [5.0, 5.0], 10, True),
        em_case("k2_d5_concentrated", 5103, 5, 200, [2000.0, 500.0], [50.0, 50.0], 8, False),
    ]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=os.path.join(REPO_ROOT, "tests", "reference",
                                                       "fixtures"))
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    outputs = [("vmf_functions", functions_fixture())]
    outputs += [("vmf_em_" + c["case"], c) for c in em_cases()]
    for name, content in outputs:
        path = os.path.join(args.out, name + ".json")
        with open(path, "w") as f:
            json.dump(content, f, indent=1)
            f.write("\n")
        print(path)


if __name__ == "__main__":
    main()
