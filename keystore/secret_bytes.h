// SecretBytes: a fixed-size buffer for key material in libsodium guarded memory.
//
// Contract:
// - The bytes live in sodium_malloc memory: guard pages before and after, a canary, mlock()ed
//   so they are not swapped (where the process may lock memory), and zeroed by sodium_free on
//   destruction. Move-only: a secret is never copied implicitly.
// - Between uses the pages are PROT_NONE (sodium_mprotect_noaccess): a stray read or a buffer
//   overrun elsewhere faults instead of leaking the key. Reading goes through a View, an RAII
//   guard; the first View makes the pages read-only, the last one to go makes them no-access
//   again. Views may be held by several threads at once (counted under a mutex).
// - Writing is only possible while filling a new buffer (fill(), random(), copy_of()).
// - Failures (sodium_init, allocation) are values, never exceptions.
//
// Only keystore/ includes <sodium.h>; this header does not.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string_view>

#include "keystore/result.h"

namespace postern::keystore {

// Upper bound of one secret buffer: guarded allocations cost whole pages; nothing the keystore
// holds (a 256-bit key, a PKCS#8 RSA-4096 key of ~2.4 KiB, a credential) comes near it.
inline constexpr std::size_t kMaxSecretBytes = 64 * 1024;

class SecretBytes {
 public:
  class View;

  // A buffer of `size` bytes (1..kMaxSecretBytes) that `writer` fills while it is writable.
  // When the writer returns an Error the buffer is wiped and freed and that Error returned.
  using Writer = std::function<std::optional<Error>(unsigned char*, std::size_t)>;
  static Result<SecretBytes> fill(std::size_t size, const Writer& writer);
  // `size` bytes from randombytes_buf (the OS CSPRNG).
  static Result<SecretBytes> random(std::size_t size);
  // A guarded copy of `bytes`; the caller wipes its own copy.
  static Result<SecretBytes> copy_of(std::string_view bytes);

  SecretBytes(SecretBytes&&) noexcept = default;
  SecretBytes& operator=(SecretBytes&&) noexcept = default;
  SecretBytes(const SecretBytes&) = delete;
  SecretBytes& operator=(const SecretBytes&) = delete;
  ~SecretBytes() = default;

  std::size_t size() const;

  // Read access for the lifetime of the returned View. Do not keep the pointer past it.
  View view() const;

  // Constant-time comparison (sodium_memcmp).
  bool equals(const SecretBytes& other) const;

 private:
  struct Block;  // the guarded allocation and its reader count
  struct BlockDeleter {
    void operator()(Block* b) const;
  };
  explicit SecretBytes(std::unique_ptr<Block, BlockDeleter> block) : block_(std::move(block)) {}

  std::unique_ptr<Block, BlockDeleter> block_;
};

class SecretBytes::View {
 public:
  View(const View&) = delete;
  View& operator=(const View&) = delete;
  ~View();

  const unsigned char* data() const { return data_; }
  std::size_t size() const { return size_; }
  std::string_view bytes() const {
    return {reinterpret_cast<const char*>(data_), size_};
  }

 private:
  friend class SecretBytes;
  View(Block* block, const unsigned char* data, std::size_t size)
      : block_(block), data_(data), size_(size) {}

  Block* block_;
  const unsigned char* data_;
  std::size_t size_;
};

// sodium_init() once per process; false when libsodium cannot start (no entropy source).
bool sodium_ready();

}  // namespace postern::keystore
