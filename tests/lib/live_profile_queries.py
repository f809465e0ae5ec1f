"""What the live-analysis tests (tests/cli/live_capture_joins.py,
live_capture_labels.py) read of a profile to compare a collection with
`lurk ingest` of the same inputs: a trace source's clock, the findings, each
table after the stop, read-only or read-write. Imported with sys.path at
tests/lib."""
import sqlite3

# A trace's clock, by its format: its domain and offset; with how it was
# aligned and the evidence for it.
CLOCK = "SELECT clock_domain, clock_offset_ns FROM sources WHERE format = '%(format)s'"
CLOCK_HOW = ("SELECT clock_domain, clock_offset_ns, clock_how, clock_evidence FROM sources "
             "WHERE format = '%(format)s'")
# The findings (readers rank them; the live ones are in arrival order).
FINDINGS = "SELECT kind, title FROM findings"
# After the stop, each table as lurk ingest writes it: every row with its id,
# but the flows by what they say: the thread-to-packet flows the batches wrote
# are kept by the stop pass where it would write them again (so that a follow
# page sees nothing renumbered), numbered in arrival order among the trace's
# own flows, where `lurk ingest` writes them after all of those.
AFTER_STOP = {"flows": "SELECT kind, from_thread, from_ns, to_thread, to_ns, packet_id FROM flows"}


def query(profile, sql):
    """The rows, read-only, in an order that does not depend on ids."""
    db = sqlite3.connect("file:%s?mode=ro" % profile, uri=True)
    try:
        return sorted(db.execute(sql).fetchall(), key=repr)
    finally:
        db.close()


def query_rw(profile, sql):
    """Read-write: recovers a killed collector's WAL."""
    db = sqlite3.connect(profile)
    try:
        return db.execute(sql).fetchall()
    finally:
        db.close()
