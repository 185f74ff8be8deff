// The modified Bessel functions of the first kind that the von Mises-Fisher
// family needs, in the forms that stay finite where I_nu itself does not:
// for D up to a few thousand and concentrations from 0 to well past 1e6,
// where I_nu(kappa) overflows a double (kappa > ~700) or underflows it
// (large nu, small kappa). std::cyl_bessel_i returns inf or 0 there, and
// emkit depends on neither Boost nor GSL.
//
// Three evaluations, each where it converges fast and loses nothing:
//   - kappa <= 20 or kappa^2 <= 4 (nu + 1): the power series of
//     I_nu(kappa) / (kappa/2)^nu, all terms positive, under 60 of them;
//   - nu >= 25 otherwise: Debye's uniform asymptotic expansions of I_nu and
//     I_nu' (DLMF 10.41.3, 10.41.4) with the terms u_1 .. u_12, whose first
//     omitted term is below 1e-16 at nu = 25 for every kappa; the ratio
//     I_{nu+1} / I_nu comes from them in a form without cancellation;
//   - nu < 25 otherwise: the expansions at nu + N (N whole, nu + N >= 25)
//     and the backward recurrence I_{n-1} = (2n / kappa) I_n + I_{n+1}, a
//     sum of positive terms.
// Every value is carried as log(I_nu(kappa)) - kappa (scipy's log(ive)), so
// that nothing over- or underflows. Accuracy (against 50-digit mpmath, for
// nu from -1/2 to 1000 and kappa from 1e-8 to 1e7): the ratio to 2e-15
// relative, log I_nu - kappa to 4e-15 relative, and log C_D below to a few
// units in the last place of its largest term (nu log kappa, log I_nu).
//
// The functions are pure and write no global state (unlike std::lgamma), so
// E-steps may call them on threads.
#ifndef EMKIT_SRC_FAMILIES_BESSEL_RATIO_H_
#define EMKIT_SRC_FAMILIES_BESSEL_RATIO_H_

namespace emkit::internal {

// log Gamma(x) for x > 0: the Stirling series at x + n >= 15, shifted back.
// Accurate to ~1e-16 relative above 15 and ~4e-15 absolute below.
double LogGamma(double x);

// log(I_nu(kappa)) - kappa for nu >= -1/2 and kappa > 0.
double LogBesselIScaled(double nu, double kappa);

// I_{nu+1}(kappa) / I_nu(kappa) for nu >= -1/2 and kappa >= 0 (0 at 0).
double BesselIRatio(double nu, double kappa);

// The von Mises-Fisher density on the unit sphere of R^D,
//   p(x) = C_D(kappa) exp(kappa mu'x),
//   log C_D(kappa) = (D/2 - 1) log kappa - (D/2) log(2 pi) - log I_{D/2-1}(kappa),
// for D >= 1 and kappa >= 0. At kappa = 0 it is the uniform density,
// C_D(0) = Gamma(D/2) / (2 pi^{D/2}), one over the sphere's area.
double VmfLogNormalizer(int dimension, double kappa);

// log C_D(kappa) + kappa: the log-density at the mean direction. Computed
// without forming log C_D and kappa separately, so that it keeps its
// relative accuracy when both are ~1e6 and their sum is ~10.
double VmfLogDensityAtMean(int dimension, double kappa);

// A_D(kappa) = I_{D/2}(kappa) / I_{D/2-1}(kappa) = E[mu'x], the mean
// resultant length; increasing from A_D(0) = 0 towards 1.
double VmfMeanResultantLength(int dimension, double kappa);

// The kappa in [0, max_kappa] with A_D(kappa) = r: 0 for r <= 0 and
// max_kappa when A_D(max_kappa) <= r. Newton's method on A_D(kappa) - r,
// with A_D' = 1 - A_D^2 - (D - 1) A_D / kappa, from the approximation of
// Banerjee et al. (JMLR 2005), r (D - r^2) / (1 - r^2), safeguarded by
// bisection of the bracket [0, max_kappa] that every evaluation narrows.
// max_kappa must be finite and > 0.
double VmfConcentration(int dimension, double r, double max_kappa);

}  // namespace emkit::internal

#endif  // EMKIT_SRC_FAMILIES_BESSEL_RATIO_H_
