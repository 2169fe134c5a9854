#include "edge/server.h"

#include <openssl/rand.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <atomic>
#include <condition_variable>
#include <cstring>
#include <future>
#include <list>
#include <mutex>
#include <optional>
#include <set>
#include <stdexcept>
#include <thread>

#include "common/dns/resolver.h"
#include "common/log/log.h"
#include "common/tls/context.h"
#include "edge/connection.h"
#include "edge/inbound/authenticator.h"
#include "edge/policy_state.h"

namespace postern::edge {
namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

// 12 characters of [0-9A-Z] from 8 random bytes: unique enough per connection for logs
// and Received ids (transaction ids append a counter).
std::string random_session_id() {
  unsigned char bytes[8];
  if (RAND_bytes(bytes, sizeof bytes) != 1) {
    static std::atomic<uint64_t> fallback{0};
    const uint64_t v = ++fallback ^ static_cast<uint64_t>(
                           std::chrono::steady_clock::now().time_since_epoch().count());
    std::memcpy(bytes, &v, sizeof bytes);
  }
  uint64_t v = 0;
  for (unsigned char b : bytes) v = (v << 8) | b;
  static const char* alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  std::string id;
  for (int i = 0; i < 12; ++i) {
    id += alphabet[v % 36];
    v /= 36;
  }
  return id;
}

}  // namespace

struct EdgeServer::Impl {
  const config::Config& config;
  Submitter& submitter;
  CredentialVerifier& verifier;
  GreylistClient* greylist = nullptr;
  std::shared_ptr<spdlog::logger> log = log::get("edge");

  std::vector<std::unique_ptr<asio::io_context>> contexts;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards;
  std::vector<std::thread> threads;
  std::size_t next_context = 0;

  // Sender authentication (edge.inbound): one resolver per io_context, destroyed before the
  // contexts (declared after them) and only after the threads are joined.
  std::optional<mailauth::dmarc::PublicSuffixList> psl;
  mailauth::dkim::KeyCache key_cache;
  std::vector<std::unique_ptr<dns::Resolver>> resolvers;
  std::vector<inbound::AuthContext> auth_contexts;  // parallel to contexts; empty: no checks
  std::vector<std::unique_ptr<dns::Resolver>> policy_resolvers;  // parallel to contexts

  // Inbound controls for new sessions (reload() swaps it).
  ratelimit::SteadyClock clock;
  mutable std::mutex policy_mutex;
  std::shared_ptr<const PolicySnapshot> policy;

  std::optional<asio::ssl::context> tls;
  std::list<ListenerContext> listener_contexts;  // stable addresses
  std::vector<std::unique_ptr<tcp::acceptor>> acceptors;
  std::vector<tcp::endpoint> bound;

  mutable std::mutex mutex;
  std::condition_variable cv;
  std::set<std::shared_ptr<Connection>> connections;
  bool started = false;
  bool stopped = false;

  Impl(const config::Config& c, Submitter& s, CredentialVerifier& v, std::size_t n,
       GreylistClient* g)
      : config(c), submitter(s), verifier(v), greylist(g) {
    for (std::size_t i = 0; i < std::max<std::size_t>(n, 1); ++i) {
      contexts.push_back(std::make_unique<asio::io_context>(1));
      guards.push_back(asio::make_work_guard(*contexts.back()));
    }
    for (auto& ctx : contexts)
      policy_resolvers.push_back(dns::make_cares_resolver(ctx->get_executor(), config.dns));
    policy = PolicySnapshot::make(config, clock);
  }

  std::shared_ptr<const PolicySnapshot> current_policy() const {
    std::lock_guard lock(policy_mutex);
    return policy;
  }

  std::size_t pick_context() {
    const std::size_t i = next_context;
    next_context = (next_context + 1) % contexts.size();
    return i;
  }

