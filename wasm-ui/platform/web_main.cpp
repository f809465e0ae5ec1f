// The WebAssembly entry point: creates the WebGL2 context and ImGui, sizes
// the canvas to the window at the device pixel ratio, runs the frame loop,
// and exports the functions the page calls (lurk-page.js).
#include <GLES3/gl3.h>
#include <emscripten/emscripten.h>
#include <emscripten/eventloop.h>
#include <emscripten/html5.h>
#include <imgui.h>
#include <imgui_impl_opengl3.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "app/theme.h"
#include "app/ui_app.h"
#include "core/snapshot.h"
#include "export/anon_key.h"
#include "platform/web_input.h"

namespace {

constexpr const char* kCanvas = "#canvas";
constexpr float kFontSizePx = 15.0f;
// Idle heartbeat. Every redraw is a full ImGui frame and a raster of the
// canvas (with SwiftShader, a software renderer, ~0.1 s of CPU at 1400x800):
// at 250 ms an idle page cost ~40% of a core. Input and calls from the page
// redraw at once, so the heartbeat only refreshes what no event announces.
constexpr double kIdleRedrawMs = 1000;

// While idle the frame loop pauses (no animation frame is asked for, so the
// browser does not wake the page 60 times a second for nothing) and resumes
// on input, on a call from the page (web_input_note_activity) or at the
// heartbeat.
bool g_loop_paused = false;
long g_heartbeat = 0;

void wake_loop() {
  if (!g_loop_paused) return;
  g_loop_paused = false;
  emscripten_clear_timeout(g_heartbeat);
  emscripten_resume_main_loop();
}

void pause_loop(double wake_in_ms) {
  g_loop_paused = true;
  emscripten_pause_main_loop();
  g_heartbeat = emscripten_set_timeout([](void*) { wake_loop(); }, wake_in_ms, nullptr);
}

// A focused text field's cursor blinks (ImGui: on 0.4 s, off 0.4 s): redrawn
// at that pace rather than at the heartbeat's.
constexpr double kBlinkRedrawMs = 400;

double idle_redraw_ms() {
  return ImGui::GetIO().WantTextInput ? kBlinkRedrawMs : kIdleRedrawMs;
}

// True while the UI moves by itself: a held button drags, a held key repeats.
bool ui_animating() {
  const ImGuiIO& io = ImGui::GetIO();
  for (bool down : io.MouseDown)
    if (down) return true;
  for (bool down : io.KeysDown)
    if (down) return true;
  return false;
}

// Created on first use: the page may call in before main() has run.
lurk::ui::UiApp& app() {
  static lurk::ui::UiApp instance;
  return instance;
}
double g_font_dpr = 0;

// The atlas is rasterised at the device pixel ratio so text stays sharp;
// FontGlobalScale brings it back to CSS pixels.
void load_fonts(double dpr) {
  ImGuiIO& io = ImGui::GetIO();
  io.Fonts->Clear();
  // Latin-1, arrows, the ellipsis, geometric shapes (▸ ▾ ●) and dingbats (✖).
  static const ImWchar ranges[] = {0x0020, 0x00FF, 0x2190, 0x21FF, 0x2026, 0x2026,
                                   0x25A0, 0x25FF, 0x2700, 0x27BF, 0};
  ImFontConfig config;
  config.OversampleH = 2;
  if (!io.Fonts->AddFontFromFileTTF("/fonts/ui.ttf", kFontSizePx * float(dpr), &config, ranges))
    io.Fonts->AddFontDefault();
  io.FontGlobalScale = float(1.0 / dpr);
  ImGui_ImplOpenGL3_DestroyFontsTexture();
  ImGui_ImplOpenGL3_CreateFontsTexture();
  g_font_dpr = dpr;
}

void frame() {
  double css_w = 0, css_h = 0;
  emscripten_get_element_css_size(kCanvas, &css_w, &css_h);
  double dpr = emscripten_get_device_pixel_ratio();
  int fb_w = int(std::lround(css_w * dpr)), fb_h = int(std::lround(css_h * dpr));
  int cur_w = 0, cur_h = 0;
  emscripten_get_canvas_element_size(kCanvas, &cur_w, &cur_h);
  bool resized = cur_w != fb_w || cur_h != fb_h || dpr != g_font_dpr;
  // Idle: nothing moved, nothing resized, no call from the page. Then the loop
  // pauses until something happens or the heartbeat (the CPU stays quiet
  // while nobody touches the UI).
  static double last_built = 0;
  double start = emscripten_get_now();
  if (!resized && !lurk::ui::web_input_take_activity() && !ui_animating() &&
      start - last_built < idle_redraw_ms()) {
    pause_loop(idle_redraw_ms() - (start - last_built));
    return;
  }
  last_built = start;
  if (cur_w != fb_w || cur_h != fb_h) emscripten_set_canvas_element_size(kCanvas, fb_w, fb_h);
  if (dpr != g_font_dpr) load_fonts(dpr);

  ImGuiIO& io = ImGui::GetIO();
  io.DisplaySize = ImVec2(float(css_w), float(css_h));
  io.DisplayFramebufferScale = ImVec2(float(dpr), float(dpr));
  static double last = emscripten_get_now();
  double now = emscripten_get_now();
  io.DeltaTime = float(std::max(1e-3, (now - last) / 1000.0));
  last = now;

  double build_start = emscripten_get_now();
  ImGui_ImplOpenGL3_NewFrame();
  lurk::ui::web_input_begin_frame();
  ImGui::NewFrame();
  app().build_frame();
  ImGui::Render();
  ImDrawData* data = ImGui::GetDrawData();
  double build_ms = emscripten_get_now() - build_start;

  glViewport(0, 0, fb_w, fb_h);
  const float* clear = lurk::ui::app_theme().colors().clear_rgb;
  glClearColor(clear[0], clear[1], clear[2], 1.0f);
  glClear(GL_COLOR_BUFFER_BIT);
  ImGui_ImplOpenGL3_RenderDrawData(data);
  app().record_frame_time(build_ms, data ? data->TotalVtxCount / 4 : 0);
}

}  // namespace

