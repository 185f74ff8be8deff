"""accelerate="squarem": the same optimum as plain EM in fewer E-steps on a
slowly converging fit, for the Gaussian mixture, a registry mixture and an
HMM; the reference is the same estimator with plain EM (accelerate="none")
to the same tolerance, whose optimum the scikit-learn and hmmlearn parity
tests check. Unknown values are a ValueError naming the parameter."""

from pathlib import Path

import numpy as np
import pytest

import emkit
from emkit.hmm import GaussianHMM


def faithful():
    path = Path(__file__).resolve().parents[2] / "data" / "faithful.csv"
    return np.loadtxt(path, delimiter=",", skiprows=1)


def _same_optimum_in_fewer_e_steps(plain, fast):
    assert plain.report_.converged and fast.report_.converged
    lp, lf = plain.report_.mean_log_likelihood, fast.report_.mean_log_likelihood
    assert lf >= lp - 1e-8 * abs(lp)
    assert plain.report_.e_steps == plain.report_.n_iter + 1
    assert 2 * fast.report_.e_steps < plain.report_.e_steps
    assert fast.report_.extrapolations_accepted > 0
    assert fast.report_.certificate_violations == 0
    assert (fast.report_.best.loglik_gain >= -1e-9 * abs(lf) * fast.report_.num_samples).all()


def test_gaussian_mixture_on_faithful():
    X = faithful()
    kw = dict(n_components=3, tol=1e-11, max_iter=5000, random_state=3)
    _same_optimum_in_fewer_e_steps(emkit.GaussianMixture(**kw).fit(X),
                                   emkit.GaussianMixture(accelerate="squarem", **kw).fit(X))


def test_overlapping_poisson_mixture():
    rng = np.random.default_rng(11)
    rates = np.where(rng.random(3000) < 0.4, 1.2, 2.4)
    X = rng.poisson(rates)[:, None].astype(np.float64)
    kw = dict(n_components=2, tol=1e-11, max_iter=20000, random_state=3)
    _same_optimum_in_fewer_e_steps(emkit.PoissonMixture(**kw).fit(X),
                                   emkit.PoissonMixture(accelerate="squarem", **kw).fit(X))


def test_hmm_with_close_states():
    rng = np.random.default_rng(5)
    flips = rng.random(2000) < 0.1
    states = np.cumsum(flips) % 2
    X = (0.6 * states + rng.standard_normal(2000))[:, None]
    kw = dict(n_components=2, tol=1e-8, n_iter=20000, random_state=3)
    _same_optimum_in_fewer_e_steps(GaussianHMM(**kw).fit(X, [1000, 1000]),
                                   GaussianHMM(accelerate="squarem", **kw).fit(X, [1000, 1000]))


@pytest.mark.parametrize("make", [
    lambda: emkit.GaussianMixture(accelerate="anderson"),
    lambda: emkit.PoissonMixture(accelerate="anderson"),
    lambda: GaussianHMM(accelerate="anderson"),
])
def test_unknown_policy_is_a_value_error(make):
    with pytest.raises(ValueError, match="accelerate"):
        make().fit(np.arange(20.0).reshape(10, 2) % 3)
