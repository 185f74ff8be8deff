// What the engine hands a model's initialiser for one restart.
#ifndef EMKIT_INIT_CONTEXT_H_
#define EMKIT_INIT_CONTEXT_H_

#include <cstdint>

#include "emkit/report.h"
#include "emkit/thread_pool.h"

namespace emkit {

struct InitContext {
  int restart = 0;
  std::uint64_t seed = 0;  // derived from FitOptions::seed and restart
  ThreadPool* pool = nullptr;
  RepairCounts* repairs = nullptr;  // the restart's, reported with it
};

}  // namespace emkit

#endif  // EMKIT_INIT_CONTEXT_H_
