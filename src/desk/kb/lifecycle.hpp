#pragma once

#include <desk/kb/article.hpp>
#include <desk/model/ticket.hpp>
#include <desk/workflow/operations.hpp>

#include <optional>
#include <string>
#include <vector>

// The lifecycle of an article as changes to one Article (and, for capture, one Ticket):
// each step checks the rules, records one event with actor and time and keeps `updated`
// in step. No I/O here.
//
//   add/capture → draft ─validate (not by the author)→ validated
//   draft, validated ─archive→ archived ─validate→ validated
//   edit: draft and validated; a changed text field sends a validated article back to draft
namespace desk::kb {

// What `kb add` was given.
struct ArticleDraft {
  std::string title;
  std::string symptoms;
  std::string error;
  std::string cause;
  std::string solution;
  std::string category;
  std::vector<std::string> affected;
  std::vector<std::string> tags;
  std::string audience; // empty: internal
};

// A new draft article (without its final id; the store assigns it) with its `add` event.
Article new_article(const workflow::Context& ctx, const ArticleDraft& draft);

// What `kb edit` changes; unset members stay as they are, an empty text clears a field.
struct ArticleEdit {
  std::optional<std::string> title;
  std::optional<std::string> symptoms;
  std::optional<std::string> error;
  std::optional<std::string> cause;
  std::optional<std::string> solution;
  std::optional<std::string> category;
  std::optional<std::string> audience;
  std::optional<std::vector<std::string>> affected;
  std::optional<std::vector<std::string>> tags;
  std::string note;
};

// Apply an edit; returns the names of the fields that changed (empty: nothing recorded).
// A changed title, symptoms, error, cause or solution sends a validated article back to
// draft (it needs a new review).
std::vector<std::string> edit(Article& article, const workflow::Context& ctx, const ArticleEdit& change);

// A reviewer other than the author approves the article.
void validate(Article& article, const workflow::Context& ctx, const std::string& note);

// Retire an article (kept for the record, no longer suggested or exported).
void archive(Article& article, const workflow::Context& ctx, const std::string& note);

// True when an article can be captured from a ticket in this status.
bool can_capture(const Ticket& ticket);

// Options of a capture.
struct CaptureOptions {
  std::string audience; // empty: internal
  std::vector<std::string> tags;
  std::string note;
};

// A draft article from a resolved, confirmed or closed ticket (its title, description and
// steps as symptoms, error text, category, affected systems, cause and solution), linked
// to the ticket. Throws InvalidTransitionError for a ticket that is not resolved yet.
Article capture(const Ticket& ticket, const workflow::Context& ctx, const CaptureOptions& options);

// Record on the ticket that `article_id` was written from it (event `kb`, field `kb`).
void link_article(Ticket& ticket, const workflow::Context& ctx, const std::string& article_id,
                  const std::string& note);

// The article solved `ticket_id` (resolve --kb): reuse_count + 1, the ticket linked.
void record_reuse(Article& article, const workflow::Context& ctx, const std::string& ticket_id);

} // namespace desk::kb
