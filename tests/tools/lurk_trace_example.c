/* A tiny "stack" that traces itself with collector/client/lurk_trace.h, to a
 * file or to a lurk collect: one client thread that connects (two traced
 * segments), logs text that needs escaping, counts, opens and closes a span,
 * and fails. Built as C99 (pedantic) and as C++ (lurk_trace_example.cpp), so
 * the header is checked in both; tests/cli/live_c_header.py reads the result.
 * Usage: lurk-trace-example file PATH | connect HOST PORT NAME [TOKEN]   */
#include <stdio.h>
#include <string.h>

#include "lurk_trace.h"

static void trace_scenario(lurk_trace* t) {
  int64_t ts = 1700000000000000000LL;
  lurk_trace_conn conn = {"10.0.0.1", 40000, "10.0.0.2", 80};
  lurk_trace_segment syn = {"10.0.0.1", 40000, "10.0.0.2", 80, 1, 1000, 0, 0, 2, 64240};
  lurk_trace_segment synack = {"10.0.0.1", 40000, "10.0.0.2", 80, 0, 5000, 1001, 0, 18, 65535};
  lurk_trace_thread_start(t, ts, "c1", "fetch", &conn);
  lurk_trace_tcp(t, ts + 100, "c1", &syn);
  lurk_trace_tcp(t, ts + 200, "c1", &synack);
  lurk_trace_span_begin(t, ts + 300, "c1", "request", &conn);
  lurk_trace_log(t, ts + 400, "c1", "info", "GET /a \"quoted\"\tand\\slashed\nnewline \xc3\xa9");
  lurk_trace_counter(t, ts + 500, NULL, "queue depth", 42.5);
  lurk_trace_label(t, ts + 550, "c1", "TCP connect", &conn);
  lurk_trace_span_end(t, ts + 600, "c1");
  lurk_trace_exception(t, ts + 700, "c1", "Connection reset", 1);
  lurk_trace_thread_end(t, ts + 800, "c1", "Connection reset");
}

int main(int argc, char** argv) {
  lurk_trace t;
  int opened;
  if (argc == 3 && strcmp(argv[1], "file") == 0) {
    opened = lurk_trace_open_file(&t, argv[2], "lurk-trace-example");
  } else if ((argc == 5 || argc == 6) && strcmp(argv[1], "connect") == 0) {
    opened = lurk_trace_connect(&t, argv[2], argv[3], argv[4], argc == 6 ? argv[5] : NULL,
                                "lurk-trace-example");
  } else {
    fprintf(stderr, "usage: %s file PATH | connect HOST PORT NAME [TOKEN]\n", argv[0]);
    return 2;
  }
  if (opened != 0) {
    perror("lurk-trace-example");
    return 1;
  }
  trace_scenario(&t);
  return lurk_trace_close(&t) == 0 ? 0 : 1;
}
