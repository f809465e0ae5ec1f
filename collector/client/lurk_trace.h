/* lurk_trace.h: emit lurk JSON lines (docs/lurk-jsonl.md) from a C or C++
 * network stack, into a file or straight to a `lurk collect` over TCP
 * (docs/live.md). One header, no dependencies beyond the C library and POSIX
 * sockets; C99 and C++. Copy it into your tree.
 *
 *   lurk_trace t;
 *   lurk_trace_connect(&t, "127.0.0.1", "7070", "my-stack", NULL, "mystack 0.3");
 *     (or lurk_trace_open_file(&t, "stack.jsonl", "mystack 0.3"))
 *   lurk_trace_thread_start(&t, lurk_trace_now_ns(), "c1", "fetch", NULL);
 *   lurk_trace_log(&t, lurk_trace_now_ns(), "c1", "info", "GET /");
 *   lurk_trace_thread_end(&t, lurk_trace_now_ns(), "c1", NULL);
 *   lurk_trace_close(&t);
 *
 * Times are nanoseconds on CLOCK_REALTIME (the header line says
 * "clock":"unix-ns"), so the trace joins a capture of the same run.
 * Lines are buffered (LURK_TRACE_BUFFER bytes) and written when the buffer
 * fills, on lurk_trace_flush() and on close; set `flush_each_event` for a
 * live view at the price of one write per event. Text must be UTF-8; it is
 * JSON-escaped here. A lurk_trace is not locked: use one per thread, or hold
 * your own lock around the calls. After a failed write (the collector went
 * away, a full disk) `failed` is set, errno kept in `error`, and later events
 * are dropped rather than blocking the stack.
 *
 * With -std=c99 define _POSIX_C_SOURCE=200809L (for getaddrinfo) before any
 * include, or use -std=gnu99. */
#ifndef LURK_TRACE_H
#define LURK_TRACE_H

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stddef.h>
#include <netdb.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#ifndef LURK_TRACE_BUFFER
#define LURK_TRACE_BUFFER 16384
#endif

