#!/usr/bin/env python3
"""Front matter parse throughput for `make bench`: `herald lint` (read and
parse every post) on the BIG repository's posts with YAML front matter, and
on the same posts rewritten with TOML front matter, each next to
`git cat-file --batch` reading the same blobs. MiB/s counts post bytes.

usage: parse.py HERALD WORKDIR BIG_REPO [RUNS]
"""
import os
import shutil
import statistics
import subprocess
import sys
import time

herald, work, big = sys.argv[1:4]
runs = int(sys.argv[4]) if len(sys.argv) > 4 else 3
env = dict(os.environ, GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL="/dev/null")


def run(cmd, **kw):
    return subprocess.run(cmd, env=env, check=True, capture_output=True, **kw)


def toml_value(v):
    v = v.strip()
    if v in ("true", "false") or v.lstrip("-").isdigit():
        return v
    if v.startswith("[") and v.endswith("]"):
        items = [x.strip().strip("'\"") for x in v[1:-1].split(",") if x.strip()]
        return "[" + ", ".join('"%s"' % i.replace('"', '\\"') for i in items) + "]"
    v = v.strip("'\"")
    return '"%s"' % v.replace("\\", "\\\\").replace('"', '\\"')


def to_toml(text):
    if not text.startswith("---\n"):
        return text
    end = text.find("\n---\n", 4)
    if end < 0:
        return text
    lines, out, key = text[4:end].split("\n"), [], None
    for line in lines:
        if line.startswith("  - ") and key:  # a block list item
            out[-1] = out[-1][:-1] + ('' if out[-1].endswith("[]") else ", ") + '"%s"]' % line[4:].strip()
            out[-1] = out[-1].replace("[, ", "[")
            continue
        if ":" not in line:
            continue
        key, _, val = line.partition(":")
        out.append("%s = %s" % (key.strip(), toml_value(val) if val.strip() else "[]"))
    return "+++\n" + "\n".join(out) + "\n+++\n" + text[end + 5:]


def measure(cmd, shell=False):
    times = []
    for i in range(runs + 1):
        t0 = time.perf_counter()
        subprocess.run(cmd, env=env, shell=shell, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if i:
            times.append(time.perf_counter() - t0)
    return statistics.median(times)


shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)
# the posts at BIG's HEAD: path and blob
tree = run(["git", "-C", big, "ls-tree", "-r", "HEAD"], text=True).stdout.splitlines()
posts = [(l.split("\t")[1], l.split()[2]) for l in tree if "_posts/" in l or "_drafts/" in l]
ids = "\n".join(b for _, b in posts) + "\n"
blobs = run(["git", "-C", big, "cat-file", "--batch"], input=ids.encode()).stdout
# split the batch output back into contents
contents, pos = [], 0
for _ in posts:
    header_end = blobs.index(b"\n", pos)
    size = int(blobs[pos:header_end].split()[2])
    contents.append(blobs[header_end + 1:header_end + 1 + size])
    pos = header_end + 1 + size + 1
total = sum(len(c) for c in contents)

repo = os.path.join(work, "toml")
run(["git", "init", "-q", "-b", "main", repo])
stream = [b"commit refs/heads/main\ncommitter b <b@example.com> 1585526400 +0000\ndata 5\ntoml\n"]
toml_total = 0
for (path, _), c in zip(posts, contents):
    t = to_toml(c.decode("utf-8", "replace")).encode()
    toml_total += len(t)
    stream.append(b"M 100644 inline %s\ndata %d\n%s\n" % (path.encode(), len(t), t))
run(["git", "-C", repo, "fast-import", "--quiet"], input=b"".join(stream))

cat_big = "git -C '%s' ls-tree -r HEAD | grep -e _posts/ -e _drafts/ | awk '{print $3}' | git -C '%s' cat-file --batch >/dev/null" % (big, big)
cat_toml = "git -C '%s' ls-tree -r HEAD | awk '{print $3}' | git -C '%s' cat-file --batch >/dev/null" % (repo, repo)
y = measure([herald, "-C", big, "lint", "HEAD"])
yc = measure(cat_big, shell=True)
t = measure([herald, "-C", repo, "lint", "HEAD"])
tc = measure(cat_toml, shell=True)
errors = subprocess.run([herald, "-C", repo, "lint"], env=env, capture_output=True, text=True).stderr.strip().splitlines()[-1:]
mib = 1024 * 1024
print("posts: %d, YAML %.1f MiB, TOML %.1f MiB (%s)" % (len(posts), total / mib, toml_total / mib, errors[0] if errors else ""))
print("YAML: herald lint %.3f s = %.1f MiB/s; git cat-file --batch %.3f s = %.1f MiB/s; ratio %.2f"
      % (y, total / mib / y, yc, total / mib / yc, y / yc))
print("TOML: herald lint %.3f s = %.1f MiB/s; git cat-file --batch %.3f s = %.1f MiB/s; ratio %.2f"
      % (t, toml_total / mib / t, tc, toml_total / mib / tc, t / tc))
