// The greylisting decision on simulated time, and the entry encoding. Pure.
#include <gtest/gtest.h>

#include "router/greylist/decision.h"

namespace postern::router::greylist {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

const SysTime kT0 = SysTime(seconds(1'800'000'000));

Params params() {
  Params p;
  p.delay = minutes(5);
  p.retry_window = hours(4);
  p.expiry = hours(24 * 30);
  return p;
}

// Runs decide() with the stored state threaded through, like Greylist does.
struct Sim {
  std::optional<Entry> stored;
  Params p = params();
  Decision at(SysTime now) {
    Decision d = decide(stored, now, p);
    stored = d.next;
    return d;
  }
};

TEST(Decision, FirstAttemptIsDeferredForTheDelay) {
  Sim sim;
  const Decision d = sim.at(kT0);
  EXPECT_EQ(d.action, Action::defer);
  EXPECT_EQ(d.retry_after, minutes(5));
  EXPECT_FALSE(d.next.passed);
  EXPECT_EQ(d.next.first_seen, kT0);
  EXPECT_EQ(d.next.expires_at, kT0 + hours(4));
}

TEST(Decision, RetryBeforeTheDelayIsDeferredForTheRest) {
  Sim sim;
  sim.at(kT0);
  Decision d = sim.at(kT0 + seconds(100));
  EXPECT_EQ(d.action, Action::defer);
  EXPECT_EQ(d.retry_after, seconds(200));
  EXPECT_EQ(d.next.first_seen, kT0);  // an early retry does not restart the delay
  d = sim.at(kT0 + seconds(299) + milliseconds(500));
  EXPECT_EQ(d.action, Action::defer);
  EXPECT_EQ(d.retry_after, seconds(1));  // rounded up, never 0
}

TEST(Decision, RetryAfterTheDelayWithinTheWindowPasses) {
  Sim sim;
  sim.at(kT0);
  const Decision d = sim.at(kT0 + minutes(5));
  EXPECT_EQ(d.action, Action::pass);
  EXPECT_FALSE(d.passed_before);
  EXPECT_TRUE(d.next.passed);
  EXPECT_EQ(d.next.passes, 1u);
  EXPECT_EQ(d.next.expires_at, kT0 + minutes(5) + hours(24 * 30));
}

TEST(Decision, PassedTripletKeepsPassingAndIsRefreshed) {
  Sim sim;
  sim.at(kT0);
  sim.at(kT0 + minutes(10));
  SysTime t = kT0 + minutes(10);
  for (int i = 0; i < 5; ++i) {
    t += hours(24 * 29);  // within the expiry each time: refreshed, so it never expires
    const Decision d = sim.at(t);
    EXPECT_EQ(d.action, Action::pass) << i;
    EXPECT_TRUE(d.passed_before);
    EXPECT_EQ(d.next.last_seen, t);
    EXPECT_EQ(d.next.expires_at, t + hours(24 * 30));
  }
  EXPECT_EQ(sim.stored->passes, 6u);
}

TEST(Decision, PassedTripletExpiresAfterExpiryWithoutTraffic) {
  Sim sim;
  sim.at(kT0);
  sim.at(kT0 + minutes(10));
  const Decision d = sim.at(kT0 + minutes(10) + hours(24 * 30) + seconds(1));
  EXPECT_EQ(d.action, Action::defer);
  EXPECT_EQ(d.retry_after, minutes(5));
  EXPECT_FALSE(d.next.passed);
  EXPECT_EQ(d.next.passes, 0u);
}

TEST(Decision, RetryAfterTheWindowStartsOver) {
  Sim sim;
  sim.at(kT0);
  const SysTime late = kT0 + hours(4) + seconds(1);
  Decision d = sim.at(late);
  EXPECT_EQ(d.action, Action::defer);
  EXPECT_EQ(d.retry_after, minutes(5));
  EXPECT_EQ(d.next.first_seen, late);
  d = sim.at(late + minutes(5));
  EXPECT_EQ(d.action, Action::pass);
  // At exactly the window's end it still passes.
  Sim edge;
  edge.at(kT0);
  EXPECT_EQ(edge.at(kT0 + hours(4)).action, Action::pass);
}

TEST(Decision, ClockGoingBackwardsCountsAsNoTime) {
  Sim sim;
  sim.at(kT0);
  Decision d = sim.at(kT0 - hours(1));
  EXPECT_EQ(d.action, Action::defer);
  EXPECT_EQ(d.retry_after, minutes(5));
  EXPECT_EQ(d.next.first_seen, kT0);
  EXPECT_EQ(d.next.last_seen, kT0);  // never moves back
  sim.at(kT0 + minutes(5));
  d = sim.at(kT0);  // passed, clock back: still passes, last_seen kept
  EXPECT_EQ(d.action, Action::pass);
  EXPECT_EQ(d.next.last_seen, kT0 + minutes(5));
}

TEST(Entry, RoundTripsAndRefusesGarbage) {
  Entry e;
  e.first_seen = kT0 + milliseconds(123);
  e.last_seen = kT0 + hours(1);
  e.expires_at = kT0 + hours(1000);
  e.passed = true;
  e.passes = 0xfffffffe;
  const std::string bytes = encode(e);
  EXPECT_EQ(decode(bytes), e);
  EXPECT_FALSE(decode(""));
  EXPECT_FALSE(decode(bytes.substr(0, bytes.size() - 1)));
  EXPECT_FALSE(decode(bytes + "x"));
  std::string wrong_version = bytes;
  wrong_version[0] = 2;
  EXPECT_FALSE(decode(wrong_version));
  std::string bad_flag = bytes;
  bad_flag[25] = 7;
  EXPECT_FALSE(decode(bad_flag));
}

TEST(Entry, PassesSaturate) {
  Entry e;
  e.first_seen = e.last_seen = kT0;
  e.passed = true;
  e.passes = UINT32_MAX;
  const Decision d = decide(e, kT0 + seconds(1), params());
  EXPECT_EQ(d.next.passes, UINT32_MAX);
}

}  // namespace
}  // namespace postern::router::greylist
