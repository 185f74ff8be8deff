// Ctrl-C and `kill` during a fit: the first SIGINT or SIGTERM asks the fit
// to stop at the end of the iteration in progress, so that the last
// completed iteration can be saved; a second one ends the process at once,
// as it would without emkit's handler.
#ifndef EMKIT_CLI_INTERRUPT_H_
#define EMKIT_CLI_INTERRUPT_H_

#include <csignal>

#include "emkit/options.h"

namespace emkit::cli {

class InterruptGuard {
 public:
  // Installs the handlers; the destructor restores the previous ones.
  InterruptGuard();
  ~InterruptGuard();
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;

  // A callback that stops the fit once a signal has arrived.
  IterationCallback StopCallback() const;

  // The signal that arrived (SIGINT or SIGTERM), or 0.
  int Signal() const;

 private:
  struct sigaction previous_int_ {};
  struct sigaction previous_term_ {};
};

// "SIGINT", "SIGTERM" or "signal N".
const char* SignalName(int signal_number);

}  // namespace emkit::cli

#endif  // EMKIT_CLI_INTERRUPT_H_
