#include "emkit/initialization.h"

#include <vector>

#include <fmt/format.h>

#include "emkit/engine/threaded_executor.h"
#include "emkit/error.h"

namespace emkit {

InitMethod ParseInitMethod(std::string_view name) {
  if (name == "kmeans++" || name == "k-means++" || name == "kmeans") {
    return InitMethod::kKMeansPlusPlus;
  }
  if (name == "random") return InitMethod::kRandom;
  if (name == "random_from_data") return InitMethod::kRandomFromData;
  throw InvalidOptionError(fmt::format(
      "init method \"{}\" is not one of kmeans++, random, random_from_data", name));
}

const char* InitMethodName(InitMethod method) {
  switch (method) {
    case InitMethod::kKMeansPlusPlus: return "kmeans++";
    case InitMethod::kRandom: return "random";
    case InitMethod::kRandomFromData: return "random_from_data";
  }
  return "unknown";
}

InitialResponsibilities InitialResponsibilities::Draw(InitMethod method,
                                                      const KMeansOptions& kmeans,
                                                      const RowBlocks<double>& data, int k, Rng& rng,
                                                      ThreadPool& pool) {
  ThreadedExecutor executor(pool);
  return Draw(method, kmeans, data, k, rng, executor);
}

template InitialResponsibilities InitialResponsibilities::Draw(InitMethod, const KMeansOptions&,
                                                               const RowBlocks<double>&, int,
                                                               Rng&, AnyExecutor&);

InitialResponsibilities InitialResponsibilities::NearestOf(RowMatrix centers) {
  return InitialResponsibilities(std::move(centers), /*hard=*/true, 0);
}

InitialResponsibilities InitialResponsibilities::FromLabels(RowMatrix centers,
                                                            std::vector<int> labels) {
  return InitialResponsibilities(std::move(centers), /*hard=*/true, 0, std::move(labels));
}

void InitialResponsibilities::Fill(std::int64_t block_index, const RowBlock<double>& block,
                                   RowMatrix* r) const {
  if (!labels_.empty()) {
    for (Eigen::Index i = 0; i < block.rows.rows(); ++i) {
      const int label = labels_[static_cast<std::size_t>(block.first_row + i)];
      if (label >= 0) (*r)(i, label) = 1.0;
    }
    return;
  }
  if (hard_) {
    std::vector<int> labels(static_cast<std::size_t>(block.rows.rows()));
    NearestCenters(block.rows, centers_, labels.data());
    for (std::size_t i = 0; i < labels.size(); ++i) (*r)(i, labels[i]) = 1.0;
    return;
  }
  Rng block_rng(DeriveSeed(random_seed_, static_cast<std::uint64_t>(block_index)));
  for (Eigen::Index i = 0; i < block.rows.rows(); ++i) {
    for (Eigen::Index c = 0; c < r->cols(); ++c) (*r)(i, c) = UniformDouble(block_rng);
    r->row(i) /= r->row(i).sum();
  }
}

}  // namespace emkit
