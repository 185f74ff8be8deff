"""partial_fit: stepwise (online) EM, one mini-batch a call. References:
the command's ``emkit fit --online`` over the same batches (the same run,
to the bit), scikit-learn's GaussianMixture fitted on all rows (the batch
optimum that one pass of stepwise EM nears), and the same estimator run
without interruption (a run continued after pickling)."""

import os
import pickle
import shutil
import subprocess

import numpy as np
import pytest

import emkit
from conftest import three_clusters

BATCH = 100


def batches(X, size=BATCH):
    return [X[i:i + size] for i in range(0, len(X), size)]


def emkit_binary():
    path = os.environ.get("EMKIT_BINARY") or shutil.which("emkit")
    if path is None:
        pytest.skip("the emkit command is not built (set EMKIT_BINARY)")
    return path


def online_command_fit(X, tmp_path, *args):
    data = tmp_path / "data.npy"
    np.save(data, X)
    model = tmp_path / "model.json"
    out = subprocess.run([emkit_binary(), "fit", str(data), "--online", "--batch-size",
                          str(BATCH), "-o", str(model), *map(str, args)],
                         capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr
    return emkit.load(model)


@pytest.mark.parametrize("covariance_type", ["full", "diag", "spherical", "tied"])
def test_partial_fit_over_batches_is_the_commands_online_fit(tmp_path, covariance_type):
    X = three_clusters(n=1000, seed=3)
    gm = emkit.GaussianMixture(3, covariance_type=covariance_type, random_state=7)
    for batch in batches(X):
        gm.partial_fit(batch)
    assert gm.n_steps_ == 10
    assert gm.lower_bounds_.shape == (10,)
    command = online_command_fit(X, tmp_path, "-k", 3, "--covariance", covariance_type,
                                 "--seed", 7)
    np.testing.assert_array_equal(gm.weights_, command.weights_)
    np.testing.assert_array_equal(gm.means_, command.means_)
    np.testing.assert_array_equal(gm.covariances_, command.covariances_)


def test_a_discrete_mixtures_partial_fit_is_the_commands_online_fit(tmp_path):
    rng = np.random.default_rng(5)
    X = np.vstack([rng.poisson([1.0, 6.0], size=(500, 2)),
                   rng.poisson([7.0, 2.0], size=(500, 2))]).astype(float)
    X = X[rng.permutation(len(X))]
    pm = emkit.PoissonMixture(2, random_state=3, learning_decay=0.8, average=True)
    for batch in batches(X):
        pm.partial_fit(batch)
    command = online_command_fit(X, tmp_path, "--model", "poisson", "-k", 2, "--seed", 3,
                                 "--step-exponent", 0.8, "--average")
    np.testing.assert_array_equal(pm.rates_, command.rates_)
    np.testing.assert_array_equal(pm.weights_, command.weights_)


def test_one_pass_nears_scikit_learns_batch_optimum():
    mixture = pytest.importorskip("sklearn.mixture")
    X = three_clusters(n=100_000, seed=11)
    held_out = three_clusters(n=20_000, seed=12)
    reference = mixture.GaussianMixture(3, tol=1e-8, max_iter=500, random_state=0).fit(X)
    gm = emkit.GaussianMixture(3, random_state=0)
    for batch in batches(X, 1000):
        gm.partial_fit(batch)
    assert abs(gm.score(held_out) - reference.score(held_out)) < 2e-3


def test_a_run_continues_after_pickling_bit_for_bit():
    X = three_clusters(n=800, seed=4)
    whole = emkit.GaussianMixture(3, random_state=1, average=True)
    for batch in batches(X):
        whole.partial_fit(batch)
    first = emkit.GaussianMixture(3, random_state=1, average=True)
    for batch in batches(X)[:3]:
        first.partial_fit(batch)
    resumed = pickle.loads(pickle.dumps(first))
    for batch in batches(X)[3:]:
        resumed.partial_fit(batch)
    np.testing.assert_array_equal(whole.means_, resumed.means_)
    np.testing.assert_array_equal(whole.lower_bounds_, resumed.lower_bounds_)


def test_results_do_not_depend_on_n_jobs():
    X = three_clusters(n=3000, seed=8)
    fits = []
    for n_jobs in (1, 2):
        gm = emkit.GaussianMixture(3, random_state=2, n_jobs=n_jobs)
        for batch in batches(X, 700):
            gm.partial_fit(batch)
        fits.append(gm)
    np.testing.assert_array_equal(fits[0].means_, fits[1].means_)
    np.testing.assert_array_equal(fits[0].covariances_, fits[1].covariances_)


def test_partial_fit_continues_a_fitted_model_and_fit_starts_afresh():
    X = three_clusters(n=600, seed=9)
    gm = emkit.GaussianMixture(3, random_state=0).fit(X)
    fitted_means = gm.means_.copy()
    gm.partial_fit(X[:100])
    assert gm.n_steps_ == 1
    # One step from the fitted optimum stays near it.
    assert np.abs(gm.means_ - fitted_means).max() < 0.5
    gm.fit(X)
    np.testing.assert_array_equal(gm.means_, fitted_means)
    gm.partial_fit(X[:100])
    assert gm.n_steps_ == 1


@pytest.mark.parametrize("decay", [0.5, 0.3, 1.01, -1.0, "0.7", True])
def test_learning_decay_outside_the_robbins_monro_range_is_refused(decay):
    X = three_clusters(n=200)
    with pytest.raises(ValueError, match="'learning_decay' parameter"):
        emkit.GaussianMixture(2, learning_decay=decay).partial_fit(X)
    with pytest.raises(ValueError, match="'learning_decay' parameter"):
        emkit.PoissonMixture(2, learning_decay=decay).fit(np.abs(np.round(X)))


def test_a_later_batch_with_other_features_is_refused():
    X = three_clusters(n=200)
    gm = emkit.GaussianMixture(2, random_state=0).partial_fit(X)
    with pytest.raises(ValueError, match="features"):
        gm.partial_fit(np.hstack([X, X]))


@pytest.mark.parametrize("estimator, X", [
    (emkit.BernoulliMixture(2, random_state=0),
     (np.random.default_rng(1).random((600, 4)) < 0.3).astype(float)),
    (emkit.CategoricalMixture(2, random_state=0),
     np.random.default_rng(2).multinomial(5, [0.2, 0.3, 0.5], size=600).astype(float)),
    (emkit.VonMisesFisherMixture(2, random_state=0),
     (lambda v: v / np.linalg.norm(v, axis=1, keepdims=True))(
         np.random.default_rng(3).normal(size=(600, 3)) + [3.0, 0.0, 0.0])),
], ids=["bernoulli", "categorical", "vmf"])
def test_every_registry_mixture_has_partial_fit(estimator, X):
    for batch in batches(X):
        estimator.partial_fit(batch)
    assert estimator.n_steps_ == 6
    assert np.all(np.isfinite(estimator.lower_bounds_))
    assert np.isclose(estimator.weights_.sum(), 1.0)
    # Each step moves the parameters toward the batch's M-step.
    assert np.isfinite(estimator.score(X))


def test_a_bad_value_in_a_later_batch_names_its_row():
    X = (np.random.default_rng(1).random((300, 3)) < 0.5).astype(float)
    bm = emkit.BernoulliMixture(2, random_state=0).partial_fit(X[:100])
    bad = X[100:200].copy()
    bad[17, 2] = 2.0
    with pytest.raises(ValueError, match=r"X\[17, 2\] = 2"):
        bm.partial_fit(bad)
    # The refused batch left the run as it was.
    assert bm.n_steps_ == 1


def test_float32_batches_stay_float32_and_agree_with_float64():
    X = three_clusters(n=2000, seed=6)
    wide = emkit.GaussianMixture(3, random_state=0)
    narrow = emkit.GaussianMixture(3, random_state=0)
    for batch in batches(X, 500):
        wide.partial_fit(batch.astype(np.float32).astype(np.float64))
        narrow.partial_fit(batch.astype(np.float32))
    assert narrow.means_.dtype == np.float64
    np.testing.assert_allclose(narrow.means_, wide.means_, atol=1e-4)
