#!/usr/bin/env python3
"""tests/tools/check-layers.py: the include lines against the layer table.

The table of which core/ subsystem may include which lives in one place,
docs/internals/architecture.md, between the <!-- layers:begin --> and
<!-- layers:end --> comments: one row per subsystem, its name and the
names it may include, each in backquotes. This script fails (exit 1),
naming FILE:LINE and the edge, when
  - the table names a subsystem that is not a core/ directory, leaves one
    out, or has a cycle;
  - a file in core/ includes a header not by its subsystem path
    ("keyring/keyring.h"), or one of a subsystem its row does not allow;
  - a file in cmd/, helpers/ or tests/ includes a core/ header by its bare
    name instead of its subsystem path;
  - a file outside a subsystem includes that subsystem's internals (a
    header named *_int.h); the unit tests and fuzz targets may.
Only `#include "..."` lines are read; <...> ones are system headers.
Run from anywhere; paths are relative to the repository.
"""
import os
import re
import sys

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
TABLE = "docs/internals/architecture.md"
# programs and tests: local headers first, then core/ by subsystem path
OUTSIDE = ["cmd", "helpers", "tests/unit", "tests/fuzz", "tests/tools"]
# the unit tests' own headers (unit.h, fixture.h) are on their -I
EXTRA_DIRS = {"tests/unit": ["tests/unit"]}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')
NAME = re.compile(r"`([A-Za-z0-9_]+)`")


def read_table(problems):
    path = os.path.join(ROOT, TABLE)
    try:
        text = open(path, encoding="utf-8").read()
    except OSError as err:
        problems.append(f"{TABLE}: cannot read the layer table: {err.strerror}")
        return {}
    m = re.search(r"<!-- layers:begin -->\n(.*?)<!-- layers:end -->", text, re.S)
    if not m:
        problems.append(f"{TABLE}: no <!-- layers:begin --> ... <!-- layers:end --> table")
        return {}
    first = text[: m.start(1)].count("\n") + 1
    allowed = {}
    for n, row in enumerate(m.group(1).splitlines(), first):
        cells = [c.strip() for c in row.strip().strip("|").split("|")]
        if len(cells) < 2 or not cells[0].startswith("`"):
            continue  # the header and its rule
        sub = NAME.fullmatch(cells[0])
        if not sub:
            problems.append(f"{TABLE}:{n}: not a subsystem name: {cells[0]}")
            continue
        if sub.group(1) in allowed:
            problems.append(f"{TABLE}:{n}: {sub.group(1)} has two rows")
        allowed[sub.group(1)] = (set(NAME.findall(cells[1])), n)
    return allowed


def check_table(allowed, subsystems, problems):
    for sub, (uses, n) in sorted(allowed.items()):
        if sub not in subsystems:
            problems.append(f"{TABLE}:{n}: {sub} is not a directory of core/")
        for u in sorted(uses - subsystems):
            problems.append(f"{TABLE}:{n}: {sub} may include {u}, which is not a directory of core/")
        if sub in uses:
            problems.append(f"{TABLE}:{n}: {sub} lists itself")
    for sub in sorted(subsystems - set(allowed)):
        problems.append(f"{TABLE}: core/{sub}/ has no row: say which subsystems it may include")
    # a cycle: depth-first search, the path kept to name it
    state = {}

    def visit(sub, path):
        state[sub] = "open"
        for u in sorted(allowed.get(sub, (set(), 0))[0]):
            if state.get(u) == "open":
                cycle = path[path.index(u):] + [u]
                problems.append(f"{TABLE}: the table has a cycle: {' -> '.join(cycle)}")
            elif u not in state:
                visit(u, path + [u])
        state[sub] = "done"

    for sub in sorted(allowed):
        if sub not in state:
            visit(sub, [sub])


def sources(top):
    for d, dirs, files in os.walk(os.path.join(ROOT, top)):
        dirs[:] = sorted(x for x in dirs if x not in ("corpus",))
        for f in sorted(files):
            if f.endswith((".c", ".h")):
                yield os.path.relpath(os.path.join(d, f), ROOT)


def includes(rel):
    with open(os.path.join(ROOT, rel), encoding="utf-8", errors="replace") as fh:
        for n, line in enumerate(fh, 1):
            m = INCLUDE.match(line)
            if m:
                yield n, m.group(1)


def core_header(name):
    """The subsystem of a "sub/file.h" that exists in core/, else None."""
    parts = name.split("/")
    if len(parts) == 2 and os.path.isfile(os.path.join(ROOT, "core", name)):
        return parts[0]
    return None


def core_headers():
    """basename -> "sub/file.h" for every header of core/"""
    names = {}
    for rel in sources("core"):
        if rel.endswith(".h"):
            names.setdefault(os.path.basename(rel), rel[len("core/"):])
    return names


def check_core(allowed, subsystems, problems):
    core_names = core_headers()
    # a subsystem without a row is reported once, by check_table
    for sub in sorted(subsystems & set(allowed)):
        for rel in sources(f"core/{sub}"):
            for n, name in includes(rel):
                to = core_header(name)
                if to is None:
                    want = core_names.get(os.path.basename(name))
                    hint = f": write \"{want}\"" if want else ""
                    problems.append(f"{rel}:{n}: {name}: not core/SUBSYSTEM/FILE.h; core/ includes "
                                    f"its headers by subsystem path{hint}")
                elif to != sub and name.endswith("_int.h"):
                    problems.append(f"{rel}:{n}: {sub} -> {to} ({name}): the inside of {to} is its own")
                elif to != sub and to not in allowed.get(sub, (set(), 0))[0]:
                    may = ", ".join(sorted(allowed.get(sub, (set(), 0))[0])) or "nothing"
                    problems.append(f"{rel}:{n}: {sub} -> {to} ({name}): not in the layer table "
                                    f"({TABLE}: {sub} may include {may})")


def check_outside(problems):
    core_names = core_headers()
    for top in OUTSIDE:
        for rel in sources(top):
            here = os.path.dirname(rel)
            dirs = [here] + EXTRA_DIRS.get(top, [])
            for n, name in includes(rel):
                if any(os.path.isfile(os.path.join(ROOT, d, name)) for d in dirs):
                    continue  # a header of its own
                to = core_header(name)
                if to is None:
                    want = core_names.get(os.path.basename(name))
                    hint = f": write \"{want}\"" if want else ""
                    problems.append(f"{rel}:{n}: {name}: not a local header nor core/SUBSYSTEM/FILE.h{hint}")
                elif name.endswith("_int.h") and not rel.startswith(("tests/unit/", "tests/fuzz/")):
                    problems.append(f"{rel}:{n}: {name}: the inside of {to} is for {to} and its tests")


def main():
    problems = []
    subsystems = {d for d in os.listdir(os.path.join(ROOT, "core"))
                  if os.path.isdir(os.path.join(ROOT, "core", d))}
    allowed = read_table(problems)
    if allowed:
        check_table(allowed, subsystems, problems)
        check_core(allowed, subsystems, problems)
    check_outside(problems)
    for p in problems:
        print(p, file=sys.stderr)
    if problems:
        print(f"check-layers: {len(problems)} problem(s); the table is in {TABLE}", file=sys.stderr)
        return 1
    print(f"check-layers: the includes of core/, cmd/, helpers/ and tests/ keep the layer table of {TABLE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
