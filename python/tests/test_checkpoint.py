"""Checkpoints of Python fits: fit(X, checkpoint=..., resume=...) stops on
Ctrl-C with a resumable file and continues to the very result, bit for bit,
of a fit that was never interrupted; a checkpoint of other settings or other
data is refused, naming what differs; the files are the command's."""

import contextlib
import json
import os
import re
import shutil
import signal
import subprocess

import numpy as np
import pytest

import emkit
from emkit import _core

from conftest import three_clusters

GAUSSIAN_ATTRIBUTES = ("weights_", "means_", "covariances_", "precisions_",
                       "precisions_cholesky_", "lower_bound_", "lower_bounds_", "n_iter_",
                       "converged_")


class PressCtrlC:
    """A standard output that presses Ctrl-C (raises SIGINT) while the fit
    prints its verbose line of `iteration` for the `occurrence`-th time
    (iterations count again in every restart), and keeps the lines."""

    def __init__(self, iteration=None, occurrence=1, copy=None,
                 pattern=r"\s*Iteration (\d+)\b"):
        self.pattern = pattern
        self.iteration = iteration
        self.occurrence = occurrence
        self.copy = copy  # (checkpoint, snapshot): copy the file instead
        self.lines = []

    def write(self, text):
        match = re.match(self.pattern, text)
        if match:
            self.lines.append(int(match.group(1)))
            if (int(match.group(1)) == self.iteration
                    and self.lines.count(self.iteration) == self.occurrence):
                if self.copy is not None:
                    shutil.copyfile(*self.copy)
                else:
                    signal.raise_signal(signal.SIGINT)
        return len(text)

    def flush(self):
        pass


# The verbose line of an HMM's iteration: "   ITERATION   LOG-LIKELIHOOD".
HMM_LINE = r"\s*(\d+) +-?\d"


def interrupt(estimator, X, at, occurrence=1, pattern=PressCtrlC().pattern, method="fit",
              **fit_args):
    """Fits (by `method`) with verbose lines until Ctrl-C at iteration
    `at`; returns the iterations that ran."""
    estimator.set_params(verbose=1)
    if isinstance(estimator, emkit.GaussianMixture):
        estimator.set_params(verbose_interval=1)
    out = PressCtrlC(at, occurrence, pattern=pattern)
    with contextlib.redirect_stdout(out), pytest.raises(KeyboardInterrupt):
        getattr(estimator, method)(X, **fit_args)
    return out.lines


def resume(estimator, X, pattern=PressCtrlC().pattern, **fit_args):
    """Fits with verbose lines; returns the estimator and the iterations
    that ran."""
    estimator.set_params(verbose=1)
    if isinstance(estimator, emkit.GaussianMixture):
        estimator.set_params(verbose_interval=1)
    out = PressCtrlC(pattern=pattern)
    with contextlib.redirect_stdout(out):
        estimator.fit(X, **fit_args)
    return estimator, out.lines


def assert_same_fit(a, b, attributes):
    for name in attributes:
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)
    assert len(a.report_.restarts) == len(b.report_.restarts)
    for ra, rb in zip(a.report_.restarts, b.report_.restarts):
        np.testing.assert_array_equal(ra.mean_log_likelihoods, rb.mean_log_likelihoods)
        np.testing.assert_array_equal(ra.bound_gain, rb.bound_gain)
        assert ra.seed == rb.seed
        assert ra.termination == rb.termination


def gaussian(**params):
    return emkit.GaussianMixture(**({"n_components": 3, "n_init": 3, "tol": 0.0,
                                     "max_iter": 25, "random_state": 7} | params))


