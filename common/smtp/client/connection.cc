#include "common/smtp/client/connection.h"

#include <openssl/ssl.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "common/encoding/base64.h"
#include "common/smtp/client/auth.h"
#include "common/tls/context.h"

namespace postern::smtp::client {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

bool is_ip_literal(const std::string& name) {
  boost::system::error_code ec;
  asio::ip::make_address(name, ec);
  return !ec;
}

}  // namespace

// The deadline of the current operation. Shared with the timer's handler so that a handler
// running after the connection is gone touches nothing but this.
struct Connection::Watchdog {
  tcp::socket* socket = nullptr;
  uint64_t generation = 0;
  bool fired = false;
};

Connection::Connection(asio::any_io_executor executor, asio::ssl::context& tls,
                       ClientOptions options)
    : executor_(executor),
      stream_(executor, tls),
      timer_(executor),
      watchdog_(std::make_shared<Watchdog>()),
      options_(std::move(options)),
      parser_(options_.limits) {
  watchdog_->socket = &stream_.next_layer();
}

Connection::~Connection() {
  watchdog_->socket = nullptr;
  close();
}

void Connection::close() {
  boost::system::error_code ignored;
  stream_.next_layer().shutdown(tcp::socket::shutdown_both, ignored);
  stream_.next_layer().close(ignored);
  open_ = false;
}

void Connection::arm(Timeout timeout) {
  watchdog_->fired = false;
  const uint64_t generation = ++watchdog_->generation;
  timer_.expires_after(timeout);
  timer_.async_wait([w = watchdog_, generation](boost::system::error_code ec) {
    if (ec || w->generation != generation || w->socket == nullptr) return;
    w->fired = true;
    boost::system::error_code ignored;
    w->socket->cancel(ignored);
  });
}

void Connection::disarm() {
  ++watchdog_->generation;
  timer_.cancel();
}

StepResult Connection::failure(StepResult::Failure failure, std::string detail) {
  broken_ = true;
  StepResult r;
  r.kind = StepResult::Kind::failed;
  r.failure = failure;
  r.detail = std::move(detail);
  switch (failure) {
    case StepResult::Failure::connect:
      r.reply = Reply(451, {4, 4, 1}, "Cannot connect to " + remote_ + ": " + r.detail);
      break;
    case StepResult::Failure::timeout:
      r.reply = Reply(451, {4, 4, 2}, "Timeout talking to " + remote_ + ": " + r.detail);
      break;
    case StepResult::Failure::tls:
      r.reply = Reply(451, {4, 7, 5}, "TLS failure with " + remote_ + ": " + r.detail);
      break;
    case StepResult::Failure::protocol:
      r.reply = Reply(451, {4, 5, 0}, "Protocol error from " + remote_ + ": " + r.detail);
      break;
    default:
      r.reply = Reply(451, {4, 4, 2}, "Connection to " + remote_ + " lost: " + r.detail);
      break;
  }
  return r;
}

asio::awaitable<StepResult> Connection::open(tcp::endpoint endpoint, bool implicit_tls) {
  remote_ = (options_.server_name.empty() ? endpoint.address().to_string() : options_.server_name) +
            "[" + endpoint.address().to_string() + "]:" + std::to_string(endpoint.port());
  arm(options_.timeouts.connect);
  auto [ec] = co_await stream_.next_layer().async_connect(endpoint, kTuple);
  const bool fired = watchdog_->fired;
  disarm();
  if (ec) co_return failure(fired ? StepResult::Failure::timeout : StepResult::Failure::connect,
                            fired ? "connect timed out" : ec.message());
  open_ = true;
  boost::system::error_code ignored;
  stream_.next_layer().set_option(tcp::no_delay(true), ignored);
  if (implicit_tls) {
    StepResult hs = co_await handshake();
    if (!hs.ok()) co_return hs;
  }
  StepResult greeting = co_await read_reply(options_.timeouts.greeting, 2, 220);
  greeting_ = greeting.reply;
  co_return greeting;
}

asio::awaitable<StepResult> Connection::handshake() {
  if (!options_.server_name.empty() && !is_ip_literal(options_.server_name))
    SSL_set_tlsext_host_name(stream_.native_handle(), options_.server_name.c_str());
  arm(options_.timeouts.tls_handshake);
  auto [ec] = co_await stream_.async_handshake(asio::ssl::stream_base::client, kTuple);
  const bool fired = watchdog_->fired;
  disarm();
  if (ec) co_return failure(fired ? StepResult::Failure::timeout : StepResult::Failure::tls,
                            fired ? "TLS handshake timed out" : "TLS handshake: " + ec.message());
  tls_active_ = true;
  tls_description_ = tls::describe(stream_.native_handle());
  StepResult ok;
  ok.kind = StepResult::Kind::ok;
  co_return ok;
}

asio::awaitable<StepResult> Connection::write(std::string_view bytes, Timeout timeout) {
  if (!usable()) co_return failure(StepResult::Failure::network, "connection not usable");
  arm(timeout);
  boost::system::error_code ec;
  if (tls_active_) {
    std::tie(ec, std::ignore) = co_await asio::async_write(stream_, asio::buffer(bytes), kTuple);
  } else {
    std::tie(ec, std::ignore) =
        co_await asio::async_write(stream_.next_layer(), asio::buffer(bytes), kTuple);
  }
  const bool fired = watchdog_->fired;
  disarm();
  if (ec) co_return failure(fired ? StepResult::Failure::timeout : StepResult::Failure::network,
                            fired ? "write timed out" : ec.message());
  StepResult ok;
  ok.kind = StepResult::Kind::ok;
  co_return ok;
}

