// Statistics as one flat buffer of doubles, for sending them between
// processes (MPI ranks, Dask workers) and storing them. Built on each
// statistics value's codec (Encode / Decode, SerializableStatistics in
// emkit/model.h), so no family has code of its own here.
//
// The buffer holds the arrays Encode writes, row-major, one after another
// in the order it writes them, and nothing else: no keys, no shapes. The
// receiver knows the layout from a value of the same shape (`like`: the
// model's NewStatistics(), as every rank of one fit has). Every value is
// carried bit for bit, non-finite ones included: a numerical breakdown in a
// block must reach the engine as it would in one process.
//
// Merging buffers. Where Merge is the element-wise sum of the encoded
// arrays (SummableStatistics: Bernoulli, Categorical, Poisson, von
// Mises-Fisher, and mixtures and HMMs over them), adding two buffers
// element-wise gives the buffer of the merge, bit for bit, so a reducer may
// sum buffers (as MPI_SUM does; in a fixed order if results must not depend
// on the number of processes). It is not so for the Gaussian families, the
// group-tied Gaussians and the GMM-HMM emissions: their statistics are
// pooled moments (weighted means and scatters about them,
// emkit/internal/pooled_moments.h), and summing their buffers sums the
// means. MergeFlattened is right for both: a sum where that is the merge,
// otherwise unflatten, Merge, flatten.
#ifndef EMKIT_STATISTICS_CODEC_H_
#define EMKIT_STATISTICS_CODEC_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <Eigen/Core>

#include "emkit/model.h"
#include "emkit/parameters.h"

namespace emkit {

// One array of a statistics value, as Encode wrote it.
struct StatisticsArray {
  std::string key;
  std::vector<Eigen::Index> shape;
};
using StatisticsLayout = std::vector<StatisticsArray>;

// The number of values of a flat buffer of this layout.
std::size_t FlatLength(const StatisticsLayout& layout);

// Collects what a statistics value's Encode writes: the layout, and the
// values one array after another. Statistics are arrays only: Text, Integer
// and Number, and a key written twice (two nested statistics that chose the
// same name), throw std::logic_error naming the key.
class FlatStatisticsWriter final : public ParameterWriter {
 public:
  void Text(std::string_view key, std::string_view value) override;
  void Integer(std::string_view key, std::int64_t value) override;
  void Number(std::string_view key, double value) override;
  void Array(std::string_view key, const std::vector<Eigen::Index>& shape,
             const double* values) override;

  const StatisticsLayout& layout() const { return layout_; }
  const std::vector<double>& values() const { return values_; }
  std::vector<double> TakeValues() && { return std::move(values_); }

 private:
  StatisticsLayout layout_;
  std::vector<double> values_;
};

// Reads the arrays of `layout` from `values`, laid out as
// FlatStatisticsWriter writes them. Failures are InvalidDataErrors starting
// with "SOURCE: ": values of another length (at construction), a missing
// key, an array of another shape than Decode expects (naming the key and
// both shapes), or a setting (statistics have none).
class FlatStatisticsReader final : public ParameterReader {
 public:
  FlatStatisticsReader(StatisticsLayout layout, std::span<const double> values,
                       std::string source = "statistics");

  bool Has(std::string_view key) const override;
  [[noreturn]] void Fail(const std::string& what) const override;
  std::string Choice(std::string_view key, const std::vector<std::string_view>& allowed,
                     std::string_view fallback) const override;
  double Number(std::string_view key, double fallback) const override;
  std::int64_t NonNegativeInteger(std::string_view key, std::int64_t fallback) const override;
  Eigen::Index Extent(std::string_view size_key, std::string_view array_key,
                      int axis) const override;
  std::vector<double> Array(std::string_view key,
                            const std::vector<Eigen::Index>& shape) const override;

 private:
  // The index of key in layout_, or Fail.
  std::size_t Find(std::string_view key) const;
  // Fails when `key` is present: statistics hold arrays, not settings.
  void NoSetting(std::string_view key) const;

  StatisticsLayout layout_;
  std::vector<std::size_t> offsets_;  // of each array in values_
  std::span<const double> values_;
  std::string source_;
};

// The keys and shapes of like's arrays, in Encode's order.
template <SerializableStatistics S>
StatisticsLayout LayoutOf(const S& like) {
  FlatStatisticsWriter out;
  like.Encode(out);
  return out.layout();
}

// The arrays of stats one after another (their layout is LayoutOf(stats)).
template <SerializableStatistics S>
std::vector<double> FlattenStatistics(const S& stats) {
  FlatStatisticsWriter out;
  stats.Encode(out);
  return std::move(out).TakeValues();
}

// The statistics of `like`'s shape that FlattenStatistics turned into
// `flat`. Throws InvalidDataError when flat has another length.
template <SerializableStatistics S>
S UnflattenStatistics(const S& like, std::span<const double> flat) {
  S out = like;
  out.Decode(FlatStatisticsReader(LayoutOf(like), flat));
  return out;
}

// `total` becomes the buffer of total.Merge(other): both are buffers of
// statistics of `like`'s shape (see the top of this file for when that is a
// sum). Throws InvalidDataError when a buffer has another length.
template <SerializableStatistics S>
void MergeFlattened(const S& like, std::span<double> total, std::span<const double> other) {
  if constexpr (SummableStatistics<S>) {
    // Making a reader checks a buffer's length against the layout.
    const StatisticsLayout layout = LayoutOf(like);
    (void)FlatStatisticsReader(layout, total);
    (void)FlatStatisticsReader(layout, other);
    for (std::size_t i = 0; i < total.size(); ++i) total[i] += other[i];
  } else {
    S merged = UnflattenStatistics(like, total);
    merged.Merge(UnflattenStatistics(like, other));
    const std::vector<double> flat = FlattenStatistics(merged);
    std::copy(flat.begin(), flat.end(), total.begin());
  }
}

}  // namespace emkit

#endif  // EMKIT_STATISTICS_CODEC_H_
