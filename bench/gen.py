#!/usr/bin/env python3
"""Deterministic generator of Jekyll-style blog repositories for herald's bench.

    python3 bench/gen.py KIND OUTDIR [--layout flat|years] [--pack plain|aggressive]
                         [--posts N]
    python3 bench/gen.py --version          prints GEN_VERSION

KIND: big | small | mid. --layout flat (the default) keeps every post in
_posts/DATE-slug.md, as many Jekyll blogs do; --layout years puts them in
_posts/YEAR/DATE-slug.md (YEAR of the post's date, ~800 a folder for big).
--pack plain (the default) repacks as `git gc` does (--window=10
--depth=50), --pack aggressive as `git gc --aggressive` (--window=250
--depth=50): the same history, deeper and denser delta chains.
--posts N (the growth table of issue 13 goal 8) makes KIND's history model
with N posts over 2N commits (drafts left at HEAD scaled alike) and without
the `migrate` and `renames` branches; without it every KIND is as before.

Writes a `git fast-import` stream (seeded RNG, fixed dates) into a fresh
non-bare repository at OUTDIR, repacks it, checks out `main` and writes
OUTDIR/bench-meta.json (what was generated, what the bench should expect).

History model (first parent linear, branch `main`):
  * post i is published at commit slot i*(N-1)//(P-1) (about 2*i for the
    big repository); the last commit publishes exactly one brand new post;
  * ~80% of posts are added straight to _posts/, ~15% live for a while in
    _drafts/ and are then moved to _posts/DATE-slug.md with `draft: true`
    dropped, ~5% are committed to _posts/ with `draft: true` and published
    later by removing the flag; a few hundred drafts stay in _drafts/;
  * the other commits edit a published post (body or front matter), edit a
    draft, edit a non-post file (_config.yml, index.html, about.md,
    assets/...), rename a post now and then, or delete a stale draft;
  * every ~200 commits a side branch of 1-3 commits (post fixes, an image) is
    merged with a two-parent merge commit (--no-ff style).
The big repository also gets a branch `migrate`: one commit on top of main
that moves 1,500 published posts from _posts/ to blog/_posts/ and publishes
300 drafts (_drafts/x.md -> _posts/DATE-x.md, `draft: true` removed),
and a branch `renames`: one commit on top of main adds 8,000 small non-post
files under data/, the next renames every one of them to assets/data/ with
one line changed (inexact renames no post can be part of).
"""
import hashlib
import json
import os
import random
import shutil
import subprocess
import sys
import time

# Bump when the generated repositories change; bench/run.sh caches by it.
GEN_VERSION = 2

KINDS = {
    # posts, commits, drafts left at HEAD, migration (moved, undrafted)
    "big": dict(posts=10000, commits=20000, drafts_end=350, seed=20240601,
                migrate=(1500, 300), renames=8000),
    "small": dict(posts=10, commits=20, drafts_end=1, seed=7, migrate=None),
    # quick self-test of the generator and of the harness
    "mid": dict(posts=1000, commits=2000, drafts_end=60, seed=11,
                migrate=(150, 30), renames=800),
}

END_TS = 1717200000  # 2024-06-01T00:00:00Z: every date is in the past
STEP = 19700         # seconds between commit slots (~12 years for 20,000)

VOCAB = """
git commit branch merge rebase tree blob object pack delta index cache build
compile linker kernel thread mutex socket stream buffer parser lexer token
grammar syntax module package library release version patch issue review
deploy server client request response latency throughput memory allocator
pointer struct array vector string unicode encoding format markdown template
render static site blog post draft publish feed atom reader writer garden
coffee morning evening weekend travel train mountain river city winter summer
autumn spring book chapter story notes idea sketch design pattern system
network protocol header payload signature token webhook queue retry backoff
timeout schedule cron daemon process signal pipe shell script terminal editor
vim emacs keyboard mouse screen window layout style color font image photo
camera light shadow paper pencil ink music guitar piano song album concert
the a an and or but of to in on at for with from by about into over after
before between under again further then once here there when where why how
all any both each few more most other some such only own same so than too
very can will just should now is are was were be been being have has had do
does did make made take took see saw know knew think thought look looked
want give use find tell ask work seem feel try leave call small large early
late long short new old good great first last little right big high different
following important public private able simple quick slow clean broken fixed
""".split()

