"""Progress printing with scikit-learn's ``verbose`` lines.

The lines are printed as the fit runs, from the engine's per-iteration
callback. Unlike scikit-learn, "Initialization N" appears after that
initialisation's first iteration (the initialisation itself runs in C++
without a callback), and the "ll change" is the mean log-likelihood gain of
the parameters just computed (emkit's convergence test).
"""

from time import time


class VerbosePrinter:
    def __init__(self, verbose, verbose_interval, num_samples, tol, max_iter):
        self.verbose = verbose
        self.verbose_interval = verbose_interval
        self.num_samples = num_samples
        self.tol = tol
        self.max_iter = max_iter
        self._init_time = self._iter_time = time()

    def __call__(self, restart, iteration, mean_log_likelihood, bound_gain,
                 loglik_gain, seconds):
        if iteration == 1:
            print(f"Initialization {restart}")
            self._init_time = self._iter_time = time() - seconds
        change = loglik_gain / self.num_samples
        if iteration % self.verbose_interval == 0:
            if self.verbose == 1:
                print(f"  Iteration {iteration}")
            else:
                now = time()
                print(f"  Iteration {iteration}\t time lapse "
                      f"{now - self._iter_time:.5f}s\t ll change {change:.5f}")
                self._iter_time = now
        converged = 0.0 <= change < self.tol
        if converged or iteration == self.max_iter:
            status = "converged" if converged else "did not converge"
            if self.verbose == 1:
                print(f"Initialization {status}.")
            else:
                lapse = time() - self._init_time
                print(f"Initialization {status}. time lapse {lapse:.5f}s\t "
                      f"lower bound {mean_log_likelihood:.5f}.")
        return False
