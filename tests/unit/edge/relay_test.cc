#include "edge/relay.h"

#include <gtest/gtest.h>

namespace postern::edge {
namespace {

TEST(IsLocalRecipient, OnlyPlainAddressesInLocalDomains) {
  const std::vector<std::string> local{"example.org"};
  using smtp::codec::Mailbox;
  EXPECT_TRUE(is_local_recipient(Mailbox{"u", "example.org"}, local));
  EXPECT_TRUE(is_local_recipient(Mailbox{"u", "EXAMPLE.org."}, local));
  EXPECT_FALSE(is_local_recipient(Mailbox{"u", "sub.example.org"}, local));
  EXPECT_FALSE(is_local_recipient(Mailbox{"u", "example.org.evil"}, local));
  EXPECT_FALSE(is_local_recipient(Mailbox{"u", "[127.0.0.1]"}, local));
  EXPECT_FALSE(is_local_recipient(Mailbox{"u%evil.example", "example.org"}, local));
  EXPECT_FALSE(is_local_recipient(Mailbox{"evil.example!u", "example.org"}, local));
  EXPECT_FALSE(is_local_recipient(Mailbox{"\"u@evil.example\"", "example.org"}, local));
  EXPECT_FALSE(is_local_recipient(Mailbox{"postmaster", ""}, local));
}

}  // namespace
}  // namespace postern::edge
