// AnyExecutor for the shipped executors, compiled once (any_executor.h).
#include "emkit/engine/any_executor.h"

#include "emkit/engine/serial_executor.h"
#include "emkit/engine/threaded_executor.h"
#include "emkit/thread_pool.h"

namespace emkit {

AnyExecutor::AnyExecutor(ThreadedExecutor& executor)
    : AnyExecutor(&executor, &kReferenceOps<ThreadedExecutor>) {}

AnyExecutor::AnyExecutor(SerialExecutor& executor)
    : AnyExecutor(&executor, &kReferenceOps<SerialExecutor>) {}

AnyExecutor::AnyExecutor(ThreadPool& pool) {
  static constexpr Ops kPoolOps{
      [](const void* p) -> int { return static_cast<const ThreadPool*>(p)->num_threads(); },
      [](void* p, const internal::ErasedSource& source, const internal::ErasedStatistics& zero,
         internal::ErasedStatistics* total, const internal::ErasedBlockFn& fn) -> double {
        ThreadedExecutor executor(*static_cast<ThreadPool*>(p));
        return executor.Reduce(source, zero, total, fn);
      },
  };
  target_ = &pool;
  ops_ = &kPoolOps;
}

AnyExecutor AnyExecutor::Serial() {
  static constexpr Ops kSerialOps{
      [](const void*) -> int { return 1; },
      [](void*, const internal::ErasedSource& source, const internal::ErasedStatistics& zero,
         internal::ErasedStatistics* total, const internal::ErasedBlockFn& fn) -> double {
        SerialExecutor executor;
        return executor.Reduce(source, zero, total, fn);
      },
  };
  return AnyExecutor(nullptr, &kSerialOps);
}

}  // namespace emkit