@pytest.mark.parametrize("covariance_type", ["full", "diag", "spherical", "tied"])
def test_an_interrupted_gaussian_mixture_resumes_bit_for_bit(covariance_type, tmp_path):
    X = three_clusters(n=1500)
    path = tmp_path / "fit.ck"
    whole = gaussian(covariance_type=covariance_type).fit(X)
    interrupted = gaussian(covariance_type=covariance_type)
    ran = interrupt(interrupted, X, at=6, occurrence=2, checkpoint=path)
    assert ran == list(range(1, 26)) + list(range(1, 7))  # restart 1 stopped at 6
    # The estimator is as it was; the file holds the progress at Ctrl-C.
    assert not hasattr(interrupted, "means_")
    assert _core.read_checkpoint(str(path)).where == "restart 2, iteration 6"

    # Another thread count changes nothing.
    resumed, ran = resume(gaussian(covariance_type=covariance_type, n_jobs=1), X,
                          resume=path)
    assert ran == list(range(7, 26)) + list(range(1, 26))  # only what was left
    assert_same_fit(resumed, whole, GAUSSIAN_ATTRIBUTES)


def test_a_snapshot_taken_during_the_fit_resumes_and_the_same_file_goes_on(tmp_path):
    X = three_clusters(n=800)
    path, snapshot = tmp_path / "fit.ck", tmp_path / "snapshot.ck"
    gm = gaussian(n_init=2, verbose=1, verbose_interval=1)
    out = PressCtrlC(9, copy=(path, snapshot))
    with contextlib.redirect_stdout(out):
        gm.fit(X, checkpoint=path, checkpoint_every=0)  # written after every iteration
    whole = gaussian(n_init=2).fit(X)
    assert_same_fit(gm, whole, GAUSSIAN_ATTRIBUTES)
    assert _core.read_checkpoint(str(snapshot)).where == "restart 1, iteration 9"

    # Resuming from the snapshot while checkpointing to it again.
    resumed, ran = resume(gaussian(n_init=2), X, resume=snapshot, checkpoint=snapshot,
                          checkpoint_every=0)
    assert ran[0] == 10
    assert_same_fit(resumed, whole, GAUSSIAN_ATTRIBUTES)
    assert _core.read_checkpoint(str(snapshot)).where == "restart 2, iteration 24"


def test_a_float32_fit_resumes_from_its_own_checkpoint_only(tmp_path):
    X = three_clusters(n=1500).astype(np.float32)
    path = tmp_path / "f32.ck"
    whole = gaussian(covariance_type="diag").fit(X)
    interrupt(gaussian(covariance_type="diag"), X, at=4, checkpoint=path)
    assert json.loads(_core.read_checkpoint(str(path)).settings)["dtype"] == "float32"
    resumed, ran = resume(gaussian(covariance_type="diag"), X, resume=path)
    assert ran[0] == 5
    assert_same_fit(resumed, whole, GAUSSIAN_ATTRIBUTES)

    # The same values as float64 have the same fingerprint, but they are
    # another fit.
    with pytest.raises(ValueError, match=r"dtype=\"float32\", this fit has "
                                         r"dtype=\"float64\" \(from the dtype of X\)"):
        gaussian(covariance_type="diag").fit(X.astype(np.float64), resume=path)
    path64 = tmp_path / "f64.ck"
    interrupt(gaussian(covariance_type="diag"), X.astype(np.float64), at=4, checkpoint=path64)
    with pytest.raises(ValueError, match="dtype"):
        gaussian(covariance_type="diag").fit(X, resume=path64)


def test_a_random_state_that_is_no_int_resumes_with_the_checkpoints_seed(tmp_path):
    X = three_clusters(n=600)
    path = tmp_path / "fit.ck"
    interrupt(gaussian(random_state=None), X, at=3, checkpoint=path)
    seed = json.loads(_core.read_checkpoint(str(path)).settings)["seed"]
    state = np.random.RandomState(0)
    resumed = gaussian(random_state=state).fit(X, resume=path)
    assert_same_fit(resumed, gaussian(random_state=seed).fit(X), GAUSSIAN_ATTRIBUTES)
    # Resuming draws nothing from the RandomState.
    assert state.randint(1000) == np.random.RandomState(0).randint(1000)


