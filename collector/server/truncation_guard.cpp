// TruncationGuard (truncation_guard.h): the SIGBUS handler and the table of
// guarded mappings it reads. The handler runs on the thread that faulted, in
// the middle of a read, so it only loads atomics and makes system calls
// (mmap and sigaction are plain system calls; no allocation, no locks).
#include "server/truncation_guard.h"

#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <mutex>

namespace lurk::server {
namespace {

struct Slot {
  std::atomic<uintptr_t> begin{0}, end{0};  // end 0: free
  std::atomic<int> faulted{0};
};

Slot g_slots[TruncationGuard::kSlots];
uintptr_t g_page = 4096;  // set before the handler is installed
struct sigaction g_previous {};
std::mutex g_registering;  // slots taken and freed (not read by the handler)

// Hands the signal on as if this handler had never been installed: the
// previous disposition is put back and, for a handler, called; for the
// default action, returning re-executes the faulting read, which faults
// again and ends the process with SIGBUS as before.
void pass_on(int sig, siginfo_t* info, void* context) {
  ::sigaction(SIGBUS, &g_previous, nullptr);
  if (g_previous.sa_flags & SA_SIGINFO) {
    if (g_previous.sa_sigaction) g_previous.sa_sigaction(sig, info, context);
  } else if (g_previous.sa_handler != SIG_DFL && g_previous.sa_handler != SIG_IGN) {
    g_previous.sa_handler(sig);
  }
}

void on_sigbus(int sig, siginfo_t* info, void* context) {
  uintptr_t at = uintptr_t(info->si_addr);
  for (Slot& slot : g_slots) {
    uintptr_t begin = slot.begin.load(std::memory_order_acquire), end = slot.end.load(std::memory_order_acquire);
    if (end == 0 || at < begin || at >= end) continue;
    // Only within the mapping: its first and last pages are whole pages of
    // the mapping (mmap maps whole pages), so the page replaced is ours.
    void* page = reinterpret_cast<void*>(at / g_page * g_page);
    if (::mmap(page, g_page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED) break;
    slot.faulted.store(1, std::memory_order_release);
    return;
  }
  pass_on(sig, info, context);
}

void install_handler_once() {
  static std::once_flag installed;
  std::call_once(installed, [] {
    g_page = uintptr_t(::sysconf(_SC_PAGESIZE));
    struct sigaction action {};
    action.sa_sigaction = on_sigbus;
    action.sa_flags = SA_SIGINFO | SA_NODEFER;  // a copy may fault once per cut-off page
    sigemptyset(&action.sa_mask);
    ::sigaction(SIGBUS, &action, &g_previous);
  });
}

}  // namespace

TruncationGuard::TruncationGuard(const void* begin, size_t size) {
  if (!begin || size == 0) return;
  install_handler_once();
  std::lock_guard<std::mutex> lock(g_registering);
  for (int i = 0; i < kSlots; ++i) {
    if (g_slots[i].end.load(std::memory_order_relaxed) != 0) continue;
    g_slots[i].faulted.store(0, std::memory_order_relaxed);
    g_slots[i].begin.store(uintptr_t(begin), std::memory_order_release);
    // Up to the mapping's last page: a fault past the file's end in the
    // last, partial page is within what mmap mapped.
    uintptr_t end = (uintptr_t(begin) + size + g_page - 1) / g_page * g_page;
    g_slots[i].end.store(end, std::memory_order_release);
    slot_ = i;
    return;
  }
}

TruncationGuard::~TruncationGuard() {
  if (slot_ < 0) return;
  std::lock_guard<std::mutex> lock(g_registering);
  g_slots[slot_].end.store(0, std::memory_order_release);
  g_slots[slot_].begin.store(0, std::memory_order_release);
}

bool TruncationGuard::faulted() const {
  return slot_ >= 0 && g_slots[slot_].faulted.load(std::memory_order_acquire) != 0;
}

}  // namespace lurk::server
