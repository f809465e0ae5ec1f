-- lurk profile schema, version 5 (PRAGMA user_version = 5).
--
-- Files of earlier versions are upgraded by the steps in
-- collector/storage/schema_migrations.cpp (docs/schema-versions.md says what
-- each version added); a new column or table means a new version and a step.
--
-- One .lurk file is one profile: every source ingested into it, the TCP
-- connections derived from captures, and the threads, spans, markers, flows
-- and counters of stack traces, joined by connection. Times are integer
-- nanoseconds (captures: since the Unix epoch; stack traces: the clock the
-- trace used). Text that repeats (names, labels, messages) is interned in
-- `strings` and referred to by id. Every table here is declared once; the
-- collector applies this file verbatim and a unit test checks that its
-- inserts name only these columns.

-- Interned text. id 0 is never used, so 0/NULL both mean "no text".
CREATE TABLE strings (
  id   INTEGER PRIMARY KEY,
  text TEXT NOT NULL UNIQUE
);

-- One row per ingested input file.
CREATE TABLE sources (
  id           INTEGER PRIMARY KEY,
  path         TEXT NOT NULL,           -- as given on the command line
  format       TEXT NOT NULL,           -- importer name: pcap, pcapng, ctf, chrome-json, lurk-jsonl
  content_hash TEXT NOT NULL UNIQUE,    -- hex digest of the bytes; the same input is ingested once
  size_bytes   INTEGER NOT NULL,
  ingested_at  INTEGER NOT NULL,        -- Unix seconds
  records      INTEGER NOT NULL DEFAULT 0,  -- records read (packets, events)
  skipped      INTEGER NOT NULL DEFAULT 0,  -- records read but not used (e.g. non-TCP packets)
  errors       INTEGER NOT NULL DEFAULT 0,  -- rows in ingest_errors for this source
  status       TEXT NOT NULL,           -- 'complete' or 'partial'
  -- The clock the source's times were taken on (docs/clocks.md): 'unix'
  -- (nanoseconds since the Unix epoch: captures, lurk JSONL with clock
  -- unix-ns) or 'own' (a clock of the source's own, e.g. since boot).
  -- Added in version 2.
  clock_domain    TEXT NOT NULL DEFAULT 'unix',
  -- Added to the source's own times to put them on the profile's reference
  -- clock (the captures'); every stored time of the source already includes
  -- it, so its own times are stored time - clock_offset_ns. Version 2.
  clock_offset_ns INTEGER NOT NULL DEFAULT 0,
  -- How the offset was found: 'reference', 'tcp-segments', 'handshake-isn',
  -- 'labels', 'manual', 'not-aligned' or 'unix-clock' (docs/clocks.md);
  -- 'live-segments' while `lurk collect` writes the source (docs/live.md).
  clock_how       TEXT NOT NULL DEFAULT '',
  clock_evidence  TEXT NOT NULL DEFAULT ''   -- the evidence, for people: "214 segments, spread 0.3 ms"
);

-- Damage found while reading a source: where, and what was expected there.
CREATE TABLE ingest_errors (
  id          INTEGER PRIMARY KEY,
  source_id   INTEGER NOT NULL REFERENCES sources(id),
  byte_offset INTEGER,                  -- offset in the source file, when known
  line        INTEGER,                  -- 1-based line for text formats, when known
  kind        TEXT NOT NULL,            -- short stable name, e.g. 'truncated-record'
  message     TEXT NOT NULL             -- what was expected and what was found
);

-- A TCP connection: one 4-tuple between a SYN (or first packet) and the next
-- SYN with another ISN. Endpoint A is the side that sent the first packet seen
-- (the client when the handshake was captured). State `reset`: a RST came
-- before the clean close (both FINs acknowledged); a RST after it is a closed
-- socket answering a stray segment: `closed`, with rst_seen 1 (net/tcp_close.h).
CREATE TABLE connections (
  id             INTEGER PRIMARY KEY,
  source_id      INTEGER REFERENCES sources(id), -- capture it came from (NULL: named by a trace only)
  addr_a         TEXT NOT NULL,           -- textual IPv4/IPv6 address
  port_a         INTEGER NOT NULL,
  addr_b         TEXT NOT NULL,
  port_b         INTEGER NOT NULL,
  first_ns       INTEGER NOT NULL,
  last_ns        INTEGER NOT NULL,
  syn_seen       INTEGER NOT NULL DEFAULT 0,  -- 1 once a SYN was seen
  synack_seen    INTEGER NOT NULL DEFAULT 0,
  fin_a          INTEGER NOT NULL DEFAULT 0,  -- A sent a FIN
  fin_b          INTEGER NOT NULL DEFAULT 0,
  rst_seen       INTEGER NOT NULL DEFAULT 0,
  packets_ab     INTEGER NOT NULL DEFAULT 0,
  packets_ba     INTEGER NOT NULL DEFAULT 0,
  bytes_ab       INTEGER NOT NULL DEFAULT 0,  -- TCP payload bytes A to B
  bytes_ba       INTEGER NOT NULL DEFAULT 0,
  state          TEXT NOT NULL DEFAULT '',    -- final state reached: handshake, established, closed, reset, ...
  flags_json     TEXT NOT NULL DEFAULT '{}',  -- count of each analysis flag, by Wireshark field name
  -- Set by the joiner (collector/join, docs/joining.md) on a connection seen by
  -- a trace (lurk JSONL tcp events) that a capture in the profile also saw
  -- (same 4-tuple, and same SYN ISN or overlapping times): the capture's row.
  -- Threads link to that row; group by coalesce(same_as, id). Added in issue 4,
  -- additively, so version 1 still holds.
  same_as        INTEGER REFERENCES connections(id),
  -- Set on a connection a mirage-profile CTF trace shows by itself (its
  -- promise tree, docs/ctf.md "Connections from the trace"; source_id is the
  -- trace's source, endpoints '' / 0 when no label names them): the promise
  -- whose label started it (`TCP connect`, `new-server-connection`). NULL on
  -- connections seen in packets. Version 2.
  root_thread_id INTEGER REFERENCES threads(id),
  -- When that trace saw the connection close (a `Close socket` label, or its
  -- `urx_close` promise resolving); NULL when it did not. Findings use it as
  -- the connection's end when no FIN/RST was captured.
  close_ns       INTEGER
);

-- One row per TCP segment of a capture, in file order.
CREATE TABLE packets (
  id            INTEGER PRIMARY KEY,
  source_id     INTEGER NOT NULL REFERENCES sources(id),
  frame         INTEGER NOT NULL,         -- 1-based record number in the source, as Wireshark counts
  connection_id INTEGER NOT NULL REFERENCES connections(id),
  ts_ns         INTEGER NOT NULL,
  dir           INTEGER NOT NULL,         -- 0: A to B, 1: B to A
  seq           INTEGER NOT NULL,         -- raw 32-bit sequence number
  ack           INTEGER NOT NULL,
  payload_len   INTEGER NOT NULL,
  tcp_flags     INTEGER NOT NULL,         -- FIN 0x01 SYN 0x02 RST 0x04 PSH 0x08 ACK 0x10 URG 0x20 ECE 0x40 CWR 0x80
  window        INTEGER NOT NULL,         -- advertised window, scaled when the scale is known
  wire_len      INTEGER NOT NULL,         -- frame length on the wire
  analysis      INTEGER NOT NULL DEFAULT 0, -- bit set of analysis flags (docs/tcp-analysis.md)
  dup_ack_num   INTEGER,                  -- n of "duplicate ACK #n"
  dup_ack_frame INTEGER,                  -- frame of the ACK this one duplicates
  rtt_ns        INTEGER,                  -- RTT sample this ACK gave, when it gave one
  -- RTT sample from the TCP timestamp option: this segment's TSecr echoes a
  -- TSval the other side first sent ts_rtt_ns earlier (once per TSval;
  -- docs/tcp-analysis.md). Added for issue 3, additively: version 1 holds.
  ts_rtt_ns     INTEGER,
  -- For segments a stack traced itself (lurk JSONL tcp events naming a
  -- "thread"): the thread that sent it ("tx") or received it ("rx"). NULL
  -- for captured frames. Version 2.
  sender_thread   INTEGER REFERENCES threads(id),
  receiver_thread INTEGER REFERENCES threads(id)
);
-- Per connection in time order (graphs, details, joins). Not by direction too:
-- with the direction in the key the rows of a capture land at two places of
-- the index instead of one, which cost a sixth of writing a packet.
CREATE INDEX packets_by_lane ON packets(connection_id, ts_ns);
-- No index on (source_id, frame): a source's packets are its rows in id
-- order, which is frame order, and that index was a quarter of the cost of
-- writing a packet.

-- Comments a capture carries (pcapng opt_comment), kept as the capture's
-- author wrote them: on the whole section, on one interface, or on one frame.
-- Added for pcapng (issue 3); an additive table, so version 1 still holds.
CREATE TABLE comments (
  id        INTEGER PRIMARY KEY,
  source_id INTEGER NOT NULL REFERENCES sources(id),
  scope     TEXT NOT NULL,              -- 'section', 'interface' or 'frame'
  frame     INTEGER,                    -- the frame it is on (scope 'frame'), as packets.frame
  interface INTEGER,                    -- 0-based interface number across the file (scope 'interface')
  text      TEXT NOT NULL
);
CREATE INDEX comments_by_frame ON comments(source_id, frame);

-- A thread of a stack trace: an Lwt promise, an OS thread, a task.
CREATE TABLE threads (
  id            INTEGER PRIMARY KEY,
  source_id     INTEGER NOT NULL REFERENCES sources(id),
  ext_id        TEXT NOT NULL,            -- the trace's own id for it (promise id, pid:tid)
  name          INTEGER REFERENCES strings(id),
  kind          TEXT NOT NULL DEFAULT '', -- Lwt thread type, or 'thread' / 'async' / 'process' (Chrome JSON: a process's counter track)
  parent_id     INTEGER REFERENCES threads(id),
  start_ns      INTEGER,                  -- NULL: existed before the trace began
  end_ns        INTEGER,                  -- NULL: never ended in the trace
  failed        INTEGER NOT NULL DEFAULT 0,
  exception     INTEGER REFERENCES strings(id),
  should_resolve INTEGER NOT NULL DEFAULT 0, -- marked as one that must resolve
  became_id     INTEGER REFERENCES threads(id), -- replaced by / merged into that thread
  connection_id INTEGER REFERENCES connections(id),
  link_how      TEXT,                     -- how the connection link was made: 'field', 'port', 'label', ...
                                          -- (the joiner's: '4-tuple', 'port', 'label+time'; docs/joining.md;
                                          -- a CTF trace's own connections: 'ctf-label-tree:certain',
                                          -- 'ctf-flow:likely'; docs/ctf.md)
  sort_index    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX threads_by_connection ON threads(connection_id);

-- A named interval on a thread; depth 0 is outermost. Also running periods.
CREATE TABLE spans (
  id        INTEGER PRIMARY KEY,
  thread_id INTEGER NOT NULL REFERENCES threads(id),
  start_ns  INTEGER NOT NULL,
  end_ns    INTEGER NOT NULL,
  depth     INTEGER NOT NULL DEFAULT 0,
  kind      TEXT NOT NULL DEFAULT 'span', -- 'span', 'running', 'async'
  name      INTEGER REFERENCES strings(id),
  args_json TEXT                          -- JSON object, when the trace gave arguments
);
CREATE INDEX spans_by_lane ON spans(thread_id, start_ns);

-- A point event: exception, label, log line, instant.
CREATE TABLE instants (
  id        INTEGER PRIMARY KEY,
  thread_id INTEGER REFERENCES threads(id),  -- NULL: global
  source_id INTEGER REFERENCES sources(id),  -- the source it came from (version 2; global ones too)
  ts_ns     INTEGER NOT NULL,
  kind      TEXT NOT NULL,                    -- 'exception', 'label', 'log', 'instant'
  name      INTEGER REFERENCES strings(id),
  args_json TEXT
);
CREATE INDEX instants_by_lane ON instants(thread_id, ts_ns);

-- An arrow between two threads (reads, resolves, signals, JSON flows), or
-- between a thread and a packet (kind 'tcp-send': the thread's segment
-- became that packet; 'tcp-receive': the packet reached the thread).
CREATE TABLE flows (
  id          INTEGER PRIMARY KEY,
  kind        TEXT NOT NULL,
  from_thread INTEGER REFERENCES threads(id),
  from_ns     INTEGER NOT NULL,
  to_thread   INTEGER REFERENCES threads(id),
  to_ns       INTEGER NOT NULL,
  -- The packet at the end that is not a thread (tcp-send: the to end,
  -- tcp-receive: the from end): the capture's packet when a capture of the
  -- same run saw it, else the trace's own segment row. Version 2.
  packet_id   INTEGER REFERENCES packets(id)
);

-- A counter sample: the value from ts_ns until the next sample.
CREATE TABLE counters (
  id        INTEGER PRIMARY KEY,
  thread_id INTEGER REFERENCES threads(id),
  source_id INTEGER REFERENCES sources(id),  -- the source it came from (version 2)
  name      INTEGER NOT NULL REFERENCES strings(id),
  ts_ns     INTEGER NOT NULL,
  value     REAL NOT NULL
);
CREATE INDEX counters_by_lane ON counters(name, thread_id, ts_ns);

-- What the timeline's layout needs to know of each lane's rows without
-- reading them (server-backed viewing opens a profile of 100M events from
-- this table instead of a pass over every row: docs/server.md), kept by the
-- writer in the transaction of the rows it describes (storage/lane_facts.h)
-- and shifted with them by the clock pass. Version 5; a file upgraded to it
-- gets it from one pass over its rows (schema_migrations.cpp).
CREATE TABLE lane_facts (
  kind      INTEGER NOT NULL,  -- 0: spans (running periods too), 1: instants, 2: counters, 3: periods (GC, idle), 4: flows (their count only)
  source_id INTEGER NOT NULL,  -- instants, counters and periods: their source_id (0: none); spans, flows: 0
  lane      INTEGER NOT NULL,  -- spans: thread_id; counters: thread_id, or minus the source (global); instants: 0
  name      INTEGER NOT NULL,  -- counters: the counter's name (strings.id); else 0
  events    INTEGER NOT NULL,  -- rows
  first_ns  INTEGER NOT NULL,  -- earliest time among them (spans, periods: starts and ends)
  last_ns   INTEGER NOT NULL,  -- latest
  depths    INTEGER NOT NULL,  -- spans: 1 + the deepest depth (clamped to 0..1000) of spans not 'running'; 0: none
  min_value REAL NOT NULL,     -- counters: smallest value; else 0
  max_value REAL NOT NULL,     -- counters: largest value; else 0
  PRIMARY KEY (kind, source_id, lane, name)
) WITHOUT ROWID;

-- Named counts an importer keeps about one source, e.g. events per type of a
-- CTF trace ('event.creates' = 1816). Added for the CTF importer (issue 4);
-- an additive table, so version 1 still holds.
CREATE TABLE source_counters (
  source_id INTEGER NOT NULL REFERENCES sources(id),
  name      TEXT NOT NULL,             -- e.g. 'event.read', 'packets', 'never_resolved'
  value     INTEGER NOT NULL,
  PRIMARY KEY (source_id, name)
);

-- Global periods the whole program spent in GC or idle.
CREATE TABLE periods (
  id        INTEGER PRIMARY KEY,
  source_id INTEGER NOT NULL REFERENCES sources(id),
  kind      TEXT NOT NULL,               -- 'gc', 'idle'
  start_ns  INTEGER NOT NULL,
  end_ns    INTEGER NOT NULL
);

-- Findings a capture's packets show by themselves (docs/findings.md),
-- found while the capture is ingested, so that ranking the profile's findings
-- never reads every packet again. Added additively: version 1 holds.
CREATE TABLE capture_findings (
  id            INTEGER PRIMARY KEY,
  source_id     INTEGER NOT NULL REFERENCES sources(id),
  kind          TEXT NOT NULL,
  severity      INTEGER NOT NULL,
  title         TEXT NOT NULL,
  detail        TEXT,
  connection_id INTEGER REFERENCES connections(id),
  ts_ns         INTEGER,
  duration_ns   INTEGER
);

-- What lurk's detector thinks a stack developer should look at, ranked.
CREATE TABLE findings (
  id            INTEGER PRIMARY KEY,
  kind          TEXT NOT NULL,
  severity      INTEGER NOT NULL,        -- higher is worse
  title         TEXT NOT NULL,
  detail        TEXT,
  connection_id INTEGER REFERENCES connections(id),
  thread_id     INTEGER REFERENCES threads(id),
  ts_ns         INTEGER,
  duration_ns   INTEGER
);

-- Streams `lurk collect` received with a stream id in their hello line
-- (docs/live.md, "Exactly once across a collector's restart"): how much of
-- each stream the profile holds, written in the transaction of the batch
-- that committed it, so that a collector restarted on the file tells a
-- sender reconnecting with the same id where to resume, and nothing is
-- stored twice. One row per source a stream was stored in (a JSON lines stream resumed
-- after a restart goes on in a new source, a CTF stream in the same one). Offsets count the bytes of the
-- stream as first sent (hello line included). Added by issue 14 (collect3).
CREATE TABLE live_streams (
  stream_id       TEXT NOT NULL,       -- the sender's id for its stream (hello "stream")
  source_id       INTEGER NOT NULL REFERENCES sources(id),  -- the source holding this part
  first_byte      INTEGER NOT NULL,    -- stream offset this part starts at (0, or where it resumed)
  committed_bytes INTEGER NOT NULL,    -- stream offset up to which this part is committed
  reader_state    TEXT,                -- CTF: the reader's state (JSON) at committed_bytes, so a
                                       -- restarted collector continues the stream in this source;
                                       -- NULL for JSON lines and for a stream read to its end
  PRIMARY KEY (stream_id, source_id)
);