def test_python_only_settings_are_kept_and_compared(tmp_path):
    X = three_clusters(n=600)
    means = np.array([[0.0, 0.0], [5.0, 0.0], [0.0, 5.0]])
    path = tmp_path / "fit.ck"
    params = {"means_init": means, "init_params": "k-means++"}
    interrupt(gaussian(**params), X, at=3, checkpoint=path)
    settings = json.loads(_core.read_checkpoint(str(path)).settings)
    assert settings["command"] == "python fit"
    assert settings["means_init"] == means.tolist()
    resumed = gaussian(**params).fit(X, resume=path)
    assert_same_fit(resumed, gaussian(**params).fit(X), GAUSSIAN_ATTRIBUTES)
    with pytest.raises(ValueError, match=r"made with means_init=\[\[0.0, 0.0\].*this fit has "
                                         r"means_init=\[\[1.0, 1.0\]"):
        gaussian(means_init=means + 1.0, init_params="k-means++").fit(X, resume=path)
    with pytest.raises(ValueError, match=r"kmeans_max_iter=0, this fit has "
                                         r"kmeans_max_iter=none \(from init_params\)"):
        gaussian(means_init=means).fit(X, resume=path)


def test_a_warm_started_fit_resumes(tmp_path):
    X = three_clusters(n=600)
    path = tmp_path / "warm.ck"
    first = gaussian(warm_start=True, max_iter=3).fit(X)
    whole = gaussian(warm_start=True, max_iter=3).fit(X).fit(X)
    interrupt(first, X, at=2, checkpoint=path)
    assert json.loads(_core.read_checkpoint(str(path)).settings)["command"] == "python fit"
    assert_same_fit(first.fit(X, resume=path), whole, GAUSSIAN_ATTRIBUTES)


@pytest.mark.parametrize("change, message", [
    ({"n_components": 4}, r"n_components=3, this fit has n_components=4;"),
    ({"covariance_type": "diag"},
     r"covariance=\"full\", this fit has covariance=\"diag\" \(from covariance_type\)"),
    ({"random_state": 8}, r"seed=7, this fit has seed=8 \(from random_state\)"),
    ({"init_params": "random"}, r"\(from init_params\)"),
    ({"tol": 1e-3}, r"tol=0.0, this fit has tol=0.001;"),
    ({"max_iter": 26}, r"max_iter=25, this fit has max_iter=26;"),
    ({"n_init": 2}, r"n_init=3, this fit has n_init=2;"),
    ({"reg_covar": 1e-5}, r"\breg_covar=1e-06, this fit has reg_covar=1e-05;"),
])
def test_other_settings_are_refused_naming_the_parameter(change, message, tmp_path):
    X = three_clusters(n=600)
    path = tmp_path / "fit.ck"
    interrupt(gaussian(), X, at=3, checkpoint=path)
    gm = gaussian(**change)
    with pytest.raises(ValueError, match=re.escape(str(path)) + ": the checkpoint was made "
                                         "with .*" + message):
        gm.fit(X, resume=path)
    assert not hasattr(gm, "means_")
    gaussian().fit(X, resume=path)  # and the same settings resume


def test_other_data_bad_files_and_bad_arguments_are_refused(tmp_path):
    X = three_clusters(n=600)
    path = tmp_path / "fit.ck"
    interrupt(gaussian(), X, at=3, checkpoint=path)
    other = X.copy()
    other[17, 1] = np.nextafter(other[17, 1], np.inf)
    with pytest.raises(ValueError, match=r"X: not the data that the checkpoint .*fit.ck was "
                                         r"made from \(600 rows x 2 columns, checksum "):
        gaussian().fit(other, resume=path)
    with pytest.raises(ValueError, match="not the data"):
        gaussian().fit(X[:-1], resume=path)

    missing = tmp_path / "missing.ck"
    with pytest.raises(FileNotFoundError, match=re.escape(str(missing))):
        gaussian().fit(X, resume=missing)
    corrupt = tmp_path / "corrupt.ck"
    corrupt.write_text('{"format": "emkit-checkpoint", "version": 1')
    with pytest.raises(ValueError, match=re.escape(str(corrupt)) + ": not a checkpoint file"):
        gaussian().fit(X, resume=corrupt)
    with pytest.raises(FileNotFoundError, match="does not exist"):
        gaussian().fit(X, checkpoint=tmp_path / "no" / "such" / "dir.ck")
    with pytest.raises(ValueError, match="checkpoint_every must be a number of seconds >= 0"):
        gaussian().fit(X, checkpoint=path, checkpoint_every=-1)
    # A mixture of another family is another model.
    with pytest.raises(ValueError, match=r"model=\"gaussian\", this fit has "
                                         r"model=\"poisson\" \(from the estimator\)"):
        emkit.PoissonMixture(3).fit(np.abs(np.round(X)), resume=path)


