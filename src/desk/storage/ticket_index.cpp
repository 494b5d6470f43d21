#include <desk/storage/ticket_index.hpp>

#include <desk/storage/file_io.hpp>
#include <desk/storage/mapped_file.hpp>
#include <desk/storage/load_problem.hpp>
#include <desk/storage/ticket_walk.hpp>
#include <desk/util/error.hpp>
#include <desk/util/file_stamp.hpp>
#include <desk/util/hash.hpp>
#include <desk/util/parallel.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <climits>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <deque>
#include <memory>
#include <optional>
#include <random>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace desk::storage {

namespace {

// File layout (host byte order; a machine that reads another order sees a bad magic and
// rebuilds):
//   header   k_magic, version, entry count, where the table is, build time, checksums
//   records  each ticket's fields (or a problem file's record) and events, anywhere after
//            the header (a full write puts every ticket's fields in path order, then every
//            ticket's events)
//   table    RawEntry per ticket file, in path order (stamp, content hash, flags, created
//            and updated times, where its path and status are in the names and its records
//            in the file), then the names (every path and status); a reader maps it, a
//            writer hands it over a megabyte at a time
// An update appends the records of the files parsed again and a new table, then rewrites
// the header in place: nothing a reader may be using is ever overwritten (a reader that
// catches the header half-written sees a bad check and reads it again). When dead records
// make up more than half of the file it is written anew (temp file + rename).
constexpr char k_magic[8] = {'D', 'E', 'S', 'K', 'I', 'D', 'X', '1'};
// 2: each entry carries the status; 3: problems their position; 4: fixed-size entries,
// records read with pread, not mapped; 5: updates appended, the table after the records;
// 6: each entry carries the ticket's created and updated times (its brief, with the status)
constexpr std::uint32_t k_version = 6;

// An entry's time that is missing or not a time.
constexpr std::int64_t k_no_time = INT64_MIN;

// Racy entries found old enough are written down once they make up this share of the
// files (1/64: at 100,000 files ~1,600 reads of a file and its hash, ~20 ms a read).
constexpr std::size_t k_settle_share = 64;

// More files to parse than this: parse on every core (at most 8 threads).
constexpr std::size_t k_parallel_threshold = 512;

enum EntryFlags : std::uint8_t { racy = 1, problem = 2 };

struct Header {
  char magic[8];
  std::uint32_t version;
  std::uint32_t reserved;
  std::uint64_t entry_count;
  std::uint64_t entries_offset; // entry_count RawEntry, then the names
  std::uint64_t names_size;
  std::uint64_t file_size;      // the end of the table (a failed append may leave more)
  std::int64_t built_ns;
  std::uint64_t table_check;  // of the entries and the names
  std::uint64_t header_check; // of every byte before it
};

struct RawEntry {
  std::uint64_t size;
  std::int64_t mtime_ns;
  std::int64_t ctime_ns;
  std::uint64_t ino;
  std::uint64_t content_hash;
  std::uint64_t head_off; // in the file
  std::uint64_t tail_off;
  std::uint32_t head_len;
  std::uint32_t tail_len;
  std::uint64_t head_check;
  std::uint64_t tail_check;
  std::int64_t created_s; // seconds since 1970 (UTC), or k_no_time
  std::int64_t updated_s;
  std::uint32_t name_off; // the path, then the status, within names
  std::uint16_t path_len;
  std::uint8_t status_len;
  std::uint8_t flags;
};
static_assert(sizeof(RawEntry) == 104, "RawEntry is written as it lies in memory");

std::int64_t time_field(const std::optional<Timestamp>& t)
{
  return t ? static_cast<std::int64_t>(t->time_since_epoch().count()) : k_no_time;
}

std::optional<Timestamp> time_field(std::int64_t s)
{
  if (s == k_no_time) {
    return std::nullopt;
  }
  return Timestamp{std::chrono::seconds{s}};
}

// --- binary encoding -------------------------------------------------------------------

class Writer {
public:
  explicit Writer(std::string& out) : m_out(out) {}
  void byte(std::uint8_t b) { m_out.push_back(static_cast<char>(b)); }
  void varint(std::uint64_t v)
  {
    while (v >= 0x80) {
      byte(static_cast<std::uint8_t>(v | 0x80));
      v >>= 7;
    }
    byte(static_cast<std::uint8_t>(v));
  }
  void str(std::string_view s)
  {
    varint(s.size());
    m_out.append(s);
  }
  template <class T>
  void raw(const T& v)
  {
    m_out.append(reinterpret_cast<const char*>(&v), sizeof v);
  }
  void value(const Value& v)
  {
    switch (v.kind) {
    case Value::Kind::null:
      byte(0);
      break;
    case Value::Kind::scalar:
      byte(v.plain ? 2 : 1);
      str(v.scalar);
      break;
    case Value::Kind::sequence:
      byte(3);
      varint(v.items.size());
      for (const auto& item : v.items) {
        value(item);
      }
      break;
    case Value::Kind::mapping:
      byte(4);
      varint(v.entries.size());
      for (const auto& [k, x] : v.entries) {
        str(k);
        value(x);
      }
      break;
    }
  }

private:
  std::string& m_out;
};

// Thrown when index bytes do not decode: the index is rebuilt.
struct CorruptIndex {};

class Reader {
public:
  Reader(const char* p, std::size_t n) : m_p(p), m_end(p + n) {}
  bool done() const { return m_p == m_end; }
  std::uint8_t byte()
  {
    if (m_p == m_end) {
      throw CorruptIndex{};
    }
    return static_cast<std::uint8_t>(*m_p++);
  }
  std::uint64_t varint()
  {
    std::uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      const std::uint8_t b = byte();
      v |= static_cast<std::uint64_t>(b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        return v;
      }
    }
    throw CorruptIndex{};
  }
  std::string_view str()
  {
    const std::uint64_t n = varint();
    if (n > static_cast<std::uint64_t>(m_end - m_p)) {
      throw CorruptIndex{};
    }
    std::string_view s(m_p, n);
    m_p += n;
    return s;
  }
  template <class T>
  T raw()
  {
    if (sizeof(T) > static_cast<std::size_t>(m_end - m_p)) {
      throw CorruptIndex{};
    }
    T v;
    std::memcpy(&v, m_p, sizeof v);
    m_p += sizeof v;
    return v;
  }
  // Decode into `v`, reusing the storage its strings and vectors already have.
  void value_into(Value& v, int depth = 0)
  {
    if (depth > 64) {
      throw CorruptIndex{};
    }
    v.line = 0;
    v.column = 0;
    const std::uint8_t tag = byte();
    switch (tag) {
    case 0:
      v.kind = Value::Kind::null;
      v.scalar.clear();
      v.plain = false;
      v.items.clear();
      v.entries.clear();
      break;
    case 1:
    case 2:
      v.kind = Value::Kind::scalar;
      v.plain = tag == 2;
      v.scalar.assign(str());
      v.items.clear();
      v.entries.clear();
      break;
    case 3: {
      v.kind = Value::Kind::sequence;
      v.scalar.clear();
      v.plain = false;
      v.entries.clear();
      const std::uint64_t n = varint();
      if (n > static_cast<std::uint64_t>(m_end - m_p)) {
        throw CorruptIndex{};
      }
      v.items.resize(n);
      for (auto& item : v.items) {
        value_into(item, depth + 1);
      }
      break;
    }
    case 4: {
      v.kind = Value::Kind::mapping;
      v.scalar.clear();
      v.plain = false;
      v.items.clear();
      const std::uint64_t n = varint();
      if (n > static_cast<std::uint64_t>(m_end - m_p)) {
        throw CorruptIndex{};
      }
      v.entries.resize(n);
      for (auto& [key, item] : v.entries) {
        key.assign(str());
        value_into(item, depth + 1);
      }
      break;
    }
    default:
      throw CorruptIndex{};
    }
  }

