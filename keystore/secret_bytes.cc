#include "keystore/secret_bytes.h"

#include <sodium.h>

#include <algorithm>
#include <mutex>

namespace postern::keystore {

struct SecretBytes::Block {
  unsigned char* data = nullptr;
  std::size_t size = 0;
  std::mutex mutex;  // guards readers and the page protection
  int readers = 0;
};

void SecretBytes::BlockDeleter::operator()(Block* b) const {
  if (b == nullptr) return;
  // sodium_free makes the pages writable again, zeroes them, checks the canary and unmaps.
  sodium_free(b->data);
  delete b;
}

bool sodium_ready() {
  static const bool ready = sodium_init() >= 0;
  return ready;
}

Result<SecretBytes> SecretBytes::fill(std::size_t size, const Writer& writer) {
  if (size == 0 || size > kMaxSecretBytes) {
    return make_error(Errc::invalid_argument, "secret size out of range");
  }
  if (!sodium_ready()) return make_error(Errc::resource, "libsodium could not be initialised");
  auto* raw = static_cast<unsigned char*>(sodium_malloc(size));
  if (raw == nullptr) return make_error(Errc::resource, "guarded memory could not be allocated");
  std::unique_ptr<Block, BlockDeleter> block(new Block);
  block->data = raw;
  block->size = size;
  if (std::optional<Error> failed = writer(raw, size)) return std::move(*failed);
  if (sodium_mprotect_noaccess(raw) != 0) {
    return make_error(Errc::resource, "guarded memory could not be protected");
  }
  return SecretBytes(std::move(block));
}

Result<SecretBytes> SecretBytes::random(std::size_t size) {
  return fill(size, [](unsigned char* p, std::size_t n) -> std::optional<Error> {
    randombytes_buf(p, n);
    return std::nullopt;
  });
}

Result<SecretBytes> SecretBytes::copy_of(std::string_view bytes) {
  return fill(bytes.size(), [bytes](unsigned char* p, std::size_t n) -> std::optional<Error> {
    std::copy_n(reinterpret_cast<const unsigned char*>(bytes.data()), n, p);
    return std::nullopt;
  });
}

std::size_t SecretBytes::size() const { return block_ ? block_->size : 0; }

SecretBytes::View SecretBytes::view() const {
  Block* b = block_.get();
  if (b == nullptr) return View(nullptr, nullptr, 0);  // a moved-from buffer reads as empty
  std::lock_guard lock(b->mutex);
  // Cannot fail on memory sodium_malloc returned: the range is whole pages it owns.
  if (b->readers++ == 0) sodium_mprotect_readonly(b->data);
  return View(b, b->data, b->size);
}

SecretBytes::View::~View() {
  if (block_ == nullptr) return;
  std::lock_guard lock(block_->mutex);
  if (--block_->readers == 0) sodium_mprotect_noaccess(block_->data);
}

bool SecretBytes::equals(const SecretBytes& other) const {
  if (size() != other.size()) return false;
  const View a = view();
  const View b = other.view();
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace postern::keystore