def registry_data(cls, rng):
    if cls is emkit.BernoulliMixture:
        p = np.array([[0.9, 0.8, 0.2, 0.1, 0.5], [0.1, 0.3, 0.9, 0.7, 0.5]])
        z = rng.integers(0, 2, size=800)
        return (rng.random((800, 5)) < p[z]).astype(float)
    if cls is emkit.CategoricalMixture:
        p = np.array([[0.6, 0.2, 0.1, 0.1], [0.1, 0.1, 0.3, 0.5]])
        z = rng.integers(0, 2, size=600)
        return np.array([rng.multinomial(8, p[k]) for k in z]).astype(float)
    if cls is emkit.PoissonMixture:
        rates = np.array([[1.0, 6.0, 3.0], [7.0, 1.5, 3.0]])
        return rng.poisson(rates[rng.integers(0, 2, size=800)]).astype(float)
    mu = np.array([[1.0, 0.0, 0.0], [0.0, 0.6, 0.8]])
    X = mu[rng.integers(0, 2, size=800)] + 0.3 * rng.normal(size=(800, 3))
    return X / np.linalg.norm(X, axis=1, keepdims=True)


REGISTRY = [emkit.BernoulliMixture, emkit.CategoricalMixture, emkit.PoissonMixture,
            emkit.VonMisesFisherMixture]


def registry_attributes(estimator):
    return ["weights_", *(key + "_" for key in estimator._array_keys_), "lower_bound_",
            "lower_bounds_", "n_iter_", "converged_"]


@pytest.mark.parametrize("cls", REGISTRY, ids=lambda c: c.__name__)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_an_interrupted_registry_mixture_resumes_bit_for_bit(cls, dtype, tmp_path):
    X = registry_data(cls, np.random.default_rng(3)).astype(dtype)
    path = tmp_path / "fit.ck"
    params = {"n_components": 2, "n_init": 2, "tol": 0.0, "max_iter": 12, "random_state": 5}
    whole = cls(**params).fit(X)
    ran = interrupt(cls(**params), X, at=4, occurrence=2, checkpoint=path)
    assert ran == list(range(1, 13)) + list(range(1, 5))
    settings = json.loads(_core.read_checkpoint(str(path)).settings)
    assert (settings["command"], settings["model"]) == ("fit", cls._family)
    resumed, ran = resume(cls(**params), X, resume=path)
    assert ran == list(range(5, 13))
    assert_same_fit(resumed, whole, registry_attributes(whole))

    option = cls._option_table()[0][0]  # pseudo_count, min_rate, max_concentration
    with pytest.raises(ValueError, match=rf"made with {option}=.*, this fit has {option}=0.5;"):
        cls(**params, **{option: 0.5}).fit(X, resume=path)


@pytest.mark.parametrize("cls", [emkit.GaussianMixture, *REGISTRY], ids=lambda c: c.__name__)
def test_an_interrupted_fit_predict_resumes_to_the_same_labels(cls, tmp_path):
    if cls is emkit.GaussianMixture:
        X, params = three_clusters(n=900), {"n_components": 3, "covariance_type": "diag"}
    else:
        X, params = registry_data(cls, np.random.default_rng(6)), {"n_components": 2}
    params |= {"n_init": 2, "tol": 0.0, "max_iter": 10, "random_state": 5}
    path = tmp_path / "fit_predict.ck"
    whole = cls(**params)
    labels = whole.fit_predict(X)
    ran = interrupt(cls(**params), X, at=3, occurrence=2, method="fit_predict",
                    checkpoint=path, checkpoint_every=0)
    assert ran == list(range(1, 11)) + list(range(1, 4))
    resumed = cls(**params)
    resumed_labels = resumed.fit_predict(X, resume=path)
    np.testing.assert_array_equal(resumed_labels, labels)
    np.testing.assert_array_equal(resumed_labels, whole.predict(X))
    attributes = (GAUSSIAN_ATTRIBUTES if cls is emkit.GaussianMixture
                  else registry_attributes(whole))
    assert_same_fit(resumed, whole, attributes)


