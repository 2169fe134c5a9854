#include "common/grpc_tls/tls_files.h"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>

namespace postern::grpc_tls {
namespace {

// Certificates and keys are small; anything bigger is not a PEM file meant for this.
constexpr std::size_t kMaxFileBytes = 1 << 20;

struct Deleters {
  void operator()(BIO* b) const { BIO_free(b); }
  void operator()(X509* x) const { X509_free(x); }
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
  void operator()(X509_STORE* s) const { X509_STORE_free(s); }
  void operator()(X509_STORE_CTX* c) const { X509_STORE_CTX_free(c); }
  void operator()(STACK_OF(X509) * s) const { sk_X509_pop_free(s, X509_free); }
};
template <class T>
using Owned = std::unique_ptr<T, Deleters>;

class Errors {
 public:
  Errors(const std::string& config_file) : file_(config_file) {}
  [[noreturn]] void fail(const std::string& key, const std::string& path,
                         const std::string& problem) const {
    ERR_clear_error();
    throw config::ConfigError(file_, "cluster.tls." + key, problem + " (" + path + ")");
  }

 private:
  const std::string& file_;
};

std::string read_file(const Errors& errors, const std::string& key, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) errors.fail(key, path, std::string("cannot read: ") + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  std::string content = text.str();
  if (in.bad()) errors.fail(key, path, std::string("cannot read: ") + std::strerror(errno));
  if (content.empty()) errors.fail(key, path, "the file is empty");
  if (content.size() > kMaxFileBytes) errors.fail(key, path, "larger than 1 MiB: not a PEM file");
  return content;
}

Owned<BIO> memory_bio(const std::string& pem) {
  return Owned<BIO>(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
}

// Every certificate in `pem`, in order; an error when there is none.
Owned<STACK_OF(X509)> certificates(const Errors& errors, const std::string& key,
                                   const std::string& path, const std::string& pem) {
  Owned<STACK_OF(X509)> out(sk_X509_new_null());
  auto bio = memory_bio(pem);
  while (X509* x = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
    sk_X509_push(out.get(), x);
  }
  if (sk_X509_num(out.get()) == 0) {
    errors.fail(key, path, "no PEM certificate in the file");
  }
  ERR_clear_error();  // the loop ends with a "no start line" error
  return out;
}

}  // namespace

TlsMaterial::~TlsMaterial() {
  if (!key_pem.empty()) OPENSSL_cleanse(key_pem.data(), key_pem.size());
}

TlsMaterial load_cluster_tls(const config::ClusterTls& tls, const std::string& config_file) {
  const Errors errors(config_file);
  TlsMaterial out;
  out.ca_pem = read_file(errors, "ca", tls.ca);
  out.cert_pem = read_file(errors, "cert", tls.cert);
  out.key_pem = read_file(errors, "key", tls.key);

  auto cas = certificates(errors, "ca", tls.ca, out.ca_pem);
  auto chain = certificates(errors, "cert", tls.cert, out.cert_pem);
  X509* leaf = sk_X509_value(chain.get(), 0);

  auto key_bio = memory_bio(out.key_pem);
  Owned<EVP_PKEY> key(PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr));
  if (!key) errors.fail("key", tls.key, "not a PEM private key (or it is encrypted)");
  if (X509_check_private_key(leaf, key.get()) != 1) {
    errors.fail("key", tls.key, "does not match the certificate in cluster.tls.cert (" +
                                    tls.cert + ")");
  }

  Owned<X509_STORE> store(X509_STORE_new());
  for (int i = 0; i < sk_X509_num(cas.get()); ++i) {
    X509_STORE_add_cert(store.get(), sk_X509_value(cas.get(), i));
  }
  Owned<X509_STORE_CTX> ctx(X509_STORE_CTX_new());
  Owned<STACK_OF(X509)> intermediates(sk_X509_new_null());
  for (int i = 1; i < sk_X509_num(chain.get()); ++i) {
    X509* x = sk_X509_value(chain.get(), i);
    X509_up_ref(x);
    sk_X509_push(intermediates.get(), x);
  }
  if (X509_STORE_CTX_init(ctx.get(), store.get(), leaf, intermediates.get()) != 1) {
    errors.fail("cert", tls.cert, "cannot set up certificate verification");
  }
  if (X509_verify_cert(ctx.get()) != 1) {
    const int error = X509_STORE_CTX_get_error(ctx.get());
    errors.fail("cert", tls.cert,
                std::string("not valid under cluster.tls.ca (") + tls.ca +
                    "): " + X509_verify_cert_error_string(error));
  }
  ERR_clear_error();
  return out;
}

}  // namespace postern::grpc_tls
