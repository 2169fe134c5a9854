// One client connection: the Asio adapter that drives a Session (session.h) over a socket.
//
// SECURITY: reads untrusted bytes; memory per idle connection stays small (no TLS engine
// until STARTTLS or an implicit-TLS accept, a 1 KiB read buffer while reading commands,
// released again after a message). Buffered plaintext is discarded when STARTTLS begins.
// One coroutine per connection on one io_context (no thread per connection); a watchdog
// timer enforces edge.limits.idle_timeout per command and data_timeout per DATA/BDAT phase.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>
#include <string>

#include "common/log/log.h"
#include "common/smtp/codec/line_reader.h"
#include "common/ratelimit/concurrency_limiter.h"
#include "edge/credential_verifier.h"
#include "edge/greylist_client.h"
#include "edge/inbound/authenticator.h"
#include "edge/policy_state.h"
#include "edge/session.h"
#include "edge/submitter.h"

namespace postern::edge {

// Shared, read-only per listener (outlives its connections).
struct ListenerContext {
  SessionSettings settings;
  boost::asio::ssl::context* tls = nullptr;  // set when the listener uses TLS
  Submitter* submitter = nullptr;
  CredentialVerifier* verifier = nullptr;
  config::EdgeDebug debug;
  std::shared_ptr<spdlog::logger> log;
};

// The inbound controls' I/O for one connection (issue 5).
struct PolicyIo {
  std::shared_ptr<const PolicySnapshot> snapshot;  // taken at accept; null: no controls
  dns::Resolver* resolver = nullptr;  // this io_context's; null: no DNS checks (fail open)
  GreylistClient* greylist = nullptr;  // null: greylisting answers "error" (fail open)
};

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  // `auth`: sender authentication on this connection's io_context; nullptr when the edge
  // runs no checks (then a session never asks for them). `policy`: the inbound controls; its
  // snapshot's edge.inbound replaces the listener's for this session.
  Connection(boost::asio::ip::tcp::socket socket, const ListenerContext& listener,
             std::string session_id, inbound::AuthContext* auth = nullptr, PolicyIo policy = {});

  // The whole life of the connection: greeting to close. Never throws for network errors.
  boost::asio::awaitable<void> run();

  // Both must be called on this connection's executor (post them there).
  // drain(): finish the current transaction, then 421 4.3.2 and close; an idle session (no
  // transaction, no partial input) is closed at once.
  void drain();
  // force_close(): 421 4.3.2 now, unless a router submit is in flight (then right after it).
  void force_close();

  boost::asio::any_io_executor executor() { return socket_.get_executor(); }

 private:
  using TlsStream = boost::asio::ssl::stream<boost::asio::ip::tcp::socket&>;

  boost::asio::awaitable<void> watchdog();
  void arm(std::chrono::steady_clock::duration timeout);
  void disarm();

  // Reads more bytes into in_; false on EOF, error, timeout or cancellation.
  boost::asio::awaitable<bool> read_more(std::size_t max);
  // Writes out_ within `timeout`.
  boost::asio::awaitable<bool> flush(std::chrono::steady_clock::duration timeout);
  boost::asio::awaitable<bool> handshake();
  void close();

  // What ended a failed read: the session decides the reply.
  std::optional<Step> interruption();

  std::string_view pending() const { return std::string_view(in_).substr(in_pos_); }
  void consume(std::size_t n);
  void log_line(const smtp::codec::LineEvent& ev) const;
  void log_replies(const Step& step) const;
  boost::asio::awaitable<Step> authenticate_message();
  // Inbound controls (connection_policy.cc).
  boost::asio::awaitable<Step> check_client();
  boost::asio::awaitable<Step> check_sender();
  boost::asio::awaitable<Step> check_greylist();
  void log_policy();

  boost::asio::ip::tcp::socket socket_;
  std::unique_ptr<TlsStream> tls_;
  const ListenerContext& listener_;
  Session session_;
  smtp::codec::LineReader lines_;
  std::string in_;
  std::size_t in_pos_ = 0;
  std::string out_;
  std::string peer_;
  inbound::AuthContext* auth_ = nullptr;
  std::shared_ptr<inbound::PendingIprev> iprev_;  // started at connect
  inbound::StartedSpf spf_;                       // started at MAIL FROM
  PolicyIo policy_;
  std::optional<ratelimit::ConcurrencyLimiter::Guard> session_slot_;  // connection.max_per_ip

  boost::asio::steady_timer timer_;
  std::chrono::steady_clock::time_point deadline_ = std::chrono::steady_clock::time_point::max();
  bool timed_out_ = false;
  bool draining_ = false;
  bool forced_ = false;
  bool waiting_for_command_ = false;
  bool submitting_ = false;
  bool closed_ = false;
};

}  // namespace postern::edge
