// Termination signals for the server roles, handled synchronously.
//
// Contract: block_termination_signals() runs in main() before any thread exists, so every
// thread (Asio, gRPC, RocksDB) inherits the mask and SIGTERM/SIGINT are delivered only to the
// thread in wait_for_termination(). No async signal handler runs, so nothing async-signal-
// unsafe can happen. SIGPIPE is ignored: a peer closing a socket is an I/O error, not death.
#pragma once

namespace postern::services {

void block_termination_signals();

// Blocks until SIGTERM or SIGINT; returns the signal number.
int wait_for_termination();

// Reload (issue 5): block_termination_signals() also blocks SIGHUP (whose default action
// would end the process), and this waits for SIGTERM, SIGINT or SIGHUP; returns the signal.
int wait_for_termination_or_reload();

// After the first signal: a second SIGTERM/SIGINT ends the process at once with exit code
// `exit_code` (an operator's "stop now"). Safe for durability: acknowledged mail is already
// synced, and an interrupted drain is a crash the queue is built to survive.
void exit_on_second_signal(int exit_code);

}  // namespace postern::services
