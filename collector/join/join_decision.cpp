// The joiner's decision for one thread: see join_decision.h; the rules are
// in docs/joining.md.
#include "join/join_decision.h"

#include <algorithm>

namespace lurk {
namespace {

// Of the connections that fit, the one at `ts`: captures first, then the
// one whose time covers `ts`, then the nearest. With `unique`, more than one
// distinct connection covering `ts` means no answer.
std::optional<int64_t> choose(const JoinCandidates& all, const std::vector<const JoinConnection*>& fits,
                              int64_t ts, bool unique) {
  std::vector<const JoinConnection*> canonical;
  for (const JoinConnection* c : fits) {
    const JoinConnection* found = all.by_id(c->canonical());
    const JoinConnection* target = found ? found : c;
    if (std::find(canonical.begin(), canonical.end(), target) == canonical.end())
      canonical.push_back(target);
  }
  if (canonical.empty()) return std::nullopt;
  bool any_capture = std::any_of(canonical.begin(), canonical.end(),
                                 [](const JoinConnection* c) { return c->from_capture; });
  std::erase_if(canonical, [&](const JoinConnection* c) { return any_capture && !c->from_capture; });
  std::vector<const JoinConnection*> covering;
  for (const JoinConnection* c : canonical)
    if (c->covers(ts)) covering.push_back(c);
  if (unique) {
    if (covering.size() == 1) return covering[0]->id;
    if (covering.empty() && canonical.size() == 1) return canonical[0]->id;
    return std::nullopt;
  }
  const std::vector<const JoinConnection*>& pool = covering.empty() ? canonical : covering;
  return (*std::min_element(pool.begin(), pool.end(), [ts](const JoinConnection* a,
                                                           const JoinConnection* b) {
           return a->distance(ts) != b->distance(ts) ? a->distance(ts) < b->distance(ts)
                                                     : a->id < b->id;
         }))->id;
}

}  // namespace

std::optional<std::pair<int64_t, const char*>> decide_link(const JoinCandidates& candidates,
                                                           const ThreadEvidence& e) {
  if (e.tuple) {
    if (auto id = choose(candidates, candidates.with_tuple(*e.tuple), e.tuple->ts_ns, false))
      return std::pair{*id, "4-tuple"};
  }
  if (e.port) {
    auto fits = candidates.with_endpoint(e.port->addr_1, e.port->port_1);
    if (auto id = choose(candidates, fits, e.port->ts_ns, true)) return std::pair{*id, "port"};
  }
  if (e.label) {
    // The first connection to start right after the label.
    int64_t t = e.label->ts_ns;
    auto fits = candidates.starting_between(t - kJoinLabelBeforeNs, t + kJoinLabelWindowNs);
    if (!fits.empty()) {
      int64_t first = (*std::min_element(fits.begin(), fits.end(), [](auto* a, auto* b) {
                        return a->first_ns < b->first_ns;
                      }))->first_ns;
      std::erase_if(fits, [first](const JoinConnection* c) { return c->first_ns != first; });
    }
    if (auto id = choose(candidates, fits, t, false)) return std::pair{*id, "label+time"};
  }
  return std::nullopt;
}

JoinConnection join_connection_from(Statement& row) {
  JoinConnection c;
  c.id = row.column_int(0);
  c.addr_a = row.column_text(1);
  c.port_a = static_cast<int>(row.column_int(2));
  c.addr_b = row.column_text(3);
  c.port_b = static_cast<int>(row.column_int(4));
  c.first_ns = row.column_int(5);
  c.last_ns = row.column_int(6);
  c.same_as = row.column_optional_int(7);
  c.from_capture = row.column_int(8) != 0;
  return c;
}

}  // namespace lurk
