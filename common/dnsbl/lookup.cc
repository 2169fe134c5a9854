#include "common/dnsbl/lookup.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <exception>

#include "common/dnsbl/query_name.h"
#include "common/dnsbl/reply_text.h"

namespace postern::dnsbl {
namespace asio = boost::asio;
namespace {

// The TXT reason of a listed name: all records joined by "; " (some lists publish several).
std::string join_txt(const std::vector<std::string>& records) {
  std::string out;
  for (const auto& r : records) {
    if (!out.empty()) out += "; ";
    out += r;
    if (out.size() > kMaxReplyText) break;
  }
  return sanitize(out);
}

// One zone. A coroutine function (not a lambda) so its arguments live in its own frame.
asio::awaitable<ZoneResult> lookup_zone(dns::Resolver& resolver, asio::ip::address client,
                                        Zone zone) {
  ZoneResult result;
  result.zone = zone.name;
  const auto name = query_name(client, zone.name);
  if (!name) {
    result.error = "cannot query client address " + client.to_string();
    co_return result;
  }
  const auto answer = co_await resolver.a(*name);
  switch (answer.status) {
    case dns::Status::nxdomain:
    case dns::Status::nodata:
      result.outcome = Outcome::not_listed;
      co_return result;
    case dns::Status::temperror:
    case dns::Status::permerror:
      result.error = std::string(dns::to_string(answer.status)) + ": " + answer.error;
      co_return result;
    case dns::Status::ok:
      break;
  }
  for (const auto& a : answer.records) {
    if (a.is_v4()) result.codes.push_back(a.to_v4());
  }
  const Interpreted meaning = interpret(answer.records, zone.codes, zone.refusals);
  switch (meaning.result) {
    case Interpretation::refused:
    case Interpretation::bogus:
      result.error = meaning.error;
      co_return result;
    case Interpretation::not_listed:
      result.outcome = Outcome::not_listed;
      co_return result;
    case Interpretation::listed:
      result.outcome = Outcome::listed;
      break;
  }
  if (zone.want_txt) {
    const auto txt = co_await resolver.txt(*name);
    if (txt.ok()) result.txt = join_txt(txt.records);
  }
  co_return result;
}

}  // namespace

const char* to_string(Outcome outcome) {
  switch (outcome) {
    case Outcome::listed:
      return "listed";
    case Outcome::not_listed:
      return "not_listed";
    case Outcome::error:
      return "error";
  }
  return "error";
}

asio::awaitable<std::vector<ZoneResult>> lookup(dns::Resolver& resolver, asio::ip::address client,
                                                std::vector<Zone> zones) {
  std::vector<ZoneResult> results;
  if (zones.empty()) co_return results;
  const auto executor = co_await asio::this_coro::executor;
  using Op = decltype(asio::co_spawn(executor, lookup_zone(resolver, client, Zone{}),
                                     asio::deferred));
  std::vector<Op> ops;
  ops.reserve(zones.size());
  std::vector<std::string> names;
  for (auto& zone : zones) {
    names.push_back(zone.name);
    ops.push_back(asio::co_spawn(executor, lookup_zone(resolver, client, std::move(zone)),
                                 asio::deferred));
  }
  auto group = asio::experimental::make_parallel_group(std::move(ops));
  auto done = co_await group.async_wait(asio::experimental::wait_for_all(), asio::use_awaitable);
  // (completion order, exceptions, values), the last two indexed like `ops`.
  auto& errors = std::get<1>(done);
  auto& values = std::get<2>(done);
  results.reserve(values.size());
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (errors[i]) {
      ZoneResult failed;
      failed.zone = names[i];
      try {
        std::rethrow_exception(errors[i]);
      } catch (const std::exception& e) {
        failed.error = std::string("lookup failed: ") + e.what();
      } catch (...) {
        failed.error = "lookup failed";
      }
      results.push_back(std::move(failed));
    } else {
      results.push_back(std::move(values[i]));
    }
  }
  co_return results;
}

}  // namespace postern::dnsbl
