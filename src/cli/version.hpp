#pragma once

#include <string_view>

namespace desk::cli {

// "desk 0.1.0 (git 1a2b3c4)": the version and the revision the binary was built from.
std::string_view version_text();

} // namespace desk::cli
