// The c-ares resolver on Boost.Asio: no extra thread, no blocking.
//
// c-ares owns its sockets; it tells us which ones it wants watched through the sock_state
// callback. Each watched socket gets a non-owning stream_descriptor whose async_wait drives
// ares_process_fd; one steady_timer drives ares_timeout/ares_process_fd for retransmits and
// timeouts. Query callbacks never resume the caller inline: the completion is posted, so a
// caller may start new queries or destroy the resolver without re-entering c-ares.
#include <ares.h>
#include <arpa/nameser.h>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <map>
#include <mutex>
#include <stdexcept>

#include "common/dns/answer_parser.h"
#include "common/dns/resolver.h"
#include "common/dns/reverse_name.h"

namespace postern::dns {
namespace {

namespace asio = boost::asio;
using RawResult = std::pair<int, std::vector<unsigned char>>;
using RawHandler = asio::any_completion_handler<void(int, std::vector<unsigned char>)>;

void init_library_once() {
  static std::once_flag once;
  std::call_once(once, [] { ares_library_init(ARES_LIB_INIT_ALL); });
}

// "127.0.0.1:5353,[::1]:53" for ares_set_servers_ports_csv.
std::string servers_csv(const std::vector<config::HostPort>& servers) {
  std::string csv;
  for (const auto& s : servers) {
    if (!csv.empty()) csv += ',';
    const bool v6 = s.host.find(':') != std::string::npos;
    csv += v6 ? "[" + s.host + "]" : s.host;
    csv += ":" + std::to_string(s.port == 0 ? 53 : s.port);
  }
  return csv;
}

class CaresResolver final : public Resolver {
 public:
  CaresResolver(asio::any_io_executor executor, const config::Dns& dns)
      : executor_(executor), timer_(executor) {
    init_library_once();
    ares_options options{};
    options.timeout = static_cast<int>(dns.timeout.count());
    options.tries = dns.tries;
    options.sock_state_cb = &CaresResolver::on_sock_state;
    options.sock_state_cb_data = this;
    const int mask = ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_SOCK_STATE_CB;
    if (int s = ares_init_options(&channel_, &options, mask); s != ARES_SUCCESS)
      throw std::runtime_error(std::string("c-ares initialisation failed: ") + ares_strerror(s));
    if (!dns.servers.empty()) {
      const std::string csv = servers_csv(dns.servers);
      if (int s = ares_set_servers_ports_csv(channel_, csv.c_str()); s != ARES_SUCCESS) {
        ares_destroy(channel_);
        throw std::runtime_error("invalid DNS servers \"" + csv + "\": " + ares_strerror(s));
      }
    }
  }

  ~CaresResolver() override {
    *alive_ = false;
    // Completes every pending query with ARES_EDESTRUCTION (posted, so callers see temperror)
    // and reports each socket closed through on_sock_state.
    ares_destroy(channel_);
    for (auto& [fd, socket] : sockets_) forget(*socket);
  }

  asio::awaitable<Answer<MxRecord>> mx(std::string name) override {
    co_return co_await lookup<MxRecord>(std::move(name), ns_t_mx, &parse_mx);
  }
  asio::awaitable<Answer<asio::ip::address>> a(std::string name) override {
    co_return co_await lookup<asio::ip::address>(std::move(name), ns_t_a, &parse_a);
  }
  asio::awaitable<Answer<asio::ip::address>> aaaa(std::string name) override {
    co_return co_await lookup<asio::ip::address>(std::move(name), ns_t_aaaa, &parse_aaaa);
  }
  asio::awaitable<Answer<std::string>> txt(std::string name) override {
    co_return co_await lookup<std::string>(std::move(name), ns_t_txt, &parse_txt);
  }
  asio::awaitable<Answer<std::string>> ptr(asio::ip::address address) override {
    co_return co_await lookup<std::string>(reverse_name(address), ns_t_ptr, &parse_ptr);
  }

 private:
  struct Socket {
    explicit Socket(asio::any_io_executor ex, ares_socket_t fd) : fd(fd), descriptor(ex, fd) {}
    ares_socket_t fd;
    asio::posix::stream_descriptor descriptor;  // not owning: released before c-ares closes
    bool want_read = false, want_write = false;
    bool reading = false, writing = false;
    bool closed = false;
  };

  struct Pending {
    RawHandler handler;
    asio::any_io_executor fallback;
  };

