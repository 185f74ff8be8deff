#include "emkit/hmm/markov_chain.h"

#include <cmath>
#include <limits>
#include <utility>

#include <fmt/format.h>

#include "emkit/error.h"

namespace emkit {
namespace {

void CheckDistribution(const Eigen::Ref<const Eigen::RowVectorXd>& p,
                       const std::string& name) {
  for (Eigen::Index k = 0; k < p.size(); ++k) {
    if (!(p[k] >= 0.0) || !std::isfinite(p[k])) {
      throw InvalidDataError(fmt::format("{}[{}] = {} must be finite and >= 0",
                                         name, k, p[k]));
    }
  }
  if (std::abs(p.sum() - 1.0) > 1e-8) {
    throw InvalidDataError(fmt::format("{} must sum to 1, found sum {}", name, p.sum()));
  }
}

// counts / sum(counts), or `old` when the counts are all zero. A positive
// count whose share underflows to 0 (after many iterations a transition's
// posterior decays geometrically) keeps the smallest positive double: zero
// stays reserved for structural zeros (a zero count), and Q(new | old),
// whose term is c log p, stays finite, as its true value c log(c / total)
// (about 0) is.
Eigen::RowVectorXd Normalized(const Eigen::Ref<const Eigen::RowVectorXd>& counts,
                              const Eigen::Ref<const Eigen::RowVectorXd>& old) {
  const double total = counts.sum();
  if (!(total > 0.0)) return old;
  Eigen::RowVectorXd p = counts / total;
  for (Eigen::Index k = 0; k < p.size(); ++k) {
    if (p[k] == 0.0 && counts[k] > 0.0) p[k] = std::numeric_limits<double>::denorm_min();
  }
  return p;
}

double CountsDotLog(const Eigen::Ref<const Eigen::RowVectorXd>& counts,
                    const Eigen::Ref<const Eigen::RowVectorXd>& log_p) {
  double sum = 0.0;
  for (Eigen::Index k = 0; k < counts.size(); ++k) {
    if (counts[k] != 0.0) sum += counts[k] * log_p[k];  // 0 log 0 = 0
  }
  return sum;
}

}  // namespace

MarkovChain::MarkovChain(Vector start, RowMatrix transitions)
    : start_(std::move(start)), transitions_(std::move(transitions)) {
  const Eigen::Index k = start_.size();
  if (k < 1) throw InvalidDataError("start probabilities: at least one state is needed");
  if (transitions_.rows() != k || transitions_.cols() != k) {
    throw InvalidDataError(fmt::format(
        "transitions must be {} x {} (one row and column per state), found {} x {}",
        k, k, transitions_.rows(), transitions_.cols()));
  }
  CheckDistribution(start_.transpose(), "start probabilities");
  for (Eigen::Index i = 0; i < k; ++i) {
    CheckDistribution(transitions_.row(i), fmt::format("transitions row {}", i));
  }
  UpdateLogs();
}

MarkovChain MarkovChain::Uniform(int num_states) {
  if (num_states < 1) {
    throw InvalidOptionError(fmt::format("n_states = {} must be >= 1", num_states));
  }
  const double p = 1.0 / num_states;
  return MarkovChain(Vector::Constant(num_states, p),
                     RowMatrix::Constant(num_states, num_states, p));
}

void MarkovChain::UpdateLogs() {
  // std::log: exact for subnormal probabilities, where a vectorised log may
  // not be.
  auto log = [](double p) { return std::log(p); };
  log_start_ = start_.unaryExpr(log);
  log_transitions_ = transitions_.unaryExpr(log);
}

namespace {

// max(alpha - 1 + counts, 0), and 0 where the old probability is 0 (a
// structural zero).
Eigen::RowVectorXd WithPrior(const Eigen::Ref<const Eigen::RowVectorXd>& counts,
                             const Eigen::Ref<const Eigen::RowVectorXd>& alpha,
                             const Eigen::Ref<const Eigen::RowVectorXd>& old) {
  Eigen::RowVectorXd out = (alpha.array() - 1.0 + counts.array()).max(0.0).matrix();
  for (Eigen::Index k = 0; k < out.size(); ++k) {
    if (old[k] == 0.0) out[k] = 0.0;
  }
  return out;
}

}  // namespace

void ChainPriors::Validate(int num_states) const {
  const auto check = [](const auto& values, const char* name) {
    for (Eigen::Index i = 0; i < values.size(); ++i) {
      const double v = values.data()[i];
      if (!(v >= 0.0) || !std::isfinite(v)) {
        throw InvalidOptionError(fmt::format(
            "{} prior value {} must be finite and >= 0", name, v));
      }
    }
  };
  if (start.size() != 0 && start.size() != num_states) {
    throw InvalidOptionError(fmt::format(
        "the start prior has {} values, but there are {} states", start.size(), num_states));
  }
  if (transitions.size() != 0 &&
      (transitions.rows() != num_states || transitions.cols() != num_states)) {
    throw InvalidOptionError(fmt::format(
        "the transition prior is {} x {}, but there are {} states", transitions.rows(),
        transitions.cols(), num_states));
  }
  check(start, "start");
  check(transitions, "transition");
}

MarkovChain MarkovChain::Maximize(const Vector& start_counts,
                                  const RowMatrix& transition_counts, bool fit_start,
                                  bool fit_transitions, const ChainPriors& priors) const {
  MarkovChain next = *this;
  if (fit_start) {
    const Eigen::RowVectorXd counts =
        priors.start.size() == 0
            ? Eigen::RowVectorXd(start_counts.transpose())
            : WithPrior(start_counts.transpose(), priors.start.transpose(), start_.transpose());
    next.start_ = Normalized(counts, start_.transpose()).transpose();
  }
  if (fit_transitions) {
    for (Eigen::Index i = 0; i < transitions_.rows(); ++i) {
      const Eigen::RowVectorXd counts =
          priors.transitions.size() == 0
              ? Eigen::RowVectorXd(transition_counts.row(i))
              : WithPrior(transition_counts.row(i), priors.transitions.row(i),
                          transitions_.row(i));
      next.transitions_.row(i) = Normalized(counts, transitions_.row(i));
    }
  }
  next.UpdateLogs();
  return next;
}

double MarkovChain::ExpectedLogLikelihood(const Vector& start_counts,
                                          const RowMatrix& transition_counts) const {
  double q = CountsDotLog(start_counts.transpose(), log_start_.transpose());
  for (Eigen::Index i = 0; i < transitions_.rows(); ++i) {
    q += CountsDotLog(transition_counts.row(i), log_transitions_.row(i));
  }
  return q;
}

std::int64_t MarkovChain::NumFreeParameters(bool fit_start, bool fit_transitions) const {
  auto free_in = [](const Eigen::Ref<const Eigen::RowVectorXd>& p) {
    return std::max<std::int64_t>(0, (p.array() > 0.0).count() - 1);
  };
  std::int64_t n = 0;
  if (fit_start) n += free_in(start_.transpose());
  if (fit_transitions) {
    for (Eigen::Index i = 0; i < transitions_.rows(); ++i) n += free_in(transitions_.row(i));
  }
  return n;
}

int MarkovChain::DrawState(const Eigen::Ref<const Eigen::RowVectorXd>& p, double u) {
  int last_positive = 0;
  for (Eigen::Index k = 0; k < p.size(); ++k) {
    if (p[k] <= 0.0) continue;
    last_positive = static_cast<int>(k);
    if (u < p[k]) return last_positive;
    u -= p[k];
  }
  return last_positive;  // rounding left u just above the total
}

}  // namespace emkit
