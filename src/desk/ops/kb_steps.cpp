#include <desk/ops/kb_steps.hpp>

#include <fmt/format.h>

namespace desk::ops {

namespace {

// Lock, resolve, load, change (returns the summary; "" for no change), save, commit.
ArticleResult change_article(const storage::Repository& repo, const Call& call, std::string_view id,
                             const std::function<std::string(kb::Article&)>& change)
{
  const kb::KbStore store(repo.root());
  ArticleResult result;
  const auto lock = repo.lock();
  const kb::ArticleRef ref = store.resolve(id);
  result.article = store.load(ref);
  result.summary = change(result.article);
  if (result.summary.empty()) {
    result.changed = false;
    result.summary = "nothing to change";
    return result;
  }
  Transaction tx;
  tx.will_replace(ref.path);
  try {
    store.save(result.article, ref.path);
  } catch (...) {
    tx.roll_back();
    throw;
  }
  commit(repo, call, tx, fmt::format("{}: {}", result.article.id(), result.summary), result.warnings);
  return result;
}

} // namespace

ArticleResult kb_add(const storage::Repository& repo, const Call& call, const kb::ArticleDraft& draft)
{
  ArticleResult result;
  result.article = kb::new_article(context(repo, call), draft);
  const auto lock = repo.lock();
  const kb::ArticleRef ref = kb::KbStore(repo.root()).create(result.article, kb::make_article_id);
  Transaction tx;
  tx.created(ref.path);
  commit(repo, call, tx, fmt::format("{}: add {}", ref.id, result.article.title()), result.warnings);
  result.summary = fmt::format("added {} (draft): {}", ref.id, result.article.title());
  return result;
}

ArticleResult kb_edit(const storage::Repository& repo, const Call& call, std::string_view id,
                      const kb::ArticleEdit& change)
{
  return change_article(repo, call, id, [&](kb::Article& article) {
    const bool was_validated = article.state() == kb::State::validated;
    const auto changed = kb::edit(article, context(repo, call), change);
    if (changed.empty()) {
      return std::string();
    }
    std::string msg = fmt::format("edited {}", fmt::join(changed, ", "));
    if (was_validated && article.state() == kb::State::draft) {
      msg += "; back to draft until someone validates it again";
    }
    return msg;
  });
}

ArticleResult kb_validate(const storage::Repository& repo, const Call& call, std::string_view id,
                          const std::string& note)
{
  return change_article(repo, call, id, [&](kb::Article& article) {
    kb::validate(article, context(repo, call), note);
    return fmt::format("validated by {}", call.actor);
  });
}

ArticleResult kb_archive(const storage::Repository& repo, const Call& call, std::string_view id,
                         const std::string& note)
{
  return change_article(repo, call, id, [&](kb::Article& article) {
    kb::archive(article, context(repo, call), note);
    return std::string("archived");
  });
}

CaptureResult kb_capture(const storage::Repository& repo, const Call& call, std::string_view ticket_id,
                         const kb::CaptureOptions& options)
{
  CaptureResult result;
  const auto ctx = context(repo, call);
  {
    const auto lock = repo.lock();
    const auto tref = repo.tickets().resolve(ticket_id);
    result.ticket = repo.tickets().load(tref);
    result.article = kb::capture(result.ticket, ctx, options);
    Transaction tx;
    try {
      const kb::ArticleRef ref = kb::KbStore(repo.root()).create(result.article, kb::make_article_id);
      tx.created(ref.path);
      kb::link_article(result.ticket, ctx, ref.id, fmt::format("captured as knowledge-base article {}", ref.id));
      tx.will_replace(tref.path);
      repo.tickets().save(result.ticket, tref.path);
    } catch (...) {
      tx.roll_back();
      throw;
    }
    commit(repo, call, tx, fmt::format("{}: capture from {}", result.article.id(), result.ticket.id()), result.warnings);
  }
  for (auto& w : after_step(repo, result.ticket)) {
    result.warnings.push_back(std::move(w));
  }
  return result;
}

} // namespace desk::ops
