// Test support: a real etcd cluster (1 or 3 members, Debian's etcd-server) on 127.0.0.1 for
// the etcd Store tests, run by `python3 tests/support etcd-cluster` (tests/support/etcd.py)
// as a child process: its stdout says "ENDPOINTS a,b,c" once every member is healthy, and it
// takes "stop I..." / "start I..." commands on stdin, answering when they are done.
//
// One cluster per size per test binary (etcd takes a second or more to start): the GoogleTest
// environment below starts it on first use and tears it down after the last test. Tests keep
// apart by key prefix (unique_prefix()), and a test that stops members starts them again.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "keystore/etcd_store.h"
#include "tests/unit/common/dns/child_process.h"

namespace postern::keystore::testing {

class EtcdCluster {
 public:
  explicit EtcdCluster(int members);  // throws std::runtime_error when it does not come up
  const std::vector<std::string>& endpoints() const { return endpoints_; }
  // Stops (SIGTERM, waits for exit), kills (SIGKILL: a crash) or starts (waits until
  // healthy) the given members.
  void stop(const std::vector<int>& members);
  void kill(const std::vector<int>& members);
  void start(const std::vector<int>& members);

 private:
  void command(const std::string& verb, const std::vector<int>& members,
               const std::string& expect);

  postern::testing::ChildProcess process_;
  std::vector<std::string> endpoints_;
};

// The binary's shared cluster of `members` (1 or 3), started on first use.
EtcdCluster& shared_cluster(int members);

// "/test/<suite>.<name>/": the current test's own key prefix.
std::string unique_prefix();

// Options for a store (or a watch) on `endpoints` under the current test's prefix.
EtcdOptions options_for(std::vector<std::string> endpoints);

// An EtcdStore, or a test failure and nullptr.
std::unique_ptr<EtcdStore> open_etcd_store(const EtcdOptions& options);

}  // namespace postern::keystore::testing