  Value value(int depth = 0)
  {
    if (depth > 64) {
      throw CorruptIndex{};
    }
    Value v;
    switch (byte()) {
    case 0:
      break;
    case 1:
    case 2:
      v.kind = Value::Kind::scalar;
      v.plain = m_p[-1] == 2;
      v.scalar = std::string(str());
      break;
    case 3: {
      v.kind = Value::Kind::sequence;
      const std::uint64_t n = varint();
      if (n > static_cast<std::uint64_t>(m_end - m_p)) {
        throw CorruptIndex{};
      }
      v.items.reserve(n);
      for (std::uint64_t i = 0; i < n; ++i) {
        v.items.push_back(value(depth + 1));
      }
      break;
    }
    case 4: {
      v.kind = Value::Kind::mapping;
      const std::uint64_t n = varint();
      if (n > static_cast<std::uint64_t>(m_end - m_p)) {
        throw CorruptIndex{};
      }
      v.entries.reserve(n);
      for (std::uint64_t i = 0; i < n; ++i) {
        std::string key(str());
        v.entries.emplace_back(std::move(key), value(depth + 1));
      }
      break;
    }
    default:
      throw CorruptIndex{};
    }
    return v;
  }

private:
  const char* m_p;
  const char* m_end;
};

// A problem file's record: its position, reason and message (the path is the entry's).
std::string encode_problem(const LoadProblem& problem)
{
  std::string out;
  Writer w(out);
  w.varint(static_cast<std::uint64_t>(std::max(problem.line, 0)));
  w.varint(static_cast<std::uint64_t>(std::max(problem.column, 0)));
  w.str(problem.reason);
  w.str(problem.message);
  return out;
}

LoadProblem decode_problem(std::string_view record, const fs::path& path)
{
  Reader r(record.data(), record.size());
  LoadProblem problem;
  problem.path = path;
  problem.line = static_cast<int>(std::min<std::uint64_t>(r.varint(), INT_MAX));
  problem.column = static_cast<int>(std::min<std::uint64_t>(r.varint(), INT_MAX));
  problem.reason = r.str();
  problem.message = r.str();
  if (!r.done()) {
    throw CorruptIndex{};
  }
  return problem;
}

