// Incremental reader of BDAT chunks (RFC 3030), fed any fragment sizes.
//
// SECURITY: each chunk is exactly the announced number of octets, read as-is (no
// dot-stuffing, no end marker: nothing inside a chunk can end it early or be read as a
// command). The message is the concatenation of the chunks up to the one marked LAST; the
// same content rules as DATA apply across chunk boundaries (see body.h). Memory is bounded by
// the size limit; octets past it are counted and dropped so the session stays in sync.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "common/smtp/codec/body.h"

namespace postern::smtp::codec {

class BdatReader {
 public:
  explicit BdatReader(uint64_t max_size) : sink_(max_size) {}

  // Starts the next chunk of `size` octets.
  void begin_chunk(uint64_t size, bool last) {
    remaining_ = size;
    last_ = last;
  }
  // Consumes up to the chunk's remaining octets; returns how many were used.
  std::size_t feed(std::string_view in);
  bool chunk_complete() const { return remaining_ == 0; }
  bool last() const { return last_; }

  // Octets received so far in this message, and whether it is already refused (after a
  // non-LAST chunk the session may answer the error at once; RFC 3030 3).
  uint64_t size() const { return sink_.size(); }
  BodyError error() const { return sink_.error(); }

  // After the LAST chunk completed: the message. The reader is then empty.
  Body take() { return sink_.finish(); }

 private:
  uint64_t remaining_ = 0;
  bool last_ = false;
  BodySink sink_;
};

}  // namespace postern::smtp::codec
