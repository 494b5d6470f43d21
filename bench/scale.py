#!/usr/bin/env python3
"""desk at 10,000 and 100,000 tickets against Taskwarrior at 10,000 and 50,000 tasks.

Run through bench/scale.sh (which installs taskwarrior and GNU time when missing):

    bash bench/scale.sh [DESK_BINARY] [DESK_SIZES...]      # default build/desk 10000 100000
    QUICK=1 bash bench/scale.sh                            # 1,000 tickets and tasks, 3 runs

Environment: QUICK=1, TASK_SIZES="10000 50000", RUNS=7, CACHE=/tmp/desk-bench-repos,
TASK_PENDING=all (every task pending instead of the tickets' open/closed mix), KEEP=1
(keep the work directory), OUT=FILE (default scale-DATE[-quick].md in the working directory;
the current figures are kept in bench/README.md).

What it does, per desk size N:
- a repository of N tickets from bench/gen_tickets.py in CACHE/N (a git repository with one
  commit, reused while the generator, the size and the seed are the same), cloned twice
  into a work directory (A, where everything is timed, and B, the colleague);
- every operation is run once untimed under GNU time (warms the file cache; its %M is the
  peak RSS) and then RUNS times started directly (GNU time's own start is not in the
  figure); the figure is the median wall time;
- `reindex` runs with .desk/cache/ removed before every run (a cold rebuild, warm files);
- after git pull: B changes 100 open tickets with desk (log, assign, edit, resolve), commits;
  A pulls and the first `desk list` is timed, once per cycle, RUNS cycles (and one more
  under GNU time for the memory); every such
  list must print exactly what `DESK_INDEX=off desk list` prints;
- at the end, list (default, filtered, json, --all json), sla and report must print the
  same with and without the index (the index is never allowed to be stale).
Per Taskwarrior size M: the same items (bench/gen_tasks.py) imported once into CACHE/task-M,
copied into the work directory, then count, list, a filtered list, export, info, add and
annotate timed the same way, with rc.gc=off, rc.confirmation=off, rc.verbose=nothing.
"""
import argparse
import difflib
import hashlib
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
GNU_TIME = "/usr/bin/time"
NOW = "2026-11-27T10:00:00+08:00"
SEED = 1
OPEN = {"new", "triaged", "assigned", "in_progress", "pending", "escalated", "reopened"}
AGENTS = ["李娜", "王伟", "陈静", "刘洋", "张敏", "alice", "bob", "carol", "dave", "erin"]

GIT_ENV = {"GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@example.com",
           "GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "bench@example.com",
           "GIT_CONFIG_NOSYSTEM": "1"}


def log(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def base_env(extra=None):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("DESK_", "TASK", "GIT_")) and k not in ("NO_COLOR", "VISUAL", "EDITOR")}
    env.update(GIT_ENV)
    env.update(extra or {})
    return env


def run(cmd, env=None, cwd=None, ok=(0,), capture=True, what=None):
    p = subprocess.run(cmd, env=env, cwd=cwd, stdout=subprocess.PIPE if capture else subprocess.DEVNULL,
                       stderr=subprocess.PIPE)
    if p.returncode not in ok:
        raise SystemExit(f"failed ({p.returncode}): {what or ' '.join(map(str, cmd))}\n"
                         f"{p.stderr.decode(errors='replace')[-2000:]}")
    return p.stdout.decode(errors="replace") if capture else ""


