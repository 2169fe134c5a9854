// Throwaway certificate authorities and node certificates for mTLS tests (OpenSSL, P-256),
// written as PEM files into a fresh temp directory.
#pragma once

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/config/config.h"

namespace postern::testing {

inline std::string make_temp_dir() {
  char dir_template[] = "/tmp/postern-tls-test-XXXXXX";
  if (mkdtemp(dir_template) == nullptr) throw std::runtime_error("mkdtemp failed");
  return dir_template;
}

inline void write_file(const std::string& path, const std::string& content) {
  FILE* f = std::fopen(path.c_str(), "w");
  if (f == nullptr) throw std::runtime_error("cannot write " + path);
  std::fwrite(content.data(), 1, content.size(), f);
  std::fclose(f);
}

class TestCa {
 public:
  struct Leaf {
    std::string cert;  // paths
    std::string key;
  };

  // A self-signed CA "<name>" in its own temp directory.
  explicit TestCa(const std::string& name = "Test CA") : dir_(make_temp_dir()) {
    key_ = EVP_EC_gen("P-256");
    cert_ = X509_new();
    init(cert_, key_, name, 3600 * 24);
    X509_set_issuer_name(cert_, X509_get_subject_name(cert_));
    add_ext(cert_, cert_, NID_basic_constraints, "critical,CA:TRUE");
    add_ext(cert_, cert_, NID_key_usage, "critical,keyCertSign,cRLSign");
    X509_sign(cert_, key_, EVP_sha256());
    ca_path_ = dir_ + "/ca.pem";
    write_pem(ca_path_, cert_);
  }
  ~TestCa() {
    X509_free(cert_);
    EVP_PKEY_free(key_);
  }
  TestCa(const TestCa&) = delete;
  TestCa& operator=(const TestCa&) = delete;

  const std::string& ca_path() const { return ca_path_; }
  const std::string& dir() const { return dir_; }

  // A certificate for `cn` with SAN DNS `dns_names` and IP 127.0.0.1, usable as server and
  // client. `valid_seconds` < 0 gives one that has already expired.
  Leaf issue(const std::string& cn, const std::vector<std::string>& dns_names = {},
             long valid_seconds = 3600 * 24) {
    EVP_PKEY* key = EVP_EC_gen("P-256");
    X509* x = X509_new();
    init(x, key, cn, valid_seconds);
    X509_set_issuer_name(x, X509_get_subject_name(cert_));
    std::string san = "IP:127.0.0.1";
    for (const auto& d : dns_names) san += ",DNS:" + d;
    add_ext(cert_, x, NID_subject_alt_name, san);
    add_ext(cert_, x, NID_basic_constraints, "critical,CA:FALSE");
    add_ext(cert_, x, NID_ext_key_usage, "serverAuth,clientAuth");
    X509_sign(x, key_, EVP_sha256());
    Leaf leaf{dir_ + "/" + cn + "-" + std::to_string(++serial_) + ".pem",
              dir_ + "/" + cn + "-" + std::to_string(serial_) + ".key"};
    write_pem(leaf.cert, x);
    FILE* f = std::fopen(leaf.key.c_str(), "w");
    PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr);
    std::fclose(f);
    X509_free(x);
    EVP_PKEY_free(key);
    return leaf;
  }

  // cluster.tls for a node holding `leaf`.
  config::ClusterTls cluster_tls(const Leaf& leaf) const {
    config::ClusterTls t;
    t.ca = ca_path_;
    t.cert = leaf.cert;
    t.key = leaf.key;
    return t;
  }

 private:
  static void init(X509* x, EVP_PKEY* key, const std::string& cn, long valid_seconds) {
    static long serial = 1;
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), ++serial);
    if (valid_seconds < 0) {
      X509_gmtime_adj(X509_getm_notBefore(x), valid_seconds * 2);
      X509_gmtime_adj(X509_getm_notAfter(x), valid_seconds);
    } else {
      X509_gmtime_adj(X509_getm_notBefore(x), -3600);
      X509_gmtime_adj(X509_getm_notAfter(x), valid_seconds);
    }
    X509_set_pubkey(x, key);
    X509_NAME* name = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  }
  static void add_ext(X509* issuer, X509* subject, int nid, const std::string& value) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, subject, nullptr, nullptr, 0);
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
    if (ext == nullptr) throw std::runtime_error("bad extension " + value);
    X509_add_ext(subject, ext, -1);
    X509_EXTENSION_free(ext);
  }
  static void write_pem(const std::string& path, X509* x) {
    FILE* f = std::fopen(path.c_str(), "w");
    PEM_write_X509(f, x);
    std::fclose(f);
  }

  std::string dir_;
  std::string ca_path_;
  EVP_PKEY* key_ = nullptr;
  X509* cert_ = nullptr;
  int serial_ = 0;
};

}  // namespace postern::testing
