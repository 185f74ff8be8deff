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

// One restart's record as a JSON object on one line (the "restarts" entries
// of ReportToJson), and back: every number reads back as the same double
// (null as NaN). A record that cannot be read is a FileFormatError
// "DISPLAY_NAME: ..." naming the key at fault.
std::string RestartRecordToJson(const RestartRecord& record);
RestartRecord RestartRecordFromJson(const std::string& text, const std::string& display_name);

// The TerminationType whose TerminationTypeName is `name`; InvalidOptionError
// for an unknown name.
TerminationType ParseTerminationType(const std::string& name);

}  // namespace emkit::io

#endif  // EMKIT_IO_REPORT_JSON_H_
