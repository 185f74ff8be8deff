// Online fits: stepwise EM (emkit/engine/stepwise_em.h) over the rows of a
// data set taken in mini-batches of consecutive rows, in row order, for a
// number of passes. The rows come through a reader of row ranges, so a file
// larger than memory (io::RowStream) and rows in memory are fitted alike:
// each batch is copied into one reused buffer and cut into blocks there, so
// the two give the same bits, for any number of threads.
#ifndef EMKIT_ONLINE_FIT_H_
#define EMKIT_ONLINE_FIT_H_

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <functional>
#include <string>
#include <utility>

#include <fmt/format.h>

#include "emkit/context.h"
#include "emkit/engine/restart_driver.h"
#include "emkit/engine/stepwise_em.h"
#include "emkit/engine/threaded_executor.h"
#include "emkit/error.h"
#include "emkit/gaussian_mixture.h"  // ValidateMixtureData
#include "emkit/internal/row_offset_message.h"
#include "emkit/matrix.h"
#include "emkit/mixture.h"
#include "emkit/mixture_fit.h"
#include "emkit/options.h"
#include "emkit/report.h"
#include "emkit/row_blocks.h"

namespace emkit {

struct OnlineFitOptions {
  std::int64_t batch_size = 0;  // rows per mini-batch (the last may be shorter)
  int passes = 1;
  StepwiseOptions stepwise;

