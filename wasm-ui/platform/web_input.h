// Browser input to ImGui: mouse, wheel and keyboard events from the HTML5
// API, in CSS pixels (ImGui's coordinates; the framebuffer is scaled by the
// device pixel ratio separately).
#pragma once

namespace lurk::ui {

void install_web_input(const char* canvas_selector);
// Call before each ImGui::NewFrame: releases buttons and keys whose press has
// now been seen by one frame (a press and release between two frames would
// otherwise be lost with ImGui's polled input).
void web_input_begin_frame();
// Input (or a call from the page) since the last frame, then for a few
// frames more so ImGui settles; the frame loop skips frames when false.
// note_activity also calls the wake hook (the frame loop's, which resumes
// itself when it had paused while idle). A window resize is activity too.
void web_input_note_activity();
bool web_input_take_activity();
void web_input_set_wake(void (*wake)());

}  // namespace lurk::ui
