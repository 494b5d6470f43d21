#!/usr/bin/env python3
"""Check a desk import of a ServiceNow incident event log against the log itself.

    servicenow_check.py LOG(.csv|.zip) EXPORT.json [--timezone ZONE] [--limit N] [--markdown FILE]
                        [--report REPORT.json]

LOG is read directly with Python's csv module (nothing of desk is used); EXPORT is what
`desk export --format json` wrote after `desk import servicenow LOG`. The figures compared:
tickets, tickets per priority, per state, per category, per contact type (and channel),
reopened tickets (by ServiceNow's counter and by the log rows), reassigned tickets, resolved and
closed times (per ticket both ways: every `resolved_at` of the log is desk's, and every desk
`resolved_at` the log leaves empty is the time the rows show the incident last became Resolved;
and the mean and median time to resolve). Exit status 0 when every figure agrees, 1 otherwise; the table of
figures goes to standard output (and to FILE as Markdown with --markdown).

With --report (what `desk report --format json` wrote for a period covering the whole log),
it also sets the report's volume, time to respond and resolve (calendar time), reopen and
reassignment figures beside the same measures computed from the log rows, and beside the
plain figures the log's own columns give (resolved_at - opened_at, reopen_count,
reassignment_count, made_sla); that table is informational (it does not change the exit
status).

The mapping tables below are the documented ones (share/doc/import.md); they are
written out here again on purpose, so that the check does not trust desk's copy.
"""
import argparse
import collections
import csv
import datetime as dt
import io
import json
import statistics
import sys
import zipfile
from zoneinfo import ZoneInfo

STATES = {
    "New": "new", "Active": "in_progress", "Awaiting User Info": "pending", "Awaiting Vendor": "pending",
    "Awaiting Problem": "pending", "Awaiting Evidence": "pending", "Resolved": "resolved", "Closed": "closed",
    "In Progress": "in_progress", "On Hold": "pending", "Canceled": "cancelled", "Cancelled": "cancelled",
}
PRIORITIES = {"1 - Critical": "P1", "2 - High": "P2", "3 - Moderate": "P3", "4 - Low": "P4", "5 - Planning": "P4"}
CHANNELS = {"Phone": "phone", "IVR": "phone", "Email": "email", "Self service": "portal", "Self-service": "portal",
            "Web": "portal", "Direct opening": "walk-in", "Walk-in": "walk-in", "Chat": "im", "Virtual Agent": "im"}


def read_rows(path, limit):
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as z:
            names = [n for n in z.namelist() if n.lower().endswith(".csv") and not n.startswith("__MACOSX/")
                     and not n.rsplit("/", 1)[-1].startswith("._")]
            text = z.read(names[0]).decode("utf-8")
    else:
        with open(path, encoding="utf-8", newline="") as f:
            text = f.read()
    incidents = collections.OrderedDict()
    for row in csv.DictReader(io.StringIO(text, newline="")):
        number = row["number"]
        if number not in incidents:
            if limit and len(incidents) >= limit:
                continue
            incidents[number] = []
        incidents[number].append(row)
    return incidents


def empty(v):
    return v in ("", "?")


def sn_time(text, zone):
    if empty(text):
        return None
    local = dt.datetime.strptime(text, "%d/%m/%Y %H:%M")
    return local.replace(tzinfo=zone)


def iso_time(text):
    return dt.datetime.fromisoformat(text) if text else None


def history_order(rows, zone):
    """The documented order of an incident's rows: by sys_mod_count, then time; a row whose
    sys_mod_count repeats another row's and whose time is earlier than the row before it is a
    misnumbered copy and goes where its time puts it."""
    rows = sorted(rows, key=lambda r: (int(r["sys_mod_count"]), sn_time(r["sys_updated_at"], zone)))
    mods = collections.Counter(r["sys_mod_count"] for r in rows)
    out = []
    for r in rows:
        at = sn_time(r["sys_updated_at"], zone)
        if mods[r["sys_mod_count"]] > 1 and out and at < sn_time(out[-1]["sys_updated_at"], zone):
            k = 0
            while k < len(out) and sn_time(out[k]["sys_updated_at"], zone) <= at:
                k += 1
            out.insert(k, r)
        else:
            out.append(r)
    return out