// A ticket's events from their record.
std::vector<Event> decode_events(std::string_view events)
{
  Reader er(events.data(), events.size());
  const std::uint64_t n = er.varint();
  if (n > events.size()) {
    throw CorruptIndex{};
  }
  std::vector<Event> list;
  list.reserve(n);
  for (std::uint64_t i = 0; i < n; ++i) {
    Event e;
    e.id = std::string(er.str());
    e.at = std::string(er.str());
    e.by = std::string(er.str());
    e.action = std::string(er.str());
    e.set = er.value();
    e.note = std::string(er.str());
    e.extra = er.value();
    list.push_back(std::move(e));
  }
  if (!er.done()) {
    throw CorruptIndex{};
  }
  return list;
}

// --- the index file --------------------------------------------------------------------

// An open index file: its header and its table (entries and names) read into memory; the
// records stay in the file and are read through a BlobReader.
class OldIndex {
public:
  OldIndex() = default;
  ~OldIndex()
  {
    if (m_fd >= 0) {
      ::close(m_fd);
    }
  }
  OldIndex(const OldIndex&) = delete;
  OldIndex& operator=(const OldIndex&) = delete;

  // Open and check an index file; false (and empty) when it is missing, of another
  // version, or damaged anywhere the table's checks can see.
  bool open(const fs::path& file);

  std::size_t size() const { return m_count; }
  int fd() const { return m_fd; }
  ino_t inode() const { return m_ino; }
  const Header& header() const { return m_header; }
  RawEntry entry(std::size_t i) const
  {
    RawEntry e;
    std::memcpy(&e, m_table.data() + i * sizeof(RawEntry), sizeof e);
    return e;
  }
  std::string_view path(const RawEntry& e) const { return names().substr(e.name_off, e.path_len); }
  // Entry i's path, without copying the whole entry out (the walk pairs every file).
  std::string_view path(std::size_t i) const
  {
    std::uint32_t name_off = 0;
    std::uint16_t path_len = 0;
    const char* at = m_table.data() + i * sizeof(RawEntry);
    std::memcpy(&name_off, at + offsetof(RawEntry, name_off), sizeof name_off);
    std::memcpy(&path_len, at + offsetof(RawEntry, path_len), sizeof path_len);
    return names().substr(name_off, path_len);
  }
  std::string_view status(const RawEntry& e) const
  {
    return names().substr(std::size_t{e.name_off} + e.path_len, e.status_len);
  }

private:
  std::string_view names() const { return m_table.bytes().substr(m_count * sizeof(RawEntry)); }

  int m_fd = -1;
  ino_t m_ino = 0;
  Header m_header{};
  std::size_t m_count = 0;
  // The entries, then the names: mapped, not read (12 MB at 100,000 tickets; read into
  // fresh memory they cost several times more than the page cache's pages mapped in).
  // Nothing shortens an index file: an update appends, a rewrite replaces it.
  MappedFile m_table;
};

// Transfer all n bytes at `offset` with pread or pwrite, through short transfers and
// interruptions; false on an error or at the end of the file.
template <class Byte, class Call>
bool all_at(int fd, Byte* bytes, std::size_t n, std::uint64_t offset, Call call)
{
  while (n > 0) {
    const ssize_t done = call(fd, bytes, n, static_cast<off_t>(offset));
    if (done < 0 && errno == EINTR) {
      continue;
    }
    if (done <= 0) {
      return false;
    }
    bytes += done;
    n -= static_cast<std::size_t>(done);
    offset += static_cast<std::uint64_t>(done);
  }
  return true;
}

bool read_at(int fd, char* out, std::size_t n, std::uint64_t offset)
{
  return all_at(fd, out, n, offset, ::pread);
}

bool write_at(int fd, const char* bytes, std::size_t n, std::uint64_t offset)
{
  return all_at(fd, bytes, n, offset, ::pwrite);
}

