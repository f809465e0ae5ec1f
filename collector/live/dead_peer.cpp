// Telling a dead sender's machine from an idle sender: see dead_peer.h.
#include "live/dead_peer.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <algorithm>

namespace lurk::live {

void probe_dead_peer(int fd, int timeout_s) {
  int yes = 1, count = 3;
  int idle = std::max(1, timeout_s / 3);
  int interval = std::max(1, (timeout_s - idle) / count);
  setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &yes, sizeof yes);
  setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle);
  setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &interval, sizeof interval);
  setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &count, sizeof count);
}

bool peer_stopped_answering(int fd, int timeout_s) {
  tcp_info info{};
  socklen_t size = sizeof info;
  if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &size) != 0) return false;
  // Unacknowledged segments in flight (not data held back by a closed
  // window: zero-window probes are answered by a live peer), and no ACK of
  // anything for the whole timeout.
  return info.tcpi_unacked > 0 && info.tcpi_last_ack_recv >= unsigned(timeout_s) * 1000u;
}

}  // namespace lurk::live
