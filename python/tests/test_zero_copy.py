"""C-contiguous float64 data reach the C++ core without a copy; other
layouts and dtypes are converted exactly once.

numpy reports its allocations to tracemalloc, so the peak of traced memory
during a call shows whether the Python side copied X (the C++ core never
converts: it rejects anything but C-contiguous float64, tested below).
"""

import tracemalloc

import numpy as np
import pytest

import emkit
from emkit import _core

from conftest import three_clusters


def peak_traced_bytes(function, *args):
    tracemalloc.start()
    try:
        function(*args)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.fixture(scope="module")
def big():
    X = np.tile(three_clusters(n=3000, seed=2), (50, 1))  # 150 000 x 2, 2.4 MB
    gm = emkit.GaussianMixture(3, random_state=0, max_iter=3, tol=0.0, n_jobs=1)
    return X, gm


def quiet_fit(gm, X):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", emkit.ConvergenceWarning)
        gm.fit(X)


def test_fit_does_not_copy_c_contiguous_float64(big):
    X, gm = big
    assert X.flags.c_contiguous and X.dtype == np.float64
    assert peak_traced_bytes(quiet_fit, gm, X) < X.nbytes / 4
    # C-contiguous float32 goes to the float32 path as it is.
    X32 = X.astype(np.float32)
    assert peak_traced_bytes(quiet_fit, gm, X32) < X32.nbytes / 4
    # The same measure sees the one conversion of other layouts.
    assert peak_traced_bytes(quiet_fit, gm, np.asfortranarray(X)) >= X.nbytes


def test_predictions_do_not_copy_the_input(big):
    X, gm = big
    quiet_fit(gm, X)
    # Only the n x 1 result of score_samples is allocated.
    assert peak_traced_bytes(gm.score_samples, X) < X.nbytes / 2 + 65536


def test_core_refuses_to_convert():
    X = three_clusters(n=50)
    options = {"n_components": 2}
    _core.fit(X, None, options)  # accepted as is
    for bad in (np.asfortranarray(X), np.asfortranarray(X.astype(np.float32)), X[:, ::-1],
                X.tolist()):
        with pytest.raises(TypeError):
            _core.fit(bad, None, options)


def test_read_only_arrays_are_accepted():
    X = three_clusters(n=100)
    X.flags.writeable = False
    gm = emkit.GaussianMixture(2, random_state=0).fit(X)
    assert gm.predict(X).shape == (100,)
