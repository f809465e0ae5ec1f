#include "core/frame_palette.h"

namespace lurk::ui {

const Palette& palette(bool light) {
  static const Palette dark{
      rgba(44, 48, 58),    rgba(230, 232, 238), rgba(215, 218, 226), rgba(145, 150, 162),
      rgba(255, 255, 255, 7), rgba(90, 140, 255, 34), rgba(120, 170, 230, 40),
      rgba(150, 160, 180, 70), rgba(235, 50, 50, 36), rgba(255, 110, 110), rgba(90, 200, 120),
      rgba(130, 136, 150), rgba(20, 22, 28), rgba(255, 230, 80), rgba(255, 255, 255),
      rgba(36, 39, 46), rgba(200, 204, 212), rgba(70, 74, 84, 110), rgba(200, 120, 255, 30),
      rgba(120, 120, 120, 28), rgba(200, 200, 255, 150), rgba(90, 160, 255, 45),
      rgba(110, 200, 170), rgba(255, 120, 120)};
  static const Palette bright{
      rgba(222, 226, 234), rgba(20, 24, 32),   rgba(30, 34, 42),    rgba(100, 106, 118),
      rgba(0, 0, 0, 8),    rgba(60, 110, 230, 30), rgba(70, 110, 170, 40),
      rgba(90, 100, 120, 70), rgba(220, 40, 40, 30), rgba(200, 30, 30), rgba(40, 150, 70),
      rgba(120, 126, 140), rgba(10, 10, 14), rgba(230, 160, 0), rgba(0, 0, 0),
      rgba(232, 235, 240), rgba(50, 54, 62), rgba(0, 0, 0, 30), rgba(160, 80, 230, 28),
      rgba(0, 0, 0, 20), rgba(60, 60, 140, 160), rgba(60, 120, 230, 40), rgba(30, 140, 110),
      rgba(200, 30, 30)};
  return light ? bright : dark;
}

uint32_t span_color(uint32_t name, bool light) {
  static const uint32_t dark[] = {rgba(86, 130, 190), rgba(96, 160, 130), rgba(170, 140, 80),
                                  rgba(140, 110, 180), rgba(80, 150, 165), rgba(170, 110, 120),
                                  rgba(120, 150, 90), rgba(150, 125, 100)};
  static const uint32_t bright[] = {rgba(150, 185, 235), rgba(150, 215, 180), rgba(235, 205, 140),
                                    rgba(200, 175, 235), rgba(140, 210, 220), rgba(235, 170, 180),
                                    rgba(185, 215, 150), rgba(215, 190, 160)};
  uint32_t h = name * 2654435761u;
  return (light ? bright : dark)[(h >> 13) % 8];
}

}  // namespace lurk::ui
