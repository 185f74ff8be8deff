// What the engine hands a model's initialiser for one restart.
#ifndef EMKIT_INIT_CONTEXT_H_
#define EMKIT_INIT_CONTEXT_H_

#include <cstdint>
#include <optional>

#include "emkit/engine/any_executor.h"
#include "emkit/report.h"
#include "emkit/thread_pool.h"

namespace emkit {

struct InitContext {
  int restart = 0;
  std::uint64_t seed = 0;  // derived from FitOptions::seed and restart
  // The threads of the fit's Context, for an initialiser that runs threads
  // of its own; passes over the data go through ExecutorOrPool() instead.
  ThreadPool* pool = nullptr;
  RepairCounts* repairs = nullptr;  // the restart's, reported with it
  // The executor the engine reduces the restart's E-steps through
  // (DriveRestarts, emkit/engine/restart_driver.h, sets it), so that the
  // initialisation's passes reduce where the fit's do.
  std::optional<AnyExecutor> executor = std::nullopt;

  // What an initialiser reduces through: `executor` when it is set, else
  // the threads of `pool`, else the calling thread alone. All give the same
  // bits (every executor merges in block order).
  AnyExecutor ExecutorOrPool() const {
    if (executor.has_value()) return *executor;
    if (pool != nullptr) return AnyExecutor(*pool);
    return AnyExecutor::Serial();
  }
};

}  // namespace emkit

#endif  // EMKIT_INIT_CONTEXT_H_