def csv_figures(incidents, zone):
    """Every figure straight from the log."""
    f = {"tickets": len(incidents), "priority": collections.Counter(), "state": collections.Counter(),
         "category": collections.Counter(), "contact_type": collections.Counter(), "channel": collections.Counter(),
         "reopened": set(), "reassigned": set(), "reassigned_sn": set(), "resolved": {}, "closed": {}, "opened": {},
         "made_sla": 0, "rows": 0, "reached_resolved": {}, "reopened_rows": set()}
    for number, rows in incidents.items():
        f["rows"] += len(rows)
        # In history order: the last change into Resolved (times as desk records them, never
        # before the previous update) and the changes from Resolved / Closed back to work.
        ordered = history_order(rows, zone)
        at, prev = sn_time(ordered[0]["opened_at"], zone) or sn_time(ordered[0]["sys_updated_at"], zone), None
        for r in ordered:
            at = max(at, sn_time(r["sys_updated_at"], zone))
            state = r["incident_state"]
            if state == "-100":
                continue
            if state == "Resolved" and prev != "Resolved":
                f["reached_resolved"][number] = at
            if prev in ("Resolved", "Closed") and state not in DONE:
                f["reopened_rows"].add(number)
            prev = state
        rows = sorted(rows, key=lambda r: (int(r["sys_mod_count"]), sn_time(r["sys_updated_at"], zone)))
        last = rows[-1]
        # Final state: the row with the latest update (the log's last word on the incident).
        final = max(rows, key=lambda r: (sn_time(r["sys_updated_at"], zone), int(r["sys_mod_count"])))
        f["priority"][PRIORITIES.get(last["priority"], "?")] += 1
        f["state"][STATES.get(final["incident_state"], final["incident_state"])] += 1
        f["category"][last["category"]] += 1
        f["contact_type"][last["contact_type"]] += 1
        f["channel"][CHANNELS.get(last["contact_type"], "portal")] += 1
        if int(last["reopen_count"] or 0) > 0:
            f["reopened"].add(number)
        if int(last["reassignment_count"] or 0) > 0:
            f["reassigned_sn"].add(number)
        groups = [r["assignment_group"] for r in rows]
        if any(not empty(a) and a != b for a, b in zip(groups, groups[1:])):
            f["reassigned"].add(number)
        f["opened"][number] = sn_time(last["opened_at"], zone)
        if not empty(last["resolved_at"]):
            f["resolved"][number] = sn_time(last["resolved_at"], zone)
        if not empty(last["closed_at"]):
            f["closed"][number] = sn_time(last["closed_at"], zone)
        if last["made_sla"] == "true":
            f["made_sla"] += 1
    return f


def desk_figures(export):
    """The same figures from desk's export."""
    f = {"tickets": 0, "priority": collections.Counter(), "state": collections.Counter(),
         "category": collections.Counter(), "contact_type": collections.Counter(), "channel": collections.Counter(),
         "reopened": set(), "reassigned": set(), "reassigned_sn": set(), "resolved": {}, "closed": {}, "opened": {},
         "made_sla": 0, "events": 0, "reopened_events": set()}
    for t in export["tickets"]:
        number = t.get("external_id")
        sn = t.get("servicenow", {})
        f["tickets"] += 1
        f["events"] += len(t["events"])
        f["priority"][t.get("priority", "?")] += 1
        f["state"][t.get("status")] += 1
        f["category"][t.get("category", "?")] += 1
        f["contact_type"][sn.get("contact_type", "?")] += 1
        f["channel"][t.get("channel")] += 1
        if int(t.get("reopen_count", 0)) > 0:
            f["reopened"].add(number)
        if int(sn.get("reassignment_count", 0)) > 0:
            f["reassigned_sn"].add(number)
        if any(e["action"] == "reopen" for e in t["events"]):
            f["reopened_events"].add(number)
        team = None
        for e in t["events"]:
            s = e.get("set", {})
            if e["action"] == "open":
                team = s.get("team")
            elif "team" in s:
                if team and s["team"] != team:
                    f["reassigned"].add(number)
                team = s["team"]
        f["opened"][number] = iso_time(t["created"])
        if t.get("resolved_at"):
            f["resolved"][number] = iso_time(t["resolved_at"])
        if t.get("closed_at"):
            f["closed"][number] = iso_time(t["closed_at"])
        if sn.get("made_sla") == "true":
            f["made_sla"] += 1
    return f


