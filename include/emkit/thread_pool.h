// A small pool of std::threads that runs indexed tasks. The calling thread
// works too, so a pool of one thread starts no thread at all.
#ifndef EMKIT_THREAD_POOL_H_
#define EMKIT_THREAD_POOL_H_

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace emkit {

class ThreadPool {
 public:
  // num_threads counts the calling thread; 0 means the hardware concurrency.
  explicit ThreadPool(int num_threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int num_threads() const { return static_cast<int>(workers_.size()) + 1; }

  // Runs task(i, worker) for every i in [0, num_tasks), each exactly once,
  // and returns when all are done. Tasks are claimed in increasing order of
  // i; worker is in [0, num_threads()) and no two running tasks share it, so
  // it can index per-worker scratch space. If tasks throw, the remaining
  // unclaimed tasks are skipped and the first exception is rethrown here.
  void ParallelFor(std::int64_t num_tasks,
                   const std::function<void(std::int64_t, int)>& task);

 private:
  void WorkerLoop(int worker);
  void RunTasks(int worker);

  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable work_ready_;
  std::condition_variable work_done_;
  std::uint64_t generation_ = 0;
  int busy_workers_ = 0;
  bool shutting_down_ = false;

  // The job in flight.
  const std::function<void(std::int64_t, int)>* task_ = nullptr;
  std::int64_t num_tasks_ = 0;
  std::int64_t next_task_ = 0;  // guarded by mutex_
  std::exception_ptr error_;    // guarded by mutex_
};

// The thread count a request resolves to: 0 means hardware concurrency.
int ResolveThreadCount(int requested);

}  // namespace emkit

#endif  // EMKIT_THREAD_POOL_H_
