// The data a DKIM signature covers (RFC 6376 3.7 step 2, 5.4.2): the signed header fields in
// h= order, canonicalized, followed by the DKIM-Signature field itself with its b= value
// deleted and without its final CRLF. Its SHA-256 is what gets signed: the verifier checks
// the signature over it, and the router (issue 3) builds the same bytes with b= empty and
// sends only the digest to the keystore.
//
// Contract: pure functions over bytes; no I/O, no exceptions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/mailauth/dkim/signature.h"
#include "common/mime/headers.h"

namespace postern::mailauth::dkim {

// RFC 6376 5.4.2: for each name in `names` (in order) the last instance not yet chosen,
// counting from the bottom of the header; a name with no instance left contributes nothing
// (so a signer can "oversign" From to stop another one being added). Pointers into `fields`.
std::vector<const mime::Field*> select_signed_fields(const std::vector<mime::Field>& fields,
                                                      const std::vector<std::string>& names);

// The header hash input. `signature_field` is the whole DKIM-Signature field (name, colon,
// value) whose b= value is already empty: from without_b_value() when verifying, or as built
// by the signer ("DKIM-Signature: v=1; a=...; b=") when signing. Its line end, if any, is not
// hashed.
std::string header_hash_input(Canon canon, const std::vector<mime::Field>& fields,
                              const std::vector<std::string>& names,
                              std::string_view signature_field);

// The DKIM-Signature field `raw_field` (name, colon, value, line end) with the value of its b=
// tag deleted: from just after "b=" to the last character of the value, so FWS before the next
// ";" stays (as dkimpy and OpenDKIM do). nullopt when the value is not a valid tag list or has
// no b= tag.
std::optional<std::string> without_b_value(std::string_view raw_field);

}  // namespace postern::mailauth::dkim
