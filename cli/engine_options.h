// The fit commands' flags for the engine's options (FitOptions::Describe,
// emkit/options.h): --n-init, --max-iter, --tol, --seed, --threads and
// --max-time, each with its help text and default from the table; the
// settings a checkpoint keeps of them; and the FitOptions they give. Both
// `emkit fit` and `emkit hmm fit` add them through this class, so an option
// added to the table reaches both commands and their checkpoints.
#ifndef EMKIT_CLI_ENGINE_OPTIONS_H_
#define EMKIT_CLI_ENGINE_OPTIONS_H_

#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

#include "checkpoint.h"  // CheckpointJson
#include "emkit/option_table.h"
#include "emkit/options.h"

namespace emkit::cli {

class EngineOptionFlags {
 public:
  // Adds a flag for every option of the table, in its order. Call once; the
  // flags hold references into this object, so it must stay where it is
  // while `command` parses.
  void Add(CLI::App* command);

  // Whether the flag of option `name` was given on the command line.
  bool Given(std::string_view name) const;

  // The flags of the options that shape the result (all but the per-run
  // ones, OptionDetails::per_run): a checkpoint fixes them.
  std::vector<CLI::Option*> ShapingOptions() const;

  // `options` with every option that was given (or restored from a
  // checkpoint) set; a value that does not parse is an InvalidOptionError
  // naming the flag: "--max-iter: max_iter = \"12x\" is not an integer".
  FitOptions Apply(FitOptions options = {}) const;

  // Writes the value (given or default) of every option that shapes the
  // result under its name; reads them back, each required (a checkpoint
  // without one is not complete: json's out_of_range), their types checked
  // by json's type_error and, when applied, by Apply.
  void WriteSettings(CheckpointJson* settings) const;
  void ReadSettings(const CheckpointJson& settings);

 private:
  struct Flag {
    OptionEntry entry;              // name, flag, help, default
    std::string value;              // bound to the CLI11 option
    bool has_value = false;         // given or restored
    CLI::Option* option = nullptr;
  };

  const Flag& FlagOf(std::string_view name) const;

  // In the table's order; filled whole before any CLI11 option refers to it.
  std::vector<Flag> flags_;
};

}  // namespace emkit::cli

#endif  // EMKIT_CLI_ENGINE_OPTIONS_H_
