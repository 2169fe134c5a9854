#include "edge/greylist_client.h"

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <boost/asio/async_result.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/network_v4.hpp>
#include <boost/asio/ip/network_v6.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/error_code.hpp>

#include "postern/v1/greylist.grpc.pb.h"

namespace postern::edge {
namespace asio = boost::asio;

struct GrpcGreylistClient::Target {
  std::string address;
  std::unique_ptr<v1::Greylist::Stub> stub;
};

namespace {

struct Attempt {
  grpc::StatusCode code = grpc::StatusCode::UNKNOWN;
  std::string message;
  v1::GreylistReply reply;
};

std::string lower_ascii(std::string_view value) {
  std::string out(value);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// The client's network as the router will reduce it; unparseable text is used as is (the
// router refuses it anyway).
std::string network_of(const std::string& ip, const GreylistParams& p) {
  boost::system::error_code ec;
  auto address = asio::ip::make_address(ip, ec);
  if (ec) return ip;
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    address = asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6());
  }
  if (address.is_v4() && p.ipv4_prefix >= 1 && p.ipv4_prefix <= 32) {
    return asio::ip::make_network_v4(address.to_v4(), static_cast<unsigned short>(p.ipv4_prefix))
        .canonical()
        .to_string();
  }
  if (address.is_v6() && p.ipv6_prefix >= 1 && p.ipv6_prefix <= 128) {
    return asio::ip::make_network_v6(address.to_v6(), static_cast<unsigned short>(p.ipv6_prefix))
        .canonical()
        .to_string();
  }
  return ip;
}

// FNV-1a, 64 bits: stable across builds and platforms (std::hash is not), which rendezvous
// hashing needs: every edge must rank the routers alike.
uint64_t fnv1a(std::string_view a, std::string_view b) {
  uint64_t h = 0xcbf29ce484222325ULL;
  auto mix = [&h](std::string_view s) {
    for (const char c : s) {
      h ^= static_cast<unsigned char>(c);
      h *= 0x100000001b3ULL;
    }
  };
  mix(a);
  mix(std::string_view("\n", 1));
  mix(b);
  // Final avalanche so that close inputs give unrelated scores.
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  return h;
}

// One unary Greylist/Check call, bridged to Asio like grpc_submitter.cc's record_once(): the
// call state lives on the heap until gRPC's callback, which posts the handler to its executor.
asio::awaitable<Attempt> check_once(v1::Greylist::Stub* stub,
                                    std::shared_ptr<const v1::GreylistRequest> request,
                                    std::chrono::milliseconds deadline) {
  return asio::async_initiate<const asio::use_awaitable_t<>&, void(Attempt)>(
      [](auto handler, v1::Greylist::Stub* stub,
         std::shared_ptr<const v1::GreylistRequest> request, std::chrono::milliseconds deadline) {
        struct Call {
          grpc::ClientContext context;
          v1::GreylistReply reply;
          std::shared_ptr<const v1::GreylistRequest> request;
        };
        auto call = std::make_shared<Call>();
        call->request = std::move(request);
        call->context.set_deadline(std::chrono::system_clock::now() + deadline);
        auto ex = asio::get_associated_executor(handler);
        auto shared = std::make_shared<decltype(handler)>(std::move(handler));
        stub->async()->Check(&call->context, call->request.get(), &call->reply,
                             [call, ex, shared](grpc::Status status) {
                               Attempt a;
                               a.code = status.error_code();
                               a.message = status.error_message();
                               if (status.ok()) a.reply = call->reply;
                               asio::post(ex, [shared, a = std::move(a)]() mutable {
                                 std::move(*shared)(std::move(a));
                               });
                             });
      },
      asio::use_awaitable, stub, std::move(request), deadline);
}

uint32_t to_seconds(std::chrono::seconds s) {
  return static_cast<uint32_t>(std::clamp<std::chrono::seconds::rep>(s.count(), 0, UINT32_MAX));
}

}  // namespace