  void make_auth_contexts() {
    const config::Inbound& in = config.edge.inbound;
    if (!in.spf.enabled && !in.dkim.enabled && !in.dmarc.enabled) return;
    if (in.dmarc.enabled && in.dmarc.org_domain == config::OrgDomainMethod::psl) {
      psl = mailauth::dmarc::PublicSuffixList::system();
      if (!psl) {
        throw std::runtime_error(
            "edge.inbound.dmarc.org_domain: psl needs the Public Suffix List (Debian package "
            "publicsuffix) or libpsl's built-in list; neither loads");
      }
    }
    for (auto& ctx : contexts) {
      resolvers.push_back(dns::make_cares_resolver(ctx->get_executor(), config.dns));
      inbound::AuthContext a;
      a.resolver = resolvers.back().get();
      a.psl = psl ? &*psl : nullptr;
      a.key_cache = &key_cache;
      a.org_domain = in.dmarc.org_domain;
      a.receiver = config.internet.hostname;
      auth_contexts.push_back(std::move(a));
    }
  }

  void refuse_busy(tcp::socket& socket) {
    // Non-blocking best effort: the client learns why, we never wait on it.
    static const std::string kBusy = "421 4.3.2 " + config.internet.hostname +
                                     " Too many connections, try again later\r\n";
    boost::system::error_code ec;
    socket.non_blocking(true, ec);
    socket.write_some(asio::buffer(kBusy), ec);
    socket.close(ec);
  }

  asio::awaitable<void> accept_loop(tcp::acceptor& acceptor, const ListenerContext& lc) {
    while (acceptor.is_open()) {
      const std::size_t index = pick_context();
      tcp::socket socket(*contexts[index]);
      auto [ec] = co_await acceptor.async_accept(socket, asio::as_tuple(asio::use_awaitable));
      if (ec) {
        if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
        log->warn("accept on {}: {}", lc.settings.listener, ec.message());
        continue;  // e.g. EMFILE: keep serving the existing sessions
      }
      if (!has_room()) {
        refuse_busy(socket);
        continue;
      }
      PolicyIo policy_io{current_policy(), policy_resolvers[index].get(), greylist};
      auto conn = std::make_shared<Connection>(
          std::move(socket), lc, random_session_id(),
          auth_contexts.empty() ? nullptr : &auth_contexts[index], std::move(policy_io));
      {
        std::lock_guard lock(mutex);
        connections.insert(conn);
      }
      asio::co_spawn(conn->executor(), conn->run(), [this, conn](std::exception_ptr e) {
        if (e) {
          try {
            std::rethrow_exception(e);
          } catch (const std::exception& ex) {
            log->error("session ended with exception: {}", ex.what());
          } catch (...) {
            log->error("session ended with an unknown exception");
          }
        }
        std::lock_guard lock(mutex);
        connections.erase(conn);
        cv.notify_all();
      });
    }
  }

  bool has_room() const {
    std::lock_guard lock(mutex);
    return connections.size() < config.edge.limits.max_connections && !stopped;
  }
};

EdgeServer::EdgeServer(const config::Config& config, Submitter& submitter,
                       CredentialVerifier& verifier, std::size_t io_threads,
                       GreylistClient* greylist)
    : impl_(std::make_unique<Impl>(config, submitter, verifier, io_threads, greylist)) {
  bool needs_tls = false;
  for (const auto& l : config.edge.listeners) needs_tls |= l.tls != config::ListenerTls::none;
  if (needs_tls) {
    if (!config.edge.tls)
      throw std::runtime_error("edge.tls is required by a listener with tls: starttls/implicit");
    impl_->tls.emplace(tls::make_server_context(*config.edge.tls));
  }
  impl_->make_auth_contexts();
  for (const auto& l : config.edge.listeners) {
    ListenerContext lc;
    lc.settings = SessionSettings::from(config, l);
    lc.tls = l.tls != config::ListenerTls::none ? &*impl_->tls : nullptr;
    lc.submitter = &submitter;
    lc.verifier = &verifier;
    lc.debug = config.edge.debug;
    lc.log = impl_->log;
    impl_->listener_contexts.push_back(std::move(lc));
  }
}