TAGS = """git c linux tooling writing travel photography music books notes
release security performance testing design web rust python go databases
networking hardware life productivity jekyll hugo yaml markdown ci""".split()

AUTHORS = [
    ("Ada Lindqvist", "ada@example.org", "+0100"),
    ("Bruno Okafor", "bruno@example.org", "+0000"),
    ("Chen Wei", "chen@example.org", "+0800"),
    ("Dana Mercer", "dana@example.org", "-0500"),
    ("Emil Novak", "emil@example.org", "+0200"),
]


def ymd(ts):
    return time.strftime("%Y-%m-%d", time.gmtime(ts))


def ymdhms(ts):
    return time.strftime("%Y-%m-%d %H:%M:%S +0000", time.gmtime(ts))


class Post:
    __slots__ = ("slug", "title", "date", "tags", "desc", "draft", "body",
                 "path", "tags_flow", "author", "image", "in_drafts")

    def render(self):
        out = ["---", "layout: post"]
        if ":" in self.title:
            out.append('title: "%s"' % self.title)
        else:
            out.append("title: %s" % self.title)
        if self.date is not None:
            out.append("date: %s" % ymdhms(self.date))
        if self.author:
            out.append("author: %s" % self.author)
        if self.tags_flow:
            out.append("tags: [%s]" % ", ".join(self.tags))
        else:
            out.append("tags:")
            out.extend("  - %s" % t for t in self.tags)
        out.append('description: "%s"' % self.desc)
        if self.image:
            out.append("image: /%s" % self.image)
        if self.draft:
            out.append("draft: true")
        out.append("---")
        out.append("")
        return ("\n".join(out) + "\n" + "\n\n".join(self.body) + "\n").encode()


