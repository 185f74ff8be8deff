"""A .npy file opened with numpy.load(path, mmap_mode="r") is fitted where
it lies: neither the Python side nor the C++ core copies its rows, so a
file larger than memory is read through the page cache, pass after pass,
and the model is that of the same rows in memory, bit for bit.

The proof of "no copy" is a child process whose private writable memory
(RLIMIT_DATA: heap and anonymous mappings, not a read-only file mapping) is
limited to much less than the file: a copy anywhere would fail with
MemoryError.
"""

import subprocess
import sys
import textwrap

import numpy as np
import pytest

import emkit

from conftest import three_clusters


def write_rows(path, n_rows, seed=3):
    X = np.tile(three_clusters(n=3000, seed=seed), (n_rows // 3000, 1))
    np.save(path, X)
    return X


def test_a_memory_mapped_fit_is_the_in_memory_fit(tmp_path):
    path = tmp_path / "x.npy"
    X = write_rows(path, 60000)
    mapped = np.load(path, mmap_mode="r")
    assert isinstance(mapped, np.memmap) and not mapped.flags.writeable
    for covariance_type in ("full", "diag"):
        kwargs = dict(n_components=3, covariance_type=covariance_type, random_state=1,
                      max_iter=20, n_init=2)
        a = emkit.GaussianMixture(**kwargs).fit(X)
        b = emkit.GaussianMixture(**kwargs).fit(mapped)
        for name in ("weights_", "means_", "covariances_", "lower_bound_"):
            np.testing.assert_array_equal(getattr(b, name), getattr(a, name))
        np.testing.assert_array_equal(b.predict_proba(mapped), a.predict_proba(X))
        assert b.score(mapped) == a.score(X)


CHILD = textwrap.dedent("""
    import resource, sys, warnings
    import numpy as np
    import emkit

    def private_bytes():
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmData:"):
                    return int(line.split()[1]) * 1024

    X = np.load(sys.argv[1], mmap_mode="r")
    # Room for the fit's own buffers, far less than the rows.
    limit = private_bytes() + int(sys.argv[2])
    resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", emkit.ConvergenceWarning)
        gm = emkit.GaussianMixture(3, covariance_type="diag", max_iter=3, random_state=0,
                                   n_jobs=1).fit(X)
        labels = gm.predict(X[:1000])
        score = gm.score(X[:100000])
    print("ok", X.nbytes, labels.shape[0], score)
""")


def test_a_memory_mapped_fit_does_not_copy_the_rows(tmp_path):
    path = tmp_path / "big.npy"
    write_rows(path, 4_500_000)  # 4.5 million x 2 float64: 72 MB
    headroom = 24 << 20
    done = subprocess.run([sys.executable, "-c", CHILD, str(path), str(headroom)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    status, nbytes, n_labels, score = done.stdout.split()
    assert status == "ok" and int(nbytes) > 2 * headroom and int(n_labels) == 1000
    assert np.isfinite(float(score))
    # The limit bites: the same child that copies the rows fails.
    copying = CHILD.replace(".fit(X)", ".fit(np.array(X))")
    failed = subprocess.run([sys.executable, "-c", copying, str(path), str(headroom)],
                            capture_output=True, text=True, timeout=300)
    assert failed.returncode != 0 and "MemoryError" in failed.stderr, failed.stderr


def test_a_path_to_a_npy_file_is_fitted_as_its_memory_mapped_rows(tmp_path):
    path = tmp_path / "x.npy"
    X = write_rows(path, 30000)
    kwargs = dict(n_components=3, covariance_type="diag", random_state=1, max_iter=20)
    a = emkit.GaussianMixture(**kwargs).fit(X)
    for source in (path, str(path)):
        b = emkit.GaussianMixture(**kwargs).fit(source)
        for name in ("weights_", "means_", "covariances_", "lower_bound_"):
            np.testing.assert_array_equal(getattr(b, name), getattr(a, name))
        np.testing.assert_array_equal(b.predict(source), a.predict(X))
        assert b.score(source) == a.score(X)
    counts = np.random.default_rng(0).poisson(3.0, size=(500, 2)).astype(np.float64)
    np.save(tmp_path / "counts.npy", counts)
    poisson = emkit.PoissonMixture(n_components=2, random_state=0)
    np.testing.assert_array_equal(poisson.fit(tmp_path / "counts.npy").predict(counts),
                                  emkit.PoissonMixture(n_components=2, random_state=0)
                                  .fit(counts).predict(counts))


def test_a_path_that_is_not_a_npy_file_is_refused_by_name(tmp_path):
    text = tmp_path / "x.csv"
    np.savetxt(text, three_clusters(n=300, seed=1), delimiter=",")
    with pytest.raises(ValueError, match=r"x\.csv: emkit fits a file path only when it is a \.npy"):
        emkit.GaussianMixture(3).fit(text)
    fake = tmp_path / "fake.npy"
    fake.write_text("1,2\n3,4\n")
    with pytest.raises(ValueError, match=r"fake\.npy: not a \.npy file of numbers"):
        emkit.GaussianMixture(3).fit(fake)
    with pytest.raises(FileNotFoundError):
        emkit.GaussianMixture(3).fit(tmp_path / "missing.npy")
