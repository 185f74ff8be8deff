// Reading sequence data for the hmm commands: the rows of DATA and where
// each sequence ends, from a lengths file or a column that names the
// sequence of each row.
#ifndef EMKIT_CLI_SEQUENCES_H_
#define EMKIT_CLI_SEQUENCES_H_

#include <cstdint>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "common.h"
#include "emkit/io/row_stream.h"
#include "emkit/io/table.h"

namespace emkit::cli {

// --lengths and --sequence-column, as given (at most one).
struct SequenceOptions {
  std::string lengths_path;
  std::string sequence_column;
};

void AddSequenceOptions(CLI::App* command, SequenceOptions* options);

struct SequenceData {
  io::Table table;  // the sequence column removed
  std::vector<std::int64_t> lengths;  // empty: one sequence of all rows
};

// Reads DATA and its sequences. With a model (num_features >= 0) the
// columns are matched to it as ReadDataForModel does.
SequenceData ReadSequences(const std::string& path, const DataOptions& data_options,
                           const SequenceOptions& sequence_options,
                           const std::vector<std::string>& feature_names = {},
                           int num_features = -1);

struct StreamedSequences {
  io::RowStream<double> rows;  // the sequence column left out
  std::vector<std::int64_t> lengths;  // empty: one sequence of all rows
};

// ReadSequences for a DATA streamed in chunks of about read_bytes
// (emkit/io/row_stream.h), with its messages: a sequence column is read in
// one pass over DATA, and the rows are then DATA without it.
StreamedSequences StreamSequences(const std::string& path, const DataOptions& data_options,
                                  const SequenceOptions& sequence_options,
                                  std::int64_t read_bytes,
                                  const std::vector<std::string>& feature_names = {},
                                  int num_features = -1);

// A lengths file: one positive integer per line (blank lines skipped).
// Errors are FileFormatError "PATH:LINE: ...".
std::vector<std::int64_t> ReadLengths(const std::string& path);

}  // namespace emkit::cli

#endif  // EMKIT_CLI_SEQUENCES_H_
