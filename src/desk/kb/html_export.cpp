#include <desk/kb/html_export.hpp>

#include <desk/kb/kb_index.hpp>
#include <desk/kb/kb_store.hpp>
#include <desk/storage/file_io.hpp>
#include <desk/util/error.hpp>
#include <desk/util/text.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

namespace fs = std::filesystem;

namespace desk::kb {

using text::html_escape;

namespace {

constexpr std::string_view k_marker = ".desk-kb-export";

constexpr std::string_view k_css = R"css(:root {
  --fg: #1d2430; --muted: #5b6577; --line: #dde2ea; --accent: #1f5fbf; --bg: #ffffff; --soft: #f4f6f9;
  --mark: #fff1a8;
}
* { box-sizing: border-box; }
body {
  margin: 0; color: var(--fg); background: var(--bg); line-height: 1.6;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Noto Sans CJK SC", "PingFang SC",
    "Microsoft YaHei", sans-serif;
}
header.site { background: var(--soft); border-bottom: 1px solid var(--line); }
header.site .wrap { display: flex; flex-wrap: wrap; align-items: center; gap: 0.75rem 1.5rem; padding: 0.9rem 1.25rem; }
header.site a.home { font-weight: 700; font-size: 1.15rem; color: var(--fg); text-decoration: none; }
main { padding: 1.25rem 1.25rem 3rem; }
.wrap { max-width: 52rem; margin: 0 auto; }
a { color: var(--accent); }
h1 { font-size: 1.7rem; line-height: 1.3; margin: 0.4rem 0 0.6rem; }
h2 { font-size: 1.2rem; margin: 1.8rem 0 0.5rem; }
form.search { display: flex; gap: 0.5rem; flex: 1 1 18rem; }
form.search input {
  flex: 1; min-width: 0; font: inherit; padding: 0.45rem 0.7rem; border: 1px solid #b9c2d0; border-radius: 6px;
}
form.search button {
  font: inherit; padding: 0.45rem 1rem; border: 0; border-radius: 6px; background: var(--accent); color: #fff; cursor: pointer;
}
.meta { color: var(--muted); font-size: 0.9rem; }
.meta span + span::before { content: " · "; }
.tag { display: inline-block; background: var(--soft); border: 1px solid var(--line); border-radius: 999px;
  padding: 0 0.55rem; margin: 0 0.25rem 0.25rem 0; font-size: 0.85rem; }
.text { white-space: pre-wrap; overflow-wrap: anywhere; }
pre { background: var(--soft); border: 1px solid var(--line); border-radius: 6px; padding: 0.7rem 0.9rem;
  white-space: pre-wrap; overflow-wrap: anywhere; font-size: 0.9rem; }
ul.articles { list-style: none; padding: 0; margin: 0; }
ul.articles li { padding: 0.55rem 0; border-bottom: 1px solid var(--line); }
ul.articles .summary { display: block; color: var(--muted); font-size: 0.92rem; }
nav.categories a { margin-right: 0.9rem; white-space: nowrap; }
ol.results { list-style: none; padding: 0; margin: 0; }
ol.results li { padding: 0.8rem 0; border-bottom: 1px solid var(--line); }
ol.results h2 { font-size: 1.1rem; margin: 0 0 0.2rem; }
ol.results .meta { margin: 0 0 0.15rem; }
ol.results .snippet { margin: 0; overflow-wrap: anywhere; }
mark { background: var(--mark); color: inherit; padding: 0 1px; border-radius: 2px; }
#status { color: var(--muted); }
footer { color: var(--muted); font-size: 0.85rem; border-top: 1px solid var(--line); margin-top: 2.5rem; padding-top: 0.8rem; }
)css";

