"""GaussianHMM, CategoricalHMM and PoissonHMM: parity with hmmlearn from the
same initial parameters (init_params="", neutral priors, a fixed number of
iterations), hmmlearn's attribute shapes, and its errors."""

import numpy as np
import pytest

import emkit

hmm = pytest.importorskip("hmmlearn.hmm")

N_ITER = 10
LENGTHS = [60, 90, 25, 125]
RTOL = 1e-8


def close(ours, theirs, what):
    np.testing.assert_allclose(ours, theirs, rtol=RTOL, atol=1e-10, err_msg=what)


def random_chain(rng, k, zero=None):
    start = rng.dirichlet(np.full(k, 2.0))
    trans = rng.dirichlet(np.full(k, 2.0), size=k) + 2.0 * np.eye(k)
    if zero is not None:
        trans[zero] = 0.0
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


def spd(rng, d):
    a = rng.standard_normal((d, d))
    return a @ a.T / d + 0.5 * np.eye(d)


def gaussian_problem(covariance_type):
    seed = {"diag": 1010, "full": 1001, "spherical": 1002, "tied": 1003}[covariance_type]
    rng = np.random.default_rng(seed)
    k, d = 3, 2
    start, trans = random_chain(rng, k, zero=(0, 2))
    true_means = np.array([[0.0, 0.0], [3.0, 1.0], [-2.0, 4.0]])
    z = sample_states(rng, start, trans, LENGTHS)
    X = true_means[z] + rng.standard_normal((len(z), d)) @ np.diag([1.0, 0.7])
    means0 = true_means + rng.normal(scale=0.8, size=true_means.shape)
    covars0 = {
        "diag": lambda: rng.uniform(0.5, 2.0, size=(k, d)),
        "spherical": lambda: rng.uniform(0.5, 2.0, size=k),
        "full": lambda: np.array([spd(rng, d) for _ in range(k)]),
        "tied": lambda: spd(rng, d),
    }[covariance_type]()
    start0, trans0 = random_chain(rng, k, zero=(0, 2))
    return X, dict(startprob_=start0, transmat_=trans0, means_=means0, covars_=covars0)


def set_params(model, init):
    for name, value in init.items():
        setattr(model, name, np.array(value, copy=True))
    return model


def check_common(ours, theirs, X):
    close(ours.startprob_, theirs.startprob_, "startprob_")
    close(ours.transmat_, theirs.transmat_, "transmat_")
    close(ours.monitor_.history, list(theirs.monitor_.history), "history")
    assert ours.monitor_.iter == theirs.monitor_.iter == N_ITER
    close(ours.score(X, LENGTHS), theirs.score(X, LENGTHS), "score")
    close(ours.predict_proba(X, LENGTHS), theirs.predict_proba(X, LENGTHS),
          "predict_proba")
    lp_ours, z_ours = ours.decode(X, LENGTHS)
    lp_theirs, z_theirs = theirs.decode(X, LENGTHS)
    close(lp_ours, lp_theirs, "viterbi log probability")
    np.testing.assert_array_equal(z_ours, z_theirs)
    lp_ours, z_ours = ours.decode(X, LENGTHS, algorithm="map")
    lp_theirs, z_theirs = theirs.decode(X, LENGTHS, algorithm="map")
    close(lp_ours, lp_theirs, "map log probability")
    np.testing.assert_array_equal(z_ours, z_theirs)
    np.testing.assert_array_equal(ours.predict(X, LENGTHS), theirs.predict(X, LENGTHS))
    s_ours, post_ours = ours.score_samples(X, LENGTHS)
    s_theirs, post_theirs = theirs.score_samples(X, LENGTHS)
    close(s_ours, s_theirs, "score_samples log probability")
    close(post_ours, post_theirs, "score_samples posteriors")


@pytest.mark.parametrize("covariance_type", ["diag", "spherical", "full", "tied"])
def test_gaussian_hmm_matches_hmmlearn(covariance_type):
    X, init = gaussian_problem(covariance_type)
    theirs = set_params(hmm.GaussianHMM(
        n_components=3, covariance_type=covariance_type, min_covar=0.0,
        startprob_prior=1.0, transmat_prior=1.0, means_prior=0.0, means_weight=0.0,
        covars_prior=0.0, covars_weight=1.0, n_iter=N_ITER, tol=-np.inf,
        init_params="", params="stmc", implementation="log"), init)
    theirs.fit(X, LENGTHS)
    ours = set_params(emkit.GaussianHMM(
        n_components=3, covariance_type=covariance_type, reg_covar=0.0,
        n_iter=N_ITER, tol=0.0, init_params="", params="stmc"), init)
    ours.fit(X, LENGTHS)
    check_common(ours, theirs, X)
    close(ours.means_, theirs.means_, "means_")
    theirs_covars = theirs._covars_
    if covariance_type == "spherical" and theirs_covars.ndim == 2:
        theirs_covars = theirs_covars[:, 0]  # hmmlearn keeps them tiled to K x D
    close(ours._covars_, theirs_covars, "_covars_")
    if covariance_type != "spherical":
        close(ours.covars_, theirs.covars_, "covars_")
    else:
        close(ours.covars_, theirs_covars[:, None, None] * np.eye(2), "covars_")
    k, d = 3, X.shape[1]
    assert ours.n_features == d
    assert ours.means_.shape == (k, d)
    assert ours.covars_.shape == (k, d, d)
    assert ours._covars_.shape == {"diag": (k, d), "spherical": (k,),
                                   "full": (k, d, d), "tied": (d, d)}[covariance_type]


