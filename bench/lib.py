#!/usr/bin/env python3
"""Measurement and reporting helpers for bench/run.sh.

    lib.py measure NAME [--ok 0,1] [--capture] -- ARGV...
        Runs ARGV once untimed (warm-up; stdout kept in NAME.out with
        --capture), then $BENCH_RUNS times timed with stdout to /dev/null;
        a command whose warm-up took under $BENCH_FAST seconds (0.1) runs
        at least $BENCH_RUNS_FAST times (21), as hyperfine runs a fast
        command more often: a few milliseconds of another process's work
        is noise of 10-25% on a 20 ms figure, and of nothing on a second.
        Wall time is measured around fork/exec/wait, peak RSS comes from
        wait4() (ru_maxrss, covers a pipeline's processes), and so do the
        major page faults of each run (ru_majflt: pages read back from
        disk while timed, printed under any row that uses the figure).
        Result: $BENCH_RESULTS/NAME.json. A missing binary, a bad exit status or a
        timeout ($BENCH_TIMEOUT seconds a run) is recorded, never raised.
    lib.py alternate NAME[=CODES]... [--ok 0,1] [--capture] -- ARGV -- ARGV ...
        As measure, for commands whose figures are divided by one another
        (one ARGV per NAME, none holding a lone --; NAME=0,1 gives that
        command its own exit statuses): their timed runs are taken in turn
        (A, B, A, B, ...), all of them as many times, the most measure
        would take of any of them, so that their runs see the same moments
        of a shared machine and their medians are of as many runs.
    lib.py header
    lib.py section TITLE
    lib.py ratio ID LABEL NAME REF REFLABEL OP LIMIT
        wall(NAME) / wall(REF) compared with LIMIT (OP: <=, <).
    lib.py limit ID LABEL NAME rss|wall OP LIMIT
        a figure of NAME against an absolute LIMIT (MiB or seconds).
    lib.py figure ID LABEL NAME
        time and peak RSS of NAME, no goal.
    lib.py events ID LABEL NAME type=count,...
        the event types found in NAME.out (`scan --json`) against the
        expected histogram (exact match; types not listed must be absent).
    lib.py note TEXT
    (bench/hook.py and bench/deliver.py add their goals' verdicts with
    record(), when run by run.sh, which sets BENCH_RESULTS)
    lib.py summary
Rows go to stdout and to $BENCH_RESULTS/report.txt; goal verdicts to
$BENCH_RESULTS/goals.tsv; command lines to $BENCH_RESULTS/commands.txt.
"""
import json
import os
import shlex
import signal
import statistics
import subprocess
import sys
import threading
import time

RES = os.environ.get("BENCH_RESULTS", "bench/out/results")
RUNS = int(os.environ.get("BENCH_RUNS", "3"))
FAST = float(os.environ.get("BENCH_FAST", "0.1"))
RUNS_FAST = max(RUNS, int(os.environ.get("BENCH_RUNS_FAST", "21")))
# What ratios compare: "cpu" (user+sys of the command and its children, from
# wait4; steady on a shared machine) or "wall".
CLOCK = os.environ.get("BENCH_CLOCK", "cpu")
TIMEOUT = float(os.environ.get("BENCH_TIMEOUT", "180"))
SHOW = {}  # paths to shorten in printed command lines
for var, short in (("BENCH_HERALD", "$HERALD"), ("BENCH_BIG", "$BIG"),
                   ("BENCH_SMALL", "$SMALL")):
    if os.environ.get(var):
        SHOW[os.environ[var]] = short

W = (4, 37, 25, 27, 6, 10)  # column widths


def emit(line):
    print(line, flush=True)
    with open(os.path.join(RES, "report.txt"), "a") as f:
        f.write(line + "\n")


def shown(cmd):
    for k in sorted(SHOW, key=len, reverse=True):
        cmd = cmd.replace(k, SHOW[k])
    return cmd


def run_once(argv, out_path, err_path):
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        t0 = time.perf_counter()
        p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out,
                             stderr=err, start_new_session=True)
        killed = []

        def kill():
            killed.append(1)
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except OSError:
                pass
        timer = threading.Timer(TIMEOUT, kill)
        timer.start()
        _, status, ru = os.wait4(p.pid, 0)
        t1 = time.perf_counter()
        timer.cancel()
        p.returncode = os.waitstatus_to_exitcode(status)
    return (t1 - t0, ru.ru_maxrss, p.returncode, bool(killed),
            ru.ru_utime + ru.ru_stime, ru.ru_majflt)


