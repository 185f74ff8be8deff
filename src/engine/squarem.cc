#include "emkit/engine/squarem.h"

namespace emkit::internal {

bool RepairedMore(const RepairCounts& trial, const RepairCounts& plain) {
  return trial.collapsed_components > plain.collapsed_components ||
         trial.regularized_covariances > plain.regularized_covariances ||
         trial.initial_covariances_from_data > plain.initial_covariances_from_data;
}

}  // namespace emkit::internal
