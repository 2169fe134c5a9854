// SecretBytes: guarded, move-only buffers; reads only through a View, and no access at all
// once the last View is gone (a death test proves the page protection is real).
#include "keystore/secret_bytes.h"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

namespace postern::keystore {
namespace {

TEST(SecretBytesTest, CopyOfHoldsTheBytes) {
  Result<SecretBytes> s = SecretBytes::copy_of("key material");
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s.value().size(), 12u);
  EXPECT_EQ(s.value().view().bytes(), "key material");
}

TEST(SecretBytesTest, RandomBuffersDiffer) {
  Result<SecretBytes> a = SecretBytes::random(32);
  Result<SecretBytes> b = SecretBytes::random(32);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_FALSE(a.value().equals(b.value()));
  EXPECT_NE(a.value().view().bytes(), std::string(32, '\0'));
}

TEST(SecretBytesTest, EqualsComparesContentAndSize) {
  Result<SecretBytes> a = SecretBytes::copy_of("abcdef");
  Result<SecretBytes> b = SecretBytes::copy_of("abcdef");
  Result<SecretBytes> c = SecretBytes::copy_of("abcdeg");
  Result<SecretBytes> d = SecretBytes::copy_of("abcde");
  ASSERT_TRUE(a.ok() && b.ok() && c.ok() && d.ok());
  EXPECT_TRUE(a.value().equals(b.value()));
  EXPECT_TRUE(a.value().equals(a.value()));
  EXPECT_FALSE(a.value().equals(c.value()));
  EXPECT_FALSE(a.value().equals(d.value()));
}

TEST(SecretBytesTest, SizeOutOfRangeIsRefused) {
  for (const std::size_t size : {std::size_t{0}, kMaxSecretBytes + 1}) {
    Result<SecretBytes> s = SecretBytes::random(size);
    ASSERT_FALSE(s.ok()) << size;
    EXPECT_EQ(s.error().code, Errc::invalid_argument);
  }
  EXPECT_TRUE(SecretBytes::random(kMaxSecretBytes).ok());
}

TEST(SecretBytesTest, FailedWriterYieldsItsErrorAndNoBuffer) {
  Result<SecretBytes> s = SecretBytes::fill(16, [](unsigned char* p, std::size_t n) {
    p[0] = 1;  // a partial write that must not escape
    (void)n;
    return std::optional<Error>(make_error(Errc::authentication_failed, "nope"));
  });
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, Errc::authentication_failed);
  EXPECT_EQ(s.error().message, "nope");
}

TEST(SecretBytesTest, MovedFromBufferIsEmpty) {
  Result<SecretBytes> a = SecretBytes::copy_of("secret");
  ASSERT_TRUE(a.ok());
  SecretBytes b = std::move(a).value();
  EXPECT_EQ(b.view().bytes(), "secret");
  SecretBytes c = std::move(b);
  EXPECT_EQ(b.size(), 0u);  // NOLINT(bugprone-use-after-move): the contract under test
  EXPECT_EQ(b.view().bytes(), "");
  EXPECT_EQ(c.view().bytes(), "secret");
}

TEST(SecretBytesTest, NestedViewsKeepTheBytesReadable) {
  Result<SecretBytes> s = SecretBytes::copy_of("nested");
  ASSERT_TRUE(s.ok());
  {
    const SecretBytes::View outer = s.value().view();
    {
      const SecretBytes::View inner = s.value().view();
      EXPECT_EQ(inner.bytes(), "nested");
    }
    // The inner view's end must not revoke the outer one's access.
    EXPECT_EQ(outer.bytes(), "nested");
  }
  EXPECT_EQ(s.value().view().bytes(), "nested");
}

TEST(SecretBytesTest, ConcurrentViewsNeverLoseAccess) {
  // Views opened and closed on several threads at once: one thread's last View must not make
  // the pages no-access while another still reads (that would fault, failing the run).
  Result<SecretBytes> s = SecretBytes::copy_of("shared secret");
  ASSERT_TRUE(s.ok());
  const SecretBytes& secret = s.value();
  std::atomic<int> mismatches{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&secret, &mismatches] {
      for (int i = 0; i < 2000; ++i) {
        const SecretBytes::View v = secret.view();
        if (v.bytes() != "shared secret") ++mismatches;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(mismatches.load(), 0);
}

TEST(SecretBytesDeathTest, BytesAreUnreadableWithoutAView) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  Result<SecretBytes> s = SecretBytes::copy_of("guarded");
  ASSERT_TRUE(s.ok());
  const unsigned char* leaked = nullptr;
  {
    const SecretBytes::View v = s.value().view();
    leaked = v.data();
  }
  EXPECT_DEATH(
      {
        volatile unsigned char c = leaked[0];
        (void)c;
      },
      "");
}

}  // namespace
}  // namespace postern::keystore
