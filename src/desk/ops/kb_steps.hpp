#pragma once

#include <desk/kb/article.hpp>
#include <desk/kb/kb_store.hpp>
#include <desk/kb/lifecycle.hpp>
#include <desk/ops/step.hpp>

#include <string>
#include <string_view>

// The knowledge-base steps as whole transactions (see step.hpp).
namespace desk::ops {

// What a knowledge-base step did.
struct ArticleResult {
  kb::Article article;     // after the change
  std::string summary;     // one line
  bool changed = true;     // false: the edit changed nothing (nothing written)
  std::vector<std::string> warnings; // what the commit reported without failing
};

// A new draft article.
ArticleResult kb_add(const storage::Repository& repo, const Call& call, const kb::ArticleDraft& draft);
// Change an article's fields (see kb::edit).
ArticleResult kb_edit(const storage::Repository& repo, const Call& call, std::string_view id,
                      const kb::ArticleEdit& change);
// A reviewer other than the author approves it.
ArticleResult kb_validate(const storage::Repository& repo, const Call& call, std::string_view id,
                          const std::string& note);
// Retire it.
ArticleResult kb_archive(const storage::Repository& repo, const Call& call, std::string_view id,
                         const std::string& note);

// A draft article written from a resolved ticket, linked both ways, in one commit.
struct CaptureResult {
  kb::Article article;
  Ticket ticket;
  std::vector<std::string> warnings;
};
CaptureResult kb_capture(const storage::Repository& repo, const Call& call, std::string_view ticket_id,
                         const kb::CaptureOptions& options);

} // namespace desk::ops
