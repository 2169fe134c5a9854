#include "router/delivery/maildir_deliverer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>

#include "common/log/log.h"
#include "router/delivery/maildir_name.h"

namespace postern::router::delivery {

namespace asio = boost::asio;
using smtp::Reply;

namespace {

Outcome local_failure(const std::string& what, const std::string& path, int err) {
  Outcome o;
  o.kind = Outcome::Kind::temporary;
  std::string text = what + " " + path + ": " + std::strerror(err);
  for (char& c : text)
    if (c == '\r' || c == '\n') c = ' ';
  o.reply = Reply(451, {4, 3, 0}, text);
  o.remote = path;
  return o;
}

bool write_all(int fd, const std::string& data) {
  std::size_t off = 0;
  while (off < data.size()) {
    const ssize_t n = ::write(fd, data.data() + off, data.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    off += static_cast<std::size_t>(n);
  }
  return true;
}

bool fsync_dir(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return false;
  const bool ok = ::fsync(fd) == 0;
  ::close(fd);
  return ok;
}

}  // namespace

MaildirDeliverer::MaildirDeliverer(std::string root, std::string hostname)
    : root_(std::move(root)), hostname_(hostname.empty() ? "localhost" : std::move(hostname)) {}

MaildirDeliverer::~MaildirDeliverer() { pool_.join(); }

Outcome MaildirDeliverer::deliver_one(const std::string& sender, const std::string& recipient,
                                      const std::string& message) {
  const auto folder = maildir_folder_name(recipient);
  if (!folder) {
    Outcome o;
    o.kind = Outcome::Kind::permanent;
    o.reply = Reply(550, {5, 1, 3}, "Recipient address cannot name a maildir");
    o.remote = root_;
    return o;
  }
  const std::string base = root_ + "/" + *folder;
  std::error_code ec;
  for (const char* sub : {"tmp", "new", "cur"}) {
    std::filesystem::create_directories(base + "/" + sub, ec);
    if (ec) return local_failure("cannot create", base + "/" + sub, ec.value());
  }

  const auto now = std::chrono::system_clock::now().time_since_epoch();
  const auto secs = std::chrono::duration_cast<std::chrono::seconds>(now).count();
  const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(now).count() % 1000000;
  const std::string name = maildir_unique_name(secs, micros, ::getpid(), ++sequence_, hostname_);
  const std::string tmp = base + "/tmp/" + name;
  const std::string fresh = base + "/new/" + name;

  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return local_failure("cannot create", tmp, errno);
  const std::string content = maildir_content(sender, recipient, message);
  if (!write_all(fd, content) || ::fsync(fd) != 0) {
    const int err = errno;
    ::close(fd);
    ::unlink(tmp.c_str());
    return local_failure("cannot write", tmp, err);
  }
  if (::close(fd) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    return local_failure("cannot close", tmp, err);
  }
  if (::rename(tmp.c_str(), fresh.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    return local_failure("cannot move into", fresh, err);
  }
  if (!fsync_dir(base + "/new")) return local_failure("cannot sync", base + "/new", errno);

  Outcome o;
  o.kind = Outcome::Kind::delivered;
  o.reply = Reply(250, {2, 0, 0}, "Delivered to maildir");
  o.remote = fresh;
  return o;
}

asio::awaitable<std::vector<Outcome>> MaildirDeliverer::deliver_all(
    std::string sender, std::vector<std::string> recipients,
    std::shared_ptr<const std::string> message) {
  std::vector<Outcome> out;
  for (const auto& r : recipients) out.push_back(deliver_one(sender, r, *message));
  co_return out;
}

asio::awaitable<std::vector<Outcome>> MaildirDeliverer::deliver(const DeliveryJob& job) {
  const auto message = job.message;
  if (!message) {
    Outcome o;
    o.reply = Reply(451, {4, 3, 0}, "No message content");
    co_return std::vector<Outcome>(job.recipients.size(), o);
  }
  // Coroutine parameters are copied into its frame: the work runs on the pool thread while
  // the caller's job stays untouched.
  auto outcomes = co_await asio::co_spawn(
      pool_, deliver_all(job.mail_from, job.recipients, message), asio::use_awaitable);
  auto logger = log::get("delivery");
  for (std::size_t i = 0; i < outcomes.size(); ++i)
    logger->info("{}: to=<{}> maildir={} {}", job.queue_id, job.recipients[i], outcomes[i].remote,
                 outcomes[i].reply.to_string());
  co_return outcomes;
}

}  // namespace postern::router::delivery
