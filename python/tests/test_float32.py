"""float32 data take the float32 path: no copy of X, float64 fitted
attributes, and the same fit as float64 data to 1e-5 relative.

The reference is scikit-learn's GaussianMixture on the same values widened
to float64, from the same initial parameters (means_init, weights_init,
precisions_init), and emkit's float64 path.
"""

import tracemalloc
import warnings

import numpy as np
import pytest

import emkit
from emkit import _core

from conftest import three_clusters

COVARIANCE_TYPES = ("full", "diag", "spherical", "tied")


def peak_traced_bytes(function, *args):
    tracemalloc.start()
    try:
        function(*args)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def quiet(function, *args):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", emkit.ConvergenceWarning)
        return function(*args)


def data32(n=3000, seed=4):
    X = three_clusters(n=n, seed=seed)
    return np.ascontiguousarray(X, dtype=np.float32)


def test_fit_does_not_copy_c_contiguous_float32():
    X = np.tile(data32(n=3000, seed=2), (50, 1))  # 150 000 x 2 float32
    gm = emkit.GaussianMixture(3, random_state=0, max_iter=3, tol=0.0, n_jobs=1,
                               init_params="random_from_data")
    assert X.flags.c_contiguous and X.dtype == np.float32
    assert peak_traced_bytes(quiet, gm.fit, X) < X.nbytes / 4
    # The same measure sees a conversion: Fortran order is copied once.
    assert peak_traced_bytes(quiet, gm.fit, np.asfortranarray(X)) >= X.nbytes
    # Predictions read float32 rows in place too.
    assert peak_traced_bytes(gm.score_samples, X) < X.nbytes / 2 + 65536


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_float32_fit_matches_float64_and_sklearn(covariance_type):
    sklearn_mixture = pytest.importorskip("sklearn.mixture")
    X32 = data32()
    X64 = X32.astype(np.float64)
    start = emkit.GaussianMixture(3, covariance_type=covariance_type, random_state=1,
                                  max_iter=0)
    quiet(start.fit, X64)
    init = dict(weights_init=start.weights_, means_init=start.means_,
                precisions_init=start.precisions_)
    params = dict(n_components=3, covariance_type=covariance_type, max_iter=25,
                  tol=0.0, reg_covar=1e-6, **init)
    f32 = quiet(emkit.GaussianMixture(**params).fit, X32)
    f64 = quiet(emkit.GaussianMixture(**params).fit, X64)
    sk = quiet(sklearn_mixture.GaussianMixture(**params).fit, X64)
    for attribute in ("weights_", "means_", "covariances_", "precisions_",
                      "precisions_cholesky_"):
        assert getattr(f32, attribute).dtype == np.float64, attribute
    assert f32.n_iter_ == 25
    assert f32.report_.certificate_violations == 0
    assert abs(f32.lower_bound_ - f64.lower_bound_) <= 1e-5 * abs(f64.lower_bound_)
    sk_score = sk.score(X64)
    assert abs(f32.score(X64) - sk_score) <= 1e-5 * abs(sk_score)
    np.testing.assert_allclose(f32.means_, sk.means_, rtol=0, atol=1e-3)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_float32_predictions_match_float64(covariance_type):
    X32 = data32(seed=9)
    X64 = X32.astype(np.float64)
    gm = quiet(emkit.GaussianMixture(3, covariance_type=covariance_type, random_state=0,
                                     max_iter=20).fit, X64)
    s32 = gm.score_samples(X32)
    assert s32.dtype == np.float64 and s32.shape == (len(X32),)
    np.testing.assert_allclose(s32, gm.score_samples(X64), rtol=1e-5, atol=1e-4)
    np.testing.assert_allclose(gm.predict_proba(X32), gm.predict_proba(X64), atol=1e-4)
    assert np.mean(gm.predict(X32) != gm.predict(X64)) < 1e-3
    assert abs(gm.score(X32) - gm.score(X64)) <= 1e-5 * abs(gm.score(X64))
    assert abs(gm.bic(X32) - gm.bic(X64)) <= 1e-5 * abs(gm.bic(X64))
    assert abs(gm.aic(X32) - gm.aic(X64)) <= 1e-5 * abs(gm.aic(X64))


def test_float32_same_result_for_any_thread_count():
    X = np.tile(data32(seed=5), (20, 1))
    fits = [quiet(emkit.GaussianMixture(3, random_state=3, max_iter=10, tol=0.0,
                                        n_jobs=j).fit, X) for j in (1, 2)]
    assert fits[0].lower_bound_ == fits[1].lower_bound_
    np.testing.assert_array_equal(fits[0].means_, fits[1].means_)
    np.testing.assert_array_equal(fits[0].covariances_, fits[1].covariances_)


def test_float32_degenerate_data_are_finite():
    X = data32(seed=6) + np.float32(1e4)
    X[:, 1] = np.float32(1e4)
    for covariance_type in COVARIANCE_TYPES:
        gm = quiet(emkit.GaussianMixture(3, covariance_type=covariance_type,
                                         random_state=0).fit, X)
        assert np.isfinite(gm.lower_bound_)
        assert np.all(np.isfinite(gm.covariances_))
        assert np.all(np.isfinite(gm.score_samples(X)))


