// DKIM canonicalization (RFC 6376 3.4): header fields and bodies, simple and relaxed.
//
// Contract: pure, total functions over untrusted bytes; no I/O, no exceptions. Line ends:
// messages are stored with CRLF; a bare LF is treated as CRLF (as dkimpy and OpenDKIM do for
// locally submitted mail), a bare CR is an ordinary octet.
//
// The body canonicalizer streams: it holds back only trailing white space and trailing empty
// lines (as counts, not bytes), so memory stays constant whatever the body size and however
// the body is split into chunks.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/mailauth/dkim/signature.h"

namespace postern::mailauth::dkim {

// One header field, canonicalized, ending in CRLF. `raw_field` is the whole field as it
// appears in the message: name, colon, value, folding and (optionally) its final line end.
//   simple  (3.4.1): unchanged, except that line ends become CRLF and one is added if missing
//   relaxed (3.4.2): name lower-cased; value unfolded; WSP runs become one SP; WSP around the
//                    colon and at the end of the value removed
std::string canonicalize_header(Canon, std::string_view raw_field);

// Streaming body canonicalizer (3.4.3 simple, 3.4.4 relaxed). Appends canonical octets to
// `out` as far as they are final; finish() flushes the rest:
//   simple:  trailing empty lines removed; the body ends in exactly one CRLF (empty -> CRLF)
//   relaxed: trailing WSP on each line removed, WSP runs become one SP, trailing empty lines
//            removed; a non-empty body ends in CRLF; an empty body stays empty
class BodyCanonicalizer {
 public:
  explicit BodyCanonicalizer(Canon canon) : canon_(canon) {}

  void update(std::string_view chunk, std::string& out);
  void finish(std::string& out);

 private:
  void line_end();
  // Writes a run of content octets after whatever line ends and WSP it makes final.
  void content(std::string_view run, std::string& out);

  Canon canon_;
  uint64_t pending_crlfs_ = 0;  // line ends not yet known not to be trailing
  bool pending_cr_ = false;     // a CR whose successor has not been seen yet
  bool pending_wsp_ = false;    // relaxed: WSP seen since the last octet written
  bool wrote_ = false;          // any content octet written
};

// Whole-body convenience over BodyCanonicalizer.
std::string canonicalize_body(Canon, std::string_view body);

}  // namespace postern::mailauth::dkim
