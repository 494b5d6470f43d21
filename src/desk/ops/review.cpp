#include <desk/ops/review.hpp>

#include <string>
#include <utility>
#include <vector>

namespace desk::ops {

namespace {

// A problem as the review names it: ("tickets/…/ID.yaml:line:col", reason).
report::LeftOut left_out_of(const storage::Repository& repo, const storage::LoadProblem& p)
{
  std::string where = p.path.lexically_relative(repo.root()).generic_string();
  if (p.line > 0) {
    where += ":" + std::to_string(p.line);
    if (p.column > 0) {
      where += ":" + std::to_string(p.column);
    }
  }
  return {std::move(where), p.reason};
}

} // namespace

report::ReviewReport review(const storage::Repository& repo, const report::ReportOptions& options)
{
  report::ReportBuilder builder(repo.config(), options); // checks the period first
  int skipped = 0;
  storage::Selection selection;
  // Decided on the ticket's brief (through the index, before any of it is decoded).
  selection.keep_brief = [&](const TicketBrief& brief) {
    const bool skip = report::outside_period(brief, options);
    skipped += skip ? 1 : 0;
    return !skip;
  };
  const std::string folder = repo.tickets().dir().lexically_relative(repo.root()).generic_string();
  std::vector<storage::LoadProblem> problems;
  repo.tickets().for_each(problems, selection, [&](Ticket&& t, std::string_view rel) {
    builder.add(std::move(t), folder + "/" + std::string(rel));
  });
  std::vector<report::LeftOut> unreadable;
  unreadable.reserve(problems.size());
  for (const auto& p : problems) {
    unreadable.push_back(left_out_of(repo, p));
  }
  return builder.finish(std::move(unreadable), skipped);
}

} // namespace desk::ops
