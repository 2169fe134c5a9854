// Reader for the edge section: listeners, TLS files, limits, debug levels, drain timeout.
#include "common/config/sections.h"

namespace postern::config::detail {
namespace {

using namespace std::chrono_literals;

Listener read_listener(const yaml::Value& v) {
  auto m = v.map();
  auto name = m.require("name");
  auto address = m.require("address");
  auto tls = m.get("tls");
  auto auth = m.get("auth");
  m.finish();
  Listener out;
  out.name = name.non_empty_string();
  out.address = address.host_port();
  if (tls) {
    out.tls = tls->one_of<ListenerTls>({{"none", ListenerTls::none},
                                        {"starttls", ListenerTls::starttls},
                                        {"implicit", ListenerTls::implicit}});
  }
  if (auth) {
    out.auth = auth->one_of<ListenerAuth>({{"none", ListenerAuth::none},
                                           {"optional", ListenerAuth::optional},
                                           {"required", ListenerAuth::required}});
  }
  return out;
}

TlsFiles read_tls(const yaml::Value& v) {
  auto m = v.map();
  auto cert = m.require("cert");
  auto key = m.require("key");
  m.finish();
  return TlsFiles{cert.non_empty_string(), key.non_empty_string()};
}

EdgeLimits read_limits(const yaml::Value& v) {
  auto m = v.map();
  auto max_message_bytes = m.get("max_message_bytes");
  auto max_recipients = m.get("max_recipients");
  auto error_limit = m.get("error_limit");
  auto max_connections = m.get("max_connections");
  auto idle_timeout = m.get("idle_timeout");
  auto data_timeout = m.get("data_timeout");
  m.finish();
  EdgeLimits out;
  // 1 KiB .. 1 GiB: below RFC 5321's 64 KiB minimum is allowed for tests, above 1 GiB a
  // single message would dominate a router's queue.
  if (max_message_bytes) out.max_message_bytes = max_message_bytes->byte_size(1024, 1ull << 30);
  if (max_recipients) out.max_recipients = static_cast<uint32_t>(max_recipients->integer(1, 100000));
  if (error_limit) out.error_limit = static_cast<uint32_t>(error_limit->integer(1, 1000));
  if (max_connections) {
    out.max_connections = static_cast<uint32_t>(max_connections->integer(1, 1000000));
  }
  if (idle_timeout) out.idle_timeout = idle_timeout->seconds(1s);
  if (data_timeout) out.data_timeout = data_timeout->seconds(1s);
  return out;
}

EdgeDebug read_debug(const yaml::Value& v) {
  auto m = v.map();
  auto smtp = m.get("smtp");
  auto io = m.get("io");
  m.finish();
  EdgeDebug out;
  if (smtp) out.smtp = static_cast<int>(smtp->integer(0, 4));
  if (io) {
    out.io = static_cast<int>(io->integer(0, 4));
    if (out.io == 2) io->fail("must be 0, 1, 3 or 4 (got 2)");
  }
  return out;
}

}  // namespace

Edge read_edge(const yaml::Value& v) {
  auto m = v.map();
  auto listeners = m.get("listeners");
  auto tls = m.get("tls");
  auto limits = m.get("limits");
  auto debug = m.get("debug");
  auto drain_timeout = m.get("drain_timeout");
  m.refuse("inbound",
           "not supported yet: inbound controls (relay, connection, sender, recipients, dnsbl, "
           "spf, dkim, dmarc, score, greylist) are not built; remove edge.inbound (until then "
           "unauthenticated clients may send only to internet.local_domains)");
  m.finish();
  Edge out;
  if (listeners) {
    for (const auto& item : listeners->list()) out.listeners.push_back(read_listener(item));
  }
  if (tls) out.tls = read_tls(*tls);
  if (limits) out.limits = read_limits(*limits);
  if (debug) out.debug = read_debug(*debug);
  if (drain_timeout) out.drain_timeout = drain_timeout->seconds(0s);
  return out;
}

}  // namespace postern::config::detail
