"""VonMisesFisherMixture: the density against scipy's ``vonmises_fisher``,
the fit against a direct numpy EM from the same start, model files, the
scikit-learn interface and its errors."""

import warnings

import numpy as np
import pytest

import emkit

stats = pytest.importorskip("scipy.stats")
special = pytest.importorskip("scipy.special")
optimize = pytest.importorskip("scipy.optimize")


def directions(rng, n=400):
    """Unit vectors of R^4 from two vMF components (scipy's sampler)."""
    mu = np.array([[1.0, 0.0, 0.0, 0.0], [0.0, 0.6, 0.8, 0.0]])
    kappa = np.array([30.0, 12.0])
    z = rng.integers(0, 2, size=n)
    X = np.empty((n, 4))
    for k in range(2):
        rows = np.flatnonzero(z == k)
        X[rows] = stats.vonmises_fisher(mu[k], kappa[k]).rvs(len(rows), random_state=rng)
    return X / np.linalg.norm(X, axis=1, keepdims=True), mu, kappa


def log_normaliser(d, kappa):
    nu = d / 2 - 1
    return nu * np.log(kappa) - d / 2 * np.log(2 * np.pi) - (np.log(special.ive(nu, kappa))
                                                               + kappa)


def numpy_em(X, weights, mu, kappa, iterations):
    """EM for a vMF mixture written from the formulas (Banerjee et al.,
    JMLR 2005), the concentration solved exactly: A_D(kappa) = r_bar."""
    d = X.shape[1]
    for _ in range(iterations):
        log_p = np.log(weights) + log_normaliser(d, kappa) + kappa * (X @ mu.T)
        r = np.exp(log_p - special.logsumexp(log_p, axis=1, keepdims=True))
        counts = r.sum(axis=0)
        sums = r.T @ X
        lengths = np.linalg.norm(sums, axis=1)
        weights = counts / counts.sum()
        mu = sums / lengths[:, None]
        r_bar = lengths / counts

        def solve(target):
            f = lambda k: special.ive(d / 2, k) / special.ive(d / 2 - 1, k) - target
            return optimize.brentq(f, 1e-8, 1e7, xtol=1e-14, rtol=1e-15)

        kappa = np.array([solve(t) for t in r_bar])
    return weights, mu, kappa


def test_density_matches_scipy():
    rng = np.random.default_rng(0)
    X, mu, kappa = directions(rng, 50)
    model = emkit.VonMisesFisherMixture(n_components=1, max_iter=0).fit(X)
    model.mean_directions_ = mu[:1].copy()
    model.concentrations_ = kappa[:1].copy()
    expected = stats.vonmises_fisher(mu[0], kappa[0]).logpdf(X)
    np.testing.assert_allclose(model.score_samples(X), expected, rtol=1e-12, atol=1e-12)


def test_fit_matches_a_direct_numpy_em_from_the_same_start():
    rng = np.random.default_rng(1)
    X, _, _ = directions(rng)
    start = emkit.VonMisesFisherMixture(n_components=2, max_iter=0, random_state=0).fit(X)
    w0, mu0, k0 = start.weights_.copy(), start.mean_directions_.copy(), start.concentrations_.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", emkit.ConvergenceWarning)
        start.set_params(warm_start=True, max_iter=15, tol=0.0)
        start.fit(X)
    assert start.n_iter_ == 15
    w, mu, kappa = numpy_em(X, w0, mu0, k0, 15)
    np.testing.assert_allclose(start.weights_, w, rtol=1e-9)
    np.testing.assert_allclose(start.mean_directions_, mu, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(start.concentrations_, kappa, rtol=1e-8)
    # The recovered components are the true ones (in some order).
    assert sorted(start.concentrations_.round(-1)) == [10.0, 30.0]


def test_recovers_the_clusters_and_is_reproducible():
    rng = np.random.default_rng(2)
    X, mu, _ = directions(rng)
    a = emkit.VonMisesFisherMixture(n_components=2, random_state=3).fit(X)
    b = emkit.VonMisesFisherMixture(n_components=2, random_state=3).fit(X)
    np.testing.assert_array_equal(a.mean_directions_, b.mean_directions_)
    assert a.converged_
    cosines = np.abs(a.mean_directions_ @ mu.T)
    assert cosines.max(axis=0).min() > 0.99
    proba = a.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert a.predict(X).shape == (len(X),)
    assert a.bic(X) > a.aic(X) - 1e9  # both finite
    assert a._n_parameters() == 2 * 3 + 2 + 1  # K (D - 1) + K + (K - 1)


def test_model_file_round_trip(tmp_path):
    rng = np.random.default_rng(4)
    X, _, _ = directions(rng, 120)
    model = emkit.VonMisesFisherMixture(n_components=2, random_state=0,
                                        max_concentration=500.0).fit(X)
    path = tmp_path / "vmf.json"
    model.save(path)
    loaded = emkit.load(path)
    assert isinstance(loaded, emkit.VonMisesFisherMixture)
    assert loaded.max_concentration == 500.0
    np.testing.assert_array_equal(loaded.mean_directions_, model.mean_directions_)
    np.testing.assert_array_equal(loaded.score_samples(X), model.score_samples(X))
    assert loaded.n_features_in_ == 4


def test_sample_draws_unit_vectors():
    rng = np.random.default_rng(5)
    X, _, _ = directions(rng, 100)
    model = emkit.VonMisesFisherMixture(n_components=2, random_state=1).fit(X)
    draws, labels = model.sample(50)
    np.testing.assert_allclose(np.linalg.norm(draws, axis=1), 1.0, atol=1e-12)
    assert list(labels) == sorted(labels)


def test_rows_that_are_not_unit_vectors_are_an_error():
    X = np.array([[1.0, 0.0], [0.0, 2.0], [0.6, 0.8]])
    with pytest.raises(ValueError, match=r"X\[1\] has norm 2"):
        emkit.VonMisesFisherMixture().fit(X)
    with pytest.raises(ValueError, match="max_concentration"):
        emkit.VonMisesFisherMixture(max_concentration=-1.0).fit(X / np.linalg.norm(
            X, axis=1, keepdims=True))


def test_scikit_learn_interface():
    base = pytest.importorskip("sklearn.base")
    model = emkit.VonMisesFisherMixture(n_components=3, max_concentration=10.0)
    clone = base.clone(model)
    assert clone.get_params()["max_concentration"] == 10.0
    assert clone.get_params()["n_components"] == 3
    with pytest.raises(emkit.NotFittedError):
        model.predict(np.eye(3))
