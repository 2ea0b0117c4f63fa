// Output files written atomically: temp files next to the targets, all renamed on commit.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace packetseq {

// A set of output files that appear together or not at all. Write each file to temp_path(i)
// (open it by that name; it may be "/proc/self/fd/N", see below); commit() moves them all into
// place. If commit() is never reached or fails, the destructor removes the temporaries and
// files at the final paths keep their old content.
//
// Each temporary is, where the file system allows it, an unnamed O_TMPFILE file in the
// target's directory (temp_path is then "/proc/self/fd/N"), so even a SIGKILL leaves nothing
// behind; it gets a name only inside commit(). Otherwise it is a hidden ".NAME.XXXXXX" file
// in that directory, registered with the signal cleanup list below while it exists.
class AtomicOutputSet {
 public:
  AtomicOutputSet() = default;
  AtomicOutputSet(const AtomicOutputSet&) = delete;
  AtomicOutputSet& operator=(const AtomicOutputSet&) = delete;
  ~AtomicOutputSet();

  // Reserves a temporary for `final_path`; returns its index. Throws std::runtime_error
  // "PATH: cause" if the directory is not writable.
  std::size_t add(const std::string& final_path);
  const std::string& temp_path(std::size_t index) const { return files_[index].temp; }
  const std::string& final_path(std::size_t index) const { return files_[index].final; }
  std::size_t size() const { return files_.size(); }
  // True when temp_path(index) is an unnamed (O_TMPFILE) file.
  bool unnamed(std::size_t index) const { return files_[index].fd >= 0; }

  // Moves every temporary onto its final path, all or nothing: a final path that is a
  // directory, device, FIFO or socket is refused before anything moves, and if a rename fails the
  // files already moved are rolled back to their old content (or removed when they did not exist).
  // SIGINT/SIGTERM/SIGHUP are held back while it runs. Throws std::runtime_error
  // "FINAL_PATH: cause".
  void commit();

  // Replaces every temporary path in `message` by its final path, so an error from a writer
  // that was given temp_path() names the user's file.
  std::string user_message(const std::string& message) const;

  // Test hook: false makes add() use named temporaries (as on a file system without
  // O_TMPFILE). The environment variable PACKETSEQ_NAMED_TEMPS=1 has the same effect.
  static void set_unnamed_temps(bool enabled);

 private:
  struct File {
    std::string final;
    std::string temp;  // the path writers open
    int fd = -1;       // O_TMPFILE descriptor, or -1 for a named temporary
    int slot = -1;     // signal cleanup slot of the named temporary, or -1
  };
  void release(File& file);
  std::vector<File> files_;
  bool committed_ = false;
};

// Writes `content` to `path` atomically.
void write_file_atomically(const std::string& path, const std::string& content);

// --- Signal-safe cleanup list -------------------------------------------------------------
// Named temporaries are listed in a fixed, pre-allocated table; the handler installed by
// install_output_signal_cleanup() only unlink()s the listed paths and then _exit()s with
// 128 + signal number (130 SIGINT, 129 SIGHUP, 143 SIGTERM). Signals the process ignores
// (nohup, background jobs) stay ignored.

// Capacity of the cleanup list; register_temp_for_cleanup fails beyond it.
inline constexpr std::size_t kMaxCleanupTemps = 4096;

// Installs the SIGINT/SIGTERM/SIGHUP handler (once per process; later calls do nothing).
void install_output_signal_cleanup();
// Lists `path` for removal on a signal; returns its slot, or -1 when the table is full.
int register_temp_for_cleanup(const std::string& path);
// Takes the slot off the list (the file itself is left alone). Ignores -1.
void unregister_temp_for_cleanup(int slot);
// Number of paths currently listed (for tests).
std::size_t registered_temp_count();

}  // namespace packetseq
