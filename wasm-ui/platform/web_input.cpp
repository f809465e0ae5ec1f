#include "platform/web_input.h"

#include <emscripten/emscripten.h>
#include <emscripten/html5.h>
#include <imgui.h>

#include <cstring>
#include <vector>

namespace lurk::ui {
namespace {

// ImGui's legacy key map (1.86): KeysDown is indexed by our own codes.
enum KeyCode {
  kKeyTab = 1, kKeyLeft, kKeyRight, kKeyUp, kKeyDown, kKeyPageUp, kKeyPageDown, kKeyHome,
  kKeyEnd, kKeyInsert, kKeyDelete, kKeyBackspace, kKeySpace, kKeyEnter, kKeyEscape,
  kKeyA, kKeyC, kKeyV, kKeyX, kKeyY, kKeyZ, kKeyCount
};

// ImGui polls state once per frame, and a browser can deliver move, press and
// release between two frames. So a press waits until one frame has seen the
// pointer where it happens (ImGui's hover of overlapping items looks at the
// previous frame), and a release waits until one frame has seen the press.
bool g_pos_seen = true;
bool g_button_seen[3] = {true, true, true};
bool g_button_press_pending[3] = {};
bool g_button_release_pending[3] = {};
// Key transitions wait in a queue; each frame applies at most one per key, so
// quick presses (a held key's repeats, a test typing fast) are all seen.
struct KeyTransition {
  int key;
  bool down;
};
std::vector<KeyTransition> g_key_queue;

int g_active_frames = 0;  // frames still to draw after the last input
void (*g_wake)() = nullptr;

int key_code(const EmscriptenKeyboardEvent* e) {
  struct Named {
    const char* code;
    int key;
  };
  static const Named named[] = {
      {"Tab", kKeyTab}, {"ArrowLeft", kKeyLeft}, {"ArrowRight", kKeyRight}, {"ArrowUp", kKeyUp},
      {"ArrowDown", kKeyDown}, {"PageUp", kKeyPageUp}, {"PageDown", kKeyPageDown},
      {"Home", kKeyHome}, {"End", kKeyEnd}, {"Insert", kKeyInsert}, {"Delete", kKeyDelete},
      {"Backspace", kKeyBackspace}, {"Space", kKeySpace}, {"Enter", kKeyEnter},
      {"NumpadEnter", kKeyEnter}, {"Escape", kKeyEscape}, {"KeyA", kKeyA}, {"KeyC", kKeyC},
      {"KeyV", kKeyV}, {"KeyX", kKeyX}, {"KeyY", kKeyY}, {"KeyZ", kKeyZ}};
  for (const Named& n : named)
    if (std::strcmp(e->code, n.code) == 0) return n.key;
  return 0;
}

void update_modifiers(const EmscriptenKeyboardEvent* e) {
  ImGuiIO& io = ImGui::GetIO();
  io.KeyCtrl = e->ctrlKey;
  io.KeyShift = e->shiftKey;
  io.KeyAlt = e->altKey;
  io.KeySuper = e->metaKey;
}

EM_BOOL on_mouse(int type, const EmscriptenMouseEvent* e, void*) {
  web_input_note_activity();
  ImGuiIO& io = ImGui::GetIO();
  ImVec2 pos(float(e->targetX), float(e->targetY));
  if (pos.x != io.MousePos.x || pos.y != io.MousePos.y) g_pos_seen = false;
  io.MousePos = pos;
  io.KeyShift = e->shiftKey;
  io.KeyCtrl = e->ctrlKey;
  io.KeyAlt = e->altKey;
  int button = e->button == 0 ? 0 : e->button == 2 ? 1 : e->button == 1 ? 2 : -1;
  if (button >= 0 && type == EMSCRIPTEN_EVENT_MOUSEDOWN) {
    g_button_release_pending[button] = false;
    if (g_pos_seen) {
      io.MouseDown[button] = true;
      g_button_seen[button] = false;
    } else {
      g_button_press_pending[button] = true;
    }
  }
  if (button >= 0 && type == EMSCRIPTEN_EVENT_MOUSEUP) {
    if (g_button_seen[button] && !g_button_press_pending[button]) io.MouseDown[button] = false;
    else g_button_release_pending[button] = true;
  }
  return type != EMSCRIPTEN_EVENT_MOUSEMOVE;
}

EM_BOOL on_mouse_leave(int, const EmscriptenMouseEvent*, void*) {
  web_input_note_activity();
  ImGui::GetIO().MousePos = ImVec2(-FLT_MAX, -FLT_MAX);
  return false;
}

EM_BOOL on_resize(int, const EmscriptenUiEvent*, void*) {
  web_input_note_activity();  // the frame loop sizes the canvas to the window
  return false;
}

EM_BOOL on_wheel(int, const EmscriptenWheelEvent* e, void*) {
  web_input_note_activity();
  ImGuiIO& io = ImGui::GetIO();
  // Lines, pages or pixels: normalise to ImGui's "one notch" units.
  double scale = e->deltaMode == DOM_DELTA_PIXEL ? 1.0 / 100.0
                 : e->deltaMode == DOM_DELTA_LINE ? 1.0 / 3.0 : 1.0;
  io.MouseWheel -= float(e->deltaY * scale);
  io.MouseWheelH -= float(e->deltaX * scale);
  io.KeyShift = e->mouse.shiftKey;
  io.KeyCtrl = e->mouse.ctrlKey;
  return true;
}

// Whether the page's own text field has the keyboard (the Anonymise panel's
// key): its keys are typed there, not lurk's shortcuts ('a' pans, 'f' fits).
bool page_field_has_focus() {
  return EM_ASM_INT({
    const e = document.activeElement;
    const text = e && (e.tagName === 'TEXTAREA' ||
                       (e.tagName === 'INPUT' && !['checkbox', 'radio', 'button'].includes(e.type)));
    return text ? 1 : 0;
  }) != 0;
}

EM_BOOL on_key(int type, const EmscriptenKeyboardEvent* e, void*) {
  if (page_field_has_focus()) return false;
  web_input_note_activity();
  ImGuiIO& io = ImGui::GetIO();
  update_modifiers(e);
  int key = key_code(e);
  if (key) g_key_queue.push_back({key, type == EMSCRIPTEN_EVENT_KEYDOWN});
  if (type == EMSCRIPTEN_EVENT_KEYDOWN && !e->ctrlKey && !e->metaKey && std::strlen(e->key) > 0) {
    // Printable keys carry their text in `key` ("a", "?", "é").
    unsigned char first = static_cast<unsigned char>(e->key[0]);
    bool printable = std::strlen(e->key) == 1 || first >= 0x80;
    if (printable) io.AddInputCharactersUTF8(e->key);
  }
  // Let the browser keep its own shortcuts (reload, dev tools); take Tab and arrows.
  return key != 0 && !e->ctrlKey && !e->metaKey;
}

}  // namespace

void web_input_note_activity() {
  g_active_frames = 6;
  if (g_wake) g_wake();
}

void web_input_set_wake(void (*wake)()) { g_wake = wake; }

bool web_input_take_activity() {
  if (g_active_frames <= 0) return false;
  --g_active_frames;
  return true;
}

void web_input_begin_frame() {
  ImGuiIO& io = ImGui::GetIO();
  for (int b = 0; b < 3; ++b) {
    if (g_button_seen[b] && g_button_release_pending[b] && !g_button_press_pending[b]) {
      io.MouseDown[b] = false;
      g_button_release_pending[b] = false;
    }
    if (g_button_press_pending[b] && g_pos_seen) {
      io.MouseDown[b] = true;
      g_button_press_pending[b] = false;
    }
    g_button_seen[b] = true;  // the coming frame sees the current state
  }
  g_pos_seen = true;
  bool applied[kKeyCount] = {};
  size_t kept = 0;
  for (const KeyTransition& t : g_key_queue) {
    if (applied[t.key]) {
      g_key_queue[kept++] = t;
      continue;
    }
    // A repeat (down while down) still needs an up first to count as a press.
    if (t.down && io.KeysDown[t.key]) {
      io.KeysDown[t.key] = false;
      applied[t.key] = true;
      g_key_queue[kept++] = t;
      continue;
    }
    io.KeysDown[t.key] = t.down;
    applied[t.key] = true;
  }
  g_key_queue.resize(kept);
  if (!g_key_queue.empty()) web_input_note_activity();
}

void install_web_input(const char* canvas) {
  ImGuiIO& io = ImGui::GetIO();
  io.KeyMap[ImGuiKey_Tab] = kKeyTab;
  io.KeyMap[ImGuiKey_LeftArrow] = kKeyLeft;
  io.KeyMap[ImGuiKey_RightArrow] = kKeyRight;
  io.KeyMap[ImGuiKey_UpArrow] = kKeyUp;
  io.KeyMap[ImGuiKey_DownArrow] = kKeyDown;
  io.KeyMap[ImGuiKey_PageUp] = kKeyPageUp;
  io.KeyMap[ImGuiKey_PageDown] = kKeyPageDown;
  io.KeyMap[ImGuiKey_Home] = kKeyHome;
  io.KeyMap[ImGuiKey_End] = kKeyEnd;
  io.KeyMap[ImGuiKey_Insert] = kKeyInsert;
  io.KeyMap[ImGuiKey_Delete] = kKeyDelete;
  io.KeyMap[ImGuiKey_Backspace] = kKeyBackspace;
  io.KeyMap[ImGuiKey_Space] = kKeySpace;
  io.KeyMap[ImGuiKey_Enter] = kKeyEnter;
  io.KeyMap[ImGuiKey_Escape] = kKeyEscape;
  io.KeyMap[ImGuiKey_A] = kKeyA;
  io.KeyMap[ImGuiKey_C] = kKeyC;
  io.KeyMap[ImGuiKey_V] = kKeyV;
  io.KeyMap[ImGuiKey_X] = kKeyX;
  io.KeyMap[ImGuiKey_Y] = kKeyY;
  io.KeyMap[ImGuiKey_Z] = kKeyZ;

  emscripten_set_mousedown_callback(canvas, nullptr, true, on_mouse);
  // Up and move on the document, so a drag that leaves the canvas still ends.
  emscripten_set_mouseup_callback(EMSCRIPTEN_EVENT_TARGET_DOCUMENT, nullptr, true, on_mouse);
  emscripten_set_mousemove_callback(canvas, nullptr, true, on_mouse);
  emscripten_set_mouseleave_callback(canvas, nullptr, true, on_mouse_leave);
  emscripten_set_wheel_callback(canvas, nullptr, true, on_wheel);
  emscripten_set_keydown_callback(EMSCRIPTEN_EVENT_TARGET_WINDOW, nullptr, true, on_key);
  emscripten_set_keyup_callback(EMSCRIPTEN_EVENT_TARGET_WINDOW, nullptr, true, on_key);
  emscripten_set_resize_callback(EMSCRIPTEN_EVENT_TARGET_WINDOW, nullptr, false, on_resize);
}

}  // namespace lurk::ui
