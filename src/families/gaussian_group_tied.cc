#include "emkit/families/gaussian_group_tied.h"

#include <utility>

#include <fmt/format.h>

#include "emkit/error.h"

namespace emkit {

void GaussianGroupTied::Statistics::Merge(const Statistics& other) {
  counts += other.counts;
  for (std::size_t g = 0; g < groups.size(); ++g) groups[g].Merge(other.groups[g]);
}

void GaussianGroupTied::Statistics::SetZero() {
  counts.setZero();
  for (GaussianTied::Statistics& s : groups) s.SetZero();
}

GaussianGroupTied::GaussianGroupTied(std::vector<GaussianTied> groups)
    : groups_(std::move(groups)) {
  if (groups_.empty()) throw InvalidDataError("tied groups: at least one group is needed");
  for (std::size_t g = 1; g < groups_.size(); ++g) {
    if (groups_[g].num_components() != group_size() ||
        groups_[g].num_features() != num_features()) {
      throw InvalidDataError(fmt::format(
          "tied groups: group {} has {} components of {} features, group 0 has {} of {}",
          g, groups_[g].num_components(), groups_[g].num_features(), group_size(),
          num_features()));
    }
  }
}

RowMatrix GaussianGroupTied::means() const {
  RowMatrix out(num_components(), num_features());
  for (int g = 0; g < num_groups(); ++g) {
    out.middleRows(g * group_size(), group_size()) = groups_[g].means();
  }
  return out;
}

GaussianGroupTied::Statistics GaussianGroupTied::NewStatistics() const {
  Statistics s;
  s.counts = Vector::Zero(num_components());
  for (const GaussianTied& group : groups_) s.groups.push_back(group.NewStatistics());
  return s;
}

void GaussianGroupTied::LogProbabilities(const MatrixView& x,
                                         Eigen::Ref<RowMatrix> out) const {
  const int m = group_size();
  for (int g = 0; g < num_groups(); ++g) {
    groups_[g].LogProbabilities(x, out.middleCols(g * m, m));
  }
}

void GaussianGroupTied::Accumulate(const MatrixView& x,
                                   const Eigen::Ref<const RowMatrix>& weights,
                                   Statistics* stats) const {
  const int m = group_size();
  for (int g = 0; g < num_groups(); ++g) {
    GaussianTied::Statistics& s = stats->groups[g];
    groups_[g].Accumulate(x, weights.middleCols(g * m, m), &s);
    stats->counts.segment(g * m, m) = s.counts;
  }
}

GaussianGroupTied GaussianGroupTied::Maximize(const Statistics& stats,
                                              RepairCounts* repairs) const {
  GaussianGroupTied next = *this;
  for (int g = 0; g < num_groups(); ++g) {
    if (stats.groups[g].counts.sum() > 0.0) {
      next.groups_[g] = groups_[g].Maximize(stats.groups[g], repairs);
    }
  }
  return next;
}

double GaussianGroupTied::ExpectedLogLikelihood(const Statistics& stats) const {
  double q = 0.0;
  for (int g = 0; g < num_groups(); ++g) {
    q += groups_[g].ExpectedLogLikelihood(stats.groups[g]);
  }
  return q;
}

std::int64_t GaussianGroupTied::NumFreeParameters() const {
  return static_cast<std::int64_t>(num_groups()) * groups_.front().NumFreeParameters();
}

void GaussianGroupTied::Sample(int component, Rng& rng, double* out) const {
  groups_[component / group_size()].Sample(component % group_size(), rng, out);
}

}  // namespace emkit
