// The view the frame tests draw into: a 300 px label column, a 1,100 px
// timeline, a 40 px ruler at y 60 and rows from y 100, `height` tall. One
// place, so that the tests comparing frames of two models or sources draw the
// same view.
#pragma once

#include "core/frame_request.h"

namespace lurk::ui::test {

inline FrameRequest frame_request_at(double t0, double t1, float height = 700) {
  FrameRequest r;
  r.view.window.set(t0, t1);
  r.view.label_left = 0;
  r.view.label_width = 300;
  r.view.left = 300;
  r.view.width = 1100;
  r.view.ruler_top = 60;
  r.view.ruler_height = 40;
  r.view.top = 100;
  r.view.height = height;
  return r;
}

}  // namespace lurk::ui::test
