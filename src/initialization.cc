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

InitialResponsibilities InitialResponsibilities::NearestInTwoLevels(RowMatrix states,
                                                                    RowMatrix centers, int m,
                                                                    int only_state) {
  RowMatrix kept = only_state >= 0 ? RowMatrix(centers.middleRows(only_state * m, m)) : centers;
  InitialResponsibilities partition(std::move(kept), /*hard=*/true, 0);
  partition.states_ = std::move(states);
  partition.per_state_ = m;
  for (Eigen::Index s = 0; s < partition.states_.rows(); ++s) {
    partition.state_centers_.emplace_back(centers.middleRows(s * m, m));
  }
  partition.only_state_ = only_state;
  return partition;
}

void InitialResponsibilities::Fill(std::int64_t block_index, const RowBlock<double>& block,
                                   RowMatrix* r) const {
  if (per_state_ > 0) {
    std::vector<int> states(static_cast<std::size_t>(block.rows.rows()));
    NearestCenters(block.rows, states_, states.data());
    const Eigen::Index d = block.rows.cols();
    for (Eigen::Index i = 0; i < block.rows.rows(); ++i) {
      const int s = states[static_cast<std::size_t>(i)];
      if (only_state_ >= 0 && s != only_state_) continue;
      int j = 0;
      NearestCenters(MatrixView(block.rows.data() + i * d, 1, d),
                     state_centers_[static_cast<std::size_t>(s)], &j);
      (*r)(i, only_state_ >= 0 ? j : s * per_state_ + j) = 1.0;
    }
    return;
  }
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
