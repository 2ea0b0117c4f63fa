// Temp-file-and-rename output so an error or a signal never leaves a partial or clobbered file.
#include "util/atomic_output.h"

#include <fcntl.h>
#include <glib.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

namespace packetseq {
namespace {

// ---- cleanup list: fixed table of heap copies, read by the handler without locks ----------

std::atomic<char*> g_slots[kMaxCleanupTemps];
// Set by the handler before it reads the table: from then on unregister must not free a path
// the handler may be reading on another thread (the process is about to exit anyway).
std::atomic<int> g_handling{0};
std::atomic<bool> g_installed{false};
std::atomic<bool> g_unnamed_enabled{true};

constexpr int kCleanupSignals[] = {SIGINT, SIGTERM, SIGHUP};

extern "C" void cleanup_on_signal(int signo) {
  g_handling.store(1);
  for (auto& slot : g_slots) {
    const char* path = slot.load();
    if (path != nullptr) unlink(path);  // async-signal-safe
  }
  _exit(128 + signo);
}

// Holds back the cleanup signals in this thread for a scope, so a temp file is never created
// without being listed and a commit is never interrupted half-way.
class SignalBlock {
 public:
  SignalBlock() {
    sigset_t set;
    sigemptyset(&set);
    for (int s : kCleanupSignals) sigaddset(&set, s);
    pthread_sigmask(SIG_BLOCK, &set, &old_);
  }
  ~SignalBlock() { pthread_sigmask(SIG_SETMASK, &old_, nullptr); }
  SignalBlock(const SignalBlock&) = delete;
  SignalBlock& operator=(const SignalBlock&) = delete;

