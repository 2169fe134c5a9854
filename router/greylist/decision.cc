#include "router/greylist/decision.h"

#include <algorithm>

namespace postern::router::greylist {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr uint8_t kEntryVersion = 1;
constexpr std::size_t kEntryBytes = 1 + 3 * 8 + 1 + 4;

void put_u64(std::string& out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out += static_cast<char>((v >> (8 * i)) & 0xff);
}
uint64_t get_u64(std::string_view in, std::size_t at) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(in[at + static_cast<std::size_t>(i)]);
  return v;
}
void put_time(std::string& out, SysTime t) {
  put_u64(out, static_cast<uint64_t>(
                   std::chrono::duration_cast<milliseconds>(t.time_since_epoch()).count()));
}
SysTime get_time(std::string_view in, std::size_t at) {
  return SysTime(std::chrono::duration_cast<SysTime::duration>(
      milliseconds(static_cast<int64_t>(get_u64(in, at)))));
}

// Time from `since` to `now`, never negative (a clock that went backwards counts as none).
SysTime::duration since(SysTime since, SysTime now) {
  return now > since ? now - since : SysTime::duration::zero();
}

Decision start_over(SysTime now, const Params& params) {
  Decision d;
  d.action = Action::defer;
  d.retry_after = params.delay;
  d.next.first_seen = now;
  d.next.last_seen = now;
  d.next.expires_at = now + params.retry_window;
  return d;
}

}  // namespace

std::string encode(const Entry& e) {
  std::string out;
  out.reserve(kEntryBytes);
  out += static_cast<char>(kEntryVersion);
  put_time(out, e.first_seen);
  put_time(out, e.last_seen);
  put_time(out, e.expires_at);
  out += static_cast<char>(e.passed ? 1 : 0);
  for (int i = 0; i < 4; ++i) out += static_cast<char>((e.passes >> (8 * i)) & 0xff);
  return out;
}

std::optional<Entry> decode(std::string_view in) {
  if (in.size() != kEntryBytes || static_cast<uint8_t>(in[0]) != kEntryVersion) return std::nullopt;
  const auto flag = static_cast<uint8_t>(in[25]);
  if (flag > 1) return std::nullopt;
  Entry e;
  e.first_seen = get_time(in, 1);
  e.last_seen = get_time(in, 9);
  e.expires_at = get_time(in, 17);
  e.passed = flag == 1;
  for (int i = 3; i >= 0; --i) {
    e.passes = (e.passes << 8) | static_cast<unsigned char>(in[26 + static_cast<std::size_t>(i)]);
  }
  return e;
}

const char* to_string(Action action) { return action == Action::pass ? "pass" : "defer"; }

Decision decide(const std::optional<Entry>& stored, SysTime now, const Params& params) {
  if (!stored) return start_over(now, params);
  const Entry& e = *stored;
  if (e.passed) {
    if (since(e.last_seen, now) > params.expiry) return start_over(now, params);
    Decision d;
    d.action = Action::pass;
    d.passed_before = true;
    d.next = e;
    d.next.last_seen = std::max(now, e.last_seen);
    d.next.expires_at = d.next.last_seen + params.expiry;
    if (d.next.passes < UINT32_MAX) ++d.next.passes;
    return d;
  }
  const auto elapsed = since(e.first_seen, now);
  if (elapsed > params.retry_window) return start_over(now, params);
  Decision d;
  d.next = e;
  d.next.last_seen = std::max(now, e.last_seen);
  if (elapsed < params.delay) {
    d.action = Action::defer;
    d.retry_after = std::max(seconds(1), std::chrono::ceil<seconds>(params.delay - elapsed));
    d.next.expires_at = e.first_seen + params.retry_window;
    return d;
  }
  d.action = Action::pass;
  d.passed_before = false;
  d.next.passed = true;
  d.next.passes = 1;
  d.next.expires_at = d.next.last_seen + params.expiry;
  return d;
}

}  // namespace postern::router::greylist
