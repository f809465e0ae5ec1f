// The UI's follow state (wasm-ui/core/follow_state.h): the event rate over
// the last two seconds of polls, going to zero when the polls stop, and the
// log-tail rule: a window whose right edge is at the end is pinned and moves
// with the end, keeping its span; one left of the end stays where it is.
#include <gtest/gtest.h>

#include "core/follow_state.h"

namespace lurk::ui {
namespace {

TEST(FollowState, RateIsEventsPerSecondOverTheLastPollsAndStopsWhenPollsStop) {
  FollowState follow;
  EXPECT_FALSE(follow.on());  // not offered: never on
  follow.set_on(true);
  EXPECT_FALSE(follow.on());
  follow.set_available(true);
  EXPECT_TRUE(follow.on());
  for (int i = 0; i <= 40; ++i) follow.note_poll(1000 + i * 100.0, int64_t(i) * 50);  // 500 events/s
  EXPECT_NEAR(follow.events_per_second(5000), 500, 1e-9);
  EXPECT_TRUE(follow.live(5000));
  // Nothing new for a while: the rate falls as the window slides past the growth.
  for (int i = 41; i <= 70; ++i) follow.note_poll(1000 + i * 100.0, 2000);
  EXPECT_NEAR(follow.events_per_second(8000), 0, 1e-9);
  // The server stops answering: no longer live, rate 0.
  follow.note_poll(8100, 2100);
  EXPECT_FALSE(follow.live(8100 + FollowState::kStaleMs + 1));
  EXPECT_EQ(follow.events_per_second(8100 + FollowState::kStaleMs + 1), 0);
  follow.set_on(false);
  EXPECT_FALSE(follow.live(8200));
}

TEST(FollowState, PinnedWhenTheRightEdgeIsAtTheEndAndMovedWithIt) {
  // A window fitted to a 1000 ns profile ends 2% past it: pinned.
  EXPECT_TRUE(FollowState::is_pinned(-20, 1020, 1000));
  EXPECT_TRUE(FollowState::is_pinned(500, 996, 1000));   // short by less than 1% of 496
  EXPECT_FALSE(FollowState::is_pinned(400, 900, 1000));  // panned left: stays put
  auto [t0, t1] = FollowState::pinned_window(400, 900, 5000);
  EXPECT_DOUBLE_EQ(t1 - t0, 500);
  EXPECT_DOUBLE_EQ(t1, 5010);
  EXPECT_TRUE(FollowState::is_pinned(t0, t1, 5000));
}

}  // namespace
}  // namespace lurk::ui
