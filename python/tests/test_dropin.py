"""The drop-in promise: scikit-learn's parameters, attributes, methods,
warnings and errors (compared with scikit-learn itself where installed)."""

import inspect
import re
import warnings

import numpy as np
import pytest

import emkit
from conftest import three_clusters

SKLEARN_DEFAULTS = {
    "n_components": 1, "covariance_type": "full", "tol": 1e-3, "reg_covar": 1e-6,
    "max_iter": 100, "n_init": 1, "init_params": "kmeans", "weights_init": None,
    "means_init": None, "precisions_init": None, "random_state": None,
    "warm_start": False, "verbose": 0, "verbose_interval": 10,
}


def defaults(cls):
    return {name: p.default for name, p in
            inspect.signature(cls.__init__).parameters.items() if name != "self"}


def test_parameters_and_defaults_are_sklearns():
    ours = defaults(emkit.GaussianMixture)
    # The extra parameters: threads, the iteration policy and partial_fit's.
    assert ours.pop("n_jobs") is None
    assert ours.pop("accelerate") == "none"
    assert ours.pop("learning_decay") == 0.6
    assert ours.pop("average") is False
    assert ours == SKLEARN_DEFAULTS


def test_parameters_match_installed_sklearn():
    mixture = pytest.importorskip("sklearn.mixture")
    ours = defaults(emkit.GaussianMixture)
    for extra in ("n_jobs", "accelerate", "learning_decay", "average"):
        ours.pop(extra)
    assert ours == defaults(mixture.GaussianMixture)


@pytest.mark.parametrize("covariance_type,cov_shape", [
    ("full", (3, 2, 2)), ("tied", (2, 2)), ("diag", (3, 2)), ("spherical", (3,))])
def test_fitted_attributes(X, covariance_type, cov_shape):
    gm = emkit.GaussianMixture(3, covariance_type=covariance_type, random_state=0).fit(X)
    assert gm.weights_.shape == (3,)
    assert gm.means_.shape == (3, 2)
    for name in ("covariances_", "precisions_", "precisions_cholesky_"):
        assert getattr(gm, name).shape == cov_shape
    assert gm.converged_ is True
    assert gm.n_iter_ >= 1 and gm.n_features_in_ == 2
    assert not hasattr(gm, "feature_names_in_")
    assert gm.lower_bound_ == pytest.approx(gm.score(X), rel=1e-12)
    assert gm.lower_bounds_.shape == (gm.n_iter_,)
    assert gm.report_.n_iter == gm.n_iter_
    np.testing.assert_allclose(gm.weights_.sum(), 1.0, rtol=1e-12)


def test_methods_shapes_and_consistency(X):
    gm = emkit.GaussianMixture(3, random_state=0).fit(X)
    proba = gm.predict_proba(X)
    assert proba.shape == (600, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-12)
    labels = gm.predict(X)
    assert labels.dtype == np.int64
    np.testing.assert_array_equal(labels, proba.argmax(axis=1))
    assert gm.score(X) == pytest.approx(gm.score_samples(X).mean(), rel=1e-14)
    n, p = X.shape[0], gm._n_parameters()
    assert p == 3 * 2 + 3 * 3 + 2  # means, covariances, weights
    assert gm.bic(X) == pytest.approx(-2 * gm.score(X) * n + p * np.log(n), rel=1e-12)
    assert gm.aic(X) == pytest.approx(-2 * gm.score(X) * n + 2 * p, rel=1e-12)


def test_fit_predict_equals_fit_then_predict(X):
    labels = emkit.GaussianMixture(3, random_state=1).fit_predict(X)
    gm = emkit.GaussianMixture(3, random_state=1).fit(X)
    np.testing.assert_array_equal(labels, gm.predict(X))


def test_sample_is_grouped_and_seeded(X):
    gm = emkit.GaussianMixture(3, random_state=3).fit(X)
    draws, labels = gm.sample(500)
    assert draws.shape == (500, 2) and labels.shape == (500,)
    assert np.all(np.diff(labels) >= 0)  # grouped by component, as scikit-learn
    again, _ = gm.sample(500)
    np.testing.assert_array_equal(draws, again)  # an int random_state
    with pytest.raises(ValueError, match="at least one sample"):
        gm.sample(0)


