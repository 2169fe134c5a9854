#include "common/mailauth/dkim/verdict.h"

namespace postern::mailauth::dkim {

const char* to_string(Result r) {
  switch (r) {
    case Result::pass: return "pass";
    case Result::fail: return "fail";
    case Result::neutral: return "neutral";
    case Result::temperror: return "temperror";
    case Result::permerror: return "permerror";
    case Result::policy: return "policy";
  }
  return "permerror";
}

}  // namespace postern::mailauth::dkim