class Gen:
    def __init__(self, kind, layout="flat", posts=None):
        p = KINDS[kind]
        if posts:   # --posts N: KIND's model at another size, history 2x posts
            p = dict(p, posts=posts, commits=2 * posts, migrate=None, renames=None,
                     drafts_end=max(1, p["drafts_end"] * posts // p["posts"]))
        self.layout = layout
        self.renames = p.get("renames")
        self.kind = kind
        self.P = p["posts"]
        self.N = p["commits"]
        self.drafts_end = p["drafts_end"]
        self.migrate = p["migrate"]
        self.rng = random.Random(p["seed"])
        self.mark = 0
        self.out = []           # chunks of the fast-import stream
        self.files = {}         # main: path -> blob mark
        self.posts = []         # every Post object ever created
        self.published = []     # Posts published on main (editable)
        self.drafts = []        # Posts currently in _drafts/ (on main)
        self.locked = set()     # paths a side branch owns until its merge
        self.side = None        # open side branch state
        self.slugs = set()
        self.start = END_TS - self.N * STEP
        self.site_rev = {}      # non-post file -> edit counter
        self.counts = {}

    # ---- content -------------------------------------------------------
    def words(self, n):
        return self.rng.choices(VOCAB, k=n)

    def sentence(self, lo, hi):
        w = self.words(self.rng.randint(lo, hi))
        w[0] = w[0].capitalize()
        return " ".join(w)

    def paragraph(self):
        r = self.rng.random()
        if r < 0.08:
            return "## " + self.sentence(2, 5)
        if r < 0.14:
            return "\n".join("- " + self.sentence(3, 9)
                             for _ in range(self.rng.randint(2, 5)))
        if r < 0.18:
            return "```sh\n$ git %s --%s\n```" % tuple(self.words(2))
        s = ". ".join(self.sentence(6, 18)
                      for _ in range(self.rng.randint(3, 6))) + "."
        if self.rng.random() < 0.2:
            w = self.rng.choice(VOCAB)
            s += " See [%s](https://example.com/%s)." % (w, w)
        return s

    def new_slug(self):
        while True:
            s = "-".join(self.words(self.rng.randint(2, 5)))
            if s not in self.slugs:
                self.slugs.add(s)
                return s

    def new_post(self, draft_flag, in_drafts, ts):
        rng = self.rng
        p = Post()
        p.slug = self.new_slug()
        t = " ".join(w.capitalize() if i == 0 else w
                     for i, w in enumerate(p.slug.split("-")))
        if rng.random() < 0.15:
            t = self.rng.choice(["Notes", "Release", "Weekly", "Til"]) + ": " + t
        p.title = t
        p.date = None if (in_drafts and rng.random() < 0.5) else ts
        p.tags = sorted(set(rng.sample(TAGS, rng.randint(1, 4))))
        p.tags_flow = rng.random() < 0.6
        p.desc = self.sentence(5, 14)
        p.draft = draft_flag
        p.author = rng.choice(AUTHORS)[0] if rng.random() < 0.3 else None
        p.image = None
        p.in_drafts = in_drafts
        p.body = [self.paragraph() for _ in range(rng.randint(3, 7))]
        # keep bodies in the 1-3 KB range
        while sum(map(len, p.body)) < 1000:
            p.body.append(self.paragraph())
        while sum(map(len, p.body)) > 3000 and len(p.body) > 2:
            p.body.pop()
        p.path = ("_drafts/%s.md" % p.slug) if in_drafts else \
            self.post_path(ts, p.slug)
        self.posts.append(p)
        return p

    def post_path(self, ts, slug):
        if self.layout == "years":
            return "_posts/%s/%s-%s.md" % (ymd(ts)[:4], ymd(ts), slug)
        return "_posts/%s-%s.md" % (ymd(ts), slug)

    def edit_post(self, p):
        """One realistic edit; returns a short description."""
        rng = self.rng
        r = rng.random()
        if r < 0.55:
            j = rng.randrange(len(p.body))
            w = p.body[j].split(" ")
            for _ in range(rng.randint(1, 4)):
                w[rng.randrange(len(w))] = rng.choice(VOCAB)
            p.body[j] = " ".join(w)
            return "Fix typos in"
        if r < 0.72:
            if sum(map(len, p.body)) < 3000:
                p.body.append(self.paragraph())
                return "Expand"
            p.body.pop()
            return "Trim"
        if r < 0.84:
            extra = [t for t in TAGS if t not in p.tags]
            p.tags = sorted(p.tags + [rng.choice(extra)]) \
                if len(p.tags) < 5 else p.tags[1:]
            return "Retag"
        if r < 0.95:
            p.desc = self.sentence(5, 14)
            return "Reword description of"
        p.title = p.title + " " + rng.choice(["revisited", "(updated)", "again"])
        return "Retitle"

    # ---- stream --------------------------------------------------------
    def blob(self, data):
        self.mark += 1
        self.out.append(b"blob\nmark :%d\ndata %d\n" % (self.mark, len(data)))
        self.out.append(data)
        self.out.append(b"\n")
        return self.mark

    def commit(self, slot, ref, msg, ops, parent=None, merge=None, who=None):
        """ops: list of ("M", path, mark) or ("D", path)."""
        ts = self.start + slot * STEP + self.rng.randint(0, STEP // 2)
        name, mail, tz = who or AUTHORS[self.rng.randrange(len(AUTHORS))]
        self.mark += 1
        m = msg.encode()
        hdr = "commit %s\nmark :%d\nauthor %s <%s> %d %s\n" \
              "committer %s <%s> %d %s\n" % (ref, self.mark, name, mail, ts,
                                             tz, name, mail, ts, tz)
        self.out.append(hdr.encode())
        self.out.append(b"data %d\n%s\n" % (len(m), m))
        if parent:
            self.out.append(b"from :%d\n" % parent)
        if merge:
            self.out.append(b"merge :%d\n" % merge)
        for op in ops:
            if op[0] == "M":
                self.out.append(b"M 100644 :%d %s\n" % (op[2], op[1].encode()))
            else:
                self.out.append(b"D %s\n" % op[1].encode())
        self.out.append(b"\n")
        self.counts[ref] = self.counts.get(ref, 0) + 1
        return self.mark, ts

    def slot_ts(self, slot):
        return self.start + slot * STEP

    # ---- site files ----------------------------------------------------
    def site_file(self, path):
        n = self.site_rev.get(path, 0)
        r = random.Random("%s-%d" % (path, n))  # content independent of RNG
        if path == "_config.yml":
            s = ("# Site settings (rev %d)\ntitle: Field Notes\n"
                 "description: >-\n  %s\nurl: https://blog.example.org\n"
                 "baseurl: \"\"\nmarkdown: kramdown\npermalink: "
                 "/:year/:month/:day/:title/\npaginate: 10\nplugins:\n"
                 "  - jekyll-feed\n  - jekyll-seo-tag\n  - jekyll-sitemap\n"
                 "exclude:\n  - Gemfile\n  - Gemfile.lock\n  - vendor\n"
                 "defaults:\n  - scope:\n      path: \"\"\n      type: posts\n"
                 "    values:\n      layout: post\n      comments: %s\n"
                 % (n, " ".join(r.choices(VOCAB, k=12)),
                    "true" if n % 2 else "false"))
        elif path == "about.md":
            s = ("---\nlayout: page\ntitle: About\npermalink: /about/\n---\n\n"
                 + "\n\n".join(" ".join(r.choices(VOCAB, k=60))
                               for _ in range(3)) + "\n")
        elif path == "index.html":
            s = ("---\nlayout: home\n---\n<!-- rev %d -->\n<ul class=\"posts\">\n"
                 "{%% for post in paginator.posts %%}\n  <li><a href=\""
                 "{{ post.url | relative_url }}\">{{ post.title }}</a></li>\n"
                 "{%% endfor %%}\n</ul>\n<p>%s</p>\n"
                 % (n, " ".join(r.choices(VOCAB, k=20))))
        elif path.endswith(".css"):
            s = "".join(".%s-%d { margin: %dpx; color: #%06x; }\n"
                        % (r.choice(VOCAB), i, r.randint(0, 40),
                           r.randrange(1 << 24)) for i in range(80 + n % 40))
        elif path.endswith(".js"):
            s = "".join("function %s%d(x) { return x * %d; }\n"
                        % (r.choice(VOCAB), i, r.randint(1, 99))
                        for i in range(40 + n % 20))
        elif path.endswith(".html"):
            s = ("<!doctype html>\n<!-- %s rev %d -->\n<html><head>"
                 "<title>{{ page.title }}</title></head>\n<body>{{ content }}"
                 "</body></html>\n" % (path, n))
        elif path == "Gemfile":
            s = ('source "https://rubygems.org"\ngem "jekyll", "~> 4.%d"\n'
                 'gem "jekyll-feed"\ngem "jekyll-seo-tag"\n' % (n % 4))
        else:
            s = "# %s rev %d\n" % (path, n)
        return s.encode()

    SITE = ["_config.yml", "index.html", "about.md", "Gemfile", "CNAME",
            "_layouts/default.html", "_layouts/post.html",
            "_includes/head.html", "assets/css/main.css", "assets/js/site.js"]
    SITE_EDIT = ["_config.yml", "_config.yml", "index.html", "about.md",
                 "_layouts/post.html", "_includes/head.html",
                 "assets/css/main.css", "assets/css/main.css",
                 "assets/js/site.js", "Gemfile"]

    def image(self, p, ts):
        r = random.Random(p.slug)
        data = b"\x89PNG\r\n\x1a\n" + r.randbytes(r.randint(2000, 12000))
        path = "assets/img/%s/%s.png" % (ymd(ts)[:4], p.slug)
        p.image = path
        return path, self.blob(data)

    # ---- schedule ------------------------------------------------------
    def plan(self):
        N, P, rng = self.N, self.P, self.rng
        slots = [None] * N
        pub = [(i * (N - 1)) // (P - 1) for i in range(P)]
        for i, s in enumerate(pub):
            slots[s] = ("publish", i)
        free = [s for s in range(1, N - 1) if slots[s] is None]
        freeset = set(free)

        def take_near(lo, hi):
            lo = max(lo, 1)
            for s in range(lo, hi):
                if s in freeset:
                    freeset.discard(s)
                    return s
            for s in range(lo - 1, 0, -1):
                if s in freeset:
                    freeset.discard(s)
                    return s
            return None

        self.mode = ["direct"] * P
        for i in range(1, P - 1):
            r = rng.random()
            if r < 0.15:
                L = rng.randint(max(1, N // 100), max(2, N * 3 // 10))
                c = take_near(pub[i] - L, pub[i])
                if c is not None and c < pub[i]:
                    self.mode[i] = "promote"
                    slots[c] = ("draft", i)
                elif c is not None:
                    freeset.add(c)
            elif r < 0.20:
                L = rng.randint(1, max(1, N // 50))
                c = take_near(pub[i] - L, pub[i])
                if c is not None and c < pub[i]:
                    self.mode[i] = "flag"
                    slots[c] = ("flagged", i)
                elif c is not None:
                    freeset.add(c)
        # drafts that are never published, spread over the history
        for k in range(self.drafts_end):
            c = take_near(rng.randrange(1, N - 1), N - 1)
            if c is None:
                break
            slots[c] = ("draft", None)
        # stale drafts: created, then deleted later
        for k in range(P // 100):
            a = take_near(rng.randrange(1, N - 2), N - 2)
            b = take_near(a + rng.randint(1, max(1, N // 20)), N - 1) \
                if a is not None else None
            if a is None or b is None or b < a:
                if a is not None:
                    freeset.add(a)
                if b is not None:
                    freeset.add(b)
                continue
            slots[a] = ("draft", -1 - k)
            slots[b] = ("dropdraft", -1 - k)
        # side branches merged back: fork, 1-3 commits, merge; never two open
        # at once
        spans = []
        for k in range(N // 200):
            seq = sorted(freeset)
            if len(seq) < 8:
                break
            j = rng.randrange(len(seq) - 6)
            n = rng.randint(1, 3)
            # spread the side commits and the merge over the next free slots
            picks = seq[j:j + 2 * n + 2:2][:n + 1]
            if len(picks) < n + 1 or picks[-1] - picks[0] > 60:
                continue
            if any(a <= picks[-1] and picks[0] <= b for a, b in spans):
                continue
            spans.append((picks[0], picks[-1]))
            for x in picks:
                freeset.discard(x)
            for x in picks[:-1]:
                slots[x] = ("side", k)
            slots[picks[-1]] = ("merge", k)
        for s in sorted(freeset):
            r = rng.random()
            if r < 0.70:
                slots[s] = ("edit",)
            elif r < 0.78:
                slots[s] = ("editdraft",)
            elif r < 0.79:
                slots[s] = ("rename",)
            else:
                slots[s] = ("site",)
        return slots

    # ---- main loop -----------------------------------------------------
    def pick_published(self, limit=None):
        pub = self.published if limit is None else self.published[:limit]
        if not pub:
            return None
        for _ in range(50):
            if self.rng.random() < 0.6:
                p = pub[-1 - self.rng.randrange(min(200, len(pub)))]
            else:
                p = self.rng.choice(pub)
            if p.path not in self.locked:
                return p
        return None

    def run(self):
        slots = self.plan()
        stale = {}
        pending = {}   # post index -> Post created ahead of publication
        side_ref = "refs/heads/tmp-side"
        main = "refs/heads/main"
        self.last_main = None
        for s, what in enumerate(slots):
            kind = what[0]
            ts = self.slot_ts(s)
            ops = []
            if kind == "publish":
                i = what[1]
                mode = self.mode[i]
                if mode == "direct":
                    p = self.new_post(False, False, ts)
                    if s == 0:
                        for f in self.SITE:
                            m = self.blob(self.site_file(f))
                            self.files[f] = m
                            ops.append(("M", f, m))
                    elif s != self.N - 1 and self.rng.random() < 0.05:
                        path, m = self.image(p, ts)
                        self.files[path] = m
                        ops.append(("M", path, m))
                    msg = "Add post: %s" % p.title
                elif mode == "promote":
                    p = pending.pop(i)
                    self.drafts.remove(p)
                    ops.append(("D", p.path))
                    del self.files[p.path]
                    p.draft = False
                    p.in_drafts = False
                    p.date = ts
                    p.path = self.post_path(ts, p.slug)
                    msg = "Publish %s" % p.title
                else:  # flag
                    p = pending.pop(i)
                    p.draft = False
                    msg = "Publish %s (drop draft flag)" % p.title
                m = self.blob(p.render())
                self.files[p.path] = m
                ops.append(("M", p.path, m))
                self.published.append(p)
                self.main_commit(s, msg, ops)
            elif kind in ("draft", "flagged"):
                p = self.new_post(self.rng.random() < 0.85 or kind == "flagged",
                                  kind == "draft", ts)
                if what[1] is not None and what[1] >= 0:
                    pending[what[1]] = p
                elif what[1] is not None:
                    stale[what[1]] = p
                if kind == "draft":
                    self.drafts.append(p)
                m = self.blob(p.render())
                self.files[p.path] = m
                self.main_commit(s, "Draft: %s" % p.title, [("M", p.path, m)])
            elif kind == "dropdraft":
                p = stale.pop(what[1])
                self.drafts.remove(p)
                del self.files[p.path]
                self.main_commit(s, "Remove stale draft %s" % p.slug,
                                 [("D", p.path)])
            elif kind == "editdraft" and self.drafts:
                p = self.rng.choice(self.drafts)
                self.edit_post(p)
                m = self.blob(p.render())
                self.files[p.path] = m
                self.main_commit(s, "WIP %s" % p.slug, [("M", p.path, m)])
            elif kind in ("rename", "edit") and self.pick_published() is None:
                self.site_edit(s)
            elif kind == "rename":
                p = self.pick_published()
                old = p.path
                p.slug = self.new_slug()
                p.path = self.post_path(p.date, p.slug)
                m = self.blob(p.render())
                del self.files[old]
                self.files[p.path] = m
                self.main_commit(s, "Rename %s" % old,
                                 [("D", old), ("M", p.path, m)])
            elif kind == "side":
                self.side_commit(s, what[1], side_ref)
            elif kind == "merge":
                sd = self.side
                self.side = None
                ops = []
                for path, m in sd["files"].items():
                    self.files[path] = m
                    ops.append(("M", path, m))
                self.locked.clear()
                msg = "Merge pull request #%d from %s\n\n%s\n" % (
                    100 + what[1], sd["branch"], sd["title"])
                self.main_commit(s, msg, ops, merge=sd["tip"])
            elif kind == "site" or kind == "editdraft":
                self.site_edit(s)
            else:  # edit
                p = self.pick_published()
                how = self.edit_post(p)
                m = self.blob(p.render())
                self.files[p.path] = m
                self.main_commit(s, "%s %s" % (how, p.slug),
                                 [("M", p.path, m)])
        self.delete_side = self.counts.get(side_ref, 0) > 0
        if self.migrate:
            self.migration()
        if self.renames:
            self.mass_rename()
        self.out.append(b"done\n")

    def site_edit(self, s):
        f = self.rng.choice(self.SITE_EDIT)
        self.site_rev[f] = self.site_rev.get(f, 0) + 1
        m = self.blob(self.site_file(f))
        self.files[f] = m
        self.main_commit(s, "Update %s" % f, [("M", f, m)])

    def main_commit(self, s, msg, ops, merge=None):
        mk, _ = self.commit(s, "refs/heads/main", msg, ops, merge=merge)
        self.last_main = mk

    def side_commit(self, s, k, ref):
        if self.side is None:
            self.side = dict(tip=None, files={},
                             branch="%s/%s" % (
                                 self.rng.choice(["ada", "bruno", "chen"]),
                                 "-".join(self.words(2))), title="",
                             npub=len(self.published))
            parent = self.last_main
        else:
            parent = None
        sd = self.side
        ops = []
        if self.rng.random() < 0.25:
            # an illustration for a recent post
            p = self.pick_published(sd["npub"])
            if p is not None and p.image is None and p.path not in sd["files"]:
                path, m = self.image(p, p.date)
                sd["files"][path] = m
                ops.append(("M", path, m))
                self.locked.add(p.path)
                m = self.blob(p.render())
                sd["files"][p.path] = m
                ops.append(("M", p.path, m))
                msg = "Add illustration to %s" % p.slug
        if not ops:
            ps = []
            for _ in range(self.rng.randint(1, 3)):
                p = self.pick_published(sd["npub"])
                if p is not None:
                    self.edit_post(p)
                    self.locked.add(p.path)
                    m = self.blob(p.render())
                    sd["files"][p.path] = m
                    ops.append(("M", p.path, m))
                    ps.append(p.slug)
            msg = "Proofread %s" % ", ".join(ps)
        sd["title"] = sd["title"] or msg
        sd["tip"], _ = self.commit(s, ref, msg, ops, parent=parent)

    def migration(self):
        moved, undrafted = self.migrate
        ts = END_TS + 3600
        pubs = [p for p in self.published if p.path.startswith("_posts/")]
        sel = self.rng.sample(pubs, moved)
        drafts = [p for p in self.drafts]
        if len(drafts) < undrafted:
            sys.exit("gen: only %d drafts left for the migration" % len(drafts))
        dsel = self.rng.sample(drafts, undrafted)
        ops = []
        for p in sel:
            m = self.files[p.path]
            ops.append(("D", p.path))
            ops.append(("M", "blog/" + p.path, m))
        for p in dsel:
            ops.append(("D", p.path))
            p.draft = False
            p.path = self.post_path(ts, p.slug)
            ops.append(("M", p.path, self.blob(p.render())))
        self.mark += 1
        name, mail, tz = AUTHORS[0]
        msg = b"Move published posts to blog/_posts and publish 300 drafts"
        self.out.append(("commit refs/heads/migrate\nmark :%d\n"
                         "author %s <%s> %d %s\ncommitter %s <%s> %d %s\n"
                         % (self.mark, name, mail, ts, tz, name, mail, ts, tz)
                         ).encode())
        self.out.append(b"data %d\n%s\nfrom :%d\n" % (len(msg), msg,
                                                      self.last_main))
        for op in ops:
            if op[0] == "M":
                self.out.append(b"M 100644 :%d %s\n" % (op[2], op[1].encode()))
            else:
                self.out.append(b"D %s\n" % op[1].encode())
        self.out.append(b"\n")


    def mass_rename(self):
        """Branch `renames`: add self.renames data files, then rename all."""
        n = self.renames
        name, mail, tz = AUTHORS[1]
        parent = self.last_main

        def body(i, rev):
            r = random.Random(i)
            lines = ['{"id": %d, "word": "%s", "n": %d}\n'
                     % (i, r.choice(VOCAB), r.randrange(10 ** 6))
                     for _ in range(8)]
            lines[0] = '{"id": %d, "rev": %d}\n' % (i, rev)
            return "".join(lines).encode()

        for step in range(2):
            ts = END_TS + 7200 + step * 60
            ops = []
            for i in range(n):
                if step == 0:
                    ops.append(("M", "data/%05d.json" % i,
                                self.blob(body(i, 0))))
                else:
                    ops.append(("D", "data/%05d.json" % i))
                    ops.append(("M", "assets/data/item-%05d.json" % i,
                                self.blob(body(i, 1))))
            msg = (b"Add %d data files" % n) if step == 0 else \
                (b"Move %d data files to assets/data" % n)
            self.mark += 1
            self.out.append(("commit refs/heads/renames\nmark :%d\n"
                             "author %s <%s> %d %s\ncommitter %s <%s> %d %s\n"
                             % (self.mark, name, mail, ts, tz, name, mail, ts,
                                tz)).encode())
            self.out.append(b"data %d\n%s\nfrom :%d\n" % (len(msg), msg,
                                                            parent))
            for op in ops:
                if op[0] == "M":
                    self.out.append(b"M 100644 :%d %s\n"
                                    % (op[2], op[1].encode()))
                else:
                    self.out.append(b"D %s\n" % op[1].encode())
            self.out.append(b"\n")
            parent = self.mark


def git(repo, *args, **kw):
    return subprocess.run(["git", "-C", repo] + list(args), check=True, **kw)


def usage():
    sys.exit("usage: gen.py {%s} OUTDIR [--layout flat|years] "
             "[--pack plain|aggressive] [--like REPO] [--posts N]" % "|".join(KINDS))


def main():
    if sys.argv[1:] == ["--version"]:
        print(GEN_VERSION)
        return
    args = sys.argv[1:]
    if len(args) < 2 or args[0] not in KINDS:
        usage()
    kind, repo = args[0], os.path.abspath(args[1])
    opts = dict(layout="flat", pack="plain", like=None, posts=None)
    rest = args[2:]
    while rest:
        if len(rest) < 2 or rest[0][2:] not in opts:
            usage()
        opts[rest[0][2:]] = rest[1]
        rest = rest[2:]
    if opts["layout"] not in ("flat", "years") or \
            opts["pack"] not in ("plain", "aggressive") or \
            (opts["posts"] is not None and
             (not opts["posts"].isdigit() or int(opts["posts"]) < 10)):
        usage()
    posts = int(opts["posts"]) if opts["posts"] else None
    window = "--window=10" if opts["pack"] == "plain" else "--window=250"
    env = dict(os.environ, GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL="/dev/null")
    t0 = time.time()
    if os.path.exists(repo):
        shutil.rmtree(repo)
    if opts["like"]:
        # --like REPO: the same history (a repository this script made with
        # the same KIND and --layout), only packed another way
        like = os.path.abspath(opts["like"])
        meta = json.load(open(os.path.join(like, "bench-meta.json")))
        if meta["kind"] != kind or meta.get("layout", "flat") != opts["layout"] or \
                meta.get("posts_option") != posts:
            sys.exit("gen: %s is not a %s repository with --layout %s%s"
                     % (like, kind, opts["layout"],
                        " --posts %d" % posts if posts else ""))
        subprocess.run(["git", "clone", "-q", "--no-local", "--mirror", like,
                        os.path.join(repo, ".git")], check=True, env=env)
        git(repo, "config", "--bool", "core.bare", "false", env=env)
        t1 = t2 = time.time()
        g = None
    else:
        g = Gen(kind, opts["layout"], posts)
        g.run()
        t1 = time.time()
        os.makedirs(repo)
        subprocess.run(["git", "init", "-q", "-b", "main", repo], check=True, env=env)
    for k, v in (("gc.auto", "0"), ("maintenance.auto", "false"),
                 ("user.name", "bench"), ("user.email", "bench@example.org")):
        git(repo, "config", k, v, env=env)
    if g:
        fi = subprocess.Popen(["git", "-C", repo, "fast-import", "--quiet",
                               "--done"], stdin=subprocess.PIPE, env=env)
        for chunk in g.out:
            fi.stdin.write(chunk)
        fi.stdin.close()
        if fi.wait() != 0:
            sys.exit("gen: git fast-import failed")
        t2 = time.time()
        if g.delete_side:
            git(repo, "update-ref", "-d", "refs/heads/tmp-side", env=env)
    # A freshly cloned/gc'ed repository: one pack, deltas like git's defaults
    # (or --aggressive's), a commit-graph as `git gc` writes.
    git(repo, "repack", "-q", "-a", "-d", "-f", "--depth=50", window, env=env)
    git(repo, "commit-graph", "write", "--reachable", env=env)
    git(repo, "pack-refs", "--all", env=env)
    t3 = time.time()
    git(repo, "reset", "-q", "--hard", "main", env=env)
    t4 = time.time()
    pack = sum(os.path.getsize(os.path.join(repo, ".git/objects/pack", f))
               for f in os.listdir(os.path.join(repo, ".git/objects/pack"))
               if f.endswith(".pack"))
    commits = int(git(repo, "rev-list", "--count", "main",
                      capture_output=True, env=env).stdout)
    fp = int(git(repo, "rev-list", "--count", "--first-parent", "main",
                 capture_output=True, env=env).stdout)
    merges = int(git(repo, "rev-list", "--count", "--merges", "main",
                     capture_output=True, env=env).stdout)
    if not g:
        meta.update(pack=opts["pack"], pack_bytes=pack,
                    seconds=dict(clone=round(t2 - t0, 1),
                                 repack=round(t3 - t2, 1),
                                 checkout=round(t4 - t3, 1)))
        with open(os.path.join(repo, "bench-meta.json"), "w") as f:
            json.dump(meta, f, indent=1, sort_keys=True)
        with open(os.path.join(repo, ".git/info/exclude"), "a") as f:
            f.write("/bench-meta.json\n")
        print(json.dumps(meta, sort_keys=True))
        return
    paths = [p for p in g.files]
    meta = dict(
        layout=opts["layout"], pack=opts["pack"],
        renames=(dict(branch="renames", files=g.renames)
                 if g.renames else None),
        kind=kind, gen_version=GEN_VERSION, commits=commits,
        first_parent_commits=fp, merges=merges,
        published_at_head=sum(1 for p in paths if p.startswith("_posts/")),
        drafts_at_head=sum(1 for p in paths if p.startswith("_drafts/")),
        files_at_head=len(paths), pack_bytes=pack,
        expect=dict(scan_all_new=len(g.published),
                    last_commit_new=1,
                    migrate=(dict(branch="migrate", moved=g.migrate[0],
                                  undrafted=g.migrate[1])
                             if g.migrate else None)),
        seconds=dict(stream=round(t1 - t0, 1), fast_import=round(t2 - t1, 1),
                     repack=round(t3 - t2, 1), checkout=round(t4 - t3, 1)),
    )
    if posts:
        meta["posts_option"] = posts
    with open(os.path.join(repo, "bench-meta.json"), "w") as f:
        json.dump(meta, f, indent=1, sort_keys=True)
    # keep `git status` clean in the generated repository
    with open(os.path.join(repo, ".git/info/exclude"), "a") as f:
        f.write("/bench-meta.json\n")
    print(json.dumps(meta, sort_keys=True))


if __name__ == "__main__":
    main()
