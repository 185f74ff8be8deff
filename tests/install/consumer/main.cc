// Fits a two-component mixture to two well separated clouds and checks the
// means land near the centres: proof that the installed headers and library
// link and work.
#include <cmath>
#include <cstdio>

// The umbrella header: the installed tree holds every header it names.
#include <emkit/emkit.h>

int main() {
  emkit::RowMatrix x(400, 1);
  emkit::Rng rng(1);
  for (int i = 0; i < 400; ++i) x(i, 0) = (i < 200 ? -5.0 : 5.0) + emkit::StandardNormal(rng);
  emkit::GaussianMixtureOptions options;
  options.n_components = 2;
  const auto [model, report] =
      emkit::FitGaussianMixture(emkit::FitOptions{}, options, emkit::ViewOf(x), nullptr);
  const emkit::RowMatrix& means = emkit::MixtureMeans(model);
  const double low = std::min(means(0, 0), means(1, 0));
  const double high = std::max(means(0, 0), means(1, 0));
  std::printf("%s\n", report.BriefReport().c_str());
  return report.IsUsable() && std::abs(low + 5.0) < 0.5 && std::abs(high - 5.0) < 0.5 ? 0 : 1;
}