def first_line(path):
    try:
        with open(path, "rb") as f:
            for line in f.read(8192).decode("utf-8", "replace").splitlines():
                if line.strip():
                    return line.strip()[:120]
    except OSError:
        pass
    return ""


def parse_measure(args):
    """[--ok 0,1] [--capture] -- ARGV: (ok, capture, argv)."""
    ok = {0}
    capture = False
    i = 0
    while args[i] != "--":
        if args[i] == "--ok":
            ok = {int(x) for x in args[i + 1].split(",")}
            i += 2
        elif args[i] == "--capture":
            capture = True
            i += 1
        else:
            sys.exit("lib.py measure: bad option %s" % args[i])
    return ok, capture, args[i + 1:]


class Figure:
    """One command's runs: an untimed warm-up, then timed runs, one at a time."""

    def __init__(self, name, ok, capture, argv):
        self.name, self.ok, self.capture, self.argv = name, ok, capture, argv
        cmd = argv[2] if argv[:2] == ["sh", "-c"] else \
            " ".join(shlex.quote(a) for a in argv) + " >/dev/null"
        self.res = dict(name=name, cmd=cmd, status="ok", wall=[], rss=[], cpu=[], majflt=[],
                        rc=None, err="")
        self.out = os.path.join(RES, name + ".out")
        self.err = os.path.join(RES, name + ".err")

    def warm_up(self):
        """The untimed run (caches, and the output inspected later); its wall time or None."""
        res = self.res
        try:
            w, r, rc, to, _, _ = run_once(self.argv, self.out if self.capture else os.devnull,
                                          self.err)
        except OSError as e:
            res.update(status="n/a", err="%s: %s" % (self.argv[0], e.strerror))
            return None
        res["warmup"] = round(w, 4)
        res["rc"] = rc
        res["captured"] = self.capture and not to and rc in self.ok
        if to:
            res.update(status="timeout", err="> %gs (BENCH_TIMEOUT)" % TIMEOUT)
        elif rc not in self.ok:
            res.update(status="fail", err="exit %d: %s" % (rc, first_line(self.err)))
        return w if res["status"] == "ok" else None

    def timed(self):
        """One timed run, recorded; False once the command has failed."""
        res = self.res
        if res["status"] != "ok":
            return False
        k = len(res["wall"]) + 1
        try:
            w, r, rc, to, c, mf = run_once(self.argv, os.devnull, self.err)
        except OSError as e:
            res.update(status="n/a", err="run %d: %s: %s" % (k, self.argv[0], e.strerror))
            return False
        if to or rc not in self.ok:
            res.update(status="fail" if not to else "timeout",
                       err="run %d: exit %d: %s" % (k, rc, first_line(self.err)))
            return False
        res["wall"].append(w)
        res["rss"].append(r)
        res["cpu"].append(c)
        res["majflt"].append(mf)
        return True

    def runs_due(self, warm):
        return RUNS_FAST if warm is not None and warm < FAST else RUNS

    def finish(self):
        res = self.res
        with open(os.path.join(RES, self.name + ".json"), "w") as f:
            json.dump(res, f, indent=1)
        with open(os.path.join(RES, "commands.txt"), "a") as f:
            f.write("%-14s %s\n" % (self.name, shown(res["cmd"])))
        if res["status"] == "ok" and len(res["wall"]) > RUNS:
            return "%d runs, median %s" % (len(res["wall"]), ftime(statistics.median(res["wall"])))
        if res["status"] == "ok":
            return ", ".join(ftime(x) for x in res["wall"])
        return "%s %s" % (res["status"], res["err"])


def measure(args):
    f = Figure(args[0], *parse_measure(args[1:]))
    sys.stderr.write("  %-22s " % f.name)
    sys.stderr.flush()
    warm = f.warm_up()
    for _ in range(f.runs_due(warm)):
        if not f.timed():
            break
    sys.stderr.write(f.finish() + "\n")


