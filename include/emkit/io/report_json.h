// A fit report as JSON, for scripts and for archiving next to a model.
#ifndef EMKIT_IO_REPORT_JSON_H_
#define EMKIT_IO_REPORT_JSON_H_

#include <string>

#include "emkit/report.h"

namespace emkit::io {

// Every field of the report, its restarts and their iterations, as a JSON
// object (keys named as the C++ fields, termination as TerminationTypeName).
// NaN and infinite numbers, which JSON cannot hold, are written as null.
// `indent` < 0 writes one line. The text ends in a line break.
std::string ReportToJson(const FitReport& report, int indent = 2);

}  // namespace emkit::io

#endif  // EMKIT_IO_REPORT_JSON_H_
