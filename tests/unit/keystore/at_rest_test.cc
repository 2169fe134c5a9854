// The whole at-rest chain, from disk and back: identity file → wrapped NEK in the store →
// DKIM key sealed under the NEK in the store → everything reopened → same key. Then every file
// under the data directory is scanned: the DKIM key's PKCS#8 DER, any PEM marker and the raw
// NEK must appear nowhere (private keys are never on disk unencrypted).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "keystore/dkim_key.h"
#include "keystore/identity.h"
#include "keystore/rocksdb_store.h"
#include "keystore/seal.h"
#include "tests/unit/keystore/temp_dir.h"

namespace postern::keystore {
namespace {

using namespace std::string_literals;
using testing::TempDir;

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

struct Secrets {
  std::string der;      // the DKIM key's PKCS#8 DER
  std::string nek_raw;  // the NEK's 32 bytes
};

// Paths of regular files under `dir` whose contents contain `needle`.
std::vector<std::string> files_containing(const std::string& dir, const std::string& needle) {
  std::vector<std::string> hits;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    if (read_file(entry.path()).find(needle) != std::string::npos) {
      hits.push_back(entry.path().string());
    }
  }
  return hits;
}

class AtRestTest : public ::testing::TestWithParam<KeyType> {};

TEST_P(AtRestTest, DkimKeyThroughTheWholeChainAndNeverPlainOnDisk) {
  TempDir data;
  const std::string identity_path = data / "identity.key";
  const std::string db_path = data / "db";
  const std::string entry_name = "martdj.nl\0ed20240705"s;
  const EntryId entry{"dkim", entry_name};

  Secrets secrets;
  std::string fingerprint;
  std::size_t file_count = 0;
  {
    Result<Identity> identity = Identity::load_or_create(identity_path);
    ASSERT_TRUE(identity.ok()) << identity.error().message;
    Result<std::unique_ptr<RocksDbStore>> store = RocksDbStore::open(db_path);
    ASSERT_TRUE(store.ok()) << store.error().message;

    Result<Nek> nek = Nek::generate("main");
    ASSERT_TRUE(nek.ok());
    secrets.nek_raw = std::string(nek.value().key().view().bytes());
    Result<std::string> wrapped = identity.value().wrap_nek(nek.value());
    ASSERT_TRUE(wrapped.ok()) << wrapped.error().message;
    ASSERT_FALSE(store.value()->put("nek", "main", wrapped.value()));

    Result<DkimKey> key = GetParam() == KeyType::rsa ? DkimKey::generate_rsa(1024)
                                                     : DkimKey::generate_ed25519();
    ASSERT_TRUE(key.ok()) << key.error().message;
    fingerprint = key.value().fingerprint();
    Result<SecretBytes> der = key.value().to_der();
    ASSERT_TRUE(der.ok()) << der.error().message;
    secrets.der = std::string(der.value().view().bytes());
    Result<std::string> sealed = seal(nek.value(), entry, der.value().view().bytes());
    ASSERT_TRUE(sealed.ok()) << sealed.error().message;
    ASSERT_FALSE(store.value()->put(entry.kind, entry.name, sealed.value()));
  }

  // A restart: nothing but the data directory carries over.
  {
    Result<Identity> identity = Identity::load_or_create(identity_path);
    ASSERT_TRUE(identity.ok()) << identity.error().message;
    Result<std::unique_ptr<RocksDbStore>> store = RocksDbStore::open(db_path);
    ASSERT_TRUE(store.ok()) << store.error().message;
    Result<std::optional<std::string>> wrapped = store.value()->get("nek", "main");
    ASSERT_TRUE(wrapped.ok() && wrapped.value());
    Result<Nek> nek = identity.value().unwrap_nek("main", *wrapped.value());
    ASSERT_TRUE(nek.ok()) << nek.error().message;
    EXPECT_EQ(nek.value().key().view().bytes(), secrets.nek_raw);

    Result<std::vector<std::string>> names = store.value()->list("dkim");
    ASSERT_TRUE(names.ok());
    EXPECT_EQ(names.value(), std::vector<std::string>{entry_name});
    Result<std::optional<std::string>> sealed = store.value()->get(entry.kind, entry.name);
    ASSERT_TRUE(sealed.ok() && sealed.value());
    Result<SecretBytes> der = open(nek.value(), entry, *sealed.value());
    ASSERT_TRUE(der.ok()) << der.error().message;
    Result<DkimKey> key = DkimKey::from_der(der.value().view().bytes());
    ASSERT_TRUE(key.ok()) << key.error().message;
    EXPECT_EQ(key.value().type(), GetParam());
    EXPECT_EQ(key.value().fingerprint(), fingerprint);
  }

  for (const auto& entry_it : std::filesystem::recursive_directory_iterator(data.str())) {
    file_count += entry_it.is_regular_file() ? 1 : 0;
  }
  EXPECT_GE(file_count, 3u);  // the identity file and at least a RocksDB WAL/SST and manifest
  ASSERT_GE(secrets.der.size(), 48u);
  ASSERT_EQ(secrets.nek_raw.size(), kNekBytes);
  EXPECT_EQ(files_containing(data.str(), secrets.der), std::vector<std::string>{});
  // Also no long piece of the DER (the private part sits at its end).
  EXPECT_EQ(files_containing(data.str(), secrets.der.substr(secrets.der.size() - 32)),
            std::vector<std::string>{});
  EXPECT_EQ(files_containing(data.str(), secrets.nek_raw), std::vector<std::string>{});
  for (const char* marker : {"-----BEGIN", "PRIVATE KEY"}) {
    EXPECT_EQ(files_containing(data.str(), marker), std::vector<std::string>{}) << marker;
  }
  // The scan itself can find things: the sealed entry's kind/name is stored in the clear.
  EXPECT_FALSE(files_containing(data.str(), entry_name).empty());
}

INSTANTIATE_TEST_SUITE_P(KeyTypes, AtRestTest, ::testing::Values(KeyType::rsa, KeyType::ed25519),
                         [](const ::testing::TestParamInfo<KeyType>& info) {
                           return info.param == KeyType::rsa ? "Rsa" : "Ed25519";
                         });

}  // namespace
}  // namespace postern::keystore