bool OldIndex::open(const fs::path& file)
{
  m_fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (m_fd < 0) {
    return false;
  }
  const auto fail = [this] {
    ::close(m_fd);
    m_fd = -1;
    m_count = 0;
    m_table = MappedFile();
    return false;
  };
  struct stat st {};
  if (::fstat(m_fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    return fail();
  }
  m_ino = st.st_ino;
  Header& h = m_header;
  // A header being rewritten by an update fails its check: read it again (twice at most).
  bool good = false;
  for (int attempt = 0; attempt < 3 && !good; ++attempt) {
    if (attempt > 0) {
      ::usleep(1000);
    }
    good = read_at(m_fd, reinterpret_cast<char*>(&h), sizeof h, 0) &&
           std::memcmp(h.magic, k_magic, sizeof k_magic) == 0 && h.version == k_version &&
           h.header_check == hash64(&h, offsetof(Header, header_check));
    if (!good && (std::memcmp(h.magic, k_magic, sizeof k_magic) != 0 || h.version != k_version)) {
      break; // another format: nothing to wait for
    }
  }
  if (!good || ::fstat(m_fd, &st) != 0) {
    return fail();
  }
  const auto size = static_cast<std::uint64_t>(st.st_size);
  if (h.file_size > size || h.entries_offset < sizeof(Header) || h.entry_count > size / sizeof(RawEntry) ||
      h.entries_offset > h.file_size || h.entry_count * sizeof(RawEntry) > h.file_size - h.entries_offset ||
      h.names_size != h.file_size - h.entries_offset - h.entry_count * sizeof(RawEntry)) {
    return fail();
  }
  m_count = h.entry_count;
  const std::uint64_t table_size = h.file_size - h.entries_offset;
  if (table_size > 0) {
    m_table = MappedFile(m_fd, h.entries_offset, static_cast<std::size_t>(table_size), true);
  }
  if (m_table.size() != table_size || hash64(m_table.bytes()) != h.table_check) {
    return fail();
  }
  // Every entry's places must lie among the records, paths in path order.
  const std::uint64_t records_end = h.entries_offset;
  const auto within = [records_end](std::uint64_t off, std::uint64_t len) {
    return len == 0 || (off >= sizeof(Header) && off <= records_end && len <= records_end - off);
  };
  std::string_view previous;
  for (std::size_t i = 0; i < m_count; ++i) {
    const RawEntry e = entry(i);
    if (std::uint64_t{e.name_off} + e.path_len + e.status_len > h.names_size || !within(e.head_off, e.head_len) ||
        !within(e.tail_off, e.tail_len)) {
      return fail();
    }
    const std::string_view p = path(e);
    if (i > 0 && !(previous < p)) {
      return fail();
    }
    previous = p;
  }
  return true;
}

// Reads records of an index file through a window of about a megabyte that slides
// forward as records are asked for in file order; a record far from the window (one an
// update appended at the end) is read on its own. A view it returns is valid until its
// next call.
class BlobReader {
public:
  BlobReader(int fd, std::uint64_t end) : m_fd(fd), m_end(end) {}

  std::string_view get(std::uint64_t off, std::uint32_t len)
  {
    if (len == 0) {
      return {};
    }
    if (m_fd < 0 || off > m_end || len > m_end - off) {
      throw CorruptIndex{};
    }
    if (off >= m_start && off + len <= m_start + m_valid) {
      return std::string_view(m_window).substr(off - m_start, len);
    }
    if (off < m_start || off > m_start + m_valid + k_window) {
      m_single.resize(len);
      if (!read_at(m_fd, m_single.data(), len, off)) {
        throw CorruptIndex{};
      }
      return m_single;
    }
    const std::uint64_t want = std::min<std::uint64_t>(std::max<std::uint64_t>(len, k_window), m_end - off);
    m_window.resize(want);
    m_valid = 0;
    if (!read_at(m_fd, m_window.data(), want, off)) {
      throw CorruptIndex{};
    }
    m_start = off;
    m_valid = want;
    return std::string_view(m_window).substr(0, len);
  }

private:
  static constexpr std::uint64_t k_window = 1 << 20;
  int m_fd;
  std::uint64_t m_end;
  std::string m_window;
  std::string m_single;
  std::uint64_t m_start = 0;
  std::uint64_t m_valid = 0;
};

// A ticket's records, appended to `out`: its fields (the head), its events (the tail).
void append_fields(std::string& out, const Ticket& ticket)
{
  Writer(out).value(ticket.fields());
}

void append_events(std::string& out, const Ticket& ticket)
{
  Writer w(out);
  w.varint(ticket.events().size());
  for (const auto& e : ticket.events()) {
    w.str(e.id);
    w.str(e.at);
    w.str(e.by);
    w.str(e.action);
    w.value(e.set);
    w.str(e.note);
    w.value(e.extra);
  }
}

// A ticket file parsed during this read: its records, owned.
struct Fresh {
  std::string bytes; // head, tail, status
  std::uint32_t head_len = 0;
  std::uint32_t tail_len = 0;
  std::uint64_t content_hash = 0;
  std::int64_t created_s = k_no_time;
  std::int64_t updated_s = k_no_time;
  bool problem = false;

  std::string_view head() const { return std::string_view(bytes).substr(0, head_len); }
  std::string_view tail() const { return std::string_view(bytes).substr(head_len, tail_len); }
  std::string_view status() const { return std::string_view(bytes).substr(std::size_t{head_len} + tail_len); }
};

// Parse one file into its records (or a problem record).
void parse_into(const TicketSource& source, const TicketFile& file, Fresh& f)
{
  const fs::path path = source.dir / file.rel;
  std::string text;
  try {
    text = read_text_file(path);
    f.content_hash = hash64(text);
    const Ticket t = source.parse(file.id(), path, text);
    // Encoded in this thread's buffer, then kept at their exact size: a rebuild holds
    // every ticket's records (what a grown string leaves spare is fresh memory too).
    thread_local std::string encoded;
    encoded.clear();
    append_fields(encoded, t);
    f.head_len = static_cast<std::uint32_t>(encoded.size());
    append_events(encoded, t);
    f.tail_len = static_cast<std::uint32_t>(encoded.size() - f.head_len);
    encoded += std::string_view(t.status()).substr(0, 255);
    f.bytes.assign(encoded);
    const TicketBrief brief = brief_of(t);
    f.created_s = time_field(brief.created);
    f.updated_s = time_field(brief.updated);
    f.problem = false;
  } catch (const Error& err) {
    f.bytes = encode_problem(LoadProblem::of(path, err));
    f.head_len = static_cast<std::uint32_t>(f.bytes.size());
    f.tail_len = 0;
    f.created_s = f.updated_s = k_no_time;
    f.problem = true;
    if (text.empty()) {
      f.content_hash = 0;
    }
  }
}

constexpr std::uint32_t k_none = UINT32_MAX;

// What one read knows of each ticket file found: its old entry, or what it parsed now.
struct Plan {
  TicketFiles found;
  std::vector<std::uint32_t> old_of;   // entry in the old index, or k_none
  std::vector<std::uint32_t> fresh_of; // place in `fresh`, or k_none
  std::deque<Fresh> fresh;              // stable places: views into them outlive appends

  // What file i was parsed into now, or null when its old entry stands.
  const Fresh* fresh_at(std::size_t i) const { return fresh_of[i] != k_none ? &fresh[fresh_of[i]] : nullptr; }
  // The lengths of file i's records (fields, events), wherever they are.
  std::pair<std::uint32_t, std::uint32_t> lengths(std::size_t i, const OldIndex& old) const
  {
    if (const Fresh* f = fresh_at(i)) {
      return {f->head_len, f->tail_len};
    }
    const RawEntry e = old.entry(old_of[i]);
    return {e.head_len, e.tail_len};
  }
};

// The size and check of a table as written.
struct TableCheck {
  std::uint64_t size = 0;
  std::uint64_t check = 0;
};

// The status file i's entry carries.
std::string_view status_at(const Plan& plan, const OldIndex& old, std::size_t i)
{
  const Fresh* f = plan.fresh_at(i);
  return f != nullptr ? f->status() : old.status(old.entry(plan.old_of[i]));
}

// The size of the table for the files of `plan`: their entries, then every path and status.
std::uint64_t table_size(const Plan& plan, const OldIndex& old)
{
  std::uint64_t size = plan.found.size() * sizeof(RawEntry);
  for (std::size_t i = 0; i < plan.found.size(); ++i) {
    size += plan.found[i].rel.size() + status_at(plan, old, i).size();
  }
  return size;
}

// Hand the table for the files of `plan` (`size` bytes, from table_size) to `put` in pieces
// of about a megabyte, never all of it at once (13 MB at 100,000 tickets: fresh memory
// costs more than writing it); `place(i, entry)` sets where entry i's records are. Nothing
// when a path is too long for the entry format or `put` fails.
std::optional<TableCheck> write_table(const Plan& plan, const OldIndex& old, std::uint64_t size,
                                      std::int64_t built_ns,
                                      const std::function<void(std::size_t, RawEntry&)>& place,
                                      const std::function<bool(std::string_view)>& put)
{
  constexpr std::size_t k_piece = 1 << 20;
  const std::size_t n = plan.found.size();
  Hasher hasher(size);
  std::string piece;
  piece.reserve(k_piece + 2 * UINT16_MAX);
  const auto flush = [&](bool always) {
    if (piece.size() < k_piece && !always) {
      return true;
    }
    hasher.update(piece.data(), piece.size());
    const bool ok = piece.empty() || put(piece);
    piece.clear();
    return ok;
  };
  std::uint64_t name_off = 0;
  for (std::size_t i = 0; i < n; ++i) {
    RawEntry e{};
    std::string_view status;
    if (const Fresh* f = plan.fresh_at(i)) {
      e.content_hash = f->content_hash;
      e.flags = f->problem ? EntryFlags::problem : 0;
      e.head_len = f->head_len;
      e.tail_len = f->tail_len;
      e.head_check = hash64(f->head());
      e.tail_check = hash64(f->tail());
      e.created_s = f->created_s;
      e.updated_s = f->updated_s;
      status = f->status();
    } else {
      e = old.entry(plan.old_of[i]);
      status = old.status(e); // read before name_off is set for the new table
    }
    place(i, e);
    const TicketStamp stamp = plan.found[i].stamp.value_or(TicketStamp{});
    e.size = stamp.size;
    e.mtime_ns = stamp.mtime_ns;
    e.ctime_ns = stamp.ctime_ns;
    e.ino = stamp.ino;
    // Racy: changed within the window before this read's clock (see the header).
    const bool racy = std::max(stamp.mtime_ns, stamp.ctime_ns) > built_ns - k_racy_window_ns;
    e.flags = static_cast<std::uint8_t>(racy ? (e.flags | EntryFlags::racy) : (e.flags & ~EntryFlags::racy));
    const std::string_view path = plan.found[i].rel;
    if (path.size() > UINT16_MAX || name_off > UINT32_MAX - UINT16_MAX - 256) {
      return std::nullopt;
    }
    e.name_off = static_cast<std::uint32_t>(name_off);
    e.path_len = static_cast<std::uint16_t>(path.size());
    e.status_len = static_cast<std::uint8_t>(status.size());
    name_off += path.size() + status.size();
    piece.append(reinterpret_cast<const char*>(&e), sizeof e);
    if (!flush(false)) {
      return std::nullopt;
    }
  }
  for (std::size_t i = 0; i < n; ++i) {
    piece += plan.found[i].rel;
    piece += status_at(plan, old, i);
    if (!flush(false)) {
      return std::nullopt;
    }
  }
  if (!flush(true)) {
    return std::nullopt;
  }
  return TableCheck{size, hasher.finish()};
}

Header make_header(std::size_t count, std::uint64_t entries_offset, const TableCheck& table, std::int64_t built_ns)
{
  Header h{};
  std::memcpy(h.magic, k_magic, sizeof k_magic);
  h.version = k_version;
  h.entry_count = count;
  h.entries_offset = entries_offset;
  h.names_size = table.size - count * sizeof(RawEntry);
  h.file_size = entries_offset + table.size;
  h.built_ns = built_ns;
  h.table_check = table.check;
  h.header_check = hash64(&h, offsetof(Header, header_check));
  return h;
}

// Write the whole index anew (temp file + rename; no fsync: it is derived data, and a torn
// file fails its checks and is rebuilt). The records of entries kept from the old index
// are copied from it. False when it could not be written.
bool rewrite_index(const fs::path& file, const Plan& plan, const OldIndex& old, std::int64_t built_ns)
{
  // Every head, then every tail, in path order, after the header.
  const std::size_t n = plan.found.size();
  std::uint64_t heads_size = 0;
  std::uint64_t tails_size = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const auto [head_len, tail_len] = plan.lengths(i, old);
    heads_size += head_len;
    tails_size += tail_len;
  }

  std::error_code ec;
  fs::create_directories(file.parent_path(), ec);
  std::random_device rd;
  const fs::path tmp = file.parent_path() / fmt::format(".{}.tmp.{}.{:x}", file.filename().string(), ::getpid(), rd());
  std::FILE* out = std::fopen(tmp.c_str(), "wbx");
  if (out == nullptr) {
    return false;
  }
  std::vector<char> buffer(1 << 20);
  std::setvbuf(out, buffer.data(), _IOFBF, buffer.size());
  const Header blank{}; // the real one, written last, needs the table's check
  bool ok = std::fwrite(&blank, sizeof blank, 1, out) == 1;
  // The records, each copied from where this read has it.
  try {
    BlobReader reader(old.fd(), old.header().entries_offset);
    for (const bool heads : {true, false}) {
      for (std::size_t i = 0; ok && i < n; ++i) {
        std::string_view bytes;
        if (const Fresh* f = plan.fresh_at(i)) {
          bytes = heads ? f->head() : f->tail();
        } else {
          const RawEntry p = old.entry(plan.old_of[i]);
          bytes = heads ? reader.get(p.head_off, p.head_len) : reader.get(p.tail_off, p.tail_len);
        }
        ok = bytes.empty() || std::fwrite(bytes.data(), 1, bytes.size(), out) == bytes.size();
      }
    }
  } catch (const CorruptIndex&) {
    ok = false; // the old file became unreadable: leave this index unwritten
  }
  std::optional<TableCheck> table;
  if (ok) {
    std::uint64_t head_at = sizeof(Header);
    std::uint64_t tail_at = sizeof(Header) + heads_size;
    table = write_table(
      plan, old, table_size(plan, old), built_ns,
      [&](std::size_t, RawEntry& e) { // called in path order
        e.head_off = head_at;
        e.tail_off = tail_at;
        head_at += e.head_len;
        tail_at += e.tail_len;
      },
      [out](std::string_view piece) { return std::fwrite(piece.data(), 1, piece.size(), out) == piece.size(); });
  }
  if (table) {
    const Header h = make_header(n, sizeof(Header) + heads_size + tails_size, *table, built_ns);
    ok = std::fflush(out) == 0 && write_at(::fileno(out), reinterpret_cast<const char*>(&h), sizeof h, 0);
  } else {
    ok = false;
  }
  ok = std::fclose(out) == 0 && ok;
  if (!ok || std::rename(tmp.c_str(), file.c_str()) != 0) {
    fs::remove(tmp, ec);
    return false;
  }
  return true;
}

