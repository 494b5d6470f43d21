#include <desk/kb/lifecycle.hpp>

#include <desk/kb/kb_store.hpp>
#include <desk/model/id.hpp>
#include <desk/model/status.hpp>
#include <desk/util/error.hpp>
#include <desk/util/text.hpp>
#include <desk/util/time.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <optional>

namespace desk::kb {

using workflow::now_text;
using workflow::require_single_line;
using workflow::require_text;

namespace {

void check_category(const workflow::Context& ctx, const std::string& category)
{
  if (!category.empty() && !ctx.config.categories.empty()) {
    Config::require_one_of("category", category, ctx.config.categories);
  }
}

std::string check_audience(const std::string& audience)
{
  if (audience.empty()) {
    return "internal";
  }
  if (!parse_audience(audience)) {
    throw UsageError(fmt::format("unknown audience '{}'; use one of: {}", audience,
                                 fmt::join(audience_names(), ", ")));
  }
  return audience;
}

// Items trimmed, empty ones and repeats dropped, each a single line.
std::vector<std::string> clean_list(const std::vector<std::string>& items, std::string_view what)
{
  std::vector<std::string> out;
  for (const auto& item : items) {
    const std::string v(text::trim(item));
    require_single_line(v, what);
    if (!v.empty() && std::find(out.begin(), out.end(), v) == out.end()) {
      out.push_back(v);
    }
  }
  return out;
}

// The lifecycle table: which actions are allowed from which state, and where they lead.
struct Step {
  std::string_view action;
  std::vector<State> from;
  std::optional<State> to; // nullopt: the state stays (an edit of a validated article's
                           // content makes it a draft again: see edit)
};

const std::vector<Step>& steps()
{
  static const std::vector<Step> k_steps = {
    {"edit", {State::draft, State::validated}, std::nullopt},
    {"validate", {State::draft, State::archived}, State::validated},
    {"archive", {State::draft, State::validated}, State::archived},
  };
  return k_steps;
}

// The state `action` leads `a` to (nullopt: it stays); throws InvalidTransitionError naming
// what is allowed when the table has no such step.
std::optional<State> check_step(const Article& a, std::string_view action)
{
  const State from = a.state();
  for (const auto& step : steps()) {
    if (step.action != action) {
      continue;
    }
    if (std::find(step.from.begin(), step.from.end(), from) != step.from.end()) {
      return step.to;
    }
  }
  std::vector<std::string> allowed;
  for (const auto& step : steps()) {
    if (std::find(step.from.begin(), step.from.end(), from) != step.from.end()) {
      allowed.emplace_back(step.action);
    }
  }
  throw InvalidTransitionError(
    fmt::format("cannot {} {}: it is {}", action, a.id(), to_string(from)),
    allowed.empty() ? std::string("nothing can be done from here")
                    : fmt::format("allowed from {}: {}", to_string(from), fmt::join(allowed, ", ")));
}

Event make_event(const workflow::Context& ctx, std::string_view action, Value set, const std::string& note,
                 Value extra = Value::map())
{
  return new_event(std::string(action), now_text(ctx), ctx.actor, std::move(set), note, std::move(extra));
}

void record(Article& a, const workflow::Context& ctx, std::string_view action, Value set,
            const std::string& note, Value extra = Value::map())
{
  Event e = make_event(ctx, action, std::move(set), note, std::move(extra));
  const std::string at = e.at;
  a.apply(std::move(e));
  a.set("updated", at);
}

void fill(Article& a, const workflow::Context& ctx, const ArticleDraft& d)
{
  require_text(d.title, "--title", "a title");
  require_single_line(d.title, "the title");
  require_text(d.solution, "--solution", "a solution");
  check_category(ctx, d.category);
  const std::string audience = check_audience(d.audience);
  const std::string at = now_text(ctx);
  a.set("id", make_article_id()); // replaced by the store
  a.set("title", std::string(text::trim(d.title)));
  a.set("state", std::string(to_string(State::draft)));
  a.set("audience", audience);
  a.set("category", d.category);
  if (auto affected = clean_list(d.affected, "an affected system"); !affected.empty()) {
    a.set("affected", Value::list(affected));
  }
  if (auto tags = clean_list(d.tags, "a tag"); !tags.empty()) {
    a.set("tags", Value::list(tags));
  }
  a.set("author", ctx.actor);
  a.set("created", at);
  a.set("symptoms", d.symptoms);
  a.set("error", d.error);
  a.set("cause", d.cause);
  a.set("solution", d.solution);
}

} // namespace

Article new_article(const workflow::Context& ctx, const ArticleDraft& draft)
{
  Article a;
  fill(a, ctx, draft);
  Value set = Value::map();
  set.set("state", Value::text(std::string(to_string(State::draft))));
  record(a, ctx, "add", std::move(set), {});
  return a;
}

std::vector<std::string> edit(Article& a, const workflow::Context& ctx, const ArticleEdit& c)
{
  check_step(a, "edit");
  Value set = Value::map();
  std::vector<std::string> changed;
  bool content = false;
  auto text_field = [&](std::string_view name, const std::optional<std::string>& v, bool single_line) {
    if (!v) {
      return;
    }
    const std::string value = single_line ? std::string(text::trim(*v)) : *v;
    if (single_line) {
      require_single_line(value, fmt::format("the {}", name));
    }
    if (value != a.get(name)) {
      set.set(name, Value::text(value));
      changed.emplace_back(name);
      if (name == "title" || name == "symptoms" || name == "error" || name == "cause" || name == "solution") {
        content = true;
      }
    }
  };
  if (c.title) {
    require_text(*c.title, "--title", "a title");
  }
  if (c.solution) {
    require_text(*c.solution, "--solution", "a solution");
  }
  if (c.category) {
    check_category(ctx, *c.category);
  }
  if (c.audience) {
    check_audience(*c.audience);
  }
  text_field("title", c.title, true);
  text_field("audience", c.audience, true);
  text_field("category", c.category, true);
  auto list_field = [&](std::string_view name, const std::optional<std::vector<std::string>>& v,
                        std::string_view what) {
    if (!v) {
      return;
    }
    const auto items = clean_list(*v, what);
    if (items != a.get_list(name)) {
      set.set(name, Value::list(items));
      changed.emplace_back(name);
    }
  };
  list_field("affected", c.affected, "an affected system");
  list_field("tags", c.tags, "a tag");
  text_field("symptoms", c.symptoms, false);
  text_field("error", c.error, false);
  text_field("cause", c.cause, false);
  text_field("solution", c.solution, false);
  if (changed.empty()) {
    return changed;
  }
  if (content && a.state() == State::validated) {
    set.set("state", Value::text(std::string(to_string(State::draft))));
  }
  record(a, ctx, "edit", std::move(set), c.note);
  return changed;
}

void validate(Article& a, const workflow::Context& ctx, const std::string& note)
{
  const auto to = check_step(a, "validate");
  if (a.get("author") == ctx.actor) {
    throw InvalidTransitionError(
      fmt::format("{} cannot validate {}: they wrote it", ctx.actor, a.id()),
      "an article is validated by someone other than its author (desk --as NAME kb validate ID)");
  }
  Value set = Value::map();
  set.set("state", Value::text(std::string(to_string(*to))));
  std::vector<std::string> reviewers = a.get_list("reviewers");
  if (std::find(reviewers.begin(), reviewers.end(), ctx.actor) == reviewers.end()) {
    reviewers.push_back(ctx.actor);
    set.set("reviewers", Value::list(reviewers));
  }
  record(a, ctx, "validate", std::move(set), note);
}

void archive(Article& a, const workflow::Context& ctx, const std::string& note)
{
  const auto to = check_step(a, "archive");
  Value set = Value::map();
  set.set("state", Value::text(std::string(to_string(*to))));
  record(a, ctx, "archive", std::move(set), note);
}

bool can_capture(const Ticket& ticket)
{
  // Resolved, confirmed or closed: a ticket with a solution (not cancelled).
  const auto s = parse_status(ticket.status());
  return s && !is_unresolved(*s) && *s != Status::cancelled;
}

Article capture(const Ticket& t, const workflow::Context& ctx, const CaptureOptions& options)
{
  if (!can_capture(t)) {
    throw InvalidTransitionError(
      fmt::format("cannot capture an article from {}: it is {}, not resolved", t.id(), t.status()),
      fmt::format("an article is written from a resolved, confirmed or closed ticket; resolve it first "
                  "(desk resolve {} --solution TEXT --verified-by USER)", t.id()));
  }
  if (text::trim(t.get("solution")).empty()) {
    throw UsageError(fmt::format("cannot capture an article from {}: it has no solution", t.id()));
  }
  ArticleDraft d;
  d.title = t.get("title");
  d.symptoms = t.get("description");
  if (!t.get("steps").empty()) {
    d.symptoms += (d.symptoms.empty() ? "" : "\n\n") + std::string("Steps to reproduce:\n") + t.get("steps");
  }
  d.error = t.get("error");
  d.cause = t.get("cause");
  d.solution = t.get("solution");
  d.category = t.get("category");
  d.affected = t.get_list("affected");
  d.tags = options.tags;
  d.audience = options.audience;
  Article a;
  // The ticket's category was checked when it was triaged; the config may have changed.
  const std::string category = d.category;
  d.category.clear();
  fill(a, ctx, d);
  a.set("category", category);
  a.set("tickets", Value::list({t.id()}));
  Value set = Value::map();
  set.set("state", Value::text(std::string(to_string(State::draft))));
  Value extra = Value::map();
  extra.set("ticket", Value::text(t.id()));
  record(a, ctx, "capture", std::move(set), options.note, std::move(extra));
  return a;
}

void link_article(Ticket& t, const workflow::Context& ctx, const std::string& article_id, const std::string& note)
{
  std::vector<std::string> kb = t.get_list("kb");
  if (std::find(kb.begin(), kb.end(), article_id) == kb.end()) {
    kb.push_back(article_id);
  }
  Value set = Value::map();
  set.set("kb", Value::list(kb));
  Event e = make_event(ctx, "kb", std::move(set), note);
  const std::string at = e.at;
  t.apply(std::move(e));
  t.set("updated", at);
}

void record_reuse(Article& a, const workflow::Context& ctx, const std::string& ticket_id)
{
  Value set = Value::map();
  set.set("reuse_count", Value::number(a.reuse_count() + 1));
  std::vector<std::string> tickets = a.get_list("tickets");
  if (std::find(tickets.begin(), tickets.end(), ticket_id) == tickets.end()) {
    tickets.push_back(ticket_id);
    set.set("tickets", Value::list(tickets));
  }
  Value extra = Value::map();
  extra.set("ticket", Value::text(ticket_id));
  record(a, ctx, "reuse", std::move(set), {}, std::move(extra));
}

} // namespace desk::kb
