#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

// Reading the file an import starts from: plain text, or one member of a .zip archive as
// shipped by the exporting tool.
namespace desk::import {

// The text to import and the name that messages use for it.
struct InputText {
  std::string text;
  std::string name; // the file, or `archive.zip:member.csv` for a zip member
};

// Largest input read (2 GiB).
inline constexpr std::size_t k_max_input_size = 0x7FFFFFF0U;

// A zip member may unpack to at most k_max_zip_ratio times its compressed size (and
// always to k_min_zip_cap): more is a zip bomb, refused while it is read.
inline constexpr std::uint64_t k_max_zip_ratio = 200;
inline constexpr std::uint64_t k_min_zip_cap = 64 * 1024 * 1024;

// Read `path`. A zip archive (recognised by its signature) must hold exactly one member
// whose name ends in one of `extensions` (case-insensitive, e.g. {".csv"}); macOS
// `__MACOSX/` entries and `._` files are ignored. Throws NotFoundError when the file is
// missing, ParseError (exit 5) for a damaged archive or a member that fails its CRC, and
// UsageError when the archive holds no or several candidate members.
InputText read_input(const std::filesystem::path& path, const std::vector<std::string>& extensions);

// True when `bytes` starts like a zip archive.
bool looks_like_zip(std::string_view bytes);

} // namespace desk::import
