"""The fit report (``GaussianMixture.report_``): per restart and per
iteration records of what EM did, as the C++ engine recorded them.

Per iteration: the mean log-likelihood of the parameters after the M-step,
``bound_gain = Q(new | old) - Q(old | old)`` (total over samples, >= 0 by the
M-step), ``loglik_gain = L(new) - L(old)`` (total, >= bound_gain by Jensen's
inequality: the certificate), and the seconds it took.
"""

import json
from dataclasses import dataclass, field

import numpy as np


def _number(value):
    return float("nan") if value is None else float(value)


@dataclass(frozen=True, eq=False)
class RestartReport:
    """One initialisation and the EM iterations from it."""

    restart: int
    seed: int
    initial_mean_log_likelihood: float
    mean_log_likelihood: float
    n_iter: int
    converged: bool
    termination: str
    message: str
    certificate_violations: int
    repairs: dict
    seconds: float
    # E-steps over all data (n_iter + 1 for plain EM) and, with
    # accelerate="squarem", the extrapolations kept and turned down.
    e_steps: int
    extrapolations_accepted: int
    extrapolations_rejected: int
    # One entry per iteration (numpy arrays of length n_iter).
    iteration: np.ndarray = field(repr=False)
    mean_log_likelihoods: np.ndarray = field(repr=False)
    bound_gain: np.ndarray = field(repr=False)
    loglik_gain: np.ndarray = field(repr=False)
    iteration_seconds: np.ndarray = field(repr=False)
    certificate_violated: np.ndarray = field(repr=False)

    @classmethod
    def _from_json(cls, j):
        its = j["iterations"]

        def column(key, dtype=float):
            return np.array([_number(it[key]) if dtype is float else it[key]
                             for it in its], dtype=dtype)

        return cls(
            restart=j["restart"],
            seed=j["seed"],
            initial_mean_log_likelihood=_number(j["initial_mean_log_likelihood"]),
            mean_log_likelihood=_number(j["mean_log_likelihood"]),
            n_iter=j["n_iter"],
            converged=j["converged"],
            termination=j["termination"],
            message=j["message"],
            certificate_violations=j["certificate_violations"],
            repairs=dict(j["repairs"]),
            seconds=_number(j["seconds"]),
            # Plain EM's records leave the counts out.
            e_steps=j.get("e_steps", j["n_iter"] + 1),
            extrapolations_accepted=j.get("extrapolations", {}).get("accepted", 0),
            extrapolations_rejected=j.get("extrapolations", {}).get("rejected", 0),
            iteration=column("iteration", int),
            mean_log_likelihoods=column("mean_log_likelihood"),
            bound_gain=column("bound_gain"),
            loglik_gain=column("loglik_gain"),
            iteration_seconds=column("seconds"),
            certificate_violated=column("certificate_violated", bool),
        )


@dataclass(frozen=True, eq=False)
class FitReport:
    """What a fit did: the outcome, its restarts and their iterations."""

    termination: str
    message: str
    usable: bool
    converged: bool
    n_iter: int
    best_restart: int
    mean_log_likelihood: float
    total_log_likelihood: float
    num_samples: float
    num_free_parameters: int
    bic: float
    aic: float
    threads_given: int
    threads_used: int
    block_rows: int
    certificate_checked: int
    certificate_violations: int
    repairs: dict
    e_steps: int  # over all restarts
    extrapolations_accepted: int
    extrapolations_rejected: int
    total_seconds: float
    restarts: list
    brief: str = field(repr=False)
    full: str = field(repr=False)

    @classmethod
    def _from_core(cls, report_json, brief, full):
        j = json.loads(report_json)
        return cls(
            termination=j["termination"],
            message=j["message"],
            usable=j["usable"],
            converged=j["converged"],
            n_iter=j["n_iter"],
            best_restart=j["best_restart"],
            mean_log_likelihood=_number(j["mean_log_likelihood"]),
            total_log_likelihood=_number(j["total_log_likelihood"]),
            num_samples=_number(j["num_samples"]),
            num_free_parameters=j["num_free_parameters"],
            bic=_number(j["bic"]),
            aic=_number(j["aic"]),
            threads_given=j["threads_given"],
            threads_used=j["threads_used"],
            block_rows=j["block_rows"],
            certificate_checked=j["certificate"]["checked"],
            certificate_violations=j["certificate"]["violations"],
            repairs=dict(j["repairs"]),
            e_steps=j["e_steps"],
            extrapolations_accepted=j["extrapolations"]["accepted"],
            extrapolations_rejected=j["extrapolations"]["rejected"],
            total_seconds=_number(j["total_seconds"]),
            restarts=[RestartReport._from_json(r) for r in j["restarts"]],
            brief=brief.rstrip("\n"),
            full=full,
        )

    @property
    def best(self):
        """The report of the restart whose parameters were kept."""
        return self.restarts[self.best_restart]

    def __str__(self):
        return self.full
