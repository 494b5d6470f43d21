#include <desk/kb/kb_index.hpp>

#include <desk/kb/tokenize.hpp>
#include <desk/util/hash.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstring>
#include <numeric>
#include <unordered_map>

namespace desk::kb {

namespace {

constexpr char k_magic[8] = {'D', 'E', 'S', 'K', 'K', 'B', 'I', '1'};
// 3: a checksum of the header and one of everything after it
constexpr std::uint32_t k_version = 3;
constexpr std::uint32_t k_byte_order = 0x01020304;
constexpr std::size_t k_fields = 6;

struct Header {
  char magic[8];
  std::uint32_t version;
  std::uint32_t byte_order;
  IndexStamp stamp;
  std::uint32_t docs, terms, postings, problems;
  std::uint32_t docs_off, terms_off, postings_off, problems_off, strings_off, strings_size;
  std::uint64_t body_check;   // of every byte after the header
  std::uint64_t header_check; // of the header before it, the stamp (refreshed in place) taken as zeros
};

struct DocRecord {
  std::int64_t file_size, file_mtime_ns;
  std::uint32_t id_off, id_len, file_off, file_len, title_off, title_len, category_off, category_len;
  std::uint32_t tags_off, tags_len, state, audience, reuse, pad;
};

struct TermRecord {
  std::uint32_t str_off, str_len, post_begin, post_count;
};

struct ProblemRecord {
  std::uint32_t file_off, file_len, msg_off, msg_len;
};

static_assert(sizeof(Header) == 104);
static_assert(sizeof(DocRecord) == 72);
static_assert(sizeof(Posting) == 8);

template <class T>
T read_at(std::string_view data, std::size_t off)
{
  T v;
  std::memcpy(&v, data.data() + off, sizeof(T));
  return v;
}

std::uint64_t header_check_of(Header h)
{
  h.stamp = IndexStamp{};
  return hash64(&h, offsetof(Header, header_check));
}

template <class T>
void append(std::string& out, const T& v)
{
  out.append(reinterpret_cast<const char*>(&v), sizeof(T));
}

class StringBytes final : public IndexBytes {
public:
  explicit StringBytes(std::string s) : m_s(std::move(s)) {}
  std::string_view bytes() const override { return m_s; }

private:
  std::string m_s;
};

// Appends strings to a pool and returns (offset, length).
struct Pool {
  std::string data;
  std::pair<std::uint32_t, std::uint32_t> add(std::string_view s)
  {
    const auto off = static_cast<std::uint32_t>(data.size());
    data.append(s);
    return {off, static_cast<std::uint32_t>(s.size())};
  }
};

// One distinct term in one field of one doc.
struct Occurrence {
  std::uint32_t term;
  std::uint16_t field;
  std::uint16_t tf;
};

std::string join(const std::vector<std::string>& items, char sep)
{
  std::string out;
  for (const auto& i : items) {
    if (!out.empty()) {
      out += sep;
    }
    out += i;
  }
  return out;
}

} // namespace

const std::vector<SearchField>& search_fields()
{
  static const std::vector<SearchField> k_search_fields = {
    {"title", 3.0F}, {"tags", 2.0F}, {"symptoms", 1.0F}, {"error", 1.0F}, {"cause", 1.0F}, {"solution", 1.0F},
  };
  return k_search_fields;
}

double KbIndex::idf(std::size_t n, std::size_t df)
{
  const double N = static_cast<double>(n);
  const double d = static_cast<double>(df);
  return std::log(1.0 + (N - d + 0.5) / (d + 0.5));
}

std::size_t KbIndex::stamp_offset()
{
  return offsetof(Header, stamp);
}

std::string KbIndex::stamp_bytes(const IndexStamp& stamp)
{
  std::string out;
  append(out, stamp);
  return out;
}

FileStamp KbIndex::file_stamp(std::uint32_t index) const
{
  const auto r = read_at<DocRecord>(m_data, m_docs_off + index * sizeof(DocRecord));
  return {r.file_size, r.file_mtime_ns};
}

std::string KbIndex::build(const std::vector<Article>& articles, const std::vector<ArticleProblem>& problems,
                           const IndexStamp& stamp, const std::vector<FileStamp>& files)
{
  const auto& fields = search_fields();
  std::unordered_map<std::string, std::uint32_t> term_ids;
  std::vector<std::string> terms;
  std::vector<std::vector<Occurrence>> occurrences(articles.size());
  std::vector<std::array<std::uint32_t, k_fields>> lengths(articles.size());
  std::array<double, k_fields> total{};

  for (std::size_t d = 0; d < articles.size(); ++d) {
    const Article& a = articles[d];
    std::vector<Occurrence>& occ = occurrences[d];
    for (std::size_t f = 0; f < fields.size(); ++f) {
      const std::string text = fields[f].name == "tags" ? join(a.get_list("tags"), ' ') : a.get(fields[f].name);
      if (text.empty()) {
        lengths[d][f] = 0;
        continue;
      }
      const auto tokens = tokenize(text, true);
      lengths[d][f] = static_cast<std::uint32_t>(tokens.size());
      total[f] += static_cast<double>(tokens.size());
      std::vector<std::uint32_t> ids;
      ids.reserve(tokens.size());
      for (const auto& t : tokens) {
        auto [it, added] = term_ids.try_emplace(t.text, static_cast<std::uint32_t>(terms.size()));
        if (added) {
          terms.push_back(t.text);
        }
        ids.push_back(it->second);
      }
      std::sort(ids.begin(), ids.end());
      for (std::size_t i = 0; i < ids.size();) {
        std::size_t j = i;
        while (j < ids.size() && ids[j] == ids[i]) {
          ++j;
        }
        occ.push_back({ids[i], static_cast<std::uint16_t>(f), static_cast<std::uint16_t>(std::min<std::size_t>(j - i, 65535))});
        i = j;
      }
    }
    std::sort(occ.begin(), occ.end(), [](const Occurrence& x, const Occurrence& y) { return x.term < y.term; });
  }

  std::array<double, k_fields> average{};
  for (std::size_t f = 0; f < k_fields; ++f) {
    average[f] = articles.empty() ? 0.0 : total[f] / static_cast<double>(articles.size());
  }
  // BM25F: field term frequencies, each weighted and normalised by its field's length,
  // add up to one pseudo frequency that saturates once.
  std::vector<std::vector<Posting>> postings(terms.size());
  for (std::size_t d = 0; d < articles.size(); ++d) {
    const auto& occ = occurrences[d];
    for (std::size_t i = 0; i < occ.size();) {
      double tf = 0;
      std::size_t j = i;
      for (; j < occ.size() && occ[j].term == occ[i].term; ++j) {
        const std::size_t f = occ[j].field;
        const double norm = average[f] > 0
                              ? 1.0 - k_bm25_b + k_bm25_b * static_cast<double>(lengths[d][f]) / average[f]
                              : 1.0;
        tf += fields[f].weight * occ[j].tf / norm;
      }
      const double w = tf * (k_bm25_k1 + 1.0) / (k_bm25_k1 + tf);
      postings[occ[i].term].push_back({static_cast<std::uint32_t>(d), static_cast<float>(w)});
      i = j;
    }
  }
  occurrences.clear();

  std::vector<std::uint32_t> order(terms.size());
  std::iota(order.begin(), order.end(), 0U);
  std::sort(order.begin(), order.end(), [&](std::uint32_t x, std::uint32_t y) { return terms[x] < terms[y]; });

  Pool pool;
  std::string docs_block;
  for (std::size_t d = 0; d < articles.size(); ++d) {
    const Article& a = articles[d];
    DocRecord r{};
    const FileStamp f = d < files.size() ? files[d] : FileStamp{};
    r.file_size = f.size;
    r.file_mtime_ns = f.mtime_ns;
    std::tie(r.id_off, r.id_len) = pool.add(a.id());
    std::tie(r.file_off, r.file_len) = pool.add(a.id() + ".yaml");
    std::tie(r.title_off, r.title_len) = pool.add(a.title());
    std::tie(r.category_off, r.category_len) = pool.add(a.get("category"));
    std::tie(r.tags_off, r.tags_len) = pool.add(join(a.get_list("tags"), '\n'));
    r.state = static_cast<std::uint32_t>(a.state());
    r.audience = static_cast<std::uint32_t>(a.audience());
    r.reuse = static_cast<std::uint32_t>(std::clamp<long>(a.reuse_count(), 0, 0x7fffffff));
    append(docs_block, r);
  }
  std::string terms_block;
  std::string postings_block;
  std::uint32_t n_postings = 0;
  for (std::uint32_t id : order) {
    TermRecord r{};
    std::tie(r.str_off, r.str_len) = pool.add(terms[id]);
    r.post_begin = n_postings;
    r.post_count = static_cast<std::uint32_t>(postings[id].size());
    for (const Posting& p : postings[id]) {
      append(postings_block, p);
    }
    n_postings += r.post_count;
    append(terms_block, r);
  }
  std::string problems_block;
  for (const auto& p : problems) {
    ProblemRecord r{};
    std::tie(r.file_off, r.file_len) = pool.add(p.path.filename().string());
    std::tie(r.msg_off, r.msg_len) = pool.add(p.message);
    append(problems_block, r);
  }

  Header h{};
  std::memcpy(h.magic, k_magic, sizeof(k_magic));
  h.version = k_version;
  h.byte_order = k_byte_order;
  h.stamp = stamp;
  h.docs = static_cast<std::uint32_t>(articles.size());
  h.terms = static_cast<std::uint32_t>(terms.size());
  h.postings = n_postings;
  h.problems = static_cast<std::uint32_t>(problems.size());
  std::size_t off = sizeof(Header);
  h.docs_off = static_cast<std::uint32_t>(off);
  off += docs_block.size();
  h.terms_off = static_cast<std::uint32_t>(off);
  off += terms_block.size();
  h.postings_off = static_cast<std::uint32_t>(off);
  off += postings_block.size();
  h.problems_off = static_cast<std::uint32_t>(off);
  off += problems_block.size();
  h.strings_off = static_cast<std::uint32_t>(off);
  h.strings_size = static_cast<std::uint32_t>(pool.data.size());

  std::string out;
  out.reserve(off + pool.data.size());
  append(out, h);
  out += docs_block;
  out += terms_block;
  out += postings_block;
  out += problems_block;
  out += pool.data;
  h.body_check = hash64(std::string_view(out).substr(sizeof(Header)));
  h.header_check = header_check_of(h);
  std::memcpy(out.data(), &h, sizeof(Header));
  return out;
}

std::optional<KbIndex> KbIndex::open(std::string bytes)
{
  return open(std::make_shared<StringBytes>(std::move(bytes)));
}

std::optional<KbIndex> KbIndex::open(std::shared_ptr<const IndexBytes> bytes)
{
  KbIndex index(std::move(bytes));
  if (!index.validate()) {
    return std::nullopt;
  }
  return index;
}

bool KbIndex::validate()
{
  m_data = m_bytes->bytes();
  if (m_data.size() < sizeof(Header)) {
    return false;
  }
  const auto h = read_at<Header>(m_data, 0);
  if (std::memcmp(h.magic, k_magic, sizeof(k_magic)) != 0 || h.version != k_version ||
      h.byte_order != k_byte_order || h.header_check != header_check_of(h)) {
    return false;
  }
  const std::size_t size = m_data.size();
  auto fits = [&](std::size_t off, std::size_t count, std::size_t each) {
    return off <= size && count <= (size - off) / each;
  };
  if (static_cast<std::size_t>(h.strings_off) + h.strings_size != size ||
      !fits(h.docs_off, h.docs, sizeof(DocRecord)) || !fits(h.terms_off, h.terms, sizeof(TermRecord)) ||
      !fits(h.postings_off, h.postings, sizeof(Posting)) || !fits(h.problems_off, h.problems, sizeof(ProblemRecord)) ||
      !fits(h.strings_off, h.strings_size, 1)) {
    return false;
  }
  m_stamp = h.stamp;
  m_docs = h.docs;
  m_terms = h.terms;
  m_postings = h.postings;
  m_problems = h.problems;
  m_docs_off = h.docs_off;
  m_terms_off = h.terms_off;
  m_postings_off = h.postings_off;
  m_problems_off = h.problems_off;
  m_strings_off = h.strings_off;
  m_strings_size = h.strings_size;
  // Every byte is checked once, on opening (a damaged index is rebuilt by the caller);
  // records are still read defensively (str() clamps to the pool, postings are range-checked).
  return hash64(m_data.substr(sizeof(Header))) == h.body_check;
}

std::string_view KbIndex::str(std::uint32_t off, std::uint32_t len) const
{
  if (off > m_strings_size || len > m_strings_size - off) {
    return {}; // a damaged record reads as empty, never out of the block
  }
  return m_data.substr(m_strings_off + off, len);
}

IndexedDoc KbIndex::doc(std::uint32_t index) const
{
  const auto r = read_at<DocRecord>(m_data, m_docs_off + index * sizeof(DocRecord));
  IndexedDoc d;
  d.id = str(r.id_off, r.id_len);
  d.file = str(r.file_off, r.file_len);
  d.title = str(r.title_off, r.title_len);
  d.category = str(r.category_off, r.category_len);
  const std::string_view tags = str(r.tags_off, r.tags_len);
  for (std::size_t start = 0; start < tags.size();) {
    const std::size_t nl = std::min(tags.find('\n', start), tags.size());
    d.tags.emplace_back(tags.substr(start, nl - start));
    start = nl + 1;
  }
  d.state = static_cast<State>(r.state);
  d.audience = static_cast<Audience>(r.audience);
  d.reuse_count = r.reuse;
  return d;
}

std::vector<std::pair<std::string, std::string>> KbIndex::problems() const
{
  std::vector<std::pair<std::string, std::string>> out;
  for (std::uint32_t i = 0; i < m_problems; ++i) {
    const auto r = read_at<ProblemRecord>(m_data, m_problems_off + i * sizeof(ProblemRecord));
    out.emplace_back(str(r.file_off, r.file_len), str(r.msg_off, r.msg_len));
  }
  return out;
}

std::string_view KbIndex::term(std::size_t i) const
{
  const auto r = read_at<TermRecord>(m_data, m_terms_off + i * sizeof(TermRecord));
  return str(r.str_off, r.str_len);
}

std::vector<Posting> KbIndex::postings(std::size_t i) const
{
  const auto r = read_at<TermRecord>(m_data, m_terms_off + i * sizeof(TermRecord));
  if (r.post_begin > m_postings || r.post_count > m_postings - r.post_begin) {
    return {};
  }
  std::vector<Posting> out(r.post_count);
  if (r.post_count > 0) {
    std::memcpy(out.data(), m_data.data() + m_postings_off + r.post_begin * sizeof(Posting),
                r.post_count * sizeof(Posting));
  }
  return out;
}

std::optional<std::size_t> KbIndex::find_term(std::string_view t) const
{
  std::size_t lo = 0;
  std::size_t hi = m_terms;
  while (lo < hi) {
    const std::size_t mid = lo + (hi - lo) / 2;
    const std::string_view m = term(mid);
    if (m < t) {
      lo = mid + 1;
    } else if (t < m) {
      hi = mid;
    } else {
      return mid;
    }
  }
  return std::nullopt;
}

bool KbIndex::matches(std::uint32_t index, const SearchFilter& f) const
{
  const auto r = read_at<DocRecord>(m_data, m_docs_off + index * sizeof(DocRecord));
  if (!f.states.empty() && std::find(f.states.begin(), f.states.end(), static_cast<State>(r.state)) == f.states.end()) {
    return false;
  }
  if (!f.audiences.empty() &&
      std::find(f.audiences.begin(), f.audiences.end(), static_cast<Audience>(r.audience)) == f.audiences.end()) {
    return false;
  }
  if (!f.categories.empty() &&
      std::find(f.categories.begin(), f.categories.end(), str(r.category_off, r.category_len)) == f.categories.end()) {
    return false;
  }
  if (!f.tags.empty()) {
    const IndexedDoc d = doc(index);
    for (const auto& tag : f.tags) {
      if (std::find(d.tags.begin(), d.tags.end(), tag) == d.tags.end()) {
        return false;
      }
    }
  }
  return true;
}

std::vector<IndexHit> KbIndex::search(const std::vector<std::string>& terms, const SearchFilter& filter,
                                      std::size_t limit, double min_score) const
{
  std::vector<std::string> distinct = terms;
  std::sort(distinct.begin(), distinct.end());
  distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());

