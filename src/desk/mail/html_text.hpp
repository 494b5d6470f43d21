#pragma once

#include <string>
#include <string_view>

namespace desk::mail {

// Readable plain text from an HTML body: scripts, styles and the head dropped, block
// elements and <br> as line breaks, list items as "- ", blockquotes quoted with "> ",
// entities decoded, runs of white space collapsed. `html` is UTF-8.
std::string html_to_text(std::string_view html);

} // namespace desk::mail
