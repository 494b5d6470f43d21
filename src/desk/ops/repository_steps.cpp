#include <desk/ops/repository_steps.hpp>

#include <desk/util/error.hpp>

#include <fmt/format.h>

namespace desk::ops {

import::ImportReport run_import(const storage::Repository& repo, const Call& call, std::string_view what, bool dry_run,
                                const std::function<import::ImportReport(const storage::Repository&)>& work)
{
  const auto lock = repo.lock();
  import::ImportReport report = work(repo);
  if (!dry_run && !report.written.empty()) {
    repo.record_change(report.written,
                       fmt::format("import {}: {} created, {} updated from {}", what, report.created, report.updated,
                                   std::filesystem::path(report.input).filename().string()),
                       call.actor);
  }
  return report;
}

RepairResult repair(const storage::Repository& repo, const Call& call)
{
  RepairResult result;
  const auto lock = repo.lock();
  const std::string now = format_timestamp(call.now, find_zone(repo.config().timezone));
  // A merge in progress is concluded with git's own commit, not recorded as a change.
  result.merged = storage::fix_merged_tickets(repo.root(), call.actor, now);
  if (!result.merged.empty() && repo.git_top()) {
    result.merge_concluded = storage::git::conclude_merge(*repo.git_top());
  }
  result.renumbered = storage::fix_duplicate_ids(repo.root(), call.actor, now);
  std::vector<std::filesystem::path> paths;
  for (const auto& r : result.renumbered) {
    paths.push_back(r.old_path);
    paths.push_back(r.new_path);
  }
  repo.record_change(paths, fmt::format("doctor --fix: renumbered {} ticket(s)", result.renumbered.size()),
                     call.actor);
  result.temp_files_removed = storage::remove_leftover_temp_files(repo.root());
  return result;
}

storage::git::SyncResult sync(const storage::Repository& repo, const std::string& desk_binary)
{
  const auto top = repo.git_top();
  if (!top) {
    throw NotFoundError(fmt::format("{} is not in a git work tree", repo.root().string()),
                        "put the ticket repository under git (git init, git remote add) to share it");
  }
  const auto lock = repo.lock();
  storage::git::register_merge_driver(*top, desk_binary); // a fresh clone may lack it
  return storage::git::sync(*top);
}

} // namespace desk::ops
