"""The Debian package: `cpack -G DEB` in the build folder of the binary under test makes a
.deb that installs desk, its manual pages, completions and shared files, and removes
cleanly. Installing changes the machine, so this runs only as root (CI's throwaway
machine) and never over a desk package already installed."""
import os
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from conftest import DESK_BIN
from serve_helpers import free_port

BUILD = Path(DESK_BIN).resolve().parent
INSTALLED = ["/usr/bin/desk", "/usr/share/man/man1/desk.1", "/usr/share/man/man1/desk-open.1",
             "/usr/share/man/man1/desk-kb-add.1", "/usr/share/bash-completion/completions/desk",
             "/usr/share/zsh/vendor-completions/_desk", "/usr/share/fish/vendor_completions.d/desk.fish",
             "/usr/share/desk/config.yaml", "/usr/share/desk/import/jira.yaml",
             "/usr/libexec/desk/desk-serve", "/usr/share/man/man1/desk-serve.1",
             "/usr/share/man/man1/desk-serve-token-add.1", "/usr/share/desk/templates/serve/layout.html",
             "/usr/share/desk/templates/serve/zh.json", "/usr/share/desk/desk-serve.service"]


def run(*args, **kw):
    r = subprocess.run(list(args), capture_output=True, text=True, timeout=300, **kw)
    assert r.returncode == 0, f"{' '.join(map(str, args))}: {r.stdout}\n{r.stderr}"
    return r.stdout


def fetch_when_up(url, server, seconds=30):
    """The page at `url` once the server answers (within `seconds`)."""
    deadline = time.monotonic() + seconds
    while True:
        assert server.poll() is None, f"the server exited {server.returncode}"
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                return r.read().decode("utf-8")
        except (urllib.error.URLError, ConnectionError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def package_checks():
    if os.geteuid() != 0:
        return "installing a package needs root (CI runs this as root on a throwaway machine)"
    if not (BUILD / "CPackConfig.cmake").is_file():
        return f"{BUILD} is no CMake build folder with CPack (DESK_BIN={DESK_BIN})"
    for tool in ["cpack", "dpkg", "dpkg-shlibdeps", "apt-get", "man"]:
        if shutil.which(tool) is None:
            return f"{tool} is not installed (bash .ci/bootstrap installs it)"
    status = subprocess.run(["dpkg-query", "-W", "-f=${Status}", "desk"], capture_output=True, text=True)
    if "installed" in status.stdout and "not-installed" not in status.stdout:
        return "a desk package is installed on this machine already; not replacing it"
    if Path("/usr/bin/desk").exists():
        return "/usr/bin/desk exists already; not replacing it"
    return None


@pytest.mark.skipif(package_checks() is not None, reason=package_checks() or "")
def test_debian_package_installs_answers_man_and_removes_cleanly(tmp_path):
    run("cmake", "--build", str(BUILD), "--target", "desk", "desk-serve", "desk_docs")
    run("cpack", "-G", "DEB", "--config", str(BUILD / "CPackConfig.cmake"), "-B", str(tmp_path), cwd=str(tmp_path))
    debs = list(tmp_path.glob("desk_*.deb"))
    assert len(debs) == 1, list(tmp_path.iterdir())
    info = run("dpkg-deb", "--info", str(debs[0]))
    assert "Package: desk" in info and "Section: utils" in info and "Maintainer:" in info
    depends = next(line for line in info.splitlines() if line.strip().startswith("Depends:"))
    assert "libc6" in depends  # computed by dpkg-shlibdeps from the binary
    contents = run("dpkg-deb", "--contents", str(debs[0]))
    for path in INSTALLED:
        assert "." + path in contents, path

    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    try:
        run("apt-get", "install", "-y", "-qq", "--no-install-recommends", f"./{debs[0].name}", cwd=str(tmp_path), env=env)
        for path in INSTALLED:
            assert Path(path).is_file(), path
        assert run("/usr/bin/desk", "--version").startswith("desk ")
        assert run("man", "-w", "desk").strip().endswith("man1/desk.1")
        assert run("man", "-w", "desk-open").strip().endswith("man1/desk-open.1")
        page = run("man", "desk-open", env={**env, "MANPAGER": "cat", "MANWIDTH": "100"})
        assert "--channel" in page
        # bash-completion finds the script on its own, by the command's name
        if Path("/usr/share/bash-completion/bash_completion").is_file():
            out = run("bash", "--norc", "-c", "source /usr/share/bash-completion/bash_completion; "
                      "_completion_loader desk; complete -p desk")
            assert "_desk" in out
        # the installed binary finds its shared mappings under /usr/share/desk
        repo = tmp_path / "repo"
        run("/usr/bin/desk", "init", str(repo))
        (repo / "x.csv").write_text("Summary\nhello\n", encoding="utf-8")
        r = subprocess.run(["/usr/bin/desk", "import", "csv", "x.csv", "--map", "jira", "--dry-run"],
                           cwd=str(repo), capture_output=True, text=True)
        assert "/usr/share/desk/import/jira.yaml" in r.stderr, r
        # desk serve runs the installed companion, which finds its pages under /usr/share/desk
        assert "--listen" in run("/usr/bin/desk", "serve", "--help")
        assert "--listen" in run("man", "desk-serve", env={**env, "MANPAGER": "cat", "MANWIDTH": "100"})
        port = free_port()
        with open(tmp_path / "serve.log", "wb") as log:
            server = subprocess.Popen(["/usr/bin/desk", "serve", "--listen", f"127.0.0.1:{port}"], cwd=str(repo),
                                      stdout=subprocess.DEVNULL, stderr=log)
            try:
                page = fetch_when_up(f"http://127.0.0.1:{port}/signin", server)
                assert "<form" in page and 'name="email"' in page, page
            finally:
                server.send_signal(signal.SIGTERM)
                assert server.wait(timeout=20) == 0, (tmp_path / "serve.log").read_text()
    finally:
        subprocess.run(["apt-get", "remove", "-y", "-qq", "--purge", "desk"], capture_output=True, env=env)
    for path in INSTALLED:
        assert not Path(path).exists(), path
    assert "not-installed" in subprocess.run(["dpkg-query", "-W", "-f=${Status}", "desk"], capture_output=True,
                                             text=True).stdout or subprocess.run(
        ["dpkg-query", "-W", "desk"], capture_output=True).returncode != 0