enum class Appended { done, skipped, rewrite };

// Update the index that `old` read in place: append the records parsed now and a new
// table, then rewrite the header. Skipped while another process is updating it (its
// answer is as good); `rewrite` when the file was replaced meanwhile or when dead records
// would make up more than half of it.
Appended append_index(const fs::path& file, const Plan& plan, const OldIndex& old, std::int64_t built_ns)
{
  const int fd = ::open(file.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) {
    return Appended::rewrite;
  }
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); } // also releases the lock
  } closer{fd};
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    return Appended::skipped;
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || st.st_ino != old.inode()) {
    return Appended::rewrite;
  }
  const auto end = static_cast<std::uint64_t>(st.st_size);
  std::string records;
  std::vector<std::uint64_t> at(plan.fresh.size());
  std::uint64_t live = 0;
  for (std::size_t i = 0; i < plan.found.size(); ++i) {
    if (const Fresh* f = plan.fresh_at(i)) {
      at[plan.fresh_of[i]] = end + records.size();
      records.append(f->head());
      records.append(f->tail());
    }
    const auto [head_len, tail_len] = plan.lengths(i, old);
    live += std::uint64_t{head_len} + tail_len;
  }
  const std::uint64_t entries_offset = end + records.size();
  const std::uint64_t size = table_size(plan, old);
  const std::uint64_t total = entries_offset + size;
  const std::uint64_t used = live + size + sizeof(Header);
  const std::uint64_t dead = total > used ? total - used : 0;
  if (dead > live / 2 + (8u << 20)) {
    return Appended::rewrite;
  }
  if (!write_at(fd, records.data(), records.size(), end)) {
    return Appended::skipped; // the header still describes the old table
  }
  std::uint64_t put_at = entries_offset;
  const std::optional<TableCheck> table = write_table(
    plan, old, size, built_ns,
    [&](std::size_t i, RawEntry& e) {
      if (plan.fresh_at(i) != nullptr) {
        e.head_off = at[plan.fresh_of[i]];
        e.tail_off = e.head_off + e.head_len;
      }
    },
    [&](std::string_view piece) {
      const bool ok = write_at(fd, piece.data(), piece.size(), put_at);
      put_at += piece.size();
      return ok;
    });
  if (!table) {
    return Appended::skipped;
  }
  const Header h = make_header(plan.found.size(), entries_offset, *table, built_ns);
  if (!write_at(fd, reinterpret_cast<const char*>(&h), sizeof h, 0)) {
    return Appended::skipped;
  }
  return Appended::done;
}

