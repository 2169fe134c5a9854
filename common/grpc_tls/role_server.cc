#include "common/grpc_tls/role_server.h"

#include <grpcpp/health_check_service_interface.h>

#include <stdexcept>

#include "common/grpc_tls/credentials.h"

namespace postern::grpc_tls {

std::unique_ptr<grpc::Server> start_role_server(const config::Config& config,
                                                const std::string& role,
                                                const std::string& address,
                                                const std::vector<RoleService>& services) {
  grpc::EnableDefaultHealthCheckService(true);
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(address, server_credentials(config), &port);
  builder.SetMaxReceiveMessageSize(kMaxRoleMessageBytes);
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  for (const RoleService& s : services) builder.RegisterService(s.service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (!server || port == 0) throw std::runtime_error(role + ": cannot listen on " + address);
  if (auto* health = server->GetHealthCheckService()) {
    for (const RoleService& s : services) health->SetServingStatus(s.health_name, true);
  }
  return server;
}

}  // namespace postern::grpc_tls
