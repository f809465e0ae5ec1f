// The batch whose end runs on the writer's thread: see batch_in_flight.h.
#include "live/batch_in_flight.h"

#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <utility>

namespace lurk::live {

BatchInFlight::BatchInFlight() {
  fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (fd_ < 0) throw std::runtime_error(std::string("cannot make an eventfd: ") + std::strerror(errno));
}

BatchInFlight::~BatchInFlight() { ::close(fd_); }

void BatchInFlight::start(BatchHandedOver batch, std::vector<AckToSend> acks) {
  if (batch_) throw std::logic_error("a batch is already in flight");
  acks_ = std::move(acks);
  std::lock_guard<std::mutex> lock(mutex_);
  done_ = false;
  error_ = nullptr;
  batch_ = std::move(batch);
}

void BatchInFlight::finished(std::exception_ptr error) noexcept {
  if (!error) {
    for (const AckToSend& ack : acks_) {
      [[maybe_unused]] ssize_t sent =
          ::send(ack.fd, ack.line.data(), ack.line.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
    }
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    done_ = true;
    error_ = error;
  }
  uint64_t one = 1;
  [[maybe_unused]] ssize_t n = ::write(fd_, &one, sizeof one);  // never full: read each wake
}

void BatchInFlight::clear_wakeup() {
  uint64_t count = 0;
  [[maybe_unused]] ssize_t n = ::read(fd_, &count, sizeof count);  // EAGAIN: nothing new
}

std::optional<BatchHandedOver> BatchInFlight::take_done() {
  if (!batch_) return std::nullopt;
  std::exception_ptr error;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!done_) return std::nullopt;
    error = std::exchange(error_, nullptr);
  }
  if (error) std::rethrow_exception(error);
  std::optional<BatchHandedOver> batch = std::move(batch_);
  batch_.reset();
  return batch;
}

}  // namespace lurk::live
