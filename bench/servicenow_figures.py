#!/usr/bin/env python3
"""Service-review figures computed straight from a ServiceNow incident event log.

    servicenow_figures.py LOG(.csv|.zip) [--since DATE] [--until DATE] [--timezone ZONE]
                          [--report REPORT.json]

Reads the log with Python's csv module only (nothing of desk) and prints two tables:

1. The figures the log's own columns give, taken from each incident's last row (highest
   `sys_mod_count`): volume opened / resolved / closed in [since, until) by `opened_at`,
   `resolved_at`, `closed_at`; time to resolve = `resolved_at` - `opened_at` in calendar
   hours (mean, median); SLA compliance = share of `made_sla` true; reopen rate =
   `reopen_count` > 0; reassignment = `reassignment_count` (tickets with one, total).
2. How those figures turn into the ones `desk report` gives, step by step, measured from
   the rows (each incident's updates in history order): which incidents count as resolved,
   which resolution time is used, the paused time deducted (the default config pauses on
   Awaiting User Info and Awaiting Vendor, and On Hold maps to awaiting-user; a resolution
   the user rejected is paused time too), and assignee versus group changes.

With --report (what `desk report --format json` wrote for the same period) desk's figures
are set beside them. Both tables are Markdown. Times in the log are local to --timezone.

    bash bench/import_servicenow.sh build/desk        # speed
    python3 bench/servicenow_figures.py LOG.zip --since 2016-02-01 --until 2017-03-01 \\
        --report report.json                         # figures
"""
import argparse
import collections
import datetime as dt
import statistics
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

# The log's reader, its time format and the history order are the ones the end-to-end
# tests check desk's import against (one definition of each).
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "cli"))
from servicenow_check import empty, history_order, read_rows, sn_time  # noqa: E402

PAUSING = {"Awaiting User Info", "Awaiting Vendor", "On Hold"}
DONE = {"Resolved", "Closed", "Canceled", "Cancelled"}


def read(path):
    return read_rows(path, None)


def when(text, zone):
    """A ServiceNow time (day/month/year), or an ISO 8601 one, local to `zone`."""
    try:
        return sn_time(text, zone)
    except ValueError:
        return dt.datetime.fromisoformat(text).replace(tzinfo=zone)


def day(text, zone):
    t = dt.datetime.fromisoformat(text)
    return t if t.tzinfo else t.replace(tzinfo=zone)


def ordered(rows, zone):
    return history_order(rows, zone)


def hours(seconds):
    """(count, mean, median) in hours; the median of an even count is the mean of the middle two."""
    if not seconds:
        return 0, None, None
    return len(seconds), statistics.mean(seconds) / 3600, statistics.median(seconds) / 3600


def history(rows, zone, until):
    """One incident's states in history order, with times as desk records them (never before
    the previous update, none at or after `until`)."""
    opened = when(rows[0]["opened_at"], zone) or when(rows[0]["sys_updated_at"], zone)
    steps, at = [], opened
    for r in rows:
        at = max(at, when(r["sys_updated_at"], zone))
        if at >= until:
            break
        steps.append((r["incident_state"], at, r))
    return opened, steps


