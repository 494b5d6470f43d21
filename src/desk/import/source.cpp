#include <desk/import/source.hpp>

#include <desk/util/error.hpp>
#include <desk/util/text.hpp>

#include <fmt/format.h>
#include <zip.h>

#include <dlfcn.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>

namespace fs = std::filesystem;

namespace desk::import {

namespace {

// libzip is loaded when a .zip is first read, not linked: it pulls in libcrypto, whose
// loading cost every desk process about 5 ms (measured: a hello-world linked with
// libzip starts in 11 ms instead of 6 ms on this machine).
struct ZipApi {
  decltype(&::zip_open) open;
  decltype(&::zip_discard) discard;
  decltype(&::zip_get_num_entries) get_num_entries;
  decltype(&::zip_get_name) get_name;
  decltype(&::zip_stat_init) stat_init;
  decltype(&::zip_stat_index) stat_index;
  decltype(&::zip_fopen_index) fopen_index;
  decltype(&::zip_fread) fread;
  decltype(&::zip_fclose) fclose;
  decltype(&::zip_strerror) strerror;
  decltype(&::zip_file_strerror) file_strerror;
  decltype(&::zip_error_init_with_code) error_init_with_code;
  decltype(&::zip_error_strerror) error_strerror;
  decltype(&::zip_error_fini) error_fini;
};

template <class F>
void bind(void* lib, F& target, const char* name)
{
  void* sym = ::dlsym(lib, name);
  if (sym == nullptr) {
    throw StorageError(fmt::format("{} has no function {}", DESK_LIBZIP_SONAME, name),
                       "reinstall libzip (Debian: apt-get install --reinstall libzip4)");
  }
  target = reinterpret_cast<F>(sym);
}

const ZipApi& zip_api()
{
  static const ZipApi api = [] {
    void* lib = ::dlopen(DESK_LIBZIP_SONAME, RTLD_NOW | RTLD_LOCAL);
    if (lib == nullptr) {
      const char* why = ::dlerror();
      throw StorageError(fmt::format("cannot read .zip files: {}", why ? why : DESK_LIBZIP_SONAME),
                         "install libzip (Debian: apt-get install libzip4), or unzip the file and give the CSV");
    }
    ZipApi a{};
    bind(lib, a.open, "zip_open");
    bind(lib, a.discard, "zip_discard");
    bind(lib, a.get_num_entries, "zip_get_num_entries");
    bind(lib, a.get_name, "zip_get_name");
    bind(lib, a.stat_init, "zip_stat_init");
    bind(lib, a.stat_index, "zip_stat_index");
    bind(lib, a.fopen_index, "zip_fopen_index");
    bind(lib, a.fread, "zip_fread");
    bind(lib, a.fclose, "zip_fclose");
    bind(lib, a.strerror, "zip_strerror");
    bind(lib, a.file_strerror, "zip_file_strerror");
    bind(lib, a.error_init_with_code, "zip_error_init_with_code");
    bind(lib, a.error_strerror, "zip_error_strerror");
    bind(lib, a.error_fini, "zip_error_fini");
    return a; // the library stays loaded for the life of the process
  }();
  return api;
}

struct ZipCloser {
  void operator()(zip_t* z) const { zip_api().discard(z); }
};

struct ZipFileCloser {
  void operator()(zip_file_t* f) const { zip_api().fclose(f); }
};

std::string zip_error_text(int code)
{
  const ZipApi& zip = zip_api();
  zip_error_t error;
  zip.error_init_with_code(&error, code);
  std::string out = zip.error_strerror(&error);
  zip.error_fini(&error);
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
  const ZipApi& zip = zip_api();
  int code = 0;
  std::unique_ptr<zip_t, ZipCloser> archive(zip.open(path.c_str(), ZIP_RDONLY, &code));
  if (!archive) {
    throw ParseError(path.string(), 0, 0, fmt::format("not a readable zip archive: {}", zip_error_text(code)),
                     "check that the download is complete, or unzip it and give the CSV file");
  }
  const zip_int64_t count = zip.get_num_entries(archive.get(), 0);
  std::vector<std::pair<zip_uint64_t, std::string>> candidates;
  std::vector<std::string> names;
  for (zip_int64_t i = 0; i < count; ++i) {
    const char* raw = zip.get_name(archive.get(), static_cast<zip_uint64_t>(i), ZIP_FL_ENC_GUESS);
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
  zip.stat_init(&st);
  if (zip.stat_index(archive.get(), index, 0, &st) != 0 || !(st.valid & ZIP_STAT_SIZE)) {
    throw ParseError(label, 0, 0, "cannot read the archive member's size", "unzip it and give the CSV file");
  }
  if (st.size > k_max_input_size) {
    throw ParseError(label, 0, 0, fmt::format("member is too large ({} bytes; at most 2 GiB)", st.size),
                     "split the export into smaller files and import each");
  }
  std::unique_ptr<zip_file_t, ZipFileCloser> file(zip.fopen_index(archive.get(), index, 0));
  if (!file) {
    throw ParseError(label, 0, 0, fmt::format("cannot open the archive member: {}", zip.strerror(archive.get())),
                     "unzip it and give the CSV file");
  }
  // Read as a stream, the buffer growing with what arrives (never sized from the member's
  // header), up to what its compressed size can honestly hold: text compresses 5-20 times,
  // a zip bomb thousands of times.
  const std::uint64_t compressed = (st.valid & ZIP_STAT_COMP_SIZE) ? st.comp_size : st.size;
  const std::uint64_t cap = std::min<std::uint64_t>(
    k_max_input_size, std::max<std::uint64_t>(k_min_zip_cap, compressed * k_max_zip_ratio));
  InputText out;
  out.name = label;
  constexpr std::size_t k_chunk = 1 << 20;
  std::size_t got = 0;
  while (true) {
    if (out.text.size() < got + k_chunk) {
      out.text.resize(got + k_chunk);
    }
    const zip_int64_t n = zip.fread(file.get(), out.text.data() + got, k_chunk);
    if (n < 0) {
      throw ParseError(label, 0, 0, fmt::format("the archive is damaged: {}", zip.file_strerror(file.get())),
                       "download the file again");
    }
    if (n == 0) {
      break; // the end: libzip has checked the CRC
    }
    got += static_cast<std::size_t>(n);
    if (got > cap) {
      throw ParseError(label, 0, 0,
                       fmt::format("the archive member unpacks to more than {} bytes from {} compressed; this is not "
                                   "an export (a zip bomb?)",
                                   cap, compressed),
                       "unzip it yourself and give the file, if it really is one");
    }
  }
  out.text.resize(got);
  if (got != st.size) {
    throw ParseError(label, 0, 0,
                     fmt::format("the archive member is damaged ({} bytes where its header says {})", got, st.size),
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
