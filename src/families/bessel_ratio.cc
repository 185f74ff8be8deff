#include "bessel_ratio.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace emkit::internal {
namespace {

constexpr double kLog2 = 0.69314718055994530941723212145818;
constexpr double kLog2Pi = 1.8378770664093454835606594728112;

// The order from which Debye's expansion alone is accurate to a double.
constexpr double kDebyeMinOrder = 25.0;

// Debye's polynomials u_k(t) = t^k P_k(t^2), k = 1 .. 12: row k - 1 holds
// the coefficients of P_k from the constant term up. Generated exactly
// (rational arithmetic) from the recurrence DLMF 10.41.9,
//   u_{k+1}(t) = t^2 (1 - t^2) u_k'(t) / 2 + (1/8) int_0^t (1 - 5 s^2) u_k(s) ds,
// then rounded; u_1 = (3t - 5t^3) / 24 and u_2 match DLMF 10.41.10.
constexpr int kDebyeTerms = 12;
constexpr double kDebye[kDebyeTerms][kDebyeTerms + 1] = {
    {0.125, -0.20833333333333334},
    {0.0703125, -0.40104166666666669, 0.3342013888888889},
    {0.0732421875, -0.89121093750000002, 1.8464626736111112, -1.0258125964506173},
    {0.112152099609375, -2.3640869140624998, 8.78912353515625, -11.207002616222994,
     4.6695844234262474},
    {0.22710800170898438, -7.3687943594796321, 42.534998745388457, -91.818241543240021,
     84.636217674600729, -28.212072558200244},
    {0.57250142097473145, -26.491430486951554, 218.19051174421159, -699.57962737613252,
     1059.9904525279999, -765.25246814118168, 212.57013003921713},
    {1.7277275025844574, -108.09091978839466, 1200.9029132163525, -5305.646978613403,
     11655.393336864534, -13586.550006434138, 8061.7221817373093, -1919.4576623184071},
    {6.074042001273483, -493.915304773088, 7109.5143024893641, -41192.65496889755,
     122200.46498301746, -203400.17728041555, 192547.00123253153, -96980.598388637518,
     20204.291330966149},
    {24.380529699556064, -2499.8304818112097, 45218.768981362729, -331645.17248456361,
     1268365.2733216248, -2813563.2265865342, 3763271.2976564039, -2998015.9185381066,
     1311763.6146629772, -242919.18790055133},
    {110.01714026924674, -13886.08975371704, 308186.40461266239, -2785618.1280864547,
     13288767.166421818, -37567176.660763353, 66344512.274729028, -74105148.211532652,
     50952602.492664643, -19706819.118432228, 3284469.8530720379},
    {551.33589612202059, -84005.433603024081, 2243768.1779224495, -24474062.72573873,
     142062907.79753309, -495889784.27503031, 1106842816.8230145, -1621080552.1083372,
     1553596899.57058, -939462359.6815784, 325573074.18576574, -49329253.66450996},
    {3038.0905109223841, -549842.32757228869, 17395107.553978164, -225105661.88941526,
     1559279864.8792574, -6563293792.6192846, 17954213731.155602, -33026599749.800724,
     41280185579.753975, -34632043388.158775, 18688207509.295826, -5866481492.0518475,
     814789096.11831212},
};

// w_k(t) = v_k(t) - u_k(t) = t^k W_k(t^2), where v_k are Debye's polynomials
// of I_nu' (DLMF 10.41.4); rows as above. From DLMF 10.41.11,
//   v_k(t) - u_k(t) = t (t^2 - 1) (u_{k-1}(t) / 2 + t u_{k-1}'(t)),
// exactly, then rounded; w_1 = t (t^2 - 1) / 2.
constexpr double kDebyeRatio[kDebyeTerms][kDebyeTerms + 1] = {
    {-0.5, 0.5},
    {-0.1875, 0.91666666666666663, -0.72916666666666663},
    {-0.17578125, 1.98046875, -3.9769965277777777, 2.1723090277777777},
    {-0.25634765625, 5.1580078125000002, -18.750130208333335, 23.593689718364196,
     -9.7452196662808639},
    {-0.5046844482421875, 15.871249389648437, -90.074114990234378, 192.38107751916957,
     -176.04333276316953, 58.36980529282809},
    {-1.2490940093994141, 56.515051705496653, -459.34844577728757, 1459.9922658284506,
     -2198.4987163543701, 1579.8760632592137, -437.28712465210378},
    {-3.7212592363357544, 228.89841837542397, -2516.1775324533101, 11035.745715515879,
     -24114.606903857653, 27996.527285985496, -16559.213130055014, 3932.5474057255169},
    {-12.95795626938343, 1039.8216942591328, -14837.247239977802, 85436.617713268992,
     -252284.83093268122, 418423.2218339977, -394968.20765647496, 198471.92228372328,
     -41268.339739845753},
    {-51.629357010824606, 5237.7400571282487, -94055.039481234475, 686162.42583013151,
     -2613601.1692688027, 5779210.9519074755, -7710116.8049545838, 6129276.9890112402,
     -2677068.6013530148, 495005.13760867063},
    {-231.61503214578261, 28979.665572974693, -639201.43178922567, 5750953.5547591327,
     -27336892.456639171, 77060875.201565847, -135774815.81805009, 151363706.98525819,
     -103903346.25955142, 40130249.841171078, -6680277.6672651619},
    {-1155.1799728270908, 174731.30189429011, -4642278.9888050677, 50431401.980310105,
     -291804891.69223017, 1015969314.1244524, -2262878647.7270517, 3308327657.3639531,
     -3165820097.238163, 1911888310.9309316, -661820675.39401567, 100176330.51869716},
    {-6340.362805403237, 1140413.7164462283, -35912480.111438788, 463074504.45822573,
     -3198522799.7523232, 13431857063.965048, -36672436557.25399, 67348360274.103432,
     -84061468816.953552, 70438054348.797516, -37969691447.458183, 11908081834.612705,
     -1652529997.7610838},
};

struct Scaled {
  double log_scaled;  // log(I_nu(kappa)) - kappa
  double ratio;       // I_{nu+1}(kappa) / I_nu(kappa)
};

// Debye's expansions, nu >= kDebyeMinOrder, z = kappa / nu,
// t = 1 / sqrt(1 + z^2), eta = sqrt(1 + z^2) + log(z / (1 + sqrt(1 + z^2))):
//   I_nu(nu z)  ~ exp(nu eta) / (sqrt(2 pi nu) (1 + z^2)^{1/4}) U,
//   I_nu'(nu z) ~ exp(nu eta) (1 + z^2)^{1/4} / (sqrt(2 pi nu) z) V,
// U = sum_k u_k(t) / nu^k, V = sum_k v_k(t) / nu^k. The ratio follows from
// I_{nu+1} = I_nu' - (nu / kappa) I_nu:
//   I_{nu+1} / I_nu = (sqrt(1 + z^2) V / U - 1) / z
//                   = z / (1 + sqrt(1 + z^2)) + sqrt(1 + z^2) (V - U) / (z U),
// the second form free of the cancellation of the first where z is small.
Scaled Debye(double nu, double kappa) {
  const double z = kappa / nu;
  const double s = std::hypot(1.0, z);
  const double t = 1.0 / s;
  // nu eta - kappa without forming nu s or kappa: nu (s - z) = nu / (s + z),
  // and z / (1 + s) = 1 - (1 + 1 / (s + z)) / (1 + s), whose log1p keeps
  // its digits when z is large and the log is near 0.
  const double log_ratio = z < 1.0 ? std::log(z / (1.0 + s))
                                   : std::log1p(-(1.0 + 1.0 / (s + z)) / (1.0 + s));
  const double q = t * t;
  const double p = t / nu;
  // U - 1 and V - U as sums over k >= 1 of p^k times a polynomial in q, by
  // Horner in p.
  double u_tail = 0.0;
  double v_minus_u = 0.0;
  for (int k = kDebyeTerms; k >= 1; --k) {
    const double* a = kDebye[k - 1];
    const double* b = kDebyeRatio[k - 1];
    double pa = a[k];
    double pb = b[k];
    for (int j = k - 1; j >= 0; --j) {
      pa = pa * q + a[j];
      pb = pb * q + b[j];
    }
    u_tail = p * (pa + u_tail);
    v_minus_u = p * (pb + v_minus_u);
  }
  Scaled v;
  v.log_scaled = nu / (s + z) + nu * log_ratio - 0.5 * (kLog2Pi + std::log(nu)) -
                 0.5 * std::log(s) + std::log1p(u_tail);
  v.ratio = z / (1.0 + s) + s * v_minus_u / (z * (1.0 + u_tail));
  return v;
}

// sum_m (kappa^2 / 4)^m / (m! (nu + 1)_m), the power series of
// Gamma(nu + 1) I_nu(kappa) / (kappa / 2)^nu, for nu and nu + 1 at once.
struct SeriesSums {
  double order;  // at nu
  double next;   // at nu + 1
};

SeriesSums PowerSeries(double nu, double kappa) {
  const double q = 0.25 * kappa * kappa;
  SeriesSums s{1.0, 1.0};
  double term = 1.0;
  double next_term = 1.0;
  // Under 60 terms on the series branch (OnSeriesBranch); the bound is a
  // backstop.
  for (int m = 1; m < 300; ++m) {
    term *= q / (m * (nu + m));
    next_term *= q / (m * (nu + 1.0 + m));
    s.order += term;
    s.next += next_term;
    if (term <= 1e-17 * s.order) break;
  }
  return s;
}

// The series converges fast where kappa^2 <= 4 (nu + 1) (each term under the
// last divided by its index) and, for any nu, up to kappa = 20 (under 60
// terms, none above e^20). Below 20 it is also the more accurate: the
// backward recurrence from order 25 adds logs that cancel to a few digits
// there.
constexpr double kSeriesMaxKappa = 20.0;

bool OnSeriesBranch(double nu, double kappa) {
  return kappa <= kSeriesMaxKappa || kappa * kappa <= 4.0 * (nu + 1.0);
}

// kappa > 0.
Scaled Evaluate(double nu, double kappa) {
  if (OnSeriesBranch(nu, kappa)) {
    const SeriesSums s = PowerSeries(nu, kappa);
    return {std::log(s.order) - LogGamma(nu + 1.0) + nu * (std::log(kappa) - kLog2) - kappa,
            0.5 * kappa / (nu + 1.0) * (s.next / s.order)};
  }
  const int steps = std::max(0, static_cast<int>(std::ceil(kDebyeMinOrder - nu)));
  Scaled v = Debye(nu + steps, kappa);
  for (int j = steps; j >= 1; --j) {
    // From order n = nu + j to n - 1: I_{n-1} = I_n (2n / kappa + I_{n+1} / I_n).
    const double factor = 2.0 * (nu + j) / kappa + v.ratio;
    v.log_scaled += std::log(factor);
    v.ratio = 1.0 / factor;
  }
  return v;
}

}  // namespace

