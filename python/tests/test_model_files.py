"""JSON model files of the HMM and discrete-mixture classes: an exact round
trip through save and emkit.load, and the same files as the emkit command
reads and writes (those tests need the command: EMKIT_BINARY or emkit on
PATH)."""

import json
import os
import shutil
import subprocess

import numpy as np
import pytest

import emkit

TYPES = ["full", "diag", "spherical", "tied"]


def emkit_binary():
    path = os.environ.get("EMKIT_BINARY") or shutil.which("emkit")
    if path is None:
        pytest.skip("the emkit command is not built (set EMKIT_BINARY)")
    return path


def run(*args):
    out = subprocess.run([emkit_binary(), *map(str, args)], capture_output=True,
                         text=True, check=False)
    assert out.returncode == 0, out.stderr
    return out.stdout


def column(csv_text):
    lines = csv_text.strip().splitlines()
    return lines[0], np.array([float(v) for v in lines[1:]])


def gaussian_sequences(seed=0, n=300):
    rng = np.random.default_rng(seed)
    states = np.repeat(rng.integers(0, 3, size=n // 20), 20)
    means = np.array([[0.0, 0.0], [5.0, 1.0], [-3.0, 4.0]])
    return means[states] + rng.normal(size=(states.size, 2))


def count_sequences(seed=0, n=300):
    rng = np.random.default_rng(seed)
    states = np.repeat(rng.integers(0, 2, size=n // 30), 30)
    return rng.poisson(np.array([[1.0, 4.0], [9.0, 2.0]])[states])


def symbol_sequences(seed=0, n=300):
    rng = np.random.default_rng(seed)
    states = np.repeat(rng.integers(0, 2, size=n // 30), 30)
    p = np.array([[0.7, 0.2, 0.1], [0.1, 0.2, 0.7]])
    return np.array([[rng.choice(3, p=p[s])] for s in states])


def fitted_hmms():
    X = gaussian_sequences()
    for covariance_type in TYPES:
        yield (emkit.GaussianHMM(3, covariance_type=covariance_type, random_state=0,
                                 n_iter=5).fit(X), X)
    S = symbol_sequences()
    yield emkit.CategoricalHMM(2, random_state=0, pseudo_count=1e-3).fit(S), S
    C = count_sequences()
    yield emkit.PoissonHMM(2, random_state=0, min_rate=1e-4).fit(C), C
    for covariance_type in TYPES:
        yield (emkit.GMMHMM(2, n_mix=2, covariance_type=covariance_type, random_state=0,
                            n_iter=5).fit(X), X)


HMM_ARRAYS = ("startprob_", "transmat_", "weights_", "means_", "covars_",
              "emissionprob_", "lambdas_")
N_FITTED_HMMS = 10


@pytest.mark.parametrize("index", range(N_FITTED_HMMS))
def test_hmm_round_trip_is_exact(index, tmp_path):
    model, X = list(fitted_hmms())[index]
    path = tmp_path / "h.json"
    model.save(path)
    loaded = emkit.load(path)
    assert type(loaded) is type(model)
    assert loaded.n_components == model.n_components
    assert loaded.n_features == model.n_features
    for name in ("covariance_type", "reg_covar", "pseudo_count", "min_rate", "n_mix"):
        if hasattr(model, name):
            assert getattr(loaded, name) == getattr(model, name)
    for name in HMM_ARRAYS:
        if hasattr(model, name):
            np.testing.assert_array_equal(getattr(loaded, name), getattr(model, name))
    assert loaded.score(X) == model.score(X)
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    # Saving the loaded model writes the same file.
    loaded.save(tmp_path / "again.json")
    assert (tmp_path / "again.json").read_text() == path.read_text()
    text = json.loads(path.read_text())
    assert text["format"] == "emkit-model" and text["model"] == "hmm"


def test_loaded_hmm_fits_from_the_file(tmp_path):
    X = gaussian_sequences()
    model = emkit.GaussianHMM(3, random_state=0, n_iter=2).fit(X)
    model.save(tmp_path / "h.json")
    loaded = emkit.load(tmp_path / "h.json")
    assert loaded.init_params == ""
    loaded.n_iter = 0
    loaded.fit(X)
    np.testing.assert_array_equal(loaded.means_, model.means_)


def test_gmmhmm_file_layout(tmp_path):
    # State-major components; "tied" holds one covariance per state.
    X = gaussian_sequences()
    model = emkit.GMMHMM(2, n_mix=3, covariance_type="tied", random_state=0,
                         n_iter=2).fit(X)
    model.save(tmp_path / "g.json")
    text = json.loads((tmp_path / "g.json").read_text())
    assert text["emission"] == "gaussian_mixture" and text["n_mix"] == 3
    np.testing.assert_array_equal(np.array(text["means"]), model.means_.reshape(6, 2))
    np.testing.assert_array_equal(np.array(text["covariances"]), model.covars_)


def fitted_mixtures():
    rng = np.random.default_rng(1)
    B = (rng.random((200, 5)) < np.where(np.arange(200)[:, None] < 100, 0.2, 0.8)).astype(float)
    yield emkit.BernoulliMixture(2, random_state=0, pseudo_count=0.5).fit(B), B
    W = rng.multinomial(10, [0.2, 0.3, 0.5], size=200).astype(float)
    yield emkit.CategoricalMixture(2, random_state=0).fit(W), W
    C = count_sequences(seed=2).astype(float)
    yield emkit.PoissonMixture(2, random_state=0, min_rate=1e-3).fit(C), C


@pytest.mark.parametrize("index", range(3))
def test_discrete_mixture_round_trip_is_exact(index, tmp_path):
    model, X = list(fitted_mixtures())[index]
    path = tmp_path / "m.json"
    model.save(path)
    loaded = emkit.load(path)
    assert type(loaded) is type(model)
    assert loaded.get_params() == model.get_params() | {"random_state": None}
    np.testing.assert_array_equal(loaded.weights_, model.weights_)
    assert model._array_keys_ in (["probabilities"], ["rates"])
    for key in model._array_keys_:
        np.testing.assert_array_equal(getattr(loaded, key + "_"), getattr(model, key + "_"))
    np.testing.assert_array_equal(loaded.score_samples(X), model.score_samples(X))
    assert loaded.n_iter_ == 0 and loaded.report_ is None
    loaded.save(tmp_path / "again.json")
    assert (tmp_path / "again.json").read_text() == path.read_text()


def test_mixture_feature_names_round_trip(tmp_path):
    pd = pytest.importorskip("pandas")
    C = pd.DataFrame(count_sequences(seed=3).astype(float), columns=["a", "b"])
    model = emkit.PoissonMixture(2, random_state=0).fit(C)
    model.save(tmp_path / "m.json")
    assert json.loads((tmp_path / "m.json").read_text())["feature_names"] == ["a", "b"]
    loaded = emkit.load(tmp_path / "m.json")
    assert list(loaded.feature_names_in_) == ["a", "b"]


def test_load_errors(tmp_path):
    with pytest.raises(OSError, match="cannot open"):
        emkit.load(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "emkit-model", "version": 1, "model": "hmm", '
                   '"emission": "poisson", "startprob": [1], "transmat": [[1]], '
                   '"rates": [[-1]]}')
    with pytest.raises(ValueError, match="bad.json"):
        emkit.load(bad)
    bern = tmp_path / "bern.json"
    bern.write_text('{"format": "emkit-model", "version": 1, "model": "hmm", '
                    '"emission": "bernoulli", "startprob": [1], "transmat": [[1]], '
                    '"probabilities": [[0.5]]}')
    with pytest.raises(ValueError, match="(?i)bernoulli emissions"):
        emkit.load(bern)


# --- With the emkit command ---

@pytest.mark.parametrize("index", range(N_FITTED_HMMS))
def test_command_decodes_a_model_saved_from_python(index, tmp_path):
    model, X = list(fitted_hmms())[index]
    model.save(tmp_path / "h.json")
    np.savetxt(tmp_path / "x.csv", X, delimiter=",")
    header, states = column(run("hmm", "decode", tmp_path / "h.json", tmp_path / "x.csv"))
    assert header == "state"
    np.testing.assert_array_equal(states, model.predict(X))
    score = json.loads(run("hmm", "score", tmp_path / "h.json", tmp_path / "x.csv", "--json"))
    assert score["total_log_likelihood"] == pytest.approx(model.score(X), rel=1e-12)


@pytest.mark.parametrize("emission", ["gaussian", "categorical", "poisson"])
def test_python_loads_a_model_the_command_fitted(emission, tmp_path):
    X = {"gaussian": gaussian_sequences, "categorical": symbol_sequences,
         "poisson": count_sequences}[emission]()
    np.savetxt(tmp_path / "x.csv", X, delimiter=",", fmt="%.17g")
    run("hmm", "fit", tmp_path / "x.csv", "-k", "2", "--emission", emission, "-o",
        tmp_path / "h.json", "-q")
    model = emkit.load(tmp_path / "h.json")
    _, states = column(run("hmm", "decode", tmp_path / "h.json", tmp_path / "x.csv"))
    np.testing.assert_array_equal(model.predict(X), states)


@pytest.mark.parametrize("index", range(3))
def test_command_predicts_with_a_mixture_saved_from_python(index, tmp_path):
    model, X = list(fitted_mixtures())[index]
    model.save(tmp_path / "m.json")
    np.savetxt(tmp_path / "x.csv", X, delimiter=",", fmt="%.17g")
    header, labels = column(run("predict", tmp_path / "m.json", tmp_path / "x.csv"))
    assert header == "label"
    np.testing.assert_array_equal(labels, model.predict(X))
    run("fit", tmp_path / "x.csv", "-k", "2", "--model", model._family, "-o",
        tmp_path / "cli.json", "-q")
    from_command = emkit.load(tmp_path / "cli.json")
    _, labels = column(run("predict", tmp_path / "cli.json", tmp_path / "x.csv"))
    np.testing.assert_array_equal(from_command.predict(X), labels)