def alternate(args):
    """alternate NAME... [--ok ..] [--capture] -- ARGV -- ARGV ...: the
    commands' timed runs taken in turn (A, B, A, B, ...), so that figures
    to be divided by one another see the same moments of the machine."""
    names, oks = [], []
    while args and not args[0].startswith("-"):
        name, _, codes = args.pop(0).partition("=")
        names.append(name)
        oks.append({int(x) for x in codes.split(",")} if codes else None)
    ok, capture, rest = parse_measure(args)
    argvs = [[]]
    for a in rest:
        if a == "--":
            argvs.append([])
        else:
            argvs[-1].append(a)
    if len(names) < 2 or len(argvs) != len(names) or not all(argvs):
        sys.exit("lib.py alternate: %d names need as many commands, each after --" % len(names))
    figs = [Figure(n, o if o is not None else ok, capture, a)
            for n, o, a in zip(names, oks, argvs)]
    sys.stderr.write("  %s, in turn\n" % ", ".join(names))
    # all as many times: medians of different counts would not compare
    due = max(f.runs_due(f.warm_up()) for f in figs)
    for _ in range(due):
        # one that failed stops, the others go on
        if not [f for f in figs if f.timed()]:
            break
    for f in figs:
        sys.stderr.write("  %-22s %s\n" % (f.name, f.finish()))


def load(name):
    try:
        with open(os.path.join(RES, name + ".json")) as f:
            return json.load(f)
    except OSError:
        return dict(status="n/a", err="not measured", wall=[], rss=[])


def med(res, metric):
    if res["status"] != "ok" or not res.get(metric):
        return None
    return statistics.median(res[metric])


def ftime(s):
    if s is None:
        return "n/a"
    if s < 1:
        return "%.1f ms" % (s * 1000)
    return "%.2f s" % s


def fmib(kib):
    return "n/a" if kib is None else "%.1f MiB" % (kib / 1024)


def io_note(name, res):
    """A line under a figure whose timed runs read pages back from disk
    (major faults: page cache the machine had evicted), or ""."""
    n = sum(res.get("majflt", []))
    if not n:
        return ""
    return "%s: %d major page faults in its %d timed runs (pages read from disk while timed)" % (
        name, n, len(res["majflt"]))


def cell(res):
    if res["status"] != "ok":
        return "%s" % res["status"]
    if CLOCK == "cpu":
        return "%s cpu %s" % (ftime(med(res, "cpu")), fmib(med(res, "rss")))
    return "%s %s" % (ftime(med(res, "wall")), fmib(med(res, "rss")))


def record(gid, verdict, label):
    """A goal's verdict for the summary line."""
    with open(os.path.join(RES, "goals.tsv"), "a") as f:
        f.write("%s\t%s\t%s\n" % (gid, verdict, label))


def row(gid, label, a, b, ratio, goal, verdict, errs=()):
    emit("%-*s %-*s %-*s %-*s %*s  %-*s %s" % (
        W[0], gid, W[1], label, W[2], a, W[3], b, W[4], ratio, W[5], goal,
        verdict))
    for e in errs:
        if e:
            emit("%-*s   ! %s" % (W[0], "", e))
    if verdict in ("PASS", "MISS"):
        record(gid, verdict, label)


def cmp(op, x, limit):
    return x <= limit if op == "<=" else x < limit


def ratio(args):
    gid, label, name, ref, reflabel, op, limit = args
    a, b = load(name), load(ref)
    wa, wb = med(a, CLOCK), med(b, CLOCK)
    errs = [("%s: %s" % (name, a["err"])) if a["status"] != "ok" else "",
            ("%s: %s" % (ref, b["err"])) if b["status"] != "ok" else "",
            io_note(name, a), io_note(ref, b)]
    if wa is None or wb is None or wb == 0:
        row(gid, label, cell(a), reflabel + " " + cell(b), "-",
            "%s %s" % (op, limit), "MISS", errs)
        return
    r = wa / wb
    row(gid, label, cell(a), reflabel + " " + cell(b), "%.2f" % r,
        "%s %s" % (op, limit), "PASS" if cmp(op, r, float(limit)) else "MISS",
        errs)


def figure(args):
    gid, label, name = args
    a = load(name)
    row(gid, label, cell(a), "", "", "", "-",
        [("%s: %s" % (name, a["err"])) if a["status"] != "ok" else "", io_note(name, a)])


