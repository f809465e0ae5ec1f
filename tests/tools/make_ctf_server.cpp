// lurk-make-ctf-server: writes the mirage-profile CTF trace of a TCP server
// (tests/unit/ctf_server_scenario.h) for the CLI and browser tests of
// connections recognised from a trace alone.
//
//   lurk-make-ctf-server OUT.ctf PATTERN [EVENTS_PER_PACKET [STEP_MS]]
//
// PATTERN has one character per connection: 'x' when its close fails with
// Invalid_argument("Lwt.wakeup_result") (mirage-tcpip#153), '.' when it
// resolves. Connections start 1 ms apart and last 1.5 ms. With
// EVENTS_PER_PACKET, the trace is cut into packets of that many events and
// holds the scheduler's switches, a counter and must-resolve promises too
// (state that runs across packets: tests/cli/live_ctf_resume.py). With
// STEP_MS, connections start that many ms apart (far enough apart, each
// connection's labels fit one captured connection only: the clock tests
// that pair the trace with a capture, tests/cli/live_capture_labels.py).
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "ctf_server_scenario.h"

int main(int argc, char** argv) {
  if (argc < 3 || argc > 5 || std::string(argv[2]).find_first_not_of("x.") != std::string::npos ||
      std::string(argv[2]).empty() || (argc >= 4 && std::atoi(argv[3]) <= 0) ||
      (argc == 5 && std::atoi(argv[4]) <= 0)) {
    std::fprintf(stderr, "usage: lurk-make-ctf-server OUT.ctf PATTERN [EVENTS_PER_PACKET "
                         "[STEP_MS]] (x: close fails, .: not)\n");
    return 2;
  }
  lurk::test::CtfServerSpec spec;
  if (argc >= 4) {
    spec.events_per_packet = static_cast<size_t>(std::atoi(argv[3]));
    spec.with_scheduling = true;
  }
  if (argc == 5) spec.step_ns = int64_t{std::atoi(argv[4])} * 1'000'000;
  for (char c : std::string(argv[2])) spec.fails_at_close.push_back(c == 'x');
  std::vector<uint8_t> bytes = lurk::test::build_ctf_server(spec);
  std::ofstream out(argv[1], std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
  if (!out) {
    std::fprintf(stderr, "lurk-make-ctf-server: cannot write %s\n", argv[1]);
    return 1;
  }
  return 0;
}
