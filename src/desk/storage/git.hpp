#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

// Git as desk's distributed engine: commits of exactly the files a command changed (with
// plumbing, never scanning the work tree), the merge driver registration, and sync.
namespace desk::storage::git {

// The top of the git work tree holding `dir`, or nullopt when it is not in one (or git is
// missing).
std::optional<std::filesystem::path> toplevel(const std::filesystem::path& dir);

// Commit exactly `paths` (absolute; changed, added or deleted files) on top of HEAD with
// `message`, `author` as the author. Other staged or unstaged changes of the user are left
// as they are. No index is read or written to build the commit: the new tree is HEAD's
// with only the folders above `paths` rewritten, so the cost follows the size of those
// folders, not of the repository; a batch of 256 paths or more is written as one pack by
// `git fast-import`. The user's index is then updated for `paths` only.
// Automatic gc is off. Throws StorageError with git's message when git fails. Returns a
// warning (empty when none) when the commit was made but the index could not be updated
// (another git process holds .git/index.lock): `git status` then shows the files changed.
std::string commit_paths(const std::filesystem::path& top, const std::vector<std::filesystem::path>& paths,
                  const std::string& message, const std::string& author);

// The files under `pathspecs` (relative to `dir`, a folder in the work tree) that differ
// from HEAD or are untracked, as absolute paths; empty when git cannot tell (not a work
// tree, git missing).
std::vector<std::filesystem::path> uncommitted(const std::filesystem::path& dir,
                                               const std::vector<std::string>& pathspecs);

// True when a `git` program can be run (found on PATH).
bool installed();

// Register `desk merge-driver` for this clone (git config merge.desk.*), `desk` being the
// binary at `desk_binary`.
void register_merge_driver(const std::filesystem::path& top, const std::string& desk_binary);

// Paths (relative to `top`, '/'-separated) the index holds unmerged: a merge conflict.
std::vector<std::string> unmerged_paths(const std::filesystem::path& top);

// The text of `rel` at merge stage `stage` of the index (2: ours, 3: theirs); nullopt
// when that stage is absent.
std::optional<std::string> staged_text(const std::filesystem::path& top, int stage, const std::string& rel);

// Stage `paths` (absolute) as they are in the work tree, added or removed: marks their
// conflicts resolved.
void stage_paths(const std::filesystem::path& top, const std::vector<std::filesystem::path>& paths);

// Commit the merge in progress (its prepared message) once nothing is unmerged; false when
// no merge is in progress or conflicts remain.
bool conclude_merge(const std::filesystem::path& top);

// What `sync` brought in and sent out.
struct SyncResult {
  std::vector<std::string> new_files;     // paths (relative to top) added by the merge
  std::vector<std::string> changed_files; // paths modified by the merge
  std::vector<std::string> removed_files;
  bool pushed = false;
  bool up_to_date = false;
  std::string remote;
  std::string branch;
};

// Fetch, merge the upstream branch (desk's merge driver resolves ticket files), push.
// Throws StorageError with a clear message when there is no remote, the network or the
// remote refuses, or a merge leaves conflicts (then the merge is aborted and the clone is
// as it was).
SyncResult sync(const std::filesystem::path& top);

} // namespace desk::storage::git