asio::awaitable<StepResult> Connection::read_reply(Timeout timeout, int expect_class,
                                                   int expect_code) {
  for (;;) {
    ParseEvent event = parser_.next();
    if (event.kind == ParseEvent::Kind::error)
      co_return failure(StepResult::Failure::protocol, event.error);
    if (event.kind == ParseEvent::Kind::reply) {
      StepResult r;
      r.reply = std::move(event.reply);
      const bool ok = expect_code != 0 ? r.reply.code() == expect_code
                                       : r.reply.code() / 100 == expect_class;
      r.kind = ok ? StepResult::Kind::ok : StepResult::Kind::rejected;
      if (r.reply.code() == 421) broken_ = true;  // the server is closing (RFC 5321 3.8)
      co_return r;
    }
    if (!usable()) co_return failure(StepResult::Failure::network, "connection not usable");
    arm(timeout);
    boost::system::error_code ec;
    std::size_t n = 0;
    if (tls_active_) {
      std::tie(ec, n) = co_await stream_.async_read_some(asio::buffer(read_buffer_), kTuple);
    } else {
      std::tie(ec, n) = co_await stream_.next_layer().async_read_some(asio::buffer(read_buffer_), kTuple);
    }
    const bool fired = watchdog_->fired;
    disarm();
    if (n > 0) parser_.feed(std::string_view(read_buffer_.data(), n));
    if (ec && n == 0)
      co_return failure(fired ? StepResult::Failure::timeout : StepResult::Failure::network,
                        fired ? "no reply within timeout" : ec.message());
  }
}

asio::awaitable<StepResult> Connection::command(std::string line, Timeout timeout,
                                                int expect_class, int expect_code) {
  StepResult w = co_await write(line, timeout);
  if (!w.ok()) co_return w;
  co_return co_await read_reply(timeout, expect_class, expect_code);
}

asio::awaitable<StepResult> Connection::hello() {
  StepResult ehlo = co_await command("EHLO " + options_.helo_name + "\r\n",
                                     options_.timeouts.command, 2, 250);
  if (ehlo.ok()) {
    capabilities_ = parse_ehlo(ehlo.reply);
    co_return ehlo;
  }
  capabilities_ = Capabilities{};
  if (ehlo.kind != StepResult::Kind::rejected || !ehlo.reply.permanent()) co_return ehlo;
  // RFC 5321 3.2: a server that does not know EHLO answers 5xx; fall back to HELO.
  co_return co_await command("HELO " + options_.helo_name + "\r\n", options_.timeouts.command, 2,
                             250);
}

asio::awaitable<StepResult> Connection::starttls() {
  StepResult r = co_await command("STARTTLS\r\n", options_.timeouts.command, 2, 220);
  if (!r.ok()) co_return r;
  if (parser_.buffered() != 0)
    co_return failure(StepResult::Failure::protocol, "data after the 220 to STARTTLS");
  StepResult hs = co_await handshake();
  if (!hs.ok()) co_return hs;
  parser_ = ReplyParser(options_.limits);
  capabilities_ = Capabilities{};  // RFC 3207 4.2: forget what was learned before TLS
  co_return co_await hello();
}

asio::awaitable<StepResult> Connection::authenticate(std::string_view username,
                                                     std::string_view password) {
  const auto mechanism = choose_auth_mechanism(capabilities_.auth);
  if (!mechanism) {
    StepResult r;
    r.kind = StepResult::Kind::rejected;
    r.reply = Reply(504, {5, 7, 4}, "No supported AUTH mechanism offered by " + remote_);
    co_return r;
  }
  const auto t = options_.timeouts.command;
  StepResult r;
  if (*mechanism == "PLAIN") {
    r = co_await command("AUTH PLAIN " + auth_plain_response(username, password) + "\r\n", t, 2,
                         235);
  } else {
    r = co_await command("AUTH LOGIN\r\n", t, 3, 334);
    if (r.ok()) r = co_await command(encoding::base64_encode(username) + "\r\n", t, 3, 334);
    if (r.ok()) r = co_await command(encoding::base64_encode(password) + "\r\n", t, 2, 235);
  }
  // A server still asking (334) after our last response: cancel the exchange (RFC 4954 4).
  if (r.kind == StepResult::Kind::rejected && r.reply.code() == 334) {
    StepResult cancel = co_await command("*\r\n", t, 5);
    if (cancel.kind == StepResult::Kind::failed) co_return cancel;
  }
  co_return r;
}

asio::awaitable<StepResult> Connection::reset() {
  co_return co_await command("RSET\r\n", options_.timeouts.rset, 2, 250);
}

asio::awaitable<void> Connection::quit() {
  if (usable()) {
    Timeouts& t = options_.timeouts;
    co_await command("QUIT\r\n", t.quit, 2, 221);
  }
  close();
}

}  // namespace postern::smtp::client
