// Weighted moments kept as (count, mean, second moment about that mean) and
// pooled with the parallel formula of Chan, Golub and LeVeque:
//
//   n = na + nb,  d = mb - ma,  m = ma + d nb / n,  M = Ma + Mb + d dᵀ na nb / n.
//
// Unlike raw sums (Σ w, Σ w x, Σ w x xᵀ), nothing here cancels when the data
// sit far from the origin or when a mean moves far in one iteration: every
// term added is a sum of squares about a nearby centre. Pooling in a fixed
// order keeps results deterministic.
#ifndef EMKIT_INTERNAL_POOLED_MOMENTS_H_
#define EMKIT_INTERNAL_POOLED_MOMENTS_H_

#include <Eigen/Core>

namespace emkit {

// Pools (nb, mb, Mb) into (*na, ma, *Ma) where the second moments are full
// D x D matrices; `extra_scatter`, when not null, receives the cross term
// d dᵀ na nb / n instead of Ma (for covariances shared between components).
template <class MeanA, class MeanB>
void PoolFullMoments(double* na, MeanA&& ma, Eigen::MatrixXd* scatter_a, double nb,
                     const MeanB& mb, const Eigen::MatrixXd* scatter_b,
                     Eigen::MatrixXd* cross_term_target = nullptr) {
  if (!(nb > 0.0)) return;
  Eigen::MatrixXd* target = cross_term_target != nullptr ? cross_term_target : scatter_a;
  if (scatter_b != nullptr) *scatter_a += *scatter_b;
  if (!(*na > 0.0)) {
    *na = nb;
    ma = mb;
    return;
  }
  const double n = *na + nb;
  const Eigen::RowVectorXd d = mb - ma;
  target->noalias() += (*na * nb / n) * (d.transpose() * d);
  ma += d * (nb / n);
  *na = n;
}

// The same with per-feature (diagonal) second moments.
template <class MeanA, class MeanB, class SquaresA, class SquaresB>
void PoolDiagonalMoments(double* na, MeanA&& ma, SquaresA&& squares_a, double nb,
                         const MeanB& mb, const SquaresB& squares_b) {
  if (!(nb > 0.0)) return;
  squares_a += squares_b;
  if (!(*na > 0.0)) {
    *na = nb;
    ma = mb;
    return;
  }
  const double n = *na + nb;
  const Eigen::RowVectorXd d = mb - ma;
  squares_a += (*na * nb / n) * d.array().square().matrix();
  ma += d * (nb / n);
  *na = n;
}

}  // namespace emkit

#endif  // EMKIT_INTERNAL_POOLED_MOMENTS_H_
