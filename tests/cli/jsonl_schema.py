#!/usr/bin/python3
"""The JSON Schema of lurk JSON lines (schema/lurk-jsonl.schema.json), checked
with Debian's python3-jsonschema (formats asserted, so addresses are checked):
every line of the JSONL files we ship and test with (tests/data/jsonl, the
examples in docs/lurk-jsonl.md) is valid, and on hand-made good and bad lines
`lurk ingest` accepts (exit 0, no ingest_errors) exactly the lines the schema
accepts.
Usage: jsonl_schema.py LURK_BIN SOURCE_DIR
"""
import glob
import json
import os
import re
import subprocess
import sys
import tempfile

from jsonschema import Draft202012Validator, FormatChecker

lurk, src = sys.argv[1], sys.argv[2]
passed = failed = 0


def check(what, ok):
    global passed, failed
    print(("ok: " if ok else "FAILED: ") + what)
    if ok:
        passed += 1
    else:
        failed += 1


with open(os.path.join(src, "schema/lurk-jsonl.schema.json")) as f:
    schema = json.load(f)
Draft202012Validator.check_schema(schema)
validator = Draft202012Validator(schema, format_checker=FormatChecker())


def schema_accepts(line):
    try:
        return validator.is_valid(json.loads(line))
    except json.JSONDecodeError:
        return False


def first_error(line):
    errors = list(validator.iter_errors(json.loads(line)))
    return min(errors, key=lambda e: len(list(e.path))).message if errors else ""


# 1. What we ship and test with.
shipped = {}
for path in sorted(glob.glob(os.path.join(src, "tests/data/jsonl/*.jsonl")) +
                   glob.glob(os.path.join(src, "samples/*.jsonl"))):  # the demo stack's traces
    with open(path) as f:
        shipped[os.path.relpath(path, src)] = [l for l in f.read().splitlines() if l.strip()]
with open(os.path.join(src, "docs/lurk-jsonl.md")) as f:
    blocks = re.findall(r"```json\n(.*?)```", f.read(), re.S)
shipped["docs/lurk-jsonl.md"] = [l for b in blocks for l in b.splitlines() if l.strip()]
for name, lines in shipped.items():
    bad = [(n + 1, first_error(l)) for n, l in enumerate(lines) if not schema_accepts(l)]
    check("%s: all %d lines valid%s" % (name, len(lines), "; first bad: line %d: %s" % bad[0] if bad else ""),
          len(lines) > 0 and not bad)

# 2. Hand-made lines: lurk accepts what the schema accepts. Each is read
# after the header and a thread_start of thread "a".
TCP = ('"laddr":"10.0.0.1","lport":40000,"raddr":"10.0.0.2","rport":80,"dir":"tx","seq":1,'
       '"ack":0,"len":0,"window":500')
cases = [
    '{"t":"thread_start","ts":5,"thread":"b","name":"w","kind":"task","parent":"a"}',
    '{"t":"thread_start","ts":5,"thread":7,"existing":true}',
    '{"t":"span_begin","ts":5,"thread":"a","name":"send","args":{"n":1},'
    '"conn":{"laddr":"10.0.0.1","lport":1,"raddr":"::1","rport":80}}',
    '{"t":"log","ts":5,"thread":"a","level":"info","source":"x.ml","text":"hi"}',
    '{"t":"exception","ts":5,"message":"boom","stack":"a.ml:1"}',
    '{"t":"label","ts":5,"name":"TCP connect"}',
    '{"t":"counter","ts":5,"name":"cwnd","value":1.5}',
    '{"t":"tcp","ts":5,%s,"flags":["SYN","ACK"],"wscale":7,"mss":1460}' % TCP,
    '{"t":"tcp","ts":5,%s,"flags":18}' % TCP,
    '{"t":"log","ts":5.0,"text":"an integer written as 5.0"}',
    '{"t":"a_type_from_the_future","ts":5,"x":1}',
    '{"t":"log","ts":5,"text":""}',
    # bad
    '{"t":"log","text":"no ts"}',
    '{"t":"log","ts":"5","text":"ts as text"}',
    '{"t":"log","ts":5.5,"text":"fractional ts"}',
    '{"t":"log","ts":5}',
    '{"t":"label","ts":5}',
    '{"t":"span_begin","ts":5,"thread":"a"}',
    '{"t":"span_begin","ts":5,"thread":true,"name":"x"}',
    '{"t":"span_begin","ts":5,"thread":"a","name":"x","args":[1]}',
    '{"t":"span_begin","ts":5,"thread":"a","name":"x","conn":{"laddr":"10.0.0.1","lport":1,"raddr":"10.0.0.2"}}',
    '{"t":"counter","ts":5,"name":"c","value":"5"}',
    '{"t":"exception","ts":5}',
    '{"t":"thread_end","ts":5}',
    '{"t":"tcp","ts":5,%s,"flags":["SYN"],"wscale":7}' % TCP.replace('"lport":40000', '"lport":70000'),
    '{"t":"tcp","ts":5,%s,"flags":["SYN"]}' % TCP.replace('"tx"', '"up"'),
    '{"t":"tcp","ts":5,%s,"flags":["SYN","XYZ"]}' % TCP,
    '{"t":"tcp","ts":5,%s,"flags":["SYN"]}' % TCP.replace(',"window":500', ''),
    '{"t":"tcp","ts":5,%s,"flags":["SYN"]}' % TCP.replace('10.0.0.1', '10.0.0.300'),
    '[1,2]',
    '{"t":"log",',
]
with tempfile.TemporaryDirectory() as work:
    accepted_by_both = rejected_by_both = 0
    for n, line in enumerate(cases):
        trace = os.path.join(work, "case%d.jsonl" % n)
        out = os.path.join(work, "case%d.lurk" % n)
        with open(trace, "w") as f:
            f.write('{"lurk":"jsonl","version":1}\n{"t":"thread_start","ts":1,"thread":"a"}\n' + line + "\n")
        run = subprocess.run([lurk, "ingest", trace, "-o", out], capture_output=True, text=True)
        errors = subprocess.run([lurk, "query", out, "SELECT count(*) FROM ingest_errors"],
                                capture_output=True, text=True).stdout.strip()
        lurk_ok = run.returncode == 0 and errors == "0"
        if not lurk_ok and (run.returncode not in (0, 3) or errors in ("", "0")):
            check("lurk reports %s as damage (exit 3, ingest_errors), got exit %d, %s errors"
                  % (line, run.returncode, errors or "no"), False)
            continue
        schema_ok = schema_accepts(line)
        check("%s: schema %s, lurk %s%s" % (line, "accepts" if schema_ok else "rejects",
                                           "accepts" if lurk_ok else "rejects",
                                           "" if lurk_ok else " (" + run.stderr.strip().splitlines()[-1] + ")"),
              schema_ok == lurk_ok)
        accepted_by_both += schema_ok and lurk_ok
        rejected_by_both += not schema_ok and not lurk_ok
    check("both kinds of case are there (%d good, %d bad)" % (accepted_by_both, rejected_by_both),
          accepted_by_both >= 8 and rejected_by_both >= 15)

print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
