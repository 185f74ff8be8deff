"""hmmlearn's prior parameters on the HMM classes: non-neutral Dirichlet
priors of the chain and of CategoricalHMM's emissions, and PoissonHMM's
Gamma prior, live against hmmlearn from the same initial parameters; the
Gaussian priors are accepted at their neutral values only."""

import numpy as np
import pytest

import emkit

hmm = pytest.importorskip("hmmlearn.hmm")

from test_hmm import LENGTHS, N_ITER, check_common, close, random_chain, sample_states, set_params  # noqa: E402


def test_categorical_priors_match_hmmlearn():
    rng = np.random.default_rng(5000)
    k, v = 3, 5
    start, trans = random_chain(rng, k)
    emission = rng.dirichlet(np.full(v, 0.7), size=k)
    z = sample_states(rng, start, trans, LENGTHS)
    X = np.array([[rng.choice(v, p=emission[s])] for s in z])
    start0, trans0 = random_chain(rng, k)
    init = dict(startprob_=start0, transmat_=trans0,
                emissionprob_=rng.dirichlet(np.full(v, 3.0), size=k))
    priors = dict(startprob_prior=rng.uniform(0.5, 4.0, size=k),
                  transmat_prior=rng.uniform(0.8, 6.0, size=(k, k)),
                  emissionprob_prior=rng.uniform(0.5, 3.0, size=(k, v)))
    theirs = set_params(hmm.CategoricalHMM(
        n_components=k, n_features=v, n_iter=N_ITER, tol=-np.inf, init_params="",
        params="ste", **priors), init).fit(X, LENGTHS)
    ours = set_params(emkit.CategoricalHMM(
        n_components=k, n_features=v, pseudo_count=0.0, n_iter=N_ITER, tol=0.0,
        init_params="", **priors), init).fit(X, LENGTHS)
    check_common(ours, theirs, X)
    close(ours.emissionprob_, theirs.emissionprob_, "emissionprob_")
    # The priors matter: without them the fit differs.
    plain = set_params(emkit.CategoricalHMM(
        n_components=k, n_features=v, pseudo_count=0.0, n_iter=N_ITER, tol=0.0,
        init_params=""), init).fit(X, LENGTHS)
    assert np.abs(plain.transmat_ - ours.transmat_).max() > 1e-3


def test_scalar_chain_priors_match_hmmlearn_for_poisson():
    rng = np.random.default_rng(4000)
    k = 2
    start, trans = random_chain(rng, k)
    rates = np.array([[1.0, 4.0, 0.5], [6.0, 1.5, 3.0]])
    X = rng.poisson(rates[sample_states(rng, start, trans, LENGTHS)])
    start0, trans0 = random_chain(rng, k)
    init = dict(startprob_=start0, transmat_=trans0,
                lambdas_=rates * rng.uniform(0.6, 1.4, size=rates.shape))
    theirs = set_params(hmm.PoissonHMM(
        n_components=k, startprob_prior=3.0, transmat_prior=7.5, n_iter=N_ITER,
        tol=-np.inf, init_params="", params="stl"), init).fit(X, LENGTHS)
    ours = set_params(emkit.PoissonHMM(
        n_components=k, startprob_prior=3.0, transmat_prior=7.5, min_rate=0.0,
        n_iter=N_ITER, tol=0.0, init_params=""), init).fit(X, LENGTHS)
    check_common(ours, theirs, X)
    close(ours.lambdas_, theirs.lambdas_, "lambdas_")


def test_lambdas_prior_is_the_gamma_posterior_mean():
    # One state: hmmlearn's formula and the per-state Gamma posterior agree.
    rng = np.random.default_rng(6000)
    X = rng.poisson([2.0, 7.0, 0.3], size=(sum(LENGTHS), 3))
    init = dict(startprob_=np.ones(1), transmat_=np.ones((1, 1)),
                lambdas_=np.array([[1.0, 5.0, 1.0]]))
    kwargs = dict(n_components=1, lambdas_prior=40.0, lambdas_weight=9.0, n_iter=3,
                  init_params="")
    theirs = set_params(hmm.PoissonHMM(tol=-np.inf, **kwargs), init).fit(X, LENGTHS)
    ours = set_params(emkit.PoissonHMM(min_rate=0.0, tol=0.0, **kwargs), init).fit(X, LENGTHS)
    close(ours.lambdas_, theirs.lambdas_, "lambdas_")
    close(ours.lambdas_, ((40.0 + X.sum(axis=0)) / (9.0 + len(X)))[None, :], "closed form")
    # Several states: per state (prior + sum p x) / (weight + sum p), checked
    # through one M-step from known posteriors.
    init = dict(startprob_=np.array([0.5, 0.5]), transmat_=np.full((2, 2), 0.5),
                lambdas_=np.array([[1.0, 5.0, 1.0], [3.0, 2.0, 0.5]]))
    model = set_params(emkit.PoissonHMM(
        n_components=2, lambdas_prior=[4.0, 1.0], lambdas_weight=[2.0, 0.5],
        min_rate=0.0, n_iter=1, tol=0.0, init_params="", params="l"), init)
    posteriors = model.predict_proba(X, LENGTHS)
    model.fit(X, LENGTHS)
    expected = (np.array([[4.0], [1.0]]) + posteriors.T @ X) / (
        np.array([[2.0], [0.5]]) + posteriors.sum(axis=0)[:, None])
    close(model.lambdas_, expected, "per-state Gamma posterior mean")


def test_prior_parameters_are_checked():
    X = np.array([[0], [1], [1], [0]])
    with pytest.raises(ValueError, match="transmat_prior"):
        emkit.CategoricalHMM(2, transmat_prior=np.ones((3, 3))).fit(X)
    with pytest.raises(ValueError, match="startprob_prior must be finite and >= 0"):
        emkit.PoissonHMM(2, startprob_prior=-1.0).fit(X)


@pytest.mark.parametrize("make", [
    lambda: emkit.GaussianHMM(2, covars_prior=1e-2),
    lambda: emkit.GaussianHMM(2, means_weight=1.0),
    lambda: emkit.GaussianHMM(2, covars_weight=2.0),
    lambda: emkit.GMMHMM(2, covars_prior=1.0),
    lambda: emkit.GMMHMM(2, weights_prior=2.0),
])
def test_gaussian_priors_other_than_neutral_are_not_implemented(make):
    X = np.random.default_rng(0).normal(size=(40, 2))
    with pytest.raises(NotImplementedError, match="maximum-likelihood"):
        make().fit(X)


def test_neutral_gaussian_priors_are_accepted_and_in_get_params():
    X = np.random.default_rng(0).normal(size=(40, 2))
    model = emkit.GaussianHMM(2, means_prior=3.0, means_weight=0.0, covars_prior=0.0,
                              covars_weight=1.0, n_iter=2).fit(X)
    params = model.get_params()
    for name in ("startprob_prior", "transmat_prior", "means_prior", "means_weight",
                 "covars_prior", "covars_weight"):
        assert name in params
    assert "emissionprob_prior" in emkit.CategoricalHMM().get_params()
    assert {"lambdas_prior", "lambdas_weight"} <= set(emkit.PoissonHMM().get_params())
    assert "weights_prior" in emkit.GMMHMM().get_params()
