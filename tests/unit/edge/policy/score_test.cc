// The reputation score as a table: facts and thresholds in, verdict out (policy/score.h).
#include "edge/policy/score.h"

#include <gtest/gtest.h>

namespace postern::edge::policy {
namespace {

using Kind = ScoreVerdict::Kind;

config::InboundScore thresholds(std::optional<double> tag, std::optional<double> defer,
                                std::optional<double> reject) {
  config::InboundScore s;
  s.tag = tag;
  s.defer = defer;
  s.reject = reject;
  return s;
}

Facts facts(std::initializer_list<double> weights) {
  Facts out;
  int i = 0;
  for (double w : weights) out.push_back(Fact{"f" + std::to_string(i++), w, "", Stage::connect});
  return out;
}

struct Row {
  const char* name;
  std::initializer_list<double> weights;
  Later later;
  bool final_stage;
  Kind expected;
};

TEST(Score, Table) {
  const config::InboundScore s = thresholds(3, 6, 10);
  const Row rows[] = {
      {"nothing_final_accepts", {}, {}, true, Kind::accept},
      {"nothing_early_pending", {}, {}, false, Kind::pending},
      {"below_tag", {1, 1.5}, {}, true, Kind::accept},
      {"at_tag", {1.5, 1.5}, {}, true, Kind::tag},
      {"tag_is_never_early", {4}, {}, false, Kind::pending},
      {"at_defer", {6}, {}, true, Kind::defer},
      {"defer_early_when_certain", {7}, {-1, 2}, false, Kind::defer},
      {"defer_not_certain_down", {7}, {-2, 0}, false, Kind::pending},
      {"defer_not_certain_up", {7}, {-1, 3}, false, Kind::pending},
      {"reject_wins_over_defer", {5, 5}, {}, true, Kind::reject},
      {"reject_early_when_certain", {12}, {-2, 5}, false, Kind::reject},
      {"reject_uncertain_pending", {12}, {-5, 0}, false, Kind::pending},
      {"final_ignores_later", {12}, {-5, 0}, true, Kind::reject},
      {"negative_facts_lower", {12, -5}, {}, true, Kind::defer},
      {"dnswl_cancels", {5, -5}, {}, true, Kind::accept},
  };
  for (const auto& r : rows) {
    const ScoreVerdict v = evaluate(s, facts(r.weights), r.later, r.final_stage);
    EXPECT_EQ(v.kind, r.expected) << r.name << ": " << v.reason;
    if (r.expected == Kind::reject) {
      ASSERT_TRUE(v.reply) << r.name;
      EXPECT_EQ(v.reply->to_string().substr(0, 9), "550 5.7.1") << r.name;
    } else if (r.expected == Kind::defer) {
      ASSERT_TRUE(v.reply) << r.name;
      EXPECT_EQ(v.reply->to_string().substr(0, 9), "451 4.7.1") << r.name;
    } else {
      EXPECT_FALSE(v.reply) << r.name;
    }
  }
}

TEST(Score, UnsetThresholdsNeverApply) {
  const config::InboundScore s = thresholds(std::nullopt, std::nullopt, std::nullopt);
  EXPECT_EQ(evaluate(s, facts({100}), {}, true).kind, Kind::accept);
  EXPECT_EQ(evaluate(s, facts({100}), {}, false).kind, Kind::pending);
}

TEST(Score, DefaultsTagNothingAndRejectNothing) {
  const config::InboundScore s;
  EXPECT_FALSE(s.tag);
  EXPECT_FALSE(s.defer);
  EXPECT_FALSE(s.reject);
  EXPECT_EQ(s.weights.at("no_ptr"), 1.5);
  EXPECT_LT(s.weights.at("authenticated"), 0);
}

TEST(Score, ReasonListsEveryFact) {
  const config::InboundScore s = thresholds(1, std::nullopt, 2);
  Facts f{Fact{"no_ptr", 1.5, "", Stage::connect}, Fact{"dnsbl:bl.test", 5, "", Stage::connect},
          Fact{"dnswl:wl.test", -1, "", Stage::connect}};
  const ScoreVerdict v = evaluate(s, f, {}, true);
  EXPECT_EQ(v.kind, Kind::reject);
  EXPECT_EQ(v.reason, "score 5.5 >= reject 2 (no_ptr=+1.5 dnsbl:bl.test=+5 dnswl:wl.test=-1)");
  EXPECT_EQ(score_header(v, f),
            "X-Postern-Score: 5.5 (reject no_ptr=+1.5 dnsbl:bl.test=+5 dnswl:wl.test=-1)\r\n");
}

TEST(Score, HeaderIsFolded) {
  Facts f;
  for (int i = 0; i < 12; ++i) f.push_back(Fact{"dnsbl:zone" + std::to_string(i) + ".example", 1, "", Stage::connect});
  ScoreVerdict v;
  v.kind = Kind::tag;
  v.total = 12;
  const std::string h = score_header(v, f);
  std::size_t start = 0;
  while (true) {
    const std::size_t end = h.find("\r\n", start);
    ASSERT_NE(end, std::string::npos);
    EXPECT_LE(end - start, 78u) << h;
    start = end + 2;
    if (start >= h.size()) break;
    EXPECT_EQ(h[start], '\t');
  }
}

TEST(Score, StillPossibleCountsOnlyLaterNegativeFacts) {
  config::InboundScore s;
  s.weights = {{"no_ptr", 2},        {"authenticated", -10}, {"greylist_passed", -1},
               {"spf_none", -0.5},  {"spf_fail", 3},        {"spf_softfail", 1},
               {"dkim_fail", 2},    {"helo_mismatch", 1}};
  EXPECT_EQ(still_possible(s, Stage::connect, true, true).down, -11.5);
  EXPECT_EQ(still_possible(s, Stage::connect, true, true).up, 6);  // helo + worst SPF + DKIM
  EXPECT_EQ(still_possible(s, Stage::connect, false, false).down, -0.5);
  EXPECT_EQ(still_possible(s, Stage::mail, true, true).down, -1.5);
  EXPECT_EQ(still_possible(s, Stage::mail, true, true).up, 5);
  EXPECT_EQ(still_possible(s, Stage::rcpt, true, true).down, -0.5);
  EXPECT_EQ(still_possible(s, Stage::data, true, true).down, 0);
}

}  // namespace
}  // namespace postern::edge::policy
