// Span depth of Chrome JSON traces, given as spans arrive (TimeNesting) or
// by renest_spans() for threads whose spans came out of order: random trees
// of nested spans (children sharing their parent's start or end, siblings
// touching) are written as B/E and X events in start order, in completion
// order (X written when it ends, inner first) and shuffled; every stored
// depth must equal the number of spans on the thread that enclose it,
// counted by brute force in SQL. Start order must need no renest.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "profile_fixture.h"

namespace lurk::test {
namespace {

struct Span {
  int tid;
  int64_t start, end;  // microseconds
  std::vector<Span> children;
};

// Children inside [start, end): the first may share the parent's start, the
// last its end; siblings may touch. Every span lasts at least 1 us.
void grow(Span& parent, std::mt19937& rnd, int levels) {
  if (levels == 0 || parent.end - parent.start < 4) return;
  int64_t at = parent.start + (rnd() % 3 == 0 ? 0 : 1 + static_cast<int64_t>(rnd() % 3));
  while (at + 1 < parent.end && parent.children.size() < 4) {
    int64_t room = parent.end - at;
    int64_t len = 1 + static_cast<int64_t>(rnd() % static_cast<uint64_t>(room));
    if (at + len == parent.end && at == parent.start) --len;  // never identical to the parent
    if (len < 1) break;
    Span child{parent.tid, at, at + len, {}};
    grow(child, rnd, levels - 1);
    parent.children.push_back(child);
    at += len + static_cast<int64_t>(rnd() % 3);  // touching or a gap
  }
}

std::string complete(const Span& s) {
  return "{\"ph\":\"X\",\"pid\":1,\"tid\":" + std::to_string(s.tid) + ",\"ts\":" +
         std::to_string(s.start) + ",\"dur\":" + std::to_string(s.end - s.start) +
         ",\"name\":\"s\"}";
}
std::string edge(const Span& s, bool begin) {
  return std::string("{\"ph\":\"") + (begin ? "B" : "E") + "\",\"pid\":1,\"tid\":" +
         std::to_string(s.tid) + ",\"ts\":" + std::to_string(begin ? s.start : s.end) +
         (begin ? ",\"name\":\"s\"}" : "}");
}

// Start order: a span before its children, as X or as B ... E around them.
void in_start_order(const Span& s, std::mt19937& rnd, std::vector<std::string>& out) {
  bool as_x = rnd() % 2 == 0;
  out.push_back(as_x ? complete(s) : edge(s, true));
  for (const Span& c : s.children) in_start_order(c, rnd, out);
  if (!as_x) out.push_back(edge(s, false));
}

// Completion order: X events written as each span ends, children first.
void in_completion_order(const Span& s, std::vector<std::string>& out) {
  for (const Span& c : s.children) in_completion_order(c, out);
  out.push_back(complete(s));
}

enum class Order { Start, Completion, Shuffled };

// Three threads of a few root spans each, their events interleaved at random.
std::string make_trace(unsigned seed, Order order) {
  std::mt19937 rnd(seed);
  std::vector<std::vector<std::string>> per_thread(3);
  for (int tid = 0; tid < 3; ++tid) {
    int64_t at = 0;
    for (int root = 0; root < 6; ++root) {
      Span s{tid + 1, at, at + 20 + static_cast<int64_t>(rnd() % 60), {}};
      grow(s, rnd, 4);
      if (order == Order::Start) in_start_order(s, rnd, per_thread[tid]);
      else in_completion_order(s, per_thread[tid]);
      at = s.end + static_cast<int64_t>(rnd() % 3);
    }
    if (order == Order::Shuffled) std::shuffle(per_thread[tid].begin(), per_thread[tid].end(), rnd);
  }
  std::string trace = "[";
  std::vector<size_t> next(3, 0);
  for (;;) {
    std::vector<int> left;
    for (int t = 0; t < 3; ++t)
      if (next[t] < per_thread[t].size()) left.push_back(t);
    if (left.empty()) break;
    int t = left[rnd() % left.size()];
    if (trace.size() > 1) trace += ",\n";
    trace += per_thread[t][next[t]++];
  }
  return trace + "]";
}

class SpanNestingTest : public ProfileTest {
 protected:
  void check(unsigned seed, Order order) {
    std::string trace = make_trace(seed, order);
    SourceOutcome o = ingest("t.json", std::vector<uint8_t>(trace.begin(), trace.end()));
    ASSERT_EQ(o.status, SourceOutcome::Status::Complete) << (o.messages.empty() ? "" : o.messages[0]);
    ASSERT_GT(count("SELECT count(*) FROM spans"), 50);
    ASSERT_GT(count("SELECT max(depth) FROM spans"), 1);
    // Enclosing: starts no later, ends no earlier, and is not the same span;
    // one that ends exactly where this one starts does not enclose it.
    EXPECT_EQ(count("SELECT count(*) FROM spans s WHERE depth <> (SELECT count(*) FROM spans p "
                    "WHERE p.thread_id = s.thread_id AND p.id <> s.id AND p.start_ns <= s.start_ns "
                    "AND p.end_ns >= s.end_ns AND p.end_ns > s.start_ns)"),
              0)
        << "seed " << seed;
  }
  int64_t renested() {
    return count("SELECT coalesce(sum(value), 0) FROM source_counters WHERE name = 'threads-renested'");
  }
};

TEST_F(SpanNestingTest, StartOrderGivesFinalDepthsWithoutRenesting) {
  for (unsigned seed = 1; seed <= 4; ++seed) {
    check(seed, Order::Start);
    EXPECT_EQ(renested(), 0) << "seed " << seed;
  }
}

TEST_F(SpanNestingTest, CompletionOrderIsRenestedCorrectly) {
  for (unsigned seed = 1; seed <= 4; ++seed) check(seed, Order::Completion);
  EXPECT_GT(renested(), 0);
}

TEST_F(SpanNestingTest, ShuffledEventsAreRenestedCorrectly) {
  for (unsigned seed = 1; seed <= 4; ++seed) check(seed, Order::Shuffled);
}

TEST_F(SpanNestingTest, SameStartNestsLongestFirstEvenWhenTheShorterComesFirst) {
  // Two spans from 0: the shorter is written first, so it cannot be known
  // to be inside until the longer arrives; that thread is renested.
  std::string trace = R"([{"ph":"X","pid":1,"tid":1,"ts":0,"dur":2,"name":"short"},
                          {"ph":"X","pid":1,"tid":1,"ts":0,"dur":9,"name":"long"},
                          {"ph":"B","pid":1,"tid":2,"ts":0,"name":"outer"},
                          {"ph":"B","pid":1,"tid":2,"ts":0,"name":"inner"},
                          {"ph":"E","pid":1,"tid":2,"ts":3},
                          {"ph":"E","pid":1,"tid":2,"ts":3}])";
  ingest("t.json", std::vector<uint8_t>(trace.begin(), trace.end()));
  auto depth_of = [&](const std::string& name) {
    return count("SELECT depth FROM spans s JOIN strings n ON n.id = s.name WHERE n.text = '" +
                 name + "'");
  };
  EXPECT_EQ(depth_of("long"), 0);
  EXPECT_EQ(depth_of("short"), 1);
  // B/E at the same times keep the order they were opened in, unrenested.
  EXPECT_EQ(depth_of("outer"), 0);
  EXPECT_EQ(depth_of("inner"), 1);
  EXPECT_EQ(renested(), 1);
}

}  // namespace
}  // namespace lurk::test