# --- Hidden Markov models ---------------------------------------------------


def hmm_data(cls, rng):
    """Sequences of 40 steps from 3 states (2 for the counts), and their
    lengths."""
    states = np.repeat(rng.integers(0, 3, size=15), 40)
    if cls is emkit.CategoricalHMM:
        probabilities = np.array([[0.7, 0.2, 0.1], [0.1, 0.8, 0.1], [0.2, 0.2, 0.6]])
        X = np.array([[rng.choice(3, p=probabilities[s])] for s in states])
    elif cls is emkit.PoissonHMM:
        X = rng.poisson(np.array([[1.0, 4.0], [9.0, 2.0], [4.0, 4.0]])[states])
    else:
        means = np.array([[0.0, 0.0], [5.0, 1.0], [-3.0, 4.0]])
        X = means[states] + rng.normal(size=(states.size, 2))
    return X, [200, 150, 250]


HMMS = [(emkit.GaussianHMM, {"covariance_type": "diag"}),
        (emkit.GaussianHMM, {"covariance_type": "full"}),
        (emkit.GMMHMM, {"n_mix": 2, "covariance_type": "diag"}),
        (emkit.CategoricalHMM, {}),
        (emkit.PoissonHMM, {})]


def hmm_attributes(model):
    names = ["startprob_", "transmat_"] + [
        name for name in ("means_", "covars_", "weights_", "emissionprob_", "lambdas_")
        if hasattr(model, name)]
    return names


@pytest.mark.parametrize("cls, params", HMMS,
                         ids=lambda p: p.__name__ if isinstance(p, type) else
                         "-".join(map(str, p.values())))
def test_an_interrupted_hmm_resumes_bit_for_bit(cls, params, tmp_path):
    X, lengths = hmm_data(cls, np.random.default_rng(4))
    path = tmp_path / "hmm.ck"
    params = {"n_components": 3, "n_iter": 12, "tol": 0.0, "random_state": 2} | params
    whole = cls(**params).fit(X, lengths)
    ran = interrupt(cls(**params), X, at=4, pattern=HMM_LINE, lengths=lengths,
                    checkpoint=path)
    assert ran == [1, 2, 3, 4]
    assert _core.read_checkpoint(str(path)).where == "restart 1, iteration 4"
    resumed, ran = resume(cls(**params), X, pattern=HMM_LINE, lengths=lengths, resume=path)
    assert ran == list(range(5, 13))
    assert_same_fit(resumed, whole, hmm_attributes(whole))
    assert resumed.monitor_.history == whole.monitor_.history

    with pytest.raises(ValueError, match=r"made with sequences\.count=3, this fit has "
                                         r"sequences\.count=2 \(from lengths\)"):
        cls(**params).fit(X, [300, 300], resume=path)
    with pytest.raises(ValueError, match=r"n_iter=12, this fit has n_iter=13;"):
        cls(**params | {"n_iter": 13}).fit(X, lengths, resume=path)
    # The initial means of a GMMHMM are rows of X: a difference in them is
    # found first.
    with pytest.raises(ValueError, match=r"initial.means=" if cls is emkit.GMMHMM
                       else "not the data"):
        cls(**params).fit(X[::-1], lengths, resume=path)