def test_gaussian_hmm_frozen_parameters_match_hmmlearn():
    # Only the transitions are updated; every other parameter stays as given.
    X, init = gaussian_problem("diag")
    ours = set_params(emkit.GaussianHMM(
        n_components=3, reg_covar=0.0, n_iter=N_ITER, tol=0.0, init_params="",
        params="t"), init).fit(X, LENGTHS)
    theirs = set_params(hmm.GaussianHMM(
        n_components=3, covariance_type="diag", min_covar=0.0, covars_prior=0.0,
        n_iter=N_ITER, tol=-np.inf, init_params="", params="t"), init).fit(X, LENGTHS)
    close(ours.transmat_, theirs.transmat_, "transmat_")
    np.testing.assert_array_equal(ours.startprob_, init["startprob_"])
    np.testing.assert_array_equal(ours.means_, init["means_"])
    np.testing.assert_array_equal(ours._covars_, init["covars_"])


def test_categorical_hmm_matches_hmmlearn():
    rng = np.random.default_rng(3000)
    k, v = 3, 5
    start, trans = random_chain(rng, k)
    emission = rng.dirichlet(np.full(v, 0.7), size=k)
    z = sample_states(rng, start, trans, LENGTHS)
    X = np.array([[rng.choice(v, p=emission[s])] for s in z])
    start0, trans0 = random_chain(rng, k)
    init = dict(startprob_=start0, transmat_=trans0,
                emissionprob_=rng.dirichlet(np.full(v, 2.0), size=k))
    theirs = set_params(hmm.CategoricalHMM(
        n_components=k, n_features=v, startprob_prior=1.0, transmat_prior=1.0,
        emissionprob_prior=1.0, n_iter=N_ITER, tol=-np.inf, init_params="",
        params="ste"), init).fit(X, LENGTHS)
    ours = set_params(emkit.CategoricalHMM(
        n_components=k, n_features=v, pseudo_count=0.0, n_iter=N_ITER, tol=0.0,
        init_params=""), init).fit(X, LENGTHS)
    check_common(ours, theirs, X)
    close(ours.emissionprob_, theirs.emissionprob_, "emissionprob_")
    assert ours.emissionprob_.shape == (k, v)
    Xs, Zs = ours.sample(50, random_state=1)
    assert Xs.shape == (50, 1) and Zs.shape == (50,)
    assert Xs.dtype.kind == "i" and Xs.min() >= 0 and Xs.max() < v


def test_poisson_hmm_matches_hmmlearn():
    rng = np.random.default_rng(4000)
    k, d = 2, 3
    start, trans = random_chain(rng, k)
    rates = np.array([[1.0, 4.0, 0.5], [6.0, 1.5, 3.0]])
    z = sample_states(rng, start, trans, LENGTHS)
    X = rng.poisson(rates[z])
    start0, trans0 = random_chain(rng, k)
    init = dict(startprob_=start0, transmat_=trans0,
                lambdas_=rates * rng.uniform(0.6, 1.4, size=rates.shape))
    theirs = set_params(hmm.PoissonHMM(
        n_components=k, startprob_prior=1.0, transmat_prior=1.0, lambdas_prior=0.0,
        lambdas_weight=0.0, n_iter=N_ITER, tol=-np.inf, init_params="",
        params="stl"), init).fit(X, LENGTHS)
    ours = set_params(emkit.PoissonHMM(
        n_components=k, min_rate=0.0, n_iter=N_ITER, tol=0.0, init_params=""),
        init).fit(X, LENGTHS)
    check_common(ours, theirs, X)
    close(ours.lambdas_, theirs.lambdas_, "lambdas_")
    assert ours.lambdas_.shape == (k, d) and ours.n_features == d


