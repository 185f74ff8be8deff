"""Checks of parameters and data, with scikit-learn's messages.

Data go to the C++ core as C-contiguous float64: such arrays pass through
without a copy, anything else (float32, integers, Fortran order, pandas
DataFrames, lists) is converted exactly once. When scikit-learn is installed
its own ``validate_data`` does the checking, so messages, feature-name
handling and warnings are exactly scikit-learn's.
"""

import numbers
import os

import numpy as np

from . import _compat

try:  # scikit-learn's error type subclasses both ValueError and TypeError
    from sklearn.utils._param_validation import (
        InvalidParameterError as _InvalidParameterError,
    )
except ImportError:  # pragma: no cover - without scikit-learn

    class _InvalidParameterError(ValueError, TypeError):
        """A constructor parameter outside its domain."""


InvalidParameterError = _InvalidParameterError

_INT_TYPES = (numbers.Integral, np.integer)
_REAL_TYPES = (numbers.Real, np.floating, np.integer)


def _is_int(value):
    return isinstance(value, _INT_TYPES) and not isinstance(value, (bool, np.bool_))


def _is_real(value):
    return isinstance(value, _REAL_TYPES) and not isinstance(value, (bool, np.bool_))


def _fail(estimator, name, rule, value):
    raise InvalidParameterError(
        f"The {name!r} parameter of {type(estimator).__name__} must be {rule}. "
        f"Got {value!r} instead."
    )


def check_learning_decay(estimator, name):
    """A step-size exponent of stepwise EM: in (0.5, 1], where the step
    sizes (t + 2)^-value sum to infinity and their squares do not."""
    value = getattr(estimator, name)
    if not _is_real(value) or not 0.5 < value <= 1.0:
        _fail(estimator, name, "a float in the range (0.5, 1.0]", value)


def check_int(estimator, name, low):
    value = getattr(estimator, name)
    if not _is_int(value) or value < low:
        _fail(estimator, name, f"an int in the range [{low}, inf)", value)


def check_real(estimator, name, low):
    value = getattr(estimator, name)
    if not _is_real(value) or not value >= low:
        _fail(estimator, name, f"a float in the range [{float(low)}, inf)", value)


def check_options(estimator, name, options):
    value = getattr(estimator, name)
    if not isinstance(value, str) or value not in options:
        listed = ", ".join(repr(o) for o in sorted(options))
        _fail(estimator, name, f"a str among {{{listed}}}", value)


def check_bool(estimator, name):
    value = getattr(estimator, name)
    if not isinstance(value, (bool, np.bool_)):
        _fail(estimator, name, "an instance of 'bool'", value)


def check_verbose(estimator, name):
    value = getattr(estimator, name)
    if not (_is_int(value) and value >= 0) and not isinstance(value, (bool, np.bool_)):
        _fail(estimator, name, "an int in the range [0, inf) or a bool", value)


def check_n_jobs(estimator, name):
    value = getattr(estimator, name)
    if value is not None and (not _is_int(value) or value == 0):
        _fail(estimator, name, "an int other than 0 or None", value)


def seed_from_random_state(random_state):
    """A 64-bit seed for the C++ core from a scikit-learn random_state.

    An int is used as the seed itself (so ``random_state=7`` equals the
    command's ``--seed 7``); a ``RandomState`` is advanced by one draw, and
    None draws from numpy's global ``RandomState``, as scikit-learn does.
    """
    if random_state is None or random_state is np.random:
        random_state = np.random.mtrand._rand
    if _is_int(random_state):
        if not 0 <= random_state <= 2**32 - 1:
            raise ValueError("Seed must be between 0 and 2**32 - 1")
        return int(random_state)
    if isinstance(random_state, np.random.RandomState):
        return int(random_state.randint(np.iinfo(np.int32).max))
    raise ValueError(
        f"{random_state!r} cannot be used to seed a numpy.random.RandomState instance"
    )


def check_random_state_param(estimator, name):
    value = getattr(estimator, name)
    if value is None or isinstance(value, np.random.RandomState):
        return
    if _is_int(value) and 0 <= value <= 2**32 - 1:
        return
    _fail(
        estimator,
        name,
        "an int in the range [0, 4294967295], an instance of "
        "'numpy.random.mtrand.RandomState' or None",
        value,
    )


def _feature_names(X):
    columns = getattr(X, "columns", None)
    if columns is None:
        return None
    names = np.asarray(columns, dtype=object)
    if len(names) and all(isinstance(n, str) for n in names):
        return names
    return None


