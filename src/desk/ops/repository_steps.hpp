#pragma once

#include <desk/import/import.hpp>
#include <desk/ops/step.hpp>
#include <desk/storage/doctor.hpp>
#include <desk/storage/git.hpp>

#include <functional>
#include <string>
#include <vector>

// Steps on the whole repository: imports, repairs, sharing through git (see step.hpp).
namespace desk::ops {

// Run one import (`work`, e.g. import::import_servicenow bound to its file) under the lock
// and commit what it wrote ("import <what>: …"), unless it is a dry run.
import::ImportReport run_import(const storage::Repository& repo, const Call& call, std::string_view what, bool dry_run,
                                const std::function<import::ImportReport(const storage::Repository&)>& work);

// `doctor --fix`: finish a merge of two different tickets under one path (the younger
// renumbered, both staged, the merge committed when nothing else is unmerged), renumber
// duplicate ids (committed) and remove temporary files of interrupted writes.
struct RepairResult {
  std::vector<storage::Renumbered> merged; // the younger of two tickets merged into one path
  bool merge_concluded = false;
  std::vector<storage::Renumbered> renumbered;
  std::size_t temp_files_removed = 0;
};
RepairResult repair(const storage::Repository& repo, const Call& call);

// `sync`: fetch, merge with desk's driver, push. Throws NotFoundError outside a git work tree.
storage::git::SyncResult sync(const storage::Repository& repo, const std::string& desk_binary);

} // namespace desk::ops