def hours(opened, done):
    return [(done[n] - opened[n]).total_seconds() / 3600 for n in done if n in opened and opened[n]]


def compare(log, desk):
    """Rows of (figure, from the log, from desk, agrees)."""
    rows = [("tickets", log["tickets"], desk["tickets"])]
    for key in ("priority", "state", "category", "contact_type", "channel"):
        if key == "category":
            rows.append((f"distinct categories", len(log[key]), len(desk[key])))
            rows.append((f"tickets per category (all {len(log[key])} equal)", "", "" if log[key] == desk[key] else "differ"))
            continue
        for value in sorted(set(log[key]) | set(desk[key])):
            rows.append((f"{key} {value}", log[key].get(value, 0), desk[key].get(value, 0)))
    rows.append(("reopened tickets", len(log["reopened"]), len(desk["reopened"])))
    rows.append(("reopened: same tickets", "", "" if log["reopened"] == desk["reopened"] else
                 f"differ: {sorted(log['reopened'] ^ desk['reopened'])[:5]}"))
    rows.append(("reopened in the log rows (Resolved/Closed → work) / desk reopen events",
                 len(log["reopened_rows"]), len(desk["reopened_events"])))
    rows.append(("reopened (rows / events): same tickets", "", "" if log["reopened_rows"] == desk["reopened_events"] else
                 f"differ: {sorted(log['reopened_rows'] ^ desk['reopened_events'])[:5]}"))
    rows.append(("reassigned tickets (group changed in the log)", len(log["reassigned"]), len(desk["reassigned"])))
    rows.append(("reassigned: same tickets", "", "" if log["reassigned"] == desk["reassigned"] else
                 f"differ: {sorted(log['reassigned'] ^ desk['reassigned'])[:5]}"))
    rows.append(("reassignment_count > 0 (ServiceNow's own counter)", len(log["reassigned_sn"]), len(desk["reassigned_sn"])))
    rows.append(("made_sla true", log["made_sla"], desk["made_sla"]))
    rows.append(("tickets with resolved_at in the log", len(log["resolved"]),
                 sum(1 for n in log["resolved"] if n in desk["resolved"])))
    same_resolved = sum(1 for n, t in log["resolved"].items() if desk["resolved"].get(n) == t)
    rows.append(("resolved_at equal, ticket by ticket", len(log["resolved"]), same_resolved))
    rows.append(("incidents that reached Resolved / desk tickets with resolved_at", len(log["reached_resolved"]),
                 len(desk["resolved"])))
    rows.append(("resolved: same tickets", "", "" if set(log["reached_resolved"]) == set(desk["resolved"]) else
                 f"differ: {sorted(set(log['reached_resolved']) ^ set(desk['resolved']))[:5]}"))
    unstamped = {n: t for n, t in log["reached_resolved"].items() if n not in log["resolved"]}
    rows.append(("resolved_at empty in the log: desk's = last change into Resolved", len(unstamped),
                 sum(1 for n, t in unstamped.items() if desk["resolved"].get(n) == t)))
    rows.append(("tickets with closed_at", len(log["closed"]), len(desk["closed"])))
    same_closed = sum(1 for n, t in log["closed"].items() if desk["closed"].get(n) == t)
    rows.append(("closed_at equal, ticket by ticket", len(log["closed"]), same_closed))
    lh = hours(log["opened"], log["resolved"])
    dh = hours(desk["opened"], {n: desk["resolved"][n] for n in log["resolved"] if n in desk["resolved"]})
    if lh and dh:
        rows.append(("time to resolve, mean (h, calendar)", round(statistics.mean(lh), 2), round(statistics.mean(dh), 2)))
        rows.append(("time to resolve, median (h, calendar)", round(statistics.median(lh), 2),
                     round(statistics.median(dh), 2)))
    return [(name, a, b, a == b) for name, a, b in rows]


