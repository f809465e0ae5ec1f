// The joiner while collecting: see live_joiner.h.
#include "live/live_joiner.h"

#include <algorithm>

#include "join/connection_merge.h"
#include "live/rows_by_ids.h"
#include "storage/sqlite_handle.h"

namespace lurk::live {
namespace {

std::string endpoint_key(const std::string& addr, int port) {
  return addr + "|" + std::to_string(port);
}

// The unordered pair of endpoints, as text (as the whole pass keys them).
std::string pair_key(const std::string& addr_1, int port_1, const std::string& addr_2, int port_2) {
  std::string a = endpoint_key(addr_1, port_1), b = endpoint_key(addr_2, port_2);
  return a < b ? a + "|" + b : b + "|" + a;
}

std::string tuple_key(const JoinConnection& c) { return pair_key(c.addr_a, c.port_a, c.addr_b, c.port_b); }
std::string tuple_key(const JoinEvidence& e) { return pair_key(e.addr_1, e.port_1, e.addr_2, e.port_2); }

ThreadEvidence merged(const ThreadEvidence& a, const ThreadEvidence& b) {
  ThreadEvidence out = a;
  for (const auto* e : {&b.tuple, &b.port, &b.label})
    if (*e) out.add(**e);
  return out;
}

// The (time, thread) entries of `set` with time in [from, to].
void threads_in(const std::set<std::pair<int64_t, int64_t>>& set, int64_t from, int64_t to,
                std::set<int64_t>& out) {
  if (from > to) return;
  for (auto it = set.lower_bound({from, INT64_MIN}); it != set.end() && it->first <= to; ++it)
    out.insert(it->second);
}

}  // namespace

// The candidates of the live joiner: its indexes.
class LiveJoiner::Candidates : public JoinCandidates {
 public:
  explicit Candidates(const LiveJoiner& j) : j_(j) {}
  std::vector<const JoinConnection*> with_tuple(const JoinEvidence& e) const override {
    std::vector<const JoinConnection*> out;
    auto it = j_.connections_by_tuple_.find(tuple_key(e));
    if (it != j_.connections_by_tuple_.end())
      for (int64_t id : it->second)
        if (const JoinConnection* c = by_id(id); c && c->has_tuple(e)) out.push_back(c);
    return out;
  }
  std::vector<const JoinConnection*> with_endpoint(const std::string& addr, int port) const override {
    std::vector<const JoinConnection*> out;
    auto it = j_.connections_by_port_.find(port);
    if (it != j_.connections_by_port_.end())
      for (int64_t id : it->second)
        if (const JoinConnection* c = by_id(id); c && c->has_endpoint(addr, port)) out.push_back(c);
    return out;
  }
  std::vector<const JoinConnection*> starting_between(int64_t from, int64_t to) const override {
    std::vector<const JoinConnection*> out;
    for (auto it = j_.connections_by_first_.lower_bound(from);
         it != j_.connections_by_first_.end() && it->first <= to; ++it)
      out.push_back(by_id(it->second));
    return out;
  }
  const JoinConnection* by_id(int64_t id) const override {
    auto it = j_.connections_.find(id);
    return it == j_.connections_.end() ? nullptr : &it->second;
  }

