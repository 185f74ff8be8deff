// The state of a fit between two iterations: everything needed to continue
// it later to the same result as a run that was never interrupted. The
// engine hands one to FitOptions::on_progress after every iteration that is
// followed by another, and after every restart that is followed by another;
// FitOptions::resume_from takes one back.
#ifndef EMKIT_FIT_PROGRESS_H_
#define EMKIT_FIT_PROGRESS_H_

#include <any>
#include <limits>
#include <optional>
#include <vector>

#include "emkit/report.h"

namespace emkit {

template <class M>
struct FitProgress {
  // Restarts already finished, as the final report lists them, and the best
  // of them (-1 when none has finished).
  std::vector<RestartRecord> finished;
  int best_restart = -1;
  std::optional<M> best;  // the parameters of finished[best_restart]
  double best_total_log_likelihood = -std::numeric_limits<double>::infinity();

  // The restart in progress: its parameters after current.n_iter iterations
  // and its record so far. Empty between restarts, when restart
  // finished.size() starts next from its initialiser.
  std::optional<M> model;
  RestartRecord current;
};

// The FitProgress<M> inside what FitOptions::on_progress received, or null
// when the fitted model is not an M (a fitting function may fit one of
// several model types).
template <class M>
const FitProgress<M>* ProgressOf(const std::any& progress) {
  return std::any_cast<FitProgress<M>>(&progress);
}

}  // namespace emkit

#endif  // EMKIT_FIT_PROGRESS_H_
