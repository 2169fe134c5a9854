#include "services/ctl_keymgmt.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>

#include "postern/v1/keystore.grpc.pb.h"
#include "services/keymgmt_format.h"
#include "services/password_input.h"

namespace postern::services {
namespace {

namespace v1 = postern::v1;
using Stub = v1::KeyManagement::Stub;

// Calls that do slow work on the keystore (Argon2id, RSA generation) get this much more time
// than --timeout.
constexpr auto kSlowCallExtra = std::chrono::seconds(60);

// A string holding a password, PEM key or secret value: wiped when it goes.
struct Sensitive {
  std::string value;
  Sensitive() = default;
  explicit Sensitive(std::string v) : value(std::move(v)) {}
  Sensitive(const Sensitive&) = delete;
  Sensitive& operator=(const Sensitive&) = delete;
  ~Sensitive() { wipe(value); }
};

std::string errno_text() { return std::strerror(errno); }

std::string read_file(const std::string& path, const std::string& what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + what + " " + path + ": " + errno_text());
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// A password or secret value file: its first line, without the line ending.
std::string read_first_line(const std::string& path, const std::string& what) {
  Sensitive content(read_file(path, what));
  const std::size_t end = content.value.find('\n');
  std::string line = content.value.substr(0, end);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (line.empty()) {
    throw std::runtime_error(what + " " + path + " is empty (its first line is used)");
  }
  return line;
}

void write_all(int fd, std::string_view content, const std::string& path) {
  while (!content.empty()) {
    const ssize_t n = ::write(fd, content.data(), content.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw std::runtime_error("cannot write " + path + ": " + errno_text());
    content.remove_prefix(static_cast<std::size_t>(n));
  }
}

// Key-bearing output (NEK exports, bundles): mode 0600, never replacing a file, synced.
void write_new_file(const std::string& path, std::string_view content) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == EEXIST) {
      throw std::runtime_error(path + " exists already; choose another file name (it is "
                               "never replaced)");
    }
    throw std::runtime_error("cannot create " + path + ": " + errno_text());
  }
  try {
    write_all(fd, content, path);
    if (::fsync(fd) != 0) throw std::runtime_error("cannot sync " + path + ": " + errno_text());
  } catch (...) {
    ::close(fd);
    ::unlink(path.c_str());
    throw;
  }
  if (::close(fd) != 0) throw std::runtime_error("cannot write " + path + ": " + errno_text());
}

// Public output (a zone-file line): replaced if present.
void write_public_file(const std::string& path, std::string_view content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  out.flush();
  if (!out) throw std::runtime_error("cannot write " + path + ": " + errno_text());
}

std::string password_from(const std::string& password_file, bool new_password) {
  if (!password_file.empty()) return read_first_line(password_file, "password file");
  return new_password ? read_new_password() : read_password("Password: ");
}

std::string describe_error(const grpc::Status& status, const CtlConnection& c) {
  const std::string detail =
      status.error_message().empty() ? "" : " (" + status.error_message() + ")";
  switch (status.error_code()) {
    case grpc::StatusCode::UNAVAILABLE:
      if (status.error_message().find("connect") == std::string::npos &&
          !status.error_message().empty()) {
        return "the keystore at " + c.server + " cannot do this now: " + status.error_message();
      }
      return "cannot reach the keystore at " + c.server + detail +
             "; is it running? (--server HOST:PORT, default keystore.listen)";
    case grpc::StatusCode::UNAUTHENTICATED:
    case grpc::StatusCode::PERMISSION_DENIED:
      return "the keystore at " + c.server + " refused the admin token from " +
             (c.token.source.empty() ? "nowhere" : c.token.source) + detail +
             "; use the keystore's admin.token_file";
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return "the keystore at " + c.server + " did not answer in time";
    case grpc::StatusCode::UNIMPLEMENTED:
      return "the server at " + c.server + " is not a keystore" + detail +
             " (--server should be keystore.listen)";
    case grpc::StatusCode::INVALID_ARGUMENT:
    case grpc::StatusCode::NOT_FOUND:
    case grpc::StatusCode::ALREADY_EXISTS:
    case grpc::StatusCode::FAILED_PRECONDITION:
      return status.error_message();
    default:
      return "call failed: gRPC status " + std::to_string(static_cast<int>(status.error_code())) +
             detail;
  }
}

