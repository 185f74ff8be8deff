#include "interrupt.h"

#include <csignal>

namespace emkit::cli {
namespace {

// Written by the handler, read between iterations: only a lock-free atomic
// flag is safe to touch from a signal handler.
volatile std::sig_atomic_t received_signal = 0;

extern "C" void RecordSignal(int signal_number) { received_signal = signal_number; }

struct sigaction Install(int signal_number) {
  struct sigaction action {};
  action.sa_handler = RecordSignal;
  sigemptyset(&action.sa_mask);
  // SA_RESETHAND: the second signal gets the default action and ends the
  // process, so a fit that does not reach the end of its iteration soon can
  // still be killed with a second Ctrl-C. SA_RESTART: reads and writes in
  // progress are not cut short.
  action.sa_flags = SA_RESETHAND | SA_RESTART;
  struct sigaction previous {};
  sigaction(signal_number, &action, &previous);
  return previous;
}

}  // namespace

InterruptGuard::InterruptGuard() {
  received_signal = 0;
  previous_int_ = Install(SIGINT);
  previous_term_ = Install(SIGTERM);
}

InterruptGuard::~InterruptGuard() {
  sigaction(SIGINT, &previous_int_, nullptr);
  sigaction(SIGTERM, &previous_term_, nullptr);
}

IterationCallback InterruptGuard::StopCallback() const {
  return [](const IterationEvent&) {
    return received_signal != 0 ? CallbackResult::kStop : CallbackResult::kContinue;
  };
}

int InterruptGuard::Signal() const { return received_signal; }

const char* SignalName(int signal_number) {
  switch (signal_number) {
    case SIGINT: return "SIGINT";
    case SIGTERM: return "SIGTERM";
    default: return "a signal";
  }
}

}  // namespace emkit::cli
