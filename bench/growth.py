#!/usr/bin/env python3
"""Rows of the growth table (issue 13 goal 8) from figures that
bench/sections/60-growth.sh measured with `lib.py alternate`:

    growth.py size ID LABEL NAME REF REFLABEL
        NAME against its git reference REF at one size (no goal).
    growth.py flat ID LABEL NAME0 REF0 NAME REF LIMIT
        a one-commit cost: NAME / NAME0 (the same command on the biggest
        and the smallest repository) must stay within LIMIT; git's own
        factor REF / REF0 is printed next to it.
    growth.py git ID LABEL NAME0 REF0 NAME REF LIMIT [POSTS0 POSTS]
        a whole-history cost: herald's factor NAME / NAME0 over git's
        factor REF / REF0 must stay within LIMIT (grows no faster than git).
        With the two sizes, a line under it gives what each post added
        cost each of them, (NAME - NAME0) / (POSTS - POSTS0): a factor
        also weighs each one's fixed cost (herald's start, the processes
        of git's pipeline), which the cost per post leaves out. The
        verdict is the factor's.

The clock is lib.py's (user+sys by default, BENCH_CLOCK=wall for wall).
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lib  # noqa: E402


def value(name):
    res = lib.load(name)
    err = "" if res["status"] == "ok" else "%s: %s" % (name, res["err"])
    return lib.med(res, lib.CLOCK), [err, lib.io_note(name, res)]


def main():
    kind, args = sys.argv[1], sys.argv[2:]
    if kind == "size":
        gid, label, name, ref, reflabel = args
        a, b = lib.load(name), lib.load(ref)
        va, ea = value(name)
        vb, eb = value(ref)
        r = "%.2f" % (va / vb) if va is not None and vb else "-"
        lib.row(gid, label, lib.cell(a), reflabel + " " + lib.cell(b), r, "", "-", ea + eb)
        return
    gid, label, n0, r0, n1, r1, limit = args[:7]
    posts = [int(x) for x in args[7:9]]
    (h0, e0), (g0, e1), (h1, e2), (g1, e3) = value(n0), value(r0), value(n1), value(r1)
    errs = e0 + e1 + e2 + e3
    if None in (h0, g0, h1, g1) or not h0 or not g0:
        lib.row(gid, label, "n/a", "", "-", "<= %s" % limit, "MISS", errs)
        return
    hf, gf = h1 / h0, g1 / g0
    a = "%s -> %s (x%.2f)" % (lib.ftime(h0), lib.ftime(h1), hf)
    b = "git x%.2f" % gf
    if kind == "flat":
        r = hf
    else:
        r = hf / gf
        if len(posts) == 2 and posts[1] > posts[0]:
            d = posts[1] - posts[0]
            errs.append("per post added from %d to %d: herald %.1f us, git %.1f us "
                        "(the factors also weigh each one's fixed cost)"
                        % (posts[0], posts[1], (h1 - h0) / d * 1e6, (g1 - g0) / d * 1e6))
    lib.row(gid, label, a, b, "%.2f" % r, "<= %s" % limit,
            "PASS" if r <= float(limit) else "MISS", errs)


if __name__ == "__main__":
    main()
