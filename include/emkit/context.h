// What a fit needs besides its options and data that is worth keeping
// between fits: the threads. Starting threads costs more than a small fit,
// so a caller that fits many models (model selection over K, a service
// answering requests) makes one Context and passes it to every
// FitWithRestarts / Fit, as a Ceres Solver user passes a ceres::Context.
//
// A Context is used by one fit at a time: two fits that share one at the
// same time must be given one each. Results never depend on the context's
// thread count (the ordered reduction), so a reused context gives the bits
// a fresh one gives.
#ifndef EMKIT_CONTEXT_H_
#define EMKIT_CONTEXT_H_

#include "emkit/thread_pool.h"

namespace emkit {

class Context {
 public:
  // num_threads counts the calling thread; 0 means the hardware
  // concurrency. Throws InvalidOptionError when it is negative.
  explicit Context(int num_threads);
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;

  int num_threads() const { return pool_.num_threads(); }
  ThreadPool& pool() { return pool_; }

 private:
  ThreadPool pool_;
};

}  // namespace emkit

#endif  // EMKIT_CONTEXT_H_
