// Options of the EM engine: what every model shares (iterations, restarts,
// convergence, threads, callbacks). Options that belong to one model family
// (reg_covar, the initialisation method) live with that family.
#ifndef EMKIT_OPTIONS_H_
#define EMKIT_OPTIONS_H_

#include <any>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "emkit/option_table.h"

namespace emkit {

// What a callback sees after each completed iteration.
struct IterationEvent {
  int restart = 0;     // 0-based restart index
  int iteration = 0;   // 1-based: the number of M-steps done in this restart
  double mean_log_likelihood = 0.0;  // of the parameters after this M-step
  double bound_gain = 0.0;           // Q(new | old) - Q(old | old)
  double loglik_gain = 0.0;          // L(new) - L(old), total over samples
  double seconds = 0.0;              // wall time of this iteration
};

enum class CallbackResult {
  kContinue,  // go on
  kStop,      // end the fit now; the result is usable (termination kUserStop)
  kAbort,     // end the fit now; the result is not usable (kUserAbort)
};

using IterationCallback = std::function<CallbackResult(const IterationEvent&)>;

// How an iteration moves (the iteration policy, emkit/engine/).
enum class Acceleration {
  kNone,     // plain EM: one M-step and one E-step (emkit/engine/plain_em.h)
  kSquarem,  // monotone SQUAREM (emkit/engine/squarem.h)
};

struct FitOptions {
  // Maximum number of M-steps per restart. Must be >= 0; 0 evaluates the
  // initial parameters only.
  int max_iter = 100;

  // Convergence: a restart has converged when the mean log-likelihood per
  // sample rises by less than tol in one iteration. A decrease is never
  // convergence. Must be >= 0 (0 never converges early). Same meaning and
  // default as scikit-learn's GaussianMixture, so results compare.
  double tol = 1e-3;

  // Number of restarts from different initialisations; the one with the
  // highest final log-likelihood is kept. Must be >= 1.
  int n_init = 1;

  // Seed of every random choice. Restart r uses a seed derived from (seed, r)
  // alone, so results do not depend on the number of threads.
  std::uint64_t seed = 0;

  // Worker threads for the E-step, including the calling thread. 0 uses the
  // hardware concurrency. Results are bit-identical for any value.
  int num_threads = 1;

  // Rows per block of work. 0 picks a size from the data's shape. The size
  // never depends on num_threads (that is what keeps results identical).
  int block_rows = 0;

  // Relative tolerance of the certificate: an iteration violates it when
  // bound_gain < -eps or loglik_gain < bound_gain - eps, with
  // eps = certificate_tolerance * (|L_old| + |Q_old| + 1). Must be > 0.
  double certificate_tolerance = 1e-9;

  // The iteration policy. kSquarem needs statistics with a codec
  // (SerializableStatistics, emkit/model.h: every shipped model); a model
  // without one is an InvalidOptionError.
  Acceleration accelerate = Acceleration::kNone;

  // Called after every iteration, in order; any may stop or abort the fit.
  std::vector<IterationCallback> callbacks;

  // Wall-clock budget of the whole fit in seconds; 0 means none. Checked at
  // the end of every iteration: when it has run out, the restart in progress
  // ends with TerminationType::kTimeLimit (its parameters are a result) and
  // no further restart starts.
  double max_seconds = 0.0;

  // Checkpointing. on_progress, when set, receives a FitProgress<M>
  // (emkit/fit_progress.h; unpack it with ProgressOf<M>) after every
  // iteration that another follows and after every restart that another
  // follows. Given back in resume_from (same data and options), the fit
  // continues from that state to the same result, bit for bit, as a fit that
  // was never stopped. A resume_from of another model type is an
  // InvalidOptionError.
  std::function<void(const std::any& progress)> on_progress;
  std::any resume_from;

  // Throws InvalidOptionError naming the first invalid field, its value and
  // the rule it breaks.
  void Validate() const;

  // The options that callers set by name (emkit/option_table.h): the fit
  // commands' flags and checkpoint settings (cli/engine_options.h) and the
  // Python option dictionaries. The names are the checkpoints' keys and the
  // Python dictionaries' keys, so they cannot change. block_rows and
  // certificate_tolerance are for programs and tests: no caller by name
  // sets them.
  template <class Table>
  void Describe(Table& table) {
    table.Integer("n_init", &n_init, "number of restarts; the best one is kept");
    table.Integer("max_iter", &max_iter, "maximum EM iterations per restart");
    table.Number("tol", &tol,
                 "convergence tolerance on the mean log-likelihood gain per iteration");
    table.Integer("seed", &seed, "random seed");
    table.Integer("num_threads", &num_threads,
                  "worker threads, 0 for all cores; results do not depend on it",
                  {.flag = "threads", .per_run = true});
    table.Number("max_seconds", &max_seconds,
                 "stop after this many seconds with the best model so far "
                 "(termination time_limit); 0 = no limit",
                 {.flag = "max-time", .per_run = true});
    table.Choice("accelerate", &accelerate,
                 ChoiceNames<Acceleration>{{"none", Acceleration::kNone},
                                           {"squarem", Acceleration::kSquarem}},
                 "iteration policy: plain EM, or monotone SQUAREM extrapolation "
                 "(fewer E-steps on slowly converging fits)");
  }
};

}  // namespace emkit

#endif  // EMKIT_OPTIONS_H_
