// The Markov chain's M-step at the edge of double's range: a positive
// expected count whose share underflows keeps the smallest positive
// probability, so Q(new | old) stays finite; a zero count stays a
// structural zero.
#include "emkit/hmm/markov_chain.h"

#include <cmath>
#include <limits>

#include <gtest/gtest.h>

namespace emkit {
namespace {

TEST(MarkovChainTest, AnUnderflowingShareKeepsTheSmallestPositiveProbability) {
  const MarkovChain chain = MarkovChain::Uniform(3);
  constexpr double kTiny = std::numeric_limits<double>::denorm_min();
  Vector start_counts(3);
  start_counts << 1.0, 1.0, 0.0;
  RowMatrix transition_counts(3, 3);
  // 2.5e-324 rounds to 0: the share of kTiny in a total of 2.
  transition_counts << 2.0, kTiny, 0.0,
                       1.0, 1.0, 1.0,
                       0.0, 0.0, 3.0;
  const MarkovChain next = chain.Maximize(start_counts, transition_counts, true, true, {});
  EXPECT_EQ(next.transitions()(0, 1), kTiny);
  EXPECT_EQ(next.transitions()(0, 2), 0.0);  // a structural zero
  EXPECT_EQ(next.transitions()(2, 0), 0.0);
  EXPECT_EQ(next.start()[2], 0.0);
  EXPECT_TRUE(std::isfinite(next.ExpectedLogLikelihood(start_counts, transition_counts)));
  // The M-step maximises Q: the new chain's Q is at least the old one's.
  EXPECT_GE(next.ExpectedLogLikelihood(start_counts, transition_counts),
            chain.ExpectedLogLikelihood(start_counts, transition_counts));
}

}  // namespace
}  // namespace emkit
