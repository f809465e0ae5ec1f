// `/` search: which names, labels and args contain the query (case
// insensitive), and every span, instant and thread that matches, in time
// order, for counting, highlighting and stepping through matches. Run once
// per query change; the frame only asks the per-string bitmaps, and for a
// merged block the lane's match bits (two lookups: MatchBits), so a block
// holding a match shows as matched at any zoom.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/item_ref.h"
#include "core/profile_model.h"

namespace lurk::ui {

struct SearchHit {
  int64_t t_ns = 0;
  ItemRef item;
};

// Which items of one lane match, one bit each, with the matches before each
// word kept so that a merged block's count is two lookups (1.5 bits an
// item: at 100M events a query that matches everything holds 19 MB, where
// a list of indices held 400).
class MatchBits {
 public:
  template <typename Matches>
  void build(size_t n, Matches matches);
  // Matches among items [first, first + count).
  uint32_t count(uint64_t first, uint64_t count) const { return rank(first + count) - rank(first); }
  bool test(uint64_t i) const { return i < n_ && !words_.empty() && (words_[i / 64] >> (i % 64) & 1); }
  uint64_t total() const { return before_.empty() ? 0 : before_.back(); }
  uint64_t size() const { return n_; }  // items, matching or not
  // The first match at or after i (n_ when none), the last before i (-1).
  int64_t next_from(uint64_t i) const;
  int64_t previous_before(uint64_t i) const;

 private:
  uint32_t rank(uint64_t i) const;  // matches before item i
  uint64_t n_ = 0;
  std::vector<uint64_t> words_;
  std::vector<uint32_t> before_;  // matches before word w; one more entry: the total
};

class SearchIndex {
 public:
  void run(const ProfileModel& model, std::string_view query);
  // The same, lane by lane, from arrays given by the caller (lurk view's
  // lane store holds the lanes a lazy model does not): begin(), then
  // add_thread() for every thread lane, then finish(). `keep_hits` false:
  // only the count is kept (stepping asks the lanes: remote_search.h).
  void begin(const ProfileModel& model, std::string_view query, bool keep_hits = true);
  void add_thread(const ProfileModel& model, uint32_t thread, const SpanRecord* spans, size_t span_count,
                  const InstantRecord* instants, size_t instant_count);
  void finish();
  // Items whose args match, found after the names (lurk view searches the
  // args in a pass of its own, collector/server/args_search.h): OR-ed into
  // the thread's match bits, each sized as its lane; false (nothing
  // changed) when a size is not the lane's.
  bool add_matches(uint32_t thread, const MatchBits& spans, const MatchBits& instants);
  // How much of the args the matches cover: 1 all (in-browser, args read
  // with the names), [0, 1) while lurk view's pass goes on, -1 none (names
  // and labels only: the pass could not run).
  double args_searched() const { return args_searched_; }
  void set_args_searched(double fraction) { args_searched_ = fraction; }
  void clear();
  // Matching spans, instants and threads.
  uint64_t match_count() const { return match_count_; }
  // Which of a thread lane's spans / instants match; nullptr: none does.
  const MatchBits* span_matches(uint32_t thread) const;
  const MatchBits* instant_matches(uint32_t thread) const;
  bool thread_matches(const ThreadLane& lane) const {
    return name_matches(lane.name) || name_matches(lane.exception);
  }
  const std::string& query() const { return query_; }
  bool active() const { return !query_.empty(); }
  bool name_matches(uint32_t string_index) const {
    return string_index < names_.size() && names_[string_index];
  }
  bool args_match(uint32_t args_index) const {
    return args_index < args_.size() && args_[args_index];
  }
  // True for a span, instant or thread that matches, and for a merged block
  // holding at least one match.
  bool item_matches(const ProfileModel& model, const ItemRef& item) const;
  // Matching items inside a merged block (or 1/0 for a single item).
  uint32_t matches_in(const ProfileModel& model, const ItemRef& item) const;
  const std::vector<SearchHit>& hits() const { return hits_; }
  // The index of `item` among the hits, -1 when it is not one.
  int64_t hit_index(const ItemRef& item) const;
  // Index of the first hit after / before time t (wrapping), -1 when none.
  int64_t next_after(int64_t t_ns, int64_t current) const;
  int64_t previous_before(int64_t t_ns, int64_t current) const;

 private:
  std::string query_;
  std::string folded_;
  std::vector<uint8_t> names_;  // per string index
  std::vector<uint8_t> args_;   // per args index
  std::vector<SearchHit> hits_;
  bool keep_hits_ = true;
  uint64_t match_count_ = 0;
  double args_searched_ = 1;
  // Per thread lane: its matching spans and instants (empty: none).
  struct LaneMatches {
    MatchBits spans, instants;
  };
  std::vector<LaneMatches> lanes_;
};

// Case-insensitive (ASCII) substring test.
bool contains_folded(std::string_view text, std::string_view folded_query);
// A query as contains_folded takes it (ASCII lower case).
std::string folded_query(std::string_view query);

template <typename Matches>
void MatchBits::build(size_t n, Matches matches) {
  n_ = n;
  words_.assign((n + 63) / 64, 0);
  for (size_t i = 0; i < n; ++i)
    if (matches(i)) words_[i / 64] |= uint64_t(1) << (i % 64);
  before_.assign(words_.size() + 1, 0);
  for (size_t w = 0; w < words_.size(); ++w) before_[w + 1] = before_[w] + uint32_t(__builtin_popcountll(words_[w]));
  if (total() == 0) words_.clear(), before_.clear();  // a lane without a match holds nothing
}

}  // namespace lurk::ui
