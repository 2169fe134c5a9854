// SPF results (RFC 7208 2.6) and directive qualifiers (RFC 7208 4.6.2).
#pragma once

#include <optional>
#include <string_view>

namespace postern::spf {

// The seven results of check_host(). Policy (what to do with each) belongs to the caller.
enum class Result { none, neutral, pass, fail, softfail, temperror, permerror };

// Lower-case RFC name: "pass", "softfail", ... (the token used in Received-SPF and
// Authentication-Results).
std::string_view to_string(Result);
std::optional<Result> result_from_string(std::string_view);  // case-insensitive

// A directive's qualifier; the result a matching directive yields.
enum class Qualifier : char { pass = '+', fail = '-', softfail = '~', neutral = '?' };
Result result_of(Qualifier);

}  // namespace postern::spf
