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

// Run `.desk/hooks/<event>` under `root` if it exists, with `payload` on stdin.
HookResult run_hook(const std::filesystem::path& root, std::string_view event, const nlohmann::ordered_json& payload,
                    std::chrono::seconds timeout);

} // namespace desk::workflow
