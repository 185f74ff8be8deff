// The Gaussian families' initialisation hooks, defined once for the four
// covariance structures (gaussian_initialization.h).
#include "gaussian_initialization.h"

namespace emkit {

GaussianFull GaussianFull::InitialPrototype(const RowMatrix& centers) const {
  return internal::GaussianPlaceholder(this, centers, options_);
}
GaussianFull GaussianFull::MaximizeInitial(const Statistics& stats,
                                           const InitialResponsibilities& responsibilities,
                                           LazyFeatureVariance& data_variance,
                                           RepairCounts* repairs) const {
  return internal::MaximizeGaussianInitial(*this, stats, responsibilities, data_variance,
                                           repairs);
}

template <bool kSpherical>
GaussianAxisAligned<kSpherical> GaussianAxisAligned<kSpherical>::InitialPrototype(
    const RowMatrix& centers) const {
  return internal::GaussianPlaceholder(this, centers, options_);
}
template <bool kSpherical>
GaussianAxisAligned<kSpherical> GaussianAxisAligned<kSpherical>::MaximizeInitial(
    const Statistics& stats, const InitialResponsibilities& responsibilities,
    LazyFeatureVariance& data_variance, RepairCounts* repairs) const {
  return internal::MaximizeGaussianInitial(*this, stats, responsibilities, data_variance,
                                           repairs);
}
template GaussianDiag GaussianDiag::InitialPrototype(const RowMatrix&) const;
template GaussianSpherical GaussianSpherical::InitialPrototype(const RowMatrix&) const;
template GaussianDiag GaussianDiag::MaximizeInitial(const Statistics&,
                                                    const InitialResponsibilities&,
                                                    LazyFeatureVariance&, RepairCounts*) const;
template GaussianSpherical GaussianSpherical::MaximizeInitial(const Statistics&,
                                                              const InitialResponsibilities&,
                                                              LazyFeatureVariance&,
                                                              RepairCounts*) const;

GaussianTied GaussianTied::InitialPrototype(const RowMatrix& centers) const {
  return internal::GaussianPlaceholder(this, centers, options_);
}
GaussianTied GaussianTied::MaximizeInitial(const Statistics& stats,
                                           const InitialResponsibilities& responsibilities,
                                           LazyFeatureVariance& data_variance,
                                           RepairCounts* repairs) const {
  return internal::MaximizeGaussianInitial(*this, stats, responsibilities, data_variance,
                                           repairs);
}

}  // namespace emkit
