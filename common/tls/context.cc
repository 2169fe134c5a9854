#include "common/tls/context.h"

#include <openssl/ssl.h>

#include <stdexcept>

namespace postern::tls {
namespace {
namespace ssl = boost::asio::ssl;

void restrict_versions(ssl::context& ctx) {
  SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_2_VERSION);
  // No renegotiation, no compression; servers pick their cipher order.
  ctx.set_options(ssl::context::default_workarounds | ssl::context::no_compression |
                  SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
}

}  // namespace

ssl::context make_server_context(const config::TlsFiles& files) {
  ssl::context ctx(ssl::context::tls_server);
  restrict_versions(ctx);
  boost::system::error_code ec;
  ctx.use_certificate_chain_file(files.cert, ec);
  if (ec) throw std::runtime_error("cannot load TLS certificate " + files.cert + ": " + ec.message());
  ctx.use_private_key_file(files.key, ssl::context::pem, ec);
  if (ec) throw std::runtime_error("cannot load TLS key " + files.key + ": " + ec.message());
  if (SSL_CTX_check_private_key(ctx.native_handle()) != 1)
    throw std::runtime_error("TLS key " + files.key + " does not match certificate " + files.cert);
  SSL_CTX_set_session_cache_mode(ctx.native_handle(), SSL_SESS_CACHE_SERVER);
  // An idle session (most of an MX's connections) then holds no record buffers: OpenSSL frees
  // its ~16 KiB read and write buffers whenever they are empty and reallocates on use.
  SSL_CTX_set_mode(ctx.native_handle(), SSL_MODE_RELEASE_BUFFERS);
  return ctx;
}

ssl::context make_client_context() {
  ssl::context ctx(ssl::context::tls_client);
  restrict_versions(ctx);
  ctx.set_verify_mode(ssl::verify_none);
  return ctx;
}

std::string describe(const SSL* ssl) {
  if (ssl == nullptr) return {};
  const SSL_CIPHER* cipher = SSL_get_current_cipher(ssl);
  if (cipher == nullptr) return {};
  int alg_bits = 0;
  const int bits = SSL_CIPHER_get_bits(cipher, &alg_bits);
  return std::string("version=") + SSL_get_version(ssl) + " cipher=" + SSL_CIPHER_get_name(cipher) +
         " bits=" + std::to_string(bits) + "/" + std::to_string(alg_bits);
}

}  // namespace postern::tls