// One KeyManagement call with the token and a deadline.
template <class Request, class Reply>
grpc::Status call(const CtlConnection& c,
                  grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&, Reply*),
                  const Request& request, Reply* reply, bool slow = false) {
  auto stub = v1::KeyManagement::NewStub(c.channel);
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + c.timeout +
                   (slow ? kSlowCallExtra : std::chrono::seconds(0)));
  if (!c.token.value.empty()) ctx.AddMetadata("authorization", "Bearer " + c.token.value);
  return ((*stub).*method)(&ctx, request, reply);
}

int failed(const grpc::Status& status, const CtlConnection& c) {
  std::cerr << "posternctl: " << describe_error(status, c) << "\n";
  return 1;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  return s;
}

std::string normalized_domain(std::string d) {
  d = lower(std::move(d));
  if (!d.empty() && d.back() == '.') d.pop_back();
  return d;
}

std::string dkim_name(const std::string& domain, const std::string& selector) {
  return selector + "._domainkey." + domain;
}

// ---- the verbs ----

int create_nek(const CtlConnection& c, const std::string& name) {
  v1::CreateNekRequest request;
  request.set_name(name);
  v1::NekInfo reply;
  const auto status = call(c, &Stub::CreateNek, request, &reply);
  if (!status.ok()) return failed(status, c);
  std::cout << "NEK " << reply.name() << " created\n"
            << "fingerprint: " << reply.fingerprint() << "\n"
            << "Keep a copy: posternctl keymgmt export nek " << reply.name() << " FILE\n";
  return 0;
}

int list_nek(const CtlConnection& c) {
  v1::ListNeksReply reply;
  const auto status = call(c, &Stub::ListNeks, v1::ListNeksRequest(), &reply);
  if (!status.ok()) return failed(status, c);
  std::cout << format_nek_table(reply);
  return 0;
}

int export_nek(const CtlConnection& c, const std::string& name, const std::string& file,
               const std::string& password_file) {
  if (::access(file.c_str(), F_OK) == 0) {
    throw std::runtime_error(file + " exists already; choose another file name (it is never "
                             "replaced)");
  }
  v1::ExportNekRequest request;
  request.set_name(name);
  {
    Sensitive password(password_from(password_file, /*new_password=*/true));
    request.set_password(password.value);
  }
  v1::ExportedFile reply;
  const auto status = call(c, &Stub::ExportNek, request, &reply, /*slow=*/true);
  wipe(*request.mutable_password());
  if (!status.ok()) return failed(status, c);
  write_new_file(file, reply.content());
  std::cout << "NEK " << name << " exported to " << file << "\n"
            << "fingerprint: " << reply.fingerprint() << "\n";
  return 0;
}

int import_nek(const CtlConnection& c, const std::vector<std::string>& args,
               const std::string& password_file) {
  const bool overwrite = args.size() == 2 && args[0] == "overwrite";
  if (args.size() != 1 && !overwrite) {
    throw std::runtime_error("usage: keymgmt import nek [overwrite] FILE");
  }
  const std::string& file = args.back();
  v1::ImportNekRequest request;
  request.set_content(read_file(file, "NEK file"));
  request.set_overwrite(overwrite);
  {
    Sensitive password(password_from(password_file, /*new_password=*/false));
    request.set_password(password.value);
  }
  v1::NekInfo reply;
  const auto status = call(c, &Stub::ImportNek, request, &reply, /*slow=*/true);
  wipe(*request.mutable_password());
  if (!status.ok()) return failed(status, c);
  std::cout << "NEK " << reply.name() << " imported from " << file << "\n"
            << "fingerprint: " << reply.fingerprint() << "\n";
  return 0;
}

