#include "services/password_input.h"

#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <iostream>
#include <stdexcept>

namespace postern::services {
namespace {

// Echo is restored on every path out, including exceptions.
class EchoOff {
 public:
  EchoOff() {
    if (tcgetattr(STDIN_FILENO, &saved_) != 0) return;
    termios quiet = saved_;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    active_ = tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
  }
  ~EchoOff() {
    if (active_) tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_);
  }
  EchoOff(const EchoOff&) = delete;
  EchoOff& operator=(const EchoOff&) = delete;

 private:
  termios saved_{};
  bool active_ = false;
};

std::string read_line() {
  std::string line;
  if (!std::getline(std::cin, line) && line.empty()) {
    throw std::runtime_error("no password given on standard input");
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

std::string prompt(const char* text) {
  std::cerr << text << std::flush;
  EchoOff quiet;
  std::string line = read_line();
  std::cerr << "\n";
  return line;
}

}  // namespace

void wipe(std::string& secret) {
  explicit_bzero(secret.data(), secret.size());
  secret.clear();
}

std::string read_new_password() {
  std::string password;
  if (isatty(STDIN_FILENO)) {
    password = prompt("New password: ");
    std::string again = prompt("Repeat password: ");
    const bool same = again == password;
    wipe(again);
    if (!same) {
      wipe(password);
      throw std::runtime_error("the passwords do not match");
    }
  } else {
    password = read_line();
  }
  if (password.empty()) throw std::runtime_error("empty password refused");
  return password;
}

std::string read_password(const char* prompt_text) {
  std::string password = isatty(STDIN_FILENO) ? prompt(prompt_text) : read_line();
  if (password.empty()) throw std::runtime_error("empty password refused");
  return password;
}

}  // namespace postern::services
