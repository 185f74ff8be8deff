// Any executor behind one type, for code compiled once that must reduce
// through whichever executor the engine runs: the initialisers, which find
// it in InitContext (emkit/init_context.h). An AnyExecutor refers to an
// executor it does not own (or runs on the threads of a pool, or on the
// calling thread alone) and is itself an executor (ReducesBlocks,
// emkit/engine/executor.h) for any data source and statistics: its Reduce
// hands the referred executor the data's own blocks, in the same order,
// behind type-erased wrappers, and the referred executor computes and
// merges them as it would without the wrappers. So the merges, and the
// bits, are the referred executor's.
//
// The wrappers cost a call through a pointer per block and per merge, a
// small allocation per block handed out, and a copy of the statistics per
// scratch value the executor makes: nothing next to a block's work, and
// only the initialisers' passes pay it (the engine's E-steps call their
// executor directly).
#ifndef EMKIT_ENGINE_ANY_EXECUTOR_H_
#define EMKIT_ENGINE_ANY_EXECUTOR_H_

#include <any>
#include <concepts>
#include <cstdint>
#include <type_traits>
#include <utility>

#include "emkit/engine/executor.h"
#include "emkit/model.h"

namespace emkit {

class SerialExecutor;    // emkit/engine/serial_executor.h
class ThreadedExecutor;  // emkit/engine/threaded_executor.h
class ThreadPool;        // emkit/thread_pool.h

namespace internal {

// One block of any data source, as ErasedSource hands it out.
class ErasedBlock {
 public:
  template <class B>
  explicit ErasedBlock(B block) : block_(std::move(block)) {}
  // The block, of the type the source's GetBlock returns.
  template <class B>
  const B& Get() const {
    return *std::any_cast<B>(&block_);
  }

 private:
  std::any block_;
};

// A data source of any type behind one type: NumBlocks, GetBlock and
// TotalWeight forwarded to it. `data` must outlive this.
class ErasedSource {
 public:
  template <class Data>
    requires BlockSource<Data, BlockOf<Data>>
  explicit ErasedSource(const Data& data)
      : data_(&data),
        num_blocks_([](const void* d) -> std::int64_t {
          return static_cast<const Data*>(d)->NumBlocks();
        }),
        get_block_([](const void* d, std::int64_t b) {
          return ErasedBlock(static_cast<const Data*>(d)->GetBlock(b));
        }),
        total_weight_([](const void* d) -> double {
          return static_cast<const Data*>(d)->TotalWeight();
        }) {}

  std::int64_t NumBlocks() const { return num_blocks_(data_); }
  ErasedBlock GetBlock(std::int64_t b) const { return get_block_(data_, b); }
  double TotalWeight() const { return total_weight_(data_); }

 private:
  const void* data_;
  std::int64_t (*num_blocks_)(const void*);
  ErasedBlock (*get_block_)(const void*, std::int64_t);
  double (*total_weight_)(const void*);
};

// Statistics of any type behind one type. A value made by View refers to
// the caller's statistics (the total an executor merges into, the zero it
// copies); a copy owns a copy of the referred value (the executor's
// scratch). Merge and SetZero are the referred type's.
class ErasedStatistics {
 public:
  // Refers to *stats, which must outlive this. Through a view of `zero`
  // (a const value) an executor only copies: nothing writes through it.
  template <Statistics S>
  static ErasedStatistics View(S* stats) {
    return ErasedStatistics(stats, &kOps<S>, /*owned=*/false);
  }

  ErasedStatistics(const ErasedStatistics& other)
      : value_(other.ops_->copy(other.value_)), ops_(other.ops_), owned_(true) {}
  ErasedStatistics(ErasedStatistics&& other) noexcept
      : value_(std::exchange(other.value_, nullptr)),
        ops_(other.ops_),
        owned_(std::exchange(other.owned_, false)) {}
  ErasedStatistics& operator=(ErasedStatistics other) noexcept {
    std::swap(value_, other.value_);
    std::swap(ops_, other.ops_);
    std::swap(owned_, other.owned_);
    return *this;
  }
  ~ErasedStatistics() {
    if (owned_) ops_->destroy(value_);
  }

  // `other` holds the same type (both come from one Reduce).
  void Merge(const ErasedStatistics& other) { ops_->merge(value_, other.value_); }
  void SetZero() { ops_->set_zero(value_); }
  template <class S>
  S* Get() {
    return static_cast<S*>(value_);
  }

