// The characters typed after `/` until the search box has the keyboard.
//
// ImGui gives a text box the keyboard a frame or two after it is asked
// (SetKeyboardFocusHere goes through its tab-focus request), and until then
// a frame's characters belong to no box: the page's keys read them. Typed
// fast after `/` (a quick typist on a slow frame, a paste, a test driving the
// page), the first letters of a query were lost, and some of them acted as
// keys on the way (`c` toggled the table, `t` the theme, `n` jumped to a
// finding). Held here instead, and given to the box, in the order typed, on
// the first frame it reads characters.
//
// Backspace and Enter are keys, not characters: pressed while the characters
// are held (backspace(), enter()), a Backspace takes back the last one held
// and an Enter is given to the box once it has them (take_enter()), so
// "/conx<Backspace>nect<Enter>" typed at once searches "connect" and steps
// to its first match, as typed into the box.
//
// `Queue` is the frame's character queue (ImGui's io.InputQueueCharacters,
// or a std::vector in tests): size(), operator[], resize(), push_back().
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <vector>

namespace lurk::ui {

class TypeAhead {
 public:
  // A box that has not taken the keyboard after this many frames is not
  // coming (not drawn): what was held is dropped, the keys are the page's again.
  static constexpr int kMaxFramesHeld = 30;

  // `/` is queue[slash]: it and the characters after it are the box's, not
  // the keys'. The queue keeps what was typed before it.
  template <class Queue>
  void start(Queue& queue, size_t slash) {
    held_.clear();
    for (size_t i = slash + 1; i < size_t(queue.size()); ++i) held_.push_back(uint32_t(queue[i]));
    queue.resize(slash);
    holding_ = true;
    frames_ = 0;
  }

  // Every frame, before anything reads the queue. `box_reads_keys`: the box
  // had the keyboard when the last frame ended, so it reads this frame's
  // characters (in the frame it takes the keyboard ImGui may drop them): the held ones go in front of them. Until
  // then the frame's characters are held and the queue is left empty.
  template <class Queue>
  void frame(Queue& queue, bool box_reads_keys) {
    if (!holding_) return;
    if (box_reads_keys) {
      std::vector<uint32_t> typed = std::move(held_);
      for (size_t i = 0; i < size_t(queue.size()); ++i) typed.push_back(uint32_t(queue[i]));
      queue.resize(0);
      for (uint32_t c : typed) queue.push_back(typename std::remove_reference_t<decltype(queue[0])>(c));
      enter_given_ = enter_held_;
      stop();
      return;
    }
    for (size_t i = 0; i < size_t(queue.size()); ++i) held_.push_back(uint32_t(queue[i]));
    queue.resize(0);
    if (++frames_ > kMaxFramesHeld) stop();
  }

  // Keys pressed while holding, after the frame's characters were held.
  void backspace() {
    if (holding_ && !held_.empty() && !enter_held_) held_.pop_back();
  }
  void enter() {
    if (holding_) enter_held_ = true;
  }
  // True once, in the frame the held characters went to the box, when an
  // Enter was pressed after them: the box's Enter, for that frame.
  bool take_enter() {
    bool given = enter_given_;
    enter_given_ = false;
    return given;
  }

  bool holding() const { return holding_; }
  const std::vector<uint32_t>& held() const { return held_; }

 private:
  void stop() {
    holding_ = false;
    enter_held_ = false;
    held_.clear();
    frames_ = 0;
  }

  bool holding_ = false;
  bool enter_held_ = false;   // an Enter pressed after the characters held
  bool enter_given_ = false;  // ... and due in the frame they went to the box
  int frames_ = 0;
  std::vector<uint32_t> held_;
};

}  // namespace lurk::ui