PAUSING = {"Awaiting User Info", "Awaiting Vendor", "On Hold"}  # config pause_on: awaiting-user, awaiting-vendor
DONE = {"Resolved", "Closed", "Canceled", "Cancelled"}


def stats(values):
    """mean and median (the mean of the two middle values), in whole seconds, like desk report."""
    if not values:
        return None, None
    values = sorted(values)
    n = len(values)
    median = values[n // 2] if n % 2 else (values[n // 2 - 1] + values[n // 2]) / 2
    return round(statistics.mean(values)), round(median)


def report_measures(incidents, zone):
    """desk report's measures, computed from the log rows with the report's definitions."""
    m = {"opened": 0, "resolved": 0, "closed": 0, "respond": [], "resolve": [], "resolve_unpaused": [],
         "reopened": 0, "reassignments": 0, "plain_resolve": [], "reopen_count": 0, "reassignment_count": 0,
         "reassignment_count_sum": 0, "made_sla": 0, "group_changes": 0}
    for number, rows in incidents.items():
        rows = history_order(rows, zone)
        opened = sn_time(rows[0]["opened_at"], zone) or sn_time(rows[0]["sys_updated_at"], zone)
        m["opened"] += 1
        last = rows[-1]
        # Times as desk records them: never before the previous update.
        times, t = [], opened
        for r in rows:
            t = max(t, sn_time(r["sys_updated_at"], zone))
            times.append(t)
        states = [r["incident_state"] for r in rows]
        # Respond: the first update after the one that created the incident.
        if states[0] != "New":
            m["respond"].append((times[0] - opened).total_seconds())
        elif len(rows) > 1:
            m["respond"].append((times[1] - opened).total_seconds())
        # The last change into Resolved; the pauses before it.
        final_resolve, pauses, pause_start, prev = None, [], None, "New"
        for i, (state, at) in enumerate(zip(states, times)):
            if state == "-100":
                continue
            if state == "Resolved" and prev != "Resolved":
                final_resolve = at
            pausing = state in PAUSING or state == "Resolved"
            if pausing and pause_start is None:
                pause_start = at
            elif not pausing and pause_start is not None:
                pauses.append((pause_start, at, prev))
                pause_start = None
            if prev in DONE and state not in DONE:
                m["reopened_any"] = m.get("reopened_any", 0) + 1
            prev = state
        if pause_start is not None:  # still paused after the last row: the pause runs on
            pauses.append((pause_start, times[-1] + dt.timedelta(days=36500), prev))
        reopened = any(a in ("Resolved", "Closed") and b not in DONE and b != "-100"
                       for a, b in zip([s for s in states if s != "-100"], [s for s in states if s != "-100"][1:]))
        if final_resolve is not None and prev in ("Resolved", "Closed"):
            m["resolved"] += 1
            m["reopened"] += reopened
            total = (final_resolve - opened).total_seconds()
            paused = sum(max(0.0, (min(b, final_resolve) - max(a, opened)).total_seconds())
                         for a, b, _ in pauses if a < final_resolve)
            m["resolve"].append(max(0.0, total - paused))
            m["resolve_unpaused"].append(max(0.0, total))
            # Assignee changes, as desk report counts them (a set assignee replaced by another).
            who = ""
            for r in rows:
                a = "" if empty(r["assigned_to"]) else r["assigned_to"]
                if who and a and a != who:
                    m["reassignments"] += 1
                if a:
                    who = a
        if prev == "Closed":
            m["closed"] += 1
        if not empty(last["resolved_at"]):
            m["plain_resolve"].append((sn_time(last["resolved_at"], zone) - opened).total_seconds())
        m["reopen_count"] += int(last["reopen_count"] or 0) > 0
        m["reassignment_count"] += int(last["reassignment_count"] or 0) > 0
        m["reassignment_count_sum"] += int(last["reassignment_count"] or 0)
        m["made_sla"] += last["made_sla"] == "true"
    return m


def hm(seconds):
    return "" if seconds is None else f"{seconds / 3600:.2f} h"


def report_rows(m, report):
    """(measure, desk report, same measure from the log rows, the log's plain figure)."""
    t = report["totals"]
    res = t["resolution"]
    rows = [
        ("opened", t["volume"]["opened"], m["opened"], m["opened"]),
        ("resolved", t["volume"]["resolved"], m["resolved"], f"{len(m['plain_resolve'])} with resolved_at"),
        ("closed", t["volume"]["closed"], m["closed"], ""),
    ]
    mean, median = stats(m["respond"])
    rows.append(("time to respond, mean (calendar)", hm(t["respond"]["calendar"]["mean"]), hm(mean), ""))
    rows.append(("time to respond, median (calendar)", hm(t["respond"]["calendar"]["median"]), hm(median), ""))
    mean, median = stats(m["resolve"])
    pmean, pmedian = stats(m["plain_resolve"])
    umean, umedian = stats(m["resolve_unpaused"])
    rows.append(("time to resolve, mean (calendar, paused time deducted)", hm(t["resolve"]["calendar"]["mean"]),
                 hm(mean), f"{hm(pmean)} (resolved_at - opened_at); {hm(umean)} without deducting pauses"))
    rows.append(("time to resolve, median (calendar, paused time deducted)", hm(t["resolve"]["calendar"]["median"]),
                 hm(median), f"{hm(pmedian)} (resolved_at - opened_at); {hm(umedian)} without deducting pauses"))
    rows.append(("time to resolve, mean (business hours)", hm(t["resolve"]["business"]["mean"]), "", ""))
    rows.append(("time to resolve, median (business hours)", hm(t["resolve"]["business"]["median"]), "", ""))
    rows.append(("SLA respond met", f"{t['sla']['respond']['compliance']:.1%}", "", ""))
    rows.append(("SLA resolve met", f"{t['sla']['resolve']['compliance']:.1%}", "",
                 f"made_sla true: {m['made_sla'] / m['opened']:.1%}"))
    rows.append(("reopened (of resolved)", f"{res['reopened']} ({res['reopened_rate']:.1%})",
                 f"{m['reopened']} ({m['reopened'] / max(1, m['resolved']):.1%})",
                 f"reopen_count > 0: {m['reopen_count']} ({m['reopen_count'] / m['opened']:.1%})"))
    rows.append(("reassignments (assignee replaced)", f"{res['reassignments']} ({res['reassignments_per_ticket']:.2f} per ticket)",
                 f"{m['reassignments']} ({m['reassignments'] / max(1, m['resolved']):.2f} per ticket)",
                 f"reassignment_count (group changes): {m['reassignment_count_sum']} in total, "
                 f"{m['reassignment_count']} tickets"))
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("log")
    ap.add_argument("export")
    ap.add_argument("--timezone", default="UTC")
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--markdown")
    ap.add_argument("--report")
    args = ap.parse_args()
    zone = ZoneInfo(args.timezone)
    incidents = read_rows(args.log, args.limit)
    log = csv_figures(incidents, zone)
    with open(args.export, encoding="utf-8") as f:
        desk = desk_figures(json.load(f))
    rows = compare(log, desk)
    width = max(len(r[0]) for r in rows)
    bad = 0
    for name, a, b, ok in rows:
        bad += not ok
        print(f"{name:<{width}}  {a!s:>10}  {b!s:>10}  {'ok' if ok else 'DIFFERS'}")
    print(f"{len(rows) - bad} of {len(rows)} figures agree ({log['rows']} rows, {desk['events']} desk events)")
    if args.markdown:
        with open(args.markdown, "w", encoding="utf-8") as f:
            f.write("| figure | from the CSV | from desk | |\n|---|---:|---:|---|\n")
            for name, a, b, ok in rows:
                f.write(f"| {name} | {a} | {b} | {'=' if ok else '≠'} |\n")
    if args.report:
        with open(args.report, encoding="utf-8") as f:
            report = json.load(f)
        table = report_rows(report_measures(incidents, zone), report)
        print()
        print("| measure | desk report | same measure from the log rows | the log's own columns |")
        print("|---|---:|---:|---|")
        for row in table:
            print("| " + " | ".join(str(c) for c in row) + " |")
    return 0 if bad == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
