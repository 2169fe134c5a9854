// Test support: a helper process (a Python fixture server) with piped stdin/stdout.
//
// Contract: the child's stdin stays open while the object lives; the fixtures exit on EOF, so
// they die with the test even when it crashes. Readiness is an awaited line on stdout
// ("PORT 12345"), never a sleep. Destruction closes stdin, sends SIGTERM and reaps the child.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace postern::testing {

class ChildProcess {
 public:
  explicit ChildProcess(const std::vector<std::string>& argv);  // throws std::runtime_error
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // The next stdout line without its newline; nullopt on timeout or EOF.
  std::optional<std::string> read_line(std::chrono::milliseconds timeout);
  // Waits for a line "<prefix> <number>" (other lines are skipped) and returns the number.
  uint16_t await_port(const std::string& prefix = "PORT",
                      std::chrono::milliseconds timeout = std::chrono::seconds(20));
  pid_t pid() const { return pid_; }
  // Writes `line` and "\n" to the child's stdin (fixtures that take commands, e.g. the etcd
  // cluster's "stop 0"); false when the child has gone. Callers ignore SIGPIPE.
  bool write_line(const std::string& line);

 private:
  pid_t pid_ = -1;
  int stdin_fd_ = -1;
  int stdout_fd_ = -1;
  std::string buffer_;
};

// Absolute path of a file in the source tree ("tests/unit/common/dns/fixture.zone").
std::string source_path(const std::string& relative);

// A fresh temporary directory (mkdtemp under $TMPDIR or /tmp), removed recursively on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string write(const std::string& name, const std::string& content) const;

 private:
  std::string path_;
};

}  // namespace postern::testing
