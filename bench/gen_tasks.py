#!/usr/bin/env python3
"""The benchmark tickets as Taskwarrior tasks, for `task import`.

    gen_tasks.py FILE COUNT [--seed N] [--now ISO]

Writes a JSON array of COUNT tasks made from the same ticket plans as gen_tickets.py (same
seed, same titles in Chinese and English, same two years and open/closed mix): the title
is the description, the category the project, P1/P2 -> H, P3 -> M, P4 -> L, the channel
and the affected system are tags, the ticket's description, work-log notes and solution
are annotations; open tickets are pending (due at their resolve target), closed ones
completed, cancelled ones deleted (--all-pending: every task pending, for a comparison with
a Taskwarrior list that never gets done).
"""
import argparse
import json
import re
import uuid
from datetime import datetime, timezone

from gen_tickets import DEFAULT_NOW, OPEN_STATUSES, plans

PRIORITY = {"P1": "H", "P2": "H", "P3": "M", "P4": "L"}


def tw_time(t):
    return t.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def tag(text):
    t = re.sub(r"[^a-z0-9]", "", text.lower())
    return t or "system"


def task_of(p, rng, all_pending=False):
    f = p.fields
    task = {
        "uuid": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "description": f["title"],
        "entry": tw_time(f["created"]),
        "modified": tw_time(f["updated"]),
        "project": f.get("category", "triage"),
        "priority": PRIORITY[f["priority"]],
        "tags": sorted({tag(f["channel"]), tag(f["affected"][0])}),
    }
    notes = [(f["created"], f["description"].replace("\n", " "))]
    for at, _by, action, sets, note, _extra in p.events:
        if note:
            notes.append((at, note))
        for k, v in sets:
            if k == "solution":
                notes.append((at, "solution: " + v))
    task["annotations"] = [{"entry": tw_time(at), "description": text} for at, text in notes]
    if all_pending or f["status"] in OPEN_STATUSES or f["status"] in ("resolved", "confirmed"):
        task["status"] = "pending"
        task["due"] = tw_time(f["resolve_due"])
    else:
        task["status"] = "deleted" if f["status"] == "cancelled" else "completed"
        task["end"] = tw_time(f["closed_at"])
    return task


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("file")
    ap.add_argument("count", type=int)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--now", default=DEFAULT_NOW)
    ap.add_argument("--all-pending", action="store_true")
    a = ap.parse_args()
    tasks = [task_of(p, rng, a.all_pending) for _created, p, rng in plans(a.count, a.seed, a.now)]
    with open(a.file, "w", encoding="utf-8") as out:
        json.dump(tasks, out, ensure_ascii=False, indent=0)


if __name__ == "__main__":
    main()
