// Maildir naming (https://cr.yp.to/proto/maildir.html): pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace postern::router::delivery {

// The directory name for a recipient: the address lower-cased. nullopt when it cannot be a
// single safe path component: empty, longer than 255 octets, ".", "..", a leading '.', or
// containing '/', NUL or another control character.
std::optional<std::string> maildir_folder_name(std::string_view recipient);

// "<seconds>.M<micros>P<pid>Q<sequence>.<host>" with '/' and ':' in host escaped as \057 and
// \072, unique per process for distinct sequence numbers.
std::string maildir_unique_name(int64_t seconds, int64_t micros, int64_t pid, uint64_t sequence,
                                std::string_view host);

// The file content: "Return-Path: <sender>" and "Delivered-To: <recipient>" header lines,
// then the message, with CRLF line ends turned into LF (the Unix convention for local
// mailbox files that maildir readers expect).
std::string maildir_content(std::string_view sender, std::string_view recipient,
                            std::string_view message);

}  // namespace postern::router::delivery
