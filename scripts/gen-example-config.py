#!/usr/bin/env python3
"""Writes examples/acme_exporter.yml: the base file (examples/base.yml,
global settings, discovery, certificate files and the file module) followed
by every fragment in examples/config.d/, with all /probe modules gathered
under one modules: key. Comments are kept. config/example_test.go loads the
result, and `make docs-check` fails when it is stale."""
import glob
import os
import re
import sys

root = os.path.join(os.path.dirname(__file__), "..")


def blocks(text):
    """Splits YAML text into (key, lines) top-level blocks; comments before
    a key belong to it."""
    out, pending, cur = [], [], None
    for line in text.splitlines():
        m = re.match(r"^([a-z_0-9]+):", line)
        if m:
            cur = [m.group(1), pending + [line]]
            out.append(cur)
            pending = []
        elif cur is None or line.startswith("#") or line.strip() == "":
            if cur is not None and line.strip() == "":
                pending.append(line)
            elif cur is None:
                pending.append(line)
            else:
                pending.append(line)
        else:
            cur[1].extend(pending)
            pending = []
            cur[1].append(line)
    return out


base = open(os.path.join(root, "examples/base.yml")).read()
skip = {"global", "discovery"}  # set in the base file
sections, modules = [], []
for path in sorted(glob.glob(os.path.join(root, "examples/config.d/*.yml"))):
    name = os.path.basename(path)
    for key, lines in blocks(open(path).read()):
        if key in skip:
            continue
        if key == "modules":
            head = next(i for i, l in enumerate(lines) if l.startswith("modules:"))
            modules.extend(lines[head + 1:])
            continue
        sections.append("# --- from examples/config.d/%s\n%s" % (name, "\n".join(lines).rstrip()))

# The base file ends with its modules: block; sections go before it and
# the fragments' modules join it at the end.
cut = base.index("\n# /probe modules")
base, base_modules = base[:cut], base[cut + 1:]
out = [base.rstrip(), ""]
out += [s + "\n" for s in sections]
out.append(base_modules.rstrip())
out.append("\n".join(modules).rstrip())
sys.stdout.write("\n".join(out).rstrip() + "\n")
