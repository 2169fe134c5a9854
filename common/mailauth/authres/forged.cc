#include "common/mailauth/authres/forged.h"

#include "common/mailauth/authres/authserv_id.h"
#include "common/mime/headers.h"

namespace postern::mailauth::authres {

ForgedRemoval remove_forged(std::string_view block, std::string_view ours,
                            Unparseable unparseable) {
  ForgedRemoval out;
  out.header_block.reserve(block.size());
  std::size_t copied = 0;  // block[0, copied) has been handled
  for (const mime::Field& field : mime::parse_fields(block)) {
    if (!mime::iequals(field.name, "Authentication-Results")) continue;
    const auto id = parse_authserv_id(field.raw_value);
    const bool forged = id ? same_authserv_id(id->id, ours) : unparseable == Unparseable::remove;
    if (!forged) continue;
    const auto start = static_cast<std::size_t>(field.raw.data() - block.data());
    out.header_block.append(block.substr(copied, start - copied));
    copied = start + field.raw.size();
    ++out.removed;
  }
  out.header_block.append(block.substr(copied));
  return out;
}

}  // namespace postern::mailauth::authres
