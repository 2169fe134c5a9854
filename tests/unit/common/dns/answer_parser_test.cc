// Table tests for the pure DNS answer parsers over hand-built RFC 1035 replies.
#include "common/dns/answer_parser.h"

#include <ares.h>
#include <gtest/gtest.h>

#include "common/dns/reverse_name.h"

namespace postern::dns {
namespace {

namespace ip = boost::asio::ip;
using Wire = std::vector<unsigned char>;

enum : uint16_t { A = 1, CNAME = 5, PTR = 12, MX = 15, TXT = 16, AAAA = 28 };

void u16(Wire& w, uint16_t v) {
  w.push_back(static_cast<unsigned char>(v >> 8));
  w.push_back(static_cast<unsigned char>(v & 0xff));
}

Wire name(const std::string& dotted) {
  Wire w;
  std::size_t start = 0;
  while (start < dotted.size()) {
    auto dot = dotted.find('.', start);
    if (dot == std::string::npos) dot = dotted.size();
    w.push_back(static_cast<unsigned char>(dot - start));
    w.insert(w.end(), dotted.begin() + static_cast<long>(start), dotted.begin() + static_cast<long>(dot));
    start = dot + 1;
  }
  w.push_back(0);
  return w;
}

struct Rr {
  std::string owner;
  uint16_t type;
  Wire rdata;
};

// A response to one question (qname, qtype) with the given answers, RCODE NOERROR.
Wire reply(const std::string& qname, uint16_t qtype, const std::vector<Rr>& answers) {
  Wire w;
  u16(w, 0x1234);
  u16(w, 0x8180);  // QR, RD, RA
  u16(w, 1);
  u16(w, static_cast<uint16_t>(answers.size()));
  u16(w, 0);
  u16(w, 0);
  Wire q = name(qname);
  w.insert(w.end(), q.begin(), q.end());
  u16(w, qtype);
  u16(w, 1);
  for (const auto& rr : answers) {
    Wire o = name(rr.owner);
    w.insert(w.end(), o.begin(), o.end());
    u16(w, rr.type);
    u16(w, 1);
    u16(w, 0);
    u16(w, 300);
    u16(w, static_cast<uint16_t>(rr.rdata.size()));
    w.insert(w.end(), rr.rdata.begin(), rr.rdata.end());
  }
  return w;
}

Wire mx_rdata(uint16_t pref, const std::string& host) {
  Wire w;
  u16(w, pref);
  Wire n = host.empty() ? Wire{0} : name(host);
  w.insert(w.end(), n.begin(), n.end());
  return w;
}

Wire txt_rdata(const std::vector<std::string>& strings) {
  Wire w;
  for (const auto& s : strings) {
    w.push_back(static_cast<unsigned char>(s.size()));
    w.insert(w.end(), s.begin(), s.end());
  }
  return w;
}

Bytes bytes(const Wire& w) { return Bytes(w.data(), w.size()); }

TEST(DnsAnswerParser, MxRecordsInAnswerOrderWithoutTrailingDot) {
  const Wire w = reply("example.test", MX,
                       {{"example.test", MX, mx_rdata(20, "mx2.example.test")},
                        {"example.test", MX, mx_rdata(10, "mx1.example.test")}});
  const auto answer = parse_mx(bytes(w));
  ASSERT_EQ(answer.status, Status::ok) << answer.error;
  ASSERT_EQ(answer.records.size(), 2u);
  EXPECT_EQ(answer.records[0].preference, 20);
  EXPECT_EQ(answer.records[0].host, "mx2.example.test");
  EXPECT_EQ(answer.records[1].preference, 10);
  EXPECT_EQ(answer.records[1].host, "mx1.example.test");
}

TEST(DnsAnswerParser, NullMxIsEmptyHost) {
  const Wire w = reply("example.test", MX, {{"example.test", MX, mx_rdata(0, "")}});
  const auto answer = parse_mx(bytes(w));
  ASSERT_EQ(answer.status, Status::ok) << answer.error;
  ASSERT_EQ(answer.records.size(), 1u);
  EXPECT_EQ(answer.records[0].preference, 0);
  EXPECT_EQ(answer.records[0].host, "");
}

TEST(DnsAnswerParser, OnlyCnameInAnswerIsNodata) {
  const Wire w = reply("alias.test", MX, {{"alias.test", CNAME, name("target.test")}});
  EXPECT_EQ(parse_mx(bytes(w)).status, Status::nodata);
}

TEST(DnsAnswerParser, TruncatedOrGarbageIsPermerror) {
  Wire w = reply("example.test", MX, {{"example.test", MX, mx_rdata(10, "mx.example.test")}});
  for (std::size_t cut : {std::size_t{0}, std::size_t{5}, std::size_t{12}, w.size() - 3}) {
    Wire part(w.begin(), w.begin() + static_cast<long>(cut));
    EXPECT_EQ(parse_mx(bytes(part)).status, Status::permerror) << "cut at " << cut;
  }
  const Wire garbage(40, 0xff);
  EXPECT_EQ(parse_mx(bytes(garbage)).status, Status::permerror);
  EXPECT_EQ(parse_a(bytes(garbage)).status, Status::permerror);
  EXPECT_EQ(parse_txt(bytes(garbage)).status, Status::permerror);
}

TEST(DnsAnswerParser, AddressesFollowCname) {
  const Wire w = reply("alias.test", A,
                       {{"alias.test", CNAME, name("host.test")},
                        {"host.test", A, {192, 0, 2, 1}},
                        {"host.test", A, {192, 0, 2, 2}}});
  const auto answer = parse_a(bytes(w));
  ASSERT_EQ(answer.status, Status::ok) << answer.error;
  ASSERT_EQ(answer.records.size(), 2u);
  EXPECT_EQ(answer.records[0], ip::make_address("192.0.2.1"));
  EXPECT_EQ(answer.records[1], ip::make_address("192.0.2.2"));
}

TEST(DnsAnswerParser, Aaaa) {
  Wire v6(16, 0);
  v6[0] = 0x20, v6[1] = 0x01, v6[2] = 0x0d, v6[3] = 0xb8, v6[15] = 1;
  const Wire w = reply("host.test", AAAA, {{"host.test", AAAA, v6}});
  const auto answer = parse_aaaa(bytes(w));
  ASSERT_EQ(answer.status, Status::ok) << answer.error;
  ASSERT_EQ(answer.records.size(), 1u);
  EXPECT_EQ(answer.records[0], ip::make_address("2001:db8::1"));
}

TEST(DnsAnswerParser, TxtConcatenatesStringsPerRecord) {
  const Wire w = reply("txt.test", TXT,
                       {{"txt.test", TXT, txt_rdata({"v=spf1 ", "ip4:192.0.2.0/24 ", "-all"})},
                        {"txt.test", TXT, txt_rdata({"second"})},
                        {"txt.test", TXT, txt_rdata({""})}});
  const auto answer = parse_txt(bytes(w));
  ASSERT_EQ(answer.status, Status::ok) << answer.error;
  ASSERT_EQ(answer.records.size(), 3u);
  EXPECT_EQ(answer.records[0], "v=spf1 ip4:192.0.2.0/24 -all");
  EXPECT_EQ(answer.records[1], "second");
  EXPECT_EQ(answer.records[2], "");
}

TEST(DnsAnswerParser, PtrNames) {
  const Wire w = reply("1.2.0.192.in-addr.arpa", PTR,
                       {{"1.2.0.192.in-addr.arpa", PTR, name("host.test")},
                        {"1.2.0.192.in-addr.arpa", PTR, name("other.test")}});
  const auto answer = parse_ptr(bytes(w));
  ASSERT_EQ(answer.status, Status::ok) << answer.error;
  ASSERT_EQ(answer.records.size(), 2u);
  EXPECT_EQ(answer.records[0], "host.test");
  EXPECT_EQ(answer.records[1], "other.test");
}

TEST(DnsAnswerParser, StatusMapping) {
  struct Case {
    int ares;
    Status expected;
  } cases[] = {
      {ARES_SUCCESS, Status::ok},           {ARES_ENOTFOUND, Status::nxdomain},
      {ARES_ENODATA, Status::nodata},       {ARES_ETIMEOUT, Status::temperror},
      {ARES_ESERVFAIL, Status::temperror},  {ARES_EREFUSED, Status::temperror},
      {ARES_ECONNREFUSED, Status::temperror}, {ARES_EDESTRUCTION, Status::temperror},
      {ARES_EBADRESP, Status::permerror},   {ARES_EBADNAME, Status::permerror},
      {ARES_EFORMERR, Status::permerror},
  };
  for (const auto& c : cases) EXPECT_EQ(status_from_ares(c.ares), c.expected) << c.ares;
}

TEST(DnsReverseName, V4V6AndMapped) {
  EXPECT_EQ(reverse_name(ip::make_address("192.0.2.1")), "1.2.0.192.in-addr.arpa");
  EXPECT_EQ(reverse_name(ip::make_address("::ffff:192.0.2.1")), "1.2.0.192.in-addr.arpa");
  EXPECT_EQ(reverse_name(ip::make_address("2001:db8::1")),
            "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa");
}

}  // namespace
}  // namespace postern::dns
