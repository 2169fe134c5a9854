// MessageStreamReactor: the server side of a client stream that carries one message: a
// header chunk first, then data chunks whose bytes add up to header.size(). Router/Submit and
// Router/Forward share this shape (their chunk messages both have `header` and `data` in a
// oneof); the reactors derive from this and add what to check and where to store.
//
// Contract for a derived class:
// - Call start() as the last statement of its constructor (reading must not begin before the
//   derived object is complete: OnReadDone may run on another thread at once).
// - on_header(header) checks the header; a Status ends the call (passed to refuse()), nullopt
//   reads on. It may keep a copy; header() has it from then on.
// - on_message(body) runs once, after exactly header().size() bytes arrived and the client
//   still waits; the derived class stores the message and calls Finish() itself, later.
// - refuse(code, why) runs for every refusal (its own and the stream's protocol errors) and
//   must call Finish(); derived classes count and log there.
//
// SECURITY: sizes are checked while streaming: data beyond the declared size ends the call at
// once, so a peer can never make the router buffer more than the size on_header() accepted;
// at most 4 MiB is reserved ahead of the data actually received.
#pragma once

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>

namespace postern::router {

template <class Chunk, class Header>
class MessageStreamReactor : public grpc::ServerReadReactor<Chunk> {
 public:
  void OnReadDone(bool ok) override {
    if (!ok) return end_of_stream();
    if (!have_header_) {
      if (!chunk_.has_header()) {
        return refuse(grpc::INVALID_ARGUMENT, "first chunk must be the header");
      }
      header_ = std::move(*chunk_.mutable_header());
      if (std::optional<grpc::Status> refused = on_header(header_)) {
        return refuse(refused->error_code(), refused->error_message());
      }
      have_header_ = true;
      body_.reserve(std::min<uint64_t>(header_.size(), kMaxReserve));
    } else {
      if (!chunk_.has_data()) {
        return refuse(grpc::INVALID_ARGUMENT, "only data chunks may follow the header");
      }
      if (body_.size() + chunk_.data().size() > header_.size()) {
        return refuse(grpc::INVALID_ARGUMENT, "more data than the declared size");
      }
      body_ += chunk_.data();
    }
    chunk_.Clear();
    this->StartRead(&chunk_);
  }

  void OnDone() override { delete this; }

 protected:
  explicit MessageStreamReactor(grpc::CallbackServerContext* context) : context_(context) {}

  void start() { this->StartRead(&chunk_); }

  virtual std::optional<grpc::Status> on_header(const Header& header) = 0;
  virtual void on_message(std::string body) = 0;
  virtual void refuse(grpc::StatusCode code, const std::string& why) = 0;

  const Header& header() const { return header_; }

 private:
  static constexpr uint64_t kMaxReserve = 4u << 20;

  void end_of_stream() {
    if (!have_header_) return refuse(grpc::INVALID_ARGUMENT, "no header");
    if (body_.size() != header_.size()) {
      return refuse(grpc::INVALID_ARGUMENT, "received " + std::to_string(body_.size()) +
                                                " bytes, declared " +
                                                std::to_string(header_.size()));
    }
    // A client that gave up keeps responsibility (it answers 4xx or retries): storing now
    // would only duplicate the message.
    if (context_->IsCancelled()) return refuse(grpc::CANCELLED, "client cancelled the call");
    on_message(std::move(body_));
  }

  grpc::CallbackServerContext* context_;
  Chunk chunk_;
  Header header_;
  std::string body_;
  bool have_header_ = false;
};

}  // namespace postern::router