  std::vector<double> score(m_docs, 0.0);
  std::vector<std::uint32_t> matched(m_docs, 0);
  std::vector<std::uint32_t> touched;
  for (const auto& t : distinct) {
    const auto i = find_term(t);
    if (!i) {
      continue;
    }
    const auto r = read_at<TermRecord>(m_data, m_terms_off + *i * sizeof(TermRecord));
    if (r.post_begin > m_postings || r.post_count > m_postings - r.post_begin) {
      continue;
    }
    const double w = idf(m_docs, r.post_count);
    const char* base = m_data.data() + m_postings_off + static_cast<std::size_t>(r.post_begin) * sizeof(Posting);
    for (std::uint32_t k = 0; k < r.post_count; ++k) {
      Posting p;
      std::memcpy(&p, base + k * sizeof(Posting), sizeof(Posting));
      if (p.doc >= m_docs) {
        continue; // a damaged posting; never index out of range
      }
      if (matched[p.doc]++ == 0) {
        touched.push_back(p.doc);
      }
      score[p.doc] += w * p.weight;
    }
  }
  std::vector<IndexHit> hits;
  for (std::uint32_t d : touched) {
    if (score[d] > min_score && matches(d, filter)) {
      hits.push_back({d, score[d], matched[d]});
    }
  }
  auto better = [&](const IndexHit& x, const IndexHit& y) {
    if (x.score != y.score) {
      return x.score > y.score;
    }
    const auto rx = read_at<DocRecord>(m_data, m_docs_off + x.doc * sizeof(DocRecord));
    const auto ry = read_at<DocRecord>(m_data, m_docs_off + y.doc * sizeof(DocRecord));
    if (rx.reuse != ry.reuse) {
      return rx.reuse > ry.reuse;
    }
    return str(rx.id_off, rx.id_len) < str(ry.id_off, ry.id_len);
  };
  if (limit > 0 && hits.size() > limit) {
    std::partial_sort(hits.begin(), hits.begin() + static_cast<std::ptrdiff_t>(limit), hits.end(), better);
    hits.resize(limit);
  } else {
    std::sort(hits.begin(), hits.end(), better);
  }
  return hits;
}

} // namespace desk::kb
