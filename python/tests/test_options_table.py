"""The parameter table (emkit/_options.py) covers every constructor
parameter and every engine option key, and the engine rejects others; the
engine's own options come from its option table (FitOptions::Describe), whose
names and defaults the Python side agrees with."""

import inspect
import json
import re

import numpy as np
import pytest

import emkit
from emkit import _core
from emkit._options import ENGINE_DEFAULTS, PARAMETERS, engine_options

MIXTURES = [emkit.GaussianMixture, emkit.BernoulliMixture, emkit.CategoricalMixture,
            emkit.PoissonMixture, emkit.VonMisesFisherMixture]


def engine_table():
    return {entry["name"]: entry for entry in _core.engine_options()}


def default_of(entry):
    if entry["kind"] == "integer":
        return int(entry["default"])
    return float(entry["default"]) if entry["kind"] == "number" else entry["default"]


def test_every_parameter_has_a_row():
    names = set(inspect.signature(emkit.GaussianMixture.__init__).parameters) - {"self"}
    assert set(PARAMETERS) == names


def test_every_engine_key_is_reached():
    reached = {key for row in PARAMETERS.values() for key in row.keys}
    assert reached | set(ENGINE_DEFAULTS) == set(_core.OPTION_KEYS)
    assert not reached & set(ENGINE_DEFAULTS)


def test_rows_set_only_their_declared_keys():
    params = emkit.GaussianMixture(
        weights_init=[1.0], means_init=[[0.0]], precisions_init=[[[1.0]]],
        warm_start=True, verbose=1).get_params()
    context = {"warm_model": object(), "callback": print}
    for name, row in PARAMETERS.items():
        assert set(row.convert(params[name], context)) <= set(row.keys), name
    assert set(engine_options(params, context)) | set(ENGINE_DEFAULTS) == set(_core.OPTION_KEYS)


def test_engine_rejects_unknown_keys():
    with pytest.raises(ValueError, match="unknown option n_clusters"):
        _core.fit(np.zeros((4, 1)), None, {"n_clusters": 2})


def test_engine_keys_are_the_engine_tables_names():
    table = engine_table()
    assert list(table) == ["n_init", "max_iter", "tol", "seed", "num_threads", "max_seconds",
                           "accelerate"]
    assert set(table) <= set(_core.OPTION_KEYS)
    reached = {key for row in PARAMETERS.values() for key in row.keys}
    # Every engine option is set by a parameter or, on purpose, left at its default.
    assert set(table) == (reached & set(table)) | set(ENGINE_DEFAULTS)


@pytest.mark.parametrize("cls", MIXTURES, ids=lambda c: c.__name__)
def test_estimator_defaults_are_the_engine_tables(cls):
    parameters = inspect.signature(cls.__init__).parameters
    shared = [entry for entry in _core.engine_options() if entry["name"] in parameters]
    assert [entry["name"] for entry in shared] == ["n_init", "max_iter", "tol", "accelerate"]
    for entry in shared:
        assert parameters[entry["name"]].default == default_of(entry), entry["name"]
        assert getattr(cls(), entry["name"]) == default_of(entry), entry["name"]


def test_default_parameters_send_the_engine_tables_defaults():
    sent = engine_options(emkit.GaussianMixture().get_params(), {})
    for name, entry in engine_table().items():
        if name in ("n_init", "max_iter", "tol"):
            assert sent[name] == default_of(entry), name


@pytest.mark.parametrize("options, message", [
    ({"max_iter": 1.5}, 'max_iter = "1.5" is not an integer'),
    ({"max_iter": 2.0}, 'max_iter = "2.0" is not an integer'),
    ({"n_init": 2**40}, 'n_init = "1099511627776" is outside the range'),
    ({"seed": -1}, 'seed = "-1" is not an integer >= 0'),
    ({"tol": "0.1"}, "option tol = 0.1 has the wrong type"),
    ({"num_threads": True}, "option num_threads = True has the wrong type"),
])
def test_engine_options_are_parsed_strictly(options, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        _core.fit(np.zeros((4, 1)), None, options)


def test_a_64_bit_seed_keeps_every_digit():
    # Through a double, 2**64 - 1 and 2**64 - 2 would be the same seed.
    def restart_seed(seed):
        _, report_json, _, _ = _core.fit(np.arange(8.0).reshape(-1, 1), None,
                                         {"n_components": 2, "max_iter": 0, "seed": seed})
        return json.loads(report_json)["restarts"][0]["seed"]

    assert restart_seed(2**64 - 1) != restart_seed(2**64 - 2)
    with pytest.raises(ValueError, match=re.escape('seed = "18446744073709551616" is outside')):
        restart_seed(2**64)
