#include "online_options.h"

#include <string>

#include <fmt/format.h>

#include "emkit/error.h"

namespace emkit::cli {

void AddOnlineOptions(CLI::App* command, OnlineFlags* flags) {
  const OnlineFitOptions defaults;
  flags->online_option = command->add_flag(
      "--online", flags->online,
      "Fit by stepwise (online) EM: the parameters move after every mini-batch of "
      "--batch-size consecutive rows, in file order; no certificate, and the result "
      "depends on the rows' order");
  flags->online_only = {
      command->add_option("--batch-size", flags->options.batch_size,
                          "Rows per mini-batch with --online (required with it)"),
      command->add_option("--step-exponent", flags->options.stepwise.step_exponent,
                          fmt::format("alpha of the step sizes (t + 2)^-alpha with --online, "
                                      "in (0.5, 1] (default {})",
                                      defaults.stepwise.step_exponent)),
      command->add_option("--passes", flags->options.passes,
                          fmt::format("Passes over DATA with --online (default {})",
                                      defaults.passes)),
      command->add_flag("--average", flags->options.stepwise.average,
                        "With --online, report the parameters of the running statistics' "
                        "average over the steps (Polyak-Ruppert)"),
  };
}

void CheckOnlineOptions(const OnlineFlags& flags, const EngineOptionFlags& engine_options,
                        bool checkpoint_or_resume) {
  if (!flags.online) {
    for (const CLI::Option* option : flags.online_only) {
      if (option->count() > 0) {
        throw InvalidOptionError(
            fmt::format("{} applies with --online only", option->get_name()));
      }
    }
    return;
  }
  if (flags.online_only[0]->count() == 0) {
    throw InvalidOptionError("--online needs --batch-size (rows per mini-batch)");
  }
  for (const char* name : {"n_init", "max_iter", "tol", "accelerate"}) {
    if (engine_options.Given(name) &&
        !(std::string(name) == "n_init" && engine_options.Apply().n_init == 1)) {
      std::string flag = std::string("--") + name;
      for (char& c : flag) c = c == '_' ? '-' : c;
      throw InvalidOptionError(fmt::format(
          "{} applies to batch EM, not with --online (stepwise EM makes --passes passes "
          "of one run)",
          flag));
    }
  }
  if (checkpoint_or_resume) {
    throw InvalidOptionError("--checkpoint and --resume apply to batch EM, not with --online");
  }
  try {
    flags.options.Validate();
  } catch (const InvalidOptionError& e) {
    const std::string what = e.what();
    const std::string flag = what.starts_with("batch_size")      ? "--batch-size"
                             : what.starts_with("passes")        ? "--passes"
                                                                 : "--step-exponent";
    throw InvalidOptionError(fmt::format("{}: {}", flag, what));
  }
}

}  // namespace emkit::cli
