#include "keystore/etcd_client.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <mutex>

#include "keystore/etcd_keys.h"

namespace postern::keystore::etcd_client {
namespace {

std::optional<std::string> normalize_endpoint(std::string_view e) {
  if (e.starts_with("http://")) e.remove_prefix(7);
  if (e.empty() || e.size() > 255 || e.find("://") != std::string_view::npos) return std::nullopt;
  const std::size_t colon = e.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return std::nullopt;
  const std::string_view port = e.substr(colon + 1);
  unsigned value = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (ec != std::errc() || end != port.data() + port.size() || value == 0 || value > 65535) {
    return std::nullopt;
  }
  for (char c : e) {
    if (c <= 0x20 || c > 0x7e || c == '/') return std::nullopt;
  }
  return std::string(e);
}

}  // namespace

Result<EtcdOptions> normalize(EtcdOptions options) {
  if (options.endpoints.empty()) {
    return make_error(Errc::invalid_argument, "etcd: no endpoints given");
  }
  if (options.endpoints.size() > kMaxEndpoints) {
    return make_error(Errc::invalid_argument, "etcd: at most 16 endpoints");
  }
  for (std::string& e : options.endpoints) {
    if (e.starts_with("https://")) {
      if (!options.tls) {
        return make_error(Errc::invalid_argument,
                          "etcd endpoint " + e + ": https needs keystore.etcd.tls (the CA)");
      }
      e.erase(0, 8);
    }
    std::optional<std::string> n = normalize_endpoint(e);
    if (!n) {
      return make_error(Errc::invalid_argument,
                        "etcd endpoint \"" + e + "\" is not host:port (or http://host:port)");
    }
    e = std::move(*n);
  }
  if (std::string why = etcd_keys::check_prefix(options.prefix); !why.empty()) {
    return make_error(Errc::invalid_argument, why);
  }
  if (options.call_timeout < std::chrono::milliseconds(100) ||
      options.call_timeout > std::chrono::seconds(60)) {
    return make_error(Errc::invalid_argument, "etcd: the call timeout is 100 ms to 60 s");
  }
  return options;
}

std::shared_ptr<grpc::Channel> channel(const std::string& endpoint,
                                      const std::optional<EtcdTlsPem>& tls) {
  static auto* mutex = new std::mutex;
  static auto* channels = new std::map<std::string, std::shared_ptr<grpc::Channel>>;
  std::lock_guard lock(*mutex);
  std::shared_ptr<grpc::Channel>& ch = (*channels)[(tls ? "tls " : "plain ") + endpoint];
  if (!ch) {
    grpc::ChannelArguments args;
    // A member back from a restart is reached again within about a second, not after
    // gRPC's default backoff of up to two minutes. (In gRPC 1.51 the "min reconnect
    // backoff" is the minimum time one connection attempt may take, handshake included:
    // 2 s leaves room on a loaded host; a refused connection still fails at once.)
    args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
    args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 2000);
    args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1000);
    // Detect a dead peer under an idle watch stream; etcd refuses pings more often than every
    // 5 s and pings without a call (GOAWAY too_many_pings).
    args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 10000);
    args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 5000);
    args.SetInt(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 0);
    args.SetInt(GRPC_ARG_HTTP2_MAX_PINGS_WITHOUT_DATA, 0);
    // A value is at most 1 MiB and a list page at most kListPageKeys keys of 2 KiB.
    args.SetMaxReceiveMessageSize(16 * 1024 * 1024);
    std::shared_ptr<grpc::ChannelCredentials> credentials = grpc::InsecureChannelCredentials();
    if (tls) {
      grpc::SslCredentialsOptions ssl;
      ssl.pem_root_certs = tls->ca;
      ssl.pem_cert_chain = tls->cert;
      ssl.pem_private_key = tls->key;
      credentials = grpc::SslCredentials(ssl);
    }
    ch = grpc::CreateCustomChannel(endpoint, credentials, args);
  }
  return ch;
}

grpc_connectivity_state await_connection(grpc::Channel& channel,
                                         std::chrono::system_clock::time_point deadline) {
  const auto probe_until = std::min(deadline, std::chrono::system_clock::now() + kFailureProbe);
  grpc_connectivity_state state = channel.GetState(/*try_to_connect=*/true);
  while (state != GRPC_CHANNEL_READY && state != GRPC_CHANNEL_SHUTDOWN) {
    const auto until = state == GRPC_CHANNEL_TRANSIENT_FAILURE ? probe_until : deadline;
    if (!channel.WaitForStateChange(state, until)) break;  // time is up
    state = channel.GetState(/*try_to_connect=*/true);
  }
  return state;
}

std::string describe(const grpc::Status& status) {
  static constexpr const char* kNames[] = {
      "ok",        "cancelled",          "unknown",          "invalid argument",
      "deadline exceeded", "not found",  "already exists",   "permission denied",
      "resource exhausted", "failed precondition", "aborted", "out of range",
      "unimplemented", "internal",       "unavailable",      "data loss",
      "unauthenticated"};
  const auto code = static_cast<std::size_t>(status.error_code());
  std::string out = code < std::size(kNames) ? kNames[code] : "status " + std::to_string(code);
  if (!status.error_message().empty()) out += ": " + status.error_message();
  return out;
}

bool should_fail_over(const grpc::Status& status) {
  return status.error_code() == grpc::StatusCode::UNAVAILABLE ||
         status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED;
}

std::string join(const std::vector<std::string>& endpoints) {
  std::string out;
  for (const std::string& e : endpoints) {
    if (!out.empty()) out += ",";
    out += e;
  }
  return out;
}

}  // namespace postern::keystore::etcd_client
