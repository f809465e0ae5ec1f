#!/usr/bin/env python3
"""The ingest progress bar (collector/cli/progress_bar): on a terminal,
`lurk ingest` draws one line per input redrawn in place ("[1/2] name [###..]
100% 175 kB of 175 kB"), then "analysing", and erases it before each report
line (an input's outcome is said as soon as it is read);
piped, stderr holds the report alone (no carriage returns, no escapes), and
the profile written is the same either way.

Usage: progress_bar.py LURK SOURCE_DIR"""
import os
import pty
import select
import sqlite3
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from cli_checks import check, finish, run  # noqa: E402

lurk, source = sys.argv[1], sys.argv[2]
inputs = [os.path.join(source, "tests/data/netlab-bulk-v4.pcap"),
          os.path.join(source, "../shared/samples/net.ctf")]
for path in inputs:
    if not os.path.exists(path):
        sys.exit(f"progress_bar.py: {path} is missing")


def on_terminal(cmd):
    """Runs cmd with stderr on a pseudo-terminal; (exit code, bytes it wrote there)."""
    controller, terminal = pty.openpty()
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=terminal)
    os.close(terminal)
    out = b""
    while True:
        ready, _, _ = select.select([controller], [], [], 60)
        if not ready:
            proc.kill()
            break
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # the terminal closed: the process is done
            break
        if not chunk:
            break
        out += chunk
    os.close(controller)
    return proc.wait(), out


def rows(profile):
    db = sqlite3.connect(profile)
    try:
        return {t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                for t in ("sources", "packets", "threads", "findings")}
    finally:
        db.close()


with tempfile.TemporaryDirectory() as work:
    tty_profile = os.path.join(work, "tty.lurk")
    code, out = on_terminal([lurk, "ingest", "-o", tty_profile] + inputs)
    text = out.decode("utf-8", "replace")
    check(code == 0, f"ingest on a terminal exits 0 (got {code}): {text!r}")
    check("\r[1/2] netlab-bulk-v4.pcap" in text, f"the first input's line: {text!r}")
    check("\r[2/2] net.ctf" in text, f"the second input's line: {text!r}")
    size = os.path.getsize(inputs[0])
    check("100%" in text and "175 kB of 175 kB" in text and "[####" in text,
          f"the first input read whole ({size} bytes) with its bar: {text!r}")
    check("analysing the profile" in text, f"the analysis pass is shown: {text!r}")
    # Each report line starts on a clean line: after an erased bar or a newline,
    # never glued to a bar; and no bar is left drawn at the end.
    starts = [i for i in range(len(text)) if text.startswith("lurk: ", i)]
    check(len(starts) >= 2 and all(text[:i].endswith(("\r\x1b[K", "\n")) for i in starts),
          f"every report line starts clean: {text!r}")
    after_last_erase = text[text.rfind("\r\x1b[K") + 4:].replace("\r\n", "\n")
    check(after_last_erase.startswith("lurk: ") and "\r" not in after_last_erase,
          f"the bar is erased for good before the last report lines: {text[-200:]!r}")
    piped_profile = os.path.join(work, "piped.lurk")
    piped = run([lurk, "ingest", "-o", piped_profile] + inputs)
    check("\r" not in piped.stderr and "\x1b" not in piped.stderr,
          f"piped: no progress on stderr: {piped.stderr!r}")
    check(piped.stderr.count("lurk: ") >= 2, f"piped: the report: {piped.stderr!r}")
    check(rows(tty_profile) == rows(piped_profile),
          f"the same profile either way: {rows(tty_profile)} vs {rows(piped_profile)}")
finish()
