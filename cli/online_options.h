// --online, --batch-size, --step-exponent, --passes and --average: an
// `emkit fit` by stepwise EM over mini-batches of DATA's rows, in file order
// (emkit/online_fit.h), instead of batch EM.
#ifndef EMKIT_CLI_ONLINE_OPTIONS_H_
#define EMKIT_CLI_ONLINE_OPTIONS_H_

#include <CLI/CLI.hpp>

#include "engine_options.h"
#include "emkit/online_fit.h"

namespace emkit::cli {

struct OnlineFlags {
  bool online = false;
  OnlineFitOptions options;
  CLI::Option* online_option = nullptr;
  // The flags that apply with --online only.
  std::vector<CLI::Option*> online_only;
};

void AddOnlineOptions(CLI::App* command, OnlineFlags* flags);

// InvalidOptionError for an online flag without --online, for --online
// without --batch-size or with a batch EM option (--n-init above 1,
// --max-iter, --tol, --accelerate), a checkpoint or --resume, and for
// option values outside their ranges (a step exponent outside (0.5, 1]).
void CheckOnlineOptions(const OnlineFlags& flags, const EngineOptionFlags& engine_options,
                        bool checkpoint_or_resume);

}  // namespace emkit::cli

#endif  // EMKIT_CLI_ONLINE_OPTIONS_H_
