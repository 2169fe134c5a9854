#include "edge/connection.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <tuple>
#include <utility>

#include "common/tls/context.h"
#include "edge/inbound/plan.h"

namespace postern::edge {
namespace asio = boost::asio;
using asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

constexpr std::size_t kCommandRead = 1024;   // idle sessions keep only this much
constexpr std::size_t kBodyRead = 64 * 1024;  // while a message streams in
constexpr auto kCloseWriteTimeout = std::chrono::seconds(10);

std::string peer_address(const tcp::socket& s) {
  boost::system::error_code ec;
  auto ep = s.remote_endpoint(ec);
  if (ec) return "unknown";
  auto a = ep.address();
  if (a.is_v6() && a.to_v6().is_v4_mapped())
    a = asio::ip::make_address_v4(asio::ip::v4_mapped, a.to_v6());
  return a.to_string();
}

// Printable form of raw bytes for edge.debug.io.
std::string escape(std::string_view bytes, std::size_t max = 512) {
  std::string out;
  for (std::size_t i = 0; i < bytes.size() && i < max; ++i) {
    const unsigned char c = static_cast<unsigned char>(bytes[i]);
    if (c == '\r') out += "\\r";
    else if (c == '\n') out += "\\n";
    else if (c < 32 || c >= 127) {
      static const char* hex = "0123456789abcdef";
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 15];
    } else out += static_cast<char>(c);
  }
  if (bytes.size() > max) out += "...";
  return out;
}

SessionSettings settings_for(const ListenerContext& listener, const PolicyIo& policy) {
  SessionSettings s = listener.settings;
  if (policy.snapshot) {
    s.inbound = policy.snapshot->inbound;
    s.directory = policy.snapshot->directory;
  }
  return s;
}

}  // namespace

Connection::Connection(tcp::socket socket, const ListenerContext& listener, std::string session_id,
                       inbound::AuthContext* auth, PolicyIo policy)
    : socket_(std::move(socket)),
      listener_(listener),
      session_(settings_for(listener, policy), peer_address(socket_), std::move(session_id),
               [] { return std::chrono::system_clock::now(); }),
      peer_(peer_address(socket_)),
      auth_(auth),
      policy_(std::move(policy)),
      timer_(socket_.get_executor()) {
  timer_.expires_at(Clock::time_point::max());
}

void Connection::arm(Clock::duration timeout) {
  timed_out_ = false;
  deadline_ = Clock::now() + timeout;
  if (deadline_ < timer_.expiry()) timer_.cancel();  // wake the watchdog to re-evaluate
}

void Connection::disarm() { deadline_ = Clock::time_point::max(); }

asio::awaitable<void> Connection::watchdog() {
  auto self = shared_from_this();
  while (!closed_) {
    if (deadline_ <= Clock::now()) {
      timed_out_ = true;
      deadline_ = Clock::time_point::max();
      boost::system::error_code ec;
      socket_.cancel(ec);
      continue;
    }
    timer_.expires_at(deadline_);
    co_await timer_.async_wait(asio::as_tuple(asio::use_awaitable));
  }
}

void Connection::consume(std::size_t n) {
  in_pos_ += n;
  if (in_pos_ >= in_.size()) {
    in_.clear();
    in_pos_ = 0;
  }
}

asio::awaitable<bool> Connection::read_more(std::size_t max) {
  if (in_pos_ > 0) {
    in_.erase(0, in_pos_);
    in_pos_ = 0;
  }
  const std::size_t old = in_.size();
  in_.resize(old + max);
  auto buf = asio::buffer(in_.data() + old, max);
  // if/else, not `tls_ ? co_await a : co_await b`: GCC 12 may destroy the result of a
  // conditional co_await twice (seen crashing elsewhere in this tree).
  std::tuple<boost::system::error_code, std::size_t> result;
  if (tls_) result = co_await tls_->async_read_some(buf, asio::as_tuple(asio::use_awaitable));
  else result = co_await socket_.async_read_some(buf, asio::as_tuple(asio::use_awaitable));
  auto [ec, n] = result;
  in_.resize(old + n);
  if (listener_.debug.io > 0 && n > 0) {
    // Never log what may be an AUTH payload.
    std::string_view got = std::string_view(in_).substr(old, n);
    const bool secret = session_.expects_auth_response() ||
                        smtp::codec::command_verb(got) == "AUTH";
    listener_.log->info("{} io < {} bytes {}", session_.session_id(), n,
                        secret ? std::string("[redacted]") : escape(got));
  }
  if (ec) {
    if (listener_.debug.smtp >= 2 && ec != asio::error::eof && ec != asio::error::operation_aborted)
      listener_.log->info("{} read: {}", session_.session_id(), ec.message());
    co_return false;
  }
  co_return true;
}

