// A CTF trace's promise-tree connections, per batch: see live_trace_connections.h.
#include "live/live_trace_connections.h"

#include <algorithm>
#include <deque>
#include <unordered_set>

#include "live/rows_by_ids.h"
#include "storage/sqlite_handle.h"
#include "trace/trace_connections.h"

namespace lurk::live {
namespace {

std::string_view link_how(Certainty how) {
  return how == Certainty::Certain ? "ctf-label-tree:certain" : "ctf-flow:likely";
}

}  // namespace

void LiveTraceConnections::shift_source(int64_t source_id, int64_t delta_ns) {
  auto found = sources_.find(source_id);
  if (found == sources_.end()) return;
  Source& source = found->second;
  for (auto& [id, p] : source.promises) {
    if (p.info.start_ns) *p.info.start_ns += delta_ns;
    if (p.info.end_ns) *p.info.end_ns += delta_ns;
    for (PromiseFlow& f : p.flows) f.ts_ns += delta_ns;
  }
  for (auto& [thread, labels] : source.labels)
    for (PromiseLabel& l : labels) l.ts_ns += delta_ns;
  for (auto& [thread, pending] : source.roots) {
    pending.label.ts_ns += delta_ns;
    if (pending.close_ns) *pending.close_ns += delta_ns;
  }
  source.last_ns += delta_ns;
}

size_t LiveTraceConnections::update(BatchRows& rows) {
  std::set<int64_t> touched;  // CTF sources the batch wrote to
  read_threads(rows.threads, touched);
  read_labels(rows.instants, touched);
  read_flows(rows.flows, touched);
  size_t written = 0;
  for (int64_t source_id : touched) {
    Source& source = sources_[source_id];
    std::vector<int64_t> done;
    for (auto& [thread, pending] : source.roots) {
      if (!worth_a_sweep(source, pending)) continue;
      std::vector<PromiseLabel> labels;
      std::optional<PromiseConnection> c = sweep(source, pending.label, labels);
      pending.close_ns = c ? c->close_ns : std::nullopt;
      pending.waiting_on.clear();
      if (!pending.close_ns) continue;
      for (const auto& [member, how] : c->members)
        if (!source.promises.at(member).info.end_ns) pending.waiting_on.push_back(member);
      if (!pending.waiting_on.empty() && source.last_ns <= *pending.close_ns + kAfterCloseNs)
        continue;
      write(source_id, labels, *c, rows);
      done.push_back(thread);
      ++written;
    }
    for (int64_t thread : done) source.roots.erase(thread);
    source.close_signal = false;
  }
  return written;
}

bool LiveTraceConnections::worth_a_sweep(const Source& source, const Pending& p) {
  if (!p.close_ns) return source.close_signal;
  if (source.last_ns > *p.close_ns + kAfterCloseNs) return true;
  for (int64_t member : p.waiting_on)
    if (!source.promises.at(member).info.end_ns) return false;
  return true;
}

// The batch's thread rows of CTF sources: parents, times, becomes; a row
// the trace's writer wrote over a link of ours gets the link back.
void LiveTraceConnections::read_threads(const std::set<int64_t>& ids, std::set<int64_t>& touched) {
  const std::string sql =
      "SELECT t.id, t.source_id, t.parent_id, t.start_ns, t.end_ns, t.became_id, "
      "  t.connection_id, coalesce(t.link_how, '') FROM threads t "
      "JOIN sources s ON s.id = t.source_id WHERE s.format = 'ctf' AND t.id IN ";
  std::vector<int64_t> overwritten;
  for_rows_of_ids(db_, sql, ids, [&](Statement& s) {
    int64_t id = s.column_int(0), source_id = s.column_int(1);
    Source& source = sources_[source_id];
    Promise& p = source.promises[id];
    p.info.id = id;
    p.info.parent_id = s.column_optional_int(2);
    p.info.start_ns = s.column_optional_int(3);
    p.info.end_ns = s.column_optional_int(4);
    p.info.became_id = s.column_optional_int(5);
    if (p.info.parent_id && !p.parent_noted) {
      source.promises[*p.info.parent_id].children.push_back(id);
      source.promises[id].parent_noted = true;  // `p` may have moved
    }
    Promise& q = source.promises[id];
    if (q.info.became_id && !q.became_noted) {
      int64_t other = *q.info.became_id;
      q.became_noted = true;
      source.promises[other].became_from.push_back(id);
    }
    for (std::optional<int64_t> t : {s.column_optional_int(3), s.column_optional_int(4)})
      if (t) source.last_ns = std::max(source.last_ns, *t);
    if (q.info.end_ns && source.close_waiters.count(id)) source.close_signal = true;
    source_of_[id] = source_id;
    touched.insert(source_id);
    auto link = linked_.find(id);
    if (link != linked_.end() && (s.column_optional_int(6) != link->second.first ||
                                  s.column_text(7) != link_how(link->second.second)))
      overwritten.push_back(id);
  });
  for (int64_t id : overwritten) write_link(id, linked_[id].first, linked_[id].second);
}

void LiveTraceConnections::read_labels(const IdRange& range, std::set<int64_t>& touched) {
  if (range.empty()) return;
  Statement s = db_.prepare(
      "SELECT i.thread_id, i.ts_ns, coalesce(n.text, ''), t.source_id FROM instants i "
      "JOIN threads t ON t.id = i.thread_id JOIN sources src ON src.id = t.source_id "
      "LEFT JOIN strings n ON n.id = i.name "
      "WHERE i.id BETWEEN ?1 AND ?2 AND i.kind = 'label' AND src.format = 'ctf'");
  s.bind(1, range.first).bind(2, range.last);
  while (s.step()) {
    PromiseLabel label{s.column_int(0), s.column_int(1), s.column_text(2)};
    Source& source = sources_[s.column_int(3)];
    source.last_ns = std::max(source.last_ns, label.ts_ns);
    touched.insert(s.column_int(3));
    // The first root label of a promise starts its connection (a second is the same one).
    if (is_connection_root_label(label.text) && !source.recognised.count(label.thread_id)) {
      source.roots.emplace(label.thread_id, Pending{label, std::nullopt, {}});
      source.close_signal = true;  // a new root is swept once at least
    }
    // What can close a connection (promise_connections.h): the application's
    // `Close socket`, and the end of a `urx_close` waiter.
    if (label.text == "Close socket") source.close_signal = true;
    if (label.text == "urx_close") {
      source.close_waiters.insert(label.thread_id);
      auto p = source.promises.find(label.thread_id);
      if (p != source.promises.end() && p->second.info.end_ns) source.close_signal = true;
    }
    source.labels[label.thread_id].push_back(std::move(label));
  }
}

void LiveTraceConnections::read_flows(const IdRange& range, std::set<int64_t>& touched) {
  if (range.empty()) return;
  // As the stop pass loads them: the reader's side says whose trace.
  Statement s = db_.prepare(
      "SELECT f.from_thread, f.to_thread, f.from_ns, t.source_id FROM flows f "
      "JOIN threads t ON t.id = f.to_thread JOIN sources src ON src.id = t.source_id "
      "WHERE f.id BETWEEN ?1 AND ?2 AND f.from_thread IS NOT NULL AND src.format = 'ctf'");
  s.bind(1, range.first).bind(2, range.last);
  while (s.step()) {
    PromiseFlow flow{s.column_int(0), s.column_int(1), s.column_int(2)};
    Source& source = sources_[s.column_int(3)];
    source.last_ns = std::max(source.last_ns, flow.ts_ns);
    touched.insert(s.column_int(3));
    source.promises[flow.from_thread].flows.push_back(flow);
    source.promises[flow.to_thread].flows.push_back(flow);
  }
}

// The promises that may belong to the connection of `root`: from the root,
// those it created, became or was become by, and those a flow ties to one
// of them, never through a promise older than the connection (the
// program's own loops, which never join).
std::vector<int64_t> LiveTraceConnections::reachable(const Source& source,
                                                     const PromiseLabel& root) const {
  auto at = source.promises.find(root.thread_id);
  if (at == source.promises.end()) return {};
  const std::optional<int64_t>& root_start = at->second.info.start_ns;
  int64_t born = root_start ? std::min(*root_start, root.ts_ns) : root.ts_ns;
  std::unordered_set<int64_t> seen{root.thread_id};
  std::vector<int64_t> out;
  std::deque<int64_t> todo{root.thread_id};
  auto visit = [&](int64_t id) {
    auto p = source.promises.find(id);
    if (p == source.promises.end() || seen.count(id)) return;
    if (!p->second.info.start_ns || *p->second.info.start_ns < born) return;
    seen.insert(id);
    todo.push_back(id);
  };
  while (!todo.empty()) {
    int64_t id = todo.front();
    todo.pop_front();
    out.push_back(id);
    const Promise& p = source.promises.at(id);
    for (int64_t child : p.children) visit(child);
    for (int64_t other : p.became_from) visit(other);
    if (p.info.became_id) visit(*p.info.became_id);
    for (const PromiseFlow& f : p.flows) visit(f.from_thread == id ? f.to_thread : f.from_thread);
  }
  return out;
}

std::optional<PromiseConnection> LiveTraceConnections::sweep(const Source& source,
                                                             const PromiseLabel& root,
                                                             std::vector<PromiseLabel>& labels) {
  std::vector<int64_t> ids = reachable(source, root);
  std::unordered_set<int64_t> in(ids.begin(), ids.end());
  std::vector<PromiseInfo> promises;
  std::vector<PromiseFlow> flows;
  for (int64_t id : ids) {
    const Promise& p = source.promises.at(id);
    promises.push_back(p.info);
    if (auto l = source.labels.find(id); l != source.labels.end())
      labels.insert(labels.end(), l->second.begin(), l->second.end());
    for (const PromiseFlow& f : p.flows)  // each flow once: from its reader's side
      if (f.to_thread == id && in.count(f.from_thread)) flows.push_back(f);
  }
  for (PromiseConnection& c : find_promise_connections(promises, labels, flows))
    if (c.root_thread == root.thread_id) return std::move(c);
  return std::nullopt;
}

void LiveTraceConnections::write(int64_t source_id, const std::vector<PromiseLabel>& labels,
                                 const PromiseConnection& c, BatchRows& rows) {
  int64_t connection = write_trace_connection(db_, source_id, c, labels, claim_connection_id_());
  sources_[source_id].recognised.insert(c.root_thread);
  for (const auto& [member, how] : c.members) {
    linked_[member] = {connection, how};
    rows.threads.insert(member);
  }
}

void LiveTraceConnections::write_link(int64_t thread, int64_t connection, Certainty how) {
  Statement link = db_.prepare("UPDATE threads SET connection_id = ?, link_how = ? WHERE id = ?");
  link.bind(1, connection).bind(2, link_how(how)).bind(3, thread);
  link.run();
}

}  // namespace lurk::live
