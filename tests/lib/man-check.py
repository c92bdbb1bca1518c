#!/usr/bin/env python3
"""Checks that the manual pages and the code name the same things.

    python3 tests/lib/man-check.py [SRC_DIR]

Compares, in both directions:
  - the commands of src/main.c's table with man/man1/herald-COMMAND.1 and
    with the COMMANDS list of herald(1);
  - herald's own options (main.c) with the OPTIONS of herald(1);
  - each command's options (src/cmd-COMMAND.c: its getopt_long table or
    its options.h table (OPT_FLAG, OPT_STRING, ...), the *_OPTIONS macros
    it uses (SETUP_OPTIONS, REPORT_OPTIONS), its short options and its
    usage text)
    with the .It Fl entries of its page (-h and --help are herald(1)'s);
  - the git config keys the code reads ("herald.*" strings in src/, the
    per-target keys of target.c's apply() and of each kind's options table
    (struct kind_option in src/deliver/kinds/*.c), other keys passed to
    *config* calls) with the .It Va entries of herald-config(5);
  - the .herald.yml keys of site.c's apply_herald_config() with the .It Cm
    entries of SITE CONFIGURATION in herald-config(5).
Prints one line per difference naming the page and the code, and exits 1
when there is any.
"""
import glob
import os
import re
import sys

src = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else
                      os.path.join(os.path.dirname(__file__), "..", ".."))
problems = []


def read(path):
    with open(os.path.join(src, path), encoding="utf-8") as f:
        return f.read()


def rel(path):
    return os.path.relpath(path, src)


def srcpath(name):
    """src/LAYER/NAME (src/ is in layer folders), or src/NAME if none."""
    found = sorted(glob.glob(os.path.join(src, "src", "**", name), recursive=True))
    return rel(found[0]) if found else "src/" + name


def page_items(text, macro, section=None):
    """Arguments of `.It MACRO x [, MACRO y ...]` lines, in one .Sh if given."""
    if section is not None:
        m = re.search(r"^\.Sh " + re.escape(section) + r"\n(.*?)(?=^\.Sh |\Z)",
                      text, re.S | re.M)
        text = m.group(1) if m else ""
    items = set()
    for line in text.splitlines():
        if not line.startswith(".It "):
            continue
        for m in re.finditer(r"(?:^\.It|\s)" + macro + r"\s+(\S+)", line):
            items.add(m.group(1))
    return items


def flags(items):
    """`.It Fl -json` gives --json, `.It Fl o` gives -o."""
    return {"-" + x for x in items}


def diff(what, page, code, in_page, in_code, where, fold=False):
    key = (lambda s: s.lower()) if fold else (lambda s: s)
    page_keys = {key(x): x for x in in_page}
    code_keys = {key(x): x for x in in_code}
    for k in sorted(set(code_keys) - set(page_keys)):
        problems.append(f"{page}: {what} '{code_keys[k]}' is in {where} but not in the page")
    for k in sorted(set(page_keys) - set(code_keys)):
        problems.append(f"{page}: {what} '{page_keys[k]}' is in the page but not in {where}")


# --- commands -------------------------------------------------------------
MAIN_C = srcpath("main.c")
main_c = read(MAIN_C)
commands = re.findall(r'\{\s*"([a-z][a-z0-9-]*)",\s*cmd_\w+', main_c)
pages1 = {os.path.basename(p)[len("herald-"):-2]
          for p in glob.glob(os.path.join(src, "man/man1/herald-*.1"))}
diff("command", "man/man1/herald-COMMAND.1", MAIN_C, pages1, commands,
     MAIN_C + "'s command table")
herald1 = read("man/man1/herald.1")
diff("command", "herald(1) COMMANDS", MAIN_C,
     page_items(herald1, "Cm", "COMMANDS") - {"help"}, commands,
     MAIN_C + "'s command table")
main_opts = set(re.findall(r'strcmp\(argv\[0\], "(-[^"]+)"\)', main_c))
diff("option", "herald(1) OPTIONS", MAIN_C,
     flags(page_items(herald1, "Fl", "OPTIONS")), main_opts, MAIN_C)

# --- options of each command ----------------------------------------------
headers = "".join(read(rel(h)) for h in
                  sorted(glob.glob(os.path.join(src, "include/herald/*.h"))))
LONG = r'\{\s*"([a-z][a-z0-9-]*)",\s*(?:no|required|optional)_argument'
OPT = r'\bOPT_[A-Z_]+\(\s*"([a-z][a-z0-9-]*)",\s*(\'[A-Za-z0-9]\'|0)\s*,'


def macro_body(name):
    m = re.search(r"#define " + name + r"\b((?:.*\\\n)*.*)", headers)
    return m.group(1) if m else ""


def usage_text(c):
    m = re.search(r"\w+_usage\[\]\s*=\s*((?:\s*\"(?:[^\"\\]|\\.)*\")+)\s*;", c)
    if not m:
        return ""
    return "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', m.group(1))).replace("\\n", "\n")


