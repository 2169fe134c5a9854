// Where posternctl connects and which token it presents (services/ctl_target.h): the
// resolution order flag > environment > config, and token files read from real temporary
// files.
#include "services/ctl_target.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

namespace postern::services {
namespace {

namespace fs = std::filesystem;

class CtlTarget : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "postern-ctl-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    config_.router.listen = config::HostPort{"127.0.0.9", 7123};
    config_.admin.token_file = write("config.token", "config-token\n");
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string write(const std::string& name, const std::string& content) {
    const fs::path path = dir_ / name;
    std::ofstream(path, std::ios::binary) << content;
    return path.string();
  }

  // The what() of the runtime_error `f` throws ("" when it throws nothing).
  template <typename F>
  static std::string error_of(F f) {
    try {
      f();
    } catch (const std::runtime_error& e) {
      return e.what();
    }
    return "";
  }

  fs::path dir_;
  config::Config config_;
};

// -- server --

TEST_F(CtlTarget, ServerFlagWinsOverConfig) {
  CtlOptions o;
  o.server = "10.0.0.1:9000";
  EXPECT_EQ(resolve_server(o, &config_), "10.0.0.1:9000");
  EXPECT_EQ(resolve_server(o, nullptr), "10.0.0.1:9000");
}

TEST_F(CtlTarget, ServerFromConfigRouterListen) {
  EXPECT_EQ(resolve_server(CtlOptions{}, &config_), "127.0.0.9:7123");
  config_.router.listen = config::HostPort{"::1", 7001};
  EXPECT_EQ(resolve_server(CtlOptions{}, &config_), "[::1]:7001");
}

TEST_F(CtlTarget, ServerDefaultsToTheRouterDefault) {
  EXPECT_EQ(resolve_server(CtlOptions{}, nullptr), "127.0.0.1:7001");
  // ... which is also what a config without router.listen says.
  const config::Config defaults;
  EXPECT_EQ(resolve_server(CtlOptions{}, nullptr), resolve_server(CtlOptions{}, &defaults));
}

TEST_F(CtlTarget, KeymgmtServerIsTheKeystore) {
  CtlOptions o;
  EXPECT_EQ(resolve_keystore_server(o, nullptr), "127.0.0.1:7002");
  config_.keystore.listen = config::HostPort{"127.0.0.9", 7124};
  EXPECT_EQ(resolve_keystore_server(o, &config_), "127.0.0.9:7124");
  o.server = "10.0.0.1:9000";
  EXPECT_EQ(resolve_keystore_server(o, &config_), "10.0.0.1:9000");
  const config::Config defaults;
  EXPECT_EQ(resolve_keystore_server(CtlOptions{}, &defaults), "127.0.0.1:7002");
}

// -- token: order --

TEST_F(CtlTarget, TokenFileFlagWinsOverEnvironmentAndConfig) {
  CtlOptions o;
  o.token_file = write("flag.token", "flag-token\n");
  const AdminToken t = resolve_token(o, "env-token", &config_);
  EXPECT_EQ(t.value, "flag-token");
  EXPECT_EQ(t.source, "--token-file " + o.token_file);
}

TEST_F(CtlTarget, EnvironmentWinsOverConfig) {
  const AdminToken t = resolve_token(CtlOptions{}, "env-token", &config_);
  EXPECT_EQ(t.value, "env-token");
  EXPECT_EQ(t.source, "POSTERN_ADMIN_TOKEN");
}

TEST_F(CtlTarget, EmptyEnvironmentCountsAsUnset) {
  const AdminToken t = resolve_token(CtlOptions{}, "", &config_);
  EXPECT_EQ(t.value, "config-token");
  EXPECT_EQ(t.source, "admin.token_file " + config_.admin.token_file);
}

TEST_F(CtlTarget, ConfigTokenFileIsTheLastResort) {
  const AdminToken t = resolve_token(CtlOptions{}, nullptr, &config_);
  EXPECT_EQ(t.value, "config-token");
  EXPECT_EQ(t.source, "admin.token_file " + config_.admin.token_file);
}

TEST_F(CtlTarget, NoSourceIsAnErrorNamingEverySource) {
  const std::string error = error_of([] { resolve_token(CtlOptions{}, nullptr, nullptr); });
  EXPECT_NE(error.find("--token-file"), std::string::npos) << error;
  EXPECT_NE(error.find("POSTERN_ADMIN_TOKEN"), std::string::npos) << error;
  EXPECT_NE(error.find("admin.token_file"), std::string::npos) << error;
}

TEST_F(CtlTarget, AnUnreadableFlagFileIsAnErrorNotAFallback) {
  // An explicit choice that fails must not silently become another identity.
  CtlOptions o;
  o.token_file = (dir_ / "missing.token").string();
  const std::string error = error_of([&] { resolve_token(o, "env-token", &config_); });
  EXPECT_NE(error.find(o.token_file), std::string::npos) << error;
}

TEST_F(CtlTarget, AMissingConfigTokenFileIsNotCreatedByPosternctl) {
  config_.admin.token_file = (dir_ / "var" / "admin.token").string();
  const std::string error = error_of([&] { resolve_token(CtlOptions{}, nullptr, &config_); });
  EXPECT_NE(error.find(config_.admin.token_file), std::string::npos) << error;
  EXPECT_FALSE(fs::exists(config_.admin.token_file));
}

// -- token files --

TEST_F(CtlTarget, TokenFileLosesTrailingWhitespaceOnly) {
  EXPECT_EQ(read_token_file(write("a", "abc123\n")), "abc123");
  EXPECT_EQ(read_token_file(write("b", "abc123\r\n")), "abc123");
  EXPECT_EQ(read_token_file(write("c", "abc123 \t\n\n")), "abc123");
  EXPECT_EQ(read_token_file(write("d", "abc123")), "abc123");
  EXPECT_EQ(read_token_file(write("e", " abc 123\n")), " abc 123");
}

TEST_F(CtlTarget, EmptyOrBlankTokenFileIsRefused) {
  for (const char* content : {"", "\n", " \r\n\t"}) {
    const std::string file = write("blank", content);
    const std::string error = error_of([&] { read_token_file(file); });
    EXPECT_NE(error.find("empty"), std::string::npos) << "content '" << content << "': " << error;
    EXPECT_NE(error.find(file), std::string::npos) << error;
  }
}

TEST_F(CtlTarget, MissingTokenFileNamesTheFileAndTheReason) {
  const std::string file = (dir_ / "nope").string();
  const std::string error = error_of([&] { read_token_file(file); });
  EXPECT_NE(error.find(file), std::string::npos) << error;
  EXPECT_NE(error.find("No such file"), std::string::npos) << error;
}

}  // namespace
}  // namespace postern::services