extern "C" {

EMSCRIPTEN_KEEPALIVE void lurk_set_loading(const char* name, double fraction) {
  lurk::ui::web_input_note_activity();
  app().set_loading(name, fraction);
}

EMSCRIPTEN_KEEPALIVE void lurk_set_error(const char* message) {
  lurk::ui::web_input_note_activity();
  app().set_error(message);
}

// Returns "" on success, else the message the UI shows. The string lives
// until the next call.
EMSCRIPTEN_KEEPALIVE const char* lurk_open_file(const char* path, const char* display_name) {
  static std::string result;
  lurk::ui::web_input_note_activity();
  result = app().open_file(path, display_name);
  return result.c_str();
}

// The same with the profile's lane store (/trace.lanes), fetched by the page
// into `lanes` (malloc'd, `size` bytes; the module frees it): the lanes are
// views of it, or read from the profile when it is refused.
EMSCRIPTEN_KEEPALIVE const char* lurk_open_file_with_lanes(const char* path, const char* display_name, char* lanes,
                                                           double size) {
  static std::string result;
  lurk::ui::web_input_note_activity();
  std::shared_ptr<const char> bytes(lanes, [](const char* p) { std::free(const_cast<char*>(p)); });
  result = app().open_files({path}, {display_name}, std::move(bytes), uint64_t(size));
  return result.c_str();
}

EMSCRIPTEN_KEEPALIVE void lurk_set_window(double t0_ns, double t1_ns) {
  lurk::ui::web_input_note_activity();
  app().set_window(t0_ns, t1_ns);
}

// Several files at once: paths and display names, one per line.
EMSCRIPTEN_KEEPALIVE const char* lurk_open_files(const char* paths, const char* names) {
  static std::string result;
  auto lines = [](const char* text) {
    std::vector<std::string> out;
    std::string line;
    for (const char* p = text; *p; ++p) {
      if (*p == '\n') {
        out.push_back(line);
        line.clear();
      } else {
        line += *p;
      }
    }
    if (!line.empty()) out.push_back(line);
    return out;
  };
  lurk::ui::web_input_note_activity();
  std::vector<std::string> path_list = lines(paths), name_list = lines(names);
  if (path_list.size() != name_list.size() || path_list.empty()) return "lurk_open_files: paths and names differ";
  result = app().open_files(path_list, name_list);
  return result.c_str();
}

// Links (web/lurk-share.js): opens a link's view; returns the notice naming
// what did not apply ("" when all did).
EMSCRIPTEN_KEEPALIVE const char* lurk_apply_view(const char* hash) {
  static std::string notice;
  lurk::ui::web_input_note_activity();
  notice = app().apply_view_hash(hash);
  return notice.c_str();
}

// "" when the view is as last reported, else "1HASH" (a view the user chose:
// a new history entry) or "0HASH" (a move: replaces the entry).
EMSCRIPTEN_KEEPALIVE const char* lurk_view_update() {
  static std::string update;
  auto changed = app().take_view_update();
  update = changed ? (changed->push ? "1" : "0") + changed->hash : "";
  return update.c_str();
}

// The page's buttons at the header's right are `px` wide: the header wraps before them.
EMSCRIPTEN_KEEPALIVE void lurk_set_header_reserve(double px) {
  lurk::ui::web_input_note_activity();
  app().set_header_reserve(float(px));
}

// Writes the open profile to `path` in the module's file system (Download).
EMSCRIPTEN_KEEPALIVE const char* lurk_save_profile(const char* path) {
  static std::string result;
  result = app().save_profile(path);
  return result.c_str();
}

// The same, anonymised (docs/sharing.md): `key_hex` 32 hex digits, or ""
// for a fresh random key (crypto.getRandomValues) that is used once and kept
// nowhere; keep_text and map_ports as lurk export's --keep-text, --map-ports.
EMSCRIPTEN_KEEPALIVE const char* lurk_save_anonymized_profile(const char* path, const char* key_hex,
                                                               int keep_text, int map_ports) {
  static std::string result;
  lurk::AnonymizeOptions options;
  std::string problem;
  if (*key_hex == '\0') {
    options.key = lurk::random_key();
  } else if (auto key = lurk::parse_key_hex(key_hex, &problem)) {
    options.key = *key;
  } else {
    result = "the anonymisation key: " + problem;
    return result.c_str();
  }
  options.keep_text = keep_text != 0;
  options.map_ports = map_ports != 0;
  result = app().save_anonymized_profile(path, options);
  return result.c_str();
}

// Following a growing profile (web/lurk-follow.js, docs/live.md).
EMSCRIPTEN_KEEPALIVE void lurk_follow_available(int available) {
  lurk::ui::web_input_note_activity();
  app().set_follow_available(available != 0);
}

EMSCRIPTEN_KEEPALIVE int lurk_follow_wanted() { return app().follow_wanted() ? 1 : 0; }

EMSCRIPTEN_KEEPALIVE const char* lurk_follow_cursor() { return app().follow_cursor().c_str(); }

// "" applied, "more", "reset", or the problem (the string lives until the next call).
EMSCRIPTEN_KEEPALIVE const char* lurk_follow_apply(const char* path, double now_ms) {
  static std::string result;
  lurk::ui::web_input_note_activity();
  result = app().follow_apply(path, now_ms);
  return result.c_str();
}

EMSCRIPTEN_KEEPALIVE const char* lurk_follow_reopen(const char* path, double now_ms) {
  static std::string result;
  lurk::ui::web_input_note_activity();
  result = app().follow_reopen(path, now_ms);
  return result.c_str();
}

// A poll answered "nothing new" (""), or one that failed (its problem).
EMSCRIPTEN_KEEPALIVE void lurk_follow_polled(double now_ms, const char* problem) {
  if (*problem) app().follow_problem(now_ms, problem);
  else app().follow_polled(now_ms);
}

// Server-backed viewing (web/lurk-native.js, docs/server.md): the outline
// at `path`, on the native profile's axis (its origin as decimal text: a
// double cannot hold it); frames, and the rest by path (items' details,
// measured counts, marks, a connection's packets, findings' targets), are
// then asked of the page (lurkNative.askFrame / ask), whose answers come
// back below.
EMSCRIPTEN_KEEPALIVE const char* lurk_open_native(const char* path, const char* display_name,
                                                  const char* origin_ns, double duration_ns,
                                                  double connections, double packets, double threads,
                                                  double events, double groups, const char* minimap_json,
                                                  const char* lane_shapes_json) {
  static std::string result;
  lurk::ui::web_input_note_activity();
  lurk::ui::ProfileCounts counts;
  counts.connections = int64_t(connections);
  counts.packets = int64_t(packets);
  counts.threads = int64_t(threads);
  counts.events = int64_t(events);
  auto send_frame = [](const std::string& query, uint64_t serial) {
    EM_ASM({ lurkNative.askFrame(UTF8ToString($0), $1); }, query.c_str(), double(serial));
  };
  auto ask = [](const std::string& path, const std::string& query) {
    EM_ASM({ lurkNative.ask(UTF8ToString($0), UTF8ToString($1)); }, path.c_str(), query.c_str());
  };
  result = app().open_native(path, display_name, std::strtoll(origin_ns, nullptr, 10), int64_t(duration_ns),
                             counts, size_t(groups), minimap_json, lane_shapes_json, {send_frame, ask});
  return result.c_str();
}

// lurk view finished a cold open's background work (web/lurk-native.js polls
// /native): its minimap (JSON, "[]" when not yet), and the view asked again.
EMSCRIPTEN_KEEPALIVE void lurk_native_update(const char* minimap_json) {
  lurk::ui::web_input_note_activity();
  app().native_update(minimap_json);
}

namespace {

// An answer's bytes, written by the page at `file` in the module's file
// system (binary ones too: frames, a connection's packets), then removed.
std::string take_file(const char* file) {
  std::ifstream in(file, std::ios::binary);
  std::string body{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  std::remove(file);
  return body;
}

}  // namespace

// A /frame answer's bytes at `path`; `answer_ms` from asking to the last byte.
EMSCRIPTEN_KEEPALIVE void lurk_frame_received(double serial, const char* path, double answer_ms) {
  lurk::ui::web_input_note_activity();
  app().frame_received(uint64_t(serial), take_file(path), answer_ms);
}

EMSCRIPTEN_KEEPALIVE void lurk_frame_failed(double serial, const char* message) {
  lurk::ui::web_input_note_activity();
  app().frame_failed(uint64_t(serial), message);
}

// The answer to GET /`path`?`query` (lurkNative.ask): its body at `file`, or
// with ok = 0 the problem there.
EMSCRIPTEN_KEEPALIVE void lurk_remote_answer(const char* path, const char* query, int ok, const char* file) {
  lurk::ui::web_input_note_activity();
  app().remote_answer(path, query, ok != 0, take_file(file));
}

// The drawn timeline frame's records, one a line (tests compare the modes).
EMSCRIPTEN_KEEPALIVE const char* lurk_frame_records() {
  static std::string text;
  text = app().frame_records();
  return text.c_str();
}

EMSCRIPTEN_KEEPALIVE const char* lurk_snapshot_json() {
  static std::string json;
  json = lurk::ui::snapshot_json(app().snapshot());
  return json.c_str();
}

}  // extern "C"

int main() {
  EmscriptenWebGLContextAttributes attributes;
  emscripten_webgl_init_context_attributes(&attributes);
  attributes.majorVersion = 2;
  attributes.alpha = false;
  attributes.antialias = false;
  EMSCRIPTEN_WEBGL_CONTEXT_HANDLE context = emscripten_webgl_create_context(kCanvas, &attributes);
  if (context <= 0) {
    EM_ASM({ showError('This browser cannot create a WebGL2 context, which lurk needs.'); });
    return 1;
  }
  emscripten_webgl_make_context_current(context);

  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = nullptr;
  io.BackendPlatformName = "lurk_web";
  // Dark unless the URL asks for ?theme=light (app/theme; `t` switches).
  bool light = EM_ASM_INT({ return new URLSearchParams(location.search).get('theme') === 'light'; });
  lurk::ui::app_theme().apply(light ? lurk::ui::ThemeKind::Light : lurk::ui::ThemeKind::Dark);
  ImGui_ImplOpenGL3_Init("#version 300 es");
  lurk::ui::install_web_input(kCanvas);

  emscripten_set_main_loop(frame, 0, false);
  lurk::ui::web_input_set_wake(wake_loop);
  return 0;
}