all_opts = 0
for name in commands:
    path = srcpath(f"cmd-{name}.c")
    page = f"man/man1/herald-{name}.1"
    if not os.path.exists(os.path.join(src, path)):
        problems.append(f"{path}: missing; cannot check the options of '{name}'")
        continue
    c = read(path)
    opts = {"--" + o for o in re.findall(LONG, c)}
    # the table of options.h: OPT_FLAG("name", 'n', ...), OPT_STRING(...),
    # in the command or in a *_OPTIONS macro it uses (SETUP_OPTIONS, ...)
    tables = [c]
    for mac in set(re.findall(r"\b([A-Z][A-Z0-9_]*_(?:LONG_)?OPTIONS)\b", c)):
        opts |= {"--" + o for o in re.findall(LONG, macro_body(mac))}
        tables.append(macro_body(mac))
    for short in re.findall(r'getopt_long\([^,]+,[^,]+,\s*"([^"]*)"', c):
        opts |= {"-" + ch for ch in short if ch.isalnum()}
    for long_name, short in re.findall(OPT, "\n".join(tables)):
        opts.add("--" + long_name)
        if short != "0":
            opts.add("-" + short.strip("'"))
    for line in usage_text(c).splitlines():
        if re.match(r"\s*(usage|or):", line):
            opts |= set(re.findall(r"(?:^|[\s\[|(])(--?[A-Za-z][A-Za-z0-9-]*)", line))
        else:
            m = re.match(r"\s+(-[^\s,]+)(?:,\s*(--[^\s,]+))?", line)
            if m:
                opts |= {o for o in m.groups() if o}
    opts -= {"-h", "--help"}
    all_opts += len(opts)
    if not os.path.exists(os.path.join(src, page)):
        continue
    diff("option", page, path, flags(page_items(read(page), "Fl")), opts, path)

# --- git config keys --------------------------------------------------------
config5 = read("man/man5/herald-config.5")
code_keys = {}
push_options = set()
for f in sorted(glob.glob(os.path.join(src, "src", "**", "*.c"), recursive=True)):
    c = open(f, encoding="utf-8").read()
    push_options |= set(re.findall(r'push_option\("([^"]+)"\)', c))
    for k in re.findall(r'"(herald\.[A-Za-z][A-Za-z0-9-]*(?:\.[A-Za-z][A-Za-z0-9-]*)*)', c):
        code_keys.setdefault(k, rel(f))
    for k in re.findall(r'config_\w*\([^;]*?"([a-z][a-z0-9]*\.[A-Za-z][A-Za-z0-9]*)"', c):
        code_keys.setdefault(k, rel(f))
for k in push_options:
    code_keys.pop(k, None)
TARGET_C = srcpath("target.c")
target_c = read(TARGET_C)
m = re.search(r"^static void apply\(.*?^}", target_c, re.S | re.M)
for k in re.findall(r'strcmp\(key, "([A-Za-z]+)"\)', m.group(0) if m else ""):
    code_keys.setdefault("herald.<name>." + k, TARGET_C)
kind_keys = 0
for f in sorted(glob.glob(os.path.join(src, "src", "**", "kinds", "*.c"), recursive=True)):
    c = open(f, encoding="utf-8").read()
    for body in re.findall(r"struct kind_option \w+\[\]\s*=\s*\{(.*?)^\};", c, re.S | re.M):
        for k in re.findall(r'\{\s*"([a-z]+)",', body):
            code_keys.setdefault("herald.<name>." + k, rel(f))
            kind_keys += 1
page_keys = page_items(config5, "Va", "GIT CONFIGURATION")
diff("config key", "herald-config(5)", "src/",
     page_keys, set(code_keys), "the code (src/**/*.c)", fold=True)

# --- .herald.yml keys -------------------------------------------------------
SITE_C = srcpath("site.c")
site_c = read(SITE_C)
m = re.search(r"^static void apply_herald_config\(.*?^}", site_c, re.S | re.M)
body = m.group(0) if m else ""
containers = {v for v, k in re.findall(r'(\w+) = json_object_get\(c, "(\w+)"\)', body) if v == k}
yml = set()
for var, k in re.findall(r'\((\w+), "([A-Za-z_]+)"\)', body):
    if var == "c" and k not in containers:
        yml.add(k)
    elif var in containers:
        yml.add(var + "." + k)
diff(".herald.yml key", "herald-config(5) SITE CONFIGURATION", SITE_C,
     page_items(config5, "Cm", "SITE CONFIGURATION"), yml,
     SITE_C + "'s apply_herald_config()")

# A checker that finds nothing compares nothing: say so.
found = {"commands": len(commands), "command options": all_opts,
         "config keys": len(code_keys), ".herald.yml keys": len(yml)}
if not kind_keys:
    problems.append("tests/lib/man-check.py: found no option of a kind in src/deliver/kinds/; "
                    "the code changed shape, update the checker")
for what, n in found.items():
    if n < 5:
        problems.append(f"tests/lib/man-check.py: found only {n} {what} in the code; "
                        "the code changed shape, update the checker")
print("# checked: " + ", ".join(f"{n} {what}" for what, n in found.items()))
for p in problems:
    print(p)
sys.exit(1 if problems else 0)
