#include "router/queue_id.h"

#include <random>

namespace postern::router {
namespace {

constexpr char kDigits[] = "0123456789abcdefghijklmnopqrstuv";
constexpr std::size_t kLength = 19;

void append_base32(std::string& out, uint64_t value, int chars) {
  for (int i = chars - 1; i >= 0; --i) out += kDigits[(value >> (5 * i)) & 31];
}

// FNV-1a, folded to 20 bits: stable across builds and platforms (std::hash is not).
uint32_t hash20(std::string_view s) {
  uint32_t h = 2166136261u;
  for (char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 16777619u;
  }
  return (h ^ (h >> 20)) & 0xFFFFF;
}

}  // namespace

QueueIdGenerator::QueueIdGenerator(std::string_view node_name, const Clock& clock)
    : clock_(clock), node_hash_(hash20(node_name)), counter_(std::random_device{}()) {}

std::string QueueIdGenerator::next() {
  const auto ms = static_cast<uint64_t>(to_unix_ms(clock_.now()));
  const uint32_t count = counter_.fetch_add(1, std::memory_order_relaxed) & 0x3FFFFFFF;
  std::string id;
  id.reserve(kLength);
  append_base32(id, ms, 9);
  append_base32(id, node_hash_, 4);
  append_base32(id, count, 6);
  return id;
}

bool valid_queue_id(std::string_view id) {
  if (id.size() != kLength) return false;
  for (char c : id) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'v'))) return false;
  }
  return true;
}

}  // namespace postern::router
