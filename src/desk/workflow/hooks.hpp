#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <string>
#include <string_view>

// Hooks: an executable `.desk/hooks/<event>` receives the ticket and the event as JSON on
// stdin. Run directly (never through a shell), with a time limit; a failing hook never
// undoes the change it was told about.
namespace desk::workflow {

// What happened when a hook was run.
struct HookResult {
  bool ran = false;    // false when there is no such hook
  bool ok = true;      // exit status 0 within the time limit
  std::string message; // why it failed (exit status, time-out, not executable) and its stderr
};

// Hooks run desk again at most this deep: a hook's desk commands run their hooks with
// DESK_HOOK_DEPTH one higher, and at this depth hooks are not run (a warning says so), so a
// hook that triggers itself cannot recurse without end.
inline constexpr int k_max_hook_depth = 3;

// Run `.desk/hooks/<event>` under `root` if it exists, with `payload` on stdin and
// DESK_HOOK_DEPTH set one above this process's. Not run (ok false, a message) when
// DESK_HOOK_DEPTH is k_max_hook_depth or more, or not a number.
HookResult run_hook(const std::filesystem::path& root, std::string_view event, const nlohmann::ordered_json& payload,
                    std::chrono::seconds timeout);

} // namespace desk::workflow
