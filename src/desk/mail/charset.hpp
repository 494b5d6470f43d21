#pragma once

#include <string>
#include <string_view>

// Text in a mail's declared charset, decoded to UTF-8 the way people mean it: the labels
// mail programs get wrong are read as the superset they really send (GB2312 as GB18030,
// Big5 as Big5-HKSCS, Shift_JIS as CP932, ISO-8859-1 as windows-1252), a wrong or missing
// label is caught and the text read in the charset it really is, with a note saying so.
namespace desk::mail {

// UTF-8 text and what was done to get it.
struct DecodedText {
  std::string text;    // valid UTF-8
  std::string charset; // the charset the bytes were read as ("UTF-8", "GB18030", ...)
  std::string note;    // empty when the label was right; else a sentence for the reader
};

// Decode `bytes` labelled `label` (may be empty: unlabelled).
DecodedText decode_charset(std::string_view bytes, std::string_view label);

// The iconv name desk reads a label as (lower-case label in, e.g. "gb2312" → "GB18030");
// empty for a label iconv does not know.
std::string charset_for_label(std::string_view label);

// Decode a header value: RFC 2047 encoded words (adjacent words joined, each in its own
// charset) and raw 8-bit bytes (read as UTF-8 when valid, else in `fallback`, the body's
// charset). Never returns invalid UTF-8; control characters other than tab become spaces.
std::string decode_header_text(std::string_view raw, std::string_view fallback = {});

} // namespace desk::mail