 private:
  sigset_t old_;
};

std::string dir_of(const std::string& path) {
  gchar* dir = g_path_get_dirname(path.c_str());
  std::string result = dir;
  g_free(dir);
  return result;
}

std::string base_of(const std::string& path) {
  gchar* base = g_path_get_basename(path.c_str());
  std::string result = base;
  g_free(base);
  return result;
}

// ".BASE.XXXXXX" next to `final_path`, XXXXXX random.
std::string random_sibling(const std::string& final_path) {
  static const char kChars[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  std::string name = dir_of(final_path) + G_DIR_SEPARATOR_S + "." + base_of(final_path) + ".";
  for (int i = 0; i < 6; ++i)
    name += kChars[g_random_int_range(0, static_cast<gint32>(sizeof kChars - 1))];
  return name;
}

// Creates a new hard link `make(candidate)` under a fresh random sibling name of `final_path`,
// listed for cleanup; returns the name, or "" with errno set.
template <typename Link>
std::string link_sibling(const std::string& final_path, int& slot, Link make) {
  for (int attempt = 0; attempt < 100; ++attempt) {
    const std::string name = random_sibling(final_path);
    slot = register_temp_for_cleanup(name);
    if (make(name.c_str()) == 0) return name;
    const int error = errno;
    unregister_temp_for_cleanup(slot);
    slot = -1;
    errno = error;
    if (error != EEXIST) return "";
  }
  errno = EEXIST;
  return "";
}

std::string cause(int error) { return g_strerror(error); }

}  // namespace

// ---- cleanup list --------------------------------------------------------------------------

void install_output_signal_cleanup() {
  if (g_installed.exchange(true)) return;
  struct sigaction action;
  std::memset(&action, 0, sizeof action);
  action.sa_handler = cleanup_on_signal;
  sigemptyset(&action.sa_mask);
  for (int s : kCleanupSignals) sigaddset(&action.sa_mask, s);  // no nesting of the handler
  for (int s : kCleanupSignals) {
    struct sigaction old;
    if (sigaction(s, nullptr, &old) != 0) continue;
    if (old.sa_handler == SIG_IGN) continue;  // nohup / background job: keep ignoring it
    sigaction(s, &action, nullptr);
  }
}

int register_temp_for_cleanup(const std::string& path) {
  char* copy = strdup(path.c_str());
  if (copy == nullptr) return -1;
  for (std::size_t i = 0; i < kMaxCleanupTemps; ++i) {
    char* expected = nullptr;
    if (g_slots[i].compare_exchange_strong(expected, copy)) return static_cast<int>(i);
  }
  std::free(copy);
  return -1;
}

void unregister_temp_for_cleanup(int slot) {
  if (slot < 0 || static_cast<std::size_t>(slot) >= kMaxCleanupTemps) return;
  char* path = g_slots[slot].exchange(nullptr);
  if (g_handling.load() == 0) std::free(path);
}

std::size_t registered_temp_count() {
  std::size_t n = 0;
  for (const auto& slot : g_slots)
    if (slot.load() != nullptr) ++n;
  return n;
}

// ---- AtomicOutputSet -----------------------------------------------------------------------

void AtomicOutputSet::set_unnamed_temps(bool enabled) { g_unnamed_enabled.store(enabled); }

AtomicOutputSet::~AtomicOutputSet() {
  SignalBlock block;
  for (auto& f : files_) release(f);
}

void AtomicOutputSet::release(File& file) {
  if (file.fd >= 0) {
    close(file.fd);  // an unnamed file vanishes with its last descriptor
    file.fd = -1;
  } else if (!committed_ && !file.temp.empty()) {
    unlink(file.temp.c_str());
  }
  unregister_temp_for_cleanup(file.slot);
  file.slot = -1;
}

std::size_t AtomicOutputSet::add(const std::string& final_path) {
  File file;
  file.final = final_path;
  const char* env = std::getenv("PACKETSEQ_NAMED_TEMPS");
  const bool named_only = env != nullptr && std::strcmp(env, "1") == 0;
  // Each unnamed temporary holds a descriptor until commit; past this many (a PNG of hundreds
  // of pages) named ones are used so the descriptor limit is never reached.
  constexpr std::size_t kMaxUnnamed = 256;
  const auto unnamed_count =
      std::count_if(files_.begin(), files_.end(), [](const File& f) { return f.fd >= 0; });
  if (g_unnamed_enabled.load() && !named_only &&
      static_cast<std::size_t>(unnamed_count) < kMaxUnnamed) {
    const int fd = open(dir_of(final_path).c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, 0644);
    if (fd >= 0) {
      // Writers open the file by this name; it needs /proc (checked once per file).
      const std::string proc = "/proc/self/fd/" + std::to_string(fd);
      if (access(proc.c_str(), W_OK) == 0) {
        file.fd = fd;
        file.temp = proc;
        files_.push_back(file);
        return files_.size() - 1;
      }
      close(fd);
    }
    // EOPNOTSUPP/EISDIR (no O_TMPFILE here) or a real error: the named path reports the latter.
  }
  SignalBlock block;  // created and listed together, or not at all
  std::string pattern = random_sibling(final_path);
  pattern.replace(pattern.size() - 6, 6, "XXXXXX");
  std::vector<char> buf(pattern.begin(), pattern.end());
  buf.push_back('\0');
  const int fd = g_mkstemp_full(buf.data(), O_WRONLY | O_CLOEXEC, 0644);
  if (fd < 0) throw std::runtime_error(final_path + ": cannot create output file: " + cause(errno));
  close(fd);
  file.temp = buf.data();
  file.slot = register_temp_for_cleanup(file.temp);
  if (file.slot < 0) {
    unlink(file.temp.c_str());
    throw std::runtime_error(final_path + ": cannot create output file: more than " +
                             std::to_string(kMaxCleanupTemps) + " files at once");
  }
  files_.push_back(file);
  return files_.size() - 1;
}

void AtomicOutputSet::commit() {
  if (committed_) return;
  SignalBlock block;
  // 1. Refuse what rename() would refuse half-way through, and special files.
  for (const auto& f : files_) {
    struct stat info;
    if (lstat(f.final.c_str(), &info) != 0) continue;
    if (S_ISDIR(info.st_mode)) throw std::runtime_error(f.final + ": is a directory");
    // Renaming over a device, FIFO or socket would replace the node itself.
    if (!S_ISREG(info.st_mode) && !S_ISLNK(info.st_mode))
      throw std::runtime_error(f.final + ": is not a regular file (device, FIFO or socket)");
  }
  // 2. Give unnamed temporaries a (listed) name next to their target.
  for (auto& f : files_) {
    if (f.fd < 0) continue;
    int slot = -1;
    const std::string proc = f.temp;
    const std::string name = link_sibling(f.final, slot, [&](const char* n) {
      return linkat(AT_FDCWD, proc.c_str(), AT_FDCWD, n, AT_SYMLINK_FOLLOW);
    });
    if (name.empty())
      throw std::runtime_error(f.final + ": cannot write output file: " + cause(errno));
    close(f.fd);
    f.fd = -1;
    f.temp = name;
    f.slot = slot;
  }
  // 3. Keep the old content of every existing target as a hard link, for rollback.
  struct Backup {
    std::string name;  // "" when the target did not exist (or cannot be linked)
    int slot = -1;
    bool existed = false;
  };
  std::vector<Backup> backups(files_.size());
  auto drop_backups = [&] {
    for (auto& b : backups) {
      if (!b.name.empty()) unlink(b.name.c_str());
      unregister_temp_for_cleanup(b.slot);
    }
  };
  for (std::size_t i = 0; i < files_.size(); ++i) {
    const std::string& target = files_[i].final;
    struct stat info;
    if (lstat(target.c_str(), &info) != 0) continue;
    backups[i].existed = true;
    // A file system without hard links just loses the rollback for this target.
    backups[i].name = link_sibling(target, backups[i].slot,
                                   [&](const char* n) { return link(target.c_str(), n); });
  }
  // 4. Move everything into place; on a failure put back what already moved.
  for (std::size_t i = 0; i < files_.size(); ++i) {
    File& f = files_[i];
    if (rename(f.temp.c_str(), f.final.c_str()) == 0) {
      unregister_temp_for_cleanup(f.slot);
      f.slot = -1;
      continue;
    }
    const int error = errno;
    for (std::size_t j = 0; j < i; ++j) {
      File& moved = files_[j];
      if (!backups[j].name.empty()) {
        // Restored, or (should even that fail) the old content stays under the hidden name.
        rename(backups[j].name.c_str(), moved.final.c_str());
        backups[j].name.clear();
      } else if (!backups[j].existed) {
        unlink(moved.final.c_str());
      }
      moved.temp.clear();  // moved: nothing left to remove for it
    }
    drop_backups();
    throw std::runtime_error(f.final + ": cannot write output file: " + cause(error));
  }
  drop_backups();
  committed_ = true;
}

std::string AtomicOutputSet::user_message(const std::string& message) const {
  std::string out;
  std::size_t pos = 0;
  while (pos < message.size()) {
    const File* best = nullptr;
    for (const auto& f : files_) {
      const std::string& t = f.temp;
      if (t.empty() || message.compare(pos, t.size(), t) != 0) continue;
      // "/proc/self/fd/1" must not match the start of "/proc/self/fd/12".
      const std::size_t end = pos + t.size();
      if (end < message.size() && g_ascii_isdigit(message[end]) && g_ascii_isdigit(t.back()))
        continue;
      if (best == nullptr || t.size() > best->temp.size()) best = &f;
    }
    if (best != nullptr) {
      out += best->final;
      pos += best->temp.size();
    } else {
      out += message[pos++];
    }
  }
  return out;
}

void write_file_atomically(const std::string& path, const std::string& content) {
  AtomicOutputSet out;
  out.add(path);
  std::FILE* f = std::fopen(out.temp_path(0).c_str(), "wb");
  if (f == nullptr) throw std::runtime_error(path + ": cannot write output file: " + cause(errno));
  const bool written = std::fwrite(content.data(), 1, content.size(), f) == content.size();
  const int error = errno;
  if (std::fclose(f) != 0 || !written)
    throw std::runtime_error(path +
                             ": cannot write output file: " + cause(written ? errno : error));
  out.commit();
}

}  // namespace packetseq
