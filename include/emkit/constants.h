// Numerical constants shared by every family.
#ifndef EMKIT_CONSTANTS_H_
#define EMKIT_CONSTANTS_H_

namespace emkit {

inline constexpr double kLog2Pi = 1.8378770664093454835606594728112;

// Added to a component's responsibility sum before dividing by it, exactly
// as scikit-learn does (10 * machine epsilon), so that an empty component
// gives a finite mean and a positive weight, and the two libraries agree to
// the last digits.
inline constexpr double kCountFloor = 10.0 * 2.220446049250313e-16;

// A component is collapsed when its share of the total weight falls under
// this fraction: its statistics then say nothing about its parameters.
inline constexpr double kCollapsedFraction = 1e-12;

// The largest magnitude a data value may have: squared distances between
// values up to this size stay far from overflowing a double.
inline constexpr double kMaxAbsDataValue = 1e150;

}  // namespace emkit

#endif  // EMKIT_CONSTANTS_H_
