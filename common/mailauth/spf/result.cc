#include "common/mailauth/spf/result.h"

#include <array>
#include <utility>

namespace postern::spf {
namespace {

constexpr std::array<std::pair<Result, std::string_view>, 7> kNames{{
    {Result::none, "none"},
    {Result::neutral, "neutral"},
    {Result::pass, "pass"},
    {Result::fail, "fail"},
    {Result::softfail, "softfail"},
    {Result::temperror, "temperror"},
    {Result::permerror, "permerror"},
}};

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

}  // namespace

std::string_view to_string(Result result) {
  for (const auto& [r, name] : kNames)
    if (r == result) return name;
  return "permerror";
}

std::optional<Result> result_from_string(std::string_view text) {
  for (const auto& [r, name] : kNames)
    if (iequals(name, text)) return r;
  return std::nullopt;
}

Result result_of(Qualifier q) {
  switch (q) {
    case Qualifier::pass: return Result::pass;
    case Qualifier::fail: return Result::fail;
    case Qualifier::softfail: return Result::softfail;
    case Qualifier::neutral: return Result::neutral;
  }
  return Result::neutral;
}

}  // namespace postern::spf