const char* to_string(GreylistOutcome::Action action) {
  switch (action) {
    case GreylistOutcome::Action::pass:
      return "pass";
    case GreylistOutcome::Action::defer:
      return "defer";
    case GreylistOutcome::Action::error:
      return "error";
  }
  return "error";
}

GrpcGreylistClient::GrpcGreylistClient(const std::vector<config::HostPort>& routers,
                                       std::chrono::milliseconds deadline,
                                       const grpc_tls::ClusterChannels& channels)
    : deadline_(deadline) {
  for (const auto& r : routers) {
    auto t = std::make_unique<Target>();
    t->address = r.to_string();
    t->stub = v1::Greylist::NewStub(channels.channel(t->address));
    targets_.push_back(std::move(t));
  }
}

GrpcGreylistClient::~GrpcGreylistClient() = default;

std::vector<std::size_t> GrpcGreylistClient::router_order(const GreylistQuery& query,
                                                          const GreylistParams& params) const {
  std::string key = network_of(query.client_address, params);
  key += '\0';
  key += lower_ascii(query.sender);
  key += '\0';
  key += lower_ascii(query.recipient);
  std::vector<std::pair<uint64_t, std::size_t>> scored;
  for (std::size_t i = 0; i < targets_.size(); ++i) {
    scored.emplace_back(fnv1a(targets_[i]->address, key), i);
  }
  // Highest score first; ties (practically never) by address so every edge agrees.
  std::sort(scored.begin(), scored.end(), [this](const auto& a, const auto& b) {
    if (a.first != b.first) return a.first > b.first;
    return targets_[a.second]->address < targets_[b.second]->address;
  });
  std::vector<std::size_t> order;
  for (const auto& s : scored) order.push_back(s.second);
  return order;
}

asio::awaitable<GreylistOutcome> GrpcGreylistClient::check(GreylistQuery query,
                                                           GreylistParams params) {
  GreylistOutcome outcome;
  if (targets_.empty()) {
    outcome.error = "no routers configured (cluster.routers)";
    co_return outcome;
  }
  auto request = std::make_shared<v1::GreylistRequest>();
  request->set_client_address(query.client_address);
  request->set_sender(query.sender);
  request->set_recipient(query.recipient);
  request->set_delay_seconds(to_seconds(params.delay));
  request->set_retry_window_seconds(to_seconds(params.retry_window));
  request->set_expiry_seconds(to_seconds(params.expiry));
  request->set_ipv4_prefix(static_cast<uint32_t>(std::max(params.ipv4_prefix, 0)));
  request->set_ipv6_prefix(static_cast<uint32_t>(std::max(params.ipv6_prefix, 0)));
  const auto order = router_order(query, params);
  for (const std::size_t index : order) {
    Target& t = *targets_[index];
    Attempt a = co_await check_once(t.stub.get(), request, deadline_);
    if (a.code == grpc::StatusCode::OK) {
      switch (a.reply.action()) {
        case v1::GreylistReply::ACTION_PASS:
          outcome.action = GreylistOutcome::Action::pass;
          outcome.passed_before = a.reply.passed_before();
          co_return outcome;
        case v1::GreylistReply::ACTION_DEFER:
          outcome.action = GreylistOutcome::Action::defer;
          outcome.retry_after = std::chrono::seconds(std::max<uint32_t>(1, a.reply.retry_after_seconds()));
          co_return outcome;
        default:
          outcome.error = t.address + ": reply without an action";
          co_return outcome;
      }
    }
    if (!outcome.error.empty()) outcome.error += "; ";
    outcome.error += t.address + ": " + std::to_string(static_cast<int>(a.code)) + " " + a.message;
    // Only "never reached the router" moves on: another router does not hold this triplet's
    // state, so asking it is a fallback for an outage, not a retry.
    if (a.code != grpc::StatusCode::UNAVAILABLE) break;
  }
  outcome.action = GreylistOutcome::Action::error;
  co_return outcome;
}

}  // namespace postern::edge