 private:
  struct Ops {
    void* (*copy)(const void*);
    void (*destroy)(void*);
    void (*merge)(void*, const void*);
    void (*set_zero)(void*);
  };
  template <class S>
  static constexpr Ops kOps{
      [](const void* s) -> void* { return new S(*static_cast<const S*>(s)); },
      [](void* s) { delete static_cast<S*>(s); },
      [](void* s, const void* other) { static_cast<S*>(s)->Merge(*static_cast<const S*>(other)); },
      [](void* s) { static_cast<S*>(s)->SetZero(); },
  };

  ErasedStatistics(void* value, const Ops* ops, bool owned)
      : value_(value), ops_(ops), owned_(owned) {}

  void* value_;
  const Ops* ops_;
  bool owned_;
};

// The block function of one Reduce behind one type: block_fn(b, block,
// &stats) with the block and the statistics unwrapped. `fn` must outlive
// this.
class ErasedBlockFn {
 public:
  template <class Block, class Stats, class BlockFn>
  static ErasedBlockFn Of(BlockFn* fn) {
    return ErasedBlockFn(fn, [](void* f, std::int64_t b, const ErasedBlock& block,
                                ErasedStatistics* stats) -> double {
      return (*static_cast<BlockFn*>(f))(b, block.Get<Block>(), stats->Get<Stats>());
    });
  }
  double operator()(std::int64_t b, const ErasedBlock& block, ErasedStatistics* stats) const {
    return call_(fn_, b, block, stats);
  }

 private:
  using Call = double (*)(void*, std::int64_t, const ErasedBlock&, ErasedStatistics*);
  ErasedBlockFn(void* fn, Call call) : fn_(fn), call_(call) {}
  void* fn_;
  Call call_;
};

// An executor that can stand behind AnyExecutor.
template <class E>
concept ErasableExecutor = ReducesBlocks<E, ErasedSource, ErasedStatistics>;

}  // namespace internal

class AnyExecutor {
 public:
  // Refers to `executor`, which must outlive this (and every copy).
  template <class E>
    requires(!std::same_as<std::remove_cv_t<E>, AnyExecutor>) && internal::ErasableExecutor<E>
  explicit AnyExecutor(E& executor) : target_(&executor), ops_(&kReferenceOps<E>) {}
  // The same for the shipped executors, compiled once (any_executor.cc).
  explicit AnyExecutor(ThreadedExecutor& executor);
  explicit AnyExecutor(SerialExecutor& executor);
  // A ThreadedExecutor on `pool`, which must outlive this.
  explicit AnyExecutor(ThreadPool& pool);
  // A SerialExecutor: the calling thread alone.
  static AnyExecutor Serial();

  int num_threads() const { return ops_->num_threads(target_); }

  // See ReducesBlocks (emkit/engine/executor.h): the referred executor's
  // Reduce over the same blocks in the same order.
  template <class Data, class Stats, class BlockFn>
    requires BlockSource<Data, BlockOf<Data>> && Statistics<Stats>
  double Reduce(const Data& data, const Stats& zero, Stats* total, BlockFn&& block_fn) {
    const internal::ErasedSource source(data);
    // The executor only copies `zero`.
    const internal::ErasedStatistics erased_zero =
        internal::ErasedStatistics::View(const_cast<Stats*>(&zero));
    internal::ErasedStatistics erased_total = internal::ErasedStatistics::View(total);
    auto fn = [&block_fn](std::int64_t b, const BlockOf<Data>& block, Stats* stats) -> double {
      return block_fn(b, block, stats);
    };
    return ops_->reduce(target_, source, erased_zero, &erased_total,
                        internal::ErasedBlockFn::Of<BlockOf<Data>, Stats>(&fn));
  }

 private:
  struct Ops {
    int (*num_threads)(const void*);
    double (*reduce)(void*, const internal::ErasedSource&, const internal::ErasedStatistics&,
                     internal::ErasedStatistics*, const internal::ErasedBlockFn&);
  };
  template <class E>
  static constexpr Ops kReferenceOps{
      [](const void* e) -> int { return static_cast<const E*>(e)->num_threads(); },
      [](void* e, const internal::ErasedSource& source, const internal::ErasedStatistics& zero,
         internal::ErasedStatistics* total, const internal::ErasedBlockFn& fn) -> double {
        return static_cast<E*>(e)->Reduce(source, zero, total, fn);
      },
  };

  AnyExecutor(void* target, const Ops* ops) : target_(target), ops_(ops) {}

  void* target_;
  const Ops* ops_;
};

}  // namespace emkit

#endif  // EMKIT_ENGINE_ANY_EXECUTOR_H_
