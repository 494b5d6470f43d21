#include <desk/storage/git.hpp>

#include <desk/storage/file_io.hpp>

#include <desk/util/error.hpp>
#include <desk/util/process.hpp>
#include <desk/util/text.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <map>
#include <set>

#include <sys/stat.h>

#include <unistd.h>

namespace fs = std::filesystem;

namespace desk::storage::git {

namespace {

constexpr std::chrono::seconds k_local_timeout{120};
constexpr std::chrono::seconds k_network_timeout{300};
// From this many paths on, a commit is written with `git fast-import` (one pack) instead of
// one loose object per file.
constexpr std::size_t k_batch_paths = 256;
// For git's children that handle a whole batch (fast-import, update-index): glibc's default
// trimming makes them spend most of their time growing and shrinking the heap with brk
// (fast-import of 24,919 files: 10 s, 5.4 s of it in the kernel; 3 s with this; measured).
constexpr const char* k_batch_malloc = "GLIBC_TUNABLES=glibc.malloc.trim_threshold=268435456:glibc.malloc.top_pad=67108864";

std::vector<std::string> git_argv(std::vector<std::string> args)
{
  // No automatic gc or maintenance in the command path; no pager, no prompts.
  std::vector<std::string> argv = {"git", "-c", "gc.auto=0", "-c", "maintenance.auto=false", "-c", "core.quotePath=false"};
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

// `env`: "NAME=value" assignments for git's environment.
ProcessResult run_git(const fs::path& top, std::vector<std::string> args, const std::vector<std::string>& env = {},
                      const std::string& input = {}, std::chrono::seconds timeout = k_local_timeout)
{
  return run_process(git_argv(std::move(args)), input, std::chrono::duration_cast<std::chrono::milliseconds>(timeout),
                     top, env);
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

namespace {

// One entry of a tree object.
struct TreeEntry {
  std::string mode; // octal text as in the object: "100644", "40000" (a folder), ...
  std::string sha;  // hex
};

using TreeEntries = std::map<std::string, TreeEntry>; // by name

constexpr std::string_view k_tree_mode = "40000";

// A file's entry mode, nullopt when it is gone; throws when it is not a regular file.
std::optional<std::string> file_mode(const fs::path& top, const std::string& rel)
{
  struct stat st {};
  if (::lstat((top / rel).c_str(), &st) != 0) {
    return std::nullopt;
  }
  if (!S_ISREG(st.st_mode)) {
    throw StorageError(fmt::format("cannot commit '{}': it is not a regular file", rel));
  }
  return (st.st_mode & S_IXUSR) != 0 ? "100755" : "100644";
}

// Who commits when git knows no identity in this clone.
constexpr const char* k_fallback_name = "desk";
constexpr const char* k_fallback_email = "desk@localhost";

std::string to_hex(std::string_view bytes)
{
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (const char c : bytes) {
    const auto b = static_cast<unsigned char>(c);
    out += digits[b >> 4];
    out += digits[b & 0xF];
  }
  return out;
}

// The entries of a raw tree object ("<mode> <name>\0<hash bytes>" repeated).
TreeEntries parse_tree(std::string_view raw, std::size_t hash_bytes)
{
  TreeEntries out;
  std::size_t pos = 0;
  while (pos < raw.size()) {
    const auto space = raw.find(' ', pos);
    const auto nul = raw.find('\0', pos);
    if (space == std::string_view::npos || nul == std::string_view::npos || space > nul ||
        nul + 1 + hash_bytes > raw.size()) {
      throw StorageError("cannot read a tree of HEAD: the object is damaged", "run `git fsck`");
    }
    TreeEntry e{std::string(raw.substr(pos, space - pos)), to_hex(raw.substr(nul + 1, hash_bytes))};
    out.emplace(std::string(raw.substr(space + 1, nul - space - 1)), std::move(e));
    pos = nul + 1 + hash_bytes;
  }
  return out;
}

// The folder part of a relative path ("" for the top).
std::string parent_of(const std::string& rel)
{
  const auto slash = rel.rfind('/');
  return slash == std::string::npos ? std::string() : rel.substr(0, slash);
}

std::string name_of(const std::string& rel)
{
  const auto slash = rel.rfind('/');
  return slash == std::string::npos ? rel : rel.substr(slash + 1);
}

std::size_t depth_of(const std::string& dir)
{
  return dir.empty() ? 0 : 1 + static_cast<std::size_t>(std::count(dir.begin(), dir.end(), '/'));
}

// The current entries of each folder in `dirs` in `commit` (one `git cat-file --batch`);
// a folder missing from the commit has no entries.
std::map<std::string, TreeEntries> read_trees(const fs::path& top, const std::string& commit,
                                              const std::vector<std::string>& dirs)
{
  std::map<std::string, TreeEntries> out;
  if (commit.empty()) {
    for (const auto& d : dirs) {
      out[d];
    }
    return out;
  }
  std::string input;
  for (const auto& d : dirs) {
    input += d.empty() ? commit + "^{tree}" : commit + ":" + d;
    input += '\n';
  }
  const ProcessResult r = run_git(top, {"cat-file", "--batch"}, {}, input);
  checked(r, "read HEAD's folders");
  std::string_view rest = r.out;
  for (const auto& d : dirs) {
    const auto eol = rest.find('\n');
    if (eol == std::string_view::npos) {
      throw StorageError("cannot read HEAD's folders: git cat-file stopped early");
    }
    const std::string_view header = rest.substr(0, eol);
    rest.remove_prefix(eol + 1);
    auto& entries = out[d];
    if (header.size() >= 8 && header.substr(header.size() - 8) == " missing") {
      continue; // a folder this commit adds
    }
    const auto sp1 = header.find(' ');
    const auto sp2 = header.find(' ', sp1 == std::string_view::npos ? 0 : sp1 + 1);
    if (sp1 == std::string_view::npos || sp2 == std::string_view::npos) {
      throw StorageError(fmt::format("cannot read HEAD's folder '{}': unexpected answer from git: {}", d, header));
    }
    const std::string_view type = header.substr(sp1 + 1, sp2 - sp1 - 1);
    const std::size_t size = std::stoull(std::string(header.substr(sp2 + 1)));
    if (size + 1 > rest.size()) {
      throw StorageError("cannot read HEAD's folders: git cat-file stopped early");
    }
    if (type != "tree") {
      throw StorageError(fmt::format("cannot commit: '{}' is a {} in HEAD, not a folder", d, type),
                         "move that file out of the way with git, then run the command again");
    }
    entries = parse_tree(rest.substr(0, size), sp1 / 2);
    rest.remove_prefix(size + 1);
  }
  return out;
}

std::string from_hex(std::string_view hex)
{
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    throw StorageError(fmt::format("cannot write a tree: '{}' is not an object id", c));
  };
  std::string out;
  out.reserve(hex.size() / 2);
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    out += static_cast<char>(nibble(hex[i]) * 16 + nibble(hex[i + 1]));
  }
  return out;
}

// Write one tree object and return its id. The raw object is built here and stored with
// `git hash-object -t tree`, which checks its format but, unlike `git mktree`, does not
// look up every entry's object (150 ms for a month folder of 4,000 loose objects,
// measured). Entries are in git's order: by name, a folder's name compared as "name/".
std::string write_tree(const fs::path& top, const TreeEntries& entries)
{
  std::vector<std::pair<std::string, const TreeEntry*>> sorted;
  sorted.reserve(entries.size());
  for (const auto& [name, e] : entries) {
    sorted.emplace_back(e.mode == k_tree_mode ? name + "/" : name, &e);
  }
  std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string raw;
  for (const auto& [key, e] : sorted) {
    const std::string_view name = e->mode == k_tree_mode ? std::string_view(key).substr(0, key.size() - 1) : key;
    raw += e->mode;
    raw += ' ';
    raw += name;
    raw += '\0';
    raw += from_hex(e->sha);
  }
  return checked(run_git(top, {"hash-object", "-t", "tree", "-w", "--stdin"}, {}, raw), "write the commit's folders");
}

// The commit for a few paths: HEAD's tree with exactly these paths replaced. The blobs are
// written with `hash-object`, and only the folders on the way from each path to the top are
// read (`cat-file`) and rewritten (`hash-object -t tree`), so the cost follows the size of
// those folders, never the number of files in the repository (no index is involved).
std::string commit_with_trees(const fs::path& top, const std::vector<std::string>& rel, const std::string& parent,
                              const std::string& message, const std::string& author)
{
  // Every folder on the way up, and which files are present (written) or gone (removed).
  std::set<std::string> dir_set;
  std::vector<std::string> present;
  std::vector<std::string> present_modes;
  for (const auto& r : rel) {
    for (std::string d = parent_of(r);; d = parent_of(d)) {
      dir_set.insert(d);
      if (d.empty()) {
        break;
      }
    }
    if (auto mode = file_mode(top, r)) {
      present.push_back(r);
      present_modes.push_back(std::move(*mode));
    }
  }
  std::vector<std::string> dirs(dir_set.begin(), dir_set.end());
  auto trees = read_trees(top, parent, dirs);

  std::map<std::string, std::string> blob_of;
  if (!present.empty()) {
    std::string input;
    for (const auto& r : present) {
      input += r + '\n';
    }
    const auto shas =
      lines(checked(run_git(top, {"hash-object", "-w", "--stdin-paths"}, {}, input), "store the changed files"));
    if (shas.size() != present.size()) {
      throw StorageError("cannot store the changed files: git hash-object answered for fewer files");
    }
    for (std::size_t i = 0; i < present.size(); ++i) {
      blob_of[present[i]] = shas[i];
      trees[parent_of(present[i])][name_of(present[i])] = TreeEntry{present_modes[i], shas[i]};
    }
  }
  for (const auto& r : rel) {
    if (!blob_of.contains(r)) {
      trees[parent_of(r)].erase(name_of(r));
    }
  }

  // Deepest folders first; an emptied folder disappears from its parent.
  std::sort(dirs.begin(), dirs.end(), [](const std::string& a, const std::string& b) {
    const auto da = depth_of(a);
    const auto db = depth_of(b);
    return da != db ? da > db : a < b;
  });
  std::string root_tree;
  for (const auto& d : dirs) {
    const auto& entries = trees[d];
    if (d.empty()) {
      root_tree = write_tree(top, entries);
    } else if (entries.empty()) {
      trees[parent_of(d)].erase(name_of(d));
    } else {
      trees[parent_of(d)][name_of(d)] = TreeEntry{std::string(k_tree_mode), write_tree(top, entries)};
    }
  }

  std::vector<std::string> commit = {"commit-tree", root_tree, "-F", "-"};
  if (!parent.empty()) {
    commit.insert(commit.begin() + 2, {"-p", parent});
  }
  std::vector<std::string> env = {"GIT_AUTHOR_NAME=" + author, "GIT_AUTHOR_EMAIL="};
  ProcessResult made = run_git(top, commit, env, message + "\n");
  if (made.exit_code != 0 && run_git(top, {"var", "GIT_COMMITTER_IDENT"}).exit_code != 0) {
    // A clone without an identity still gets commits: desk is the committer then.
    env.push_back(fmt::format("GIT_COMMITTER_NAME={}", k_fallback_name));
    env.push_back(fmt::format("GIT_COMMITTER_EMAIL={}", k_fallback_email));
    made = run_git(top, commit, env, message + "\n");
  }
  return checked(made, "create the commit");
}

// The commit for a large batch (an import, a bulk close): one `git fast-import` stores the
// files, folders and commit in one pack, where writing one loose object per file costs
// 13.5 s for 24,919 files on this machine (measured; fast-import: about 3 s). The commit
// is made on a scratch ref, which is removed once HEAD points at it.
std::string commit_with_fast_import(const fs::path& top, const std::vector<std::string>& rel,
                                    const std::string& parent, const std::string& message, const std::string& author)
{
  const ProcessResult ident = run_git(top, {"var", "GIT_COMMITTER_IDENT"});
  std::string committer(text::trim(ident.out));
  if (ident.exit_code != 0 || committer.find('>') == std::string::npos) {
    const auto now = std::chrono::duration_cast<std::chrono::seconds>(
      std::chrono::system_clock::now().time_since_epoch()).count();
    committer = fmt::format("{} <{}> {} +0000", k_fallback_name, k_fallback_email, now);
  }
  const std::string time_part = committer.substr(committer.rfind('>') + 1); // " <epoch> <zone>"
  const std::string scratch = "refs/desk/batch-commit";
  std::string stream = fmt::format("commit {}\nauthor {} <>{}\ncommitter {}\ndata {}\n{}\n", scratch,
                                   text::one_line(author), time_part, committer, message.size() + 1, message);
  if (!parent.empty()) {
    stream += fmt::format("from {}\n", parent);
  }
  for (const auto& r : rel) {
    const auto mode = file_mode(top, r);
    if (!mode) {
      stream += fmt::format("D {}\n", r);
      continue;
    }
    std::ifstream in(top / r, std::ios::binary);
    std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (!in.good() && !in.eof()) {
      throw StorageError(fmt::format("cannot read '{}' to commit it: {}", r, errno_text(errno)));
    }
    stream += fmt::format("M {} inline {}\ndata {}\n", *mode, r, content.size());
    stream += content;
    stream += '\n';
  }
  stream += "done\n";
  checked(run_git(top, {"fast-import", "--quiet", "--done", "--force"}, {k_batch_malloc}, stream),
          "write the batch commit");
  const std::string sha = checked(run_git(top, {"rev-parse", "--verify", scratch}), "read the batch commit");
  run_git(top, {"update-ref", "-d", scratch});
  return sha;
}

} // namespace

namespace {

// From this size on, git's index is kept split (git's split-index: a shared file of every
// entry, written when the changes since grow past 20 %, and a small file of the changes,
// written by every update). At 100,000 tickets the index is 10 MB and each commit's
// update-index rewrote it whole: ~50 ms alone, 100 ms under load; split, 10 ms (measured).
constexpr std::uintmax_t k_split_index_bytes = 1 << 20;

// True when the commit's update-index should split git's index: it is large, and the
// repository's own core.splitIndex setting does not say otherwise (asked only then).
bool wants_split_index(const fs::path& top)
{
  std::error_code ec;
  const fs::path index = top / ".git" / "index"; // a worktree's .git is a file: left alone
  // Once split, .git/index is small and git keeps it split: the setting is asked only
  // before the first split.
  const auto size = fs::file_size(index, ec); // fails for anything but a regular file
  if (ec || size < k_split_index_bytes) {
    return false;
  }
  const ProcessResult setting = run_git(top, {"config", "--get", "core.splitIndex"});
  return setting.exit_code == 1 && setting.out.empty(); // 1: not set anywhere
}

} // namespace

std::string commit_paths(const fs::path& top, const std::vector<fs::path>& paths, const std::string& message,
                         const std::string& author)
{
  if (paths.empty()) {
    return {};
  }
  std::set<std::string> rel_set;
  for (const auto& p : paths) {
    std::string rel = fs::relative(p, top).generic_string();
    if (rel.empty() || rel == "." || rel.starts_with("../") || rel.find('\n') != std::string::npos) {
      throw StorageError(fmt::format("cannot commit '{}': it is not a file inside the work tree {}", p.string(),
                                     top.string()));
    }
    rel_set.insert(std::move(rel));
  }
  const std::vector<std::string> rel(rel_set.begin(), rel_set.end());
  const ProcessResult head = run_git(top, {"rev-parse", "--verify", "-q", "HEAD"});
  const std::string parent = head.exit_code == 0 ? std::string(text::trim(head.out)) : std::string();

  const std::string sha = rel.size() >= k_batch_paths ? commit_with_fast_import(top, rel, parent, message, author)
                                                     : commit_with_trees(top, rel, parent, message, author);
  std::vector<std::string> update_ref = {"update-ref", "-m", "desk: " + text::one_line(message), "HEAD", sha};
  if (!parent.empty()) {
    update_ref.push_back(parent);
  }
  checked(run_git(top, update_ref), "move HEAD to the new commit");
  // Keep the user's index in step for these paths only, so `git status` stays clean. Paths
  // go through stdin (a batch can exceed the argument limit); update-index of 24,919 new
  // files took 28-32 s with glibc's default trimming, 5.7 s without (measured).
  std::string input;
  for (const auto& r : rel) {
    input += r;
    input += '\0';
  }
  std::vector<std::string> update_index = {"update-index", "--add", "--remove", "-z", "--stdin"};
  if (wants_split_index(top)) {
    update_index.insert(update_index.begin(), {"-c", "core.splitIndex=true"});
  }
  const ProcessResult index = run_git(top, update_index, {k_batch_malloc}, input);
  if (index.exit_code == 0) {
    return {};
  }
  const std::string err = text::one_line(index.err);
  return fmt::format("committed {}, but git's index was not updated{}{}: `git status` shows {} as changed",
                     sha.substr(0, 12), err.empty() ? "" : ": ", text::truncate_to_width(err, 200),
                     rel.size() == 1 ? "the file" : "the files");
}

std::vector<fs::path> uncommitted(const fs::path& dir, const std::vector<std::string>& pathspecs)
{
  const auto top = toplevel(dir);
  if (!top) {
    return {};
  }
  std::vector<std::string> args = {"status", "--porcelain=v1", "-z", "--untracked-files=all", "--"};
  args.insert(args.end(), pathspecs.begin(), pathspecs.end());
  const ProcessResult r = run_git(dir, args);
  if (r.exit_code != 0) {
    return {};
  }
  std::vector<fs::path> out;
  const std::vector<std::string> entries = text::split(r.out, '\0');
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const std::string& e = entries[i];
    if (e.size() < 4) {
      continue;
    }
    out.push_back(*top / e.substr(3));
    if (e[0] == 'R' || e[0] == 'C') {
      ++i; // a rename's second entry is where it came from
    }
  }
  return out;
}

bool installed()
{
  return run_process(git_argv({"--version"}), {}, k_local_timeout).started;
}

void register_merge_driver(const fs::path& top, const std::string& desk_binary)
{
  checked(run_git(top, {"config", "merge.desk.name", "desk ticket merge (union of events, latest field wins)"}),
          "register the merge driver");
  checked(run_git(top, {"config", "merge.desk.driver", fmt::format("'{}' merge-driver %O %A %B %P", desk_binary)}),
          "register the merge driver");
}

std::vector<std::string> unmerged_paths(const fs::path& top)
{
  const ProcessResult r = run_git(top, {"ls-files", "-u", "-z"});
  std::vector<std::string> out;
  if (r.exit_code != 0) {
    return out;
  }
  for (const auto& entry : text::split(r.out, '\0')) {
    const auto tab = entry.find('\t');
    if (tab == std::string::npos) {
      continue;
    }
    std::string path = entry.substr(tab + 1);
    if (out.empty() || out.back() != path) {
      out.push_back(std::move(path));
    }
  }
  return out;
}

std::optional<std::string> staged_text(const fs::path& top, int stage, const std::string& rel)
{
  const ProcessResult r = run_git(top, {"cat-file", "blob", fmt::format(":{}:{}", stage, rel)});
  if (r.exit_code != 0) {
    return std::nullopt;
  }
  return r.out;
}

void stage_paths(const fs::path& top, const std::vector<fs::path>& paths)
{
  std::vector<std::string> args = {"add", "-A", "--"};
  for (const auto& p : paths) {
    args.push_back(fs::relative(p, top).generic_string());
  }
  checked(run_git(top, args), "stage the resolved files");
}

bool conclude_merge(const fs::path& top)
{
  if (run_git(top, {"rev-parse", "-q", "--verify", "MERGE_HEAD"}).exit_code != 0 || !unmerged_paths(top).empty()) {
    return false;
  }
  checked(run_git(top, {"commit", "-q", "--no-edit"}, {"GIT_MERGE_AUTOEDIT=no", "GIT_EDITOR=true"}),
          "conclude the merge");
  return true;
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
