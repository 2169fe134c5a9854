#include "tests/unit/keystore/etcd/etcd_cluster.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <map>
#include <sstream>
#include <stdexcept>

namespace postern::keystore::testing {
namespace {

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::stringstream in(s);
  for (std::string part; std::getline(in, part, sep);) out.push_back(part);
  return out;
}

class EtcdEnvironment : public ::testing::Environment {
 public:
  void SetUp() override {
    // A fixture that died must fail the test (write_line returns false), not kill it.
    ::signal(SIGPIPE, SIG_IGN);
  }
  void TearDown() override { clusters.clear(); }

  std::map<int, std::unique_ptr<EtcdCluster>> clusters;
};

EtcdEnvironment* const environment = static_cast<EtcdEnvironment*>(
    ::testing::AddGlobalTestEnvironment(new EtcdEnvironment));

}  // namespace

EtcdCluster::EtcdCluster(int members)
    : process_({"/usr/bin/python3", postern::testing::source_path("tests/support"),
                "etcd-cluster", "--members", std::to_string(members)}) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    std::optional<std::string> line = process_.read_line(std::chrono::seconds(60));
    if (!line) break;
    if (line->rfind("ENDPOINTS ", 0) == 0) {
      endpoints_ = split(line->substr(10), ',');
      return;
    }
  }
  throw std::runtime_error("the etcd cluster fixture did not report its endpoints");
}

void EtcdCluster::command(const std::string& verb, const std::vector<int>& members,
                          const std::string& expect) {
  std::string line = verb;
  for (int m : members) line += " " + std::to_string(m);
  if (!process_.write_line(line)) throw std::runtime_error("etcd fixture gone: " + line);
  std::optional<std::string> answer = process_.read_line(std::chrono::seconds(60));
  if (!answer || answer->rfind(expect, 0) != 0) {
    throw std::runtime_error("etcd fixture: \"" + line + "\" answered \"" +
                             answer.value_or("(nothing)") + "\"");
  }
}

void EtcdCluster::stop(const std::vector<int>& members) { command("stop", members, "STOPPED"); }
void EtcdCluster::kill(const std::vector<int>& members) { command("kill", members, "STOPPED"); }
void EtcdCluster::start(const std::vector<int>& members) { command("start", members, "STARTED"); }

EtcdCluster& shared_cluster(int members) {
  std::unique_ptr<EtcdCluster>& cluster = environment->clusters[members];
  if (!cluster) cluster = std::make_unique<EtcdCluster>(members);
  return *cluster;
}

std::string unique_prefix() {
  const ::testing::TestInfo* info = ::testing::UnitTest::GetInstance()->current_test_info();
  return std::string("/test/") + info->test_suite_name() + "." + info->name() + "/";
}

EtcdOptions options_for(std::vector<std::string> endpoints) {
  EtcdOptions options;
  options.endpoints = std::move(endpoints);
  options.prefix = unique_prefix();
  return options;
}

std::unique_ptr<EtcdStore> open_etcd_store(const EtcdOptions& options) {
  Result<std::unique_ptr<EtcdStore>> store = EtcdStore::open(options);
  EXPECT_TRUE(store.ok()) << store.error().message;
  return store.ok() ? std::move(store).value() : nullptr;
}

}  // namespace postern::keystore::testing