  template <typename T>
  asio::awaitable<Answer<T>> lookup(std::string name, int type, Answer<T> (*parse)(Bytes)) {
    if (name.empty() || name.find('\0') != std::string::npos || name.size() > 255) {
      Answer<T> bad;
      bad.status = Status::permerror;
      bad.error = "invalid DNS name";
      co_return bad;
    }
    auto [status, reply] = co_await raw_query(name, type);
    if (status != ARES_SUCCESS) {
      Answer<T> failed;
      failed.status = status_from_ares(status);
      failed.error = std::string(ares_strerror(status)) + " (" + name + ")";
      co_return failed;
    }
    co_return parse(Bytes(reply.data(), reply.size()));
  }

  asio::awaitable<RawResult> raw_query(const std::string& name, int type) {
    auto [status, reply] = co_await asio::async_initiate<const asio::use_awaitable_t<>&,
                                                          void(int, std::vector<unsigned char>)>(
        [this, &name, type](RawHandler handler) {
          auto* pending = new Pending{std::move(handler), executor_};
          ares_query(channel_, name.c_str(), ns_c_in, type, &CaresResolver::on_query_done,
                     pending);
          rearm_timer();
        },
        asio::use_awaitable);
    co_return RawResult{status, std::move(reply)};
  }

  static void on_query_done(void* arg, int status, int /*timeouts*/, unsigned char* abuf,
                            int alen) {
    std::unique_ptr<Pending> pending(static_cast<Pending*>(arg));
    std::vector<unsigned char> reply;
    if (abuf != nullptr && alen > 0) reply.assign(abuf, abuf + alen);
    // The resolver and its callers share one executor (see resolver.h): posting there defers
    // the resumption until c-ares has returned.
    asio::post(pending->fallback, [handler = std::move(pending->handler), status,
                    reply = std::move(reply)]() mutable { std::move(handler)(status, std::move(reply)); });
  }

  static void on_sock_state(void* data, ares_socket_t fd, int readable, int writable) {
    auto* self = static_cast<CaresResolver*>(data);
    if (!*self->alive_) return;
    auto it = self->sockets_.find(fd);
    if (!readable && !writable) {
      if (it != self->sockets_.end()) {
        forget(*it->second);
        self->sockets_.erase(it);
      }
      return;
    }
    if (it == self->sockets_.end())
      it = self->sockets_.emplace(fd, std::make_shared<Socket>(self->executor_, fd)).first;
    it->second->want_read = readable != 0;
    it->second->want_write = writable != 0;
    self->watch(it->second);
  }

  // c-ares is about to close the fd: stop watching and give the fd back without closing it.
  static void forget(Socket& socket) {
    socket.closed = true;
    boost::system::error_code ignored;
    socket.descriptor.cancel(ignored);
    socket.descriptor.release();
  }

  void watch(const std::shared_ptr<Socket>& s) {
    if (s->want_read && !s->reading) {
      s->reading = true;
      s->descriptor.async_wait(asio::posix::descriptor_base::wait_read,
                               [this, s, alive = alive_](boost::system::error_code ec) {
                                 s->reading = false;
                                 if (ec || s->closed || !*alive) return;
                                 ares_process_fd(channel_, s->fd, ARES_SOCKET_BAD);
                                 after_process(s);
                               });
    }
    if (s->want_write && !s->writing) {
      s->writing = true;
      s->descriptor.async_wait(asio::posix::descriptor_base::wait_write,
                               [this, s, alive = alive_](boost::system::error_code ec) {
                                 s->writing = false;
                                 if (ec || s->closed || !*alive) return;
                                 ares_process_fd(channel_, ARES_SOCKET_BAD, s->fd);
                                 after_process(s);
                               });
    }
  }

  void after_process(const std::shared_ptr<Socket>& s) {
    if (!s->closed) watch(s);
    rearm_timer();
  }

  void rearm_timer() {
    timeval tv{};
    timeval* next = ares_timeout(channel_, nullptr, &tv);
    if (next == nullptr) {
      timer_.cancel();
      return;
    }
    timer_.expires_after(std::chrono::seconds(next->tv_sec) +
                         std::chrono::microseconds(next->tv_usec));
    timer_.async_wait([this, alive = alive_](boost::system::error_code ec) {
      if (ec || !*alive) return;
      ares_process_fd(channel_, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
      rearm_timer();
    });
  }

  asio::any_io_executor executor_;
  asio::steady_timer timer_;
  ares_channel channel_ = nullptr;
  std::map<ares_socket_t, std::shared_ptr<Socket>> sockets_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace

std::unique_ptr<Resolver> make_cares_resolver(asio::any_io_executor executor,
                                              const config::Dns& dns) {
  return std::make_unique<CaresResolver>(std::move(executor), dns);
}

}  // namespace postern::dns