// The in-page search: the same tokenizer as desk (NFKC + case fold, words, CJK bigrams)
// and the same BM25F weights, read from search-index.js.
constexpr std::string_view k_search_js = R"js((function () {
  "use strict";
  var IDX = window.DESK_KB_INDEX || { docs: [], terms: [] };
  var TERMS = new Map(IDX.terms);
  var WORD = /^[\p{L}\p{M}\p{N}]$/u;

  function isCjk(cp) {
    return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x20000 && cp <= 0x323AF) ||
      (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x3040 && cp <= 0x30FF) || (cp >= 0x31F0 && cp <= 0x31FF) ||
      (cp >= 0x3100 && cp <= 0x312F) || (cp >= 0xAC00 && cp <= 0xD7AF) || (cp >= 0x1100 && cp <= 0x11FF) ||
      (cp >= 0x3130 && cp <= 0x318F) || cp === 0x3005 || cp === 0x3007;
  }
  // 0: separator, 1: letter or digit, 2: CJK
  function kind(ch) {
    var cp = ch.codePointAt(0);
    if (cp < 0x80) { return /[0-9A-Za-z]/.test(ch) ? 1 : 0; }
    if (isCjk(cp)) { return 2; }
    return WORD.test(ch) ? 1 : 0;
  }
  function fold(s) { return s.normalize("NFKC").toLowerCase().replace(/\u00DF/g, "ss"); }
  function tokenize(s) {
    var chars = Array.from(fold(s)), out = [], i = 0;
    while (i < chars.length) {
      var k = kind(chars[i]);
      if (k === 0) { i++; continue; }
      var j = i + 1;
      while (j < chars.length && kind(chars[j]) === k) { j++; }
      if (k === 1) {
        out.push(chars.slice(i, Math.min(j, i + 64)).join(""));
      } else if (j - i === 1) {
        out.push(chars[i]);
      } else {
        for (var b = i; b + 1 < j; b++) { out.push(chars[b] + chars[b + 1]); }
      }
      i = j;
    }
    return out;
  }
  function search(q) {
    var terms = Array.from(new Set(tokenize(q))), scores = new Map(), n = IDX.docs.length;
    terms.forEach(function (t) {
      var p = TERMS.get(t);
      if (!p) { return; }
      var idf = Math.log(1 + (n - p.length + 0.5) / (p.length + 0.5));
      p.forEach(function (e) { scores.set(e[0], (scores.get(e[0]) || 0) + idf * e[1]); });
    });
    var hits = Array.from(scores, function (e) { return { doc: e[0], score: e[1] }; });
    hits.sort(function (a, b) {
      return (b.score - a.score) || (IDX.docs[a.doc].id < IDX.docs[b.doc].id ? -1 : 1);
    });
    return { terms: terms, hits: hits };
  }
  // The text around the first match, matches wrapped in <mark>, as DOM nodes.
  function snippet(text, terms, width) {
    var chars = Array.from(text), folded = "", owner = [], marked = [], first = -1, i;
    for (i = 0; i < chars.length; i++) {
      var f = fold(chars[i]);
      folded += f;
      for (var u = 0; u < f.length; u++) { owner.push(i); }
      marked.push(false);
    }
    terms.forEach(function (t) {
      var word = kind(Array.from(t)[0]) === 1, from = 0, at;
      while ((at = folded.indexOf(t, from)) !== -1) {
        from = at + 1;
        var end = at + t.length;
        if (word && ((at > 0 && kind(folded[at - 1]) === 1) || (end < folded.length && kind(folded[end]) === 1))) {
          continue;
        }
        for (var x = at; x < end; x++) { marked[owner[x]] = true; }
        if (first === -1 || owner[at] < first) { first = owner[at]; }
      }
    });
    var start = first > 20 ? first - 20 : 0, stop = Math.min(chars.length, start + width);
    while (start < stop && /[\s\u00B7]/.test(chars[start])) { start++; }
    // Cut between words, not inside one (CJK text may be cut anywhere), and never inside a match.
    if (stop < chars.length) {
      var back = stop;
      while (back > start + width / 2 && kind(chars[back - 1]) === 1 && kind(chars[back]) === 1) { back--; }
      if (back > start + width / 2) { stop = back; }
      while (stop < chars.length && marked[stop] && marked[stop - 1]) { stop++; }
    }
    if (start > 0) {
      var fwd = start;
      while (fwd < first && kind(chars[fwd - 1]) === 1 && kind(chars[fwd]) === 1) { fwd++; }
      if (fwd < first) { start = fwd; }
    }
    while (stop > start && stop < chars.length && /[\s\u00B7]/.test(chars[stop - 1])) { stop--; }
    var frag = document.createDocumentFragment(), run = "", inMark = false;
    function flush() {
      if (!run) { return; }
      if (inMark) {
        var m = document.createElement("mark");
        m.textContent = run;
        frag.appendChild(m);
      } else {
        frag.appendChild(document.createTextNode(run));
      }
      run = "";
    }
    if (start > 0) { frag.appendChild(document.createTextNode("\u2026")); }
    for (i = start; i < stop; i++) {
      if (marked[i] !== inMark) { flush(); inMark = marked[i]; }
      run += chars[i];
    }
    flush();
    if (stop < chars.length) { frag.appendChild(document.createTextNode("\u2026")); }
    return frag;
  }
  function render(q) {
    var list = document.getElementById("results"), status = document.getElementById("status");
    list.textContent = "";
    if (!q.trim()) { status.textContent = "Type what you see: the error text, the device, the symptom."; return; }
    var r = search(q);
    if (r.terms.length === 0) { status.textContent = "There are no words to search for in \u201C" + q + "\u201D."; return; }
    var shown = r.hits.slice(0, 50);
    status.textContent = r.hits.length === 0 ? "No article matches \u201C" + q + "\u201D." :
      r.hits.length + (r.hits.length === 1 ? " article matches" : " articles match") + " \u201C" + q + "\u201D.";
    shown.forEach(function (h) {
      var d = IDX.docs[h.doc], li = document.createElement("li"), h2 = document.createElement("h2");
      var a = document.createElement("a"), meta = document.createElement("p"), p = document.createElement("p");
      li.className = "hit";
      li.setAttribute("data-id", d.id);
      a.href = d.url;
      a.textContent = d.title;
      h2.appendChild(a);
      meta.className = "meta";
      meta.textContent = (d.category ? d.category + " \u00B7 " : "") + d.id;
      p.className = "snippet";
      p.appendChild(snippet(d.text, r.terms, 90));
      li.appendChild(h2);
      li.appendChild(meta);
      li.appendChild(p);
      list.appendChild(li);
    });
  }
  var input = document.getElementById("q");
  var q = new URLSearchParams(window.location.search).get("q") || "";
  input.value = q;
  render(q);
  input.addEventListener("input", function () {
    render(input.value);
    try { window.history.replaceState(null, "", "?q=" + encodeURIComponent(input.value)); } catch (e) { /* file: URLs */ }
  });
  document.body.setAttribute("data-ready", "1");
})();
)js";

