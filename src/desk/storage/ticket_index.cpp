#include <desk/storage/ticket_index.hpp>

#include <desk/storage/fast_yaml.hpp>
#include <desk/storage/file_io.hpp>
#include <desk/storage/mapped_file.hpp>
#include <desk/storage/ticket_store.hpp>
#include <desk/storage/ticket_walk.hpp>
#include <desk/util/error.hpp>
#include <desk/util/file_stamp.hpp>
#include <desk/util/parallel.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <climits>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <random>

#include <unistd.h>

namespace fs = std::filesystem;

namespace desk::storage {

namespace {

// File layout (host byte order; a machine that reads another order sees a bad magic and
// rebuilds):
//   header   k_magic, version, entry count, section offsets, build time, checksums
//   entries  per ticket file, in path order: path, stamp, content hash, flags, status,
//            blob places
//   data     the blobs: each ticket's fields, each ticket's events (or a problem message)
constexpr char k_magic[8] = {'D', 'E', 'S', 'K', 'I', 'D', 'X', '1'};
constexpr std::uint32_t k_version = 3; // 2: each entry carries the status; 3: problems their position

// More files to parse than this: parse on every core (at most 8 threads).
constexpr std::size_t k_parallel_threshold = 512;

enum EntryFlags : std::uint8_t { racy = 1, problem = 2 };

struct Header {
  char magic[8];
  std::uint32_t version;
  std::uint32_t reserved;
  std::uint64_t entry_count;
  std::uint64_t entries_offset;
  std::uint64_t entries_size;
  std::uint64_t data_offset;
  std::uint64_t file_size;
  std::int64_t built_ns;
  std::uint64_t entries_check;
  std::uint64_t header_check; // of every byte before it
};

// A fast 64-bit hash (8 bytes a step) for checksums and file contents; not cryptographic.
std::uint64_t hash64(const void* data, std::size_t n)
{
  const auto* p = static_cast<const unsigned char*>(data);
  std::uint64_t h = 0x9E3779B97F4A7C15ULL ^ (n * 0xC2B2AE3D27D4EB4FULL);
  while (n >= 8) {
    std::uint64_t w = 0;
    std::memcpy(&w, p, 8);
    h = (h ^ w) * 0xFF51AFD7ED558CCDULL;
    h ^= h >> 29;
    p += 8;
    n -= 8;
  }
  std::uint64_t w = 0;
  if (n > 0) {
    std::memcpy(&w, p, n);
  }
  h = (h ^ w ^ (n << 56)) * 0xC4CEB9FE1A85EC53ULL;
  h ^= h >> 32;
  return h;
}

std::uint64_t hash64(std::string_view s)
{
  return hash64(s.data(), s.size());
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

// --- the index file --------------------------------------------------------------------

struct Entry {
  std::string_view path; // relative to tickets/ ("2026/11/INC-....yaml"), into the mapping or the scan
  TicketStamp stamp;
  std::uint64_t content_hash = 0;
  std::uint8_t flags = 0;
  // The ticket's status, so that readers wanting some statuses only (the open tickets of
  // `list` and `sla`) skip decoding the others; empty for a problem file.
  std::string_view status;
  // Blobs: either in the old mapping (offsets into its data section) or owned here.
  std::string_view head; // fields, or the problem (line, column, reason, message)
  std::string_view tail; // events
  std::uint64_t head_check = 0;
  std::uint64_t tail_check = 0;
  std::shared_ptr<const std::string> owned; // head + tail when parsed now
};

struct OldIndex {
  std::vector<Entry> entries;
  std::int64_t built_ns = 0;
};

// Read the entries of an index file; nullopt when it is missing, of another version, or
// damaged anywhere a check can see.
std::optional<OldIndex> read_index(const MappedFile& m)
{
  if (m.data() == nullptr || m.size() < sizeof(Header)) {
    return std::nullopt;
  }
  Header h{};
  std::memcpy(&h, m.data(), sizeof h);
  if (std::memcmp(h.magic, k_magic, sizeof k_magic) != 0 || h.version != k_version || h.file_size != m.size() ||
      h.header_check != hash64(&h, offsetof(Header, header_check)) || h.entries_offset > m.size() ||
      h.entries_size > m.size() - h.entries_offset || h.data_offset > m.size()) {
    return std::nullopt;
  }
  const char* entries = m.data() + h.entries_offset;
  if (hash64(entries, h.entries_size) != h.entries_check) {
    return std::nullopt;
  }
  const char* data = m.data() + h.data_offset;
  const std::size_t data_size = m.size() - h.data_offset;
  OldIndex out;
  out.built_ns = h.built_ns;
  try {
    Reader r(entries, h.entries_size);
    out.entries.reserve(h.entry_count);
    for (std::uint64_t i = 0; i < h.entry_count; ++i) {
      Entry e;
      e.path = r.str();
      e.stamp.size = r.raw<std::uint64_t>();
      e.stamp.mtime_ns = r.raw<std::int64_t>();
      e.stamp.ctime_ns = r.raw<std::int64_t>();
      e.stamp.ino = r.raw<std::uint64_t>();
      e.content_hash = r.raw<std::uint64_t>();
      e.flags = r.byte();
      e.status = r.str();
      const auto head_off = r.raw<std::uint64_t>();
      const auto head_len = r.raw<std::uint64_t>();
      const auto tail_off = r.raw<std::uint64_t>();
      const auto tail_len = r.raw<std::uint64_t>();
      e.head_check = r.raw<std::uint64_t>();
      e.tail_check = r.raw<std::uint64_t>();
      if (head_off > data_size || head_len > data_size - head_off || tail_off > data_size ||
          tail_len > data_size - tail_off) {
        return std::nullopt;
      }
      e.head = std::string_view(data + head_off, head_len);
      e.tail = std::string_view(data + tail_off, tail_len);
      out.entries.push_back(std::move(e));
    }
    if (!r.done()) {
      return std::nullopt;
    }
  } catch (const CorruptIndex&) {
    return std::nullopt;
  }
  return out;
}

// Write the index (temp file + rename; no fsync: it is derived data, and a torn file fails
// its checks and is rebuilt). Returns false when it could not be written.
bool write_index(const fs::path& file, const std::vector<Entry>& entries, std::int64_t built_ns)
{
  std::string table;
  Writer w(table);
  // Heads (fields) first, then tails (events): reading every ticket's fields touches only
  // the first part of the file.
  std::uint64_t heads_size = 0;
  for (const auto& e : entries) {
    heads_size += e.head.size();
  }
  std::uint64_t head_offset = 0;
  std::uint64_t tail_offset = heads_size;
  for (const auto& e : entries) {
    w.str(e.path);
    w.raw(e.stamp.size);
    w.raw(e.stamp.mtime_ns);
    w.raw(e.stamp.ctime_ns);
    w.raw(e.stamp.ino);
    w.raw(e.content_hash);
    w.byte(e.flags);
    w.str(e.status);
    const std::uint64_t head_len = e.head.size();
    const std::uint64_t tail_len = e.tail.size();
    const std::uint64_t head_off = head_offset;
    const std::uint64_t tail_off = tail_offset;
    head_offset += head_len;
    tail_offset += tail_len;
    w.raw(head_off);
    w.raw(head_len);
    w.raw(tail_off);
    w.raw(tail_len);
    w.raw(e.head_check);
    w.raw(e.tail_check);
  }
  Header h{};
  std::memcpy(h.magic, k_magic, sizeof k_magic);
  h.version = k_version;
  h.entry_count = entries.size();
  h.entries_offset = sizeof(Header);
  h.entries_size = table.size();
  h.data_offset = sizeof(Header) + table.size();
  h.file_size = h.data_offset + tail_offset;
  h.built_ns = built_ns;
  h.entries_check = hash64(table);
  h.header_check = hash64(&h, offsetof(Header, header_check));

  std::error_code ec;
  fs::create_directories(file.parent_path(), ec);
  std::random_device rd;
  const fs::path tmp = file.parent_path() / fmt::format(".{}.tmp.{}.{:x}", file.filename().string(), ::getpid(), rd());
  std::FILE* f = std::fopen(tmp.c_str(), "wbx");
  if (f == nullptr) {
    return false;
  }
  std::vector<char> buffer(1 << 20);
  std::setvbuf(f, buffer.data(), _IOFBF, buffer.size());
  bool ok = std::fwrite(&h, sizeof h, 1, f) == 1 && std::fwrite(table.data(), 1, table.size(), f) == table.size();
  for (const auto& e : entries) {
    ok = ok && (e.head.empty() || std::fwrite(e.head.data(), 1, e.head.size(), f) == e.head.size());
  }
  for (const auto& e : entries) {
    ok = ok && (e.tail.empty() || std::fwrite(e.tail.data(), 1, e.tail.size(), f) == e.tail.size());
  }
  ok = std::fclose(f) == 0 && ok;
  if (!ok || std::rename(tmp.c_str(), file.c_str()) != 0) {
    fs::remove(tmp, ec);
    return false;
  }
  return true;
}

// Parse one file into an entry (blobs owned), or a problem entry.
void parse_into(const TicketStore& store, const TicketRef& ref, Entry& e)
{
  std::string text;
  try {
    text = read_text_file(ref.path);
    e.content_hash = hash64(text);
    // libyaml first (fast); yaml-cpp, the reference reader, whenever it gives up or the
    // result is not a good ticket, so problems read exactly as everywhere else.
    std::optional<Ticket> fast;
    if (auto doc = parse_yaml_fast(text)) {
      try {
        fast = Ticket::from_value(*doc, ref.path.string());
        if (fast->id() != ref.id) {
          fast.reset();
        }
      } catch (const Error&) {
        fast.reset();
      }
    }
    const Ticket t = fast ? std::move(*fast) : store.load_text(ref, text);
    auto owned = std::make_shared<std::string>(encode_fields(t));
    const std::size_t head_len = owned->size();
    owned->append(encode_events(t));
    const std::size_t tail_len = owned->size() - head_len;
    owned->append(t.status());
    e.owned = owned;
    e.head = std::string_view(*owned).substr(0, head_len);
    e.tail = std::string_view(*owned).substr(head_len, tail_len);
    e.status = std::string_view(*owned).substr(head_len + tail_len);
    e.flags &= static_cast<std::uint8_t>(~EntryFlags::problem);
  } catch (const Error& err) {
    auto owned = std::make_shared<std::string>(encode_problem(LoadProblem::of(ref.path, err)));
    e.owned = owned;
    e.head = *owned;
    e.tail = {};
    e.status = {};
    e.flags |= EntryFlags::problem;
    if (text.empty()) {
      e.content_hash = 0;
    }
  }
  e.head_check = hash64(e.head);
  e.tail_check = hash64(e.tail);
}

std::vector<Ticket> load_impl(const TicketStore& store, const fs::path& index_file, const Selection& selection,
                              std::vector<LoadProblem>& problems, IndexStats& stats, bool trust_index)
{
  const std::int64_t now_ns = wall_clock_ns();
  const std::vector<TicketFile> found = walk_ticket_files(store.dir(), {.stamps = true, .hidden_folders = false});
  stats.files = found.size();

  const MappedFile mapping = trust_index ? MappedFile(index_file) : MappedFile();
  std::optional<OldIndex> old = read_index(mapping);
  stats.rebuilt = !old;
  if (!old) {
    old.emplace();
  }

  // Pair each file with its old entry (both in path order); unpaired old entries are gone.
  // A file whose stamp is the recorded one is reused (or, when racy, compared by content).
  enum class Fate : std::uint8_t { reuse, verify, parse };
  std::vector<Entry> entries(found.size());
  std::vector<const Entry*> previous(found.size(), nullptr);
  std::vector<Fate> fate(found.size(), Fate::parse);
  std::size_t paired = 0;
  for (std::size_t i = 0, j = 0; i < found.size(); ++i) {
    Entry& e = entries[i];
    e.path = found[i].rel;
    e.stamp = found[i].stamp.value_or(TicketStamp{});
    while (j < old->entries.size() && old->entries[j].path < e.path) {
      ++j;
    }
    if (j < old->entries.size() && old->entries[j].path == e.path) {
      const Entry* p = &old->entries[j++];
      previous[i] = p;
      ++paired;
      if (found[i].stamp && p->stamp == *found[i].stamp) {
        fate[i] = (p->flags & EntryFlags::racy) != 0 ? Fate::verify : Fate::reuse;
      }
    }
  }
  stats.removed = old->entries.size() - paired;

  std::vector<std::size_t> to_parse;
  std::size_t verified = 0;
  for (std::size_t i = 0; i < found.size(); ++i) {
    if (fate[i] == Fate::parse) {
      to_parse.push_back(i);
    }
  }
  // Racy entries: same stamp, but the bytes must be compared.
  for (std::size_t i = 0; i < found.size(); ++i) {
    if (fate[i] != Fate::verify) {
      continue;
    }
    ++verified;
    std::string text;
    try {
      text = read_text_file(store.dir() / found[i].rel);
    } catch (const Error&) {
      text.clear();
    }
    if (text.empty() || hash64(text) != previous[i]->content_hash) {
      fate[i] = Fate::parse;
      to_parse.push_back(i);
    }
  }
  stats.verified = verified;
  std::sort(to_parse.begin(), to_parse.end());
  parallel_for(
    to_parse.size(), thread_count(0, to_parse.size(), k_parallel_threshold, 8),
    [&](std::size_t k) {
      const std::size_t i = to_parse[k];
      parse_into(store, store.ref_of(found[i]), entries[i]);
    },
    256);
  stats.parsed = to_parse.size();

  bool changed = stats.rebuilt || stats.removed > 0 || !to_parse.empty();
  std::size_t settled = 0; // racy entries verified now and old enough to be trusted
  for (std::size_t i = 0; i < found.size(); ++i) {
    Entry& e = entries[i];
    if (fate[i] != Fate::parse) {
      const Entry& p = *previous[i];
      e.content_hash = p.content_hash;
      e.flags = p.flags;
      e.status = p.status;
      e.head = p.head;
      e.tail = p.tail;
      e.head_check = p.head_check;
      e.tail_check = p.tail_check;
    }
    // Racy: changed within the window before this read's clock. (Only files parsed or
    // verified now can become racy.)
    const bool racy = std::max(e.stamp.mtime_ns, e.stamp.ctime_ns) > now_ns - k_racy_window_ns;
    if (!racy && fate[i] == Fate::verify) {
      ++settled;
    }
    e.flags = static_cast<std::uint8_t>(racy ? (e.flags | EntryFlags::racy) : (e.flags & ~EntryFlags::racy));
  }
  // Entries that stopped being racy are written down, or every read would compare their
  // bytes again (after a fresh clone: every file). One rewrite settles them all.
  changed = changed || settled > 0;

  // The selection, decoded from the blobs (checked: a damaged blob means a rebuild).
  std::vector<Ticket> out;
  for (std::size_t i = 0; i < found.size(); ++i) {
    const Entry& e = entries[i];
    if ((e.flags & EntryFlags::problem) != 0) {
      if (!e.owned && hash64(e.head) != e.head_check) {
        throw CorruptIndex{};
      }
      problems.push_back(decode_problem(e.head, store.dir() / found[i].rel));
      continue;
    }
    if (selection.keep_status && !selection.keep_status(e.status)) {
      continue;
    }
    if (!e.owned && hash64(e.head) != e.head_check) {
      throw CorruptIndex{};
    }
    Ticket t = decode_ticket(e.head, {}, false);
    if (selection.keep && !selection.keep(t)) {
      continue;
    }
    if (selection.events) {
      if (!e.owned && hash64(e.tail) != e.tail_check) {
        throw CorruptIndex{};
      }
      t = decode_ticket(e.head, e.tail, true);
    }
    out.push_back(std::move(t));
  }

  if (changed) {
    stats.written = write_index(index_file, entries, now_ns);
  }
  return out;
}

} // namespace

std::string encode_fields(const Ticket& ticket)
{
  std::string out;
  Writer(out).value(ticket.fields());
  return out;
}

std::string encode_events(const Ticket& ticket)
{
  std::string out;
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
  return out;
}

Ticket decode_ticket(std::string_view fields, std::string_view events, bool with_events)
{
  Reader r(fields.data(), fields.size());
  Value f = r.value();
  if (!f.is_mapping() || !r.done()) {
    throw CorruptIndex{};
  }
  std::vector<Event> list;
  if (with_events) {
    Reader er(events.data(), events.size());
    const std::uint64_t n = er.varint();
    if (n > events.size()) {
      throw CorruptIndex{};
    }
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
  }
  return Ticket::from_parts(std::move(f), std::move(list));
}

std::vector<Ticket> load_indexed(const TicketStore& store, const fs::path& index_file, const Selection& selection,
                                 std::vector<LoadProblem>& problems, IndexStats* stats)
{
  IndexStats local;
  IndexStats& s = stats ? *stats : local;
  const std::size_t problems_before = problems.size();
  try {
    return load_impl(store, index_file, selection, problems, s, true);
  } catch (const CorruptIndex&) {
    // A blob failed its check: forget the index and read every file again.
    problems.resize(problems_before);
    s = IndexStats{};
    return load_impl(store, index_file, selection, problems, s, false);
  }
}

IndexStats rebuild_index(const TicketStore& store, const fs::path& index_file)
{
  IndexStats s;
  std::vector<LoadProblem> problems;
  Selection nothing;
  nothing.keep = [](const Ticket&) { return false; };
  load_impl(store, index_file, nothing, problems, s, false);
  return s;
}

} // namespace desk::storage
