// --stream, --memory-limit and --read-size: whether `emkit fit` reads its
// DATA whole or streams it (emkit/io/row_stream.h, emkit/stream_fit.h), and
// how. Settings of one run, not of the result (a streamed fit gives the
// bits of the in-memory fit), so a checkpoint does not keep them.
#ifndef EMKIT_CLI_STREAM_OPTIONS_H_
#define EMKIT_CLI_STREAM_OPTIONS_H_

#include <cstdint>
#include <string>

#include <functional>
#include <optional>
#include <vector>

#include <CLI/CLI.hpp>

#include "common.h"
#include "emkit/hmm/sequence_stream.h"
#include "emkit/io/checkpoint.h"
#include "emkit/io/row_stream.h"
#include "emkit/row_blocks.h"

namespace emkit::cli {

struct StreamFlags {
  bool stream = false;       // --stream: always stream DATA
  std::string memory_limit;  // --memory-limit SIZE; "" is DefaultMemoryLimit()
  std::string read_size;     // --read-size SIZE; "" is kDefaultReadSize
};

inline constexpr std::int64_t kDefaultReadSize = std::int64_t{8} << 20;

void AddStreamOptions(CLI::App* command, StreamFlags* flags);

// "512M", "4G", "1.5G", "64k", "1048576" (bytes; K, M, G, T are powers of
// 1024, optionally followed by "B" or "iB"); InvalidOptionError naming
// `flag` otherwise, or for less than one byte.
std::int64_t ParseSize(const std::string& text, const char* flag);

// Half the machine's physical memory.
std::int64_t DefaultMemoryLimit();

// How to read DATA for a fit.
struct StreamChoice {
  bool stream = false;
  std::int64_t read_bytes = kDefaultReadSize;
};

// Streams DATA when --stream is given, or when it is a .npy file whose rows
// held in memory (as float64, and as float32 too with --dtype float32) would
// take more than the memory limit, or delimited text whose file alone is
// larger than the limit. InvalidOptionError for --stream with standard
// input, or a size that does not parse.
StreamChoice ChooseStreaming(const StreamFlags& flags, const std::string& path,
                             const DataOptions& data_options, bool float32);

// The rows of DATA as a stream, read with the options the data flags give.
io::RowStream<double> OpenDataStream(const std::string& path, const DataOptions& data_options,
                                     std::int64_t read_bytes);

// ReadDataForModel's column matching (common.h) for streamed rows: the
// stream is opened again on the model's features when they are picked by
// name from a header; then InvalidDataError unless it has num_features
// columns.
void MatchStreamedColumns(const std::string& path, const DataOptions& data_options,
                          const std::vector<std::string>& feature_names, int num_features,
                          io::RowStream<double>* rows);

// For the commands that apply a model: the rows of DATA as a stream matched
// to the model's features (MatchStreamedColumns) when ChooseStreaming
// (float64) says so, otherwise nothing.
std::optional<io::RowStream<double>> StreamForModel(const StreamFlags& flags,
                                                    const std::string& path,
                                                    const DataOptions& data_options,
                                                    const std::vector<std::string>& feature_names,
                                                    int num_features);

// Calls visit(block) for every block of `rows`, in order, on this thread,
// while the next chunk is read on another. What reading throws propagates.
void ForEachBlockInOrder(const io::RowStream<double>& rows,
                         const std::function<void(const RowBlock<double>&)>& visit);

// The same for the blocks of whole sequences of a stream.
void ForEachSequenceBlockInOrder(const SequenceStream<double>& sequences,
                                 const std::function<void(const SequenceBlock<double>&)>& visit);

// One pass over streamed rows, in order: the fingerprint a checkpoint
// records and, for a float32 fit, the first value outside float32's range
// (the message ToFloat32 gives for the rows in memory).
void ScanStreamedRows(const io::RowStream<double>& rows, bool float32, const std::string& path,
                      io::DataFingerprint* fingerprint, std::optional<std::string>* float32_error);

}  // namespace emkit::cli

#endif  // EMKIT_CLI_STREAM_OPTIONS_H_
