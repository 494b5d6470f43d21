#include <desk/workflow/hooks.hpp>

#include <desk/util/process.hpp>
#include <desk/util/text.hpp>

#include <fmt/format.h>

#include <charconv>
#include <cstdlib>

#include <unistd.h>

namespace fs = std::filesystem;

namespace desk::workflow {

HookResult run_hook(const fs::path& root, std::string_view event, const nlohmann::ordered_json& payload,
                    std::chrono::seconds timeout)
{
  HookResult result;
  const fs::path hook = root / ".desk" / "hooks" / std::string(event);
  std::error_code ec;
  if (!fs::exists(hook, ec) || fs::is_directory(hook, ec)) {
    return result;
  }
  result.ran = true;
  int depth = 0;
  const char* given = std::getenv("DESK_HOOK_DEPTH");
  const std::string_view depth_text = given == nullptr || *given == 0 ? std::string_view("0") : std::string_view(given);
  const auto [depth_end, depth_error] = std::from_chars(depth_text.data(), depth_text.data() + depth_text.size(), depth);
  if (depth_error != std::errc() || depth_end != depth_text.data() + depth_text.size() || depth < 0 ||
      depth >= k_max_hook_depth) {
    result.ok = false;
    result.message = fmt::format("hook {} not run: DESK_HOOK_DEPTH is {} (hooks run desk at most {} deep; "
                                 "a hook whose desk commands trigger it again would recurse without end)",
                                 hook.string(), text::visible(depth_text), k_max_hook_depth);
    return result;
  }
  if (::access(hook.c_str(), X_OK) != 0) {
    result.ok = false;
    result.message = fmt::format("hook {} is not executable (chmod +x it)", hook.string());
    return result;
  }
  const ProcessResult p = run_process({hook.string()}, payload.dump() + "\n", timeout, root,
                                      {fmt::format("DESK_HOOK_DEPTH={}", depth + 1)});
  if (!p.started) {
    result.ok = false;
    result.message = fmt::format("hook {} could not be started", hook.string());
  } else if (p.timed_out) {
    result.ok = false;
    result.message = fmt::format("hook {} was stopped after {}s", hook.string(), timeout.count());
  } else if (p.signal != 0) {
    result.ok = false;
    const std::string err = text::one_line(p.err);
    result.message = fmt::format("hook {} was killed by {}{}{}", hook.string(), signal_name(p.signal),
                                 err.empty() ? "" : ": ", text::truncate_to_width(err, 200));
  } else if (p.exit_code != 0) {
    result.ok = false;
    const std::string err = text::one_line(p.err);
    result.message = fmt::format("hook {} failed (exit status {}){}{}", hook.string(), p.exit_code,
                                 err.empty() ? "" : ": ", text::truncate_to_width(err, 200));
  }
  return result;
}

} // namespace desk::workflow
