// The checks a mixture's rows get before the library sees them: the number
// of features and the family's rules (a Bernoulli value other than 0 or 1,
// a negative count), each an InvalidDataError naming the element by its row
// in X.
#ifndef EMKIT_PYTHON_MIXTURE_ROWS_H_
#define EMKIT_PYTHON_MIXTURE_ROWS_H_

#include <algorithm>

#include <fmt/format.h>

#include "emkit/error.h"
#include "emkit/matrix.h"

namespace emkit::python {

template <class M>
void CheckData(const M& mixture, const MatrixView& x) {
  if (x.cols() != mixture.num_features()) {
    throw InvalidDataError(fmt::format("X has {} features, but the model has {}", x.cols(),
                                       mixture.num_features()));
  }
  mixture.components().ValidateData(x);
}

// The families validate float64 rows; float32 rows are widened a block at
// a time, so that X is never copied whole. When a block fails, the rows up
// to its end are validated together, so that the error names the element
// by its row in X.
template <class M>
void CheckData(const M& mixture, const MatrixViewF& x) {
  constexpr Eigen::Index kBlockRows = 4096;
  RowMatrix wide;
  Eigen::Index first = 0;
  do {
    const Eigen::Index rows = std::min(kBlockRows, x.rows() - first);
    try {
      CheckData(mixture, WidenedRows(MatrixViewF(x.data() + first * x.cols(), rows, x.cols()),
                                     &wide));
    } catch (const InvalidDataError&) {
      CheckData(mixture, WidenedRows(MatrixViewF(x.data(), first + rows, x.cols()), &wide));
      throw;
    }
    first += rows;
  } while (first < x.rows());
}

}  // namespace emkit::python

#endif  // EMKIT_PYTHON_MIXTURE_ROWS_H_
