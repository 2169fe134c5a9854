#include "router/signing/sign_coalescer.h"

#include <algorithm>

namespace postern::router::signing {

// One Keystore.Sign request: whole waiters, their digests in order.
struct SignCoalescer::Batch {
  std::vector<SignWaiter> members;
  v1::SignRequest request;
  std::chrono::steady_clock::time_point end;
  std::size_t target = 0;  // endpoint being tried
  std::string errors;      // one description per endpoint tried
};

namespace {

// The failing digest's index from the keystore's trailer, or -1.
int failed_digest(grpc::ClientContext& context, int digests) {
  const auto& trailers = context.GetServerTrailingMetadata();
  const auto it = trailers.find(kFailedDigestTrailer);
  if (it == trailers.end()) return -1;
  int index = 0;
  for (char c : it->second) {
    if (c < '0' || c > '9' || index > digests) return -1;
    index = index * 10 + (c - '0');
  }
  return it->second.empty() || index >= digests ? -1 : index;
}

}  // namespace

SignCoalescer::SignCoalescer(std::shared_ptr<const KeystoreEndpoints> endpoints,
                             std::string token, int max_in_flight)
    : endpoints_(std::move(endpoints)),
      token_(std::move(token)),
      max_in_flight_(std::max(1, max_in_flight)) {}

void SignCoalescer::submit(SignWaiter w) {
  if (w.digests.empty() || w.digests.size() > kMaxDigestsPerRequest) w.alone = true;
  {
    std::lock_guard lock(mu_);
    queue_.push_back(std::move(w));
  }
  pump();
}

// Sends queued waiters while fewer than max_in_flight requests are outstanding.
void SignCoalescer::pump() {
  for (;;) {
    auto batch = std::make_shared<Batch>();
    {
      std::lock_guard lock(mu_);
      if (queue_.empty() || in_flight_ >= max_in_flight_) return;
      take_locked(*batch);
      ++in_flight_;
    }
    start(std::move(batch));
  }
}

// The queue's head as one request: a lone waiter, or consecutive waiters that share.
void SignCoalescer::take_locked(Batch& batch) {
  std::size_t total = 0;
  if (queue_.front().alone) {
    batch.members.push_back(std::move(queue_.front()));
    queue_.pop_front();
  } else {
    while (!queue_.empty() && !queue_.front().alone &&
           total + queue_.front().digests.size() <= kMaxDigestsPerRequest) {
      total += queue_.front().digests.size();
      batch.members.push_back(std::move(queue_.front()));
      queue_.pop_front();
    }
  }
  batch.end = batch.members.front().end;
  for (auto& m : batch.members) {
    batch.end = std::min(batch.end, m.end);
    for (const auto& d : m.digests) {
      auto* item = batch.request.add_digests();
      item->set_domain(d.domain);
      item->set_selector(d.selector);
      item->set_digest(d.digest);
    }
  }
}

void SignCoalescer::start(std::shared_ptr<Batch> batch) {
  if (endpoints_->empty()) {
    batch->errors = "no keystores configured (cluster.keystores)";
    fail_all(*batch);
    return done_one();
  }
  struct Call {
    grpc::ClientContext context;
    v1::SignReply reply;
  };
  auto call = std::make_shared<Call>();
  call->context.set_deadline(std::chrono::system_clock::now() + remaining(batch->end));
  call->context.AddMetadata("authorization", "Bearer " + token_);
  ++requests_sent_;
  const KeystoreEndpoint& endpoint = (*endpoints_)[batch->target];
  endpoint.stub->async()->Sign(&call->context, &batch->request, &call->reply,
                               [self = shared_from_this(), batch, call](grpc::Status status) {
                                 self->on_reply(batch, call->context, call->reply, status);
                               });
}

void SignCoalescer::on_reply(const std::shared_ptr<Batch>& batch, grpc::ClientContext& context,
                             v1::SignReply& reply, const grpc::Status& status) {
  if (status.ok()) {
    deliver(*batch, reply);
    return done_one();
  }
  if (!batch->errors.empty()) batch->errors += "; ";
  batch->errors += describe_failure((*endpoints_)[batch->target].address, status);
  if (try_next_endpoint(status.error_code()) && batch->target + 1 < endpoints_->size()) {
    ++batch->target;
    return start(batch);
  }
  if (batch->members.size() == 1 || try_next_endpoint(status.error_code()) ||
      status.error_code() == grpc::StatusCode::UNAUTHENTICATED) {
    fail_all(*batch);  // the same answer for every member: no point re-sending
    return done_one();
  }
  requeue_split(*batch, failed_digest(context, batch->request.digests_size()));
  done_one();
}

// A shared request failed for one member (`failed` digest index) or for an unknown one (-1):
// the culprit(s) go alone, first; the others go back together, ahead of later calls.
void SignCoalescer::requeue_split(Batch& batch, int failed) {
  std::vector<SignWaiter> alone;
  std::vector<SignWaiter> together;
  int first = 0;
  for (auto& m : batch.members) {
    const int count = static_cast<int>(m.digests.size());
    if (failed < 0 || (failed >= first && failed < first + count)) {
      m.alone = true;
      alone.push_back(std::move(m));
    } else {
      together.push_back(std::move(m));
    }
    first += count;
  }
  std::lock_guard lock(mu_);
  for (auto it = together.rbegin(); it != together.rend(); ++it) queue_.push_front(std::move(*it));
  for (auto it = alone.rbegin(); it != alone.rend(); ++it) queue_.push_front(std::move(*it));
}

void SignCoalescer::deliver(Batch& batch, v1::SignReply& reply) {
  const int total = batch.request.digests_size();
  if (reply.signatures_size() != total) {
    batch.errors = "keystore " + (*endpoints_)[batch.target].address + " returned " +
                   std::to_string(reply.signatures_size()) + " signatures for " +
                   std::to_string(total) + " digests";
    return fail_all(batch);
  }
  int next = 0;
  for (auto& m : batch.members) {
    SignResult r;
    r.ok = true;
    r.signatures.reserve(m.digests.size());
    for (std::size_t i = 0; i < m.digests.size(); ++i, ++next) {
      auto* s = reply.mutable_signatures(next);
      r.signatures.push_back({std::move(*s->mutable_algorithm()),
                              std::move(*s->mutable_signature())});
    }
    m.complete(std::move(r));
  }
}

void SignCoalescer::fail_all(Batch& batch) {
  for (auto& m : batch.members) {
    SignResult r;
    r.error = batch.errors;
    m.complete(std::move(r));
  }
}

// A request is finished (answered, failed for good, or split and re-queued).
void SignCoalescer::done_one() {
  {
    std::lock_guard lock(mu_);
    --in_flight_;
  }
  pump();
}

}  // namespace postern::router::signing
