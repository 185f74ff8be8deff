// The executor for data read from a file while it is reduced: a data source
// that reads its blocks in chunks (ChunkedBlockSource, e.g. io::RowStream,
// emkit/io/row_stream.h) has the next chunks read on a thread of their own
// into a few buffers while the blocks of the current one are computed on
// the threads of a pool. Every block is computed into zeroed scratch space
// and merged in block order, the sums continuing from chunk to chunk, so the
// bits are those of ThreadedExecutor (and SerialExecutor) on the same blocks.
// Any other data source is reduced as ThreadedExecutor reduces it, each
// block got by GetBlock on the worker that computes it: so the initialisers
// reach the stream's GetBlock through AnyExecutor, and the engine's E-steps
// get the prefetched chunks.
#ifndef EMKIT_ENGINE_PREFETCHING_EXECUTOR_H_
#define EMKIT_ENGINE_PREFETCHING_EXECUTOR_H_

#include <algorithm>
#include <concepts>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "emkit/engine/executor.h"
#include "emkit/engine/threaded_executor.h"
#include "emkit/error.h"
#include "emkit/ordered_reduce.h"
#include "emkit/thread_pool.h"

namespace emkit {

// A data source whose blocks are read in chunks of consecutive blocks:
// chunk c holds blocks [ChunkBlocks(c).first, ChunkBlocks(c).second), the
// chunks in order cover every block once, ReadChunk(c, &chunk) reads chunk
// c into a buffer (a default-constructed Chunk, or one used before; safe
// from any thread) and BlockInChunk(chunk, b) is block b as GetBlock(b)
// would give it, a view into the buffer.
template <class D>
concept ChunkedBlockSource =
    std::default_initializable<typename D::Chunk> &&
    requires(const D& data, std::int64_t c, typename D::Chunk* chunk,
             const typename D::Chunk& read) {
      { data.NumChunks() } -> std::convertible_to<std::int64_t>;
      { data.ChunkBlocks(c) } -> std::same_as<std::pair<std::int64_t, std::int64_t>>;
      data.ReadChunk(c, chunk);
      { data.BlockInChunk(read, c) } -> std::same_as<BlockOf<D>>;
    };

namespace internal {

// The hand-over of chunk buffers between the thread that reads them and the
// thread that reduces them. At most `depth` chunks are read and not yet
// released.
class ChunkHandOver {
 public:
  explicit ChunkHandOver(std::int64_t depth) : depth_(depth) {}

  // Reader: waits until chunk c may be read into its buffer; false when the
  // reduction has stopped.
  bool WaitToRead(std::int64_t c) {
    std::unique_lock<std::mutex> lock(mutex_);
    changed_.wait(lock, [&] { return stopped_ || c - released_ < depth_; });
    return !stopped_;
  }
  // Reader: chunk c is in its buffer.
  void Ready(std::int64_t c) {
    std::lock_guard<std::mutex> lock(mutex_);
    ready_ = c + 1;
    changed_.notify_all();
  }
  // Reader: chunk c could not be read.
  void Failed(std::exception_ptr error) {
    std::lock_guard<std::mutex> lock(mutex_);
    error_ = std::move(error);
    changed_.notify_all();
  }
  // Reducer: waits until chunk c is in its buffer; rethrows what reading it
  // threw.
  void WaitReady(std::int64_t c) {
    std::unique_lock<std::mutex> lock(mutex_);
    changed_.wait(lock, [&] { return ready_ > c || error_ != nullptr; });
    if (ready_ <= c) std::rethrow_exception(error_);
  }
  // Reducer: chunk c's buffer may be read into again.
  void Release(std::int64_t c) {
    std::lock_guard<std::mutex> lock(mutex_);
    released_ = c + 1;
    changed_.notify_all();
  }
  // Reducer: no further chunk is wanted.
  void Stop() {
    std::lock_guard<std::mutex> lock(mutex_);
    stopped_ = true;
    changed_.notify_all();
  }

 private:
  const std::int64_t depth_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::int64_t ready_ = 0;     // chunks read
  std::int64_t released_ = 0;  // chunks reduced
  bool stopped_ = false;
  std::exception_ptr error_;
};

}  // namespace internal

class PrefetchingExecutor {
 public:
  // `pool` must outlive this. `depth` chunk buffers (>= 1; InvalidOptionError
  // otherwise): with 2, one chunk is read while the one before is reduced.
  explicit PrefetchingExecutor(ThreadPool& pool, int depth = 2) : pool_(&pool), depth_(depth) {
    if (depth < 1) throw InvalidOptionError("the prefetch depth must be >= 1");
  }

  int num_threads() const { return pool_->num_threads(); }

  // See ReducesBlocks (emkit/engine/executor.h).
  template <class Data, class Stats, class BlockFn>
  double Reduce(const Data& data, const Stats& zero, Stats* total, BlockFn&& block_fn) {
    if constexpr (ChunkedBlockSource<Data>) {
      return ReduceChunks(data, zero, total, block_fn);
    } else {
      ThreadedExecutor executor(*pool_);
      return executor.Reduce(data, zero, total, std::forward<BlockFn>(block_fn));
    }
  }

 private:
  template <class Data, class Stats, class BlockFn>
  double ReduceChunks(const Data& data, const Stats& zero, Stats* total, BlockFn& block_fn) {
    const std::int64_t num_chunks = data.NumChunks();
    double sum = 0.0;
    if (num_chunks == 0) return sum;
    const std::int64_t depth = std::min<std::int64_t>(depth_, num_chunks);
    std::vector<typename Data::Chunk> buffers(static_cast<std::size_t>(depth));
    internal::ChunkHandOver hand_over(depth);
    std::thread reader([&] {
      for (std::int64_t c = 0; c < num_chunks; ++c) {
        if (!hand_over.WaitToRead(c)) return;
        try {
          data.ReadChunk(c, &buffers[static_cast<std::size_t>(c % depth)]);
        } catch (...) {
          hand_over.Failed(std::current_exception());
          return;
        }
        hand_over.Ready(c);
      }
    });
    // Whatever ends the reduction, the reader stops before the buffers go.
    struct Joiner {
      internal::ChunkHandOver& hand_over;
      std::thread& reader;
      ~Joiner() {
        hand_over.Stop();
        reader.join();
      }
    } joiner{hand_over, reader};

    std::vector<Stats> scratch(static_cast<std::size_t>(pool_->num_threads()), zero);
    for (std::int64_t c = 0; c < num_chunks; ++c) {
      hand_over.WaitReady(c);
      const typename Data::Chunk& chunk = buffers[static_cast<std::size_t>(c % depth)];
      const auto [first, end] = data.ChunkBlocks(c);
      OrderedReduceRange(*pool_, first, end, &scratch, total, &sum,
                         [&](std::int64_t b, Stats* stats) -> double {
                           return block_fn(b, data.BlockInChunk(chunk, b), stats);
                         });
      hand_over.Release(c);
    }
    return sum;
  }

  ThreadPool* pool_;
  int depth_;
};

}  // namespace emkit

#endif  // EMKIT_ENGINE_PREFETCHING_EXECUTOR_H_
