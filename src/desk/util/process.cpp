#include <desk/util/process.hpp>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <string_view>

#include <fmt/format.h>

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

namespace desk {

namespace {

void close_fd(int& fd)
{
  if (fd >= 0) {
    ::close(fd);
    fd = -1;
  }
}

} // namespace

ProcessResult run_process(const std::vector<std::string>& argv, const std::string& input,
                          std::chrono::milliseconds timeout, const std::filesystem::path& cwd,
                          const std::vector<std::string>& env)
{
  ProcessResult result;
  if (argv.empty()) {
    return result;
  }
  int in_pipe[2] = {-1, -1};
  int out_pipe[2] = {-1, -1};
  int err_pipe[2] = {-1, -1};
  if (::pipe2(in_pipe, O_CLOEXEC) != 0 || ::pipe2(out_pipe, O_CLOEXEC) != 0 || ::pipe2(err_pipe, O_CLOEXEC) != 0) {
    for (int* p : {in_pipe, out_pipe, err_pipe}) {
      close_fd(p[0]);
      close_fd(p[1]);
    }
    return result;
  }
  std::vector<char*> args;
  for (const auto& a : argv) {
    args.push_back(const_cast<char*>(a.c_str()));
  }
  args.push_back(nullptr);
  std::vector<char*> envp;
  if (!env.empty()) {
    for (char** e = environ; *e != nullptr; ++e) {
      const std::string_view entry(*e);
      const auto name = entry.substr(0, entry.find('=') + 1);
      const bool replaced = std::any_of(env.begin(), env.end(), [&](const std::string& x) { return x.starts_with(name); });
      if (!replaced) {
        envp.push_back(*e);
      }
    }
    for (const auto& x : env) {
      envp.push_back(const_cast<char*>(x.c_str()));
    }
    envp.push_back(nullptr);
  }

  // posix_spawn (a vfork in glibc) rather than fork: a large, many-threaded process such
  // as desk serve does not copy its page tables for every git it runs, and a program that
  // cannot be started (or a folder that cannot be entered) is reported by its errno. The
  // child gets its own process group (killed whole on a timeout), the default SIGPIPE and
  // no blocked signals (a server blocks the ones it waits for).
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attributes;
  ::posix_spawn_file_actions_init(&actions);
  ::posix_spawnattr_init(&attributes);
  ::posix_spawn_file_actions_adddup2(&actions, in_pipe[0], 0);
  ::posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
  ::posix_spawn_file_actions_adddup2(&actions, err_pipe[1], 2);
  const std::string dir = cwd.string();
  if (!dir.empty()) {
    ::posix_spawn_file_actions_addchdir_np(&actions, dir.c_str());
  }
  sigset_t defaults;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGPIPE);
  sigset_t none;
  sigemptyset(&none);
  ::posix_spawnattr_setsigdefault(&attributes, &defaults);
  ::posix_spawnattr_setsigmask(&attributes, &none);
  ::posix_spawnattr_setpgroup(&attributes, 0);
  ::posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
  pid_t pid = -1;
  const int spawned =
    ::posix_spawnp(&pid, args[0], &actions, &attributes, args.data(), envp.empty() ? environ : envp.data());
  ::posix_spawn_file_actions_destroy(&actions);
  ::posix_spawnattr_destroy(&attributes);
  close_fd(in_pipe[0]);
  close_fd(out_pipe[1]);
  close_fd(err_pipe[1]);
  result.started = spawned == 0;
  if (!result.started) {
    close_fd(in_pipe[1]);
    close_fd(out_pipe[0]);
    close_fd(err_pipe[0]);
    return result;
  }

