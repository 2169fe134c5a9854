#include "keystore/service/status.h"

#include <gtest/gtest.h>

namespace postern::keystore::service {
namespace {

TEST(StatusMapping, FollowsTheProtoTable) {
  const std::pair<Errc, grpc::StatusCode> table[] = {
      {Errc::invalid_argument, grpc::StatusCode::INVALID_ARGUMENT},
      {Errc::malformed, grpc::StatusCode::INVALID_ARGUMENT},
      {Errc::unsupported_version, grpc::StatusCode::INVALID_ARGUMENT},
      {Errc::authentication_failed, grpc::StatusCode::INVALID_ARGUMENT},
      {Errc::wrong_password, grpc::StatusCode::INVALID_ARGUMENT},
      {Errc::tampered, grpc::StatusCode::INVALID_ARGUMENT},
      {Errc::unsupported_key, grpc::StatusCode::INVALID_ARGUMENT},
      {Errc::not_found, grpc::StatusCode::NOT_FOUND},
      {Errc::already_exists, grpc::StatusCode::ALREADY_EXISTS},
      {Errc::no_credstore, grpc::StatusCode::FAILED_PRECONDITION},
      {Errc::resource, grpc::StatusCode::UNAVAILABLE},
  };
  for (const auto& [errc, code] : table) {
    const grpc::Status s = to_status(make_error(errc, "the reason"));
    EXPECT_EQ(s.error_code(), code) << static_cast<int>(errc);
    EXPECT_NE(s.error_message().find("the reason"), std::string::npos);
  }
}

TEST(StatusMapping, KeepsTheMessageVerbatim) {
  const grpc::Status s = to_status(make_error(Errc::wrong_password, "wrong password for the file"));
  EXPECT_EQ(s.error_message(), "wrong password for the file");
}

TEST(StatusMapping, NoCredstoreSaysHowToCreateOne) {
  const grpc::Status s = to_status(make_error(Errc::no_credstore, "no credential store yet"));
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(s.error_message(),
            "no credential store yet; run posternctl keymgmt create credstore NEK");
  // Not twice when the vault's message has the hint already.
  const grpc::Status again = to_status(make_error(Errc::no_credstore, s.error_message()));
  EXPECT_EQ(again.error_message(), s.error_message());
}

}  // namespace
}  // namespace postern::keystore::service
