// Telling a sender whose machine is gone from one that is only idle, busy or
// stopped (docs/live.md, "Exactly once across a collector's restart"). A host
// that vanishes (power lost, cable pulled, VM destroyed) sends no FIN and no
// RST: without probes its connection, and with it its stream id (a
// `--stream` sender's retry is refused while the stream is connected), would
// stay for as long as the collector runs. Both checks here ask the sender's
// kernel, not the process, so `tail -f | lurk send -` idle for hours, or a
// SIGSTOPped sender, keeps its connection; only a machine that no longer
// answers loses it, after about `timeout_s`.
#pragma once

namespace lurk::live {

// On an accepted sender's socket: TCP keepalive, idle a third of
// `timeout_s`, then 3 probes; when none is answered the kernel ends the
// connection (the next recv says ETIMEDOUT).
void probe_dead_peer(int fd, int timeout_s);

// Keepalive does not probe while data we sent is unacknowledged (an ack line
// sent just before the host vanished), and retransmissions take ~15 minutes
// to give up: true when something we sent has waited `timeout_s` for the
// peer's ACK. (Not TCP_USER_TIMEOUT: since Linux 5.11 it also ends a
// connection whose peer keeps a zero window that long, i.e. a live sender
// that does not read our acks, as the C header does not, once its receive
// buffer is full of them.)
bool peer_stopped_answering(int fd, int timeout_s);

}  // namespace lurk::live
