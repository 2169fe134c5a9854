// Wiring of the router role: queue, scheduler on the delivery thread, intake and admin over
// gRPC. Thin on purpose: every decision lives in the pieces it connects.
#include "router/router_node.h"

#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <future>
#include <stdexcept>
#include <thread>

#include "common/auth/authorization.h"
#include "common/dns/resolver.h"
#include "common/grpc_tls/role_server.h"
#include "common/log/log.h"
#include "router/clock.h"
#include "router/counters.h"
#include "router/delivery.h"
#include "router/forward/forward_intake.h"
#include "router/forward/forwarder.h"
#include "router/forward/gateway_choice.h"
#include "router/greylist/greylist.h"
#include "router/greylist/rocksdb_store.h"
#include "router/greylist/service.h"
#include "router/intake.h"
#include "router/queue_admin_service.h"
#include "router/queue_id.h"
#include "router/rocksdb_queue.h"
#include "router/scheduler.h"
#include "router/signing/grpc_keystore_client.h"
#include "router/signing/message_signer.h"
#include "router/submit_service.h"

namespace postern::router {
namespace {

// After the drain deadline, cancelled deliveries get this long to unwind before the delivery
// thread is stopped regardless.
constexpr auto kCancelGrace = std::chrono::seconds(5);
// Expired greylist entries are deleted this often (a full scan of <data_dir>/greylist).
constexpr auto kGreylistSweepInterval = std::chrono::hours(1);

}  // namespace

// Members are declared in dependency order: destruction runs bottom-up, so the server goes
// before the services it calls, the scheduler (and its deliverers) before the resolver and
// the io_context they run on, and the queue last.
struct RouterNode::Impl {
  explicit Impl(const config::Config& c)
      : config(c),
        log(log::get("router")),
        queue(RocksDbQueue::open(config.node.data_dir + "/queue")),
        ids(config.node.name, clock),
        resolver(dns::make_cares_resolver(io.get_executor(), config.dns)),
        keystore(signing::make_keystore_client(config)),
        signer(config.router.dkim.signing && keystore
                   ? std::make_unique<signing::MessageSigner>(config.router.dkim, *keystore)
                   : nullptr),
        // Empty only for configs built in code without derived defaults: then no Forward
        // is accepted (an empty token allows nothing) and forwards carry none.
        cluster_token(config.cluster.token_file.empty()
                          ? std::string()
                          : config::load_or_create_cluster_token(config)),
        scheduler(io.get_executor(), config, *queue, ids, clock, counters,
                  [this](const config::Destination& destination) -> std::unique_ptr<Deliverer> {
                    // Not in served_by: forward to its gateway (router/forward/, issue 6).
                    if (!forward::delivers_itself(destination, config.node.name)) {
                      return std::make_unique<forward::ForwardDeliverer>(
                          config, destination, cluster_token, counters);
                    }
                    DeliveryContext context{io.get_executor(), resolver.get(), &config};
                    context.keystore = keystore.get();
                    return make_deliverer(destination, context);
                  },
                  signer.get()),
        intake(config, *queue, ids, clock, counters,
               [this](const std::string& queue_id) { scheduler.enqueued(queue_id); }),
        forward_intake(config, *queue, ids, clock, counters,
                       [this](const std::string& queue_id) { scheduler.enqueued(queue_id); }),
        forward_callers("router", "Router.Forward", auth::cluster_callers(config, cluster_token)),
        submit(intake, config, counters),
        admin(*queue, scheduler,
              auth::admin_callers(config, config::load_or_create_admin_token(config))),
        greylist_store(greylist::RocksDbStore::open(config.node.data_dir + "/greylist")),
        greylist_checker(std::make_unique<greylist::Greylist>(*greylist_store, clock)),
        greylist_service(std::make_unique<greylist::GreylistService>(*greylist_checker)),
        greylist_sweeper(std::make_unique<greylist::Sweeper>(*greylist_checker,
                                                             kGreylistSweepInterval)) {
    submit.enable_forward(forward_intake, forward_callers);
    admin.show_routing(config);
    scheduler.recover();
  }