int create_credstore(const CtlConnection& c, const std::string& nek) {
  v1::CreateCredstoreRequest request;
  request.set_nek(nek);
  v1::CredstoreInfo reply;
  const auto status = call(c, &Stub::CreateCredstore, request, &reply);
  if (!status.ok()) return failed(status, c);
  std::cout << "credential store created\n" << format_credstore(reply);
  return 0;
}

int show_credstore(const CtlConnection& c) {
  v1::CredstoreInfo reply;
  const auto status = call(c, &Stub::ShowCredstore, v1::ShowCredstoreRequest(), &reply);
  if (!status.ok()) return failed(status, c);
  std::cout << format_credstore(reply);
  return 0;
}

int create_dkim(const CtlConnection& c, const std::string& domain, const std::string& selector,
                const std::vector<std::string>& args) {
  v1::CreateDkimRequest request;
  request.set_domain(domain);
  request.set_selector(selector);
  const std::string type = args.empty() ? "" : lower(args[0]);
  if (type == "rsa" && args.size() == 2 &&
      (args[1] == "1024" || args[1] == "2048" || args[1] == "4096")) {
    request.set_type(v1::DKIM_KEY_TYPE_RSA);
    request.set_bits(static_cast<uint32_t>(std::stoul(args[1])));
  } else if (type == "ed25519" && args.size() == 1) {
    request.set_type(v1::DKIM_KEY_TYPE_ED25519);
  } else {
    throw std::runtime_error(
        "usage: keymgmt create dkim DOMAIN SELECTOR rsa 1024|2048|4096, or "
        "keymgmt create dkim DOMAIN SELECTOR ed25519");
  }
  v1::DkimKeyInfo reply;
  const auto status = call(c, &Stub::CreateDkim, request, &reply, /*slow=*/true);
  if (!status.ok()) return failed(status, c);
  std::cout << "DKIM key created: " << format_key_line(reply) << "\n\n"
            << "Publish this DNS record before signing with it:\n"
            << format_dns_record(reply);
  return 0;
}

int import_dkim(const CtlConnection& c, const std::string& domain, const std::string& selector,
                const std::string& file, bool overwrite) {
  v1::ImportDkimRequest request;
  request.set_domain(domain);
  request.set_selector(selector);
  request.set_overwrite(overwrite);
  {
    Sensitive pem(read_file(file, "PEM file"));
    request.set_pem(pem.value);
  }
  v1::DkimKeyInfo reply;
  const auto status = call(c, &Stub::ImportDkim, request, &reply);
  wipe(*request.mutable_pem());
  if (!status.ok()) return failed(status, c);
  std::cout << "DKIM key imported: " << format_key_line(reply) << "\n";
  return 0;
}

int list_dkim(const CtlConnection& c, const std::string& domain) {
  v1::ListDkimRequest request;
  request.set_domain(domain);
  v1::ListDkimReply reply;
  const auto status = call(c, &Stub::ListDkim, request, &reply);
  if (!status.ok()) return failed(status, c);
  std::cout << format_dkim_table(reply);
  return 0;
}

int export_dkim_dns(const CtlConnection& c, const std::vector<std::string>& args) {
  if (args.size() != 3 && args.size() != 4) {
    throw std::runtime_error("usage: keymgmt export dkim dns DOMAIN SELECTOR [FILE]");
  }
  const std::string domain = normalized_domain(args[1]);
  const std::string selector = lower(args[2]);
  v1::ListDkimRequest request;
  request.set_domain(domain);
  v1::ListDkimReply reply;
  const auto status = call(c, &Stub::ListDkim, request, &reply);
  if (!status.ok()) return failed(status, c);
  for (const auto& key : reply.keys()) {
    if (normalized_domain(key.domain()) != domain || lower(key.selector()) != selector) continue;
    std::cout << format_dns_record(key);
    if (args.size() == 4) {
      write_public_file(args[3], zone_file_line(key) + "\n");
      std::cout << "\nzone-file line written to " << args[3] << "\n";
    }
    return 0;
  }
  std::cerr << "posternctl: no DKIM key " << dkim_name(domain, selector)
            << " (keymgmt list dkim shows the keys)\n";
  return 1;
}

