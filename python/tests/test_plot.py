"""emkit.plot renders with the Agg backend and draws the expected artists;
emkit itself imports without matplotlib."""

import subprocess
import sys

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import Ellipse  # noqa: E402

import emkit  # noqa: E402

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def save_png(figure, path):
    figure.savefig(path, format="png")
    assert path.read_bytes()[:8] == PNG_MAGIC


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_convergence(X, tmp_path):
    gm = emkit.GaussianMixture(3, n_init=2, random_state=0).fit(X)
    ax = emkit.plot.convergence(gm)
    labels = [line.get_label() for line in ax.get_lines()]
    assert labels == ["log-likelihood", "certified bound"]
    loglik = ax.get_lines()[0].get_ydata()
    assert len(loglik) == gm.n_iter_ + 1 and loglik[-1] == gm.lower_bound_
    bound = ax.get_lines()[1].get_ydata()
    assert np.all(loglik[1:] >= bound - 1e-12)  # the certificate holds
    save_png(ax.figure, tmp_path / "convergence.png")
    ax = emkit.plot.convergence(gm.report_, restarts="all")
    assert len(ax.get_lines()) == 4


def test_ellipses(X, tmp_path):
    gm = emkit.GaussianMixture(3, covariance_type="tied", random_state=0).fit(X)
    fig, ax = plt.subplots()
    assert emkit.plot.ellipses(gm, X, ax=ax) is ax
    assert sum(isinstance(p, Ellipse) for p in ax.patches) == 3 * 2
    assert len(ax.collections) == 2  # the data and the means
    save_png(fig, tmp_path / "ellipses.png")


def test_ellipses_by_feature_name(X):
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(np.c_[X, X[:, 0]], columns=["a", "b", "c"])
    gm = emkit.GaussianMixture(2, covariance_type="diag", random_state=0).fit(frame)
    ax = emkit.plot.ellipses(gm, frame, features=("c", "b"), n_std=(1.0,))
    assert ax.get_xlabel() == "c" and ax.get_ylabel() == "b"
    assert sum(isinstance(p, Ellipse) for p in ax.patches) == 2


def test_selection(X, tmp_path):
    fig = emkit.plot.selection(X, range(1, 4), covariance_types=("full", "spherical"))
    bic_ax, aic_ax = fig.axes
    for ax in (bic_ax, aic_ax):
        curves = [line for line in ax.get_lines() if line.get_label() in
                  ("full", "spherical")]
        assert len(curves) == 2
        assert list(curves[0].get_xdata()) == [1, 2, 3]
    best = emkit.GaussianMixture(3, random_state=0).fit(X)
    assert bic_ax.get_lines()[0].get_ydata()[2] == pytest.approx(best.bic(X))
    save_png(fig, tmp_path / "selection.png")


def test_emkit_imports_without_matplotlib():
    code = ("import sys; sys.modules['matplotlib'] = None\n"
            "import numpy as np, emkit\n"
            "emkit.GaussianMixture(2, random_state=0).fit(np.arange(20.0).reshape(10, 2))\n"
            "try:\n    emkit.plot\nexcept ImportError:\n    print('lazy')\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "lazy"
