// The gathering VFS: see gathered_writes_vfs.h.
#include "storage/gathered_writes_vfs.h"

#include <sqlite3.h>

#include <cstdlib>
#include <cstring>
#include <deque>
#include <mutex>
#include <string>

namespace lurk {
namespace {

// Our part of an open file; the base VFS's own file follows it (szOsFile).
struct GatherFile {
  sqlite3_file base;        // first: SQLite passes a GatherFile as a sqlite3_file
  sqlite3_file* real;       // the base VFS's file, just after this struct
  unsigned char* held;      // kGatheredWriteBytes, made at the first held write
  sqlite3_int64 held_at;    // file offset of held[0]
  int held_len;             // bytes held, not yet written
  bool gathers;             // a main database file, not (yet) in WAL mode
};

constexpr size_t kRealFileOffset = (sizeof(GatherFile) + 7) & ~size_t(7);

sqlite3_vfs* base_of(sqlite3_vfs* vfs) { return static_cast<sqlite3_vfs*>(vfs->pAppData); }
GatherFile* as_gather(sqlite3_file* file) { return reinterpret_cast<GatherFile*>(file); }
const sqlite3_io_methods* real_methods(GatherFile* f) { return f->real->pMethods; }

// Writes out what is held; the next operation on the file then sees the
// file as SQLite wrote it. A failed write keeps the bytes held: SQLite
// ignores what some file controls return (hints such as
// SQLITE_FCNTL_SIZE_HINT, sent before each spill and commit), so bytes
// dropped there would be pages it counts as written: a commit would then
// succeed over zeros or stale pages. Kept, they are tried again before
// anything else reaches the file, and the error comes back from every
// operation that needs them first (a write, a sync, the commit's
// SQLITE_FCNTL_SYNC), which fails the commit and lets the journal restore
// the file.
int write_held(GatherFile* f) {
  if (f->held_len == 0) return SQLITE_OK;
  int rc = real_methods(f)->xWrite(f->real, f->held, f->held_len, f->held_at);
  if (rc == SQLITE_OK) f->held_len = 0;
  return rc;
}

// --- io methods ------------------------------------------------------------

int gather_close(sqlite3_file* file) {
  GatherFile* f = as_gather(file);
  int rc = write_held(f);
  int closed = real_methods(f)->xClose(f->real);
  std::free(f->held);
  f->held = nullptr;
  return rc != SQLITE_OK ? rc : closed;
}

int gather_read(sqlite3_file* file, void* out, int amount, sqlite3_int64 offset) {
  GatherFile* f = as_gather(file);
  // Only a read of held bytes needs them in the file first.
  if (f->held_len > 0 && offset < f->held_at + f->held_len && f->held_at < offset + amount) {
    if (int rc = write_held(f); rc != SQLITE_OK) return rc;
  }
  return real_methods(f)->xRead(f->real, out, amount, offset);
}

int gather_write(sqlite3_file* file, const void* data, int amount, sqlite3_int64 offset) {
  GatherFile* f = as_gather(file);
  if (!f->gathers) {
    // Bytes held before gathering ended (a flush that failed) go first.
    if (int rc = write_held(f); rc != SQLITE_OK) return rc;
    return real_methods(f)->xWrite(f->real, data, amount, offset);
  }
  if (f->held_len > 0 && offset == f->held_at + f->held_len &&
      size_t(f->held_len) + size_t(amount) <= kGatheredWriteBytes) {
    std::memcpy(f->held + f->held_len, data, size_t(amount));
    f->held_len += amount;
    return SQLITE_OK;
  }
  if (int rc = write_held(f); rc != SQLITE_OK) return rc;
  if (size_t(amount) >= kGatheredWriteBytes) return real_methods(f)->xWrite(f->real, data, amount, offset);
  if (!f->held) {
    f->held = static_cast<unsigned char*>(std::malloc(kGatheredWriteBytes));
    if (!f->held) return real_methods(f)->xWrite(f->real, data, amount, offset);
  }
  std::memcpy(f->held, data, size_t(amount));
  f->held_at = offset;
  f->held_len = amount;
  return SQLITE_OK;
}

int gather_truncate(sqlite3_file* file, sqlite3_int64 size) {
  GatherFile* f = as_gather(file);
  if (int rc = write_held(f); rc != SQLITE_OK) return rc;
  return real_methods(f)->xTruncate(f->real, size);
}

int gather_sync(sqlite3_file* file, int flags) {
  GatherFile* f = as_gather(file);
  if (int rc = write_held(f); rc != SQLITE_OK) return rc;
  return real_methods(f)->xSync(f->real, flags);
}

int gather_file_size(sqlite3_file* file, sqlite3_int64* size) {
  GatherFile* f = as_gather(file);
  if (int rc = write_held(f); rc != SQLITE_OK) return rc;
  return real_methods(f)->xFileSize(f->real, size);
}

int gather_lock(sqlite3_file* file, int level) {
  GatherFile* f = as_gather(file);
  if (int rc = write_held(f); rc != SQLITE_OK) return rc;
  return real_methods(f)->xLock(f->real, level);
}

int gather_unlock(sqlite3_file* file, int level) {
  GatherFile* f = as_gather(file);
  int rc = write_held(f);
  int unlocked = real_methods(f)->xUnlock(f->real, level);
  return rc != SQLITE_OK ? rc : unlocked;
}

int gather_check_reserved_lock(sqlite3_file* file, int* out) {
  GatherFile* f = as_gather(file);
  return real_methods(f)->xCheckReservedLock(f->real, out);
}

// SQLITE_FCNTL_SYNC among them: SQLite's commit sends it before the
// database's sync, or instead of it (synchronous = OFF).
int gather_file_control(sqlite3_file* file, int op, void* arg) {
  GatherFile* f = as_gather(file);
  if (int rc = write_held(f); rc != SQLITE_OK) return rc;
  return real_methods(f)->xFileControl(f->real, op, arg);
}

int gather_sector_size(sqlite3_file* file) {
  GatherFile* f = as_gather(file);
  return real_methods(f)->xSectorSize(f->real);
}

int gather_device_characteristics(sqlite3_file* file) {
  GatherFile* f = as_gather(file);
  return real_methods(f)->xDeviceCharacteristics(f->real);
}

// WAL mode: from the first shared-memory call on, every write goes through.
int leave_gathering(GatherFile* f) {
  f->gathers = false;
  return write_held(f);
}

int gather_shm_map(sqlite3_file* file, int page, int size, int extend, void volatile** out) {
  GatherFile* f = as_gather(file);
  if (int rc = leave_gathering(f); rc != SQLITE_OK) return rc;
  return real_methods(f)->xShmMap(f->real, page, size, extend, out);
}

int gather_shm_lock(sqlite3_file* file, int offset, int n, int flags) {
  GatherFile* f = as_gather(file);
  if (int rc = leave_gathering(f); rc != SQLITE_OK) return rc;
  return real_methods(f)->xShmLock(f->real, offset, n, flags);
}

void gather_shm_barrier(sqlite3_file* file) {
  GatherFile* f = as_gather(file);
  leave_gathering(f);  // nothing held: WAL mode began at the first xShmMap
  real_methods(f)->xShmBarrier(f->real);
}

int gather_shm_unmap(sqlite3_file* file, int delete_flag) {
  GatherFile* f = as_gather(file);
  if (int rc = leave_gathering(f); rc != SQLITE_OK) return rc;
  return real_methods(f)->xShmUnmap(f->real, delete_flag);
}

int gather_fetch(sqlite3_file* file, sqlite3_int64 offset, int amount, void** out) {
  GatherFile* f = as_gather(file);
  if (int rc = write_held(f); rc != SQLITE_OK) return rc;
  return real_methods(f)->xFetch(f->real, offset, amount, out);
}

int gather_unfetch(sqlite3_file* file, sqlite3_int64 offset, void* page) {
  GatherFile* f = as_gather(file);
  return real_methods(f)->xUnfetch(f->real, offset, page);
}

// One table per io_methods version, so SQLite sees the base file's version
// (it asks for WAL support by iVersion >= 2).
sqlite3_io_methods methods_of_version(int version) {
  sqlite3_io_methods m = {};
  m.iVersion = version;
  m.xClose = gather_close;
  m.xRead = gather_read;
  m.xWrite = gather_write;
  m.xTruncate = gather_truncate;
  m.xSync = gather_sync;
  m.xFileSize = gather_file_size;
  m.xLock = gather_lock;
  m.xUnlock = gather_unlock;
  m.xCheckReservedLock = gather_check_reserved_lock;
  m.xFileControl = gather_file_control;
  m.xSectorSize = gather_sector_size;
  m.xDeviceCharacteristics = gather_device_characteristics;
  if (version >= 2) {
    m.xShmMap = gather_shm_map;
    m.xShmLock = gather_shm_lock;
    m.xShmBarrier = gather_shm_barrier;
    m.xShmUnmap = gather_shm_unmap;
  }
  if (version >= 3) {
    m.xFetch = gather_fetch;
    m.xUnfetch = gather_unfetch;
  }
  return m;
}

const sqlite3_io_methods kMethods[3] = {methods_of_version(1), methods_of_version(2),
                                        methods_of_version(3)};

// --- vfs methods: every one but xOpen passes the call to the base VFS ------

int gather_open(sqlite3_vfs* vfs, const char* name, sqlite3_file* file, int flags, int* out_flags) {
  sqlite3_vfs* base = base_of(vfs);
  GatherFile* f = as_gather(file);
  f->base.pMethods = nullptr;
  f->real = reinterpret_cast<sqlite3_file*>(reinterpret_cast<char*>(file) + kRealFileOffset);
  f->real->pMethods = nullptr;
  f->held = nullptr;
  f->held_at = 0;
  f->held_len = 0;
  f->gathers = (flags & SQLITE_OPEN_MAIN_DB) != 0;
  int rc = base->xOpen(base, name, f->real, flags, out_flags);
  // SQLite closes a file whose xOpen failed when its methods are set: ours
  // are set exactly when the base's are, so the base's file is closed too.
  if (const sqlite3_io_methods* real = f->real->pMethods) {
    int version = real->iVersion < 1 ? 1 : real->iVersion > 3 ? 3 : real->iVersion;
    f->base.pMethods = &kMethods[version - 1];
  }
  return rc;
}

int gather_delete(sqlite3_vfs* vfs, const char* name, int sync_dir) {
  return base_of(vfs)->xDelete(base_of(vfs), name, sync_dir);
}
int gather_access(sqlite3_vfs* vfs, const char* name, int flags, int* out) {
  return base_of(vfs)->xAccess(base_of(vfs), name, flags, out);
}
int gather_full_pathname(sqlite3_vfs* vfs, const char* name, int size, char* out) {
  return base_of(vfs)->xFullPathname(base_of(vfs), name, size, out);
}
void* gather_dl_open(sqlite3_vfs* vfs, const char* name) {
  return base_of(vfs)->xDlOpen(base_of(vfs), name);
}
void gather_dl_error(sqlite3_vfs* vfs, int size, char* out) {
  base_of(vfs)->xDlError(base_of(vfs), size, out);
}
void (*gather_dl_sym(sqlite3_vfs* vfs, void* handle, const char* symbol))(void) {
  return base_of(vfs)->xDlSym(base_of(vfs), handle, symbol);
}
void gather_dl_close(sqlite3_vfs* vfs, void* handle) { base_of(vfs)->xDlClose(base_of(vfs), handle); }
int gather_randomness(sqlite3_vfs* vfs, int size, char* out) {
  return base_of(vfs)->xRandomness(base_of(vfs), size, out);
}
int gather_sleep(sqlite3_vfs* vfs, int microseconds) {
  return base_of(vfs)->xSleep(base_of(vfs), microseconds);
}
int gather_current_time(sqlite3_vfs* vfs, double* out) {
  return base_of(vfs)->xCurrentTime(base_of(vfs), out);
}
int gather_get_last_error(sqlite3_vfs* vfs, int size, char* out) {
  return base_of(vfs)->xGetLastError ? base_of(vfs)->xGetLastError(base_of(vfs), size, out) : 0;
}
int gather_current_time_int64(sqlite3_vfs* vfs, sqlite3_int64* out) {
  return base_of(vfs)->xCurrentTimeInt64(base_of(vfs), out);
}

std::mutex registry_mutex;
std::deque<sqlite3_vfs> registered;  // stable addresses: SQLite keeps pointers
std::deque<std::string> registered_names;

}  // namespace

const char* register_gathered_writes_vfs(const char* name, sqlite3_vfs* base) {
  std::lock_guard<std::mutex> lock(registry_mutex);
  if (sqlite3_vfs* found = sqlite3_vfs_find(name)) return found->zName;
  const std::string& stored = registered_names.emplace_back(name);
  sqlite3_vfs& vfs = registered.emplace_back();
  vfs = {};
  // Version 2 at most: the system-call overrides of version 3 are the base's
  // own business (they name its calls), not this wrapper's.
  vfs.iVersion = base->iVersion < 2 ? base->iVersion : 2;
  vfs.szOsFile = int(kRealFileOffset) + base->szOsFile;
  vfs.mxPathname = base->mxPathname;
  vfs.zName = stored.c_str();
  vfs.pAppData = base;
  vfs.xOpen = gather_open;
  vfs.xDelete = gather_delete;
  vfs.xAccess = gather_access;
  vfs.xFullPathname = gather_full_pathname;
  // Absent below (SQLITE_OMIT_LOAD_EXTENSION): absent here too.
  vfs.xDlOpen = base->xDlOpen ? gather_dl_open : nullptr;
  vfs.xDlError = base->xDlError ? gather_dl_error : nullptr;
  vfs.xDlSym = base->xDlSym ? gather_dl_sym : nullptr;
  vfs.xDlClose = base->xDlClose ? gather_dl_close : nullptr;
  vfs.xRandomness = gather_randomness;
  vfs.xSleep = gather_sleep;
  vfs.xCurrentTime = gather_current_time;
  vfs.xGetLastError = gather_get_last_error;
  if (vfs.iVersion >= 2) vfs.xCurrentTimeInt64 = gather_current_time_int64;
  sqlite3_vfs_register(&vfs, /*makeDflt=*/0);
  return vfs.zName;
}

const char* gathered_writes_vfs() {
  static const char* name = register_gathered_writes_vfs("lurk-gathered", sqlite3_vfs_find(nullptr));
  return name;
}

}  // namespace lurk
