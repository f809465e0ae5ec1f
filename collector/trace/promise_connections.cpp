// The sweep behind find_promise_connections (promise_connections.h); the
// rules are in docs/ctf.md, "Connections from the trace".
#include "trace/promise_connections.h"

#include <algorithm>
#include <unordered_map>
#include <utility>

namespace lurk {
namespace {

// The labels mirage-tcpip puts on a connection's first promise: the client's
// connect task and the promise serving a connection a listener accepted.
constexpr std::string_view kRootLabels[] = {"TCP connect", "new-server-connection",
                                            "new_server_connection"};
// The application closing its flow (Tcp.Flow.close).
constexpr std::string_view kCloseLabel = "Close socket";
// The promise that waits for the receive side to close: labelled when the
// connection is set up, resolved when it closes.
constexpr std::string_view kCloseWaiterLabel = "urx_close";

constexpr int32_t kNoOwner = -1;
constexpr int32_t kContested = -2;

// Same time: roots first (a connection exists before its promises act),
// closes last (what happens at the close instant still joins).
enum class Step : uint8_t { Root, Create, Become, Flow, CloseAsked, Closed };

struct Event {
  int64_t ts = 0;
  Step step = Step::Flow;
  int32_t a = 0, b = 0;  // promise indices; Root: a = promise, b = index into roots
};


struct OpenConnection {
  int32_t root = 0;
  std::string label;
  int64_t label_ns = 0;
  int64_t born_ns = 0;  // promises created before this existed before it
  std::optional<int64_t> close_ns;
  std::optional<int64_t> waiter_end_ns;  // when its `urx_close` member resolves
};

// Each promise's children in creation order (compressed rows), so that a
// promise joining a connection brings the children it made before it joined.
struct Children {
  std::vector<int32_t> begin, list;
  Children(const std::vector<PromiseInfo>& promises,
           const std::unordered_map<int64_t, int32_t>& index) {
    std::vector<std::pair<int32_t, int32_t>> edges;  // (parent, child)
    for (size_t i = 0; i < promises.size(); ++i) {
      const PromiseInfo& p = promises[i];
      if (!p.parent_id || !p.start_ns) continue;
      auto parent = index.find(*p.parent_id);
      if (parent != index.end()) edges.emplace_back(parent->second, static_cast<int32_t>(i));
    }
    std::stable_sort(edges.begin(), edges.end(), [&](const auto& x, const auto& y) {
      return x.first != y.first ? x.first < y.first
                                : *promises[x.second].start_ns < *promises[y.second].start_ns;
    });
    begin.assign(promises.size() + 1, 0);
    for (const auto& e : edges) ++begin[e.first + 1];
    for (size_t i = 0; i < promises.size(); ++i) begin[i + 1] += begin[i];
    for (const auto& e : edges) list.push_back(e.second);
  }
};

class Sweep {
 public:
  Sweep(const std::vector<PromiseInfo>& promises, const Children& children,
        std::vector<uint8_t> close_waiter)
      : promises_(promises),
        children_(children),
        owner_(promises.size(), kNoOwner),
        certain_(promises.size(), 0),
        is_root_(promises.size(), 0),
        close_waiter_(std::move(close_waiter)) {}

  void root(const Event& e, const PromiseLabel& label) {
    int32_t r = e.a;
    if (is_root_[r]) return;  // the same promise labelled twice is one connection
    is_root_[r] = 1;
    const PromiseInfo& p = promises_[r];
    int64_t born = p.start_ns ? std::min(*p.start_ns, e.ts) : e.ts;
    connections_.push_back({r, label.text, e.ts, born, std::nullopt, std::nullopt});
    join(r, static_cast<int32_t>(connections_.size() - 1), true, e.ts);
  }