def test_convergence_warning():
    X = three_clusters()
    with pytest.warns(emkit.ConvergenceWarning, match="did not converge"):
        gm = emkit.GaussianMixture(3, max_iter=1, tol=0.0, random_state=0).fit(X)
    assert gm.converged_ is False and gm.n_iter_ == 1
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        emkit.GaussianMixture(3, max_iter=0, random_state=0).fit(X)  # no warning


def test_sklearn_exception_classes_are_used():
    exceptions = pytest.importorskip("sklearn.exceptions")
    assert emkit.ConvergenceWarning is exceptions.ConvergenceWarning
    assert emkit.NotFittedError is exceptions.NotFittedError


def test_not_fitted(X):
    gm = emkit.GaussianMixture()
    for method in (gm.predict, gm.predict_proba, gm.score_samples, gm.score):
        with pytest.raises(emkit.NotFittedError, match="is not fitted yet"):
            method(X)
    with pytest.raises(emkit.NotFittedError):
        gm.sample(3)


BAD = [
    ({"n_components": 0}, None),
    ({"covariance_type": "diagonal"}, None),
    ({"tol": -1.0}, None),
    ({"max_iter": -1}, None),
    ({"n_init": 0}, None),
    ({"init_params": "kmeans+"}, None),
    ({"reg_covar": -0.1}, None),
    ({"verbose_interval": 0}, None),
    ({"n_components": 700}, None),
    ({"weights_init": [0.5, 0.5]}, None),
    ({"weights_init": [0.5, 0.6, 0.1]}, None),
    ({"weights_init": [0.5, 0.6, -0.1]}, None),
    ({"means_init": np.zeros((3, 3))}, None),
    ({"precisions_init": np.ones((3, 2, 2))}, None),
    ({"covariance_type": "diag", "precisions_init": -np.ones((3, 2))}, None),
]


@pytest.mark.parametrize("params,_", BAD, ids=[str(p) for p, _ in BAD])
def test_errors_match_sklearn(X, params, _):
    params = {"n_components": 3, **params}
    with pytest.raises(ValueError) as ours:
        emkit.GaussianMixture(**params).fit(X)
    mixture = pytest.importorskip("sklearn.mixture")
    with pytest.raises(ValueError) as theirs:
        mixture.GaussianMixture(**params).fit(X)
    assert _normalized(str(ours.value)) == _normalized(str(theirs.value))


def _normalized(message):
    # scikit-learn lists allowed strings in set order, which varies with
    # Python's string hashing; compare them as sets.
    return re.sub(r"\{([^}]*)\}",
                  lambda m: "{" + ", ".join(sorted(m.group(1).split(", "))) + "}",
                  message)


@pytest.mark.parametrize("bad,message", [
    (np.array([[0.0, np.nan], [1.0, 2.0], [3.0, 4.0]]), "Input X contains NaN"),
    (np.array([[0.0, np.inf], [1.0, 2.0], [3.0, 4.0]]), "Input X contains infinity"),
    (np.zeros(5), "Expected 2D array"),
    (np.zeros((1, 2)), "minimum of 2 is required"),
])
def test_data_errors(bad, message):
    with pytest.raises(ValueError, match=message):
        emkit.GaussianMixture().fit(bad)


def test_wrong_number_of_features(X):
    gm = emkit.GaussianMixture(2, random_state=0).fit(X)
    with pytest.raises(ValueError, match="X has 3 features, but GaussianMixture is "
                                         "expecting 2 features as input"):
        gm.predict(np.zeros((4, 3)))