class Timer:
    def __init__(self, runs, workdir):
        self.runs = runs
        self.tfile = Path(workdir) / "gnu-time.out"
        self.ofile = Path(workdir) / "stdout.out"

    def _run(self, argv, env, ok, prepare):
        if prepare:
            prepare()
        with open(self.ofile, "wb") as out:
            t0 = time.perf_counter()
            p = subprocess.Popen(argv, env=env, stdout=out, stderr=subprocess.PIPE)
            err = p.stderr.read()
            _pid, status, usage = os.wait4(p.pid, 0)
            t1 = time.perf_counter()
            p.returncode = os.waitstatus_to_exitcode(status)
            p.stderr.close()
        if p.returncode not in ok:
            raise SystemExit(f"failed ({p.returncode}): {' '.join(map(str, argv))}\n"
                             f"{err.decode(errors='replace')[-2000:]}")
        return (t1 - t0) * 1000, usage.ru_maxrss, self.ofile.read_bytes()

    def once(self, cmd, env, ok=(0,), prepare=None):
        """One timed run, the command started directly (no GNU time process to start first):
        (wall ms, stdout). Its ru_maxrss is not used: a child forked from Python carries the
        parent's high-water mark across exec."""
        ms, _, out = self._run(cmd, env, ok, prepare)
        return ms, out

    def gnu_time(self, cmd, env, ok=(0,), prepare=None):
        """One run under GNU time: (wall ms including GNU time's own start, %M in KiB, stdout)."""
        ms, _, out = self._run([GNU_TIME, "-f", "%M", "-o", str(self.tfile), *cmd], env, ok, prepare)
        return ms, int(self.tfile.read_text().strip().splitlines()[-1]), out

    def measure(self, cmd, env, ok=(0,), prepare=None, warm=1):
        """Median of RUNS timed runs after WARM untimed ones under GNU time, whose %M (the
        largest) is the peak memory."""
        times, peak = [], 0
        for _ in range(warm):
            _, kib, _ = self.gnu_time(cmd, env, ok, prepare)
            peak = max(peak, kib)
        for _ in range(self.runs):
            ms, _ = self.once(cmd, env, ok, prepare)
            times.append(ms)
        return {"ms": statistics.median(times), "min": min(times), "max": max(times), "mib": peak / 1024,
                "n": len(times)}


def tickets_by_status(repo):
    """id -> (status, path) by reading the files' `status:` lines (independent of desk)."""
    out = {}
    for path in (Path(repo) / "tickets").glob("*/*/*.yaml"):
        with open(path, encoding="utf-8") as f:
            for line in f:
                if line.startswith("status: "):
                    out[path.stem] = (line[8:].strip(), path)
                    break
    return out


def status_of(path):
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("status: "):
                return line[8:].strip()
    return ""


def stamp_of(*parts):
    h = hashlib.sha256()
    for p in parts:
        h.update(p if isinstance(p, bytes) else str(p).encode())
    return h.hexdigest()


def human(n):
    return f"{n // 1000}k" if n >= 1000 and n % 1000 == 0 else str(n)


# ----------------------------------------------------------------------------- desk

def desk_repo(desk, n, cache):
    """CACHE/N: a git repository of N generated tickets, one commit; made when missing."""
    repo = cache / str(n)
    stamp = stamp_of((HERE / "gen_tickets.py").read_bytes(), n, SEED, NOW)
    stamp_file = cache / f"{n}.stamp"
    if (repo / ".git").is_dir() and stamp_file.exists() and stamp_file.read_text() == stamp:
        log(f"desk {n}: reusing {repo}")
        return repo
    log(f"desk {n}: generating {repo} (gen_tickets.py)")
    shutil.rmtree(repo, ignore_errors=True)
    stamp_file.unlink(missing_ok=True)
    cache.mkdir(parents=True, exist_ok=True)
    env = base_env({"DESK_USER": "bench", "DESK_NOW": NOW, "NO_COLOR": "1"})
    # Initialised outside git, so git.autocommit stays off; made sure below.
    run([desk, "init", str(repo), "--timezone", "Asia/Shanghai"], env=env)
    cfg = repo / ".desk" / "config.yaml"
    text = cfg.read_text(encoding="utf-8")
    text, k = re.subn(r"(?m)^(\s*autocommit:\s*)\S+", r"\1false", text)
    if k != 1:
        raise SystemExit(f"{cfg}: no git.autocommit setting to turn off")
    cfg.write_text(text, encoding="utf-8")
    run(["nice", "-n", "10", sys.executable, str(HERE / "gen_tickets.py"), str(repo), str(n), "--seed", str(SEED),
         "--now", NOW], env=env)
    run(["git", "-c", "init.defaultBranch=main", "init", "-q", str(repo)], env=base_env())
    log(f"desk {n}: git add + commit")
    run(["git", "-C", str(repo), "add", "-A"], env=base_env())
    run(["git", "-C", str(repo), "-c", "gc.auto=0", "commit", "-q", "-m", f"bench: {n} generated tickets"],
        env=base_env())
    stamp_file.write_text(stamp)
    return repo


