#include <desk/storage/git.hpp>

#include <desk/util/error.hpp>
#include <desk/util/process.hpp>
#include <desk/util/text.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>

#include <unistd.h>

namespace fs = std::filesystem;

namespace desk::storage::git {

namespace {

constexpr std::chrono::seconds k_local_timeout{120};
constexpr std::chrono::seconds k_network_timeout{300};

std::vector<std::string> git_argv(std::vector<std::string> args)
{
  // No automatic gc or maintenance in the command path; no pager, no prompts.
  std::vector<std::string> argv = {"git", "-c", "gc.auto=0", "-c", "maintenance.auto=false", "-c", "core.quotePath=false"};
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

// Environment assignments are passed through `env` as the first argv items.
ProcessResult run_git(const fs::path& top, std::vector<std::string> args, const std::vector<std::string>& env = {},
                      const std::string& input = {}, std::chrono::seconds timeout = k_local_timeout)
{
  std::vector<std::string> argv = git_argv(std::move(args));
  if (!env.empty()) {
    std::vector<std::string> with_env = {"env"};
    with_env.insert(with_env.end(), env.begin(), env.end());
    with_env.insert(with_env.end(), argv.begin(), argv.end());
    argv = std::move(with_env);
  }
  return run_process(argv, input, std::chrono::duration_cast<std::chrono::milliseconds>(timeout), top);
}

std::string checked(const ProcessResult& r, std::string_view what)
{
  if (!r.started) {
    throw StorageError(fmt::format("cannot {}: git is not installed", what), "install git (apt-get install git)");
  }
  if (r.timed_out) {
    throw StorageError(fmt::format("cannot {}: git did not answer in time", what));
  }
  if (r.exit_code != 0) {
    const std::string err = text::one_line(r.err.empty() ? r.out : r.err);
    throw StorageError(fmt::format("cannot {}: {}", what, err.empty() ? "git failed" : err));
  }
  return std::string(text::trim(r.out));
}

std::vector<std::string> lines(const std::string& s)
{
  std::vector<std::string> out;
  for (auto& l : text::split(s, '\n')) {
    if (!l.empty()) {
      out.push_back(l);
    }
  }
  return out;
}

} // namespace

std::optional<fs::path> toplevel(const fs::path& dir)
{
  const ProcessResult r = run_process(git_argv({"rev-parse", "--show-toplevel"}), {}, std::chrono::seconds(30), dir);
  if (!r.started || r.exit_code != 0) {
    return std::nullopt;
  }
  const std::string top(text::trim(r.out));
  if (top.empty()) {
    return std::nullopt;
  }
  return fs::path(top);
}

void commit_paths(const fs::path& top, const std::vector<fs::path>& paths, const std::string& message,
                  const std::string& author)
{
  if (paths.empty()) {
    return;
  }
  std::vector<std::string> rel;
  for (const auto& p : paths) {
    rel.push_back(fs::relative(p, top).generic_string());
  }
  const std::string index = checked(run_git(top, {"rev-parse", "--git-path", "desk-index"}), "find the git folder");
  const fs::path index_path = fs::path(index).is_absolute() ? fs::path(index) : top / index;
  const std::string index_env = "GIT_INDEX_FILE=" + index_path.string();
  fs::remove(index_path);
  const ProcessResult head = run_git(top, {"rev-parse", "--verify", "-q", "HEAD"});
  const std::string parent = head.exit_code == 0 ? std::string(text::trim(head.out)) : std::string();
  struct Cleanup {
    fs::path path;
    ~Cleanup()
    {
      std::error_code ec;
      fs::remove(path, ec);
    }
  } cleanup{index_path};
  if (!parent.empty()) {
    checked(run_git(top, {"read-tree", parent}, {index_env}), "read HEAD into desk's index");
  }
  std::vector<std::string> update = {"update-index", "--add", "--remove", "--"};
  update.insert(update.end(), rel.begin(), rel.end());
  checked(run_git(top, update, {index_env}), "stage the changed ticket files");
  const std::string tree = checked(run_git(top, {"write-tree"}, {index_env}), "write the commit's tree");
  std::vector<std::string> commit = {"commit-tree", tree, "-F", "-"};
  if (!parent.empty()) {
    commit.insert(commit.begin() + 2, {"-p", parent});
  }
  std::vector<std::string> env = {"GIT_AUTHOR_NAME=" + author, "GIT_AUTHOR_EMAIL="};
  // A clone without an identity still gets commits: desk is the committer then.
  const ProcessResult ident = run_git(top, {"var", "GIT_COMMITTER_IDENT"});
  if (ident.exit_code != 0) {
    env.push_back("GIT_COMMITTER_NAME=desk");
    env.push_back("GIT_COMMITTER_EMAIL=desk@localhost");
  }
  const std::string sha = checked(run_git(top, commit, env, message + "\n"), "create the commit");
  std::vector<std::string> update_ref = {"update-ref", "-m", "desk: " + text::one_line(message), "HEAD", sha};
  if (!parent.empty()) {
    update_ref.push_back(parent);
  }
  checked(run_git(top, update_ref), "move HEAD to the new commit");
  // Keep the user's index in step for these paths only, so `git status` stays clean.
  std::vector<std::string> sync_index = {"update-index", "--add", "--remove", "--"};
  sync_index.insert(sync_index.end(), rel.begin(), rel.end());
  run_git(top, sync_index);
}

void register_merge_driver(const fs::path& top, const std::string& desk_binary)
{
  checked(run_git(top, {"config", "merge.desk.name", "desk ticket merge (union of events, latest field wins)"}),
          "register the merge driver");
  checked(run_git(top, {"config", "merge.desk.driver", fmt::format("'{}' merge-driver %O %A %B %P", desk_binary)}),
          "register the merge driver");
}

SyncResult sync(const fs::path& top)
{
  SyncResult result;
  const ProcessResult branch = run_git(top, {"symbolic-ref", "--short", "-q", "HEAD"});
  if (branch.exit_code != 0) {
    throw StorageError("cannot sync: HEAD is not on a branch", "check out a branch first (git switch main)");
  }
  result.branch = std::string(text::trim(branch.out));
  const ProcessResult upstream =
    run_git(top, {"rev-parse", "--abbrev-ref", "--symbolic-full-name", "@{upstream}"});
  std::string remote;
  std::string remote_branch;
  if (upstream.exit_code == 0) {
    const std::string up(text::trim(upstream.out));
    const auto slash = up.find('/');
    remote = up.substr(0, slash);
    remote_branch = slash == std::string::npos ? result.branch : up.substr(slash + 1);
  } else {
    const auto remotes = lines(run_git(top, {"remote"}).out);
    if (remotes.empty()) {
      throw StorageError("cannot sync: this clone has no remote",
                         "add one with `git remote add origin URL` (and push once with `git push -u origin " +
                           result.branch + "`)");
    }
    remote = std::find(remotes.begin(), remotes.end(), "origin") != remotes.end() ? "origin" : remotes.front();
    remote_branch = result.branch;
  }
  result.remote = remote;
  const std::string before = checked(run_git(top, {"rev-parse", "HEAD"}), "read HEAD");
  const ProcessResult fetch = run_git(top, {"fetch", "--quiet", remote}, {"GIT_TERMINAL_PROMPT=0"}, {}, k_network_timeout);
  if (fetch.exit_code != 0 || fetch.timed_out) {
    throw StorageError(fmt::format("cannot sync: fetching from '{}' failed: {}", remote,
                                   fetch.timed_out ? "no answer in time" : text::one_line(fetch.err)),
                       "check the network and the remote's address (git remote -v); nothing was changed");
  }
  const std::string target = remote + "/" + remote_branch;
  const ProcessResult has_remote_branch = run_git(top, {"rev-parse", "--verify", "-q", target});
  if (has_remote_branch.exit_code == 0) {
    const ProcessResult merge =
      run_git(top, {"merge", "--no-edit", "-m", fmt::format("desk sync: merge {}", target), target},
              {"GIT_MERGE_AUTOEDIT=no"});
    if (merge.exit_code != 0) {
      run_git(top, {"merge", "--abort"});
      throw StorageError(fmt::format("cannot sync: merging {} left conflicts outside desk's files: {}", target,
                                     text::one_line(merge.out + " " + merge.err)),
                         "the merge was aborted and your clone is as it was; resolve with git, then sync again");
    }
    const std::string after = checked(run_git(top, {"rev-parse", "HEAD"}), "read HEAD");
    result.up_to_date = after == before;
    if (!result.up_to_date) {
      for (const auto& line : lines(run_git(top, {"diff", "--name-status", "--no-renames", before, after}).out)) {
        const auto tab = line.find('\t');
        if (tab == std::string::npos) {
          continue;
        }
        const std::string path = line.substr(tab + 1);
        switch (line.front()) {
        case 'A':
          result.new_files.push_back(path);
          break;
        case 'D':
          result.removed_files.push_back(path);
          break;
        default:
          result.changed_files.push_back(path);
          break;
        }
      }
    }
  }
  const ProcessResult push = run_git(top, {"push", "--quiet", remote, "HEAD:refs/heads/" + remote_branch},
                                     {"GIT_TERMINAL_PROMPT=0"}, {}, k_network_timeout);
  if (push.exit_code != 0 || push.timed_out) {
    throw StorageError(fmt::format("synced from '{}' but the push was refused: {}", remote,
                                   push.timed_out ? "no answer in time" : text::one_line(push.err)),
                       "your commits are safe locally; run `desk sync` again (someone may have pushed meanwhile)");
  }
  result.pushed = true;
  return result;
}

} // namespace desk::storage::git
