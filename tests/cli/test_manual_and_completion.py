"""Manual pages (`desk help --man`) and shell completion (`desk completion SHELL`), both
written from the command definitions: every command and option is in its page, and Tab
offers commands, options, configured values and the repository's open tickets."""
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import DESK_BIN, NOT_FOUND, OK, SOURCE_DIR, USAGE, write_config
from workflow_helpers import bring_to, with_teams


COMPANIONS = {"mail", "serve"}  # separate programs (desk-mail, desk-serve), built beside desk


def help_of(desk, words):
    return desk.ok(*words, "--help").out


def companion_missing(desk, words):
    """True for a companion program's command when the program is not built here."""
    if not words or words[0] not in COMPANIONS:
        return False
    r = desk.run(words[0], "--help")
    return r.code != 0 and "is not installed" in r.err


def help_block(help_text, title):
    """The lines of one block of a --help ("Options:", "Subcommands:"), up to the blank line."""
    lines = help_text.splitlines()
    for i, line in enumerate(lines):
        if line.strip().lower() == title.lower() + ":":
            block = []
            for rest in lines[i + 1:]:
                if not rest.strip():
                    break
                block.append(rest)
            return block
    return []


def commands_of(help_text):
    """The subcommands a --help lists."""
    return [m.group(1) for line in help_block(help_text, "Subcommands") if (m := re.match(r"^  (\S+)\s", line))]


def options_of(help_text):
    """The option names a --help lists (-m, --message, ...)."""
    names = set()
    for line in help_block(help_text, "Options"):
        head = line.strip().split("  ")[0]
        names.update(re.findall(r"(?<![\w-])(--?[A-Za-z][\w-]*)", head))
    return names


def every_command(desk, words=()):
    found = []
    for name in commands_of(help_of(desk, list(words))):
        path = [*words, name]
        found.append(path)
        if not companion_missing(desk, path):
            found += every_command(desk, path)
    return found


def unroff(page):
    return page.replace("\\-", "-").replace("\\fB", "").replace("\\fR", "").replace("\\fI", "")


def test_every_command_and_option_is_in_its_manual_page(desk, tmp_path):
    out = tmp_path / "man1"
    desk.ok("help", "--man", "-o", out)
    commands = every_command(desk)
    assert ["open"] in commands and ["kb", "add"] in commands and ["import", "csv"] in commands
    main = unroff((out / "desk.1").read_text(encoding="utf-8"))
    for section in ["NAME", "SYNOPSIS", "GLOBAL OPTIONS", "COMMANDS", "ENVIRONMENT", "EXIT STATUS", "FILES", "EXAMPLES"]:
        assert f".SH {section}" in main, section
    for option in options_of(help_of(desk, [])):
        assert option in main, option
    for variable in ["DESK_DIR", "DESK_USER", "DESK_NOW", "DESK_LOCK_TIMEOUT", "NO_COLOR"]:
        assert variable in main
    for words in commands:
        page_file = out / ("desk-" + "-".join(words) + ".1")
        assert page_file.is_file(), page_file
        page = unroff(page_file.read_text(encoding="utf-8"))
        assert page.startswith(".TH DESK-" + "-".join(words).upper() + " 1")
        assert "desk " + " ".join(words) in page
        if len(words) == 1:
            assert "desk-" + words[0] + "(1)" in main
        if companion_missing(desk, words):
            continue  # its page says what `desk --help` says of it
        for option in options_of(help_of(desk, words)):
            assert option in page, f"{option} missing from {page_file.name}"
        for sub in commands_of(help_of(desk, words)):
            assert "desk-" + "-".join([*words, sub]) + "(1)" in page
    pages = {p.name for p in out.iterdir()}
    assert pages == {"desk.1"} | {"desk-" + "-".join(w) + ".1" for w in commands}


