"""The parameter table (emkit/_options.py) covers every constructor
parameter and every engine option key, and the engine rejects others."""

import inspect

import numpy as np
import pytest

import emkit
from emkit import _core
from emkit._options import PARAMETERS, engine_options


def test_every_parameter_has_a_row():
    names = set(inspect.signature(emkit.GaussianMixture.__init__).parameters) - {"self"}
    assert set(PARAMETERS) == names


def test_every_engine_key_is_reached():
    reached = {key for row in PARAMETERS.values() for key in row.keys}
    assert reached == set(_core.OPTION_KEYS)


def test_rows_set_only_their_declared_keys():
    params = emkit.GaussianMixture(
        weights_init=[1.0], means_init=[[0.0]], precisions_init=[[[1.0]]],
        warm_start=True, verbose=1).get_params()
    context = {"warm_model": object(), "callback": print}
    for name, row in PARAMETERS.items():
        assert set(row.convert(params[name], context)) <= set(row.keys), name
    assert set(engine_options(params, context)) == set(_core.OPTION_KEYS)


def test_engine_rejects_unknown_keys():
    with pytest.raises(ValueError, match="unknown option n_clusters"):
        _core.fit(np.zeros((4, 1)), None, {"n_clusters": 2})