def test_float32_rejects_non_finite_values():
    X = data32()
    X[7, 1] = np.nan
    with pytest.raises(ValueError):
        emkit.GaussianMixture(3).fit(X)
    # The core itself names the element.
    with pytest.raises(ValueError, match=r"X\[7, 1\]"):
        _core.fit(X, None, {"n_components": 3})


def _count_rows(seed=3, n=400):
    rng = np.random.default_rng(seed)
    rates = np.where(np.arange(n)[:, None] % 2 == 0, 1.5, 9.0)
    return rng.poisson(rates, size=(n, 4)).astype(np.float64)


@pytest.mark.parametrize(
    "estimator, make_rows",
    [
        (lambda: emkit.PoissonMixture(n_components=2, random_state=1), _count_rows),
        (lambda: emkit.BernoulliMixture(n_components=2, random_state=2),
         lambda: (_count_rows() > 3).astype(np.float64)),
        (lambda: emkit.VonMisesFisherMixture(n_components=2, random_state=3),
         lambda: (lambda x: x / np.linalg.norm(x, axis=1, keepdims=True))(
             _count_rows() + 0.5)),
    ],
)
def test_other_families_on_float32_are_the_widened_float64_fit(estimator, make_rows):
    # Families without float kernels widen each block: the float32 array and
    # the float64 array of the same values give the same bits.
    X32 = np.ascontiguousarray(make_rows(), dtype=np.float32)
    X64 = X32.astype(np.float64)
    narrow = quiet(estimator().fit, X32)
    wide = quiet(estimator().fit, X64)
    assert narrow.lower_bound_ == wide.lower_bound_
    np.testing.assert_array_equal(narrow.weights_, wide.weights_)
    np.testing.assert_array_equal(narrow.score_samples(X32), wide.score_samples(X64))
    np.testing.assert_array_equal(narrow.predict_proba(X32), wide.predict_proba(X64))


def test_float32_predictions_name_a_bad_element_by_its_row_in_x():
    # float32 rows are checked a block at a time; the error still names the
    # row of X, past the first block too.
    X = np.ascontiguousarray(np.tile(_count_rows(), (25, 1)), dtype=np.float32)
    model = quiet(emkit.PoissonMixture(n_components=2, random_state=1, max_iter=3).fit, X)
    for row in (17, 9000):
        bad = X.copy()
        bad[row, 2] = 0.5
        with pytest.raises(ValueError, match=rf"X\[{row}, 2\] = 0.5: Poisson"):
            model.predict(bad)
        with pytest.raises(ValueError, match=rf"X\[{row}, 2\] = 0.5: Poisson"):
            model.score_samples(bad)
    np.testing.assert_array_equal(model.predict(X), model.predict(X.astype(np.float64)))


# The HMM classes hold float32 rows as they are and widen them block by
# block, so that every result is the float64 one of the same values, bit for
# bit (reference: the same class on X.astype(np.float64)).
def _hmm_cases():
    from emkit.hmm import CategoricalHMM, GaussianHMM, GMMHMM, PoissonHMM

    rng = np.random.default_rng(3)
    gauss = rng.normal(size=(400, 2)) + np.repeat([[0, 0], [4, 4]], 200, axis=0)
    counts = rng.poisson(lam=np.repeat([[1.0, 5.0], [6.0, 2.0]], 200, axis=0))
    symbols = rng.integers(0, 4, size=(400, 1))
    cases = [(GaussianHMM(2, covariance_type=c, random_state=0, n_iter=15), gauss)
             for c in COVARIANCE_TYPES]
    cases += [(GMMHMM(2, n_mix=2, covariance_type="diag", random_state=0, n_iter=10), gauss),
              (PoissonHMM(2, random_state=0, n_iter=15), counts),
              (CategoricalHMM(2, random_state=0, n_iter=15), symbols)]
    return cases


@pytest.mark.parametrize("index", range(7))
def test_hmm_float32_rows_are_the_widened_float64_fit(index):
    model, X = _hmm_cases()[index]
    X32 = np.ascontiguousarray(X, dtype=np.float32)
    wide = X32.astype(np.float64)
    lengths = [150, 250]
    from sklearn.base import clone

    a = clone(model).fit(X32, lengths)
    b = clone(model).fit(wide, lengths)
    assert a.report_.n_iter == b.report_.n_iter
    np.testing.assert_array_equal(a.transmat_, b.transmat_)
    np.testing.assert_array_equal(a.startprob_, b.startprob_)
    for name in ("means_", "covars_", "lambdas_", "emissionprob_", "weights_"):
        if hasattr(b, name):
            np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    assert a.score(X32, lengths) == b.score(wide, lengths)
    np.testing.assert_array_equal(a.predict_proba(X32, lengths), b.predict_proba(wide, lengths))
    np.testing.assert_array_equal(a.predict(X32, lengths), b.predict(wide, lengths))
