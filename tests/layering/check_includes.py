#!/usr/bin/env python3
# The collector's layering, kept: every `#include "DIR/..."` in a file under
# collector/DIR2/ must name a directory DIR2 may depend on (ALLOWED below).
# net/ in particular knows neither analysis/ nor findings/: TCP analysis and
# findings plug into the ConnectionTracker through net/connection_observer.h,
# joined to it by ingest/ (ingest_context.cpp). A new dependency is a choice
# made here, in this list, not by an include slipped into a file.
#
# Usage: check_includes.py SOURCE_DIR   (exit 0: clean; 1: violations listed)
# It first checks itself on a small tree with one forbidden include (that it
# is found) and one allowed one (that it is not), so it cannot pass by
# finding nothing.
import os
import re
import sys
import tempfile

# What each directory of collector/ may include, besides itself. "core" is
# wasm-ui/core (the UI's portable model, shared with the server).
ALLOWED = {
    "storage": set(),
    "client": set(),
    "net": {"storage"},
    "analysis": {"net", "storage"},
    "findings": {"net", "storage"},
    "join": {"net", "storage"},
    "trace": {"join", "net", "storage"},
    "export": {"join", "net", "storage"},
    # importers/ and ingest/ depend on each other (ingest_context.h,
    # byte_source.h one way; the importer registry the other): one layer.
    "importers": {"ingest", "join", "net", "storage", "trace"},
    "ingest": {"analysis", "findings", "importers", "join", "net", "storage", "trace"},
    # server/ answers a page's download of the window it shows with the cut
    # `lurk export --window` makes (server/window_download.h).
    "server": {"core", "export", "net", "storage"},
    "live": {"findings", "importers", "ingest", "join", "net", "server", "storage", "trace"},
    "cli": {"analysis", "core", "export", "findings", "ingest", "join", "live", "net", "server",
            "storage", "trace"},
}

INCLUDE = re.compile(r'^\s*#\s*include\s+"([A-Za-z_]+)/[^"]+"', re.M)
SOURCE_SUFFIXES = (".h", ".cpp", ".in")


def violations(collector_dir):
    found = []
    for layer in sorted(os.listdir(collector_dir)):
        layer_dir = os.path.join(collector_dir, layer)
        if not os.path.isdir(layer_dir):
            continue
        if layer not in ALLOWED:
            found.append(f"collector/{layer}/: a directory the layering list does not name "
                         f"(add it to ALLOWED in {os.path.basename(__file__)})")
            continue
        for root, _, files in os.walk(layer_dir):
            for name in sorted(files):
                if not name.endswith(SOURCE_SUFFIXES):
                    continue
                path = os.path.join(root, name)
                with open(path, encoding="utf-8", errors="replace") as f:
                    text = f.read()
                for match in INCLUDE.finditer(text):
                    target = match.group(1)
                    if target == layer or target in ALLOWED[layer]:
                        continue
                    line = text.count("\n", 0, match.start()) + 1
                    rel = os.path.relpath(path, os.path.dirname(collector_dir))
                    found.append(f"{rel}:{line}: {layer}/ may not include {target}/ "
                                 f"(allowed: {', '.join(sorted(ALLOWED[layer])) or 'nothing'})")
    return found


def self_check():
    with tempfile.TemporaryDirectory() as tmp:
        collector = os.path.join(tmp, "collector")
        for layer, text in {"net": '#include "findings/tcp_findings.h"\n#include "storage/rows.h"\n',
                            "findings": '#include "net/tcp_segment.h"\n'}.items():
            os.makedirs(os.path.join(collector, layer))
            with open(os.path.join(collector, layer, "x.h"), "w") as f:
                f.write(text)
        found = violations(collector)
        if len(found) != 1 or "net/ may not include findings/" not in found[0]:
            sys.exit(f"layering check is broken: on a tree with one forbidden include it found {found}")


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: check_includes.py SOURCE_DIR")
    self_check()
    collector = os.path.join(sys.argv[1], "collector")
    found = violations(collector)
    for v in found:
        print(v)
    if found:
        sys.exit(1)
    print(f"layering: every include under {collector} follows the allowed dependencies")


if __name__ == "__main__":
    main()
