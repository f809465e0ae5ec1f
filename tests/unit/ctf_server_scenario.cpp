// The server trace of ctf_server_scenario.h, event by event.
#include "ctf_server_scenario.h"

#include <algorithm>
#include <deque>

#include "ctf_trace_builder.h"

namespace lurk::test {
namespace {

constexpr uint8_t kTask = 1, kBind = 2;
constexpr uint8_t kRead = 1, kFulfills = 2;

// Events of overlapping connections interleave: each is encoded on its own
// (at(ts) gives a fresh event at that time), then all are put in time order.
class Timeline {
 public:
  CtfEvents& at(int64_t ts) {
    slots_.push_back({ts, slots_.size(), {}});
    return slots_.back().event;
  }
  // The events in time order, `per_packet` to a packet (0: all in one).
  std::vector<CtfPacketSpec> packets(size_t per_packet) {
    std::vector<const Slot*> order;
    for (const Slot& s : slots_) order.push_back(&s);
    std::sort(order.begin(), order.end(), [](const Slot* a, const Slot* b) {
      return a->ts != b->ts ? a->ts < b->ts : a->seq < b->seq;
    });
    std::vector<CtfPacketSpec> out;
    for (size_t i = 0; i < order.size(); ++i) {
      if (out.empty() || (per_packet > 0 && i % per_packet == 0))
        out.push_back({static_cast<uint16_t>(out.size()), {}});
      std::vector<uint8_t>& events = out.back().events;
      events.insert(events.end(), order[i]->event.bytes.begin(), order[i]->event.bytes.end());
    }
    return out;
  }

 private:
  struct Slot {
    int64_t ts;
    size_t seq;
    CtfEvents event;
  };
  std::deque<Slot> slots_;  // references handed out by at() stay valid
};

// The scheduler runs the handler, then the bind reading the data, then the
// listener again; the data's put promise resolves once delivered (so every
// promise of the connection ends: the live collector recognises it then,
// docs/live.md); each connection adds its bytes to a counter; the close
// waiter must resolve (it does) and so must the after-close promise (it
// never does: a never-resolved mark at the trace's end).
void add_scheduling(Timeline& t, const CtfServerConnection& c) {
  uint64_t s = static_cast<uint64_t>(c.start_ns);
  t.at(s + 500).switch_to(s + 500, c.handler);
  t.at(s + 4200).label(s + 4200, c.close_waiter, "__should_resolve");
  t.at(s + 20100).pair(s + 20100, kFulfills, kListenerPromise, c.netif_put);
  t.at(s + 20500).increase(s + 20500, c.netif_put, 1460, "rx bytes");
  t.at(s + 21000).switch_to(s + 21000, c.rx_bind);
  t.at(s + 30000).switch_to(s + 30000, kListenerPromise);
  uint64_t after = static_cast<uint64_t>(c.close_label_ns) + 5100;
  t.at(after).label(after, c.after_close, "__should_resolve");
}

void add_connection(Timeline& t, const CtfServerConnection& c, bool fails) {
  uint64_t s = static_cast<uint64_t>(c.start_ns);
  t.at(s).creates(s, kListenerPromise, c.handler, kTask);
  t.at(s + 1000).label(s + 1000, c.handler, "new-server-connection");
  t.at(s + 2000).creates(s + 2000, c.handler, c.rx_take, kTask);
  t.at(s + 2100).label(s + 2100, c.rx_take, "take rx_data");
  t.at(s + 3000).creates(s + 3000, c.handler, c.rx_bind, kBind);
  t.at(s + 4000).creates(s + 4000, c.handler, c.close_waiter, kTask);
  t.at(s + 4100).label(s + 4100, c.close_waiter, "urx_close");
  // The network driver's promise that delivers data: created by the
  // listener, tied to the connection only by what it resolves.
  t.at(s + 10000).creates(s + 10000, kListenerPromise, c.netif_put, kTask);
  t.at(s + 10100).label(s + 10100, c.netif_put, "put rx_data");
  t.at(s + 20000).pair(s + 20000, kFulfills, c.netif_put, c.rx_take);
  t.at(s + 21000).pair(s + 21000, kRead, c.rx_bind, c.rx_take);
  t.at(s + 22000).pair(s + 22000, kFulfills, c.rx_bind, c.rx_bind);
  uint64_t close = static_cast<uint64_t>(c.close_label_ns), end = static_cast<uint64_t>(c.end_ns);
  uint64_t closed = static_cast<uint64_t>(c.closed_ns);
  t.at(close).label(close, c.handler, "Close socket");
  t.at(closed).pair(closed, kFulfills, kListenerPromise, c.close_waiter);
  // Made by the handler after the close: no longer the connection's.
  t.at(close + 5000).creates(close + 5000, c.handler, c.after_close, kBind);
  if (fails)
    t.at(end).fails(end, c.handler, c.handler, kWakeupResult);
  else
    t.at(end).pair(end, kFulfills, c.handler, c.handler);
}

}  // namespace

CtfServerConnection ctf_server_connection(const CtfServerSpec& spec, size_t i) {
  int64_t base = 100 * static_cast<int64_t>(i + 1);
  int64_t start = spec.first_ns + static_cast<int64_t>(i) * spec.step_ns;
  int64_t end = start + spec.length_ns;
  return {base,  base + 1, base + 2,     base + 3,    base + 4,
          base + 5, start, end - 10000, end - 9000, end};
}

std::vector<uint8_t> build_ctf_server(const CtfServerSpec& spec) {
  Timeline t;
  // The listener: first seen in a label, so it existed before the trace.
  uint64_t listen = static_cast<uint64_t>(spec.first_ns - 500'000);
  t.at(listen).label(listen, kListenerPromise, "Tcp listen");
  // A failure on no connection, while the first connection is open.
  uint64_t x = static_cast<uint64_t>(spec.first_ns + 100'000);
  t.at(x).creates(x, kListenerPromise, kOutsidePromise, kTask);
  t.at(x + 100).label(x + 100, kOutsidePromise, "Xs.read waiting");
  t.at(x + 100'000).fails(x + 100'000, kListenerPromise, kOutsidePromise, kOutsideFailure);
  for (size_t i = 0; i < spec.fails_at_close.size(); ++i) {
    add_connection(t, ctf_server_connection(spec, i), spec.fails_at_close[i]);
    if (spec.with_scheduling) add_scheduling(t, ctf_server_connection(spec, i));
  }
  return build_ctf(t.packets(spec.events_per_packet));
}

}  // namespace lurk::test