// Percent-encode a query value for an href (then HTML-escaped by the caller).
std::string url_encode(std::string_view s)
{
  std::string out;
  for (unsigned char c : s) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
        c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

std::string page(std::string_view title, std::string_view body, std::string_view generated, bool with_search_box,
                 std::string_view scripts = {})
{
  std::string search_box;
  if (with_search_box) {
    search_box = R"(<form class="search" action="search.html" method="get" role="search">)"
                 R"(<input type="search" name="q" aria-label="Search the knowledge base" placeholder="Search: 打印机, VPN, error text…">)"
                 R"(<button type="submit">Search</button></form>)";
  }
  return fmt::format(
    "<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n"
    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
    "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; script-src 'self'; style-src 'self'; "
    "img-src 'self'; form-action 'self'\">\n"
    "<meta name=\"generator\" content=\"desk kb export\">\n"
    "<title>{}</title>\n<link rel=\"stylesheet\" href=\"style.css\">\n</head>\n<body>\n"
    "<header class=\"site\"><div class=\"wrap\"><a class=\"home\" href=\"index.html\">IT knowledge base</a>{}</div></header>\n"
    "<main><div class=\"wrap\">\n{}"
    "<footer>Self-service articles from the IT service desk · generated {}</footer>\n"
    "</div></main>\n{}</body>\n</html>\n",
    html_escape(title), search_box, body, html_escape(generated), scripts);
}

std::string summary_of(const Article& a, std::size_t width)
{
  const std::string& base = a.get("symptoms").empty() ? a.get("solution") : a.get("symptoms");
  return text::truncate_to_width(text::one_line(base), width);
}

std::string category_of(const Article& a)
{
  return a.get("category").empty() ? std::string("general") : a.get("category");
}

std::string section(std::string_view heading, const std::string& body, bool preformatted)
{
  if (text::trim(body).empty()) {
    return {};
  }
  if (preformatted) {
    return fmt::format("<h2>{}</h2>\n<pre><code>{}</code></pre>\n", heading, html_escape(body));
  }
  return fmt::format("<h2>{}</h2>\n<div class=\"text\">{}</div>\n", heading, html_escape(body));
}

std::string article_page(const Article& a, std::string_view generated)
{
  std::string meta;
  meta += fmt::format("<span>{}</span>", html_escape(category_of(a)));
  if (const auto affected = a.get_list("affected"); !affected.empty()) {
    std::vector<std::string> escaped;
    for (const auto& x : affected) {
      escaped.push_back(html_escape(x));
    }
    meta += fmt::format("<span>affects {}</span>", fmt::join(escaped, ", "));
  }
  const std::string& updated = a.get("updated").empty() ? a.get("created") : a.get("updated");
  meta += fmt::format("<span>updated {}</span>", html_escape(updated.substr(0, 10)));
  meta += fmt::format("<span>{}</span>", html_escape(a.id()));
  std::string tags;
  for (const auto& t : a.get_list("tags")) {
    tags += fmt::format("<a class=\"tag\" href=\"search.html?q={}\">{}</a>", html_escape(url_encode(t)),
                        html_escape(t));
  }
  std::string body = fmt::format("<article>\n<h1>{}</h1>\n<p class=\"meta\">{}</p>\n", html_escape(a.title()), meta);
  if (!tags.empty()) {
    body += fmt::format("<p class=\"tags\">{}</p>\n", tags);
  }
  body += section("Symptoms", a.get("symptoms"), false);
  body += section("Error message", a.get("error"), true);
  body += section("Cause", a.get("cause"), false);
  body += section("Solution", a.get("solution"), false);
  body += "</article>\n<p><a href=\"index.html\">← All articles</a></p>\n";
  return page(a.title(), body, generated, true);
}

std::string search_index_js(const std::vector<const Article*>& articles)
{
  std::vector<Article> copies;
  copies.reserve(articles.size());
  for (const Article* a : articles) {
    copies.push_back(*a);
  }
  const auto built = KbIndex::open(KbIndex::build(copies, {}, IndexStamp{}));
  nlohmann::ordered_json j;
  j["version"] = 1;
  auto docs = nlohmann::ordered_json::array();
  for (const Article* a : articles) {
    std::string text = a->get("symptoms");
    for (const char* f : {"error", "cause", "solution"}) {
      if (!a->get(f).empty()) {
        text += (text.empty() ? "" : " · ") + a->get(f);
      }
    }
    nlohmann::ordered_json d;
    d["id"] = a->id();
    d["title"] = a->title();
    d["category"] = category_of(*a);
    d["url"] = a->id() + ".html";
    d["text"] = text::truncate_to_width(text::one_line(text), 1200);
    docs.push_back(std::move(d));
  }
  j["docs"] = std::move(docs);
  auto terms = nlohmann::ordered_json::array();
  for (std::size_t i = 0; built && i < built->term_count(); ++i) {
    auto postings = nlohmann::ordered_json::array();
    for (const Posting& p : built->postings(i)) {
      postings.push_back({p.doc, std::round(static_cast<double>(p.weight) * 10000.0) / 10000.0});
    }
    terms.push_back({std::string(built->term(i)), std::move(postings)});
  }
  j["terms"] = std::move(terms);
  // JSON is a JavaScript expression; '<' is escaped anyway so the text is inert anywhere.
  std::string json = j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  std::string safe;
  safe.reserve(json.size());
  for (char c : json) {
    if (c == '<') {
      safe += "\\u003c";
    } else {
      safe += c;
    }
  }
  return "window.DESK_KB_INDEX = " + safe + ";\n";
}

} // namespace

