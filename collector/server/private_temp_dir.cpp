#include "server/private_temp_dir.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

namespace lurk::server {
namespace {

// The directory the signal handler removes; a fixed buffer, because a handler
// may not allocate.
char g_dir_for_signal[4096] = {};

// Unlinks every entry of the (flat) directory, then the directory. Only
// async-signal-safe calls: open, getdents64 through syscall, unlinkat, rmdir.
void remove_flat_dir(const char* dir) {
  int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    alignas(8) char buffer[4096];
    for (;;) {
      long got = syscall(SYS_getdents64, fd, buffer, sizeof buffer);
      if (got <= 0) break;
      for (long at = 0; at < got;) {
        auto* entry = reinterpret_cast<struct dirent64*>(buffer + at);
        const char* name = entry->d_name;
        bool dot = name[0] == '.' && (name[1] == 0 || (name[1] == '.' && name[2] == 0));
        if (!dot) unlinkat(fd, name, 0);
        at += entry->d_reclen;
      }
    }
    close(fd);
  }
  rmdir(dir);
}

void remove_and_reraise(int signal_number) {
  if (g_dir_for_signal[0]) remove_flat_dir(g_dir_for_signal);
  std::signal(signal_number, SIG_DFL);
  raise(signal_number);
}

}  // namespace

PrivateTempDir::PrivateTempDir(const std::string& prefix) {
  std::string pattern = (std::filesystem::temp_directory_path() / (prefix + "-XXXXXX")).string();
  if (!mkdtemp(pattern.data()))
    throw std::runtime_error("cannot create a temporary directory in " +
                             std::filesystem::temp_directory_path().string() + ": " +
                             std::strerror(errno));
  path_ = pattern;
}

PrivateTempDir::~PrivateTempDir() {
  if (std::strcmp(g_dir_for_signal, path_.c_str()) == 0) g_dir_for_signal[0] = 0;
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

void PrivateTempDir::remove_on_signal() {
  if (path_.string().size() >= sizeof g_dir_for_signal) return;
  std::strcpy(g_dir_for_signal, path_.c_str());
  std::signal(SIGINT, remove_and_reraise);
  std::signal(SIGTERM, remove_and_reraise);
}

void PrivateTempDir::forget_signals() {
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
  g_dir_for_signal[0] = 0;
}

}  // namespace lurk::server