def test_hmms_that_a_checkpoint_cannot_hold_are_refused_before_the_fit(tmp_path):
    X, lengths = hmm_data(emkit.GaussianHMM, np.random.default_rng(4))
    path = tmp_path / "hmm.ck"
    with pytest.raises(ValueError, match="params='st' keeps parameters fixed"):
        emkit.GaussianHMM(3, params="st").fit(X, lengths, checkpoint=path)
    with pytest.raises(ValueError, match="priors other than the neutral ones"):
        emkit.GaussianHMM(3, transmat_prior=2.0).fit(X, lengths, checkpoint=path)
    counts, lengths = hmm_data(emkit.PoissonHMM, np.random.default_rng(4))
    with pytest.raises(ValueError, match="priors other than the neutral ones"):
        emkit.PoissonHMM(3, lambdas_prior=1.0, lambdas_weight=1.0).fit(
            counts, lengths, checkpoint=path)
    assert not path.exists()
    # A mixture's checkpoint is no HMM's.
    interrupt(gaussian(), X, at=3, checkpoint=path)
    with pytest.raises(ValueError, match="a checkpoint of 'fit', not of a fit that "
                                         "'python hmm fit' continues"):
        emkit.GaussianHMM(3).fit(X, lengths, resume=path)


# --- The command's checkpoints and Python's are one format ----------------


def emkit_binary():
    path = os.environ.get("EMKIT_BINARY") or shutil.which("emkit")
    if path is None:
        pytest.skip("the emkit command is not built (set EMKIT_BINARY)")
    return path


def run(*args, expect=0):
    out = subprocess.run([emkit_binary(), *map(str, args)], capture_output=True, text=True,
                         check=False)
    assert out.returncode == expect, out.stderr
    return out


def write_csv(X, path):
    # Shortest round-trip numbers: the command reads back the same doubles,
    # so the data have the same fingerprint.
    path.write_text("\n".join(",".join(repr(float(v)) for v in row) for row in X) + "\n")


def test_the_command_continues_a_python_checkpoint(tmp_path):
    X = three_clusters(n=600)
    data, path, model = tmp_path / "x.csv", tmp_path / "fit.ck", tmp_path / "model.json"
    write_csv(X, data)
    interrupt(gaussian(), X, at=5, occurrence=2, checkpoint=path)
    run("fit", data, "--resume", path, "-o", model)
    loaded = emkit.load(model)
    whole = gaussian().fit(X)
    for name in ("weights_", "means_", "covariances_", "precisions_cholesky_"):
        np.testing.assert_array_equal(getattr(loaded, name), getattr(whole, name),
                                      err_msg=name)

    # A fit that only Python runs is refused by the command.
    interrupt(gaussian(init_params="k-means++"), X, at=3, checkpoint=path)
    out = run("fit", data, "--resume", path, "-o", model, expect=2)
    assert "a checkpoint of another command" in out.stderr


@pytest.mark.parametrize("cls, model", [(emkit.GaussianMixture, "gaussian"),
                                        (emkit.PoissonMixture, "poisson")])
def test_python_continues_a_checkpoint_of_the_command(cls, model, tmp_path):
    X = (three_clusters(n=600) if model == "gaussian"
         else registry_data(emkit.PoissonMixture, np.random.default_rng(1)))
    data, path = tmp_path / "x.csv", tmp_path / "fit.ck"
    write_csv(X, data)
    # With --checkpoint-every 0 the file ends with the last iteration that
    # another followed: restart 3 at iteration 19 of 20.
    run("fit", data, "--model", model, "-k", 3, "--n-init", 3, "--tol", 0, "--max-iter", 20,
        "--seed", 11, "--checkpoint", path, "--checkpoint-every", 0, "-o", tmp_path / "m.json")
    assert _core.read_checkpoint(str(path)).where == "restart 3, iteration 19"
    params = {"n_components": 3, "n_init": 3, "tol": 0.0, "max_iter": 20, "random_state": 11}
    if cls is emkit.GaussianMixture:
        params["reg_covar"] = 1e-6
    resumed, ran = resume(cls(**params), X, resume=path)
    assert ran == [20]
    whole = cls(**params).fit(X)
    attributes = (GAUSSIAN_ATTRIBUTES if cls is emkit.GaussianMixture
                  else registry_attributes(whole))
    assert_same_fit(resumed, whole, attributes)