def compare(desk, repo, args, env, label, checks, ok=(0,), indexed_out=None):
    """The command's output through the index and with DESK_INDEX=off must be equal."""
    cmd = [desk, "-C", str(repo), *args]
    log(f"check: {label}")
    got = indexed_out if indexed_out is not None else run(cmd, env=env, ok=ok, what=label)
    want = run(cmd, env={**env, "DESK_INDEX": "off"}, ok=ok, what=label + " (DESK_INDEX=off)")
    same = got == want
    diff = "" if same else "".join(list(difflib.unified_diff(
        want.splitlines(True), got.splitlines(True), "DESK_INDEX=off", "index", n=1))[:60])
    checks.append({"what": label, "same": same, "diff": diff, "lines": want.count("\n")})
    if not same:
        log(f"MISMATCH: {label}\n{diff}")
    return same


def bench_desk(desk, n, cache, work, timer, pull_cycles, doctor_max):
    repo = desk_repo(desk, n, cache)
    a, b = work / f"desk-{n}-a", work / f"desk-{n}-b"
    log(f"desk {n}: cloning A and B")
    run(["git", "clone", "-q", str(repo), str(a)], env=base_env())
    run(["git", "clone", "-q", str(repo), str(b)], env=base_env())
    env = base_env({"DESK_USER": "bench", "DESK_NOW": NOW, "NO_COLOR": "1"})
    D = [desk, "-C", str(a)]
    res, checks, facts = {}, [], {}

    statuses = tickets_by_status(a)
    facts["tickets"] = len(statuses)
    facts["open"] = sum(1 for s, _ in statuses.values() if s in OPEN)
    facts["resolved"] = sum(1 for s, _ in statuses.values() if s in ("resolved", "confirmed"))
    facts["mib_files"] = sum(p.stat().st_size for _, p in statuses.values()) / 2**20
    if n <= doctor_max:
        log(f"desk {n}: doctor")
        run(D + ["doctor"], env=env, what="desk doctor")
        facts["doctor"] = "passes"

    log(f"desk {n}: reindex (cold)")
    res["reindex"] = timer.measure(D + ["reindex"], env, prepare=lambda: shutil.rmtree(a / ".desk" / "cache",
                                                                                     ignore_errors=True))
    reads = [("list", ["list"], (0,)),
             ("filtered", ["list", "--priority", "P1", "--category", "network"], (0,)),
             ("json", ["list", "--format", "json"], (0,)),
             ("sla", ["sla"], (0, 1)),
             ("report", ["report"], (0,))]
    for key, args, ok in reads:
        log(f"desk {n}: {' '.join(args)}")
        res[key] = timer.measure(D + args, env, ok=ok)

    # The ticket show and log work on: an open one, which `log` accepts.
    open_ids = sorted(i for i, (s, _) in statuses.items() if s in OPEN)
    target = open_ids[len(open_ids) // 2]
    log(f"desk {n}: show {target}")
    res["show"] = timer.measure(D + ["show", target], env)

    # After git pull: B changes up to 100 open tickets and commits; A pulls; the first list.
    pull_times, pull_peak, changed = [], 0, []
    # One more cycle than timed: the last one runs the list under GNU time, for its memory.
    for cycle in range(pull_cycles + 1):
        b_status = {i: s for i, (s, _) in tickets_by_status(b).items()}
        pool = sorted(i for i, s in b_status.items() if (s in OPEN or s == "resolved") and i != target)
        step = max(1, len(pool) // 100)
        chosen = pool[(cycle * 7) % step::step][:100]
        for k, tid in enumerate(chosen):
            s = b_status[tid]
            kind = k % 10
            if kind in (6, 7) and s in ("triaged", "reopened", "assigned", "escalated", "in_progress"):
                args = ["assign", tid, "--to", AGENTS[(k + cycle) % len(AGENTS)]]
            elif kind == 8 and s != "resolved":
                args = ["edit", tid, "--title", f"变更 {cycle}-{k}: updated title / 标题已更新"]
            elif kind == 9 and s in ("new", "triaged", "in_progress"):
                args = ["resolve", tid, "--solution", "重启服务后恢复 (bench)", "--verified-by", "李娜"]
            else:
                args = ["log", tid, "-m", f"pull cycle {cycle}: 远程检查 / checked remotely", "--minutes", "5"]
            run([desk, "-C", str(b), *args], env={**env, "DESK_USER": AGENTS[k % len(AGENTS)]},
                what=f"desk {' '.join(args)} (in B)")
        changed.append(len(chosen))
        run(["git", "-C", str(b), "add", "-A"], env=base_env())
        run(["git", "-C", str(b), "-c", "gc.auto=0", "commit", "-q", "-m", f"bench: cycle {cycle}"], env=base_env())
        run(["git", "-C", str(a), "-c", "gc.auto=0", "pull", "-q", "--ff-only", str(b), "HEAD"], env=base_env())
        if cycle < pull_cycles:
            ms, out = timer.once(D + ["list"], env)
            pull_times.append(ms)
        else:
            ms, kib, out = timer.gnu_time(D + ["list"], env)
            pull_peak = kib
        compare(desk, a, ["list"], env, f"list after pull {cycle + 1} ({len(chosen)} tickets changed)", checks,
                indexed_out=out.decode(errors="replace"))
        log(f"desk {n}: pull cycle {cycle + 1}: {len(chosen)} changed, first list {ms:.0f} ms")
    res["pull"] = {"ms": statistics.median(pull_times), "min": min(pull_times), "max": max(pull_times),
                   "mib": pull_peak / 1024, "n": len(pull_times)}
    facts["pull_changed"] = changed

    log(f"desk {n}: open")
    res["open"] = timer.measure(D + ["open", "-q", "--title", "打印机卡纸 / printer jams on 2F",
                                     "--description", "从今天早上开始，二楼打印机一直卡纸。\nPaper jams on every job.",
                                     "--reporter", "张三", "--department", "财务部", "--channel", "phone",
                                     "--impact", "department", "--urgency", "high", "--affected", "HP-2F-03"], env)
    log(f"desk {n}: log {target}")
    res["log"] = timer.measure(D + ["log", target, "-m", "x"], env)
    if run(["git", "-C", str(a), "status", "--porcelain", "--untracked-files=no"], env=base_env()).strip() == "":
        raise SystemExit("desk log changed nothing in git's view")
    if run(["git", "-C", str(a), "rev-list", "--count", "HEAD"], env=base_env()).strip() != str(2 + pull_cycles):
        raise SystemExit("desk made commits although git.autocommit is off")

    log(f"desk {n}: checking every listing against DESK_INDEX=off")
    for label, args, ok in [("list", ["list"], (0,)),
                            ("list --priority P1 --category network",
                             ["list", "--priority", "P1", "--category", "network"], (0,)),
                            ("list --format json", ["list", "--format", "json"], (0,)),
                            ("list --all --format json", ["list", "--all", "--format", "json"], (0,)),
                            ("sla", ["sla"], (0, 1)),
                            ("report", ["report"], (0,)),
                            ("report --since 2025-01-01 --by month --format json",
                             ["report", "--since", "2025-01-01", "--by", "month", "--format", "json"], (0,))]:
        compare(desk, a, args, env, label + " (end)", checks, ok=ok)
    return res, checks, facts


# ----------------------------------------------------------------------------- Taskwarrior

def taskrc(path, data):
    path.write_text(f"data.location={data}\nconfirmation=off\nverbose=nothing\ngc=off\nhooks=off\ncolor=off\n"
                    f"detection=off\ndefaultwidth=160\n")


def task_data(m, cache, all_pending):
    """CACHE/task-M: a Taskwarrior data directory with M imported tasks; made when missing."""
    name = f"task-{m}" + ("-pending" if all_pending else "")
    data = cache / name
    stamp = stamp_of((HERE / "gen_tickets.py").read_bytes(), (HERE / "gen_tasks.py").read_bytes(), m, SEED, NOW,
                     all_pending)
    stamp_file = cache / f"{name}.stamp"
    if (data / "pending.data").exists() and stamp_file.exists() and stamp_file.read_text() == stamp:
        log(f"task {m}: reusing {data}")
        return data
    shutil.rmtree(data, ignore_errors=True)
    stamp_file.unlink(missing_ok=True)
    data.mkdir(parents=True)
    js = cache / f"{name}.json"
    log(f"task {m}: generating {js}")
    run(["nice", "-n", "10", sys.executable, str(HERE / "gen_tasks.py"), str(js), str(m), "--seed", str(SEED),
         "--now", NOW] + (["--all-pending"] if all_pending else []))
    rc = cache / f"{name}.rc"
    taskrc(rc, data)
    env = base_env({"TASKRC": str(rc), "TASKDATA": str(data)})
    log(f"task {m}: task import (one file)")
    t0 = time.perf_counter()
    run(["nice", "-n", "10", "task", "import", str(js)], env=env, capture=False)
    log(f"task {m}: imported in {time.perf_counter() - t0:.1f} s; garbage collection")
    run(["task", "rc.gc=on", "count"], env=env)
    js.unlink()
    stamp_file.write_text(stamp)
    return data


def bench_task(m, cache, work, timer, all_pending):
    src = task_data(m, cache, all_pending)
    data = work / f"task-{m}"
    shutil.copytree(src, data)
    rc = work / f"task-{m}.rc"
    taskrc(rc, data)
    env = base_env({"TASKRC": str(rc), "TASKDATA": str(data)})
    facts = {"pending": int(run(["task", "status:pending", "count"], env=env).strip()),
             "completed": int(run(["task", "status:completed", "count"], env=env).strip()),
             "mib_files": sum(p.stat().st_size for p in data.iterdir()) / 2**20}
    res = {}
    ops = [("count", ["count"], (0,)),
           ("list", ["list"], (0, 1)),
           ("filtered", ["project:network", "priority:H", "list"], (0, 1)),
           ("export", ["export"], (0,)),
           ("info", ["1", "info"], (0,)),
           ("add", ["add", "打印机卡纸 / printer jams on 2F", "project:end-user-device", "priority:M", "+phone"], (0,)),
           ("annotate", ["1", "annotate", "x"], (0,))]
    for key, args, ok in ops:
        log(f"task {m}: task {' '.join(args)}")
        res[key] = timer.measure(["task", *args], env, ok=ok)
    return res, facts


# ----------------------------------------------------------------------------- table

ROWS = [
    ("open a ticket / add a task", "open", "`open` (no git)", "add", "`add`"),
    ("show one", "show", "`show ID`", "info", "`ID info`"),
    ("one change", "log", "`log ID -m x`", "annotate", "`ID annotate x`"),
    ("default list", "list", "`list`", "list", "`list`"),
    ("filtered list", "filtered", "`list --priority P1 --category network`", "filtered",
     "`project:network priority:H list`"),
    ("JSON", "json", "`list --format json`", "export", "`export`"),
    ("count", None, "", "count", "`count`"),
    ("SLA", "sla", "`sla`", None, ""),
    ("service report", "report", "`report`", None, ""),
    ("cold index rebuild", "reindex", "`reindex` (index removed)", None, ""),
    ("after `git pull` of 100 changed tickets¹", "pull", "first `list`", None, ""),
]


def cell(r):
    if r is None:
        return "—"
    ms = r["ms"]
    t = f"{ms:.0f}" if ms >= 100 else f"{ms:.1f}"
    return f"{t} ms · {r['mib']:.1f} MiB"


def table(desk_res, task_res, desk_sizes, task_sizes):
    head = ["operation", "desk", "task"] + [f"desk {human(n)}" for n in desk_sizes] + \
           [f"task {human(m)}" for m in task_sizes]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * 3 + "---:|" * (len(head) - 3)]
    for label, dk, dcmd, tk, tcmd in ROWS:
        cells = [label, dcmd or "—", tcmd or "—"]
        cells += [cell(desk_res[n].get(dk)) if dk else "—" for n in desk_sizes]
        cells += [cell(task_res[m].get(tk)) if tk else "—" for m in task_sizes]
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", "Each cell: median ms · peak MiB. ¹ Open tickets changed in another clone by desk (log, "
              "assign, edit, resolve), committed, pulled; 100, or every open one when fewer (small runs)."]
    return "\n".join(lines)


def machine():
    cpu = ""
    try:
        cpu = next(l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name"))
    except (OSError, StopIteration):
        pass
    mem = 0
    try:
        mem = int(next(l.split()[1] for l in open("/proc/meminfo") if l.startswith("MemTotal"))) // 1024
    except (OSError, StopIteration):
        pass
    return f"{os.cpu_count()} cores ({cpu}), {mem} MiB RAM, {platform.system()} {platform.release()}"


def loadavg():
    try:
        return " ".join(open("/proc/loadavg").read().split()[:3])
    except OSError:
        return "?"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--desk", default=str(HERE.parent / "build" / "desk"))
    ap.add_argument("--sizes", type=int, nargs="*", default=[10000, 100000])
    ap.add_argument("--task-sizes", type=int, nargs="*", default=[10000, 50000])
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--pull-cycles", type=int, default=None, help="default: --runs")
    ap.add_argument("--cache", default="/tmp/desk-bench-repos")
    ap.add_argument("--out", default=None)
    ap.add_argument("--quick", action="store_true", help="label the results file as a quick run")
    ap.add_argument("--doctor-max", type=int, default=10000, help="run desk doctor up to this size")
    ap.add_argument("--task-all-pending", action="store_true")
    ap.add_argument("--keep", action="store_true")
    a = ap.parse_args()

    desk = str(Path(a.desk).resolve())
    if not os.access(desk, os.X_OK):
        raise SystemExit(f"no desk binary at {desk} (give its path as the first argument)")
    for tool in (GNU_TIME, shutil.which("task") or "task"):
        if not os.access(tool, os.X_OK):
            raise SystemExit(f"missing {tool}: run through bench/scale.sh, which installs it")
    cache = Path(a.cache)
    cache.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="desk-bench-work.", dir="/tmp"))
    timer = Timer(a.runs, work)
    started = time.time()
    load_start = loadavg()
    try:
        overhead = timer.measure(["/bin/true"], base_env(), warm=1)
        desk_res, desk_checks, desk_facts = {}, {}, {}
        for n in a.sizes:
            desk_res[n], desk_checks[n], desk_facts[n] = bench_desk(desk, n, cache, work, timer,
                                                                    a.pull_cycles or a.runs, a.doctor_max)
            if not a.keep:   # rm, many times faster than shutil.rmtree on 200,000 files
                run(["rm", "-rf", str(work / f"desk-{n}-a"), str(work / f"desk-{n}-b")])
        task_res, task_facts = {}, {}
        for m in a.task_sizes:
            task_res[m], task_facts[m] = bench_task(m, cache, work, timer, a.task_all_pending)
    finally:
        if not a.keep:
            run(["rm", "-rf", str(work)])
        else:
            log(f"kept {work}")

    task_version = run(["task", "--version"]).strip()
    today = date.today().isoformat()
    out = Path(a.out) if a.out else Path.cwd() / f"scale-{today}{'-quick' if a.quick else ''}.md"
    tbl = table(desk_res, task_res, a.sizes, a.task_sizes)
    all_checks = [(n, c) for n in a.sizes for c in desk_checks[n]]
    bad = [(n, c) for n, c in all_checks if not c["same"]]
    notes = [f"# desk vs Taskwarrior at scale — {today}{' (quick run)' if a.quick else ''}", "",
             "Median wall time over "
             f"{a.runs} runs after one untimed run (warm file cache) · peak RSS (GNU time %M). "
             "Produced by `bash bench/scale.sh`.", "", tbl, "",
             "## Setup", "",
             f"- Machine: {machine()}; load average {load_start} at the start, {loadavg()} at the end "
             f"(other work was running: figures are noisy). Total run {time.time() - started:.0f} s.",
             f"- desk: `{desk}` ({run([desk, '--version']).strip()}, {os.path.getsize(desk) / 2**20:.0f} MiB, "
             f"sha256 {hashlib.sha256(Path(desk).read_bytes()).hexdigest()[:12]}, built "
             f"{time.strftime('%Y-%m-%d %H:%M', time.localtime(os.path.getmtime(desk)))}); DESK_NOW={NOW}; "
             "git.autocommit off; stdout to a file.",
             f"- Taskwarrior: {task_version}, rc.gc=off, rc.confirmation=off, rc.verbose=nothing, hooks off.",
             f"- Timed runs start the command directly (Python, wall clock from spawn to wait4); peak "
             f"memory is GNU time's %M of the untimed warm-up run (the pull case: of one extra, untimed "
             f"cycle). Starting `/bin/true` the same way takes {overhead['ms']:.1f} ms here: the floor "
             f"of every figure on this machine at this load.",
             "- `after git pull`: median over the cycles of the first `desk list` after pulling a commit "
             "from another clone in which desk changed up to 100 open tickets (log, assign, edit title, "
             "resolve); one sample per cycle."]
    for n in a.sizes:
        f = desk_facts[n]
        notes.append(f"- desk {human(n)}: {f['tickets']} tickets from bench/gen_tickets.py (two years to "
                     f"DESK_NOW, seed {SEED}), {f['open']} open and {f['resolved']} resolved/confirmed (what "
                     f"`list` shows), {f['mib_files']:.0f} MiB of YAML; doctor {f.get('doctor', 'not run')}; "
                     f"tickets changed per pull cycle: {f['pull_changed']} (the last one for memory only).")
    for m in a.task_sizes:
        f = task_facts[m]
        notes.append(f"- task {human(m)}: the same items (bench/gen_tasks.py{', all pending' if a.task_all_pending else ''}): "
                     f"{f['pending']} pending, {f['completed']} completed, {f['mib_files']:.0f} MiB of data files.")
    notes += ["", "## Spread (min–max ms)", "",
              "| operation | " + " | ".join(f"desk {human(n)}" for n in a.sizes) + " | " +
              " | ".join(f"task {human(m)}" for m in a.task_sizes) + " |",
              "|---|" + "---:|" * (len(a.sizes) + len(a.task_sizes))]
    for label, dk, _dcmd, tk, _tcmd in ROWS:
        def mm(r):
            return f"{r['min']:.1f}–{r['max']:.1f}" if r else "—"
        notes.append(f"| {label} | " + " | ".join(mm(desk_res[n].get(dk)) if dk else "—" for n in a.sizes) + " | " +
                     " | ".join(mm(task_res[m].get(tk)) if tk else "—" for m in a.task_sizes) + " |")
    notes += ["", "## Correctness: output through the index = output with DESK_INDEX=off", ""]
    for n, c in all_checks:
        notes.append(f"- desk {human(n)}: `{c['what']}`: {'same' if c['same'] else '**DIFFERENT**'} "
                     f"({c['lines']} lines)")
    for n, c in bad:
        notes += ["", f"### desk {human(n)}: `{c['what']}` differs", "", "```diff", c["diff"].rstrip(), "```"]
    text = "\n".join(notes) + "\n"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    print(tbl)
    print()
    print(f"correctness: {len(all_checks) - len(bad)} of {len(all_checks)} outputs equal to DESK_INDEX=off"
          + ("" if not bad else "; DIFFERENT: " + "; ".join(f"desk {human(n)} {c['what']}" for n, c in bad)))
    print(f"written to {out}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
