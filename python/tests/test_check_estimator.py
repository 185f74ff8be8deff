"""scikit-learn's own estimator checks, and emkit without scikit-learn."""

import inspect
import subprocess
import sys
import textwrap

import pytest

import emkit


def run_checks():
    """[(check name, passed, error)] for every check of check_estimator."""
    from sklearn.utils.estimator_checks import check_estimator

    estimator = emkit.GaussianMixture(n_jobs=1)
    if "on_fail" in inspect.signature(check_estimator).parameters:  # >= 1.6
        results = check_estimator(estimator, on_fail=None, on_skip=None)
        return [(r["check_name"], r["status"] != "failed", r["exception"])
                for r in results]
    outcomes = []  # older releases: run the generated checks one by one
    for est, check in check_estimator(estimator, generate_only=True):
        name = getattr(check, "func", check).__name__
        try:
            check(est)
            outcomes.append((name, True, None))
        except Exception as error:  # noqa: BLE001 - recorded and reported
            outcomes.append((name, False, error))
    return outcomes


def test_check_estimator_passes():
    pytest.importorskip("sklearn")
    outcomes = run_checks()
    failed = [(name, repr(error)) for name, ok, error in outcomes if not ok]
    print(f"\ncheck_estimator: {len(outcomes) - len(failed)} passed, {len(failed)} failed")
    assert len(outcomes) > 20
    assert failed == []


WITHOUT_SKLEARN = textwrap.dedent("""
    import sys, warnings
    sys.modules["sklearn"] = None  # as if scikit-learn were not installed
    import numpy as np, emkit
    assert emkit._compat.HAVE_SKLEARN is False
    X = np.random.default_rng(0).normal(size=(200, 2))
    gm = emkit.GaussianMixture(2, random_state=0)
    try:
        gm.predict(X)
    except emkit.NotFittedError as e:
        assert "not fitted yet" in str(e)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        gm.set_params(max_iter=1, tol=0.0).fit(X)
    assert issubclass(w[0].category, emkit.ConvergenceWarning)
    gm.set_params(max_iter=100, tol=1e-3).fit(X)
    assert gm.predict_proba(X).shape == (200, 2)
    try:
        gm.predict(np.zeros((3, 3)))
    except ValueError as e:
        assert "X has 3 features, but GaussianMixture is expecting 2" in str(e)
    try:
        emkit.GaussianMixture(n_components=0).fit(X)
    except ValueError as e:
        assert "'n_components' parameter of GaussianMixture must be an int" in str(e)
    try:
        emkit.GaussianMixture().fit(np.array([[np.nan, 1.0], [1.0, 2.0]]))
    except ValueError as e:
        assert "Input X contains NaN" in str(e)
    print(repr(gm))
""")


def test_works_without_sklearn():
    out = subprocess.run([sys.executable, "-c", WITHOUT_SKLEARN], capture_output=True,
                         text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "GaussianMixture(n_components=2, random_state=0)"
