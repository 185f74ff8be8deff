"""Checkpoints of the estimators' fits: ``fit(X, checkpoint=PATH,
checkpoint_every=S, resume=PATH)``.

The file is the command's checkpoint (``include/emkit/io/checkpoint.h``):
the progress of the fit, a fingerprint of X, and a "settings" object of
everything that shapes the result, which an estimator writes here in the
command's vocabulary (the keys of ``emkit fit`` / ``emkit hmm fit``:
``model``, ``n_components``, ``covariance``, ``init``, the engine's option
names, the family's option names, ``dtype``). A fit the command can run as
well is written as the command's (``"command": "fit"``), so ``emkit fit DATA
--resume PATH`` continues it and an estimator continues the command's; a fit
that only Python can run (initial parameters, a warm start, ``init_params=
"k-means++"`` of GaussianMixture) is written as ``"python fit"``, with its
extra settings, and the command refuses it. The HMM classes write
``"python hmm fit"`` (they initialise as hmmlearn, not as the command).

On resume the estimator's settings are compared with the checkpoint's, key
by key (a ValueError names the first that differs and the parameter it comes
from), and the C++ side compares X's fingerprint. What does not shape the
result (``n_jobs``, ``verbose``) may differ.
"""

import json
import math
import os

import numpy as np

from . import _core, _validation

# The command's data-reading settings at its defaults: a checkpoint written
# here holds them so that the command can read it; they are never compared
# (the fingerprint sees the data itself).
DATA_SETTINGS = {"header": False, "no_header": False, "delimiter": "", "columns": ""}


class _FromCheckpoint:
    def __repr__(self):
        return "<from the checkpoint>"


# An expected setting that a resumed fit takes from the checkpoint instead
# of comparing it: the seed of a random_state that is not an int.
FROM_CHECKPOINT = _FromCheckpoint()


def seed(random_state, resume):
    """The engine's seed: the int itself; for None or a RandomState, one
    draw, or FROM_CHECKPOINT when resuming (the fit continues with the seed
    it started with)."""
    if resume is not None and not _validation._is_int(random_state):
        return FROM_CHECKPOINT
    return _validation.seed_from_random_state(random_state)


def array_setting(value):
    """An array as a JSON value (nested lists of floats, which read back as
    the same doubles), None for None."""
    return None if value is None else np.asarray(value, dtype=np.float64).tolist()


def json_value(value):
    """A parameter's value as JSON: arrays and sequences as nested lists,
    numpy scalars as Python numbers."""
    if isinstance(value, (np.ndarray, list, tuple)):
        return np.asarray(value).tolist()
    if isinstance(value, np.generic):
        return value.item()
    return value


def dtype_setting(X):
    return "float32" if X.dtype == np.float32 else "float64"


def feature_names(estimator):
    names = getattr(estimator, "feature_names_in_", None)
    return [] if names is None else [str(n) for n in names]


def _text(value):
    text = json.dumps(value) if value is not None else "none"
    return text if len(text) <= 40 else text[:37] + "..."


def _first_difference(name, was, now):
    """(name.key, ...) of the first entry that differs in two objects."""
    if isinstance(was, dict) and isinstance(now, dict):
        for key in list(now) + [k for k in was if k not in now]:
            if was.get(key) != now.get(key):
                return _first_difference(f"{name}.{key}", was.get(key), now.get(key))
    return name, was, now


def _check_settings(path, saved, expected, labels, commands):
    command = saved.get("command")
    if command not in commands:
        raise ValueError(
            f"{path}: a checkpoint of {command!r}, not of a fit that "
            f"{' or '.join(repr(c) for c in commands)} continues")
    for key, parameter in labels.items():
        given = expected.get(key)
        if given is FROM_CHECKPOINT:
            if key not in saved:
                raise ValueError(f"{path}: the checkpoint has no setting {key!r}")
            continue
        if saved.get(key) != given:
            name, was, now = _first_difference(key, saved.get(key), given)
            source = "" if parameter == name else f" (from {parameter})"
            raise ValueError(
                f"{path}: the checkpoint was made with {name}={_text(was)}, "
                f"this fit has {name}={_text(now)}{source}; a resumed fit needs the "
                "settings of the fit that it continues")


def _checked_output(path):
    path = os.fspath(path)
    if os.path.isdir(path):
        raise IsADirectoryError(f"checkpoint={path!r} is a directory, not a file name")
    directory = os.path.dirname(path) or "."
    if not os.path.isdir(directory):
        raise FileNotFoundError(
            f"checkpoint={path!r}: the directory {directory!r} does not exist")
    return path


def read(path):
    """The checkpoint at path (``_core.Checkpoint``): FileNotFoundError when
    there is no such file, ValueError when it is not a checkpoint."""
    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError(f"resume={path!r}: no such checkpoint file")
    return _core.read_checkpoint(path)


def plan(settings, labels, commands, checkpoint, checkpoint_every, resume, names):
    """What the C++ fit takes as its ``checkpoint`` argument (None for a fit
    without checkpoints), and the settings of the fit: the checkpoint's when
    resuming (so FROM_CHECKPOINT entries get the saved values).

    ``settings`` is the fit's settings object, with ``command`` the command
    it is written as; ``labels`` maps each compared key to the estimator's
    parameter it comes from; ``commands`` are the commands whose
    checkpoints this fit continues.
    """
    if checkpoint is None and resume is None:
        return None, settings
    if isinstance(checkpoint_every, bool) or not isinstance(
            checkpoint_every, (int, float, np.integer, np.floating)) or not (
            math.isfinite(checkpoint_every) and checkpoint_every >= 0):
        raise ValueError(
            "checkpoint_every must be a number of seconds >= 0 (0 writes after every "
            f"iteration), got {checkpoint_every!r}")
    request = {}
    if resume is not None:
        saved = read(resume)
        saved_settings = json.loads(saved.settings)
        _check_settings(saved.path, saved_settings, settings, labels, commands)
        # The checkpoint's own settings: its seed, and the command's keys.
        settings = saved_settings
        request["resume"] = saved
    if checkpoint is not None:
        request["path"] = _checked_output(checkpoint)
        request["every"] = float(checkpoint_every)
        request["settings"] = json.dumps(settings)
        request["feature_names"] = names
    return request, settings