def test_one_manual_page_prints_and_man_reads_it(desk, tmp_path):
    page = desk.ok("help", "--man", "kb", "search").out
    assert page.startswith(".TH DESK-KB-SEARCH 1")
    assert "\\-\\-state" in page
    if shutil.which("man") is None:
        pytest.skip("man (Debian man-db) is not installed")
    path = tmp_path / "desk-kb-search.1"
    path.write_text(page, encoding="utf-8")
    rendered = subprocess.run(["man", "-l", str(path)], capture_output=True, text=True,
                              env={**os.environ, "MANPAGER": "cat", "MANWIDTH": "100", "LC_ALL": "C.UTF-8"})
    assert rendered.returncode == 0, rendered.stderr
    assert "--state" in rendered.stdout and "warning" not in rendered.stderr.lower()


def test_help_of_an_unknown_command_is_a_usage_error(desk):
    r = desk.fails(USAGE, "help", "--man", "nosuch")
    assert "desk nosuch" in r.err


def test_version_names_the_revision(desk):
    out = desk.ok("--version").out.strip()
    assert re.fullmatch(r"desk \d+\.\d+\.\d+ \((git [0-9a-f]{7,}[\w.-]*|not built from a git checkout)\)", out), out


def test_version_names_the_commit_the_binary_was_built_from(desk):
    """Asked at build time, not configure time: after a commit and a rebuild the binary names
    the new commit (a binary older than the source tree's HEAD fails here, as it should)."""
    head = subprocess.run(["git", "-C", str(SOURCE_DIR), "rev-parse", "HEAD"], capture_output=True, text=True)
    if head.returncode != 0:
        pytest.skip("the sources are not a git checkout")
    named = re.search(r"\(git (?:.*-g)?([0-9a-f]{7,})(?:-dirty)?\)", desk.ok("--version").out)
    assert named, "no revision named"
    assert head.stdout.strip().startswith(named.group(1))


def bash_complete(desk, *words, cwd=None):
    """The candidates the generated bash function offers for the last of `words`."""
    script = desk.ok("completion", "bash").out
    line = " ".join(f"'{w}'" for w in words)
    program = (f"source /dev/stdin <<'DESK_COMPLETION'\n{script}\nDESK_COMPLETION\n"
               f"complete -p desk >/dev/null || exit 9\n"
               f"COMP_WORDS=({line}); COMP_CWORD={len(words) - 1}; _desk; printf '%s\\n' \"${{COMPREPLY[@]}}\"")
    env = desk.env(PATH=f"{Path(DESK_BIN).parent}:{os.environ.get('PATH', '/usr/bin:/bin')}")
    r = subprocess.run(["bash", "--norc", "-c", program], cwd=str(cwd or desk.root), capture_output=True, text=True,
                       env=env, timeout=30)
    assert r.returncode == 0, r.stderr
    assert r.stderr == "", r.stderr
    return [w for w in r.stdout.splitlines() if w]


def test_bash_completes_commands_and_options(desk):
    assert bash_complete(desk, "desk", "as") == ["assign"]
    assert set(bash_complete(desk, "desk", "")) >= {"open", "assign", "kb", "report", "completion"}
    assert "help" not in bash_complete(desk, "desk", "")
    assert bash_complete(desk, "desk", "kb", "v") == ["validate"]
    assert set(bash_complete(desk, "desk", "open", "--ur")) == {"--urgency"}
    assert set(bash_complete(desk, "desk", "list", "--st")) == {"--status"}
    assert bash_complete(desk, "desk", "completion", "f") == ["fish"]
    assert bash_complete(desk, "desk", "--color", "a") == ["auto", "always"]


def test_bash_completes_configured_values(desk):
    assert bash_complete(desk, "desk", "open", "--channel", "") == ["phone", "im", "email", "portal", "walk-in"]
    assert bash_complete(desk, "desk", "open", "--impact", "") == ["individual", "department", "company", "core-business"]
    assert bash_complete(desk, "desk", "triage", "X", "--urgency", "h") == ["high"]
    assert "awaiting-user" in bash_complete(desk, "desk", "pending", "X", "--reason", "")
    assert "in_progress" in bash_complete(desk, "desk", "list", "--status", "")
    assert bash_complete(desk, "desk", "kb", "list", "--state", "") == ["draft", "validated", "archived"]
    write_config(desk, lambda c: (c.update(channels=["电话", "phone", "chat"]), c["defaults"].update(channel="phone")))
    assert bash_complete(desk, "desk", "open", "--channel", "") == ["电话", "phone", "chat"]


