#include "router/greylist/service.h"

#include <algorithm>

namespace postern::router::greylist {
namespace {

using std::chrono::seconds;

int prefix_or(uint32_t value, int fallback) {
  // Out-of-range values stay out of range (validate() names them); 0 is the default.
  if (value == 0) return fallback;
  return static_cast<int>(std::min<uint32_t>(value, 1000));
}

}  // namespace

grpc::ServerUnaryReactor* GreylistService::Check(grpc::CallbackServerContext* context,
                                                 const postern::v1::GreylistRequest* request,
                                                 postern::v1::GreylistReply* reply) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  Params params;
  params.delay = seconds(request->delay_seconds());
  params.retry_window = seconds(request->retry_window_seconds());
  params.expiry = seconds(request->expiry_seconds());
  params.ipv4_prefix = prefix_or(request->ipv4_prefix(), 24);
  params.ipv6_prefix = prefix_or(request->ipv6_prefix(), 64);
  if (auto why = validate(params); !why.empty()) {
    reactor->Finish(grpc::Status(grpc::INVALID_ARGUMENT, "greylist parameters: " + why));
    return reactor;
  }
  const TripletParse triplet = make_triplet(request->client_address(), request->sender(),
                                            request->recipient(), params.ipv4_prefix,
                                            params.ipv6_prefix);
  if (!triplet.triplet) {
    reactor->Finish(grpc::Status(grpc::INVALID_ARGUMENT, "greylist triplet: " + triplet.error));
    return reactor;
  }
  const CheckResult result = greylist_.check(*triplet.triplet, params);
  if (!result.ok()) {
    reactor->Finish(grpc::Status(grpc::UNAVAILABLE, result.error));
    return reactor;
  }
  const Decision& d = result.decision;
  if (d.action == Action::pass) {
    reply->set_action(postern::v1::GreylistReply::ACTION_PASS);
    reply->set_passed_before(d.passed_before);
  } else {
    reply->set_action(postern::v1::GreylistReply::ACTION_DEFER);
    reply->set_retry_after_seconds(static_cast<uint32_t>(d.retry_after.count()));
  }
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

}  // namespace postern::router::greylist