def test_warm_start_continues_the_fit(X):
    one_go = emkit.GaussianMixture(3, tol=0.0, max_iter=5, random_state=0)
    with pytest.warns(emkit.ConvergenceWarning):
        one_go.fit(X)
    stepwise = emkit.GaussianMixture(3, tol=0.0, max_iter=1, random_state=0,
                                     warm_start=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", emkit.ConvergenceWarning)
        for _ in range(5):
            stepwise.fit(X)
            assert stepwise.n_iter_ == 1
    for name in ("weights_", "means_", "covariances_", "precisions_cholesky_"):
        np.testing.assert_allclose(getattr(stepwise, name), getattr(one_go, name),
                                   rtol=1e-12, atol=0)


def test_without_warm_start_refit_starts_over(X):
    gm = emkit.GaussianMixture(3, random_state=0)
    first = gm.fit(X).means_.copy()
    np.testing.assert_array_equal(gm.fit(X).means_, first)


def test_random_state_forms(X):
    a = emkit.GaussianMixture(3, init_params="random", random_state=5).fit(X)
    b = emkit.GaussianMixture(3, init_params="random",
                              random_state=np.random.RandomState(5)).fit(X)
    np.random.seed(11)
    c = emkit.GaussianMixture(3, init_params="random").fit(X)
    np.random.seed(11)
    d = emkit.GaussianMixture(3, init_params="random").fit(X)
    np.testing.assert_array_equal(c.means_, d.means_)  # global numpy state
    assert a.report_.restarts[0].seed != b.report_.restarts[0].seed


@pytest.mark.parametrize("init_params", ["kmeans", "k-means++", "random",
                                         "random_from_data"])
def test_every_init_method_fits(X, init_params):
    gm = emkit.GaussianMixture(3, init_params=init_params, n_init=2,
                               random_state=0).fit(X)
    assert gm.converged_ and len(gm.report_.restarts) == 2


def test_float32_and_fortran_and_lists_give_the_same_fit(X):
    ref = emkit.GaussianMixture(3, random_state=0).fit(X)
    for data in (np.asfortranarray(X), X.tolist()):
        gm = emkit.GaussianMixture(3, random_state=0).fit(data)
        np.testing.assert_array_equal(gm.means_, ref.means_)
    # float32 runs on the float32 path: the fit of the same values in
    # float64 to float's precision.
    gm32 = emkit.GaussianMixture(3, random_state=0).fit(X.astype(np.float32))
    ref32 = emkit.GaussianMixture(3, random_state=0).fit(
        X.astype(np.float32).astype(np.float64))
    np.testing.assert_allclose(gm32.means_, ref32.means_, rtol=0, atol=1e-6)
    assert abs(gm32.lower_bound_ - ref32.lower_bound_) <= 1e-5 * abs(ref32.lower_bound_)
    assert gm32.means_.dtype == np.float64
    assert gm32.predict_proba(X.astype(np.float32)).dtype == np.float64


def test_thread_count_does_not_change_results():
    X = three_clusters(n=20000, seed=4)
    fits = [emkit.GaussianMixture(3, random_state=0, n_jobs=n).fit(X) for n in (1, 2, 3)]
    for gm in fits[1:]:
        np.testing.assert_array_equal(gm.means_, fits[0].means_)
        np.testing.assert_array_equal(gm.covariances_, fits[0].covariances_)


def test_pandas_feature_names(X):
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(X, columns=["duration", "waiting"])
    gm = emkit.GaussianMixture(3, random_state=0).fit(frame)
    np.testing.assert_array_equal(gm.feature_names_in_, ["duration", "waiting"])
    if emkit._compat.HAVE_SKLEARN:  # scikit-learn's warning, as it gives it
        with pytest.warns(UserWarning, match="does not have valid feature names"):
            labels = gm.predict(X)
    else:
        labels = gm.predict(X)
    np.testing.assert_array_equal(gm.predict(frame), labels)
    ref = emkit.GaussianMixture(3, random_state=0).fit(X)
    np.testing.assert_array_equal(gm.means_, ref.means_)


def test_verbose_prints_sklearn_lines(X, capsys):
    emkit.GaussianMixture(3, verbose=2, verbose_interval=1, random_state=0).fit(X)
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "Initialization 0"
    assert out[1].startswith("  Iteration 1\t time lapse ")
    assert "ll change" in out[1]
    assert out[-1].startswith("Initialization converged. time lapse ")
    emkit.GaussianMixture(3, verbose=1, random_state=0).fit(X)
    assert capsys.readouterr().out.splitlines()[-1] == "Initialization converged."


def test_repr_and_params_roundtrip():
    gm = emkit.GaussianMixture(4, covariance_type="diag", n_jobs=2)
    assert repr(gm) == "GaussianMixture(covariance_type='diag', n_components=4, n_jobs=2)"
    clone = emkit.GaussianMixture(**gm.get_params())
    assert clone.get_params() == gm.get_params()
