// cluster.tls files: every problem is a ConfigError naming the key, the file and the reason.
#include "common/grpc_tls/tls_files.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "common/grpc_tls/credentials.h"
#include "tests/unit/common/grpc_tls/test_ca.h"

namespace postern::grpc_tls {
namespace {

using testing::TestCa;

std::string read(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// The ConfigError load_cluster_tls throws for `tls` (fails the test when none is thrown).
config::ConfigError error_for(const config::ClusterTls& tls) {
  try {
    load_cluster_tls(tls, "postern.yaml");
  } catch (const config::ConfigError& e) {
    return e;
  }
  ADD_FAILURE() << "no error";
  return config::ConfigError("", "", "");
}

TEST(TlsFiles, LoadsAMatchingSet) {
  TestCa ca;
  const auto leaf = ca.issue("router1", {"router1.cluster"});
  const TlsMaterial m = load_cluster_tls(ca.cluster_tls(leaf), "postern.yaml");
  EXPECT_EQ(m.ca_pem, read(ca.ca_path()));
  EXPECT_EQ(m.cert_pem, read(leaf.cert));
  EXPECT_EQ(m.key_pem, read(leaf.key));
}

TEST(TlsFiles, MissingFileNamesKeyAndPath) {
  TestCa ca;
  const auto leaf = ca.issue("router1");
  for (const std::string key : {"ca", "cert", "key"}) {
    auto tls = ca.cluster_tls(leaf);
    std::string& field = key == "ca" ? tls.ca : key == "cert" ? tls.cert : tls.key;
    field = ca.dir() + "/missing-" + key + ".pem";
    const auto e = error_for(tls);
    EXPECT_EQ(e.file(), "postern.yaml");
    EXPECT_EQ(e.key(), "cluster.tls." + key);
    EXPECT_NE(e.reason().find("cannot read: No such file or directory"), std::string::npos)
        << e.what();
    EXPECT_NE(e.reason().find(field), std::string::npos) << e.what();
  }
}

TEST(TlsFiles, EmptyAndNonPemFiles) {
  TestCa ca;
  const auto leaf = ca.issue("router1");
  testing::write_file(ca.dir() + "/empty.pem", "");
  testing::write_file(ca.dir() + "/junk.pem", "not a certificate\n");
  auto tls = ca.cluster_tls(leaf);
  tls.ca = ca.dir() + "/empty.pem";
  EXPECT_NE(error_for(tls).reason().find("the file is empty"), std::string::npos);
  tls = ca.cluster_tls(leaf);
  tls.cert = ca.dir() + "/junk.pem";
  auto e = error_for(tls);
  EXPECT_EQ(e.key(), "cluster.tls.cert");
  EXPECT_NE(e.reason().find("no PEM certificate"), std::string::npos) << e.what();
  tls = ca.cluster_tls(leaf);
  tls.key = ca.dir() + "/junk.pem";
  e = error_for(tls);
  EXPECT_EQ(e.key(), "cluster.tls.key");
  EXPECT_NE(e.reason().find("not a PEM private key"), std::string::npos) << e.what();
  // The key file's content never appears in the message.
  EXPECT_EQ(std::string(e.what()).find("not a certificate"), std::string::npos) << e.what();
}

TEST(TlsFiles, KeyOfAnotherCertificateIsRefused) {
  TestCa ca;
  const auto a = ca.issue("router1");
  const auto b = ca.issue("router2");
  auto tls = ca.cluster_tls(a);
  tls.key = b.key;
  const auto e = error_for(tls);
  EXPECT_EQ(e.key(), "cluster.tls.key");
  EXPECT_NE(e.reason().find("does not match the certificate"), std::string::npos) << e.what();
}

TEST(TlsFiles, CertificateFromAnotherCaIsRefused) {
  TestCa ca, other("Other CA");
  const auto leaf = other.issue("router1");
  auto tls = other.cluster_tls(leaf);
  tls.ca = ca.ca_path();
  const auto e = error_for(tls);
  EXPECT_EQ(e.key(), "cluster.tls.cert");
  EXPECT_NE(e.reason().find("not valid under cluster.tls.ca"), std::string::npos) << e.what();
}

TEST(TlsFiles, ExpiredCertificateIsRefused) {
  TestCa ca;
  const auto leaf = ca.issue("router1", {}, -3600);
  const auto e = error_for(ca.cluster_tls(leaf));
  EXPECT_EQ(e.key(), "cluster.tls.cert");
  EXPECT_NE(e.reason().find("expired"), std::string::npos) << e.what();
}

TEST(Credentials, InsecureWithoutClusterTlsAndErrorsWithABadFile) {
  config::Config c;
  c.source_file = "postern.yaml";
  EXPECT_NE(server_credentials(c), nullptr);
  EXPECT_NE(channel_credentials(c), nullptr);
  TestCa ca;
  auto tls = ca.cluster_tls(ca.issue("router1"));
  tls.key = ca.dir() + "/nope.key";
  c.cluster.tls = tls;
  EXPECT_THROW(server_credentials(c), config::ConfigError);
  EXPECT_THROW(channel_credentials(c), config::ConfigError);
}

}  // namespace
}  // namespace postern::grpc_tls