def test_poisson_hmm_one_state_is_the_sample_mean():
    X = np.random.default_rng(0).poisson([2.0, 7.0], size=(400, 2))
    model = emkit.PoissonHMM(n_components=1, random_state=0).fit(X)
    close(model.lambdas_[0], X.mean(axis=0), "lambdas_")
    np.testing.assert_array_equal(model.startprob_, [1.0])
    from scipy.stats import poisson
    close(model.score(X), poisson.logpmf(X, X.mean(axis=0)).sum(), "score")
    Xs, Zs = model.sample(20000, random_state=3)
    assert Xs.dtype.kind == "i" and (Zs == 0).all()
    np.testing.assert_allclose(Xs.mean(axis=0), model.lambdas_[0], rtol=0.05)


def test_gaussian_hmm_default_fit_recovers_the_states():
    rng = np.random.default_rng(5)
    true_means = np.array([[-5.0, 0.0], [5.0, 0.0], [0.0, 6.0]])
    trans = np.array([[0.9, 0.05, 0.05], [0.05, 0.9, 0.05], [0.05, 0.05, 0.9]])
    z = sample_states(rng, np.full(3, 1 / 3), trans, [300, 300])
    X = true_means[z] + 0.5 * rng.standard_normal((600, 2))
    for covariance_type in ["diag", "spherical", "full", "tied"]:
        model = emkit.GaussianHMM(3, covariance_type=covariance_type, n_iter=50,
                                  random_state=0).fit(X, [300, 300])
        order = np.argsort(model.means_[:, 0] + 0.01 * model.means_[:, 1])
        np.testing.assert_allclose(model.means_[order], true_means[[0, 2, 1]], atol=0.2)
        np.testing.assert_allclose(np.diag(model.transmat_[np.ix_(order, order)]),
                                   0.9, atol=0.05)
        assert np.all(np.diff(model.monitor_.history) >= -1e-9)
        assert model.monitor_.converged
        assert model.report_.n_iter == model.monitor_.iter
        X2, Z2 = model.sample(100, random_state=7)
        assert X2.shape == (100, 2) and Z2.shape == (100,)
        np.testing.assert_array_equal(model.sample(100, random_state=7)[0], X2)
        close(model.score(X, [300, 300]), model.score(X[:300]) + model.score(X[300:]),
              "score of two sequences")


def test_get_params_clone_and_pickle():
    import pickle
    model = emkit.GaussianHMM(2, covariance_type="full", n_iter=5, random_state=0)
    assert model.get_params()["covariance_type"] == "full"
    assert model.set_params(n_iter=7).n_iter == 7
    X = np.random.default_rng(0).standard_normal((50, 2))
    model.fit(X)
    again = pickle.loads(pickle.dumps(model))
    close(again.score(X), model.score(X), "pickled score")
    if emkit._compat.HAVE_SKLEARN:
        from sklearn.base import clone
        fresh = clone(model)
        assert not hasattr(fresh, "startprob_") and fresh.n_iter == 7


def test_categorical_hmm_infers_n_features_and_initialises():
    X = np.array([[0], [1], [2], [1], [0], [2], [2]])
    model = emkit.CategoricalHMM(n_components=2, random_state=0, n_iter=5).fit(X)
    assert model.n_features == 3
    np.testing.assert_allclose(model.emissionprob_.sum(axis=1), 1.0)
    np.testing.assert_allclose(model.transmat_.sum(axis=1), 1.0)


@pytest.mark.parametrize("make", [
    lambda: emkit.GaussianHMM(2), lambda: emkit.CategoricalHMM(2),
    lambda: emkit.PoissonHMM(2)])
def test_not_fitted(make):
    model = make()
    X = np.zeros((4, 1))
    for call in (model.predict, model.predict_proba, model.score, model.decode,
                 model.score_samples):
        with pytest.raises(emkit.NotFittedError):
            call(X)
    with pytest.raises(emkit.NotFittedError):
        model.sample(3)


def test_bad_input():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((40, 2))
    model = emkit.GaussianHMM(2, random_state=0, n_iter=3).fit(X)
    bad = X.copy()
    bad[3, 1] = np.nan
    with pytest.raises(ValueError):
        emkit.GaussianHMM(2).fit(bad)
    with pytest.raises(ValueError, match="doesn't sum"):
        model.score(X, [10, 10])
    with pytest.raises(ValueError):
        model.predict(X[:, :1])
    with pytest.raises(ValueError):
        model.predict(X[0])
    with pytest.raises(ValueError, match="Unknown decoder"):
        model.decode(X, algorithm="forward")
    with pytest.raises(ValueError):
        emkit.GaussianHMM(2, covariance_type="banded").fit(X)
    with pytest.raises(ValueError):
        emkit.GaussianHMM(0).fit(X)
    model.startprob_ = np.array([0.7, 0.7])
    with pytest.raises(ValueError, match="startprob_"):
        model.predict(X)
    m = emkit.GaussianHMM(2, covariance_type="full", init_params="")
    m.startprob_, m.transmat_ = np.full(2, 0.5), np.full((2, 2), 0.5)
    m.means_, m.covars_ = np.zeros((2, 2)), np.ones((2, 2))
    with pytest.raises(ValueError, match="covars"):
        m.fit(X)


