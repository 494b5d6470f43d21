#pragma once

#include <desk/model/ticket.hpp>
#include <desk/storage/file_io.hpp>
#include <desk/storage/repository.hpp>
#include <desk/util/time.hpp>
#include <desk/workflow/operations.hpp>

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// The steps of the procedure as whole transactions on a repository. Every front end (the
// command line, the mail gateway, the portal) makes one of these calls per step; the call
// owns the lock, loading, the change, the save, the commit and then — after the commit and
// after the lock is released — the hooks. Safe to call from several threads of one process
// (writers serialise on the repository lock; readers never wait for it).
namespace desk::ops {

// Who acts, and when.
struct Call {
  std::string actor;
  Timestamp now;
};

// The workflow context of a call on `repo`.
workflow::Context context(const storage::Repository& repo, const Call& call);

// A file to store beside a ticket: copied from `from` when given, else `bytes`.
struct Attachment {
  std::string name; // as the sender named it; stored under a safe name (see safe_file_name)
  std::filesystem::path from;
  std::string bytes;
};

// The largest attachment desk stores (and copies) beside a ticket.
constexpr std::uintmax_t k_max_attachment_bytes = storage::k_max_attachment_size;

// `name` as a file name that stays inside the attachments folder: its last path part, no
// control characters, not "." or "..", at most 200 bytes (cut at a character boundary).
// Empty when nothing usable remains.
std::string safe_file_name(std::string_view name);

// What a step did.
struct StepResult {
  Ticket ticket;                     // after the change (message on a closed ticket: the new one)
  std::string summary;               // one line: "assigned to alice (network)"
  bool changed = true;               // false: nothing was written (an open dedup key, a message seen before)
  std::vector<std::string> warnings; // hooks that failed, skipped files (the library prints nothing)
};

// The files one transaction writes, with what they held before, so that a step that fails
// at any point — the commit included — leaves the disk as it was.
class Transaction {
public:
  // `path` is about to be replaced: keep what it holds now.
  void will_replace(const std::filesystem::path& path);
  // `path` (a file or a folder) did not exist and was created by this step.
  void created(const std::filesystem::path& path);
  // The files to commit.
  const std::vector<std::filesystem::path>& paths() const { return m_paths; }
  // Put every file back as it was (removing what was created). Never throws.
  void roll_back() noexcept;

private:
  struct Saved {
    std::filesystem::path path;
    std::optional<std::string> before; // nullopt: created by this step
  };
  std::vector<Saved> m_saved;
  std::vector<std::filesystem::path> m_paths;
};

// A change to one ticket: returns the one-line summary, or "" when there is nothing to do
// (then nothing is saved or committed and no hook runs); may write other files through `tx`.
using TicketChange = std::function<std::string(Ticket&, Transaction& tx)>;

// The one transaction of every step on an existing ticket: lock, resolve the id (any unique
// abbreviation), load, change, save, commit ("<ID>: <summary>"), unlock, hooks. Nothing is
// written when `change` throws; everything is put back when the save or the commit fails.
StepResult change_ticket(const storage::Repository& repo, const Call& call, std::string_view id,
                         const TicketChange& change);

// What runs for one event of a step over several tickets, after its commit: the hooks of
// after_step for the ticket as it stood after that event.
struct HookRun {
  Ticket ticket;
  std::string extra_hook; // as after_step's (sla-warning, sla-breach), or empty
};

// A change to one of several tickets: changes it in memory and returns what runs for it
// after the commit, one entry for each event it recorded; none when the ticket is to stay
// as it was. A ticket it cannot change is reported in `warnings`.
using BatchChange = std::function<std::vector<HookRun>(Ticket&, std::vector<std::string>& warnings)>;

// What a step over several tickets did.
struct BatchResult {
  std::vector<Ticket> changed; // each ticket as saved
  std::vector<std::string> warnings;
};

// The one transaction of a step over several tickets (close --stale, sla --notify): lock,
// list them (`refs`, called under the lock), load each (one that cannot be read is skipped
// with a warning when `skip_unreadable`, else its error ends the step), change, save,
// commit once (`message(n)`, n tickets changed), unlock, then the hooks. When a change,
// a save or the commit throws, every file is put back as it was.
BatchResult change_tickets(const storage::Repository& repo, const Call& call,
                           const std::function<std::vector<storage::TicketRef>()>& refs, bool skip_unreadable,
                           const BatchChange& change, const std::function<std::string(std::size_t)>& message);

// Commit what `tx` wrote with `message` (git.autocommit); on failure roll it back and rethrow.
// Appends to `warnings` what the commit reports without failing (git not installed, the
// commit made but git's index locked: Repository::record_change).
void commit(const storage::Repository& repo, const Call& call, Transaction& tx, const std::string& message,
            std::vector<std::string>& warnings);

// After the commit and outside the lock: the hook named after the ticket's last event (and
// `extra_hook` when given). Failures come back as warnings.
std::vector<std::string> after_step(const storage::Repository& repo, const Ticket& ticket,
                                    std::string_view extra_hook = {});

// Store `files` in the ticket's attachments folder; returns the names they were stored under
// (a name taken already gets a "-2", "-3" … before its extension). Registers what it writes
// with `tx`. Throws UsageError for a file that is not a regular file or is too large.
std::vector<std::string> store_attachments(const storage::TicketRef& ref, const std::vector<Attachment>& files,
                                           const std::vector<std::string>& taken, Transaction& tx);

// Check attachments before anything is written (exists, regular file, size).
void check_attachments(const std::vector<Attachment>& files);

} // namespace desk::ops