double LogGamma(double x) {
  // Gamma(x) = Gamma(x + n) / (x (x + 1) ... (x + n - 1)), with x + n >= 15
  // where the Stirling series below is accurate to ~1e-18.
  double product = 1.0;
  while (x < 15.0) {
    product *= x;
    x += 1.0;
  }
  const double inv = 1.0 / x;
  const double inv2 = inv * inv;
  const double series =
      inv * (1.0 / 12.0 -
             inv2 * (1.0 / 360.0 -
                     inv2 * (1.0 / 1260.0 -
                             inv2 * (1.0 / 1680.0 - inv2 * (1.0 / 1188.0 -
                                                            inv2 * (691.0 / 360360.0))))));
  return (x - 0.5) * std::log(x) - x + 0.5 * kLog2Pi + series - std::log(product);
}

double LogBesselIScaled(double nu, double kappa) { return Evaluate(nu, kappa).log_scaled; }

double BesselIRatio(double nu, double kappa) {
  // The ratio is below 1, but within an ulp or two of it for kappa >> nu^2,
  // where rounding could carry it over.
  return kappa == 0.0 ? 0.0 : std::min(Evaluate(nu, kappa).ratio, 1.0);
}

double VmfLogDensityAtMean(int dimension, double kappa) {
  const double nu = 0.5 * dimension - 1.0;
  const double log_2pi_term = 0.5 * dimension * kLog2Pi;
  if (OnSeriesBranch(nu, kappa)) {
    // (kappa/2)^nu cancels against kappa^nu: no log kappa, exact at 0.
    return nu * kLog2 - log_2pi_term + LogGamma(nu + 1.0) -
           std::log(PowerSeries(nu, kappa).order) + kappa;
  }
  return nu * std::log(kappa) - log_2pi_term - Evaluate(nu, kappa).log_scaled;
}

