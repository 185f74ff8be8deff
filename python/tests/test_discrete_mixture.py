"""BernoulliMixture, CategoricalMixture and PoissonMixture: closed forms
(one component is the maximum-likelihood distribution; predictions are the
mixture's formulas evaluated with scipy), shapes, warm start and errors."""

import numpy as np
import pytest

import emkit

stats = pytest.importorskip("scipy.stats")
from scipy.special import logsumexp  # noqa: E402


def bernoulli_data(rng, n=600):
    p = np.array([[0.9, 0.8, 0.1, 0.2, 0.9], [0.1, 0.2, 0.9, 0.7, 0.3]])
    z = rng.integers(0, 2, size=n)
    return (rng.random((n, 5)) < p[z]).astype(float), p


def categorical_data(rng, n=500):
    p = np.array([[0.6, 0.3, 0.05, 0.05], [0.05, 0.05, 0.3, 0.6]])
    z = rng.integers(0, 2, size=n)
    return np.array([rng.multinomial(8, p[k]) for k in z]).astype(float), p


def poisson_data(rng, n=600):
    rates = np.array([[1.0, 8.0], [9.0, 2.0]])
    z = rng.integers(0, 2, size=n)
    return rng.poisson(rates[z]).astype(float), rates


def component_log_pmf(model, X):
    if isinstance(model, emkit.BernoulliMixture):
        p = model.probabilities_
        return X @ np.log(p).T + (1 - X) @ np.log1p(-p).T
    if isinstance(model, emkit.CategoricalMixture):
        return np.array([[stats.multinomial.logpmf(x, x.sum(), p)
                          for p in model.probabilities_] for x in X])
    return np.array([stats.poisson.logpmf(X, r).sum(axis=1) for r in model.rates_]).T


CASES = [(emkit.BernoulliMixture, bernoulli_data, "probabilities_"),
         (emkit.CategoricalMixture, categorical_data, "probabilities_"),
         (emkit.PoissonMixture, poisson_data, "rates_")]


@pytest.mark.parametrize("cls, data, name", CASES)
def test_one_component_is_the_ml_estimate(cls, data, name):
    X, _ = data(np.random.default_rng(0))
    model = cls(1, random_state=0).fit(X)
    expected = X.mean(axis=0)
    if cls is emkit.CategoricalMixture:
        expected = X.sum(axis=0) / X.sum()
    np.testing.assert_allclose(getattr(model, name)[0], expected, rtol=1e-8)
    np.testing.assert_array_equal(model.weights_, [1.0])
    np.testing.assert_allclose(model.score_samples(X), component_log_pmf(model, X)[:, 0],
                               rtol=1e-9)


@pytest.mark.parametrize("cls, data, name", CASES)
def test_two_components_recover_and_match_the_formulas(cls, data, name):
    X, truth = data(np.random.default_rng(1))
    model = cls(2, n_init=2, random_state=0).fit(X)
    k, d = truth.shape
    assert model.weights_.shape == (k,)
    assert getattr(model, name).shape == (k, d)
    assert model.converged_ and model.n_iter_ >= 1
    order = np.argsort(getattr(model, name)[:, 0])
    np.testing.assert_allclose(getattr(model, name)[order], truth[np.argsort(truth[:, 0])],
                               atol=0.12 if name == "probabilities_" else 0.6)
    weighted = component_log_pmf(model, X) + np.log(model.weights_)
    log_norm = logsumexp(weighted, axis=1)
    np.testing.assert_allclose(model.score_samples(X), log_norm, rtol=1e-9)
    np.testing.assert_allclose(model.predict_proba(X), np.exp(weighted - log_norm[:, None]),
                               rtol=1e-8, atol=1e-12)
    np.testing.assert_array_equal(model.predict(X), weighted.argmax(axis=1))
    np.testing.assert_allclose(model.score(X), log_norm.mean(), rtol=1e-10)
    np.testing.assert_allclose(model.lower_bound_, log_norm.mean(), rtol=1e-8)
    free = (k - 1) + k * (d - 1 if cls is emkit.CategoricalMixture else d)
    n = X.shape[0]
    np.testing.assert_allclose(model.bic(X), -2 * log_norm.sum() + free * np.log(n))
    np.testing.assert_allclose(model.aic(X), -2 * log_norm.sum() + 2 * free)
    assert np.all(np.diff(model.lower_bounds_) >= -1e-12)
    Xs, ys = model.sample(400)
    assert Xs.shape == (400, d) and ys.shape == (400,)
    assert Xs.dtype.kind == "i" and (Xs >= 0).all()
    np.testing.assert_array_equal(model.sample(400)[0], Xs)  # int random_state
    if cls is emkit.CategoricalMixture:
        np.testing.assert_array_equal(Xs.sum(axis=1), 1)
    if cls is emkit.BernoulliMixture:
        assert set(np.unique(Xs)) <= {0, 1}


def test_warm_start_continues_from_the_previous_fit():
    X, _ = poisson_data(np.random.default_rng(2))
    cold = emkit.PoissonMixture(2, max_iter=40, tol=0.0, random_state=0)
    with pytest.warns(emkit.ConvergenceWarning):
        cold.fit(X)
    warm = emkit.PoissonMixture(2, max_iter=20, tol=0.0, random_state=0, warm_start=True)
    with pytest.warns(emkit.ConvergenceWarning):
        warm.fit(X)
        warm.fit(X)
    np.testing.assert_allclose(warm.rates_, cold.rates_, rtol=1e-10)
    np.testing.assert_allclose(warm.weights_, cold.weights_, rtol=1e-10)


def test_smoothing_keeps_unseen_values_finite():
    X = np.array([[1, 0], [1, 0], [1, 0], [1, 0.0]])
    smooth = emkit.BernoulliMixture(1, pseudo_count=1.0).fit(X)
    np.testing.assert_allclose(smooth.probabilities_[0], [5 / 6, 1 / 6])
    assert np.isfinite(smooth.score_samples(np.array([[0, 1.0]]))).all()
    exact = emkit.BernoulliMixture(1, pseudo_count=0.0).fit(X)
    np.testing.assert_array_equal(exact.probabilities_[0], [1.0, 0.0])
    assert np.isneginf(exact.score_samples(np.array([[0, 1.0]])))[0]


@pytest.mark.parametrize("cls, data, name", CASES)
def test_errors(cls, data, name):
    X, _ = data(np.random.default_rng(3), n=50)
    model = cls(2)
    with pytest.raises(emkit.NotFittedError):
        model.predict(X)
    with pytest.raises(emkit.NotFittedError):
        model.sample(2)
    bad = X.copy()
    bad[0, 0] = -1
    with pytest.raises(ValueError):
        cls(2).fit(bad)
    bad[0, 0] = np.nan
    with pytest.raises(ValueError):
        cls(2).fit(bad)
    with pytest.raises(ValueError):
        cls(0).fit(X)
    with pytest.raises(ValueError):
        cls(2, init_params="spectral").fit(X)
    with pytest.raises(ValueError):
        cls(100).fit(X)
    model.fit(X)
    with pytest.raises(ValueError):
        model.predict(X[:, :1])
    bad = X.copy()
    bad[0, 0] = 0.5
    with pytest.raises(ValueError):
        model.score_samples(bad)
    if cls is emkit.BernoulliMixture:
        bad[0, 0] = 2
        with pytest.raises(ValueError, match="0 or 1"):
            cls(2).fit(bad)