def figures(incidents, zone, since, until):
    inside = lambda t: t is not None and since <= t < until  # noqa: E731
    plain = collections.Counter()
    plain_ttr, made = [], 0
    steps = {"stamp": [], "last_change": [], "with_unstamped": [], "paused": []}
    why = collections.Counter()
    for number, raw in incidents.items():
        rows = ordered(raw, zone)
        last = rows[-1]
        opened_at = when(last["opened_at"], zone)
        resolved_at, closed_at = when(last["resolved_at"], zone), when(last["closed_at"], zone)
        # 1. The log's own columns.
        plain["incidents"] += 1
        plain["rows"] += len(raw)
        plain["opened"] += inside(opened_at)
        plain["closed"] += inside(closed_at)
        if inside(resolved_at):
            plain["resolved"] += 1
            plain_ttr.append((resolved_at - opened_at).total_seconds())
            plain["reopened_of_resolved"] += int(last["reopen_count"] or 0) > 0
        if inside(opened_at):
            made += last["made_sla"] == "true"
            plain["reopened"] += int(last["reopen_count"] or 0) > 0
            n = int(last["reassignment_count"] or 0)
            plain["reassigned"] += n > 0
            plain["reassignment_count"] += n
        # 2. The rows, read the way desk's import and report read them.
        opened, hist = history(rows, zone, until)
        # Assignment changes over the rows: the group changing from one row to the next
        # (what ServiceNow's reassignment_count counts; the incidents opened in the period,
        # like the column's figure), and a set assignee replaced by another (what desk's
        # report counts; for the resolved incidents below).
        if inside(opened_at):
            groups = [r["assignment_group"] for _, _, r in hist]
            changes = sum(1 for a, b in zip(groups, groups[1:]) if a != b and not empty(b))
            why["group_changes"] += changes
            why["group_first"] += sum(1 for a, b in zip(groups, groups[1:]) if empty(a) and not empty(b))
            why["group_changes_short"] += changes < int(last["reassignment_count"] or 0)
            mods = {int(r["sys_mod_count"]) for r in raw}
            why["missing_updates"] += max(mods) + 1 - len(mods)
            why["incidents_missing_updates"] += max(mods) + 1 > len(mods)
        who, replaced = "", 0
        for _, _, r in hist:
            a = "" if empty(r["assigned_to"]) else r["assigned_to"]
            replaced += bool(who and a and a != who)
            who = a or who
        states = [(s, at) for s, at, _ in hist if s != "-100"]
        if not states:
            continue
        final_resolve, pauses, start, prev = None, [], None, None
        reopened = False
        for state, at in states:
            if state == "Resolved" and prev != "Resolved":
                final_resolve = at
            if prev in ("Resolved", "Closed") and state not in DONE:
                reopened = True
            pausing = state in PAUSING or state == "Resolved"
            if pausing and start is None:
                start = at
            elif not pausing and start is not None:
                pauses.append((start, at))
                start = None
            prev = state
        if start is not None:  # still paused at the end: the pause runs to it
            pauses.append((start, until))
        if final_resolve is None:
            why["never_resolved"] += inside(opened_at)
            continue
        if not (prev in ("Resolved", "Closed") and inside(final_resolve)):
            why["resolved_outside"] += 1
            continue
        why["resolved"] += 1
        if states[0][0] == "Resolved" and resolved_at is None:
            why["created_resolved_unstamped"] += 1
        why["reopened"] += reopened
        why["assignee_replaced"] += replaced
        total = (final_resolve - opened).total_seconds()
        paused = sum((min(b, final_resolve) - max(a, opened)).total_seconds()
                     for a, b in pauses if a < final_resolve and b > opened)
        steps["with_unstamped"].append(total)
        steps["paused"].append(max(0.0, total - paused))
        if resolved_at is not None:
            steps["stamp"].append((resolved_at - opened_at).total_seconds())
            steps["last_change"].append(total)
            why["restamped"] += resolved_at != final_resolve
        else:
            why["unstamped"] += 1
    return plain, plain_ttr, made, steps, why


def pct(a, b):
    return f"{a / b:.1%}" if b else "–"


