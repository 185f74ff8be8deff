#include "emkit/hmm/forward_backward.h"

#include <cmath>
#include <limits>
#include <vector>

namespace emkit {
namespace {

constexpr double kNegInf = -std::numeric_limits<double>::infinity();

// exp, with exactly 0 for arguments below the smallest normal result (Eigen's
// vectorised exp clamps its argument, turning exp(-inf) into a subnormal
// instead of 0, and a structural zero must stay exactly zero).
template <class A>
auto SafeExp(const A& a) {
  return (a < -708.0).select(0.0, a.exp());
}

// log sum exp of v, exact for all -inf (gives -inf).
template <class V>
double LogSumExp(const V& v) {
  const double max = v.maxCoeff();
  if (!std::isfinite(max)) return max;
  return max + std::log(SafeExp(v.array() - max).sum());
}

// Scratch reused across the sequences a thread processes.
struct Scratch {
  RowMatrix b;      // T x K: exp(log_emission - row max)
  RowMatrix alpha;  // T x K: normalised forward variables
  RowMatrix u;      // T x K: b_t+1 .* beta_t+1 / c_t+1 (log beta in log space)
  RowMatrix gamma;  // T x K: posteriors
  Vector scale;     // T: c_t
};

Scratch& ThreadScratch() {
  thread_local Scratch scratch;
  return scratch;
}

// The scaled forward pass; false when a scale factor leaves the normal range
// (or a step has no finite log-probability), so that log space must be used.
bool ScaledForward(const MarkovChain& chain, const Eigen::Ref<const RowMatrix>& log_emission,
                   Scratch* s, double* loglik) {
  const Eigen::Index t_count = log_emission.rows();
  const Eigen::Index k = log_emission.cols();
  s->b.resize(t_count, k);
  s->alpha.resize(t_count, k);
  s->scale.resize(t_count);
  const RowMatrix& a = chain.transitions();
  double total = 0.0;
  Eigen::RowVectorXd next(k);
  for (Eigen::Index t = 0; t < t_count; ++t) {
    const double m = log_emission.row(t).maxCoeff();
    if (!std::isfinite(m)) return false;
    s->b.row(t) = SafeExp(log_emission.row(t).array() - m);
    if (t == 0) {
      next = chain.start().transpose().cwiseProduct(s->b.row(0));
    } else {
      next.noalias() = s->alpha.row(t - 1) * a;
      next.array() *= s->b.row(t).array();
    }
    const double c = next.sum();
    if (!(c >= std::numeric_limits<double>::min()) || !std::isfinite(c)) return false;
    s->alpha.row(t) = next / c;
    s->scale[t] = c;
    total += std::log(c) + m;
  }
  *loglik = total;
  return true;
}

// Scaled forward-backward into the scratch (posteriors in s->gamma); false
// when the scaling breaks down and log space must be used.
bool ScaledForwardBackward(const MarkovChain& chain,
                           const Eigen::Ref<const RowMatrix>& log_emission, Scratch* s,
                           double* loglik) {
  if (!ScaledForward(chain, log_emission, s, loglik)) return false;
  const Eigen::Index t_count = log_emission.rows();
  const Eigen::Index k = log_emission.cols();
  const RowMatrix& a = chain.transitions();
  // u_t = b_t+1 .* beta_t+1 / c_t+1 for t < T-1, and beta_t = A u_t.
  s->u.resize(t_count, k);
  s->gamma.resize(t_count, k);
  Eigen::RowVectorXd beta = Eigen::RowVectorXd::Ones(k);
  for (Eigen::Index t = t_count - 1; t >= 0; --t) {
    if (t < t_count - 1) {
      s->u.row(t) = s->b.row(t + 1).cwiseProduct(beta) / s->scale[t + 1];
      beta.noalias() = s->u.row(t) * a.transpose();
    }
    auto posterior = s->gamma.row(t);
    posterior = s->alpha.row(t).cwiseProduct(beta);
    const double sum = posterior.sum();
    if (!(sum > 0.0) || !std::isfinite(sum)) return false;
    posterior /= sum;
  }
  return true;
}

// Log space, normalised like the scaled recursion: row t of *log_alpha is
// log alpha_t minus log_scale[t] = log p(x_t | x_1..t-1), so its entries stay
// of order one however long the sequence is (unnormalised log alphas grow
// like t and lose absolute precision). Returns sum_t log_scale[t].
double LogForward(const MarkovChain& chain, const Eigen::Ref<const RowMatrix>& log_emission,
                  RowMatrix* log_alpha, Vector* log_scale) {
  const Eigen::Index t_count = log_emission.rows();
  const Eigen::Index k = log_emission.cols();
  const RowMatrix& log_a = chain.log_transitions();
  log_alpha->resize(t_count, k);
  log_scale->resize(t_count);
  Eigen::VectorXd terms(k);
  double total = 0.0;
  for (Eigen::Index t = 0; t < t_count; ++t) {
    auto row = log_alpha->row(t);
    if (t == 0) {
      row = chain.log_start().transpose() + log_emission.row(0);
    } else {
      for (Eigen::Index j = 0; j < k; ++j) {
        terms = log_alpha->row(t - 1).transpose() + log_a.col(j);
        row[j] = LogSumExp(terms) + log_emission(t, j);
      }
    }
    const double c = LogSumExp(row);
    (*log_scale)[t] = c;
    total += c;
    if (!std::isfinite(c)) return total;  // no path, or NaN input
    row.array() -= c;
  }
  return total;
}

double LogForwardBackward(const MarkovChain& chain, Eigen::Ref<RowMatrix> log_emission,
                          Vector* start_counts, RowMatrix* transition_counts) {
  Scratch& s = ThreadScratch();
  const Eigen::Index t_count = log_emission.rows();
  const Eigen::Index k = log_emission.cols();
  const RowMatrix& log_a = chain.log_transitions();
  RowMatrix& log_alpha = s.alpha;
  RowMatrix& log_beta = s.u;
  const double loglik = LogForward(chain, log_emission, &log_alpha, &s.scale);
  if (!std::isfinite(loglik)) {
    log_emission.setZero();
    return loglik;
  }
  // log beta_t scaled by the same factors: log beta_t+1 - log_scale[t+1].
  log_beta.resize(t_count, k);
  log_beta.row(t_count - 1).setZero();
  Eigen::RowVectorXd terms(k);
  for (Eigen::Index t = t_count - 2; t >= 0; --t) {
    terms = log_emission.row(t + 1) + log_beta.row(t + 1);
    terms.array() -= s.scale[t + 1];
    for (Eigen::Index i = 0; i < k; ++i) {
      log_beta(t, i) = LogSumExp(log_a.row(i) + terms);
    }
    // Expected transitions between steps t and t+1.
    for (Eigen::Index i = 0; i < k; ++i) {
      transition_counts->row(i).array() +=
          SafeExp(log_alpha(t, i) + log_a.row(i).array() + terms.array());
    }
  }
  log_emission = SafeExp((log_alpha + log_beta).array());
  *start_counts += log_emission.row(0).transpose();
  return loglik;
}

}  // namespace

double ForwardBackward(const MarkovChain& chain, Eigen::Ref<RowMatrix> log_emission,
                       Vector* start_counts, RowMatrix* transition_counts,
                       RecursionMethod method) {
  if (method != RecursionMethod::kLog) {
    Scratch& s = ThreadScratch();
    double loglik = 0.0;
    if (ScaledForwardBackward(chain, log_emission, &s, &loglik)) {
      const Eigen::Index t_count = log_emission.rows();
      log_emission = s.gamma;
      *start_counts += s.gamma.row(0).transpose();
      if (t_count > 1) {
        // sum_t alpha_t^T u_t, times A elementwise: the expected transitions.
        const RowMatrix xi =
            s.alpha.topRows(t_count - 1).transpose() * s.u.topRows(t_count - 1);
        *transition_counts += xi.cwiseProduct(chain.transitions());
      }
      return loglik;
    }
    if (method == RecursionMethod::kScaled) {
      return std::numeric_limits<double>::quiet_NaN();
    }
  }
  return LogForwardBackward(chain, log_emission, start_counts, transition_counts);
}

double ForwardLogLikelihood(const MarkovChain& chain,
                            const Eigen::Ref<const RowMatrix>& log_emission) {
  Scratch& s = ThreadScratch();
  double loglik = 0.0;
  if (ScaledForward(chain, log_emission, &s, &loglik)) return loglik;
  return LogForward(chain, log_emission, &s.alpha, &s.scale);
}

double Viterbi(const MarkovChain& chain, const Eigen::Ref<const RowMatrix>& log_emission,
               int* states) {
  const Eigen::Index t_count = log_emission.rows();
  const Eigen::Index k = log_emission.cols();
  const RowMatrix& log_a = chain.log_transitions();
  thread_local std::vector<int> back;
  back.resize(static_cast<std::size_t>(t_count * k));
  Eigen::RowVectorXd delta = chain.log_start().transpose() + log_emission.row(0);
  Eigen::RowVectorXd next(k);
  for (Eigen::Index t = 1; t < t_count; ++t) {
    for (Eigen::Index j = 0; j < k; ++j) {
      double best = kNegInf;
      int best_i = 0;
      for (Eigen::Index i = 0; i < k; ++i) {
        const double v = delta[i] + log_a(i, j);
        if (v > best) {
          best = v;
          best_i = static_cast<int>(i);
        }
      }
      next[j] = best + log_emission(t, j);
      back[t * k + j] = best_i;
    }
    delta.swap(next);
  }
  Eigen::Index last = 0;
  const double best = delta.maxCoeff(&last);
  states[t_count - 1] = static_cast<int>(last);
  for (Eigen::Index t = t_count - 1; t > 0; --t) {
    states[t - 1] = back[t * k + states[t]];
  }
  return best;
}

}  // namespace emkit
