#include "common/grpc_tls/channels.h"

#include <grpcpp/create_channel.h>

#include <map>
#include <mutex>

#include "common/grpc_tls/credentials.h"

namespace postern::grpc_tls {
namespace {

std::shared_ptr<grpc::Channel> cached_channel(
    const std::string& address, const std::string& settings,
    const std::shared_ptr<grpc::ChannelCredentials>& credentials,
    const std::string& server_name, const Reconnect& reconnect) {
  static std::mutex* mutex = new std::mutex;
  static auto* channels = new std::map<std::string, std::shared_ptr<grpc::Channel>>;
  std::lock_guard lock(*mutex);
  auto& channel = (*channels)[address + '\n' + settings];
  if (!channel) {
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, static_cast<int>(reconnect.min.count()));
    args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, static_cast<int>(reconnect.min.count()));
    args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, static_cast<int>(reconnect.max.count()));
    if (!server_name.empty()) args.SetSslTargetNameOverride(server_name);
    channel = grpc::CreateCustomChannel(address, credentials, args);
  }
  return channel;
}

}  // namespace

ClusterChannels::ClusterChannels()
    : credentials_(grpc::InsecureChannelCredentials()), settings_("plaintext") {}

ClusterChannels::ClusterChannels(const config::Config& config, Reconnect reconnect)
    : credentials_(channel_credentials(config)),
      reconnect_(reconnect),
      tls_(config.cluster.tls.has_value()) {
  if (config.cluster.tls) {
    const config::ClusterTls& t = *config.cluster.tls;
    server_name_ = t.server_name;
    settings_ = "tls\n" + t.ca + '\n' + t.cert + '\n' + t.key + '\n' + t.server_name;
  } else {
    settings_ = "plaintext";
  }
  settings_ += '\n' + std::to_string(reconnect_.min.count()) + '-' +
               std::to_string(reconnect_.max.count());
}

std::shared_ptr<grpc::Channel> ClusterChannels::channel(const std::string& address) const {
  return cached_channel(address, settings_, credentials_, server_name_, reconnect_);
}

}  // namespace postern::grpc_tls
