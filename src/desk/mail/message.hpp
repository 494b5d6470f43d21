#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

// One received mail as desk records it: the headers that matter decoded to UTF-8, the
// body as readable text, the attachments' bytes. Parsed by GMime (MIME structure,
// transfer encodings, RFC 2231 parameters); charsets by desk::mail::decode_charset.
namespace desk::mail {

// A file carried by the mail.
struct MailAttachment {
  std::string name;         // as the sender named it, without folders or control characters
  std::string content_type; // e.g. "application/pdf"
  std::string bytes;        // decoded content; empty when over the limit
  std::size_t size = 0;     // decoded size
  bool over_limit = false;  // not kept: larger than the limit
};

// What desk reads from one message.
struct ParsedMail {
  std::string message_id;              // without the angle brackets; empty when none
  std::string in_reply_to;             // the first id, without angle brackets
  std::vector<std::string> references; // oldest first, without angle brackets
  std::string from_address;            // lower-case; empty when the From has none
  std::string from_name;               // display name, decoded; may be empty
  std::vector<std::string> recipients; // To and Cc addresses, lower-case
  std::string subject;                 // decoded, one line
  std::string date;                    // the Date header as written
  std::string content_type;            // of the top-level part, lower-case ("multipart/report")
  std::string text;                    // the body as plain text (HTML converted when that is all)
  bool html_only = false;              // the text was converted from HTML
  std::vector<MailAttachment> attachments;
  std::vector<std::string> notes; // what could not be read as the mail said (charsets, limits, damage)
  std::vector<std::pair<std::string, std::string>> headers; // top-level headers, names as written, values unfolded

  // The value of the first header named `name` (case-insensitive), "" when absent.
  std::string header(std::string_view name) const;
  // True when a header named `name` is present.
  bool has_header(std::string_view name) const;
};

// Parse one RFC 5322 message (an mbox "From " first line and CR-only line ends are
// accepted). Attachments larger than `max_attachment_bytes` are listed but not kept.
// Never throws on malformed input: damage is repaired where it can be and noted.
ParsedMail parse_mail(std::string_view raw, std::size_t max_attachment_bytes);

// A file name safe to store: the last component of any folder path (/ or \), control
// characters and leading dots removed, white space runs collapsed; "attachment" when
// nothing is left.
std::string safe_file_name(std::string_view name);

} // namespace desk::mail
