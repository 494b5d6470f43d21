#include "cli/share_files.hpp"

#include "cli/common.hpp"

namespace desk::cli {

std::optional<std::filesystem::path> share_dir()
{
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path here = fs::path(self_path()).parent_path();
  for (const fs::path& candidate : {(here / DESK_BIN_TO_SHARE).lexically_normal(), (here / DESK_LIBEXEC_TO_SHARE).lexically_normal(),
                                    fs::path(DESK_SOURCE_SHARE_DIR), fs::path(DESK_INSTALL_SHARE_DIR)}) {
    if (fs::is_regular_file(candidate / "config.yaml", ec)) {
      return candidate;
    }
  }
  return std::nullopt;
}

std::string mapping_path(const std::string& value)
{
  namespace fs = std::filesystem;
  std::error_code ec;
  if (value.empty() || value.find('/') != std::string::npos || fs::exists(value, ec)) {
    return value;
  }
  if (const auto dir = share_dir()) {
    const fs::path shipped = *dir / "import" / (value + ".yaml");
    if (fs::is_regular_file(shipped, ec)) {
      return shipped.string();
    }
  }
  return value;
}

} // namespace desk::cli
