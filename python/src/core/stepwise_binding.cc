// emkit._core.stepwise_step: one mini-batch of stepwise EM
// (emkit/engine/stepwise_em.h) for a mixture of any registered family, for
// partial_fit. The run's state crosses to Python between calls as a dict:
// "current" (the latest iterate, as its codec's dict), "running" (the
// running statistics per unit of weight, flat: emkit/statistics_codec.h),
// with averaging "averaged" and "averaged_model", and "steps" and
// "weight_seen"; a state with "current" alone starts a run from that model.
// So a run continued over several calls is the run made in one, to the bit.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>
#include <nanobind/stl/tuple.h>

#include "arrays.h"
#include "bindings.h"
#include "dict_codec.h"
#include "emkit/context.h"
#include "emkit/engine/stepwise_em.h"
#include "emkit/engine/threaded_executor.h"
#include "emkit/error.h"
#include "emkit/mixture_fit.h"
#include "emkit/model_registry.h"
#include "emkit/statistics_codec.h"
#include "mixture_rows.h"

namespace emkit::python {
namespace {

using namespace nb::literals;
using FlatArray = nb::ndarray<const double, nb::ndim<1>, nb::c_contig, nb::device::cpu>;

bool Present(const nb::dict& d, const char* key) {
  return d.contains(key) && !d[key].is_none();
}

template <class S>
S StatisticsFrom(const S& like, const nb::dict& state, const char* key) {
  const FlatArray flat = nb::cast<FlatArray>(state[key]);
  return UnflattenStatistics(like, std::span<const double>(flat.data(), flat.shape(0)));
}

template <class S>
nb::object FlatOf(const S& stats) {
  std::vector<double> flat = FlattenStatistics(stats);
  const std::size_t n = flat.size();
  return OwningArray(std::move(flat), {n});
}

template <class M>
nb::dict EncodeMixture(const M& model) {
  return EncodeModelToDict(ToAnyModel(WithRowScalar<double>(model)));
}

// (state, the parameters to report, the batch's mean log-likelihood under
// the parameters it met). options: step_exponent, average, num_threads.
template <DataScalar Scalar>
std::tuple<nb::dict, nb::dict, double> Step(const nb::dict& state, InputRows<Scalar> x,
                                            const nb::dict& options) {
  StepwiseOptions stepwise;
  if (Present(options, "step_exponent")) {
    stepwise.step_exponent = nb::cast<double>(options["step_exponent"]);
  }
  if (Present(options, "average")) stepwise.average = nb::cast<bool>(options["average"]);
  const int threads = Present(options, "num_threads") ? nb::cast<int>(options["num_threads"]) : 0;
  stepwise.Validate();
  const AnyModel current =
      DecodeModelFromDict(nb::cast<nb::dict>(state["current"]), "stepwise state");
  const MatrixViewOf<Scalar> view = ViewOf(x);
  using Result = std::tuple<nb::dict, nb::dict, double>;
  return VisitModel(current, [&](const auto& model) -> Result {
    using Model = std::decay_t<decltype(model)>;
    if constexpr (!kIsMixture<Model>) {
      throw InvalidOptionError("the parameters describe a hidden Markov model, not a mixture");
    } else {
      using M = decltype(WithRowScalar<Scalar>(model));
      CheckData(model, view);
      const typename M::Statistics like = model.NewStatistics();
      typename StepwiseEm<M>::State run{WithRowScalar<Scalar>(model), like, std::nullopt,
                                        std::nullopt, 0, 0.0};
      if (Present(state, "running")) {
        run.running = StatisticsFrom(like, state, "running");
        run.steps = nb::cast<std::int64_t>(state["steps"]);
        run.weight_seen = nb::cast<double>(state["weight_seen"]);
      }
      if (Present(state, "averaged")) {
        run.averaged = StatisticsFrom(like, state, "averaged");
        const AnyModel averaged = DecodeModelFromDict(
            nb::cast<nb::dict>(state["averaged_model"]), "stepwise state");
        run.averaged_model = WithRowScalar<Scalar>(VisitModel(averaged, [](const auto& m) -> Model {
          if constexpr (std::is_same_v<std::decay_t<decltype(m)>, Model>) {
            return m;
          } else {
            throw InvalidDataError("stepwise state: the averaged model is not of the kind of "
                                   "the current one");
          }
        }));
      }
      StepwiseEm<M> em(std::move(run), stepwise);
      StepwiseUpdate update;
      {
        nb::gil_scoped_release release;
        Context context(threads);
        ThreadedExecutor executor(context.pool());
        // The batch is copied into a buffer of its own, as emkit fit --online
        // copies each batch (emkit/online_fit.h): the reductions' order
        // depends on where the rows start within a cache line, so the two
        // give the same bits.
        const RowMatrixOf<Scalar> batch = view;
        update = em.Step(executor, RowBlocks<Scalar>(emkit::ViewOf(batch), nullptr, 0));
      }
      const auto& next = em.state();
      nb::dict out;
      out["current"] = EncodeMixture(next.current);
      out["running"] = FlatOf(next.running);
      out["steps"] = next.steps;
      out["weight_seen"] = next.weight_seen;
      if (next.averaged) {
        out["averaged"] = FlatOf(*next.averaged);
        out["averaged_model"] = EncodeMixture(*next.averaged_model);
      }
      return {out, EncodeMixture(em.model()), update.log_likelihood / update.weight};
    }
  });
}

}  // namespace

void RegisterStepwise(nb::module_& m) {
  m.def("stepwise_step", &Step<double>, "state"_a, "x"_a.noconvert(), "options"_a,
        "One mini-batch of stepwise EM for a mixture: (state, params, batch mean "
        "log-likelihood). A state holding only \"current\" (a parameter dict) starts a run.");
  m.def("stepwise_step", &Step<float>, "state"_a, "x"_a.noconvert(), "options"_a);
}

}  // namespace emkit::python
