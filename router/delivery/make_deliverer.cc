// router::make_deliverer: one deliverer per destination, by its kind.
#include <filesystem>
#include <type_traits>
#include <variant>

#include "common/tls/context.h"
#include "router/delivery.h"
#include "router/delivery/maildir_deliverer.h"
#include "router/delivery/smtp_deliverer.h"

namespace postern::router {

std::unique_ptr<Deliverer> make_deliverer(const config::Destination& destination,
                                          const DeliveryContext& context) {
  const config::Config& config = *context.config;
  return std::visit(
      [&](const auto& kind) -> std::unique_ptr<Deliverer> {
        using T = std::decay_t<decltype(kind)>;
        if constexpr (std::is_same_v<T, config::SmtpDestination>) {
          auto tls = std::make_shared<boost::asio::ssl::context>(tls::make_client_context());
          delivery::SmtpDeliverer::Options options;
          options.keystore = context.keystore;  // relay.credentials
          return std::make_unique<delivery::SmtpDeliverer>(context.executor, *context.resolver,
                                                           config.internet.hostname,
                                                           std::move(tls), kind, options);
        } else {
          std::filesystem::path root(kind.path);
          if (root.is_relative()) root = std::filesystem::path(config.node.data_dir) / root;
          return std::make_unique<delivery::MaildirDeliverer>(root.lexically_normal().string(),
                                                              config.internet.hostname);
        }
      },
      destination.kind);
}

}  // namespace postern::router
