// Removal of forged Authentication-Results fields (RFC 8601 5): a pure function over a
// message's header block.
//
// SECURITY: the header block is untrusted. A field that claims our authserv-id did not come
// from us (we add ours after this runs), so downstream filters must never see it. Fields with
// an authserv-id we cannot parse (unterminated quote or comment, nesting or length over the
// caps of authserv_id.h) are removed as well by default: a parser downstream might read our
// id out of them, and RFC 8601 5 allows removing any of these fields. Everything else in the
// block (other fields, other authserv-ids, lines that are not fields) is kept byte for byte.
// Cost is linear in the block; no exceptions.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace postern::mailauth::authres {

enum class Unparseable { remove, keep };

struct ForgedRemoval {
  std::string header_block;  // the input without the removed fields
  std::size_t removed = 0;   // fields removed (for the log and counters)
};

ForgedRemoval remove_forged(std::string_view header_block, std::string_view our_authserv_id,
                            Unparseable unparseable = Unparseable::remove);

}  // namespace postern::mailauth::authres
