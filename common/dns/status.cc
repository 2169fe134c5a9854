#include "common/dns/resolver.h"

namespace postern::dns {

const char* to_string(Status status) {
  switch (status) {
    case Status::ok: return "ok";
    case Status::nxdomain: return "nxdomain";
    case Status::nodata: return "nodata";
    case Status::temperror: return "temperror";
    case Status::permerror: return "permerror";
  }
  return "unknown";
}

}  // namespace postern::dns