asio::awaitable<bool> Connection::flush(Clock::duration timeout) {
  if (out_.empty()) co_return true;
  arm(timeout);
  std::tuple<boost::system::error_code, std::size_t> result;  // if/else: see read_more()
  if (tls_)
    result = co_await asio::async_write(*tls_, asio::buffer(out_), asio::as_tuple(asio::use_awaitable));
  else
    result = co_await asio::async_write(socket_, asio::buffer(out_), asio::as_tuple(asio::use_awaitable));
  auto [ec, n] = result;
  if (listener_.debug.io > 0)
    listener_.log->info("{} io > {} bytes {}", session_.session_id(), n, escape(out_));
  disarm();
  out_.clear();
  if (out_.capacity() > 4096) out_.shrink_to_fit();
  co_return !ec;
}

asio::awaitable<bool> Connection::handshake() {
  if (listener_.tls == nullptr) co_return false;
  tls_ = std::make_unique<TlsStream>(socket_, *listener_.tls);
  arm(listener_.settings.limits.idle_timeout);
  auto [ec] = co_await tls_->async_handshake(asio::ssl::stream_base::server,
                                             asio::as_tuple(asio::use_awaitable));
  if (ec) {
    if (listener_.debug.smtp >= 1)
      listener_.log->info("{} TLS handshake with {} failed: {}", session_.session_id(), peer_,
                          ec.message());
    co_return false;
  }
  co_return true;
}

void Connection::close() {
  if (closed_) return;
  closed_ = true;
  boost::system::error_code ec;
  socket_.shutdown(tcp::socket::shutdown_both, ec);
  socket_.close(ec);
  timer_.cancel();
  if (listener_.debug.smtp >= 1)
    listener_.log->info("{} disconnect from {} ({} errors)", session_.session_id(), peer_,
                        session_.errors());
}

void Connection::drain() {
  draining_ = true;
  if (waiting_for_command_ && !session_.in_transaction() && !lines_.partial()) {
    boost::system::error_code ec;
    socket_.cancel(ec);
  }
}

void Connection::force_close() {
  draining_ = forced_ = true;
  if (!submitting_) {
    boost::system::error_code ec;
    socket_.cancel(ec);
  }
}

std::optional<Step> Connection::interruption() {
  if (forced_ || draining_) return session_.on_shutdown();
  if (timed_out_) return session_.on_timeout();
  return std::nullopt;  // the client went away
}

void Connection::log_line(const smtp::codec::LineEvent& ev) const {
  if (listener_.debug.smtp < 2) return;
  std::string shown;
  if (ev.kind != smtp::codec::LineEvent::Kind::line) shown = "[" + ev.error_reply().text() + "]";
  else if (session_.expects_auth_response()) shown = "[AUTH response]";
  else if (smtp::codec::command_verb(ev.text) == "AUTH")
    shown = ev.text.substr(0, std::min<std::size_t>(ev.text.find(' ', 5), ev.text.size())) +
            " [...]";
  else shown = escape(ev.text);
  listener_.log->info("{} < {}", session_.session_id(), shown);
}

void Connection::log_replies(const Step& step) const {
  if (listener_.debug.smtp < 3) return;
  for (const auto& r : step.replies)
    listener_.log->info("{} > {}", session_.session_id(), r.to_string());
}

asio::awaitable<Step> Connection::authenticate_message() {
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch()).count();
  inbound::Verdicts verdicts;
  if (auth_ != nullptr) {
    verdicts = co_await inbound::authenticate(*auth_, session_.auth_request(),
                                              std::exchange(spf_, {}), iprev_, now);
  }
  Step step = session_.on_authenticated(verdicts);
  const std::string& summary = session_.auth_summary();
  if (step.next != Next::submit) {
    listener_.log->info("{} message from {} refused: {}", session_.session_id(), peer_, summary);
  } else if (listener_.debug.smtp >= 1 && !summary.empty()) {
    listener_.log->info("{} {}", session_.session_id(), summary);
  }
  co_return step;
}

