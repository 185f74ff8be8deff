"""Ctrl-C (SIGINT) ends a fit after the current iteration with
KeyboardInterrupt and leaves the estimator as it was."""

import json
import os
import signal
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import emkit
from emkit import _core

from conftest import three_clusters


def test_signal_during_fit_raises_keyboard_interrupt():
    X = three_clusters(n=2000)
    seen = []

    def on_iteration(restart, iteration, *rest):
        seen.append(iteration)
        if iteration == 3:
            signal.raise_signal(signal.SIGINT)  # as if Ctrl-C were pressed

    options = {"n_components": 3, "max_iter": 1000, "tol": 0.0, "callback": on_iteration}
    with pytest.raises(KeyboardInterrupt):
        _core.fit(X, None, options)
    assert seen == [1, 2, 3]  # stopped at once: no further iteration ran


def test_exception_in_callback_propagates():
    def on_iteration(*args):
        raise RuntimeError("from the callback")

    with pytest.raises(RuntimeError, match="from the callback"):
        _core.fit(three_clusters(n=100), None, {"n_components": 2, "callback": on_iteration})


def test_callback_can_stop_the_fit():
    seen = []

    def on_iteration(restart, iteration, *rest):
        seen.append(iteration)
        return iteration == 2

    params, report, brief, full = _core.fit(
        three_clusters(n=300), None,
        {"n_components": 3, "tol": 0.0, "max_iter": 50, "callback": on_iteration})
    assert seen == [1, 2]
    assert json.loads(report)["termination"] == "user_stop"
    assert emkit.FitReport._from_core(report, brief, full).usable
    assert params["model"] == "gaussian_mixture" and params["n_components"] == 3


CHILD = textwrap.dedent("""
    import numpy as np, sys, emkit
    rng = np.random.default_rng(0)
    X = rng.normal(size=(20000, 4))
    gm = emkit.GaussianMixture(4, tol=0.0, max_iter=10**7, verbose=2,
                               verbose_interval=1, random_state=0)
    try:
        gm.fit(X)
    except KeyboardInterrupt:
        print("interrupted; fitted:", hasattr(gm, "means_"), flush=True)
        sys.exit(0)
    print("not interrupted", flush=True)
    sys.exit(1)
""")


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_real_sigint_stops_a_long_fit():
    child = subprocess.Popen([sys.executable, "-u", "-c", CHILD], stdout=subprocess.PIPE,
                             text=True, env={**os.environ})
    try:
        for line in child.stdout:  # wait until EM is iterating
            if line.startswith("  Iteration 2"):
                break
        child.send_signal(signal.SIGINT)
        rest = child.stdout.read()
        # A generous guard against a hang, not a timing assertion.
        assert child.wait(timeout=120) == 0
    finally:
        if child.poll() is None:
            child.kill()
    assert "interrupted; fitted: False" in rest
