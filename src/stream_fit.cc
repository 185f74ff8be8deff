#include "emkit/stream_fit.h"

#include <cctype>
#include <charconv>
#include <string>
#include <variant>

namespace emkit {
namespace internal {

std::string MessageWithRowOffset(const std::string& message, std::int64_t first_row) {
  if (first_row == 0 || !message.starts_with("X[")) return message;
  std::size_t end = 2;
  while (end < message.size() && std::isdigit(static_cast<unsigned char>(message[end]))) ++end;
  if (end == 2 || end == message.size() || (message[end] != ',' && message[end] != ']')) {
    return message;
  }
  std::int64_t row = 0;
  const auto parsed = std::from_chars(message.data() + 2, message.data() + end, row);
  if (parsed.ec != std::errc()) return message;
  return "X[" + std::to_string(row + first_row) + message.substr(end);
}

}  // namespace internal

namespace {

template <class Family, DataScalar Scalar, class Rows>
Fitted<GaussianMixtureModel> FitTyped(const FitOptions& fit_options,
                                      const GaussianMixtureOptions& options,
                                      const io::RowStream<Scalar>& x, const Rows& rows,
                                      const GaussianMixtureModel* init_model) {
  Fitted<Mixture<Family>> fitted =
      init_model != nullptr
          ? internal::FitMixtureOnSourceFrom(fit_options, x,
                                             std::get<Mixture<Family>>(*init_model))
          : internal::FitMixtureOnSource<Family>(
                fit_options, x, rows, [&options](const auto& data) {
                  return [&options, &data](const InitContext& context) {
                    return internal::InitialGaussianMixture<Family>(options, data, context);
                  };
                });
  return {std::move(fitted.model), std::move(fitted.report)};
}

}  // namespace

template <DataScalar Scalar>
Fitted<GaussianMixtureModel> FitGaussianMixture(const FitOptions& fit_options,
                                                const GaussianMixtureOptions& options,
                                                const io::RowStream<Scalar>& x,
                                                const GaussianMixtureModel* init_model) {
  const CovarianceType type =
      internal::CheckGaussianFitOptions(fit_options, options, x.num_columns(), init_model);
  const int n_components =
      init_model != nullptr ? NumComponents(*init_model) : options.n_components;
  return internal::WithDoubleRows(x, [&](const auto& rows) -> Fitted<GaussianMixtureModel> {
    internal::CheckStreamedRows(fit_options, rows, n_components, [](const MatrixView&) {});
    switch (type) {
      case CovarianceType::kFull:
        return FitTyped<GaussianFull>(fit_options, options, x, rows, init_model);
      case CovarianceType::kDiag:
        return FitTyped<GaussianDiag>(fit_options, options, x, rows, init_model);
      case CovarianceType::kSpherical:
        return FitTyped<GaussianSpherical>(fit_options, options, x, rows, init_model);
      case CovarianceType::kTied:
        return FitTyped<GaussianTied>(fit_options, options, x, rows, init_model);
    }
    throw InvalidOptionError("unknown covariance type");
  });
}

template Fitted<GaussianMixtureModel> FitGaussianMixture(const FitOptions&,
                                                         const GaussianMixtureOptions&,
                                                         const io::RowStream<double>&,
                                                         const GaussianMixtureModel*);
template Fitted<GaussianMixtureModel> FitGaussianMixture(const FitOptions&,
                                                         const GaussianMixtureOptions&,
                                                         const io::RowStream<float>&,
                                                         const GaussianMixtureModel*);

}  // namespace emkit
