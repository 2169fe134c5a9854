#include "services/signals.h"

#include <pthread.h>
#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <thread>

namespace postern::services {
namespace {

sigset_t termination_set() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  return set;
}

}  // namespace

void block_termination_signals() {
  sigset_t set = termination_set();
  sigaddset(&set, SIGHUP);  // reload, see wait_for_termination_or_reload()
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);
}

int wait_for_termination() {
  const sigset_t set = termination_set();
  int sig = 0;
  while (sigwait(&set, &sig) != 0) {
  }
  return sig;
}

int wait_for_termination_or_reload() {
  sigset_t set = termination_set();
  sigaddset(&set, SIGHUP);
  int sig = 0;
  while (sigwait(&set, &sig) != 0) {
  }
  return sig;
}

void exit_on_second_signal(int exit_code) {
  std::thread([exit_code] {
    const int sig = wait_for_termination();
    std::fprintf(stderr, "postern: second signal %d during shutdown, exiting now\n", sig);
    std::_Exit(exit_code);
  }).detach();
}

}  // namespace postern::services