  // `Close socket` is the application asking; when the connection has a
  // `urx_close` waiter that resolves later, it closes then (its loops run
  // until the receive side has closed).
  void close_asked(int32_t member, int64_t ts) {
    int32_t k = owner_[member];
    if (k < 0) return;
    const OpenConnection& c = connections_[k];
    if (!c.close_ns && !(c.waiter_end_ns && *c.waiter_end_ns > ts))
      connections_[k].close_ns = ts;
  }
  void closed(int32_t waiter, int64_t ts) {
    int32_t k = owner_[waiter];
    if (k >= 0 && !connections_[k].close_ns) connections_[k].close_ns = ts;
  }

  // `to` joins the connection of `from` when the rules let it.
  void claim(int32_t from, int32_t to, bool certain_edge, int64_t ts) {
    int32_t k = owner_[from];
    if (k < 0 || from == to || is_root_[to]) return;
    const OpenConnection& c = connections_[k];
    if (c.close_ns && ts > *c.close_ns) return;
    const std::optional<int64_t>& start = promises_[to].start_ns;
    if (!start || *start < c.born_ns) return;  // the program's own, older promises
    bool certain = certain_edge && certain_[from];
    int32_t& owner = owner_[to];
    if (owner == kNoOwner) {
      join(to, k, certain, ts);
    } else if (owner == k) {
      certain_[to] |= certain;
    } else if (owner >= 0 && !certain_[to]) {
      owner = kContested;  // reached from two connections: neither is sure
    }
  }

  std::vector<PromiseConnection> result() const;

 private:
  // `p` joins connection `k` at `now`, with the children it made since the
  // connection began (and theirs): "those it creates", found late.
  void join(int32_t p, int32_t k, bool certain, int64_t now) {
    std::vector<int32_t> todo{p};
    owner_[p] = k;
    certain_[p] = certain;
    while (!todo.empty()) {
      int32_t x = todo.back();
      todo.pop_back();
      joined_.push_back(x);
      if (close_waiter_[x]) note_waiter(k, promises_[x].end_ns);
      for (int32_t i = children_.begin[x]; i < children_.begin[x + 1]; ++i) {
        int32_t child = children_.list[i];
        int64_t start = *promises_[child].start_ns;
        if (start > now) break;  // made later: its creation event will claim it
        if (owner_[child] != kNoOwner || is_root_[child] || start < connections_[k].born_ns)
          continue;
        owner_[child] = k;
        certain_[child] = certain_[x];
        todo.push_back(child);
      }
    }
  }
  void note_waiter(int32_t k, std::optional<int64_t> end) {
    std::optional<int64_t>& w = connections_[k].waiter_end_ns;
    if (end && (!w || *end > *w)) w = end;
  }

