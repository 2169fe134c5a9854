// One client SMTP connection (RFC 5321 client side) on Boost.Asio C++20 coroutines.
//
// Contract: every step completes (never hangs): each read and write runs under the RFC 5321
// 4.5.3.2 timeout for its stage (Timeouts; tests shorten them). A step returns ok (2xx/3xx as
// expected), rejected (the server answered with something else: its reply is in the result),
// or failed (connect error, timeout, broken connection, TLS failure, malformed reply): then
// the reply is synthesized (451 4.4.x / 4.7.x / 4.5.0) and the connection is unusable.
// Nothing here throws for anything a peer or the network does. The connection is used by one
// coroutine at a time; it is not thread-safe. Policy (which TLS, whether AUTH is required,
// which host next) belongs to the caller: this layer only speaks the protocol.
//
// SECURITY: sees untrusted replies from remote servers (parsed with caps, see reply_parser.h);
// holds relay credentials only for the duration of authenticate(), never logs them. Bytes the
// server sends ahead of the TLS handshake after STARTTLS are treated as an attack (failed).
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <array>
#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/smtp/client/capabilities.h"
#include "common/smtp/client/reply_parser.h"
#include "common/smtp/reply.h"

namespace postern::smtp::client {

using namespace std::chrono_literals;

// RFC 5321 4.5.3.2 minimums as defaults; connect/TLS/RSET/QUIT as Postfix's smtp(8) defaults.
struct Timeouts {
  std::chrono::milliseconds connect = 30s;
  std::chrono::milliseconds greeting = 5min;    // 4.5.3.2.1
  std::chrono::milliseconds command = 5min;     // EHLO/HELO/STARTTLS/AUTH
  std::chrono::milliseconds mail = 5min;        // 4.5.3.2.2
  std::chrono::milliseconds rcpt = 5min;        // 4.5.3.2.3
  std::chrono::milliseconds data_init = 2min;   // 4.5.3.2.4
  std::chrono::milliseconds data_block = 3min;  // 4.5.3.2.5, per write
  std::chrono::milliseconds data_end = 10min;   // 4.5.3.2.6
  std::chrono::milliseconds tls_handshake = 5min;
  std::chrono::milliseconds rset = 20s;
  std::chrono::milliseconds quit = 20s;
};

struct ClientOptions {
  std::string helo_name;    // our host name for EHLO/HELO (config internet.hostname)
  std::string server_name;  // the peer's name: SNI (when not an IP literal) and logs
  Timeouts timeouts;
  ReplyLimits limits;
};

struct StepResult {
  enum class Kind { ok, rejected, failed };
  enum class Failure { none, connect, timeout, network, tls, protocol };
  Kind kind = Kind::failed;
  Failure failure = Failure::none;
  Reply reply;         // the server's reply, or a synthesized one when failed
  std::string detail;  // for logs when failed
  bool ok() const { return kind == Kind::ok; }
};

struct Envelope {
  std::string mail_from;                // "" = null sender
  std::vector<std::string> recipients;
  bool eight_bit = false;               // BODY=8BITMIME when offered
  bool smtputf8 = false;                // needs SMTPUTF8: refused (5.6.7) when not offered
};

struct TransactionResult {
  // One final reply per envelope recipient, in order: MAIL's reply when MAIL was refused, the
  // RCPT reply when that was not 2xx, else DATA's final reply (or DATA's refusal). A
  // synthesized 4xx when the connection failed before that recipient's outcome was known.
  std::vector<Reply> recipients;
  bool connection_failed = false;
  std::string detail;
};

class Connection {
 public:
  Connection(boost::asio::any_io_executor executor, boost::asio::ssl::context& tls,
             ClientOptions options);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // TCP connect (connect timeout), the TLS handshake first when `implicit_tls` (port 465),
  // then the greeting. ok = 220.
  boost::asio::awaitable<StepResult> open(boost::asio::ip::tcp::endpoint endpoint,
                                          bool implicit_tls);
  // EHLO; on a 5xx, HELO (then capabilities().esmtp is false). ok = 250.
  boost::asio::awaitable<StepResult> hello();
  // STARTTLS, the handshake, and EHLO again (RFC 3207 4.2). Call only when offered.
  boost::asio::awaitable<StepResult> starttls();
  // AUTH with PLAIN if offered, else LOGIN; rejected (with a synthesized 504 5.7.4) when
  // neither is offered. ok = 235.
  boost::asio::awaitable<StepResult> authenticate(std::string_view username,
                                                  std::string_view password);
  // MAIL, RCPT... (pipelined when PIPELINING is offered), then DATA for the accepted ones.
  boost::asio::awaitable<TransactionResult> send(const Envelope& envelope,
                                                 const std::string& message);
  // RSET, before reusing the connection for another transaction. ok = 250.
  boost::asio::awaitable<StepResult> reset();
  // QUIT (best effort, quit timeout) and close.
  boost::asio::awaitable<void> quit();
  void close();

  const Capabilities& capabilities() const { return capabilities_; }
  const Reply& greeting() const { return greeting_; }
  bool tls_active() const { return tls_active_; }
  // tls::describe() of the session: "version=TLSv1.3 cipher=... bits=256/256"; "" without TLS.
  const std::string& tls_description() const { return tls_description_; }
  // Connected, and no failure or 421 seen.
  bool usable() const { return open_ && !broken_; }
  int transactions() const { return transactions_; }
  // "name[192.0.2.1]:25" for logs and DSNs.
  const std::string& remote() const { return remote_; }

 private:
  struct Watchdog;
  using Timeout = std::chrono::milliseconds;

  boost::asio::awaitable<StepResult> command(std::string line, Timeout timeout, int expect_class,
                                             int expect_code = 0);
  boost::asio::awaitable<StepResult> read_reply(Timeout timeout, int expect_class,
                                                int expect_code = 0);
  boost::asio::awaitable<StepResult> write(std::string_view bytes, Timeout timeout);
  boost::asio::awaitable<StepResult> handshake();
  StepResult failure(StepResult::Failure failure, std::string detail);
  void arm(Timeout timeout);
  void disarm();

  boost::asio::any_io_executor executor_;
  boost::asio::ssl::stream<boost::asio::ip::tcp::socket> stream_;
  boost::asio::steady_timer timer_;
  std::shared_ptr<Watchdog> watchdog_;
  ClientOptions options_;
  ReplyParser parser_;
  std::array<char, 4096> read_buffer_{};
  Capabilities capabilities_;
  Reply greeting_;
  std::string remote_;
  std::string tls_description_;
  bool open_ = false;
  bool broken_ = false;
  bool tls_active_ = false;
  int transactions_ = 0;
};

}  // namespace postern::smtp::client
