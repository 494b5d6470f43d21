#include <desk/workflow/hooks.hpp>

#include <desk/util/process.hpp>
#include <desk/util/text.hpp>

#include <fmt/format.h>

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
  if (::access(hook.c_str(), X_OK) != 0) {
    result.ok = false;
    result.message = fmt::format("hook {} is not executable (chmod +x it)", hook.string());
    return result;
  }
  const ProcessResult p = run_process({hook.string()}, payload.dump() + "\n", timeout, root);
  if (!p.started) {
    result.ok = false;
    result.message = fmt::format("hook {} could not be started", hook.string());
  } else if (p.timed_out) {
    result.ok = false;
    result.message = fmt::format("hook {} was stopped after {}s", hook.string(), timeout.count());
  } else if (p.exit_code != 0) {
    result.ok = false;
    const std::string err = text::one_line(p.err);
    result.message = fmt::format("hook {} failed (exit status {}){}{}", hook.string(), p.exit_code,
                                 err.empty() ? "" : ": ", text::truncate_to_width(err, 200));
  }
  return result;
}

} // namespace desk::workflow