// Bring the index file up to this read: in place when it can, else anew.
void write_index(const fs::path& file, const Plan& plan, const OldIndex& old, std::int64_t built_ns,
                 IndexStats& stats)
{
  if (old.fd() >= 0) {
    switch (append_index(file, plan, old, built_ns)) {
    case Appended::done:
      stats.written = stats.appended = true;
      return;
    case Appended::skipped:
      return;
    case Appended::rewrite:
      break;
    }
  }
  stats.written = rewrite_index(file, plan, old, built_ns);
}

// The wanted fields of `fields` (a mapping), moved out of it.
Value take_wanted(Value& fields, const std::vector<std::string>& wanted)
{
  Value out = Value::map();
  out.entries.reserve(std::min(fields.entries.size(), wanted.size() + 1));
  for (auto& entry : fields.entries) {
    if (entry.first == "id" || std::find(wanted.begin(), wanted.end(), entry.first) != wanted.end()) {
      out.entries.push_back(std::move(entry));
    }
  }
  return out;
}

void load_impl(const TicketSource& source, const fs::path& index_file, const Selection& selection,
               std::vector<LoadProblem>& problems, const TicketSink& sink, IndexStats& stats, bool trust_index)
{
  const std::int64_t now_ns = wall_clock_ns();
  Plan plan;
  plan.found = walk_ticket_files(source.dir, {.stamps = true, .hidden_folders = false});
  const TicketFiles& found = plan.found;
  const std::size_t n = found.size();
  stats.files = n;

  // A cache folder that is a symbolic link could lead writes out of the repository.
  const bool cache_usable = is_folder_beneath(source.dir.parent_path(), index_file.parent_path());
  OldIndex old;
  stats.rebuilt = !(trust_index && cache_usable && old.open(index_file));

  // Pair each file with its old entry (both in path order); unpaired old entries are gone.
  // A file whose stamp is the recorded one is reused (or, when racy, compared by content).
  plan.old_of.assign(n, k_none);
  plan.fresh_of.assign(n, k_none);
  std::vector<std::size_t> to_parse;
  std::vector<std::size_t> to_verify;
  std::size_t paired = 0;
  for (std::size_t i = 0, j = 0; i < n; ++i) {
    const std::string_view path = found[i].rel;
    while (j < old.size() && old.path(j) < path) {
      ++j;
    }
    if (j < old.size() && old.path(j) == path) {
      const RawEntry p = old.entry(j);
      plan.old_of[i] = static_cast<std::uint32_t>(j++);
      ++paired;
      const auto& stamp = found[i].stamp;
      if (stamp && stamp->size == p.size && stamp->mtime_ns == p.mtime_ns && stamp->ctime_ns == p.ctime_ns &&
          stamp->ino == p.ino) {
        if ((p.flags & EntryFlags::racy) != 0) {
          to_verify.push_back(i);
        }
        continue;
      }
    }
    to_parse.push_back(i);
  }
  stats.removed = old.size() - paired;

  // Racy entries: same stamp, but the bytes must be compared.
  std::size_t settled = 0; // racy entries verified now and old enough to be trusted
  for (const std::size_t i : to_verify) {
    std::string text;
    try {
      text = read_text_file(source.dir / found[i].rel);
    } catch (const Error&) {
      text.clear();
    }
    if (text.empty() || hash64(text) != old.entry(plan.old_of[i]).content_hash) {
      to_parse.push_back(i);
    } else if (std::max(found[i].stamp->mtime_ns, found[i].stamp->ctime_ns) <= now_ns - k_racy_window_ns) {
      ++settled;
    }
  }
  stats.verified = to_verify.size();
  std::sort(to_parse.begin(), to_parse.end());
  plan.fresh.resize(to_parse.size());
  for (std::size_t k = 0; k < to_parse.size(); ++k) {
    plan.fresh_of[to_parse[k]] = static_cast<std::uint32_t>(k);
  }
  parallel_for(
    to_parse.size(), thread_count(0, to_parse.size(), k_parallel_threshold, 8),
    [&](std::size_t k) { parse_into(source, found[to_parse[k]], plan.fresh[k]); }, 256);
  stats.parsed = to_parse.size();

  // Entries that stopped being racy are written down when the index is written anyway, or
  // when comparing their bytes on every read would cost more than writing the table (after
  // a fresh clone: every file). A few are compared again instead: the files a pull just
  // changed would otherwise cost a second table write on the read after the first.
  bool changed = stats.rebuilt || stats.removed > 0 || !to_parse.empty() ||
                 (settled > 0 && settled * k_settle_share >= n);

  // The selection, decoded from the records in path order. Fields are decoded into
  // `scratch`, whose storage serves the next ticket when this one is not wanted. A record
  // of the old index that cannot be read, fails its check or does not decode throws
  // CorruptIndex from `take`: that file is parsed again and taken from what it parsed into.
  BlobReader heads(old.fd(), old.header().entries_offset);
  BlobReader tails(old.fd(), old.header().entries_offset);
  const auto checked = [](BlobReader& reader, std::uint64_t off, std::uint32_t len, std::uint64_t check) {
    const std::string_view bytes = reader.get(off, len);
    if (hash64(bytes) != check) {
      throw CorruptIndex{};
    }
    return bytes;
  };
  Value scratch = Value::map();
  const auto take = [&](std::size_t i, const Fresh* f) {
    const RawEntry p = f == nullptr ? old.entry(plan.old_of[i]) : RawEntry{};
    const bool problem = f != nullptr ? f->problem : (p.flags & EntryFlags::problem) != 0;
    if (!problem && selection.keep_brief) {
      const TicketBrief brief = f != nullptr ? TicketBrief{f->status(), time_field(f->created_s), time_field(f->updated_s)}
                                             : TicketBrief{old.status(p), time_field(p.created_s), time_field(p.updated_s)};
      if (!selection.keep_brief(brief)) {
        return;
      }
    }
    const std::string_view head = f != nullptr ? f->head() : checked(heads, p.head_off, p.head_len, p.head_check);
    if (problem) {
      problems.push_back(decode_problem(head, source.dir / found[i].rel));
      return;
    }
    Reader r(head.data(), head.size());
    r.value_into(scratch);
    if (!scratch.is_mapping() || !r.done()) {
      throw CorruptIndex{};
    }
    Ticket probe = Ticket::from_parts(std::move(scratch), {});
    scratch = Value::map();
    if (selection.keep && !selection.keep(probe)) {
      scratch = std::move(probe).take_fields();
      return;
    }
    std::vector<Event> events;
    if (selection.events) {
      events = decode_events(f != nullptr ? f->tail() : checked(tails, p.tail_off, p.tail_len, p.tail_check));
    }
    Value fields = std::move(probe).take_fields();
    if (!selection.fields.empty()) {
      Value all = std::move(fields);
      fields = take_wanted(all, selection.fields);
      scratch = std::move(all);
    }
    sink(Ticket::from_parts(std::move(fields), std::move(events)), found[i].rel);
  };
  for (std::size_t i = 0; i < n; ++i) {
    const Fresh* f = plan.fresh_at(i);
    for (;;) {
      try {
        take(i, f);
        break;
      } catch (const CorruptIndex&) {
        if (f != nullptr) {
          throw; // a record made now does not decode: a bug, not damage
        }
        plan.fresh_of[i] = static_cast<std::uint32_t>(plan.fresh.size());
        parse_into(source, found[i], plan.fresh.emplace_back());
        f = &plan.fresh.back();
        ++stats.parsed;
        changed = true;
      }
    }
  }

  if (changed && cache_usable) {
    write_index(index_file, plan, old, now_ns, stats);
  }
}

} // namespace

