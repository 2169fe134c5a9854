// load_or_create_admin_token against a real temporary directory.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "common/config/config.h"

namespace postern::config {
namespace {

namespace fs = std::filesystem;

class AdminToken : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "postern-token-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { fs::remove_all(dir_); }

  Config config_with(const fs::path& file) {
    Config c;
    c.admin.token_file = file.string();
    return c;
  }

  fs::path dir_;
};

TEST_F(AdminToken, CreatesPrivateFileWithParentDirectory) {
  const fs::path file = dir_ / "nested" / "var" / "admin.token";
  const std::string token = load_or_create_admin_token(config_with(file));
  EXPECT_EQ(token.size(), 64u);
  EXPECT_EQ(token.find_first_not_of("0123456789abcdef"), std::string::npos);
  struct stat st {};
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  std::ifstream in(file);
  std::string on_disk;
  std::getline(in, on_disk);
  EXPECT_EQ(on_disk, token);
  // No temporary file is left behind.
  EXPECT_EQ(std::distance(fs::directory_iterator(file.parent_path()), fs::directory_iterator()),
            1);
}

TEST_F(AdminToken, ReusesExistingToken) {
  const fs::path file = dir_ / "admin.token";
  const std::string first = load_or_create_admin_token(config_with(file));
  const std::string second = load_or_create_admin_token(config_with(file));
  EXPECT_EQ(first, second);
}

TEST_F(AdminToken, TwoCreationsDiffer) {
  const std::string a = load_or_create_admin_token(config_with(dir_ / "a"));
  const std::string b = load_or_create_admin_token(config_with(dir_ / "b"));
  EXPECT_NE(a, b);
}

TEST_F(AdminToken, ReadsHandWrittenTokenWithoutNewline) {
  const fs::path file = dir_ / "admin.token";
  std::ofstream(file) << "0123456789abcdef0123456789abcdef-hand\n\n";
  EXPECT_EQ(load_or_create_admin_token(config_with(file)),
            "0123456789abcdef0123456789abcdef-hand");
}

TEST_F(AdminToken, RefusesShortToken) {
  const fs::path file = dir_ / "admin.token";
  std::ofstream(file) << "secret\n";
  try {
    load_or_create_admin_token(config_with(file));
    FAIL() << "accepted a short token";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()),
              "token file " + file.string() +
                  ": shorter than 32 characters (delete it to generate one)");
  }
}

}  // namespace
}  // namespace postern::config