double VmfLogNormalizer(int dimension, double kappa) {
  const double nu = 0.5 * dimension - 1.0;
  if (OnSeriesBranch(nu, kappa)) {
    return nu * kLog2 - 0.5 * dimension * kLog2Pi + LogGamma(nu + 1.0) -
           std::log(PowerSeries(nu, kappa).order);
  }
  return VmfLogDensityAtMean(dimension, kappa) - kappa;
}

double VmfMeanResultantLength(int dimension, double kappa) {
  return BesselIRatio(0.5 * dimension - 1.0, kappa);
}

double VmfConcentration(int dimension, double r, double max_kappa) {
  if (!(r > 0.0)) return 0.0;
  if (!(VmfMeanResultantLength(dimension, max_kappa) > r)) return max_kappa;
  constexpr double kEpsilon = std::numeric_limits<double>::epsilon();
  const double d = dimension;
  // Here 0 < r < A_D(max_kappa) < 1, so 1 - r^2 > 0.
  double lo = 0.0;
  double hi = max_kappa;
  double kappa = r * (d - r * r) / ((1.0 - r) * (1.0 + r));
  if (!(kappa > lo && kappa < hi)) kappa = 0.5 * (lo + hi);
  for (int iteration = 0; iteration < 200; ++iteration) {
    const double a = VmfMeanResultantLength(dimension, kappa);
    const double f = a - r;
    // A_D(kappa) equals r to rounding: every kappa in reach is as good.
    if (std::abs(f) <= 2.0 * kEpsilon * r) return kappa;
    if (f > 0.0) {
      hi = kappa;
    } else {
      lo = kappa;
    }
    const double slope = 1.0 - a * a - (d - 1.0) * a / kappa;
    double next = kappa - f / slope;
    // Outside the bracket (or a slope lost to rounding at large kappa):
    // bisect instead.
    if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
    if (std::abs(next - kappa) <= 4.0 * kEpsilon * next) return next;
    kappa = next;
  }
  return kappa;
}

}  // namespace emkit::internal