#ifdef __cplusplus
extern "C" {
#endif

typedef struct lurk_trace {
  int fd;               /* the file or socket; -1 when closed */
  int is_socket;
  int failed;           /* a write failed; events are dropped from then on */
  int error;            /* errno of that failure */
  int flush_each_event; /* write every event at once (live views) */
  size_t used;
  char buf[LURK_TRACE_BUFFER];
} lurk_trace;

/* A segment as the stack sent (tx = 1: laddr:lport -> raddr:rport) or
 * received it (tx = 0). flags: FIN 1, SYN 2, RST 4, PSH 8, ACK 16, URG 32. */
typedef struct lurk_trace_segment {
  const char* laddr;
  uint16_t lport;
  const char* raddr;
  uint16_t rport;
  int tx;
  uint32_t seq, ack, len;
  uint8_t flags;
  uint16_t window;
} lurk_trace_segment;

/* The connection an event is about (the "conn" tag the joiner reads). */
typedef struct lurk_trace_conn {
  const char* laddr;
  uint16_t lport;
  const char* raddr;
  uint16_t rport;
} lurk_trace_conn;

static inline int64_t lurk_trace_now_ns(void) {
  struct timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  return (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
}

/* ---- output ----------------------------------------------------------- */

static inline int lurk_trace__write_out(lurk_trace* t, const char* data, size_t size) {
  while (size > 0) {
    ssize_t n = t->is_socket ? send(t->fd, data, size, MSG_NOSIGNAL) : write(t->fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      t->failed = 1;
      t->error = n < 0 ? errno : EPIPE;
      return -1;
    }
    data += n;
    size -= (size_t)n;
  }
  return 0;
}

static inline int lurk_trace_flush(lurk_trace* t) {
  int rc = 0;
  if (t->used > 0 && !t->failed && t->fd >= 0) rc = lurk_trace__write_out(t, t->buf, t->used);
  t->used = 0;
  return t->failed ? -1 : rc;
}

static inline void lurk_trace__put(lurk_trace* t, const char* data, size_t size) {
  while (size > 0) {
    size_t room = sizeof t->buf - t->used;
    size_t take = size < room ? size : room;
    memcpy(t->buf + t->used, data, take);
    t->used += take;
    data += take;
    size -= take;
    if (t->used == sizeof t->buf) lurk_trace_flush(t);
  }
}

static inline void lurk_trace__text(lurk_trace* t, const char* text) {
  lurk_trace__put(t, text, strlen(text));
}

/* A JSON string: quotes, backslashes and control characters escaped. */
static inline void lurk_trace__string(lurk_trace* t, const char* text) {
  static const char hex[] = "0123456789abcdef";
  const char* run = text;
  lurk_trace__put(t, "\"", 1);
  for (; *text; ++text) {
    unsigned char c = (unsigned char)*text;
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    lurk_trace__put(t, run, (size_t)(text - run));
    if (c == '"' || c == '\\') {
      char esc[2] = {'\\', (char)c};
      lurk_trace__put(t, esc, 2);
    } else {
      char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
      lurk_trace__put(t, esc, 6);
    }
    run = text + 1;
  }
  lurk_trace__put(t, run, (size_t)(text - run));
  lurk_trace__put(t, "\"", 1);
}

static inline void lurk_trace__int(lurk_trace* t, int64_t value) {
  char digits[24];
  int n = snprintf(digits, sizeof digits, "%" PRId64, value);
  lurk_trace__put(t, digits, (size_t)n);
}

/* `,"key":` then the value by the caller. */
static inline void lurk_trace__key(lurk_trace* t, const char* key) {
  lurk_trace__put(t, ",\"", 2);
  lurk_trace__text(t, key);
  lurk_trace__put(t, "\":", 2);
}

/* {"t":TYPE,"ts":TS[,"thread":THREAD] ... the caller adds fields and ends. */
static inline int lurk_trace__begin(lurk_trace* t, const char* type, int64_t ts, const char* thread) {
  if (t->failed || t->fd < 0) return 0;
  lurk_trace__text(t, "{\"t\":\"");
  lurk_trace__text(t, type);
  lurk_trace__text(t, "\",\"ts\":");
  lurk_trace__int(t, ts);
  if (thread) {
    lurk_trace__key(t, "thread");
    lurk_trace__string(t, thread);
  }
  return 1;
}

static inline void lurk_trace__end(lurk_trace* t) {
  lurk_trace__put(t, "}\n", 2);
  if (t->flush_each_event) lurk_trace_flush(t);
}

static inline void lurk_trace__conn(lurk_trace* t, const lurk_trace_conn* c) {
  if (!c) return;
  lurk_trace__key(t, "conn");
  lurk_trace__text(t, "{\"laddr\":");
  lurk_trace__string(t, c->laddr);
  lurk_trace__text(t, ",\"lport\":");
  lurk_trace__int(t, c->lport);
  lurk_trace__text(t, ",\"raddr\":");
  lurk_trace__string(t, c->raddr);
  lurk_trace__text(t, ",\"rport\":");
  lurk_trace__int(t, c->rport);
  lurk_trace__put(t, "}", 1);
}

static inline void lurk_trace__header(lurk_trace* t, const char* producer) {
  lurk_trace__text(t, "{\"lurk\":\"jsonl\",\"version\":1,\"clock\":\"unix-ns\"");
  if (producer) {
    lurk_trace__key(t, "producer");
    lurk_trace__string(t, producer);
  }
  lurk_trace__put(t, "}\n", 2);
}

static inline void lurk_trace__init(lurk_trace* t, int fd, int is_socket) {
  memset(t, 0, offsetof(lurk_trace, buf));
  t->fd = fd;
  t->is_socket = is_socket;
}

/* ---- opening and closing ------------------------------------------------ */

/* Creates (truncates) the file; 0 on success, -1 with errno. */
static inline int lurk_trace_open_file(lurk_trace* t, const char* path, const char* producer) {
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  lurk_trace__init(t, fd, 0);
  if (fd < 0) return -1;
  lurk_trace__header(t, producer);
  return 0;
}

/* Connects to a `lurk collect` at host:port and says hello: `name` names the
 * source in the profile (NULL: the collector uses our address), `token` when
 * the collector asks for one (NULL otherwise). 0 on success, -1 otherwise. */
static inline int lurk_trace_connect(lurk_trace* t, const char* host, const char* port,
                                     const char* name, const char* token, const char* producer) {
  struct addrinfo hints, *found = NULL, *a;
  int fd = -1;
  memset(&hints, 0, sizeof hints);
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  lurk_trace__init(t, -1, 1);
  if (getaddrinfo(host, port, &hints, &found) != 0) return -1;
  for (a = found; a && fd < 0; a = a->ai_next) {
    fd = socket(a->ai_family, a->ai_socktype, a->ai_protocol);
    if (fd >= 0 && connect(fd, a->ai_addr, a->ai_addrlen) != 0) {
      close(fd);
      fd = -1;
    }
  }
  freeaddrinfo(found);
  if (fd < 0) return -1;
  t->fd = fd;
  lurk_trace__text(t, "{\"lurk\":\"hello\",\"version\":1");
  if (name) {
    lurk_trace__key(t, "name");
    lurk_trace__string(t, name);
  }
  if (token) {
    lurk_trace__key(t, "token");
    lurk_trace__string(t, token);
  }
  lurk_trace__put(t, "}\n", 2);
  lurk_trace__header(t, producer);
  return lurk_trace_flush(t);
}

/* Flushes and closes; 0 when every event was written, -1 otherwise. */
static inline int lurk_trace_close(lurk_trace* t) {
  int rc = lurk_trace_flush(t);
  if (t->fd >= 0 && close(t->fd) != 0 && rc == 0) rc = -1;
  t->fd = -1;
  return t->failed ? -1 : rc;
}

/* ---- events (docs/lurk-jsonl.md); thread may be NULL where optional ----- */

static inline void lurk_trace_thread_start(lurk_trace* t, int64_t ts, const char* thread,
                                           const char* name, const lurk_trace_conn* conn) {
  if (!lurk_trace__begin(t, "thread_start", ts, thread)) return;
  if (name) {
    lurk_trace__key(t, "name");
    lurk_trace__string(t, name);
  }
  lurk_trace__conn(t, conn);
  lurk_trace__end(t);
}

/* error: NULL, or the text the thread failed with. */
static inline void lurk_trace_thread_end(lurk_trace* t, int64_t ts, const char* thread,
                                         const char* error) {
  if (!lurk_trace__begin(t, "thread_end", ts, thread)) return;
  if (error) {
    lurk_trace__key(t, "error");
    lurk_trace__string(t, error);
  }
  lurk_trace__end(t);
}

static inline void lurk_trace_span_begin(lurk_trace* t, int64_t ts, const char* thread,
                                         const char* name, const lurk_trace_conn* conn) {
  if (!lurk_trace__begin(t, "span_begin", ts, thread)) return;
  lurk_trace__key(t, "name");
  lurk_trace__string(t, name);
  lurk_trace__conn(t, conn);
  lurk_trace__end(t);
}

static inline void lurk_trace_span_end(lurk_trace* t, int64_t ts, const char* thread) {
  if (!lurk_trace__begin(t, "span_end", ts, thread)) return;
  lurk_trace__end(t);
}

static inline void lurk_trace_log(lurk_trace* t, int64_t ts, const char* thread,
                                  const char* level, const char* text) {
  if (!lurk_trace__begin(t, "log", ts, thread)) return;
  if (level) {
    lurk_trace__key(t, "level");
    lurk_trace__string(t, level);
  }
  lurk_trace__key(t, "text");
  lurk_trace__string(t, text);
  lurk_trace__end(t);
}

static inline void lurk_trace_label(lurk_trace* t, int64_t ts, const char* thread,
                                    const char* name, const lurk_trace_conn* conn) {
  if (!lurk_trace__begin(t, "label", ts, thread)) return;
  lurk_trace__key(t, "name");
  lurk_trace__string(t, name);
  lurk_trace__conn(t, conn);
  lurk_trace__end(t);
}

static inline void lurk_trace_counter(lurk_trace* t, int64_t ts, const char* thread,
                                      const char* name, double value) {
  char number[40];
  int n = snprintf(number, sizeof number, "%.17g", value);
  if (value != value || value - value != 0) return; /* NaN, infinity: not JSON */
  if (!lurk_trace__begin(t, "counter", ts, thread)) return;
  lurk_trace__key(t, "name");
  lurk_trace__string(t, name);
  lurk_trace__key(t, "value");
  lurk_trace__put(t, number, (size_t)n);
  lurk_trace__end(t);
}

/* uncaught: the thread failed with it. */
static inline void lurk_trace_exception(lurk_trace* t, int64_t ts, const char* thread,
                                        const char* message, int uncaught) {
  if (!lurk_trace__begin(t, "exception", ts, thread)) return;
  lurk_trace__key(t, "message");
  lurk_trace__string(t, message);
  if (uncaught) lurk_trace__text(t, ",\"uncaught\":true");
  lurk_trace__end(t);
}

static inline void lurk_trace_tcp(lurk_trace* t, int64_t ts, const char* thread,
                                  const lurk_trace_segment* s) {
  if (!lurk_trace__begin(t, "tcp", ts, thread)) return;
  lurk_trace__key(t, "laddr");
  lurk_trace__string(t, s->laddr);
  lurk_trace__key(t, "lport");
  lurk_trace__int(t, s->lport);
  lurk_trace__key(t, "raddr");
  lurk_trace__string(t, s->raddr);
  lurk_trace__key(t, "rport");
  lurk_trace__int(t, s->rport);
  lurk_trace__text(t, s->tx ? ",\"dir\":\"tx\"" : ",\"dir\":\"rx\"");
  lurk_trace__key(t, "seq");
  lurk_trace__int(t, s->seq);
  lurk_trace__key(t, "ack");
  lurk_trace__int(t, s->ack);
  lurk_trace__key(t, "len");
  lurk_trace__int(t, s->len);
  lurk_trace__key(t, "flags");
  lurk_trace__int(t, s->flags);
  lurk_trace__key(t, "window");
  lurk_trace__int(t, s->window);
  lurk_trace__end(t);
}

#ifdef __cplusplus
}
#endif

#endif /* LURK_TRACE_H */
