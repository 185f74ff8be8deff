"""Pickle, deepcopy and JSON model files reproduce a fitted model exactly."""

import copy
import json
import pickle

import numpy as np
import pytest

import emkit

ATTRIBUTES = ("weights_", "means_", "covariances_", "precisions_",
              "precisions_cholesky_")
TYPES = ["full", "tied", "diag", "spherical"]


def fitted(X, covariance_type):
    return emkit.GaussianMixture(3, covariance_type=covariance_type,
                                 random_state=0).fit(X)


def assert_same_model(a, b, X):
    for name in ATTRIBUTES:
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))
    np.testing.assert_array_equal(a.score_samples(X), b.score_samples(X))


@pytest.mark.parametrize("covariance_type", TYPES)
def test_pickle_and_deepcopy_are_exact(X, covariance_type):
    gm = fitted(X, covariance_type)
    for other in (pickle.loads(pickle.dumps(gm)), copy.deepcopy(gm)):
        assert_same_model(gm, other, X)
        assert other.get_params() == gm.get_params()
        assert other.report_.full == gm.report_.full
        np.testing.assert_array_equal(other.report_.best.bound_gain,
                                      gm.report_.best.bound_gain)
        assert (other.n_iter_, other.converged_, other.lower_bound_) == (
            gm.n_iter_, gm.converged_, gm.lower_bound_)


@pytest.mark.parametrize("covariance_type", TYPES)
def test_json_round_trip_is_exact(X, covariance_type, tmp_path):
    gm = fitted(X, covariance_type)
    path = tmp_path / "model.json"
    gm.save(path)
    loaded = emkit.load(path)
    assert loaded.covariance_type == covariance_type
    assert loaded.n_components == 3 and loaded.n_features_in_ == 2
    assert loaded.reg_covar == gm.reg_covar
    assert_same_model(gm, loaded, X)
    text = json.loads(path.read_text())
    assert text["format"] == "emkit-model" and text["covariance_type"] == covariance_type


@pytest.mark.parametrize("covariance_type", TYPES)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_every_prediction_is_the_same_after_a_json_round_trip(X, covariance_type, dtype,
                                                              tmp_path):
    rows = X.astype(dtype)
    gm = emkit.GaussianMixture(3, covariance_type=covariance_type, random_state=0).fit(rows)
    gm.save(tmp_path / "m.json")
    loaded = emkit.load(tmp_path / "m.json").set_params(random_state=0)
    for method in ("predict", "predict_proba", "score_samples", "score", "bic", "aic"):
        np.testing.assert_array_equal(getattr(loaded, method)(rows), getattr(gm, method)(rows),
                                      err_msg=method)
    for a, b in zip(loaded.sample(20), gm.sample(20)):
        np.testing.assert_array_equal(a, b)
    assert loaded._n_parameters() == gm._n_parameters()


def test_json_keeps_feature_names(X, tmp_path):
    pd = pytest.importorskip("pandas")
    gm = emkit.GaussianMixture(2, random_state=0).fit(pd.DataFrame(X, columns=["a", "b"]))
    gm.save(tmp_path / "m.json")
    loaded = emkit.load(tmp_path / "m.json")
    np.testing.assert_array_equal(loaded.feature_names_in_, ["a", "b"])


def test_loaded_model_warm_starts(X, tmp_path):
    gm = emkit.GaussianMixture(3, random_state=0, tol=0.0, max_iter=2)
    with pytest.warns(emkit.ConvergenceWarning):
        gm.fit(X)
    gm.save(tmp_path / "m.json")
    loaded = emkit.load(tmp_path / "m.json")
    loaded.set_params(warm_start=True, max_iter=3, tol=0.0)
    with pytest.warns(emkit.ConvergenceWarning):
        loaded.fit(X)
    longer = emkit.GaussianMixture(3, random_state=0, tol=0.0, max_iter=5)
    with pytest.warns(emkit.ConvergenceWarning):
        longer.fit(X)
    np.testing.assert_allclose(loaded.means_, longer.means_, rtol=1e-12)


def test_hand_written_model_file(tmp_path):
    # The header's documented form for hand-written files: precisions
    # instead of covariances. One 1-D component N(1, 4): log p(1) closed form.
    path = tmp_path / "hand.json"
    path.write_text(json.dumps({
        "format": "emkit-model", "version": 1, "covariance_type": "spherical",
        "weights": [1.0], "means": [[1.0]], "precisions": [0.25]}))
    gm = emkit.load(path)
    np.testing.assert_allclose(gm.covariances_, [4.0])
    assert gm.score_samples([[1.0]])[0] == pytest.approx(-0.5 * np.log(2 * np.pi * 4.0))


def test_file_errors(tmp_path):
    with pytest.raises(OSError, match="cannot open"):
        emkit.load(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "emkit-model", "version": 1}')
    with pytest.raises(ValueError, match="bad.json"):
        emkit.load(bad)


def test_the_fit_reads_its_models_as_codec_dicts(X):
    from emkit import _core

    poisson = emkit.PoissonMixture(2, random_state=0).fit(np.abs(np.round(X)))._params()
    with pytest.raises(ValueError, match="option initial_model describes a poisson_mixture, "
                                         "not a Gaussian mixture"):
        _core.fit(X, None, {"n_components": 2, "initial_model": poisson})
    gm = fitted(X, "full")
    params = gm._params()
    params["means"] = params["means"][:, :1]
    with pytest.raises(ValueError, match=r'^initial_model: "means" has 1 entries along axis 1, '
                                         r"expected 2 \(shape \(3, 2\)\)$"):
        _core.fit(X, None, {"n_components": 3, "initial_model": params})
    with pytest.raises(ValueError, match=r'^initial parameters: "precisions" has 3 entries '
                                         r"along axis 1, expected 2 \(shape \(3, 2, 2\)\)$"):
        _core.fit(X, None, {"n_components": 3, "initial_precisions": np.ones((3, 3, 3))})
