#include "common/mailauth/dkim/signer.h"

#include <utility>

#include "common/encoding/base64.h"
#include "common/mailauth/dkim/body_hash.h"
#include "common/mailauth/dkim/data_to_sign.h"
#include "common/mime/headers.h"

namespace postern::mailauth::dkim {
namespace {

constexpr std::size_t kFoldColumn = 76;
constexpr std::string_view kFieldName = "DKIM-Signature:";

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return out;
}

std::size_t count_fields(const std::vector<mime::Field>& fields, std::string_view name) {
  std::size_t n = 0;
  for (const mime::Field& f : fields) n += mime::iequals(f.name, name) ? 1 : 0;
  return n;
}

bool listed(const std::vector<std::string>& names, std::string_view name) {
  for (const std::string& n : names) {
    if (mime::iequals(n, name)) return true;
  }
  return false;
}

std::vector<std::string> names_for(const std::vector<mime::Field>& fields,
                                   const std::vector<std::string>& headers,
                                   const std::vector<std::string>& oversign) {
  std::vector<std::string> out;
  auto add = [&out](std::string_view name, std::size_t times) {
    for (std::size_t i = 0; i < times; ++i) out.push_back(lower(name));
  };
  for (const std::string& h : headers) {
    add(h, count_fields(fields, h) + (listed(oversign, h) ? 1 : 0));
  }
  for (const std::string& o : oversign) {
    if (!listed(headers, o)) add(o, count_fields(fields, o) + 1);
  }
  return out;
}

// A token of the field and what may precede it: " " (a space that a fold replaces) or ""
// (nothing; a fold inserts CRLF SP, where the grammar allows FWS).
struct Token {
  std::string gap;
  std::string text;
};

std::string fold(const std::vector<Token>& tokens) {
  std::string out(kFieldName);
  std::size_t column = out.size();
  for (const Token& t : tokens) {
    if (column + t.gap.size() + t.text.size() > kFoldColumn && column > 1) {
      out += "\r\n ";
      column = 1;
    } else {
      out += t.gap;
      column += t.gap.size();
    }
    out += t.text;
    column += t.text.size();
  }
  return out;
}

std::string build_header(const SignerParams& p, const std::vector<std::string>& names,
                         const std::string& body_hash) {
  std::vector<Token> tokens;
  auto tag = [&tokens](std::string text) { tokens.push_back({" ", std::move(text) + ";"}); };
  tag("v=1");
  tag(std::string("a=") + to_string(p.algorithm));
  tag(std::string("c=") + to_string(p.header_canon) + "/" + to_string(p.body_canon));
  tag("d=" + p.domain);
  if (!p.identity.empty()) tag("i=" + p.identity);
  if (p.write_query_method) tag("q=dns/txt");
  tag("s=" + p.selector);
  tag("t=" + std::to_string(p.timestamp));
  if (p.expiration) tag("x=" + std::to_string(*p.expiration));
  // h=: a break opportunity at every separator (FWS is allowed around ":").
  const bool spaced = p.h_separator.find(' ') != std::string::npos;
  for (std::size_t i = 0; i < names.size(); ++i) {
    std::string text = i == 0 ? "h=" + names[i] : names[i];
    if (i + 1 == names.size()) text += ";";
    if (i == 0) {
      tokens.push_back({" ", std::move(text)});
    } else if (spaced) {
      tokens.push_back({" ", ":"});
      tokens.push_back({" ", std::move(text)});
    } else {
      tokens.back().text += ":";
      tokens.push_back({"", std::move(text)});
    }
  }
  tag("bh=" + encoding::base64_encode(body_hash));
  tokens.push_back({" ", "b="});
  return fold(tokens);
}

SigningInput prepare_one(const std::vector<mime::Field>& fields, const std::string& body_hash,
                         const SignerParams& p) {
  const std::vector<std::string> names = p.explicit_signed_headers
                                             ? *p.explicit_signed_headers
                                             : names_for(fields, p.headers, p.oversign);
  SigningInput in;
  in.header_without_b = build_header(p, names, body_hash);
  in.digest = sha256(header_hash_input(p.header_canon, fields, names, in.header_without_b));
  return in;
}

}  // namespace

std::vector<std::string> names_to_sign(std::string_view header_block,
                                       const std::vector<std::string>& headers,
                                       const std::vector<std::string>& oversign) {
  return names_for(mime::parse_fields(header_block), headers, oversign);
}

SigningInput prepare_signature(std::string_view message, const SignerParams& params) {
  return std::move(prepare_signatures(message, {params}).front());
}

std::vector<SigningInput> prepare_signatures(std::string_view message,
                                             const std::vector<SignerParams>& params) {
  const mime::HeaderSplit split = mime::split_header_block(message);
  const std::vector<mime::Field> fields = mime::parse_fields(split.headers);
  std::optional<std::string> simple_hash, relaxed_hash;
  std::vector<SigningInput> out;
  out.reserve(params.size());
  for (const SignerParams& p : params) {
    std::optional<std::string>& cached = p.body_canon == Canon::simple ? simple_hash : relaxed_hash;
    if (!cached) cached = body_hash(p.body_canon, std::nullopt, split.body).digest;
    out.push_back(prepare_one(fields, *cached, p));
  }
  return out;
}

std::string finish_signature(std::string_view header_without_b, std::string_view signature) {
  std::string out(header_without_b);
  const std::size_t line_start = out.rfind('\n');
  std::size_t column = line_start == std::string::npos ? out.size() : out.size() - line_start - 1;
  const std::string b = encoding::base64_encode(signature);
  std::size_t i = 0;
  while (i < b.size()) {
    if (column >= kFoldColumn) {
      out += "\r\n ";
      column = 1;
    }
    const std::size_t n = std::min(b.size() - i, kFoldColumn - column);
    out.append(b, i, n);
    column += n;
    i += n;
  }
  out += "\r\n";
  return out;
}

}  // namespace postern::mailauth::dkim
