#include "edge/received.h"

#include <gtest/gtest.h>

namespace postern::edge {
namespace {

TEST(Received, ProtocolNamesPerRfc3848) {
  ReceivedFacts f;
  f.helo = "c.example";
  f.client_ip = "2001:db8::1";
  f.hostname = "mx.example.org";
  f.id = "ABC1";
  f.when = std::chrono::system_clock::time_point(std::chrono::seconds(0));
  EXPECT_EQ(received_header(f),
            "Received: from c.example ([2001:db8::1])\r\n\tby mx.example.org (Postern) with "
            "ESMTP id ABC1;\r\n\tThu, 01 Jan 1970 00:00:00 +0000\r\n");
  f.tls = true;
  EXPECT_NE(received_header(f).find("with ESMTPS id"), std::string::npos);
  f.authenticated = true;
  EXPECT_NE(received_header(f).find("with ESMTPSA id"), std::string::npos);
  f.tls = false;
  EXPECT_NE(received_header(f).find("with ESMTPA id"), std::string::npos);
  f.esmtp = false;
  f.authenticated = false;
  EXPECT_NE(received_header(f).find("with SMTP id"), std::string::npos);
}

TEST(Received, LinesAreFoldedAndShort) {
  ReceivedFacts f;
  f.helo = std::string(255, 'h');
  f.client_ip = "192.0.2.1";
  f.hostname = "mx.example.org";
  f.tls = true;
  f.tls_description = "version=TLSv1.3 cipher=TLS_AES_256_GCM_SHA384 bits=256/256";
  f.id = "X";
  f.recipients = {"u@example.org"};
  const std::string h = received_header(f);
  std::size_t start = 0;
  int lines = 0;
  while (start < h.size()) {
    const std::size_t end = h.find("\r\n", start);
    ASSERT_NE(end, std::string::npos);
    EXPECT_LE(end - start, 998u);
    if (lines > 0) {
      EXPECT_EQ(h[start], '\t');
    }
    start = end + 2;
    ++lines;
  }
  EXPECT_EQ(lines, 5);
}

TEST(Rfc5322Date, FormatsUtc) {
  EXPECT_EQ(rfc5322_date(std::chrono::system_clock::time_point(std::chrono::seconds(1720000000))),
            "Wed, 03 Jul 2024 09:46:40 +0000");
}

}  // namespace
}  // namespace postern::edge
