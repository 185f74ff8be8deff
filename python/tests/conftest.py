"""Shared data for the emkit Python tests. Every random draw is seeded."""

import json
import pathlib

import numpy as np
import pytest

REPOSITORY = pathlib.Path(__file__).resolve().parents[2]
FIXTURES = REPOSITORY / "tests" / "reference" / "fixtures"


def three_clusters(n=600, seed=0):
    """Three well separated 2-D Gaussian clusters."""
    rng = np.random.default_rng(seed)
    centers = np.array([[0.0, 0.0], [6.0, 0.0], [0.0, 6.0]])
    scales = np.array([[1.0, 0.5], [0.7, 1.2], [0.9, 0.9]])
    labels = rng.integers(0, 3, size=n)
    return centers[labels] + rng.normal(size=(n, 2)) * scales[labels]


@pytest.fixture
def X():
    return three_clusters()


def load_fixture(path):
    with open(path) as f:
        return json.load(f)


def fixture_paths():
    return sorted(FIXTURES.glob("sklearn_gmm_*.json"))


def pytest_report_header(config):
    import emkit

    return f"emkit from {emkit.__file__}"
