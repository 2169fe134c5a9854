#include "common/mailauth/dmarc/evaluation_record.h"

#include "common/smtp/codec/address.h"

namespace postern::mailauth::dmarc {
namespace {

void append_string(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  const bool utf8 = smtp::codec::valid_utf8(s);
  out += '"';
  for (char c : s) {
    const auto b = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (b < 0x20 || b == 0x7f) {
      out += "\\u00";
      out += kHex[b >> 4];
      out += kHex[b & 0xf];
    } else if (b >= 0x80 && !utf8) {
      out += "\\ufffd";
    } else {
      out += c;
    }
  }
  out += '"';
}

// A tiny writer for flat objects: "key":value pairs separated by commas.
class Object {
 public:
  explicit Object(std::string& out) : out_(out) { out_ += '{'; }
  void key(std::string_view k) {
    if (!first_) out_ += ',';
    first_ = false;
    append_string(out_, k);
    out_ += ':';
  }
  void str(std::string_view k, std::string_view v) {
    key(k);
    append_string(out_, v);
  }
  void num(std::string_view k, int64_t v) {
    key(k);
    out_ += std::to_string(v);
  }
  void boolean(std::string_view k, bool v) {
    key(k);
    out_ += v ? "true" : "false";
  }
  void policy(std::string_view k, const std::optional<Policy>& p) {
    key(k);
    if (p) append_string(out_, to_string(*p));
    else out_ += "null";
  }
  void close() { out_ += '}'; }

 private:
  std::string& out_;
  bool first_ = true;
};

}  // namespace

EvaluationRecord make_evaluation_record(const Evaluation& ev, const Inputs& inputs,
                                        std::string source_ip, int64_t unix_time) {
  EvaluationRecord r;
  r.time = unix_time;
  r.source_ip = std::move(source_ip);
  r.header_from = ev.from_domain;
  r.envelope_from = inputs.spf.domain;
  r.policy_domain = ev.policy_domain;
  if (ev.record) {
    r.p = ev.record->p;
    r.sp = ev.record->sp;
    r.np = ev.record->np;
    r.pct = ev.record->pct;
    r.adkim = ev.record->adkim;
    r.aspf = ev.record->aspf;
    r.testing = ev.record->testing;
  }
  r.dmarc = ev.result;
  r.disposition = ev.disposition.apply;
  r.requested = ev.disposition.requested;
  r.sampled_out = ev.disposition.sampled_out;
  r.dkim_aligned = ev.dkim_aligned;
  r.spf_aligned = ev.spf_aligned;
  r.reason = ev.reason;
  r.spf = inputs.spf.result;
  for (std::size_t i = 0; i < inputs.dkim.size() && i < kMaxDkimInputs; ++i) {
    const DkimInput& d = inputs.dkim[i];
    r.dkim.push_back(DkimAuthResult{d.domain, d.selector, d.result});
  }
  return r;
}

std::string to_json_line(const EvaluationRecord& r) {
  std::string out;
  Object o(out);
  o.num("time", r.time);
  o.str("source_ip", r.source_ip);
  o.str("header_from", r.header_from);
  o.str("envelope_from", r.envelope_from);
  o.str("policy_domain", r.policy_domain);
  o.policy("p", r.p);
  o.policy("sp", r.sp);
  o.policy("np", r.np);
  o.num("pct", r.pct);
  o.str("adkim", to_string(r.adkim));
  o.str("aspf", to_string(r.aspf));
  o.boolean("testing", r.testing);
  o.str("dmarc", to_string(r.dmarc));
  o.str("disposition", to_string(r.disposition));
  o.str("requested", to_string(r.requested));
  o.boolean("sampled_out", r.sampled_out);
  o.str("dkim_alignment", r.dkim_aligned ? "pass" : "fail");
  o.str("spf_alignment", r.spf_aligned ? "pass" : "fail");
  o.str("reason", r.reason);
  o.str("spf", to_string(r.spf));
  o.key("dkim");
  out += '[';
  for (std::size_t i = 0; i < r.dkim.size(); ++i) {
    if (i > 0) out += ',';
    Object d(out);
    d.str("domain", r.dkim[i].domain);
    d.str("selector", r.dkim[i].selector);
    d.str("result", to_string(r.dkim[i].result));
    d.close();
  }
  out += ']';
  o.close();
  out += '\n';
  return out;
}

}  // namespace postern::mailauth::dmarc
