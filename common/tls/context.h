// TLS contexts for the edge (server) and for delivery (client).
//
// Contract: both allow TLS 1.2 and 1.3 only. The server context loads edge.tls and throws
// std::runtime_error naming the file when it cannot; its sessions release their record
// buffers while idle (SSL_MODE_RELEASE_BUFFERS). The client context does not verify the
// peer: SMTP between MTAs is opportunistic (RFC 7435); policy that needs verification (DANE,
// MTA-STS) is a later layer.
#pragma once

#include <boost/asio/ssl/context.hpp>
#include <string>

#include "common/config/config.h"

namespace postern::tls {

boost::asio::ssl::context make_server_context(const config::TlsFiles& files);
boost::asio::ssl::context make_client_context();

// "version=TLSv1.3 cipher=TLS_AES_256_GCM_SHA384 bits=256/256", as Postfix writes it in
// Received headers. Empty when no handshake happened.
std::string describe(const SSL* ssl);

}  // namespace postern::tls
