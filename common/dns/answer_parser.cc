#include "common/dns/answer_parser.h"

#include <ares.h>
#include <arpa/inet.h>
#include <netdb.h>

#include <array>
#include <climits>
#include <cstring>

namespace postern::dns {
namespace {

namespace ip = boost::asio::ip;

// c-ares takes an int length; replies beyond that (impossible on the wire) are malformed.
bool too_long(Bytes reply) { return reply.empty() || reply.size() > static_cast<std::size_t>(INT_MAX); }

std::string strip_dot(const char* name) {
  std::string out = name ? name : "";
  if (!out.empty() && out.back() == '.') out.pop_back();
  return out;
}

template <typename T>
Answer<T> failed(int ares_status) {
  Answer<T> answer;
  answer.status = status_from_ares(ares_status);
  answer.error = ares_strerror(ares_status);
  return answer;
}

template <typename T>
Answer<T> malformed() {
  Answer<T> answer;
  answer.status = Status::permerror;
  answer.error = "malformed DNS reply";
  return answer;
}

template <typename T>
Answer<T> finish(Answer<T> answer) {
  answer.status = answer.records.empty() ? Status::nodata : Status::ok;
  return answer;
}

struct HostentFree {
  void operator()(hostent* h) const { ares_free_hostent(h); }
};

}  // namespace

Status status_from_ares(int s) {
  switch (s) {
    case ARES_SUCCESS: return Status::ok;
    case ARES_ENOTFOUND: return Status::nxdomain;
    case ARES_ENODATA: return Status::nodata;
    case ARES_ETIMEOUT:
    case ARES_ESERVFAIL:
    case ARES_EREFUSED:
    case ARES_ECONNREFUSED:
    case ARES_ENOTIMP:
    case ARES_ECANCELLED:
    case ARES_EDESTRUCTION:
    case ARES_ENOMEM:
    case ARES_ESERVICE:
    case ARES_EFILE:
      return Status::temperror;
    // EFORMERR (server says our query was malformed), EBADRESP, EBADNAME, EBADQUERY, ...
    default: return Status::permerror;
  }
}

Answer<MxRecord> parse_mx(Bytes reply) {
  if (too_long(reply)) return malformed<MxRecord>();
  ares_mx_reply* list = nullptr;
  const int s = ares_parse_mx_reply(reply.data(), static_cast<int>(reply.size()), &list);
  if (s != ARES_SUCCESS) return failed<MxRecord>(s);
  Answer<MxRecord> answer;
  for (auto* r = list; r != nullptr; r = r->next)
    answer.records.push_back(MxRecord{r->priority, strip_dot(r->host)});
  ares_free_data(list);
  return finish(std::move(answer));
}

Answer<ip::address> parse_a(Bytes reply) {
  if (too_long(reply)) return malformed<ip::address>();
  hostent* raw = nullptr;
  const int s = ares_parse_a_reply(reply.data(), static_cast<int>(reply.size()), &raw, nullptr,
                                   nullptr);
  std::unique_ptr<hostent, HostentFree> host(raw);
  if (s != ARES_SUCCESS) return failed<ip::address>(s);
  Answer<ip::address> answer;
  if (host->h_addrtype != AF_INET || host->h_length != 4) return malformed<ip::address>();
  for (char** p = host->h_addr_list; p && *p; ++p) {
    ip::address_v4::bytes_type b;
    std::memcpy(b.data(), *p, b.size());
    answer.records.emplace_back(ip::address_v4(b));
  }
  return finish(std::move(answer));
}

Answer<ip::address> parse_aaaa(Bytes reply) {
  if (too_long(reply)) return malformed<ip::address>();
  hostent* raw = nullptr;
  const int s = ares_parse_aaaa_reply(reply.data(), static_cast<int>(reply.size()), &raw, nullptr,
                                      nullptr);
  std::unique_ptr<hostent, HostentFree> host(raw);
  if (s != ARES_SUCCESS) return failed<ip::address>(s);
  Answer<ip::address> answer;
  if (host->h_addrtype != AF_INET6 || host->h_length != 16) return malformed<ip::address>();
  for (char** p = host->h_addr_list; p && *p; ++p) {
    ip::address_v6::bytes_type b;
    std::memcpy(b.data(), *p, b.size());
    answer.records.emplace_back(ip::address_v6(b));
  }
  return finish(std::move(answer));
}

Answer<std::string> parse_txt(Bytes reply) {
  if (too_long(reply)) return malformed<std::string>();
  ares_txt_ext* list = nullptr;
  const int s = ares_parse_txt_reply_ext(reply.data(), static_cast<int>(reply.size()), &list);
  if (s != ARES_SUCCESS) return failed<std::string>(s);
  Answer<std::string> answer;
  for (auto* r = list; r != nullptr; r = r->next) {
    // record_start marks the first character-string of each TXT record.
    if (r->record_start || answer.records.empty()) answer.records.emplace_back();
    answer.records.back().append(reinterpret_cast<const char*>(r->txt), r->length);
  }
  ares_free_data(list);
  return finish(std::move(answer));
}

Answer<std::string> parse_ptr(Bytes reply) {
  if (too_long(reply)) return malformed<std::string>();
  // c-ares copies this address into the hostent; the reply itself is what we read.
  const std::array<unsigned char, 16> unused{};
  hostent* raw = nullptr;
  const int s = ares_parse_ptr_reply(reply.data(), static_cast<int>(reply.size()), unused.data(),
                                     static_cast<int>(unused.size()), AF_INET6, &raw);
  std::unique_ptr<hostent, HostentFree> host(raw);
  if (s != ARES_SUCCESS) return failed<std::string>(s);
  Answer<std::string> answer;
  auto add = [&answer](const char* name) {
    std::string n = strip_dot(name);
    if (n.empty()) return;
    for (const auto& existing : answer.records)
      if (existing == n) return;
    answer.records.push_back(std::move(n));
  };
  // c-ares lists every PTR target in h_aliases, in answer order, and repeats the last one as
  // h_name; h_name alone is added in case a version lists only it.
  for (char** p = host->h_aliases; p && *p; ++p) add(*p);
  add(host->h_name);
  return finish(std::move(answer));
}

}  // namespace postern::dns