int export_dkim_bundle(const CtlConnection& c, const std::vector<std::string>& args,
                       const std::string& domain, const std::string& selector,
                       const std::string& password_file, const std::string& recipient) {
  if (args.size() != 1) {
    throw std::runtime_error(
        "usage: keymgmt export dkim BUNDLE [--domain D] [--selector S] "
        "(--password-file F | --recipient KEY), or keymgmt export dkim dns DOMAIN SELECTOR "
        "[FILE]");
  }
  if (!password_file.empty() && !recipient.empty()) {
    throw std::runtime_error("give either --password-file or --recipient, not both");
  }
  if (!selector.empty() && domain.empty()) {
    throw std::runtime_error("--selector needs --domain");
  }
  const std::string& file = args[0];
  if (::access(file.c_str(), F_OK) == 0) {
    throw std::runtime_error(file + " exists already; choose another file name (it is never "
                             "replaced)");
  }
  v1::ExportDkimBundleRequest request;
  request.set_domain(domain);
  request.set_selector(selector);
  if (!recipient.empty()) {
    request.set_recipient_public_key(recipient);
  } else {
    Sensitive password(password_from(password_file, /*new_password=*/true));
    request.set_password(password.value);
  }
  v1::ExportedFile reply;
  const auto status = call(c, &Stub::ExportDkimBundle, request, &reply, /*slow=*/true);
  if (request.has_password()) wipe(*request.mutable_password());
  if (!status.ok()) return failed(status, c);
  write_new_file(file, reply.content());
  std::cout << "bundle written to " << file << " ("
            << (recipient.empty() ? "password-protected" : "sealed for the recipient identity")
            << "), " << reply.keys_size() << (reply.keys_size() == 1 ? " key" : " keys") << ":\n";
  for (const auto& key : reply.keys()) std::cout << "  " << format_key_line(key) << "\n";
  return 0;
}

int delete_dkim(const CtlConnection& c, const std::string& domain, const std::string& selector) {
  v1::DkimRef request;
  request.set_domain(domain);
  request.set_selector(selector);
  v1::DeleteReply reply;
  const auto status = call(c, &Stub::DeleteDkim, request, &reply);
  if (!status.ok()) return failed(status, c);
  if (!reply.existed()) {
    std::cerr << "posternctl: no DKIM key " << dkim_name(domain, selector) << "\n";
    return 1;
  }
  std::cout << "DKIM key " << dkim_name(domain, selector) << " deleted\n";
  return 0;
}

int import_credstore(const CtlConnection& c, const std::string& file,
                     const std::string& password_file, bool overwrite) {
  v1::ImportBundleRequest request;
  request.set_content(read_file(file, "bundle"));
  request.set_overwrite(overwrite);
  // A password bundle ("PKDP") needs the password; one sealed for this keystore ("PKDR")
  // does not. Anything else goes as is: the keystore says what is wrong with it.
  const bool password_bundle = request.content().starts_with("PKDP");
  if (!password_file.empty() || password_bundle) {
    Sensitive password(password_from(password_file, /*new_password=*/false));
    request.set_password(password.value);
  }
  v1::ImportBundleReply reply;
  const auto status = call(c, &Stub::ImportBundle, request, &reply, /*slow=*/true);
  wipe(*request.mutable_password());
  if (!status.ok()) return failed(status, c);
  std::cout << format_bundle_import(reply);
  return 0;
}

int show_identity(const CtlConnection& c) {
  v1::IdentityInfo reply;
  const auto status = call(c, &Stub::ShowIdentity, v1::ShowIdentityRequest(), &reply);
  if (!status.ok()) return failed(status, c);
  std::cout << "node:       " << reply.node() << "\n"
            << "public key: " << reply.public_key_base64() << "\n"
            << "(on the source keystore: keymgmt export dkim BUNDLE --recipient "
            << reply.public_key_base64() << ")\n";
  return 0;
}

