// G groups of M Gaussian components; the M components of a group share one
// full covariance matrix, each group its own. Component g*M + m is
// component m of group g. This is the covariance structure of hmmlearn's
// GMMHMM "tied" (one covariance per state, shared by the state's mixture
// components); with one group it is GaussianTied.
//
// Each group is a GaussianTied of M components, so the E-step, the moments
// and their rounding safeguards are GaussianTied's; this class only lays
// the groups side by side in the interface of a Gaussian family.
#ifndef EMKIT_FAMILIES_GAUSSIAN_GROUP_TIED_H_
#define EMKIT_FAMILIES_GAUSSIAN_GROUP_TIED_H_

#include <cstdint>
#include <vector>

#include "emkit/families/gaussian_tied.h"
#include "emkit/matrix.h"
#include "emkit/parameters.h"
#include "emkit/random.h"
#include "emkit/report.h"

namespace emkit {

class GaussianGroupTied {
 public:
  static constexpr const char* kCovarianceName = "tied";

  struct Statistics {
    Vector counts;  // G*M: the weight of every component, group-major
    std::vector<GaussianTied::Statistics> groups;

    void Merge(const Statistics& other);
    void SetZero();
    // The statistics codec (emkit/model.h): "counts" [G*M], and the
    // groups' moments stacked: "group_counts" [G][M], "means" [G*M][D],
    // "scatters" [G][D][D].
    void Encode(ParameterWriter& out) const;
    void Decode(const ParameterReader& in);
  };

  // Throws InvalidDataError unless there is at least one group and all
  // groups have the same number of components and features.
  explicit GaussianGroupTied(std::vector<GaussianTied> groups);

  int num_components() const { return num_groups() * group_size(); }
  int num_groups() const { return static_cast<int>(groups_.size()); }
  int group_size() const { return groups_.front().num_components(); }
  int num_features() const { return groups_.front().num_features(); }
  const std::vector<GaussianTied>& groups() const { return groups_; }
  // Every component's mean, group-major (G*M x D).
  RowMatrix means() const;
  const GaussianOptions& options() const { return groups_.front().options(); }

  Statistics NewStatistics() const;
  void LogProbabilities(const MatrixView& x, Eigen::Ref<RowMatrix> out) const;
  void Accumulate(const MatrixView& x, const Eigen::Ref<const RowMatrix>& weights,
                  Statistics* stats) const;
  // Each group by GaussianTied::Maximize; a group without weight (a state
  // the data never visit) keeps its parameters.
  GaussianGroupTied Maximize(const Statistics& stats, RepairCounts* repairs) const;
  double ExpectedLogLikelihood(const Statistics& stats) const;
  std::int64_t NumFreeParameters() const;
  void Sample(int component, Rng& rng, double* out) const;

  // The keys of GaussianTied with one covariance per group: "covariances"
  // [G][D][D] and "precisions_cholesky" [G][D][D]; "means" holds all G*M.
  void EncodeParameters(ParameterWriter& out) const;
  static GaussianGroupTied DecodeGroups(const ParameterReader& in, Eigen::Index num_groups,
                                        Eigen::Index group_size);

 private:
  std::vector<GaussianTied> groups_;
};

}  // namespace emkit

#endif  // EMKIT_FAMILIES_GAUSSIAN_GROUP_TIED_H_
