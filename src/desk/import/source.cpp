#include <desk/import/source.hpp>

#include <desk/util/error.hpp>
#include <desk/util/text.hpp>

#include <fmt/format.h>
#include <zip.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>

namespace fs = std::filesystem;

namespace desk::import {

namespace {

struct ZipCloser {
  void operator()(zip_t* z) const { zip_discard(z); }
};

struct ZipFileCloser {
  void operator()(zip_file_t* f) const { zip_fclose(f); }
};

std::string zip_error_text(int code)
{
  zip_error_t error;
  zip_error_init_with_code(&error, code);
  std::string out = zip_error_strerror(&error);
  zip_error_fini(&error);
  return out;
}

bool ends_with_any(std::string_view name, const std::vector<std::string>& extensions)
{
  const std::string lower = text::ascii_lower(name);
  for (const auto& ext : extensions) {
    if (lower.ends_with(text::ascii_lower(ext))) {
      return true;
    }
  }
  return false;
}

std::string read_plain(const fs::path& path)
{
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw StorageError(fmt::format("cannot read {}: {}", path.string(), std::strerror(errno)));
  }
  std::string out;
  in.seekg(0, std::ios::end);
  const auto size = static_cast<std::size_t>(in.tellg());
  if (size > k_max_input_size) {
    throw ParseError(path.string(), 0, 0, fmt::format("file is too large ({} bytes; at most 2 GiB)", size),
                     "split the export into smaller files and import each");
  }
  in.seekg(0, std::ios::beg);
  out.resize(size);
  in.read(out.data(), static_cast<std::streamsize>(size));
  if (static_cast<std::size_t>(in.gcount()) != size) {
    throw StorageError(fmt::format("cannot read {}: short read", path.string()));
  }
  return out;
}

InputText read_zip(const fs::path& path, const std::vector<std::string>& extensions)
{
  int code = 0;
  std::unique_ptr<zip_t, ZipCloser> archive(zip_open(path.c_str(), ZIP_RDONLY, &code));
  if (!archive) {
    throw ParseError(path.string(), 0, 0, fmt::format("not a readable zip archive: {}", zip_error_text(code)),
                     "check that the download is complete, or unzip it and give the CSV file");
  }
  const zip_int64_t count = zip_get_num_entries(archive.get(), 0);
  std::vector<std::pair<zip_uint64_t, std::string>> candidates;
  std::vector<std::string> names;
  for (zip_int64_t i = 0; i < count; ++i) {
    const char* raw = zip_get_name(archive.get(), static_cast<zip_uint64_t>(i), ZIP_FL_ENC_GUESS);
    if (!raw) {
      continue;
    }
    const std::string name = raw;
    const std::string base = name.substr(name.rfind('/') == std::string::npos ? 0 : name.rfind('/') + 1);
    if (name.ends_with("/") || name.starts_with("__MACOSX/") || base.starts_with("._")) {
      continue;
    }
    names.push_back(name);
    if (ends_with_any(name, extensions)) {
      candidates.emplace_back(static_cast<zip_uint64_t>(i), name);
    }
  }
  if (candidates.size() != 1) {
    throw UsageError(
      candidates.empty()
        ? fmt::format("{} holds no {} file (it holds: {})", path.string(), fmt::join(extensions, " or "),
                      names.empty() ? std::string("nothing") : fmt::format("{}", fmt::join(names, ", ")))
        : fmt::format("{} holds several {} files: {}", path.string(), fmt::join(extensions, " or "),
                      fmt::join(names, ", ")),
      "unzip it and give the one file to import");
  }
  const auto& [index, name] = candidates.front();
  const std::string label = path.string() + ":" + name;
  zip_stat_t st;
  zip_stat_init(&st);
  if (zip_stat_index(archive.get(), index, 0, &st) != 0 || !(st.valid & ZIP_STAT_SIZE)) {
    throw ParseError(label, 0, 0, "cannot read the archive member's size", "unzip it and give the CSV file");
  }
  if (st.size > k_max_input_size) {
    throw ParseError(label, 0, 0, fmt::format("member is too large ({} bytes; at most 2 GiB)", st.size),
                     "split the export into smaller files and import each");
  }
  std::unique_ptr<zip_file_t, ZipFileCloser> file(zip_fopen_index(archive.get(), index, 0));
  if (!file) {
    throw ParseError(label, 0, 0, fmt::format("cannot open the archive member: {}", zip_strerror(archive.get())),
                     "unzip it and give the CSV file");
  }
  InputText out;
  out.name = label;
  out.text.resize(static_cast<std::size_t>(st.size));
  std::size_t got = 0;
  while (got < out.text.size()) {
    const zip_int64_t n = zip_fread(file.get(), out.text.data() + got, out.text.size() - got);
    if (n < 0) {
      throw ParseError(label, 0, 0, fmt::format("the archive is damaged: {}", zip_file_strerror(file.get())),
                       "download the file again");
    }
    if (n == 0) {
      break;
    }
    got += static_cast<std::size_t>(n);
  }
  if (got != out.text.size()) {
    throw ParseError(label, 0, 0, fmt::format("the archive member is truncated ({} of {} bytes)", got, out.text.size()),
                     "download the file again");
  }
  // Reading to the end lets libzip check the CRC.
  char extra = 0;
  if (zip_fread(file.get(), &extra, 1) < 0) {
    throw ParseError(label, 0, 0, fmt::format("the archive is damaged: {}", zip_file_strerror(file.get())),
                     "download the file again");
  }
  return out;
}

} // namespace

bool looks_like_zip(std::string_view bytes)
{
  return bytes.starts_with(std::string_view("PK\x03\x04", 4)) || bytes.starts_with(std::string_view("PK\x05\x06", 4));
}

InputText read_input(const fs::path& path, const std::vector<std::string>& extensions)
{
  std::error_code ec;
  if (!fs::exists(path, ec)) {
    throw NotFoundError(fmt::format("{} does not exist", path.string()), "check the path of the file to import");
  }
  if (fs::is_directory(path, ec)) {
    throw UsageError(fmt::format("{} is a directory, not a file", path.string()));
  }
  char head[4] = {};
  {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      throw StorageError(fmt::format("cannot read {}: {}", path.string(), std::strerror(errno)));
    }
    in.read(head, sizeof head);
  }
  if (looks_like_zip(std::string_view(head, sizeof head))) {
    return read_zip(path, extensions);
  }
  return InputText{read_plain(path), path.string()};
}

} // namespace desk::import