def test_bash_completes_teams_members_and_categories_of_the_repository(desk):
    with_teams(desk)
    assert set(bash_complete(desk, "desk", "assign", "X", "--team", "")) == {
        "service-desk", "network-team", "server-team", "experts"}
    assert bash_complete(desk, "desk", "assign", "X", "--to", "d") == ["dave"]
    assert "network" in bash_complete(desk, "desk", "triage", "X", "--category", "")
    assert bash_complete(desk, "desk", "escalate", "X", "--vendor", "") == ["acme-isp", "oracle"]


def test_bash_completes_the_open_ticket_ids(desk):
    a = desk.open("--title", "VPN 无法连接")
    b = desk.open("--title", "printer jam")
    closed = bring_to(desk, "closed")
    assert sorted(bash_complete(desk, "desk", "assign", "INC-")) == sorted([a, b])
    assert bash_complete(desk, "desk", "show", a[:6]) == [a]
    # -C points the candidates at another repository, from anywhere
    assert sorted(bash_complete(desk, "desk", "-C", str(desk.root), "start", "", cwd=desk.root.parent)) == sorted([a, b])
    assert closed not in bash_complete(desk, "desk", "log", "")


def test_candidates_outside_a_repository_are_the_defaults(desk, tmp_path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    r = desk.run("__complete", "channel", cwd=outside, env={"DESK_DIR": None})
    assert r.code == OK and r.out.split() == ["phone", "im", "email", "portal", "walk-in"]
    r = desk.run("__complete", "ticket", cwd=outside)
    assert r.code == OK and r.out == ""
    desk.fails(USAGE, "__complete", "colour")


@pytest.mark.parametrize("shell, check", [("zsh", ["zsh", "-n"]), ("fish", ["fish", "--no-execute"])])
def test_zsh_and_fish_scripts_parse(desk, tmp_path, shell, check):
    if shutil.which(check[0]) is None:
        pytest.skip(f"{check[0]} is not installed")
    script = desk.ok("completion", shell).out
    assert "__complete" in script and "assign" in script and "--channel" in script.replace("-l channel", "--channel")
    path = tmp_path / f"desk.{shell}"
    path.write_text(script, encoding="utf-8")
    r = subprocess.run([*check, str(path)], capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stderr


def test_fish_completes_commands_and_ticket_ids(desk, tmp_path):
    if shutil.which("fish") is None:
        pytest.skip("fish is not installed")
    tid = desk.open("--title", "disk full")
    path = tmp_path / "desk.fish"
    path.write_text(desk.ok("completion", "fish").out, encoding="utf-8")
    env = desk.env(PATH=f"{Path(DESK_BIN).parent}:{os.environ.get('PATH', '/usr/bin:/bin')}",
                   XDG_CONFIG_HOME=str(tmp_path), XDG_DATA_HOME=str(tmp_path))
    r = subprocess.run(["fish", "--no-config", "-c", f"source {path}; complete -C 'desk as'; complete -C 'desk assign '"],
                       cwd=str(desk.root), capture_output=True, text=True, env=env, timeout=30)
    assert r.returncode == 0, r.stderr
    words = [line.split("\t")[0] for line in r.stdout.splitlines()]
    assert "assign" in words and tid in words


def test_a_missing_companion_names_every_place_looked_in(desk, tmp_path):
    """desk alone (no desk-mail beside it, none installed): `desk mail` says where it looked."""
    lone = tmp_path / "bin" / "desk"
    lone.parent.mkdir()
    shutil.copy(DESK_BIN, lone)
    r = subprocess.run([str(lone), "mail", "status"], cwd=str(desk.root), capture_output=True, text=True,
                       env=desk.env(), timeout=30)
    err = r.stderr
    if "not installed" not in err:
        pytest.skip("a desk-mail is installed where desk looks")
    assert r.returncode == NOT_FOUND
    assert f"desk-mail is not installed: not found beside desk ({lone.parent})" in err
    assert "libexec/desk" in err and "install the desk package" in err