std::string encode_fields(const Ticket& ticket)
{
  std::string out;
  append_fields(out, ticket);
  return out;
}

std::string encode_events(const Ticket& ticket)
{
  std::string out;
  append_events(out, ticket);
  return out;
}

Ticket decode_ticket(std::string_view fields, std::string_view events, bool with_events)
{
  Reader r(fields.data(), fields.size());
  Value f = r.value();
  if (!f.is_mapping() || !r.done()) {
    throw CorruptIndex{};
  }
  return Ticket::from_parts(std::move(f), with_events ? decode_events(events) : std::vector<Event>{});
}

Ticket shape_selected(Ticket ticket, const Selection& selection)
{
  if (!selection.events) {
    ticket.events().clear();
  }
  if (!selection.fields.empty()) {
    std::vector<Event> events = std::move(ticket.events());
    Value all = std::move(ticket).take_fields();
    return Ticket::from_parts(take_wanted(all, selection.fields), std::move(events));
  }
  return ticket;
}

void visit_indexed(const TicketSource& source, const fs::path& index_file, const Selection& selection,
                   std::vector<LoadProblem>& problems, const TicketSink& sink, IndexStats* stats)
{
  IndexStats local;
  load_impl(source, index_file, selection, problems, sink, stats ? *stats : local, true);
}

IndexStats rebuild_index(const TicketSource& source, const fs::path& index_file)
{
  IndexStats s;
  std::vector<LoadProblem> problems;
  Selection nothing;
  nothing.keep_brief = [](const TicketBrief&) { return false; };
  load_impl(source, index_file, nothing, problems, [](Ticket&&, std::string_view) {}, s, false);
  return s;
}

} // namespace desk::storage