EdgeServer::~EdgeServer() {
  if (impl_->started && !impl_->stopped) shutdown(std::chrono::steady_clock::now());
}

void EdgeServer::start() {
  auto& ctx0 = *impl_->contexts.front();
  auto lc = impl_->listener_contexts.begin();
  for (const auto& l : impl_->config.edge.listeners) {
    const std::string where = l.name + " (" + l.address.to_string() + ")";
    boost::system::error_code ec;
    auto address = asio::ip::make_address(l.address.host, ec);
    if (ec) throw std::runtime_error("edge listener " + where + ": bad address: " + ec.message());
    tcp::endpoint ep(address, l.address.port);
    auto acceptor = std::make_unique<tcp::acceptor>(ctx0);
    acceptor->open(ep.protocol(), ec);
    if (!ec) acceptor->set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) acceptor->bind(ep, ec);
    if (!ec) acceptor->listen(asio::socket_base::max_listen_connections, ec);
    if (ec) throw std::runtime_error("edge listener " + where + ": cannot listen: " + ec.message());
    impl_->bound.push_back(acceptor->local_endpoint());
    impl_->log->info("listening on {} ({}{})", impl_->bound.back().address().to_string() + ":" +
                                                   std::to_string(impl_->bound.back().port()),
                     l.name, l.tls == config::ListenerTls::implicit ? ", implicit TLS" : "");
    impl_->acceptors.push_back(std::move(acceptor));
    ++lc;
  }
  lc = impl_->listener_contexts.begin();
  for (auto& acceptor : impl_->acceptors) {
    asio::co_spawn(ctx0, impl_->accept_loop(*acceptor, *lc), asio::detached);
    ++lc;
  }
  for (auto& ctx : impl_->contexts)
    impl_->threads.emplace_back([c = ctx.get()] { c->run(); });
  impl_->started = true;
}

std::vector<tcp::endpoint> EdgeServer::endpoints() const { return impl_->bound; }

void EdgeServer::reload(const config::Config& config) {
  auto next = PolicySnapshot::make(config, impl_->clock);
  std::lock_guard lock(impl_->policy_mutex);
  impl_->policy = std::move(next);
}

std::size_t EdgeServer::sessions() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->connections.size();
}

void EdgeServer::shutdown(std::chrono::steady_clock::time_point deadline) {
  Impl& m = *impl_;
  if (m.stopped) return;
  {
    std::lock_guard lock(m.mutex);
    m.stopped = true;
  }
  // 1. Stop accepting (on the acceptors' thread).
  std::promise<void> closed;
  asio::post(*m.contexts.front(), [&] {
    for (auto& a : m.acceptors) {
      boost::system::error_code ec;
      a->close(ec);
    }
    closed.set_value();
  });
  if (m.started) closed.get_future().wait();

  auto for_each_connection = [&](auto fn) {
    std::lock_guard lock(m.mutex);
    for (const auto& c : m.connections) asio::post(c->executor(), [c, fn] { fn(*c); });
  };
  // 2. Let sessions finish their transaction.
  for_each_connection([](Connection& c) { c.drain(); });
  {
    std::unique_lock lock(m.mutex);
    m.cv.wait_until(lock, deadline, [&] { return m.connections.empty(); });
  }
  // 3. 421 4.3.2 to the rest.
  for_each_connection([](Connection& c) { c.force_close(); });
  {
    std::unique_lock lock(m.mutex);
    m.cv.wait(lock, [&] { return m.connections.empty(); });
  }
  // 4. Let the contexts run out of work (watchdogs and accept loops end by themselves), so
  //    no handler is destroyed unrun.
  for (auto& g : m.guards) g.reset();
  for (auto& t : m.threads) t.join();
  m.threads.clear();
  m.log->info("edge stopped");
}

}  // namespace postern::edge
