// The line splitter that both the file importer and live collection read
// lurk JSON lines through: the same lines, offsets and numbers whatever the
// chunk sizes; CRLF; a last line without newline; over-long lines dropped and
// reported once at their offset; a stream that starts mid-way (start_at).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "importers/line_splitter.h"

namespace lurk::test {
namespace {

struct Seen {
  std::string text;
  uint64_t offset;
  int64_t number;
  bool too_long;
  bool operator==(const Seen&) const = default;
};

std::vector<Seen> split(const std::string& stream, size_t chunk, size_t max_line = 64) {
  LineSplitter lines(max_line);
  std::vector<Seen> seen;
  auto take = [&](const SplitLine& l) {
    seen.push_back({std::string(l.text), l.offset, l.number, l.too_long});
  };
  for (size_t at = 0; at < stream.size(); at += chunk)
    lines.feed(stream.data() + at, std::min(chunk, stream.size() - at), take);
  lines.finish(take);
  return seen;
}

TEST(LineSplitter, SameLinesWhateverTheChunkSize) {
  const std::string stream = "first\nsecond line\r\n\nfourth, no newline";
  const std::vector<Seen> expected = {{"first", 0, 1, false},
                                      {"second line", 6, 2, false},
                                      {"", 19, 3, false},
                                      {"fourth, no newline", 20, 4, false}};
  for (size_t chunk = 1; chunk <= stream.size(); ++chunk)
    EXPECT_EQ(split(stream, chunk), expected) << "chunk " << chunk;
}

TEST(LineSplitter, OverLongLineIsReportedOnceAtItsOffsetAndDropped) {
  const std::string stream = "ok\n" + std::string(100, 'x') + "\nafter\n";
  for (size_t chunk : {1, 7, 64, 200}) {
    std::vector<Seen> seen = split(stream, chunk, 50);
    ASSERT_EQ(seen.size(), 3u) << "chunk " << chunk;
    EXPECT_EQ(seen[1], (Seen{"", 3, 2, true})) << "chunk " << chunk;
    EXPECT_EQ(seen[2], (Seen{"after", 104, 3, false})) << "chunk " << chunk;
  }
}

TEST(LineSplitter, HoldsOnlyTheLineNotYetWhole) {
  LineSplitter lines(1 << 20);
  int count = 0;
  auto take = [&](const SplitLine&) { ++count; };
  std::string many(10000, 'a');
  for (size_t i = 0; i < many.size(); i += 10) many[i] = '\n';
  lines.feed(many.data(), many.size(), take);
  EXPECT_EQ(count, 1000);
  EXPECT_EQ(lines.held_bytes(), 9u);  // the 9 bytes after the last newline
  EXPECT_EQ(lines.partial_line_offset(), 9991u);
  // An endless line without newline is not kept past the limit.
  LineSplitter bounded(100);
  std::string endless(1000, 'z');
  for (int i = 0; i < 50; ++i) bounded.feed(endless.data(), endless.size(), take);
  EXPECT_EQ(bounded.held_bytes(), 0u);
}

TEST(LineSplitter, StartAtCountsFromTheGivenOffsetAndLine) {
  LineSplitter lines(64);
  lines.start_at(40, 2);
  std::vector<Seen> seen;
  lines.feed("ab\ncd\n", 6, [&](const SplitLine& l) {
    seen.push_back({std::string(l.text), l.offset, l.number, l.too_long});
  });
  EXPECT_EQ(seen, (std::vector<Seen>{{"ab", 40, 2, false}, {"cd", 43, 3, false}}));
}

}  // namespace
}  // namespace lurk::test
