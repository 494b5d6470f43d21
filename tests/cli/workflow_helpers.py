"""Helpers of the support-workflow end-to-end tests: the repository zone and local times
in it, the statuses in workflow order, events read from a ticket file and checked, a
configuration with teams, tickets driven to any status, hooks installed and their
payloads recorded, and lines of the config found and edited in place.

Used by test_workflow.py, test_workflow_errors.py, test_sla.py, test_hooks.py,
test_hook_limits.py, test_ops_transactions.py, test_examples.py and
test_manual_and_completion.py.
"""
import os
import re
from pathlib import Path

from conftest import write_config

# The repository zone of the `desk` fixture.
TZ = "+08:00"

# The statuses of the state model, in workflow order.
STATUSES = ["new", "triaged", "assigned", "in_progress", "pending", "escalated",
            "resolved", "reopened", "confirmed", "closed", "cancelled"]


def at(local):
    """'2026-11-30 09:00' -> '2026-11-30T09:00:00+08:00' (the repository zone)."""
    day, hm = local.split(" ")
    return f"{day}T{hm}:00{TZ}"


def events(desk, ticket_id):
    """The events of a ticket as read from its file (every scalar a string)."""
    return desk.load(ticket_id)["events"]


def last_event(desk, ticket_id):
    return events(desk, ticket_id)[-1]


def check_event(ev, action, by, when, set_=None, note=None, ignore=(), **extra):
    """Assert one event: action, actor, time, exactly the fields it set (but those in `ignore`),
    its note and extra keys."""
    assert ev["action"] == action, ev
    assert ev["by"] == by, ev
    assert ev["at"] == when, ev
    assert re.fullmatch(r"E-[0-9A-Z]+", ev["id"]), ev
    if set_ is not None:
        got = {k: v for k, v in ev.get("set", {}).items() if k not in ignore}
        assert got == set_, ev
    if note is not None:
        assert ev.get("note", "") == note, ev
    for k, v in extra.items():
        assert ev.get(k) == v, (k, ev)


def team_config(cfg):
    """A support organisation: three tiers, two tier-2 teams, vendors and rules."""
    cfg["teams"] = {
        "service-desk": {"tier": 1, "members": ["alice", "bob"],
                         "skills": ["end-user-device", "application", "network"], "supervisor": "carol"},
        "network-team": {"tier": 2, "members": ["dave", "erin"], "skills": ["network"], "supervisor": "frank"},
        "server-team": {"tier": 2, "members": ["gina"], "skills": ["server", "database"], "supervisor": "frank"},
        "experts": {"tier": 3, "members": ["hank"], "skills": ["network", "server"]},
    }
    cfg["vendors"] = {"acme-isp": {"contact": "noc@acme.example"}, "oracle": {"contact": "support@oracle.example"}}
    cfg["rules"] = [{"affected": "VPN", "team": "network-team"}, {"category": "network", "team": "service-desk"}]


def with_teams(desk):
    write_config(desk, team_config)


def bring_to(desk, status, **open_args):
    """Open a fresh ticket and drive it to `status` with the ordinary commands; returns its id.

    Works with the default config (no members) and with team_config (alice, bob, dave are members).
    """
    args = []
    for k, v in open_args.items():
        args += [f"--{k.replace('_', '-')}", v]
    if "title" not in open_args:
        args += ["--title", f"ticket to bring to {status}"]
    tid = desk.open(*args)
    if status == "new":
        return tid
    if status == "cancelled":
        desk.ok("cancel", tid, "--reason", "duplicate")
        return tid
    desk.ok("triage", tid, "--category", "network")
    if status == "triaged":
        return tid
    if status in ("resolved", "reopened", "confirmed", "closed"):
        desk.ok("resolve", tid, "--solution", "restarted it", "--verified-by", "bob")
        if status == "reopened":
            desk.ok("confirm", tid, "--reject", "-m", "still broken")
        elif status in ("confirmed", "closed"):
            desk.ok("confirm", tid, "--rating", "5")
            if status == "closed":
                desk.ok("close", tid)
        return tid
    desk.ok("assign", tid, "--to", "bob")
    if status == "assigned":
        return tid
    if status == "escalated":
        desk.ok("escalate", tid, "--tier", "2", "--reason", "needs specialists")
        return tid
    desk.ok("start", tid)
    if status == "in_progress":
        return tid
    if status == "pending":
        desk.ok("pending", tid, "--reason", "awaiting-user", "-m", "asked for a screenshot")
        return tid
    raise AssertionError(f"bring_to: unknown status {status}")


HOOK_RECORDER = """#!/usr/bin/python3
import os, pathlib, sys
data = sys.stdin.read()
out = pathlib.Path(os.environ["HOOK_OUT"])
n = len(list(out.glob("*.json")))
(out / ("%03d-%s.json" % (n, os.path.basename(sys.argv[0])))).write_text(data)
"""


def install_hook(desk, name, text, executable=True):
    """Write .desk/hooks/NAME with `text`, executable unless told otherwise."""
    hooks = desk.root / ".desk" / "hooks"
    hooks.mkdir(exist_ok=True)
    path = hooks / name
    path.write_text(text, encoding="utf-8")
    mode = 0o755 if executable else 0o644
    os.chmod(path, mode)
    return path


def hook_outputs(out_dir):
    """[(hook name, payload dict), ...] in the order the recorder hooks ran."""
    import json
    result = []
    for p in sorted(Path(out_dir).glob("*.json")):
        name = p.stem.split("-", 1)[1]
        result.append((name, json.loads(p.read_text(encoding="utf-8"))))
    return result


def config_line(desk, needle):
    """1-based line number of the first line of .desk/config.yaml that contains `needle`."""
    lines = (desk.root / ".desk" / "config.yaml").read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines, 1):
        if needle in line:
            return i
    raise AssertionError(f"{needle!r} not in the config")


def edit_config_text(desk, old, new):
    """Replace text in .desk/config.yaml (keeps the comments and line numbers of the rest)."""
    path = desk.root / ".desk" / "config.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