  // Feed stdin and drain stdout/stderr together so no pipe fills up.
  ::fcntl(in_pipe[1], F_SETFL, O_NONBLOCK);
  std::size_t written = 0;
  if (input.empty() || !result.started) {
    close_fd(in_pipe[1]);
  }
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  char buf[65536];
  // The child's exit is polled with the pipes (a pidfd), so a background job it leaves
  // holding stdout or stderr does not keep desk waiting; without pidfds (old kernels),
  // waitpid is asked every 20 ms.
  // (The syscall itself: glibc 2.36's <sys/pidfd.h> lacks extern "C".)
  int exit_fd = result.started ? static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)) : -1;
  bool exited = false;
  int status = 0;
  const auto reap = [&] {
    if (!exited) {
      const pid_t r = ::waitpid(pid, &status, WNOHANG);
      exited = r == pid || (r < 0 && errno == ECHILD);
    }
    return exited;
  };
  while (out_pipe[0] >= 0 || err_pipe[0] >= 0) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      result.timed_out = true;
      ::kill(-pid, SIGKILL);
      ::kill(pid, SIGKILL);
      break;
    }
    if (reap()) {
      // Exited: what is in the pipes now is its output; take it without waiting for more.
      // (At most 1 MiB more: a job left behind may go on writing.)
      for (int* fd : {&out_pipe[0], &err_pipe[0]}) {
        if (*fd < 0) {
          continue;
        }
        std::string& sink = fd == &out_pipe[0] ? result.out : result.err;
        ::fcntl(*fd, F_SETFL, O_NONBLOCK);
        ssize_t r = 0;
        for (int reads = 0; reads < 16 && (r = ::read(*fd, buf, sizeof buf)) > 0; ++reads) {
          sink.append(buf, static_cast<std::size_t>(r));
        }
        close_fd(*fd);
      }
      break;
    }
    pollfd fds[4];
    int n = 0;
    int idx_out = -1;
    int idx_err = -1;
    int idx_in = -1;
    if (exit_fd >= 0) {
      fds[n++] = {exit_fd, POLLIN, 0};
    }
    if (out_pipe[0] >= 0) {
      idx_out = n;
      fds[n++] = {out_pipe[0], POLLIN, 0};
    }
    if (err_pipe[0] >= 0) {
      idx_err = n;
      fds[n++] = {err_pipe[0], POLLIN, 0};
    }
    if (in_pipe[1] >= 0) {
      idx_in = n;
      fds[n++] = {in_pipe[1], POLLOUT, 0};
    }
    const long long slice = exit_fd >= 0 ? 1000 : 20;
    const int rc = ::poll(fds, static_cast<nfds_t>(n), static_cast<int>(std::min<long long>(left.count(), slice)));
    if (rc < 0) {
      if (errno == EINTR) {
        continue;
      }
      break;
    }
    auto drain = [&](int idx, int& fd, std::string& sink) {
      if (idx >= 0 && (fds[idx].revents & (POLLIN | POLLHUP | POLLERR))) {
        const ssize_t r = ::read(fd, buf, sizeof buf);
        if (r > 0) {
          sink.append(buf, static_cast<std::size_t>(r));
        } else if (r == 0 || errno != EINTR) {
          close_fd(fd);
        }
      }
    };
    drain(idx_out, out_pipe[0], result.out);
    drain(idx_err, err_pipe[0], result.err);
    if (idx_in >= 0 && (fds[idx_in].revents & (POLLOUT | POLLERR | POLLHUP))) {
      const ssize_t w = ::write(in_pipe[1], input.data() + written, input.size() - written);
      if (w > 0) {
        written += static_cast<std::size_t>(w);
      }
      if (w < 0 && errno != EAGAIN && errno != EINTR) {
        close_fd(in_pipe[1]); // the child closed its stdin
      } else if (written == input.size()) {
        close_fd(in_pipe[1]);
      }
    }
  }
  close_fd(in_pipe[1]);
  close_fd(out_pipe[0]);
  close_fd(err_pipe[0]);
  close_fd(exit_fd);
  while (!exited && ::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!result.timed_out && result.started && WIFEXITED(status)) {
    result.exit_code = WEXITSTATUS(status);
  }
  if (!result.timed_out && result.started && WIFSIGNALED(status)) {
    result.signal = WTERMSIG(status);
  }
  return result;
}

std::string signal_name(int sig)
{
  const char* abbrev = ::sigabbrev_np(sig);
  const char* description = ::sigdescr_np(sig);
  if (abbrev == nullptr) {
    return fmt::format("signal {}", sig);
  }
  return description == nullptr ? fmt::format("SIG{}", abbrev) : fmt::format("SIG{} ({})", abbrev, description);
}

} // namespace desk

namespace desk {

int run_interactive(const std::vector<std::string>& argv)
{
  if (argv.empty()) {
    return -1;
  }
  std::vector<char*> args;
  for (const auto& a : argv) {
    args.push_back(const_cast<char*>(a.c_str()));
  }
  args.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::signal(SIGPIPE, SIG_DFL);
    ::execvp(args[0], args.data());
    ::_exit(127);
  }
  if (pid < 0) {
    return -1;
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status)) {
    return WEXITSTATUS(status) == 127 ? -1 : WEXITSTATUS(status);
  }
  return -1;
}

std::vector<std::filesystem::path> companion_places(std::string_view name)
{
  std::error_code ec;
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
  const std::filesystem::path here = ec ? std::filesystem::path(".") : self.parent_path();
  return {here / name, (here / DESK_BIN_TO_LIBEXEC / name).lexically_normal(),
          std::filesystem::path(DESK_LIBEXEC_DIR) / name};
}

std::string find_companion(std::string_view name)
{
  for (const auto& p : companion_places(name)) {
    if (::access(p.c_str(), X_OK) == 0) {
      return p.string();
    }
  }
  return {};
}

bool spawn_detached(const std::vector<std::string>& argv, const std::filesystem::path& cwd)
{
  if (argv.empty()) {
    return false;
  }
  std::vector<char*> args;
  for (const auto& a : argv) {
    args.push_back(const_cast<char*>(a.c_str()));
  }
  args.push_back(nullptr);
  const std::string dir = cwd.string();
  const pid_t pid = ::fork();
  if (pid < 0) {
    return false;
  }
  if (pid == 0) {
    ::setsid();
    const pid_t grandchild = ::fork();
    if (grandchild != 0) {
      ::_exit(0); // the grandchild is adopted by init; nobody waits on this side
    }
    const int null_fd = ::open("/dev/null", O_RDWR);
    if (null_fd >= 0) {
      ::dup2(null_fd, 0);
      ::dup2(null_fd, 1);
      ::dup2(null_fd, 2);
      if (null_fd > 2) {
        ::close(null_fd);
      }
    }
    if (!dir.empty() && ::chdir(dir.c_str()) != 0) {
      ::_exit(127);
    }
    ::signal(SIGPIPE, SIG_DFL);
    ::signal(SIGHUP, SIG_IGN);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return true;
}

} // namespace desk
