#include "cli/commands.hpp"

#include "cli/table.hpp"

#include <desk/kb/html_export.hpp>
#include <desk/kb/kb_store.hpp>
#include <desk/kb/lifecycle.hpp>
#include <desk/kb/search.hpp>
#include <desk/model/json.hpp>
#include <desk/storage/file_io.hpp>
#include <desk/util/error.hpp>
#include <desk/util/text.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <map>

#include <unistd.h>

namespace fs = std::filesystem;

namespace desk::cli {

namespace {

using desk::text::csv_cell;

// The text fields of an article as the editor template shows them.
struct ArticleText {
  std::string title;
  std::string symptoms;
  std::string error;
  std::string cause;
  std::string solution;
};

struct KbArgs {
  std::string id;
  std::string title;
  std::string symptoms;
  std::string error;
  std::string cause;
  std::string solution;
  std::string category;
  std::vector<std::string> affected;
  std::vector<std::string> tags;
  std::string audience;
  std::string note;
  std::string format;
  std::vector<std::string> states;
  std::vector<std::string> categories;
  std::vector<std::string> audiences;
  std::vector<std::string> filter_tags;
  std::string query;
  std::size_t limit = 10;
  bool all = false;
  bool quiet = false;
  std::string html;
};

kb::KbStore store_of(const Invocation& s)
{
  return kb::KbStore(s.repo.root());
}

void warn_problems(const std::vector<kb::ArticleProblem>& problems)
{
  for (const auto& p : problems) {
    warn(fmt::format("skipped {}", p.message));
  }
}

nlohmann::ordered_json article_json(const kb::Article& a, bool with_events)
{
  auto j = value_to_json(a.fields());
  if (with_events) {
    auto events = nlohmann::ordered_json::array();
    for (const auto& e : a.events()) {
      events.push_back(event_to_json(e));
    }
    j["events"] = std::move(events);
  }
  return j;
}

std::string indent_block(std::string_view body, std::string_view pad)
{
  std::string out;
  for (const auto& line : text::split(text::visible(body, true), '\n')) {
    out += std::string(pad) + line + "\n";
  }
  return out;
}

std::string render_article(const Invocation& s, const kb::Article& a, bool color)
{
  std::string o = paint(color, "1", fmt::format("{}  {}", a.id(), text::visible(a.title()))) + "\n";
  std::vector<std::pair<std::string, std::string>> rows;
  auto row = [&](std::string label, std::string value) {
    if (!value.empty()) {
      rows.emplace_back(text::visible(label), text::visible(text::one_line(value)));
    }
  };
  std::string state(kb::to_string(a.state()));
  if (const auto reviewers = a.get_list("reviewers"); !reviewers.empty()) {
    state += fmt::format(" (reviewed by {})", fmt::join(reviewers, ", "));
  }
  row("state", state);
  row("audience", std::string(kb::to_string(a.audience())));
  row("category", a.get("category"));
  row("affected", fmt::format("{}", fmt::join(a.get_list("affected"), ", ")));
  row("tags", fmt::format("{}", fmt::join(a.get_list("tags"), ", ")));
  row("author", a.get("author"));
  row("created", local_time(s, a.get("created")));
  row("updated", local_time(s, a.get("updated")));
  const auto tickets = a.get_list("tickets");
  std::string reuse = fmt::format("{} ticket{} solved", a.reuse_count(), a.reuse_count() == 1 ? "" : "s");
  row("reuse", reuse);
  row("tickets", fmt::format("{}", fmt::join(tickets, ", ")));
  for (const auto& [k, v] : a.fields().entries) {
    if (!kb::find_article_field(k)) {
      row(k, v.is_scalar() ? v.scalar : fmt::format("{}", fmt::join(v.strings(), ", ")));
    }
  }
  std::size_t width = 0;
  for (const auto& r : rows) {
    width = std::max(width, text::display_width(r.first));
  }
  for (const auto& [label, value] : rows) {
    o += fmt::format("  {}  {}\n", text::pad_to_width(label, width), value);
  }
  for (const auto& [field, heading] : {std::pair{"symptoms", "Symptoms"}, std::pair{"error", "Error text"},
                                       std::pair{"cause", "Cause"}, std::pair{"solution", "Solution"}}) {
    if (!a.get(field).empty()) {
      o += "\n" + paint(color, "1", heading) + ":\n" + indent_block(a.get(field), "  ");
    }
  }
  o += "\n" + paint(color, "1", "History") + ":\n";
  std::size_t by_width = 0;
  for (const auto& e : a.events()) {
    by_width = std::max(by_width, text::display_width(text::visible(e.by)));
  }
  for (const auto& e : a.events()) {
    std::vector<std::string> changes;
    for (const auto& [k, v] : e.set.entries) {
      std::string value = v.is_sequence() ? fmt::format("{}", fmt::join(v.strings(), ", ")) : v.str();
      changes.push_back(fmt::format("{}={}", text::visible(k),
                                    value.empty() ? "∅" : text::truncate_to_width(text::visible(text::one_line(value)), 40)));
    }
    for (const auto& [k, v] : e.extra.entries) {
      changes.push_back(fmt::format("{}={}", text::visible(k), v.is_scalar() ? text::visible(text::one_line(v.scalar)) : "…"));
    }
    if (!e.note.empty()) {
      changes.push_back(fmt::format("“{}”", text::truncate_to_width(text::visible(text::one_line(e.note)), 60)));
    }
    const std::string line = fmt::format("  {}  {}  {}  {}", text::visible(local_time(s, e.at)),
                                         text::pad_to_width(text::visible(e.by), by_width), text::visible(e.action), text::one_line(fmt::format("{}", fmt::join(changes, ", "))));
    o += line.substr(0, line.find_last_not_of(' ') + 1) + "\n";
  }
  return o;
}

constexpr std::string_view k_template_head =
  "# Knowledge-base article. Write under each [section]; lines starting with '#' are removed.\n"
  "# [title] (one line) and [solution] are required; the other sections may stay empty.\n"
  "# Save and quit to store the article; an empty title or solution stores nothing.\n";

std::string article_template(const ArticleText& t)
{
  std::string o(k_template_head);
  o += "\n[title]\n" + t.title + "\n";
  o += "\n[symptoms]\n# What the user sees or reports, and when.\n" + t.symptoms + "\n";
  o += "\n[error]\n# The exact error text, if any.\n" + t.error + "\n";
  o += "\n[cause]\n# Why it happens.\n" + t.cause + "\n";
  o += "\n[solution]\n# The steps that fix it, one per line.\n" + t.solution + "\n";
  return o;
}

std::string trim_blank_lines(std::string s)
{
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.pop_back();
  }
  std::size_t start = 0;
  while (true) {
    const std::size_t nl = s.find('\n', start);
    if (nl == std::string::npos || !text::trim(std::string_view(s).substr(start, nl - start)).empty()) {
      break;
    }
    start = nl + 1;
  }
  return s.substr(start);
}

ArticleText parse_template(std::string_view content)
{
  ArticleText t;
  std::map<std::string, std::string*> sections = {{"title", &t.title},     {"symptoms", &t.symptoms},
                                                   {"error", &t.error},     {"cause", &t.cause},
                                                   {"solution", &t.solution}};
  std::string* current = nullptr;
  for (const auto& raw : text::split(content, '\n')) {
    std::string line = raw;
    if (!line.empty() && line.back() == '\r') {
      line.pop_back();
    }
    if (line.starts_with("#")) {
      continue;
    }
    const std::string_view trimmed = text::trim(line);
    if (trimmed.size() > 2 && trimmed.front() == '[' && trimmed.back() == ']') {
      const auto it = sections.find(std::string(trimmed.substr(1, trimmed.size() - 2)));
      if (it != sections.end()) {
        current = it->second;
        continue;
      }
    }
    if (current) {
      *current += line + "\n";
    }
  }
  for (auto& [name, value] : sections) {
    *value = trim_blank_lines(*value);
  }
  t.title = std::string(text::trim(t.title));
  return t;
}

bool interactive()
{
  return ::isatty(STDIN_FILENO) && ::isatty(STDOUT_FILENO);
}

// Let the user write the article in $VISUAL/$EDITOR from a commented template.
ArticleText edit_in_editor(const ArticleText& start)
{
  const std::optional<std::string> content = edit_text(article_template(start), "kb", "stored");
  if (!content) {
    throw UsageError("no editor: set $EDITOR, or give the article with --title and --solution");
  }
  return parse_template(*content);
}

std::vector<kb::State> parse_states(const std::vector<std::string>& values)
{
  std::vector<kb::State> out;
  for (const auto& v : split_list(values)) {
    check_choice("--state", v, kb::state_names());
    out.push_back(*kb::parse_state(v));
  }
  return out;
}

std::vector<kb::Audience> parse_audiences(const std::vector<std::string>& values)
{
  std::vector<kb::Audience> out;
  for (const auto& v : split_list(values)) {
    check_choice("--audience", v, kb::audience_names());
    out.push_back(*kb::parse_audience(v));
  }
  return out;
}

std::string marked_snippet(const kb::Snippet& sn, bool color)
{
  if (!color) {
    return text::visible(sn.text);
  }
  std::string o;
  std::size_t at = 0;
  for (const auto& [b, e] : sn.marks) {
    o += text::visible(sn.text.substr(at, b - at));
    o += paint(true, "1;33", text::visible(sn.text.substr(b, e - b)));
    at = e;
  }
  return o + text::visible(sn.text.substr(at));
}

nlohmann::ordered_json hit_json(const kb::SearchHit& h)
{
  const kb::Article& a = h.article;
  nlohmann::ordered_json j;
  j["id"] = a.id();
  j["title"] = a.title();
  j["state"] = std::string(kb::to_string(a.state()));
  j["audience"] = std::string(kb::to_string(a.audience()));
  j["category"] = a.get("category");
  j["tags"] = a.get_list("tags");
  j["reuse_count"] = a.reuse_count();
  j["score"] = std::round(h.score * 1000.0) / 1000.0;
  j["field"] = h.snippet.field;
  j["snippet"] = h.snippet.text;
  return j;
}

void kb_add_command(CLI::App& kb, Globals& g)
{
  auto a = std::make_shared<KbArgs>();
  CLI::App* cmd = kb.add_subcommand("add", "Write a new article (a draft until someone else validates it)");
  cmd->add_option("--title", a->title, "One line naming the problem as users describe it (required)")->type_name("TEXT");
  cmd->add_option("--symptoms", a->symptoms, "What the user sees; '-' reads standard input")->type_name("TEXT");
  cmd->add_option("--error", a->error, "The exact error text; '-' reads standard input")->type_name("TEXT");
  cmd->add_option("--cause", a->cause, "Why it happens")->type_name("TEXT");
  cmd->add_option("--solution", a->solution, "The steps that fix it (required); '-' reads standard input")
    ->type_name("TEXT");
  cmd->add_option("--category", a->category, "Technical domain (config categories)")->type_name("CATEGORY");
  cmd->add_option("--affected", a->affected, "Affected system or device (repeatable)")->type_name("NAME");
  cmd->add_option("--tag", a->tags, "Tag (repeatable or comma-separated)")->type_name("TAG");
  cmd->add_option("--audience", a->audience, "internal (engineers, the default) or public (self-service site)")
    ->check(CLI::IsMember({"internal", "public"}));
  cmd->add_flag("--quiet,-q", a->quiet, "Print only the new id");
  cmd->footer("Without --title or --solution, an interactive terminal opens $VISUAL/$EDITOR with a template.");
  cmd->callback([a, &g] {
    kb::ArticleDraft d;
    ArticleText t{text_arg(a->title, "--title"), a->symptoms.empty() ? "" : text_arg(a->symptoms, "--symptoms"),
                  a->error.empty() ? "" : text_arg(a->error, "--error"), text_arg(a->cause, "--cause"),
                  a->solution.empty() ? "" : text_arg(a->solution, "--solution")};
    const Invocation s = open_invocation(g);
    if ((text::trim(t.title).empty() || text::trim(t.solution).empty()) && interactive() && !a->quiet) {
      t = edit_in_editor(t);
    }
    d.title = t.title;
    d.symptoms = t.symptoms;
    d.error = t.error;
    d.cause = t.cause;
    d.solution = t.solution;
    d.category = text_arg(a->category, "--category");
    d.affected = a->affected;
    d.tags = split_list(a->tags);
    d.audience = a->audience;
    const auto r = ops::kb_add(s.repo, s.call(), d);
    if (a->quiet) {
      out(r.article.id() + "\n");
    } else {
      out(fmt::format("Added {} (draft): {}\n", r.article.id(), text::visible(r.article.title())));
      out(fmt::format("  someone other than {} validates it: desk kb validate {}\n", s.actor(), r.article.id()));
    }
    warn_all(r.warnings);
  });
}

void kb_show_command(CLI::App& kb, Globals& g)
{
  auto a = std::make_shared<KbArgs>();
  a->format = "text";
  CLI::App* cmd = kb.add_subcommand("show", "Show one article with its history");
  cmd->add_option("id", a->id, "Article id or a unique part of it")->required()->type_name("KB-ID");
  cmd->add_option("--format", a->format, "Output: text (for people), json or yaml (the file)")
    ->check(CLI::IsMember({"text", "json", "yaml"}));
  cmd->callback([a, &g] {
    const Invocation s = open_invocation(g);
    const kb::KbStore store = store_of(s);
    const auto ref = store.resolve(a->id);
    const kb::Article article = store.load(ref);
    if (a->format == "yaml") {
      out(storage::read_text_file(ref.path));
    } else if (a->format == "json") {
      out(article_json(article, true).dump(2) + "\n");
    } else {
      out(render_article(s, article, use_color(g)));
    }
  });
}

void kb_list_command(CLI::App& kb, Globals& g)
{
  auto a = std::make_shared<KbArgs>();
  a->format = "table";
  CLI::App* cmd = kb.add_subcommand("list", "List articles (drafts and validated ones unless --state or --all)");
  cmd->add_option("--state", a->states, "Only these states: draft, validated, archived (repeatable or comma-separated)")
    ->type_name("STATE");
  cmd->add_option("--category", a->categories, "Only these categories (repeatable or comma-separated)")
    ->type_name("CATEGORY");
  cmd->add_option("--audience", a->audiences, "Only internal or public articles")->type_name("AUDIENCE");
  cmd->add_option("--tag", a->filter_tags, "Only articles with every one of these tags")->type_name("TAG");
  cmd->add_flag("--all", a->all, "Include archived articles");
  cmd->add_option("--format", a->format, "Output: table, json (array of articles) or csv")
    ->check(CLI::IsMember({"table", "json", "csv"}));
  cmd->callback([a, &g] {
    const Invocation s = open_invocation(g);
    std::vector<kb::State> states = parse_states(a->states);
    if (states.empty() && !a->all) {
      states = {kb::State::draft, kb::State::validated};
    }
    const auto audiences = parse_audiences(a->audiences);
    const auto categories = split_list(a->categories);
    const auto tags = split_list(a->filter_tags);
    std::vector<kb::ArticleProblem> problems;
    std::vector<kb::Article> articles;
    for (auto& article : store_of(s).load_all(problems)) {
      auto has = [](const auto& list, const auto& v) { return std::find(list.begin(), list.end(), v) != list.end(); };
      if ((!states.empty() && !has(states, article.state())) || (!audiences.empty() && !has(audiences, article.audience())) ||
          (!categories.empty() && !has(categories, article.get("category")))) {
        continue;
      }
      const auto own = article.get_list("tags");
      if (!std::all_of(tags.begin(), tags.end(), [&](const std::string& t) { return has(own, t); })) {
        continue;
      }
      articles.push_back(std::move(article));
    }
    warn_problems(problems);
    std::sort(articles.begin(), articles.end(), [](const kb::Article& x, const kb::Article& y) {
      return std::tie(x.get("category"), x.title(), x.id()) < std::tie(y.get("category"), y.title(), y.id());
    });
    if (a->format == "json") {
      auto arr = nlohmann::ordered_json::array();
      for (const auto& article : articles) {
        arr.push_back(article_json(article, false));
      }
      out(arr.dump(2) + "\n");
      return;
    }
    if (a->format == "csv") {
      std::string o = "id,state,audience,category,reuse_count,updated,title,tags\r\n";
      for (const auto& x : articles) {
        o += fmt::format("{},{},{},{},{},{},{},{}\r\n", csv_cell(x.id()), kb::to_string(x.state()),
                         kb::to_string(x.audience()), csv_cell(x.get("category")), x.reuse_count(),
                         csv_cell(x.get("updated")), csv_cell(x.title()),
                         csv_cell(fmt::format("{}", fmt::join(x.get_list("tags"), "; "))));
      }
      out(o);
      return;
    }
    if (articles.empty()) {
      out("No articles match.\n");
      return;
    }
    Table table({{"ID"}, {"STATE"}, {"AUDIENCE"}, {"CATEGORY"}, {"REUSE", true}, {"UPDATED"}, {"TITLE", false, 60}});
    for (const auto& x : articles) {
      table.add_row({x.id(), std::string(kb::to_string(x.state())), std::string(kb::to_string(x.audience())),
                     x.get("category"), std::to_string(x.reuse_count()), local_time(s, x.get("updated")), x.title()});
    }
    if (use_color(g)) {
      table.style_header = [](std::size_t, const std::string& txt) { return paint(true, "1", txt); };
    }
    out(table.render());
  });
}

void kb_edit_command(CLI::App& kb, Globals& g)
{
  auto a = std::make_shared<KbArgs>();
  CLI::App* cmd = kb.add_subcommand("edit", "Change an article's fields (a changed text needs a new validation)");
  cmd->add_option("id", a->id, "Article id or a unique part of it")->required()->type_name("KB-ID");
  std::map<std::string, CLI::Option*> opts;
  opts["title"] = cmd->add_option("--title", a->title, "New title")->type_name("TEXT");
  opts["symptoms"] = cmd->add_option("--symptoms", a->symptoms, "New symptoms ('' clears; '-' reads stdin)")->type_name("TEXT");
  opts["error"] = cmd->add_option("--error", a->error, "New error text ('' clears; '-' reads stdin)")->type_name("TEXT");
  opts["cause"] = cmd->add_option("--cause", a->cause, "New cause ('' clears)")->type_name("TEXT");
  opts["solution"] = cmd->add_option("--solution", a->solution, "New solution ('-' reads stdin)")->type_name("TEXT");
  opts["category"] = cmd->add_option("--category", a->category, "New category ('' clears)")->type_name("CATEGORY");
  opts["affected"] = cmd->add_option("--affected", a->affected, "Affected systems (replace the list; repeatable)")
                       ->type_name("NAME");
  opts["tag"] = cmd->add_option("--tag", a->tags, "Tags (replace the list; repeatable or comma-separated)")->type_name("TAG");
  opts["audience"] = cmd->add_option("--audience", a->audience, "internal or public")
                       ->check(CLI::IsMember({"internal", "public"}));
  cmd->add_option("-m,--message", a->note, "Note for the history")->type_name("TEXT");
  cmd->footer("Without field options, an interactive terminal opens $VISUAL/$EDITOR with the article's text.");
  cmd->callback([a, opts, &g] {
    const bool any = std::any_of(opts.begin(), opts.end(), [](const auto& kv) { return kv.second->count() > 0; });
    kb::ArticleEdit e;
    auto given = [&](const char* name) { return opts.at(name)->count() > 0; };
    if (given("title")) {
      e.title = text_arg(a->title, "--title");
    }
    if (given("symptoms")) {
      e.symptoms = text_arg(a->symptoms, "--symptoms");
    }
    if (given("error")) {
      e.error = text_arg(a->error, "--error");
    }
    if (given("cause")) {
      e.cause = text_arg(a->cause, "--cause");
    }
    if (given("solution")) {
      e.solution = text_arg(a->solution, "--solution");
    }
    if (given("category")) {
      e.category = text_arg(a->category, "--category");
    }
    if (given("audience")) {
      e.audience = a->audience;
    }
    if (given("affected")) {
      e.affected = a->affected;
    }
    if (given("tag")) {
      e.tags = split_list(a->tags);
    }
    e.note = text_arg(a->note, "-m");
    if (!any && !interactive()) {
      throw UsageError("nothing to change", "give the fields to change, e.g. --solution TEXT or --tag T");
    }
    const Invocation s = open_invocation(g);
    if (!any) {
      const kb::KbStore store = store_of(s);
      const kb::Article article = store.load(store.resolve(a->id));
      const ArticleText now{article.title(), article.get("symptoms"), article.get("error"), article.get("cause"),
                            article.get("solution")};
      const ArticleText t = edit_in_editor(now);
      e.title = t.title;
      e.symptoms = t.symptoms;
      e.error = t.error;
      e.cause = t.cause;
      e.solution = t.solution;
    }
    const auto r = ops::kb_edit(s.repo, s.call(), a->id, e);
    out(fmt::format("{}: {}\n", r.article.id(), text::visible(r.summary)));
    warn_all(r.warnings);
  });
}

void kb_state_command(CLI::App& kb, Globals& g, const char* name, const char* help)
{
  auto a = std::make_shared<KbArgs>();
  CLI::App* cmd = kb.add_subcommand(name, help);
  cmd->add_option("id", a->id, "Article id or a unique part of it")->required()->type_name("KB-ID");
  cmd->add_option("-m,--message", a->note, "Note for the history")->type_name("TEXT");
  const std::string action = name;
  cmd->callback([a, action, &g] {
    const std::string note = text_arg(a->note, "-m");
    const Invocation s = open_invocation(g);
    const auto r = action == "validate" ? ops::kb_validate(s.repo, s.call(), a->id, note)
                                        : ops::kb_archive(s.repo, s.call(), a->id, note);
    out(fmt::format("{}: {}\n", r.article.id(), text::visible(r.summary)));
    warn_all(r.warnings);
  });
}

void kb_capture_command(CLI::App& kb, Globals& g)
{
  auto a = std::make_shared<KbArgs>();
  CLI::App* cmd = kb.add_subcommand("capture", "Write a draft article from a resolved ticket and link both ways");
  cmd->add_option("ticket", a->id, "Ticket id or a unique part of it")->required()->type_name("ID");
  cmd->add_option("--audience", a->audience, "internal (default) or public")->check(CLI::IsMember({"internal", "public"}));
  cmd->add_option("--tag", a->tags, "Tag (repeatable or comma-separated)")->type_name("TAG");
  cmd->add_option("-m,--message", a->note, "Note for the history")->type_name("TEXT");
  cmd->add_flag("--quiet,-q", a->quiet, "Print only the new article id");
  cmd->callback([a, &g] {
    const Invocation s = open_invocation(g);
    kb::CaptureOptions options;
    options.audience = a->audience;
    options.tags = split_list(a->tags);
    options.note = text_arg(a->note, "-m");
    const auto r = ops::kb_capture(s.repo, s.call(), a->id, options);
    if (a->quiet) {
      out(r.article.id() + "\n");
    } else {
      out(fmt::format("Captured {} (draft) from {}: {}\n", r.article.id(), r.ticket.id(), text::visible(r.article.title())));
    }
    warn_all(r.warnings);
  });
}

void kb_search_command(CLI::App& kb, Globals& g)
{
  auto a = std::make_shared<KbArgs>();
  a->format = "table";
  CLI::App* cmd = kb.add_subcommand("search", "Find articles: ranked, Chinese and English, with the matching text");
  cmd->add_option("query", a->query, "Words, characters or error text to look for")->required()->type_name("QUERY");
  cmd->add_option("--state", a->states, "Only these states (default: draft and validated)")->type_name("STATE");
  cmd->add_option("--category", a->categories, "Only these categories")->type_name("CATEGORY");
  cmd->add_option("--audience", a->audiences, "Only internal or public articles")->type_name("AUDIENCE");
  cmd->add_option("--tag", a->filter_tags, "Only articles with every one of these tags")->type_name("TAG");
  cmd->add_option("--limit,-n", a->limit, "Show at most N articles (default 10)")->type_name("N")
    ->check(CLI::Range(1, 1000));
  cmd->add_option("--format", a->format, "Output: table (ranked, with snippets) or json")
    ->check(CLI::IsMember({"table", "json"}));
  cmd->callback([a, &g] {
    const std::string query = text_arg(a->query, "QUERY");
    const auto terms = kb::query_terms(query);
    const Invocation s = open_invocation(g);
    kb::SearchOptions options;
    options.filter.states = parse_states(a->states);
    if (options.filter.states.empty()) {
      options.filter.states = {kb::State::draft, kb::State::validated};
    }
    options.filter.categories = split_list(a->categories);
    options.filter.audiences = parse_audiences(a->audiences);
    options.filter.tags = split_list(a->filter_tags);
    options.limit = a->limit;
    options.snippet_width = 76;
    const kb::SearchResult r = kb::search(s.repo.root(), terms, options);
    warn_problems(r.problems);
    if (a->format == "json") {
      auto arr = nlohmann::ordered_json::array();
      for (const auto& h : r.hits) {
        arr.push_back(hit_json(h));
      }
      out(arr.dump(2) + "\n");
      return;
    }
    if (r.hits.empty()) {
      out(fmt::format("No articles match '{}'.\n", text::truncate_to_width(text::visible(text::one_line(query)), 60)));
      return;
    }
    const bool color = use_color(g);
    std::size_t state_w = 0;
    for (const auto& h : r.hits) {
      state_w = std::max(state_w, kb::to_string(h.article.state()).size());
    }
    std::string o;
    for (const auto& h : r.hits) {
      const std::string category =
        h.article.get("category").empty() ? "" : "  [" + text::visible(h.article.get("category")) + "]";
      o += fmt::format("{}  {}  {}{}\n", paint(color, "1", h.article.id()),
                       text::pad_to_width(kb::to_string(h.article.state()), state_w),
                       text::truncate_to_width(text::visible(h.article.title()), 70), category);
      o += fmt::format("    {}: {}\n", text::visible(h.snippet.field), marked_snippet(h.snippet, color));
    }
    out(o);
  });
}

void kb_export_command(CLI::App& kb, Globals& g)
{
  auto a = std::make_shared<KbArgs>();
  CLI::App* cmd = kb.add_subcommand("export", "Write the self-service site: public, validated articles as static HTML");
  cmd->add_option("--html", a->html, "Folder to write the site into (created; an earlier export is updated)")
    ->required()
    ->type_name("DIR");
  cmd->callback([a, &g] {
    const Invocation s = open_invocation(g);
    std::vector<kb::ArticleProblem> problems;
    const auto articles = store_of(s).load_all(problems);
    warn_problems(problems);
    const auto r = kb::export_html(articles, a->html, format_local_minutes(s.now, s.zone()));
    out(fmt::format("Exported {} article{} in {} categor{} to {}\n  open {}/index.html, or link {}/search.html?q=WORDS\n",
                    r.articles, r.articles == 1 ? "" : "s", r.categories.size(), r.categories.size() == 1 ? "y" : "ies",
                    a->html, a->html, a->html));
  });
}

std::vector<kb::SearchHit> suggestions_for(const Invocation& s, const Ticket& ticket)
{
  std::vector<std::string> warnings;
  auto hits = ops::suggestions(s.repo, ticket, warnings);
  warn_all(warnings);
  return hits;
}

} // namespace