  const std::vector<PromiseInfo>& promises_;
  const Children& children_;
  std::vector<int32_t> owner_;
  std::vector<uint8_t> certain_, is_root_, close_waiter_;
  std::vector<OpenConnection> connections_;
  std::vector<int32_t> joined_;  // in the order they joined
};

std::vector<PromiseConnection> Sweep::result() const {
  std::vector<PromiseConnection> out(connections_.size());
  for (size_t k = 0; k < connections_.size(); ++k) {
    const OpenConnection& c = connections_[k];
    out[k].root_thread = promises_[c.root].id;
    out[k].root_label = c.label;
    out[k].first_ns = c.born_ns;
    out[k].last_ns = c.close_ns.value_or(c.label_ns);
    out[k].close_ns = c.close_ns;
  }
  std::vector<uint8_t> listed(promises_.size(), 0);  // a root may have joined twice
  for (int32_t i : joined_) {
    int32_t k = owner_[i];
    if (k < 0 || listed[i]) continue;
    listed[i] = 1;
    const PromiseInfo& p = promises_[i];
    PromiseConnection& c = out[k];
    c.members.emplace_back(p.id, certain_[i] ? Certainty::Certain : Certainty::Likely);
    const std::optional<int64_t>& close = connections_[k].close_ns;
    for (const std::optional<int64_t>& t : {p.start_ns, p.end_ns})
      if (t && (!close || *t <= *close + kAfterCloseNs)) c.last_ns = std::max(c.last_ns, *t);
  }
  return out;
}

std::vector<Event> events_in_time_order(const std::vector<PromiseInfo>& promises,
                                        const std::unordered_map<int64_t, int32_t>& index,
                                        const std::vector<PromiseLabel>& labels,
                                        const std::vector<PromiseFlow>& flows) {
  auto at = [&](std::optional<int64_t> id) -> int32_t {
    if (!id) return -1;
    auto it = index.find(*id);
    return it == index.end() ? -1 : it->second;
  };
  std::vector<Event> events;
  events.reserve(promises.size() * 2 + flows.size() + labels.size());
  for (size_t i = 0; i < promises.size(); ++i) {
    const PromiseInfo& p = promises[i];
    int32_t self = static_cast<int32_t>(i);
    if (int32_t parent = at(p.parent_id); parent >= 0 && p.start_ns)
      events.push_back({*p.start_ns, Step::Create, parent, self});
    if (int32_t other = at(p.became_id); other >= 0 && p.end_ns)
      events.push_back({*p.end_ns, Step::Become, self, other});
  }
  for (const PromiseFlow& f : flows) {
    int32_t from = at(f.from_thread), to = at(f.to_thread);
    if (from >= 0 && to >= 0) events.push_back({f.ts_ns, Step::Flow, from, to});
  }
  for (size_t l = 0; l < labels.size(); ++l) {
    const PromiseLabel& label = labels[l];
    int32_t thread = at(label.thread_id);
    if (thread < 0) continue;
    if (is_connection_root_label(label.text))
      events.push_back({label.ts_ns, Step::Root, thread, static_cast<int32_t>(l)});
    else if (label.text == kCloseLabel)
      events.push_back({label.ts_ns, Step::CloseAsked, thread, 0});
    else if (label.text == kCloseWaiterLabel && promises[thread].end_ns)
      events.push_back({*promises[thread].end_ns, Step::Closed, thread, 0});
  }
  std::stable_sort(events.begin(), events.end(), [](const Event& x, const Event& y) {
    return x.ts != y.ts ? x.ts < y.ts : x.step < y.step;
  });
  return events;
}

}  // namespace

bool is_connection_root_label(std::string_view text) {
  return std::find(std::begin(kRootLabels), std::end(kRootLabels), text) != std::end(kRootLabels);
}

std::vector<PromiseConnection> find_promise_connections(const std::vector<PromiseInfo>& promises,
                                                        const std::vector<PromiseLabel>& labels,
                                                        const std::vector<PromiseFlow>& flows) {
  std::unordered_map<int64_t, int32_t> index;
  index.reserve(promises.size());
  for (size_t i = 0; i < promises.size(); ++i)
    index.emplace(promises[i].id, static_cast<int32_t>(i));
  std::vector<uint8_t> close_waiter(promises.size(), 0);
  for (const PromiseLabel& label : labels)
    if (label.text == kCloseWaiterLabel)
      if (auto it = index.find(label.thread_id); it != index.end()) close_waiter[it->second] = 1;
  Children children(promises, index);
  Sweep sweep(promises, children, std::move(close_waiter));
  for (const Event& e : events_in_time_order(promises, index, labels, flows)) {
    switch (e.step) {
      case Step::Root: sweep.root(e, labels[e.b]); break;
      case Step::Create: sweep.claim(e.a, e.b, true, e.ts); break;
      case Step::Become:  // one promise goes on as the other: both ways
        sweep.claim(e.a, e.b, true, e.ts);
        sweep.claim(e.b, e.a, true, e.ts);
        break;
      case Step::Flow:
        sweep.claim(e.a, e.b, false, e.ts);
        sweep.claim(e.b, e.a, false, e.ts);
        break;
      case Step::CloseAsked: sweep.close_asked(e.a, e.ts); break;
      case Step::Closed: sweep.closed(e.a, e.ts); break;
    }
  }
  return sweep.result();
}

}  // namespace lurk
