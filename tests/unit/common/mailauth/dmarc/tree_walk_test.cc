// Record selection at one name (RFC 7489 6.6.3) and the DMARCbis tree walk, as pure functions.
#include "common/mailauth/dmarc/tree_walk.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace postern::mailauth::dmarc {
namespace {

using Names = std::vector<std::string>;

TEST(DmarcSelectRecord, Table) {
  EXPECT_EQ(select_record({}).status, LookupStatus::none);
  EXPECT_EQ(select_record({"v=spf1 -all", "hello"}).status, LookupStatus::none);
  const RecordLookup one = select_record({"v=spf1 -all", "v=DMARC1; p=reject"});
  ASSERT_EQ(one.status, LookupStatus::found);
  EXPECT_EQ(one.record->p, Policy::reject);
  // Several DMARC records: as if none was published (6.6.3 step 4).
  const RecordLookup two = select_record({"v=DMARC1; p=reject", "v=DMARC1; p=none"});
  EXPECT_EQ(two.status, LookupStatus::none);
  EXPECT_EQ(two.detail, "several DMARC records");
  // One DMARC record that is broken: invalid, not none (it ends discovery with permerror).
  EXPECT_EQ(select_record({"v=DMARC1; p=bogus"}).status, LookupStatus::invalid);
  // A record that only looks like DMARC further in is not one.
  EXPECT_EQ(select_record({"p=reject; v=DMARC1"}).status, LookupStatus::none);
}

TEST(DmarcSelectRecord, ManyTxtRecordsAreCapped) {
  std::vector<std::string> txt(kMaxTxtRecords, "filler");
  txt.push_back("v=DMARC1; p=reject");  // beyond the cap: not looked at
  EXPECT_EQ(select_record(txt).status, LookupStatus::none);
}

TEST(DmarcTreeWalk, Targets) {
  EXPECT_EQ(tree_walk_targets(""), Names{});
  EXPECT_EQ(tree_walk_targets("com"), Names{"com"});
  EXPECT_EQ(tree_walk_targets("example.com"), (Names{"example.com", "com"}));
  EXPECT_EQ(tree_walk_targets("a.mail.example.com"),
            (Names{"a.mail.example.com", "mail.example.com", "example.com", "com"}));
  // 7 labels: one at a time.
  EXPECT_EQ(tree_walk_targets("a.b.c.d.e.f.g"),
            (Names{"a.b.c.d.e.f.g", "b.c.d.e.f.g", "c.d.e.f.g", "d.e.f.g", "e.f.g", "f.g", "g"}));
  // 8 labels or more: jump to the last 7 after the first query; 8 lookups at most.
  EXPECT_EQ(tree_walk_targets("a.b.c.d.e.f.g.h"),
            (Names{"a.b.c.d.e.f.g.h", "b.c.d.e.f.g.h", "c.d.e.f.g.h", "d.e.f.g.h", "e.f.g.h",
                   "f.g.h", "g.h", "h"}));
  std::string deep;
  for (int i = 0; i < 100; ++i) deep += "x" + std::to_string(i) + ".";
  deep += "example.com";
  const Names t = tree_walk_targets(deep);
  ASSERT_EQ(t.size(), kMaxTreeWalkLookups);
  EXPECT_EQ(t.front(), deep);
  EXPECT_EQ(t[1], "x95.x96.x97.x98.x99.example.com");  // 7 labels
  EXPECT_EQ(t.back(), "com");
}

WalkStep none(std::string d) { return WalkStep{std::move(d), RecordLookup{}}; }
WalkStep found(std::string d, std::string_view text) {
  return WalkStep{std::move(d), select_record({std::string(text)})};
}

TEST(DmarcTreeWalk, OrgDomainSelection) {
  const std::string start = "a.mail.example.com";
  // Nothing published anywhere: the start domain itself.
  EXPECT_EQ(select_org_domain(start, {none(start), none("mail.example.com"),
                                      none("example.com"), none("com")}),
            start);
  // Records without psd: the one with the fewest labels.
  EXPECT_EQ(select_org_domain(start, {found(start, "v=DMARC1; p=none"), none("mail.example.com"),
                                      found("example.com", "v=DMARC1; p=reject"), none("com")}),
            "example.com");
  // psd=n wins where it is found.
  EXPECT_EQ(select_org_domain(start, {none(start),
                                      found("mail.example.com", "v=DMARC1; p=none; psd=n"),
                                      found("example.com", "v=DMARC1; p=reject")}),
            "mail.example.com");
  // psd=y above the start: one label below it.
  EXPECT_EQ(select_org_domain(start, {none(start), none("mail.example.com"), none("example.com"),
                                      found("com", "v=DMARC1; p=none; psd=y")}),
            "example.com");
  // psd=y at the start itself does not count as "above".
  EXPECT_EQ(select_org_domain("example.com", {found("example.com", "v=DMARC1; p=none; psd=y"),
                                              none("com")}),
            "example.com");
  // Invalid records do not count.
  EXPECT_EQ(select_org_domain(start, {none(start), found("example.com", "v=DMARC1; p=bad")}),
            start);
}

TEST(DmarcTreeWalk, WhereTheOrgWalkStops) {
  EXPECT_TRUE(ends_org_walk(found("x.example", "v=DMARC1; p=none; psd=n"), true));
  EXPECT_FALSE(ends_org_walk(found("x.example", "v=DMARC1; p=none; psd=y"), true));
  EXPECT_TRUE(ends_org_walk(found("example", "v=DMARC1; p=none; psd=y"), false));
  EXPECT_FALSE(ends_org_walk(found("x.example", "v=DMARC1; p=none"), false));
  EXPECT_FALSE(ends_org_walk(none("x.example"), false));
}

}  // namespace
}  // namespace postern::mailauth::dmarc
