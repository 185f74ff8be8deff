"""``partial_fit`` for the mixtures: stepwise (online) EM, one call a
mini-batch (emkit/engine/stepwise_em.h).

The first call starts the model as ``fit`` would on that batch alone (the
same initialisation and ``random_state``, no EM iteration), unless the
estimator was fitted already, in which case the run starts from its
parameters; every call then makes one stepwise step: the batch's expected
statistics pulled into running statistics with the step size
(t + 2)^-learning_decay, then an M-step. The run's state (running
statistics, step count) is kept between calls, so a sequence of calls is
the command's ``emkit fit --online`` over the same batches to the bit.
``fit`` starts afresh and forgets it."""

import numpy as np

from . import _core
from ._options import _num_threads


class StepwiseMixin:
    """Needs the estimator's ``_params()``, ``_set_stepwise_params(params)``,
    ``_initialise_on(X)`` (the start on the first batch, no iteration) and
    ``_batch_rows(X, reset)`` (X checked as ``fit`` checks it)."""

    def partial_fit(self, X, y=None):
        """One step of stepwise EM on the mini-batch X; returns self.

        Results depend on the order of the batches (and are the same for a
        given order whatever ``n_jobs``). Sets ``n_steps_`` (batches seen),
        ``lower_bounds_`` (each batch's mean log-likelihood under the
        parameters it met) and ``lower_bound_`` (the last of them)."""
        self._check_params()
        started = hasattr(self, "weights_")
        X = self._batch_rows(X, reset=not started)
        state = getattr(self, "_stepwise_state_", None)
        if not started:
            self._initialise_on(X)
        if state is None:
            state = {"current": self._params()}
            self.lower_bounds_ = np.empty(0)
        options = {
            "step_exponent": float(self.learning_decay),
            "average": bool(self.average),
            "num_threads": _num_threads(getattr(self, "n_jobs", None)),
        }
        state, params, batch_mean = _core.stepwise_step(state, X, options)
        self._stepwise_state_ = state
        self._set_stepwise_params(params)
        self.n_steps_ = int(state["steps"])
        self.n_iter_ = self.n_steps_
        self.converged_ = False
        self.lower_bounds_ = np.append(self.lower_bounds_, batch_mean)
        self.lower_bound_ = float(batch_mean)
        self.report_ = None
        return self

    def _forget_stepwise_run(self):
        self.__dict__.pop("_stepwise_state_", None)