std::string kb_suggestions_text(const Invocation& s, const Ticket& ticket)
{
  const auto hits = suggestions_for(s, ticket);
  if (hits.empty()) {
    return {};
  }
  std::string o = "Suggested knowledge-base articles:\n";
  for (const auto& h : hits) {
    const kb::Article& a = h.article;
    std::string extra = a.get("category");
    if (a.reuse_count() > 0) {
      extra += fmt::format("{}solved {} before", extra.empty() ? "" : ", ", a.reuse_count());
    }
    o += fmt::format("  {}  {}{}\n", a.id(), text::visible(a.title()), extra.empty() ? "" : "  (" + text::visible(extra) + ")");
  }
  o += fmt::format("  if one solves it: desk kb show KB-ID, then desk resolve {} --kb KB-ID ...\n", ticket.id());
  return o;
}

nlohmann::ordered_json kb_suggestions_json(const Invocation& s, const Ticket& ticket)
{
  std::error_code ec;
  if (!fs::is_directory(store_of(s).dir(), ec)) {
    return nullptr;
  }
  auto arr = nlohmann::ordered_json::array();
  for (const auto& h : suggestions_for(s, ticket)) {
    arr.push_back(hit_json(h));
  }
  return arr;
}

void register_kb(CLI::App& app, Globals& g)
{
  CLI::App* kb = app.add_subcommand("kb", "Knowledge base: known problems and their fixes (stages 2 and 5)");
  kb->require_subcommand(1);
  add_global_options(kb, g);
  kb_add_command(*kb, g);
  kb_show_command(*kb, g);
  kb_list_command(*kb, g);
  kb_edit_command(*kb, g);
  kb_state_command(*kb, g, "validate", "Approve a draft (by someone other than its author)");
  kb_state_command(*kb, g, "archive", "Retire an article (kept, no longer suggested or exported)");
  kb_capture_command(*kb, g);
  kb_search_command(*kb, g);
  kb_export_command(*kb, g);
  for (CLI::App* sub : kb->get_subcommands([](const CLI::App*) { return true; })) {
    add_global_options(sub, g);
  }
}

} // namespace desk::cli