def _validate_without_sklearn(estimator, X, reset, ensure_min_samples):
    names = _feature_names(X)
    if hasattr(X, "toarray") or hasattr(X, "tocsr"):
        raise TypeError(
            "Sparse data was passed, but dense data is required. Use "
            "'.toarray()' to convert to a dense numpy array."
        )
    X = np.asarray(X)
    if X.dtype.kind == "c":
        raise ValueError(f"Complex data not supported\n{X}\n")
    if X.ndim != 2:
        raise ValueError(
            f"Expected 2D array, got {X.ndim}D array instead:\narray={X}.\n"
            "Reshape your data either using array.reshape(-1, 1) if your data "
            "has a single feature or array.reshape(1, -1) if it contains a "
            "single sample."
        )
    if X.dtype.kind not in "fiub":
        X = X.astype(np.float64)
    n_samples, n_features = X.shape
    if n_samples < ensure_min_samples:
        raise ValueError(
            f"Found array with {n_samples} sample(s) (shape={X.shape}) while a "
            f"minimum of {ensure_min_samples} is required by "
            f"{type(estimator).__name__}."
        )
    if n_features == 0:
        raise ValueError(
            f"Found array with 0 feature(s) (shape={X.shape}) while a minimum "
            f"of 1 is required by {type(estimator).__name__}."
        )
    if reset:
        estimator.n_features_in_ = n_features
        if names is not None:
            estimator.feature_names_in_ = names
        elif hasattr(estimator, "feature_names_in_"):
            del estimator.feature_names_in_
    elif n_features != estimator.n_features_in_:
        raise ValueError(
            f"X has {n_features} features, but {type(estimator).__name__} is "
            f"expecting {estimator.n_features_in_} features as input."
        )
    if not np.isfinite(X).all():
        kind = "NaN" if np.isnan(X).any() else "infinity or a value too large"
        raise ValueError(f"Input X contains {kind}.")
    return X


def validate_data(estimator, X, *, reset, ensure_min_samples=1):
    """X as a C-contiguous float64 array, checked as scikit-learn checks it.

    With ``reset=True`` (fit) it sets ``n_features_in_`` and, for data with
    string column names, ``feature_names_in_``; otherwise it checks them.
    """
    return _checked(estimator, open_rows(X), reset, ensure_min_samples, np.float64)


def open_rows(X):
    """X itself, or for a path (str or os.PathLike) the rows of that .npy
    file memory-mapped read-only: they are read through the page cache
    where they lie, never copied, so a file larger than memory can be
    fitted, predicted and scored. A Fortran-order file is mapped too, and
    then copied once into C order (as any Fortran-order array is). Any
    other file is refused: text has no layout to map, and parsing it is
    ``numpy.loadtxt``'s or pandas' business (or ``emkit fit``'s, which
    streams it)."""
    if not isinstance(X, (str, os.PathLike)):
        return X
    path = os.fspath(X)
    if not str(path).lower().endswith(".npy"):
        raise ValueError(
            f"{path}: emkit fits a file path only when it is a .npy file "
            "(memory-mapped, not copied); load other files into an array "
            "first, or fit them with the command `emkit fit`, which streams "
            "delimited text"
        )
    try:
        return np.load(path, mmap_mode="r", allow_pickle=False)
    except ValueError as error:  # a header numpy cannot read, object arrays
        raise ValueError(f"{path}: not a .npy file of numbers: {error}") from None


def _checked(estimator, X, reset, ensure_min_samples, dtype):
    if _compat.HAVE_SKLEARN:
        X = _compat._validate_data(
            estimator,
            X,
            reset=reset,
            dtype=[np.float64, np.float32],
            ensure_min_samples=ensure_min_samples,
        )
    else:
        X = _validate_without_sklearn(estimator, X, reset, ensure_min_samples)
    # No copy when X already is C-contiguous of that dtype.
    return np.ascontiguousarray(X, dtype=dtype)


def as_float64(array):
    """array as C-contiguous float64 (no copy when it already is)."""
    return np.ascontiguousarray(np.asarray(array, dtype=np.float64))


def validate_rows(estimator, X, *, reset, ensure_min_samples=1):
    """X checked as ``validate_data`` checks it, as a C-contiguous array: a
    float32 numpy array stays float32 (no copy when it already is
    C-contiguous) and is fitted and scored as float32 rows; anything else
    becomes float64 as before. The fitted attributes are float64 either way."""
    X = open_rows(X)
    float32 = isinstance(X, np.ndarray) and X.dtype == np.float32
    return _checked(estimator, X, reset, ensure_min_samples,
                    np.float32 if float32 else np.float64)