  const config::Config config;
  std::shared_ptr<spdlog::logger> log;
  SystemClock clock;
  Counters counters;
  std::unique_ptr<RocksDbQueue> queue;
  QueueIdGenerator ids;
  boost::asio::io_context io{1};
  std::unique_ptr<dns::Resolver> resolver;
  // DKIM signing and relay credentials (issue 3): null when neither is configured.
  std::unique_ptr<signing::KeystoreClient> keystore;
  std::unique_ptr<signing::MessageSigner> signer;
  // The designated gateway (issue 6): the token Forward calls present and require.
  std::string cluster_token;
  Scheduler scheduler;
  Intake intake;
  forward::ForwardIntake forward_intake;
  auth::CallAuthorizer forward_callers;
  SubmitService submit;
  QueueAdminService admin;
  // Greylisting shared by all edges (issue 5): its own unsynced RocksDB and sweeper thread.
  std::unique_ptr<greylist::RocksDbStore> greylist_store;
  std::unique_ptr<greylist::Greylist> greylist_checker;
  std::unique_ptr<greylist::GreylistService> greylist_service;
  std::unique_ptr<greylist::Sweeper> greylist_sweeper;
  std::unique_ptr<grpc::Server> server;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work;
  std::thread delivery_thread;
  bool stopped = false;
};

RouterNode::RouterNode(const config::Config& config) : impl_(std::make_unique<Impl>(config)) {}

RouterNode::~RouterNode() {
  if (!impl_->stopped) shutdown(std::chrono::steady_clock::now());
}

void RouterNode::start() {
  Impl& s = *impl_;
  const std::string address = s.config.router.listen.to_string();
  s.server = grpc_tls::start_role_server(s.config, "router", address,
                                         {{&s.submit, "postern.v1.Router"},
                                          {&s.admin, "postern.v1.QueueAdmin"},
                                          {s.greylist_service.get(), "postern.v1.Greylist"}});
  s.work.emplace(s.io.get_executor());
  s.scheduler.start();
  s.delivery_thread = std::thread([&s] { s.io.run(); });
  s.log->info("router {} listening on {}", s.config.node.name, address);
}

void RouterNode::shutdown(std::chrono::steady_clock::time_point deadline) {
  Impl& s = *impl_;
  if (s.stopped) return;
  s.stopped = true;
  // 1. Intake: refuse new calls; calls in progress finish (or are cancelled at the deadline:
  //    a cancelled Submit was never acknowledged, so the edge keeps the message).
  if (s.server) {
    if (auto* health = s.server->GetHealthCheckService()) health->Shutdown();  // NOT_SERVING
    // gRPC takes system_clock deadlines only.
    s.server->Shutdown(std::chrono::system_clock::now() +
                       std::chrono::duration_cast<std::chrono::system_clock::duration>(
                           deadline - std::chrono::steady_clock::now()));
  }
  // 2. Deliveries: start no new job; let running ones finish until the deadline, then cancel.
  if (s.delivery_thread.joinable()) {
    auto idle = std::make_shared<std::promise<void>>();
    auto done = idle->get_future();
    s.scheduler.drain([idle] { idle->set_value(); });
    if (done.wait_until(deadline) == std::future_status::timeout) {
      s.scheduler.cancel_in_flight();
      if (done.wait_for(kCancelGrace) == std::future_status::timeout) {
        s.log->warn("deliveries did not stop after cancellation; stopping the delivery thread");
      }
    }
    s.work.reset();
    s.io.stop();
    s.delivery_thread.join();
  }
  if (s.server) s.server->Wait();
  // 3. Make the unsynced outcome writes durable too, and close the queue (nothing runs that
  //    could use it any more: the server and the delivery thread are stopped).
  if (auto status = s.queue->sync(); !status.ok()) s.log->error("queue sync failed: {}", status.error);
  s.queue.reset();
  s.greylist_sweeper.reset();  // the server is stopped: nothing else uses the greylist store
  s.greylist_store.reset();    // (closing it makes its unsynced writes durable)
  s.log->info("router stopped");
}

}  // namespace postern::router