int set_secret(const CtlConnection& c, const std::string& name, const std::string& username,
               const std::string& value_file) {
  v1::SetSecretRequest request;
  request.set_name(name);
  request.set_username(username);
  {
    Sensitive value(value_file.empty() ? read_new_password()
                                       : read_first_line(value_file, "value file"));
    request.set_value(value.value);
  }
  v1::SecretInfo reply;
  const auto status = call(c, &Stub::SetSecret, request, &reply);
  wipe(*request.mutable_value());
  if (!status.ok()) return failed(status, c);
  std::cout << "secret " << reply.name() << " set"
            << (reply.username().empty() ? "" : " (username " + reply.username() + ")") << "\n";
  return 0;
}

int list_secret(const CtlConnection& c) {
  v1::ListSecretsReply reply;
  const auto status = call(c, &Stub::ListSecrets, v1::ListSecretsRequest(), &reply);
  if (!status.ok()) return failed(status, c);
  std::cout << format_secret_table(reply);
  return 0;
}

int delete_secret(const CtlConnection& c, const std::string& name) {
  v1::SecretRef request;
  request.set_name(name);
  v1::DeleteReply reply;
  const auto status = call(c, &Stub::DeleteSecret, request, &reply);
  if (!status.ok()) return failed(status, c);
  if (!reply.existed()) {
    std::cerr << "posternctl: no secret " << name << "\n";
    return 1;
  }
  std::cout << "secret " << name << " deleted\n";
  return 0;
}

// A verb and its nouns: `keymgmt create ...`.
CLI::App* verb(CLI::App* keymgmt, const char* name, const char* description) {
  auto* cmd = keymgmt->add_subcommand(name, description);
  cmd->require_subcommand(1);
  cmd->fallthrough();
  return cmd;
}

CLI::App* noun(CLI::App* verb, const char* name, const char* description) {
  auto* cmd = verb->add_subcommand(name, description);
  cmd->fallthrough();
  return cmd;
}

}  // namespace