bool is_exported(const Article& a)
{
  return a.state() == State::validated && a.audience() == Audience::public_;
}

ExportResult export_html(const std::vector<Article>& all, const fs::path& dir, std::string_view generated)
{
  std::error_code ec;
  if (fs::exists(dir, ec) && !fs::is_directory(dir, ec)) {
    throw UsageError(fmt::format("{} exists and is not a folder", dir.string()), "give a folder for the site");
  }
  if (fs::is_directory(dir, ec) && !fs::exists(dir / k_marker, ec) && !fs::is_empty(dir, ec)) {
    throw UsageError(fmt::format("{} is not empty and holds no earlier export", dir.string()),
                     "export into an empty or new folder (an earlier export is updated in place)");
  }
  std::vector<const Article*> articles;
  for (const auto& a : all) {
    if (is_exported(a)) {
      articles.push_back(&a);
    }
  }
  std::sort(articles.begin(), articles.end(), [](const Article* x, const Article* y) {
    return std::tie(x->title(), x->id()) < std::tie(y->title(), y->id());
  });
  std::map<std::string, std::vector<const Article*>> by_category;
  for (const Article* a : articles) {
    by_category[category_of(*a)].push_back(a);
  }

  ExportResult result;
  result.articles = articles.size();
  auto write = [&](const std::string& name, std::string_view content) {
    storage::write_file_atomic(dir / name, content);
    result.files.push_back(name);
  };
  write("style.css", k_css);
  write("search.js", k_search_js);
  write("search-index.js", search_index_js(articles));

  std::string body = "<h1>Knowledge base</h1>\n";
  if (articles.empty()) {
    body += "<p>No articles have been published yet.</p>\n";
  } else {
    body += fmt::format("<p class=\"meta\">{} article{} in {} categor{}. Search above, or browse by category.</p>\n",
                        articles.size(), articles.size() == 1 ? "" : "s", by_category.size(),
                        by_category.size() == 1 ? "y" : "ies");
    body += "<nav class=\"categories\">";
    for (const auto& [category, list] : by_category) {
      body += fmt::format("<a href=\"#cat-{}\">{} ({})</a>", html_escape(url_encode(category)),
                          html_escape(category), list.size());
    }
    body += "</nav>\n";
  }
  for (const auto& [category, list] : by_category) {
    result.categories.push_back(category);
    body += fmt::format("<section>\n<h2 id=\"cat-{}\">{}</h2>\n<ul class=\"articles\">\n", html_escape(url_encode(category)),
                        html_escape(category));
    for (const Article* a : list) {
      body += fmt::format("<li><a href=\"{}.html\">{}</a><span class=\"summary\">{}</span></li>\n", html_escape(a->id()),
                          html_escape(a->title()), html_escape(summary_of(*a, 140)));
    }
    body += "</ul>\n</section>\n";
  }
  write("index.html", page("Knowledge base", body, generated, true));

  const std::string search_body =
    "<h1>Search the knowledge base</h1>\n"
    "<form class=\"search\" action=\"search.html\" method=\"get\" role=\"search\">"
    "<input id=\"q\" type=\"search\" name=\"q\" aria-label=\"Search the knowledge base\" autofocus "
    "placeholder=\"打印机脱机, VPN, 0x80070005…\"><button type=\"submit\">Search</button></form>\n"
    "<p id=\"status\"><noscript>Search needs JavaScript; the <a href=\"index.html\">list of articles</a> works "
    "without it.</noscript></p>\n<ol id=\"results\" class=\"results\"></ol>\n";
  write("search.html", page("Search · Knowledge base", search_body, generated, false,
                            "<script src=\"search-index.js\"></script>\n<script src=\"search.js\"></script>\n"));

  std::set<std::string> pages;
  for (const Article* a : articles) {
    const std::string name = a->id() + ".html";
    write(name, article_page(*a, generated));
    pages.insert(name);
  }
  // Pages of articles that are no longer public and validated go away.
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.starts_with(std::string(k_id_prefix) + "-") && name.ends_with(".html") && !pages.contains(name)) {
      fs::remove(entry.path(), ec);
    }
  }
  write(std::string(k_marker), "desk kb export: this folder is rewritten by `desk kb export --html`\n");
  return result;
}

} // namespace desk::kb
