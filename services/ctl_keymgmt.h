// `posternctl keymgmt ...`: the keystore's admin verbs (postern.v1.KeyManagement), in the
// words Domino admins know:
//   create nek NAME | list nek | export nek NAME FILE | import nek [overwrite] FILE
//   create credstore NEK | show credstore | import credstore BUNDLE [--overwrite]
//   create dkim DOMAIN SELECTOR rsa 1024|2048|4096 | create dkim DOMAIN SELECTOR ed25519
//   import dkim DOMAIN SELECTOR FILE.pem [--overwrite] | list dkim [DOMAIN]
//   export dkim dns DOMAIN SELECTOR [FILE] | delete dkim DOMAIN SELECTOR
//   export dkim BUNDLE [--domain D] [--selector S] (--password-file F | --recipient KEY)
//   show identity | set secret NAME [--username U] [--value-file F]
//   list secret | delete secret NAME
// Passwords come from --password-file (its first line) or a prompt (twice when a new one is
// set: exports); a secret's value from --value-file or a prompt. Output files that hold keys
// (NEK exports, bundles) are created with mode 0600 and never replace an existing file.
//
// Contract: run() makes one or two gRPC calls with a deadline and returns the exit code: 0 on
// success, 1 on any failure with a message on stderr that says what to do.
//
// SECURITY: passwords, PEM files and secret values are read into memory only to be sent, and
// wiped after the call; they are never printed. The admin token travels only as metadata
// (ctl_commands.h). What is printed is public: names, fingerprints, DNS records.
#pragma once

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

#include "services/ctl_commands.h"

namespace postern::services {

class KeymgmtCommands {
 public:
  // Adds the `keymgmt` subcommand tree to `app`.
  explicit KeymgmtCommands(CLI::App& app);

  bool parsed() const { return keymgmt_->parsed(); }
  int run(const CtlConnection& c) const;

 private:
  CLI::App* keymgmt_;
  // Leaves of the tree (verb, noun).
  CLI::App* create_nek_;
  CLI::App* list_nek_;
  CLI::App* export_nek_;
  CLI::App* import_nek_;
  CLI::App* create_credstore_;
  CLI::App* show_credstore_;
  CLI::App* import_credstore_;
  CLI::App* create_dkim_;
  CLI::App* import_dkim_;
  CLI::App* list_dkim_;
  CLI::App* export_dkim_;
  CLI::App* delete_dkim_;
  CLI::App* show_identity_;
  CLI::App* set_secret_;
  CLI::App* list_secret_;
  CLI::App* delete_secret_;

  // Arguments and options (one set; each leaf uses its own).
  std::string name_;
  std::string domain_;
  std::string selector_;
  std::string file_;
  std::vector<std::string> args_;  // variable forms: import nek, export dkim, create dkim
  std::string password_file_;
  std::string value_file_;
  std::string username_;
  std::string recipient_;
  bool overwrite_ = false;
};

}  // namespace postern::services