KeymgmtCommands::KeymgmtCommands(CLI::App& app) {
  keymgmt_ = app.add_subcommand("keymgmt", "manage the keystore: NEKs, DKIM keys, secrets");
  keymgmt_->require_subcommand(1);
  keymgmt_->fallthrough();
  auto* create = verb(keymgmt_, "create", "create a NEK, the credential store or a DKIM key");
  auto* list = verb(keymgmt_, "list", "list NEKs, DKIM keys or secrets");
  auto* exp = verb(keymgmt_, "export", "export a NEK, a DKIM DNS record or a DKIM bundle");
  auto* imp = verb(keymgmt_, "import", "import a NEK, a DKIM PEM key or a DKIM bundle");
  auto* del = verb(keymgmt_, "delete", "delete a DKIM key or a secret");
  auto* show = verb(keymgmt_, "show", "show the credential store or the keystore identity");
  auto* set = verb(keymgmt_, "set", "set a secret");

  create_nek_ = noun(create, "nek", "create a named encryption key");
  create_nek_->add_option("name", name_, "NEK name")->required();
  create_credstore_ = noun(create, "credstore", "create the credential store under a NEK");
  create_credstore_->add_option("nek", name_, "NEK name")->required();
  create_dkim_ = noun(create, "dkim", "create a DKIM key: DOMAIN SELECTOR rsa BITS | ed25519");
  create_dkim_->add_option("domain", domain_, "domain (d=)")->required();
  create_dkim_->add_option("selector", selector_, "selector (s=)")->required();
  create_dkim_->add_option("type", args_, "rsa 1024|2048|4096, or ed25519")->required();

  list_nek_ = noun(list, "nek", "list NEKs and fingerprints");
  list_dkim_ = noun(list, "dkim", "list DKIM keys (of one domain)");
  list_dkim_->add_option("domain", domain_, "only this domain");
  list_secret_ = noun(list, "secret", "list secrets (names and usernames, never values)");

  export_nek_ = noun(exp, "nek", "write a NEK, wrapped under a password, to FILE");
  export_nek_->add_option("name", name_, "NEK name")->required();
  export_nek_->add_option("file", file_, "output file (must not exist)")->required();
  export_nek_->add_option("--password-file", password_file_, "password: the file's first line");
  export_dkim_ = noun(exp, "dkim", "dns DOMAIN SELECTOR [FILE] | BUNDLE [--domain D] ...");
  export_dkim_->add_option("args", args_, "dns DOMAIN SELECTOR [FILE], or BUNDLE")->required();
  export_dkim_->add_option("--domain", domain_, "bundle: only this domain");
  export_dkim_->add_option("--selector", selector_, "bundle: only this selector");
  export_dkim_->add_option("--password-file", password_file_,
                           "bundle: protect with the password in this file's first line");
  export_dkim_->add_option("--recipient", recipient_,
                           "bundle: seal for this keystore identity (keymgmt show identity)");

  import_nek_ = noun(imp, "nek", "import a NEK file: [overwrite] FILE");
  import_nek_->add_option("args", args_, "[overwrite] FILE")->required();
  import_nek_->add_option("--password-file", password_file_, "password: the file's first line");
  import_dkim_ = noun(imp, "dkim", "import a PEM private key (PKCS#1 or PKCS#8)");
  import_dkim_->add_option("domain", domain_, "domain (d=)")->required();
  import_dkim_->add_option("selector", selector_, "selector (s=)")->required();
  import_dkim_->add_option("file", file_, "PEM file")->required();
  import_dkim_->add_flag("--overwrite", overwrite_, "replace an existing key");
  import_credstore_ = noun(imp, "credstore", "import a DKIM bundle");
  import_credstore_->add_option("bundle", file_, "bundle file")->required();
  import_credstore_->add_option("--password-file", password_file_,
                                "password: the file's first line");
  import_credstore_->add_flag("--overwrite", overwrite_, "replace keys that differ");

  delete_dkim_ = noun(del, "dkim", "delete a DKIM key");
  delete_dkim_->add_option("domain", domain_, "domain")->required();
  delete_dkim_->add_option("selector", selector_, "selector")->required();
  delete_secret_ = noun(del, "secret", "delete a secret");
  delete_secret_->add_option("name", name_, "secret name")->required();

  show_credstore_ = noun(show, "credstore", "which NEK seals the credential store");
  show_identity_ = noun(show, "identity", "this keystore's public identity (for bundles)");

  set_secret_ = noun(set, "secret", "set a secret (e.g. relay-host credentials)");
  set_secret_->add_option("name", name_, "secret name")->required();
  set_secret_->add_option("--username", username_, "username stored with it");
  set_secret_->add_option("--value-file", value_file_, "value: the file's first line");
}

int KeymgmtCommands::run(const CtlConnection& c) const {
  try {
    if (create_nek_->parsed()) return create_nek(c, name_);
    if (list_nek_->parsed()) return list_nek(c);
    if (export_nek_->parsed()) return export_nek(c, name_, file_, password_file_);
    if (import_nek_->parsed()) return import_nek(c, args_, password_file_);
    if (create_credstore_->parsed()) return create_credstore(c, name_);
    if (show_credstore_->parsed()) return show_credstore(c);
    if (import_credstore_->parsed()) {
      return import_credstore(c, file_, password_file_, overwrite_);
    }
    if (create_dkim_->parsed()) return create_dkim(c, domain_, selector_, args_);
    if (import_dkim_->parsed()) return import_dkim(c, domain_, selector_, file_, overwrite_);
    if (list_dkim_->parsed()) return list_dkim(c, domain_);
    if (export_dkim_->parsed()) {
      if (!args_.empty() && args_[0] == "dns") return export_dkim_dns(c, args_);
      return export_dkim_bundle(c, args_, domain_, selector_, password_file_, recipient_);
    }
    if (delete_dkim_->parsed()) return delete_dkim(c, domain_, selector_);
    if (show_identity_->parsed()) return show_identity(c);
    if (set_secret_->parsed()) return set_secret(c, name_, username_, value_file_);
    if (list_secret_->parsed()) return list_secret(c);
    if (delete_secret_->parsed()) return delete_secret(c, name_);
  } catch (const std::exception& e) {
    std::cerr << "posternctl: " << e.what() << "\n";
    return 1;
  }
  std::cerr << "posternctl: keymgmt: unknown command\n";
  return 1;
}

}  // namespace postern::services