def limit(args):
    gid, label, name, metric, op, lim = args
    a = load(name)
    v = med(a, metric)
    errs = [("%s: %s" % (name, a["err"])) if a["status"] != "ok" else "", io_note(name, a)]
    if metric == "rss":
        shown_v = fmib(v)
        goal = "%s %s MiB" % (op, lim)
        v = None if v is None else v / 1024
    else:
        if metric == "wall" and CLOCK == "cpu":
            metric = "cpu"
            v = med(a, metric)
        shown_v = ftime(v) + (" cpu" if metric == "cpu" else "")
        goal = "%s %s s" % (op, lim)
    verdict = "MISS" if v is None else \
        ("PASS" if cmp(op, v, float(lim)) else "MISS")
    row(gid, label, shown_v, "", "", goal, verdict, errs)


def events(args):
    gid, label, name, expected = args
    want = {}
    for kv in expected.split(","):
        if not kv:
            continue
        k, v = kv.split("=")
        want[k] = int(v)
    a = load(name)
    got, err = None, ""
    if not a.get("captured"):
        err = "%s: %s" % (name, a["err"] or "output not captured")
    else:
        try:
            with open(os.path.join(RES, name + ".out"), "rb") as f:
                doc = json.load(f)
            got = {}
            for e in doc.get("events", []):
                t = e.get("type") if isinstance(e, dict) else None
                got[str(t)] = got.get(str(t), 0) + 1
        except (OSError, ValueError, AttributeError) as e:
            err = "%s: output is not a scan document: %s" % (name, e)
    fmt = lambda h: " ".join("%s=%d" % kv for kv in sorted(h.items())) or "none"
    row(gid, label, fmt(got) if got is not None else "n/a",
        "expect " + fmt(want), "", "exact",
        "PASS" if got == want else "MISS", [err])


def pairs(args):
    """The renames herald reports (from_path -> path) against the R lines of
    `git diff -M --raw` (captured in REF.out)."""
    gid, label, name, ref = args
    a, b = load(name), load(ref)
    err = ""
    mine = theirs = None
    try:
        with open(os.path.join(RES, name + ".out"), "rb") as f:
            mine = {(e["from_path"], e["path"]) for e in json.load(f)["events"]
                    if e.get("from_path")}
        theirs = set()
        with open(os.path.join(RES, ref + ".out"), "rb") as f:
            for line in f.read().decode("utf-8", "replace").splitlines():
                meta, _, paths = line.partition("\t")
                if meta.split()[-1].startswith("R"):
                    src, dst = paths.split("\t")
                    theirs.add((src, dst))
    except (OSError, ValueError, KeyError) as e:
        err = "%s/%s: %s" % (name, ref, e)
    ok = mine is not None and mine == theirs
    row(gid, label, "%s pairs" % (len(mine) if mine is not None else "n/a"),
        "git %s pairs" % (len(theirs) if theirs is not None else "n/a"), "",
        "same", "PASS" if ok else "MISS",
        [err, "" if ok or mine is None or theirs is None else
         "only herald: %d, only git: %d" % (len(mine - theirs), len(theirs - mine))])


def header():
    emit("%-*s %-*s %-*s %-*s %*s  %-*s %s" % (
        W[0], "id", W[1], "figure (median, %s)" % ("user+sys" if CLOCK == "cpu" else "wall"),
        W[2], "herald",
        W[3], "reference", W[4], "ratio", W[5], "goal", "result"))


def summary():
    goals = []
    try:
        with open(os.path.join(RES, "goals.tsv")) as f:
            goals = [l.rstrip("\n").split("\t") for l in f]
    except OSError:
        pass
    met = sum(1 for g in goals if g[1] == "PASS")
    emit("")
    emit("goals: " + "  ".join("%s %s" % (g[0], g[1]) for g in goals)
         + "   (%d/%d met)" % (met, len(goals)))


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    os.makedirs(RES, exist_ok=True)
    if cmd == "measure":
        measure(args)
    elif cmd == "alternate":
        alternate(args)
    elif cmd == "ratio":
        ratio(args)
    elif cmd == "figure":
        figure(args)
    elif cmd == "limit":
        limit(args)
    elif cmd == "events":
        events(args)
    elif cmd == "pairs":
        pairs(args)
    elif cmd == "header":
        header()
    elif cmd == "section":
        emit("")
        emit("-- %s " % args[0] + "-" * max(0, 60 - len(args[0])))
    elif cmd == "note":
        emit("%-*s   %s" % (W[0], "", " ".join(args)))
    elif cmd == "summary":
        summary()
    else:
        sys.exit("lib.py: unknown command %s" % cmd)


if __name__ == "__main__":
    main()