asio::awaitable<void> Connection::run() {
  auto self = shared_from_this();
  asio::co_spawn(executor(), [self] { return self->watchdog(); }, asio::detached);
  const auto& limits = listener_.settings.limits;
  if (listener_.debug.smtp >= 1)
    listener_.log->info("{} connect from {} on {}", session_.session_id(), peer_,
                        listener_.settings.listener);

  // iprev overlaps the whole dialogue; its result is used only if the message is checked.
  if (auth_ != nullptr && listener_.settings.inbound &&
      inbound::plan_for(*listener_.settings.inbound, peer_, false).iprev) {
    iprev_ = inbound::start_iprev(executor(), *auth_, peer_);
  }
  std::string tls_description;
  if (listener_.settings.tls == config::ListenerTls::implicit) {
    if (!co_await handshake()) {
      close();
      co_return;
    }
    tls_description = tls::describe(tls_->native_handle());
  }
  Step step = session_.on_connect(tls_description);

  while (!closed_) {
    log_policy();
    log_replies(step);
    for (const auto& r : step.replies) out_ += r.wire();
    step.replies.clear();
    switch (step.next) {
      case Next::close: {
        co_await flush(kCloseWriteTimeout);
        close();
        break;
      }
      case Next::read_command: {
        std::optional<Step> next;
        while (!next) {
          auto r = lines_.feed(pending());
          consume(r.consumed);
          if (r.event) {
            log_line(*r.event);
            // More input already here before our reply: pipelining, allowed only after EHLO
            // offered it (RFC 2920); postscreen's "pipelining" test.
            if (!pending().empty() && !session_.pipelining_allowed() &&
                !session_.expects_auth_response())
              session_.note_pipelining_violation();
            next = session_.on_line(*r.event);
            break;
          }
          if (forced_ || (draining_ && !session_.in_transaction() && !lines_.partial())) {
            next = session_.on_shutdown();
            break;
          }
          // Pipelining (RFC 2920): replies go out when the input runs dry.
          if (!co_await flush(limits.idle_timeout)) break;
          arm(limits.idle_timeout);
          waiting_for_command_ = true;
          const bool ok = co_await read_more(kCommandRead);
          waiting_for_command_ = false;
          if (ok) disarm();
          if (!ok) {
            next = interruption();
            break;
          }
        }
        if (!next) {
          close();
          break;
        }
        step = std::move(*next);
        break;
      }
      case Next::read_body: {
        if (!co_await flush(limits.idle_timeout)) {
          close();
          break;
        }
        arm(limits.data_timeout);  // one deadline for the whole DATA / BDAT chunk
        std::optional<Step> next;
        while (!next) {
          if (!pending().empty()) {
            auto f = session_.on_body_bytes(pending());
            consume(f.consumed);
            if (f.step) {
              next = std::move(f.step);
              break;
            }
          }
          if (forced_) {
            next = session_.on_shutdown();
            break;
          }
          if (!co_await read_more(kBodyRead)) {
            next = interruption();
            break;
          }
        }
        // Give back the body-sized buffer.
        if (in_.capacity() > 4 * kCommandRead) std::string(pending()).swap(in_), in_pos_ = 0;
        if (!next) {
          close();
          break;
        }
        step = std::move(*next);
        break;
      }
      case Next::start_tls: {
        if (!co_await flush(limits.idle_timeout)) {
          close();
          break;
        }
        // RFC 3207 4.2 / CVE-2011-0411: plaintext pipelined after STARTTLS is discarded.
        in_.clear();
        in_.shrink_to_fit();
        in_pos_ = 0;
        lines_.reset();
        if (!co_await handshake()) {
          close();
          break;
        }
        step = session_.on_tls_up(tls::describe(tls_->native_handle()));
        break;
      }
      case Next::verify_credentials: {
        co_await flush(limits.idle_timeout);
        disarm();
        auto user = co_await listener_.verifier->verify(session_.take_credentials());
        if (listener_.debug.smtp >= 1)
          listener_.log->info("{} AUTH {}", session_.session_id(),
                              user ? "succeeded for " + *user : std::string("failed"));
        step = session_.on_credentials_checked(std::move(user));
        break;
      }
      case Next::start_spf: {
        const SpfStart start = session_.take_spf_start();
        if (auth_ != nullptr) spf_ = inbound::start_spf(executor(), *auth_, peer_, start);
        step = session_.on_spf_started();
        break;
      }
      case Next::authenticate_message: {
        co_await flush(limits.idle_timeout);
        disarm();
        submitting_ = true;  // like a submit: a forced close waits for the answer
        step = co_await authenticate_message();
        submitting_ = false;
        if (forced_ && step.next != Next::submit) {
          Step bye = session_.on_shutdown();
          step.replies.insert(step.replies.end(), bye.replies.begin(), bye.replies.end());
          step.next = Next::close;
        }
        break;
      }
      case Next::record_dmarc: {
        co_await flush(limits.idle_timeout);
        disarm();
        std::vector<std::string> records = session_.take_dmarc_records();
        SubmitResult stored = co_await listener_.submitter->record_dmarc(std::move(records));
        if (!stored.ok)
          listener_.log->warn("{} DMARC evaluation not recorded: {}", session_.session_id(),
                              stored.error);
        step = session_.on_dmarc_recorded();
        break;
      }
      case Next::check_client: {
        step = co_await check_client();
        break;
      }
      case Next::check_sender: {
        co_await flush(limits.idle_timeout);
        disarm();
        step = co_await check_sender();
        break;
      }
      case Next::check_greylist: {
        co_await flush(limits.idle_timeout);
        disarm();
        step = co_await check_greylist();
        break;
      }
      case Next::submit: {
        co_await flush(limits.idle_timeout);
        disarm();
        submitting_ = true;
        SubmitRequest request = session_.take_submission();
        const std::string id = request.transaction_id;
        const std::size_t size = request.message.size();
        SubmitResult result = co_await listener_.submitter->submit(std::move(request));
        submitting_ = false;
        if (!result.ok) {
          listener_.log->warn("{} submit of {} ({} bytes) failed: {}", session_.session_id(), id,
                              size, result.error);
        } else if (listener_.debug.smtp >= 1) {
          listener_.log->info("{} {} queued as {} ({} bytes)", session_.session_id(), id,
                              result.queue_id, size);
        }
        step = session_.on_submitted(result);
        if (forced_) {
          Step bye = session_.on_shutdown();
          step.replies.insert(step.replies.end(), bye.replies.begin(), bye.replies.end());
          step.next = Next::close;
        }
        break;
      }
    }
  }
  close();
}

}  // namespace postern::edge
