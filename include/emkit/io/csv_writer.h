// Writing numeric tables and labels as CSV that ReadDelimited reads back
// exactly.
#ifndef EMKIT_IO_CSV_WRITER_H_
#define EMKIT_IO_CSV_WRITER_H_

#include <ostream>
#include <string>
#include <vector>

#include "emkit/matrix.h"

namespace emkit::io {

// Writes `values` as comma-separated lines, preceded by a header line when
// `header` is not empty (it must then have one name per column, otherwise
// InvalidOptionError). Numbers use the shortest text that reads back as the
// same double ("0.1", "-0", "5e-324", "1e+300", "nan", "inf"). Header names
// are quoted only when they must be (comma, quote, line break, surrounding
// spaces, empty). Note that a header made only of numbers reads back as data
// under HeaderMode::kAuto.
void WriteCsv(std::ostream& out, const Eigen::Ref<const RowMatrix>& values,
              const std::vector<std::string>& header = {});

// Writes one label per line, preceded by `header` when it is not empty.
void WriteCsv(std::ostream& out, const std::vector<int>& labels,
              const std::string& header);

}  // namespace emkit::io

#endif  // EMKIT_IO_CSV_WRITER_H_
