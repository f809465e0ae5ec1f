// What is typed after `/` before the search box has the keyboard
// (wasm-ui/core/type_ahead.h): every character reaches the box, in the
// order typed, however the typing falls into frames and however many frames
// the box takes; none of them is left in a frame's queue for the page's keys.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/type_ahead.h"

namespace lurk::test {
namespace {

using lurk::ui::TypeAhead;
using Queue = std::vector<unsigned short>;  // ImWchar's width

Queue chars(const std::string& s) { return Queue(s.begin(), s.end()); }
std::string text(const Queue& q) { return std::string(q.begin(), q.end()); }

// "ab/query" typed in frames cut at every place, the box taking the
// keyboard after every number of frames: the keys see "ab", the box "query".
TEST(TypeAheadTest, EveryCharacterAfterTheSlashReachesTheBoxInOrder) {
  const std::string typed = "ab/query";
  for (size_t cut1 = 3; cut1 <= typed.size(); ++cut1)
    for (size_t cut2 = cut1; cut2 <= typed.size(); ++cut2)
      for (int frames_to_focus = 1; frames_to_focus <= 4; ++frames_to_focus) {
        SCOPED_TRACE(testing::Message() << "cuts " << cut1 << "," << cut2 << " focus after " << frames_to_focus);
        std::vector<std::string> frames = {typed.substr(0, cut1), typed.substr(cut1, cut2 - cut1),
                                           typed.substr(cut2)};
        while (int(frames.size()) < frames_to_focus + 2) frames.push_back("");
        TypeAhead ahead;
        std::string keys, box;
        bool box_has_keyboard = false;
        int slash_frame = -1;
        for (int f = 0; f < int(frames.size()); ++f) {
          Queue q = chars(frames[f]);
          ahead.frame(q, box_has_keyboard);
          if (box_has_keyboard) {
            box += text(q);
            continue;
          }
          for (size_t i = 0; i < q.size(); ++i)
            if (q[i] == '/') {
              ahead.start(q, i);
              slash_frame = f;
              break;
            }
          keys += text(q);  // what the page's keys read this frame
          // The box takes the keyboard at the end of the frame
          // `frames_to_focus` after the slash's (what that frame typed, ImGui
          // may drop: it was held).
          if (slash_frame >= 0 && f >= slash_frame + frames_to_focus) box_has_keyboard = true;
        }
        EXPECT_EQ(keys, "ab");
        EXPECT_EQ(box, "query");
        EXPECT_FALSE(ahead.holding());
      }
}

// `/` and what follows it typed in one frame, held; a frame's typing while
// the characters are held (the box not yet reading), and what the box gets
// in the frame it takes the keyboard.
TypeAhead started(const std::string& typed) {
  TypeAhead ahead;
  Queue q = chars(typed);
  ahead.start(q, 0);
  return ahead;
}
void held(TypeAhead& ahead, const std::string& typed) {
  Queue q = chars(typed);
  ahead.frame(q, false);
}
std::string given(TypeAhead& ahead) {
  Queue q;
  ahead.frame(q, true);
  return text(q);
}

// A box that never takes the keyboard: after kMaxFramesHeld frames the
// page's keys read the frames again, and nothing held comes back later.
TEST(TypeAheadTest, ABoxThatNeverComesGivesTheKeysBack) {
  TypeAhead ahead;
  Queue q = chars("/x");
  ahead.start(q, 0);
  EXPECT_TRUE(q.empty());
  for (int f = 0; f <= TypeAhead::kMaxFramesHeld; ++f) {
    Queue frame = chars("y");
    ahead.frame(frame, false);
    EXPECT_TRUE(frame.empty()) << "frame " << f;
  }
  EXPECT_FALSE(ahead.holding());
  Queue later = chars("c");
  ahead.frame(later, true);
  EXPECT_EQ(text(later), "c");
}

// Backspace and Enter pressed while the characters are held: "/conx",
// Backspace, "nect", Enter, typed over frames before the box takes the
// keyboard, give the box "connect" and then its Enter, once, in the frame
// the text goes in; a Backspace with nothing held does nothing.
TEST(TypeAheadTest, BackspaceAndEnterTypedAheadAreTheBoxs) {
  for (int frames_to_focus = 1; frames_to_focus <= 3; ++frames_to_focus) {
    SCOPED_TRACE(testing::Message() << "focus after " << frames_to_focus);
    TypeAhead ahead = started("/conx");
    ahead.backspace();
    held(ahead, "nect");
    ahead.enter();
    EXPECT_FALSE(ahead.take_enter()) << "not before the box has the text";
    for (int f = 1; f < frames_to_focus; ++f) {
      held(ahead, "");
      ahead.backspace();  // after Enter: the query typed stays as it was
      EXPECT_FALSE(ahead.take_enter());
    }
    EXPECT_EQ(given(ahead), "connect");
    EXPECT_TRUE(ahead.take_enter());
    EXPECT_FALSE(ahead.take_enter()) << "once";
    EXPECT_FALSE(ahead.holding());
  }
  TypeAhead ahead = started("/");
  ahead.backspace();
  held(ahead, "ab");
  ahead.backspace();
  EXPECT_EQ(given(ahead), "a");
  EXPECT_FALSE(ahead.take_enter());
}

// Nothing held: the queue passes untouched, whether a box reads it or not.
TEST(TypeAheadTest, WithoutASlashTheQueueIsUntouched) {
  TypeAhead ahead;
  for (bool box : {false, true}) {
    Queue q = chars("ctn");
    ahead.frame(q, box);
    EXPECT_EQ(text(q), "ctn");
  }
}

}  // namespace
}  // namespace lurk::test
