#!/usr/bin/env python3
"""Holds herald's view of a site against the generator's own.

    gen-compare.py jekyll SCAN.json SITE_URL PUBLISHED.json ALL.json NOW [DIR]
    gen-compare.py hugo SCAN.json ALL.csv DRAFTS.csv FUTURE.csv EXPIRED.csv

SCAN.json is `herald scan --all --drafts --json`. For Jekyll, PUBLISHED.json
and ALL.json are what a page printing site.documents gives for a plain
build and for one with --future --drafts --unpublished; DIR is the
site's collections_dir, which Jekyll's paths leave out. For Hugo, the CSV
files are `hugo list all|drafts|future|expired`. Every post either side
knows must be known to the other with the same state, url and date; each
difference is printed, and the exit code is 1 when there is one.
"""
import csv
import datetime
import json
import sys
import urllib.parse

SAFE = "/:@!$&'()*+,;=%-._~"


def herald_posts(path):
    doc = json.load(open(path))
    posts = {}
    for e in doc["events"]:
        posts[e["path"]] = e
    for e in doc["errors"]:
        posts[e["path"]] = {"state": "invalid", "url": None, "date": None,
                            "message": e["message"]}
    return posts


def epoch(rfc3339):
    if rfc3339 is None:
        return None
    return int(datetime.datetime.fromisoformat(
        rfc3339.replace("Z", "+00:00")).timestamp())


problems = []
compared = [0]


def check(path, what, want, got):
    if want != got:
        problems.append(f"{path}: {what}: generator {want!r}, herald {got!r}")


def compare(want, herald):
    compared[0] = len(set(want) | set(herald))
    for path in sorted(set(want) | set(herald)):
        w, h = want.get(path), herald.get(path)
        if w is None:
            problems.append(f"{path}: herald has a {h['state']} post the generator does not")
            continue
        if h is None:
            problems.append(f"{path}: the generator has a {w['state']} post herald does not")
            continue
        check(path, "state", w["state"], h["state"])
        if "url" in w:
            check(path, "url", w["url"], h["url"])
        if "date" in w:
            check(path, "date", w["date"], epoch(h["date"]))


def jekyll(scan, site_url, published, everything, now, cdir=""):
    prefix = cdir + "/" if cdir else ""
    pub = {prefix + d["path"]: d for d in json.load(open(published))}
    docs = json.load(open(everything))
    want = {}
    for d in docs:
        if not d["output"]:
            continue
        path = prefix + d["path"]
        url = site_url + urllib.parse.quote(d["url"], safe=SAFE)
        # only posts have dates; other documents show the build time
        date = int(d["date"]) if d["date"] and d["collection"] == "posts" else None
        if path in pub:
            want[path] = {"state": "published", "url": url, "date": date}
        elif d["path"].split("/")[0] == "_drafts" or "/_drafts/" in path:
            # a draft's date is its file's mtime, so no url to compare
            want[path] = {"state": "draft"}
        elif date is not None and date > now:
            want[path] = {"state": "scheduled", "url": url, "date": date}
        else:
            want[path] = {"state": "draft", "url": url, "date": date}
    compare(want, herald_posts(scan))


def hugo(scan, all_csv, drafts_csv, future_csv, expired_csv):
    def paths(f):
        return {row[0] for row in csv.reader(open(f)) if row and row[0] != "path"}
    drafts, future, expired = paths(drafts_csv), paths(future_csv), paths(expired_csv)
    want = {}
    for row in csv.DictReader(open(all_csv)):
        path = row["path"]
        state = "published"
        if path in drafts or path in expired:
            state = "draft"
        elif path in future:
            state = "scheduled"
        # herald's date is the publish date, else Hugo's .Date
        date = None
        for col in ("publishDate", "date"):
            if not row[col].startswith("0001-01-01"):
                date = epoch(row[col])
                break
        want[path] = {"state": state, "url": row["permalink"], "date": date}
    compare(want, herald_posts(scan))


if sys.argv[1] == "jekyll":
    jekyll(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], int(sys.argv[6]),
           *sys.argv[7:8])
else:
    hugo(*sys.argv[2:7])
for p in problems:
    print(p)
print(f"# compared {compared[0]} posts; {len(problems)} difference(s)")
sys.exit(1 if problems else 0)
