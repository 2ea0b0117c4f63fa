// Regular-file checks for captures and names files (FIFOs and devices would hang or never end).
#include "util/input_file.h"

#include <fcntl.h>
#include <glib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>

namespace packetseq::util {
namespace {

[[noreturn]] void refuse(const std::string& path, const std::string& what, mode_t mode) {
  const char* kind = S_ISDIR(mode)                    ? "a directory"
                     : S_ISFIFO(mode)                 ? "a FIFO"
                     : S_ISCHR(mode) || S_ISBLK(mode) ? "a device"
                     : S_ISSOCK(mode)                 ? "a socket"
                                                      : "not a regular file";
  throw std::runtime_error(path + ": is " + kind + ", not a " + what);
}

[[noreturn]] void fail(const std::string& path, int err) {
  if (err == ENOENT || err == ENOTDIR) throw std::runtime_error(path + ": no such file");
  throw std::runtime_error(path + ": cannot read: " + g_strerror(err));
}

// Closes the descriptor on every path out of a function.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

// Opens a regular file for reading: stat first (a FIFO or device is never opened), then open
// non-blocking (opening a FIFO swapped in meanwhile returns at once) and fstat the descriptor.
int open_regular(const std::string& path, const std::string& what, struct stat& st) {
  if (stat(path.c_str(), &st) != 0) fail(path, errno);
  if (!S_ISREG(st.st_mode)) refuse(path, what, st.st_mode);
  const int fd = open(path.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  if (fd < 0) fail(path, errno);
  if (fstat(fd, &st) != 0) {
    const int err = errno;
    close(fd);
    fail(path, err);
  }
  if (!S_ISREG(st.st_mode)) {
    close(fd);
    refuse(path, what, st.st_mode);
  }
  return fd;
}

}  // namespace

void check_regular_input(const std::string& path, const std::string& what) {
  struct stat st {};
  Fd fd(open_regular(path, what, st));
}

std::string read_regular_input(const std::string& path, const std::string& what,
                               std::size_t max_bytes) {
  struct stat st {};
  Fd fd(open_regular(path, what, st));
  constexpr std::size_t kMB = 1024 * 1024;
  const std::string limit = max_bytes % kMB == 0 ? std::to_string(max_bytes / kMB) + " MB"
                                                 : std::to_string(max_bytes) + " bytes";
  const std::string too_large = path + ": " + what + " larger than " + limit + " (the limit)";
  if (static_cast<unsigned long long>(st.st_size) > max_bytes) throw std::runtime_error(too_large);
  std::string text;
  char buffer[65536];
  for (;;) {
    const ssize_t n = read(fd.get(), buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail(path, errno);
    if (n == 0) break;
    // The file may grow while it is read: the cap holds for what is actually read.
    if (text.size() + static_cast<std::size_t>(n) > max_bytes) throw std::runtime_error(too_large);
    text.append(buffer, static_cast<std::size_t>(n));
  }
  return text;
}

}  // namespace packetseq::util