  // Throws InvalidOptionError naming the option.
  void Validate() const {
    if (batch_size < 1) {
      throw InvalidOptionError(
          fmt::format("batch_size must be at least 1, got {}", batch_size));
    }
    if (passes < 1) throw InvalidOptionError(fmt::format("passes must be at least 1, got {}", passes));
    stepwise.Validate();
  }
};

// Fills `out` (num_rows x the data's columns, row-major) with the rows
// [first_row, first_row + num_rows); throws on bad input (naming the row).
template <DataScalar Scalar>
using ReadRowRange = std::function<void(std::int64_t first_row, std::int64_t num_rows, Scalar* out)>;

// Reads rows of a matrix in memory.
template <DataScalar Scalar>
ReadRowRange<Scalar> RowRangesOf(const MatrixViewOf<Scalar>& x) {
  return [x](std::int64_t first, std::int64_t n, Scalar* out) {
    std::memcpy(out, x.data() + first * x.cols(),
                static_cast<std::size_t>(n * x.cols()) * sizeof(Scalar));
  };
}

// Fits `initial` to num_rows rows of num_columns by stepwise EM, on the
// threads of `context`, and scores the result in one more pass. Of
// fit_options only block_rows, max_seconds, callbacks (one IterationEvent per
// batch, with the batch's mean log-likelihood; its gains are NaN, as
// stepwise EM has no certificate), seed and num_threads (reported) are
// used. The report ends with termination kPassesDone (or
// kTimeLimit, kUserStop, kUserAbort), its one restart's iterations are the
// batches and report.online holds the settings. Throws InvalidOptionError
// for invalid options before any work.
template <class M, DataScalar Scalar>
  requires EmModel<M> && ScalableStatistics<typename M::Statistics>
[[nodiscard]] Fitted<M> FitOnline(Context& context, const FitOptions& fit_options,
                                  const OnlineFitOptions& online, M initial,
                                  std::int64_t num_rows, std::int64_t num_columns,
                                  const ReadRowRange<Scalar>& read_rows) {
  online.Validate();
  if (num_rows < 1) throw InvalidDataError("online EM needs at least one row");
  const auto start = std::chrono::steady_clock::now();
  const std::int64_t batch_rows = std::min(online.batch_size, num_rows);
  RowMatrixOf<Scalar> buffer(batch_rows, num_columns);
  ThreadedExecutor executor(context.pool());
  const auto batch_blocks = [&](std::int64_t first) {
    const std::int64_t n = std::min(batch_rows, num_rows - first);
    read_rows(first, n, buffer.data());
    return RowBlocks<Scalar>(MatrixViewOf<Scalar>(buffer.data(), n, num_columns), nullptr,
                             fit_options.block_rows);
  };

  StepwiseEm<M> stepwise(std::move(initial), online.stepwise);
  RestartRecord record;
  record.seed = fit_options.seed;
  record.termination = TerminationType::kPassesDone;
  std::int64_t batches = 0;
  int passes_run = 0;
  for (; passes_run < online.passes && record.termination == TerminationType::kPassesDone;
       ++passes_run) {
    for (std::int64_t first = 0; first < num_rows; first += batch_rows) {
      const auto batch_start = std::chrono::steady_clock::now();
      const RowBlocks<Scalar> blocks = batch_blocks(first);
      const StepwiseUpdate update = stepwise.Step(executor, blocks);
      ++batches;
      record.repairs += update.repairs;
      IterationRecord iteration;
      iteration.iteration = static_cast<int>(batches);
      iteration.mean_log_likelihood = update.log_likelihood / update.weight;
      iteration.seconds = internal::SecondsSince(batch_start);
      record.iterations.push_back(iteration);
      IterationEvent event;
      event.iteration = iteration.iteration;
      event.mean_log_likelihood = iteration.mean_log_likelihood;
      event.bound_gain = iteration.bound_gain;
      event.loglik_gain = iteration.loglik_gain;
      event.seconds = iteration.seconds;
      const CallbackResult answer = internal::RunCallbacks(fit_options, event);
      if (answer != CallbackResult::kContinue) {
        record.termination = answer == CallbackResult::kStop ? TerminationType::kUserStop
                                                             : TerminationType::kUserAbort;
        break;
      }
      if (fit_options.max_seconds > 0.0 &&
          internal::SecondsSince(start) >= fit_options.max_seconds) {
        record.termination = TerminationType::kTimeLimit;
        break;
      }
    }
  }
  record.n_iter = static_cast<int>(batches);
  record.message = fmt::format("online EM: {} batches of up to {} rows in {} pass(es)",
                               batches, batch_rows, passes_run);

  // The result's log-likelihood over all rows, in the same batches.
  M model = stepwise.model();
  double total = 0.0;
  for (std::int64_t first = 0; first < num_rows; first += batch_rows) {
    const RowBlocks<Scalar> blocks = batch_blocks(first);
    typename M::Statistics scratch = model.NewStatistics();
    total += EStepAll(executor, blocks, model, &scratch);
  }
  record.mean_log_likelihood = total / static_cast<double>(num_rows);
  record.e_steps = batches + 1;
  record.seconds = internal::SecondsSince(start);

  FitReport report;
  report.threads_given = fit_options.num_threads;
  report.block_rows = fit_options.block_rows > 0 ? fit_options.block_rows
                                                 : DefaultBlockRows(num_columns);
  // As the restart driver counts them: no more threads than a batch's blocks.
  report.threads_used = static_cast<int>(std::min<std::int64_t>(
      executor.num_threads(), (batch_rows + report.block_rows - 1) / report.block_rows));
  report.best_restart = 0;
  report.restarts.push_back(std::move(record));
  report.online = OnlineRecord{batch_rows, online.passes, online.stepwise.step_exponent,
                               online.stepwise.average, batches};
  report.total_seconds = internal::SecondsSince(start);
  internal::FinishReport(static_cast<double>(num_rows),
                         static_cast<std::int64_t>(model.NumFreeParameters()), total, 1,
                         &report);
  report.certificate_checked = 0;  // no certificate for stepwise EM
  return Fitted<M>{std::move(model), std::move(report)};
}

// Fits a mixture of F from `initial` by stepwise EM, as FitOnline does, on
// rows of either scalar type (float rows: float E-step, double statistics,
// as Mixture<F, float> fits them). Each batch is checked as it is read, as
// a batch fit checks all its rows before the first iteration: the values
// (ValidateMixtureData) and the family's rules (a Bernoulli value other
// than 0 or 1, a negative count), an InvalidDataError naming the row of the
// data. Runs on fit_options.num_threads threads.
template <class F, DataScalar Scalar>
[[nodiscard]] Fitted<Mixture<F>> FitMixtureOnline(const FitOptions& fit_options,
                                                  const OnlineFitOptions& online,
                                                  const Mixture<F>& initial,
                                                  std::int64_t num_rows,
                                                  std::int64_t num_columns,
                                                  const ReadRowRange<Scalar>& read_rows) {
  fit_options.Validate();
  online.Validate();
  if (num_columns != initial.num_features()) {
    throw InvalidDataError(fmt::format("the data have {} columns, but the model has {} features",
                                       num_columns, initial.num_features()));
  }
  const ReadRowRange<Scalar> checked_rows = [&](std::int64_t first, std::int64_t n,
                                                Scalar* out) {
    read_rows(first, n, out);
    RowMatrix wide;
    const MatrixView rows = WidenedRows(MatrixViewOf<Scalar>(out, n, num_columns), &wide);
    try {
      ValidateMixtureData(rows, nullptr, 0);
      if constexpr (requires { initial.components().ValidateData(rows); }) {
        initial.components().ValidateData(rows);
      }
    } catch (const InvalidDataError& e) {
      throw InvalidDataError(internal::MessageWithRowOffset(e.what(), first));
    }
  };
  Context context(fit_options.num_threads);
  Fitted<Mixture<F, Scalar>> fitted = FitOnline<Mixture<F, Scalar>, Scalar>(
      context, fit_options, online, WithRowScalar<Scalar>(initial), num_rows, num_columns,
      checked_rows);
  return {WithRowScalar<double>(fitted.model), std::move(fitted.report)};
}

}  // namespace emkit

#endif  // EMKIT_ONLINE_FIT_H_