def h(x):
    return "–" if x is None else f"{x:.2f} h"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("log")
    ap.add_argument("--since", default="2016-02-01")
    ap.add_argument("--until", default="2017-03-01")
    ap.add_argument("--timezone", default="UTC")
    ap.add_argument("--report", help="desk report --format json for the same period")
    args = ap.parse_args()
    zone = ZoneInfo(args.timezone)
    since, until = day(args.since, zone), day(args.until, zone)
    plain, ttr, made, steps, why = figures(read(args.log), zone, since, until)
    desk = None
    if args.report:
        import json
        with open(args.report, encoding="utf-8") as f:
            desk = json.load(f)["totals"]

    def d(path, fmt=lambda v: f"{v:,}"):
        if desk is None:
            return "–"
        v = desk
        for k in path.split("."):
            v = v[k]
        return "–" if v is None else fmt(v)

    n, mean, median = hours(ttr)
    print(f"{plain['rows']:,} rows, {plain['incidents']:,} incidents; period [{since.isoformat()}, {until.isoformat()})\n")
    print("| figure | desk report | from the CSV's columns |")
    print("|---|---:|---:|")
    print(f"| opened | {d('volume.opened')} | {plain['opened']:,} (`opened_at`) |")
    print(f"| resolved | {d('volume.resolved')} | {plain['resolved']:,} (`resolved_at`) |")
    print(f"| closed | {d('volume.closed')} | {plain['closed']:,} (`closed_at`) |")
    cal = lambda v: f"{v / 3600:.2f} h"  # noqa: E731
    print(f"| time to resolve, mean (calendar) | {d('resolve.calendar.mean', cal)} | {h(mean)} |")
    print(f"| time to resolve, median (calendar) | {d('resolve.calendar.median', cal)} | {h(median)} |")
    print(f"| time to resolve, mean / median (business hours) | {d('resolve.business.mean', cal)} / "
          f"{d('resolve.business.median', cal)} | – |")
    share = lambda v: f"{v:.1%}"  # noqa: E731
    print(f"| SLA compliance, respond / resolve | {d('sla.respond.compliance', share)} / "
          f"{d('sla.resolve.compliance', share)} | {pct(made, plain['opened'])} (`made_sla` true: {made:,}) |")
    print(f"| reopened | {d('resolution.reopened')} of {d('volume.resolved')} ({d('resolution.reopened_rate', share)}) "
          f"| {plain['reopened']:,} of {plain['opened']:,} ({pct(plain['reopened'], plain['opened'])}) (`reopen_count` > 0); "
          f"{plain['reopened_of_resolved']:,} of the {plain['resolved']:,} with `resolved_at` "
          f"({pct(plain['reopened_of_resolved'], plain['resolved'])}) |")
    print(f"| reassignment | {d('resolution.reassignments')} ({d('resolution.reassignments_per_ticket', lambda v: f'{v:.2f}')}"
          f" per resolved ticket) | {plain['reassignment_count']:,} on {plain['reassigned']:,} incidents, "
          f"{pct(plain['reassigned'], plain['opened'])} ({plain['reassignment_count'] / max(1, plain['opened']):.2f} "
          f"per incident) (`reassignment_count`) |")

    print("\n| from the log's figure to desk's, measured on the rows | incidents | mean | median |")
    print("|---|---:|---:|---:|")
    for label, key in (("`resolved_at` − `opened_at` (of those desk counts resolved, the ones with a `resolved_at`)",
                        "stamp"),
                       ("the same incidents, to the last change into Resolved", "last_change"),
                       ("plus the incidents resolved with no `resolved_at`", "with_unstamped"),
                       ("less the paused time (desk's measure)", "paused")):
        c, m, md = hours(steps[key])
        print(f"| {label} | {c:,} | {h(m)} | {h(md)} |")
    print(f"\n- resolved in the period by the rows: {why['resolved']:,} (with no `resolved_at`: {why['unstamped']:,}, "
          f"of which created straight in state Resolved: {why['created_resolved_unstamped']:,}); opened in the "
          f"period and never Resolved by its end: {why['never_resolved']:,}; Resolved at some time but not counted "
          f"(last resolved before the period, or reopened and not resolved again by its end): "
          f"{why['resolved_outside']:,}")
    print(f"- `resolved_at` differs from the last change into Resolved on {why['restamped']:,} incidents")
    print(f"- reopened (Resolved or Closed back to work) among the resolved: {why['reopened']:,}")
    print(f"- assignee replaced by another, over the resolved incidents' rows: {why['assignee_replaced']:,}")
    print(f"- over the rows of the incidents opened in the period: the group changed from one row to the next {why['group_changes']:,} times "
          f"({why['group_first']:,} of them from no group); `reassignment_count` totals {plain['reassignment_count']:,} "
          f"and is higher than the changes the rows show on {why['group_changes_short']:,} incidents; the log lacks "
          f"{why['missing_updates']:,} updates (gaps in `sys_mod_count`) of {why['incidents_missing_updates']:,} incidents")
    return 0


if __name__ == "__main__":
    sys.exit(main())