def test_bad_discrete_input():
    with pytest.raises(ValueError, match="nonnegative integers"):
        emkit.CategoricalHMM(2).fit(np.array([[0], [-1], [2]]))
    with pytest.raises(ValueError, match="nonnegative integers"):
        emkit.CategoricalHMM(2).fit(np.array([[0.5], [1], [2]]))
    with pytest.raises(ValueError):
        emkit.CategoricalHMM(2, n_features=2).fit(np.array([[0], [1], [2]]))
    model = emkit.CategoricalHMM(2, random_state=0).fit(np.array([[0], [1], [2], [1]]))
    with pytest.raises(ValueError):
        model.predict(np.array([[0], [3]]))
    with pytest.raises(ValueError, match="non-negative integers"):
        emkit.PoissonHMM(2).fit(np.array([[1, 2], [3, -1]]))
    with pytest.raises(ValueError, match="non-negative integers"):
        emkit.PoissonHMM(2).fit(np.array([[1, 2], [3, 0.5]]))


FIXTURES = __import__("pathlib").Path(__file__).resolve().parents[2] / "tests/reference/fixtures"


@pytest.mark.parametrize("covariance_type", ["diag", "spherical", "full", "tied"])
def test_gmmhmm_matches_the_hmmlearn_fixture(covariance_type):
    # The fixture holds hmmlearn's GMMHMM iterations with its covariance
    # update moved to the maximum-likelihood one (see make_hmmlearn_fixtures.py).
    import json
    f = json.loads((FIXTURES / f"hmmlearn_gmm_{covariance_type}.json").read_text())
    X, lengths = np.array(f["X"]), f["lengths"]
    init = {f"{name}_": np.array(v) for name, v in f["init"].items()}
    k, m, d = init["weights_"].shape + (X.shape[1],)
    ours = set_params(emkit.GMMHMM(
        n_components=k, n_mix=m, covariance_type=covariance_type, reg_covar=0.0,
        n_iter=f["n_iter"], tol=0.0, init_params=""), init)
    # Evaluation from the same parameters is hmmlearn's exactly.
    theirs = set_params(hmm.GMMHMM(n_components=k, n_mix=m,
                                   covariance_type=covariance_type, init_params=""), init)
    close(ours.score(X, lengths), theirs.score(X, lengths), "score")
    close(ours.predict_proba(X, lengths), theirs.predict_proba(X, lengths), "posteriors")
    np.testing.assert_array_equal(ours.predict(X, lengths), theirs.predict(X, lengths))
    ours.fit(X, lengths)
    for name in ["startprob", "transmat", "weights", "means", "covars"]:
        close(getattr(ours, name + "_"), np.array(f["final"][name]), name)
    close(ours.monitor_.history, f["history"], "history")
    close(ours.score(X, lengths), f["final_total_log_likelihood"], "final score")
    assert ours.means_.shape == (k, m, d)
    assert ours.covars_.shape == init["covars_"].shape


def test_gmmhmm_default_fit_and_errors():
    rng = np.random.default_rng(8)
    X = np.concatenate([rng.normal(-4, 1, (150, 2)), rng.normal(4, 1, (150, 2))])
    model = emkit.GMMHMM(2, n_mix=2, random_state=0, n_iter=20).fit(X, [150, 150])
    assert model.weights_.shape == (2, 2) and model.covars_.shape == (2, 2, 2)
    np.testing.assert_allclose(model.weights_.sum(axis=1), 1.0)
    assert np.all(np.diff(model.monitor_.history) >= -1e-9)
    Xs, Zs = model.sample(30, random_state=0)
    assert Xs.shape == (30, 2) and Zs.shape == (30,)
    tied = emkit.GMMHMM(2, n_mix=2, covariance_type="tied", random_state=0,
                        n_iter=20).fit(X, [150, 150])
    assert tied.covars_.shape == (2, 2, 2)
    assert np.all(np.diff(tied.monitor_.history) >= -1e-9)
    with pytest.raises(ValueError, match="covariance_type"):
        emkit.GMMHMM(2, covariance_type="banana").fit(X)
    with pytest.raises(emkit.NotFittedError):
        emkit.GMMHMM(2).predict(X)


def test_verbose_prints_one_line_per_iteration(capsys):
    X = np.random.default_rng(0).standard_normal((60, 1))
    model = emkit.GaussianHMM(2, n_iter=4, tol=0.0, verbose=True, random_state=0).fit(X)
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == model.monitor_.iter == 4