 private:
  const LiveJoiner& j_;
};

LiveJoiner::LiveJoiner(Database& db)
    : db_(db), names_(db), candidates_(std::make_unique<Candidates>(*this)) {
  own_rows_left_out_ = trace_own_rows_left_out(db);
  std::set<int64_t> all, touched;
  Statement s = db.prepare("SELECT id FROM connections");
  while (s.step()) all.insert(s.column_int(0));
  read_connections(all, touched);
}

LiveJoiner::~LiveJoiner() = default;

std::vector<LinkChange> LiveJoiner::update(const BatchRows& rows) {
  std::vector<LinkChange> changes;
  std::set<int64_t> touched;
  read_threads(rows.threads, touched, changes);
  read_events("SELECT thread_id, start_ns, coalesce(name, 0), args_json FROM spans "
              "WHERE id BETWEEN ?1 AND ?2", rows.spans, touched);
  read_events("SELECT thread_id, ts_ns, coalesce(name, 0), args_json FROM instants "
              "WHERE id BETWEEN ?1 AND ?2 AND thread_id IS NOT NULL", rows.instants, touched);
  read_connections(rows.connections, touched);
  for (int64_t id : touched) redecide(id, changes);
  return changes;
}

// The batch's thread rows: a row seen for the first time, a name that
// names an endpoint, a link the trace made itself, or one of ours the
// writer overwrote when it wrote the row again (it is written back).
void LiveJoiner::read_threads(const std::set<int64_t>& ids, std::set<int64_t>& touched,
                              std::vector<LinkChange>& changes) {
  for_rows_of_ids(db_, "SELECT id, coalesce(start_ns, 0), coalesce(name, 0), connection_id, "
                  "coalesce(link_how, '') FROM threads WHERE id IN ", ids, [&](Statement& s) {
    int64_t id = s.column_int(0);
    ThreadState& t = threads_[id];
    t.row_seen = true;
    std::optional<int64_t> connection = s.column_optional_int(3);
    bool ours = t.linked && connection == t.linked && s.column_text(4) == t.link_how;
    if (connection && !ours) {
      t.imported = true;
      t.linked.reset();
      reindex(id, t, ThreadEvidence{});
      changes.push_back({id, connection});
      return;
    }
    if (t.linked && !ours) write_link(id, t);  // the writer wrote the tracker's row over it
    t.from_name = ThreadEvidence{};
    for (JoinEvidence e : names_.of(s.column_int(2))) {
      e.ts_ns = s.column_int(1);
      t.from_name.add(e);
    }
    touched.insert(id);
  });
}

// The batch's spans or instants: the evidence their names and args give.
void LiveJoiner::read_events(const char* sql, const IdRange& range, std::set<int64_t>& touched) {
  if (range.empty()) return;
  Statement s = db_.prepare(sql);
  s.bind(1, range.first).bind(2, range.last);
  while (s.step()) {
    int64_t id = s.column_int(0);
    ThreadState& t = threads_[id];
    if (t.imported) continue;
    int64_t ts = s.column_int(1);
    bool changed = false;
    for (JoinEvidence e : names_.of(s.column_int(2))) {
      e.ts_ns = ts;
      changed |= t.from_events.add(e);
    }
    if (!s.column_is_null(3)) {
      std::string args = s.column_text(3);
      if (may_name_endpoint(args))
        for (const JoinEvidence& e : evidence_in_event(args, "", ts)) changed |= t.from_events.add(e);
    }
    if (changed) touched.insert(id);
  }
}

// The batch's connection rows: the indexes follow them, and the threads
// whose decision they can change are re-decided.
void LiveJoiner::read_connections(const std::set<int64_t>& ids, std::set<int64_t>& touched) {
  for_rows_of_ids(db_, std::string("SELECT ") + kJoinConnectionColumns + " FROM connections c "
                  "LEFT JOIN sources src ON src.id = c.source_id WHERE " + own_rows_left_out_ +
                  "c.id IN ",
             ids, [&](Statement& s) {
    JoinConnection c = join_connection_from(s);
    auto it = connections_.find(c.id);
    std::optional<JoinConnection> before;
    if (it != connections_.end()) {
      before = it->second;
      index_connection(it->second, false);
    }
    affected_by(before ? &*before : nullptr, c, touched);
    connections_[c.id] = c;
    index_connection(c, true);
  });
}

void LiveJoiner::index_connection(const JoinConnection& c, bool add) {
  auto edit = [add, &c](std::set<int64_t>& ids) {
    if (add) ids.insert(c.id);
    else ids.erase(c.id);
  };
  edit(connections_by_tuple_[tuple_key(c)]);
  edit(connections_by_port_[c.port_a]);
  edit(connections_by_port_[c.port_b]);
  if (add) {
    connections_by_first_.emplace(c.first_ns, c.id);
    return;
  }
  auto [from, to] = connections_by_first_.equal_range(c.first_ns);
  for (auto it = from; it != to; ++it)
    if (it->second == c.id) {
      connections_by_first_.erase(it);
      break;
    }
}

// The threads whose decision a connection that is new, or whose extent
// moved, can change (the rest decide as before: see live_joiner.h).
void LiveJoiner::affected_by(const JoinConnection* before, const JoinConnection& now,
                             std::set<int64_t>& touched) const {
  // A merge (same_as, live_capture_joins.h) changes whose row the
  // connection is: every thread naming it decides again.
  bool merged = before && before->same_as != now.same_as;
  bool first_moved = !before || merged || before->first_ns != now.first_ns;
  bool last_moved = !before || merged || before->last_ns != now.last_ns;
  if (!first_moved && !last_moved) return;
  // The times at which covers() or distance() changed.
  int64_t from = now.first_ns - kJoinTimeSlackNs, to = now.last_ns + kJoinTimeSlackNs;
  if (before && !first_moved) from = before->last_ns;
  if (before && !last_moved) to = before->first_ns;
  auto add_keyed = [&](const auto& by_key, const auto& uncovered, const auto& key) {
    if (auto it = by_key.find(key); it != by_key.end()) threads_in(it->second, from, to, touched);
    if (auto it = uncovered.find(key); it != uncovered.end())
      touched.insert(it->second.begin(), it->second.end());
  };
  add_keyed(threads_by_tuple_, uncovered_by_tuple_, tuple_key(now));
  add_keyed(threads_by_port_, uncovered_by_port_, now.port_a);
  add_keyed(threads_by_port_, uncovered_by_port_, now.port_b);
  if (first_moved) {
    threads_in(threads_by_label_, now.first_ns - kJoinLabelWindowNs,
               now.first_ns + kJoinLabelBeforeNs, touched);
    if (before)
      threads_in(threads_by_label_, before->first_ns - kJoinLabelWindowNs,
                 before->first_ns + kJoinLabelBeforeNs, touched);
  }
}

bool LiveJoiner::covered(const JoinEvidence& e) const {
  std::vector<const JoinConnection*> fits =
      e.kind == JoinEvidence::Kind::FourTuple ? candidates_->with_tuple(e)
                                              : candidates_->with_endpoint(e.addr_1, e.port_1);
  return std::any_of(fits.begin(), fits.end(), [&](const JoinConnection* c) { return c->covers(e.ts_ns); });
}

// The indexes hold each thread's earliest evidence of each kind.
void LiveJoiner::reindex(int64_t id, ThreadState& t, const ThreadEvidence& now) {
  const ThreadEvidence& old = t.indexed;
  if (old.tuple) {
    threads_by_tuple_[tuple_key(*old.tuple)].erase({old.tuple->ts_ns, id});
    uncovered_by_tuple_[tuple_key(*old.tuple)].erase(id);
  }
  if (old.port) {
    threads_by_port_[old.port->port_1].erase({old.port->ts_ns, id});
    uncovered_by_port_[old.port->port_1].erase(id);
  }
  if (old.label) threads_by_label_.erase({old.label->ts_ns, id});
  if (now.tuple) {
    threads_by_tuple_[tuple_key(*now.tuple)].insert({now.tuple->ts_ns, id});
    if (!covered(*now.tuple)) uncovered_by_tuple_[tuple_key(*now.tuple)].insert(id);
  }
  if (now.port) {
    threads_by_port_[now.port->port_1].insert({now.port->ts_ns, id});
    if (!covered(*now.port)) uncovered_by_port_[now.port->port_1].insert(id);
  }
  if (now.label) threads_by_label_.insert({now.label->ts_ns, id});
  t.indexed = now;
}

void LiveJoiner::redecide(int64_t id, std::vector<LinkChange>& changes) {
  ThreadState& t = threads_[id];
  if (t.imported) return;
  ThreadEvidence evidence = merged(t.from_name, t.from_events);
  reindex(id, t, evidence);
  if (!t.row_seen) return;  // linked once its row is written
  std::optional<std::pair<int64_t, const char*>> decided;
  if (!evidence.empty()) decided = decide_link(*candidates_, evidence);
  std::optional<int64_t> link;
  std::string how;
  if (decided) {
    link = decided->first;
    how = decided->second;
  }
  if (link == t.linked && how == t.link_how) return;
  t.linked = link;
  t.link_how = how;
  write_link(id, t);
  changes.push_back({id, link});
}

void LiveJoiner::write_link(int64_t id, const ThreadState& t) {
  Statement s = db_.prepare("UPDATE threads SET connection_id = ?, link_how = ? WHERE id = ?");
  s.bind(1, t.linked);
  if (t.linked) s.bind(2, std::string_view(t.link_how));
  else s.bind(2, std::nullopt);
  s.bind(3, id).run();
}

std::vector<LinkChange> LiveJoiner::shift_source(const std::set<int64_t>& threads,
                                                 const std::set<int64_t>& connections,
                                                 int64_t delta_ns) {
  std::vector<LinkChange> changes;
  std::set<int64_t> touched;
  auto shift = [delta_ns](ThreadEvidence& evidence) {
    for (auto* e : {&evidence.tuple, &evidence.port, &evidence.label})
      if (*e) (*e)->ts_ns += delta_ns;
  };
  for (int64_t id : threads) {
    auto it = threads_.find(id);
    if (it == threads_.end() || it->second.imported) continue;
    shift(it->second.from_name);
    shift(it->second.from_events);
    touched.insert(id);  // re-indexed at its new times by redecide
  }
  read_connections(connections, touched);
  for (int64_t id : touched) redecide(id, changes);
  return changes;
}

void LiveJoiner::undo_links() {
  for (auto& [id, t] : threads_) {
    if (!t.linked) continue;
    t.linked.reset();
    t.link_how.clear();
    write_link(id, t);
  }
}

}  // namespace lurk::live
