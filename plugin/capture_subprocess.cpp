// Child-process capture reading with GLib's spawn API: stdout and stderr on pipes, drained by a
// thread while the child runs; stdout is a record stream (pipeline/record_stream.h).
#include "plugin/capture_subprocess.h"

#include <fcntl.h>
#include <glib.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <stdexcept>
#include <vector>

#include "pipeline/record_stream.h"

#ifndef PACKETSEQ_INSTALL_BINDIR
#define PACKETSEQ_INSTALL_BINDIR "/usr/local/bin"
#endif

namespace packetseq {
namespace plugin {
namespace {

void die_with_parent(gpointer) {
  // Runs in the child between fork and exec: end with the thread that started us.
  prctl(PR_SET_PDEATHSIG, SIGTERM);
}

constexpr std::size_t kStderrKeep = 64 * 1024;  // the tail of stderr kept for the message

// True once the child has exited (it stays a zombie: the pid cannot be reused meanwhile).
bool has_exited(pid_t pid, bool block) {
  siginfo_t info{};
  int r;
  do {
    r = waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOWAIT | (block ? 0 : WNOHANG));
  } while (r < 0 && errno == EINTR);
  if (r < 0) return true;  // ECHILD: reaped elsewhere
  return info.si_pid == pid;
}

std::string trim(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' '))
    text.pop_back();
  return text;
}

}  // namespace

std::string find_packetseq_program() {
  if (const char* env = g_getenv("PACKETSEQ_BIN"); env && *env) return env;
  const std::string installed = std::string(PACKETSEQ_INSTALL_BINDIR) + "/packetseq";
  if (g_file_test(installed.c_str(), G_FILE_TEST_IS_EXECUTABLE)) return installed;
  gchar* found = g_find_program_in_path("packetseq");
  if (!found) return {};
  std::string program = found;
  g_free(found);
  return program;
}

CaptureSubprocess::CaptureSubprocess(const std::string& program, const std::string& path,
                                     const std::string& filter)
    : path_(path) {
  if (program.empty())
    throw std::runtime_error(path +
                             ": cannot read it: the packetseq program was not found "
                             "(install it or set PACKETSEQ_BIN)");
  const int null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  std::vector<std::string> args = {
      program, "--observations-stream", "--no-prompt", "-f", filter, "--", path};
  std::vector<gchar*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  GError* error = nullptr;
  GPid child = 0;
  gint out_fd = -1, err_fd = -1;
  const gboolean ok = g_spawn_async_with_pipes_and_fds(
      nullptr, argv.data(), nullptr,
      static_cast<GSpawnFlags>(G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_SEARCH_PATH), die_with_parent,
      nullptr, null_fd, -1, -1, nullptr, nullptr, 0, &child, nullptr, &out_fd, &err_fd, &error);
  if (null_fd >= 0) close(null_fd);
  if (!ok) {
    const std::string message = error ? error->message : "spawn failed";
    if (error) g_error_free(error);
    throw std::runtime_error(path + ": cannot start " + program + ": " + message);
  }
  pid_ = child;
  for (int fd : {out_fd, err_fd}) {
    // Never inherited by other children (their end of file would never come), never blocking.
    fcntl(fd, F_SETFD, fcntl(fd, F_GETFD) | FD_CLOEXEC);
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
  }
  try {
    thread_ = std::thread([this, out_fd, err_fd] { drain(out_fd, err_fd); });
  } catch (...) {
    close(out_fd);
    close(err_fd);
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    throw;
  }
}

CaptureSubprocess::~CaptureSubprocess() {
  try {
    cancel();
  } catch (...) {
  }
  if (thread_.joinable()) thread_.join();
}

void CaptureSubprocess::drain(int out_fd, int err_fd) {
  std::string stream_error, err_text;
  std::unique_ptr<RecordStreamDecoder> decoder;
  pollfd fds[2] = {{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}};
  auto stop_child = [&] {
    std::lock_guard<std::mutex> lock(mutex_);
    killed_for_garbage_ = true;
    kill(pid_, SIGKILL);  // not reaped yet (only this thread reaps); it writes no files
  };
  auto on_stdout = [&](const char* data, std::size_t size) {
    if (!stream_error.empty()) return;  // after garbage: read on only so the child can end
    try {
      decoder->feed(data, size);
    } catch (const std::exception& e) {
      stream_error = e.what();
      stop_child();
    }
  };
  // Nothing may escape this thread: an unexpected error (out of memory) becomes the message.
  try {
    decoder = std::make_unique<RecordStreamDecoder>(path_, 0);
    std::vector<char> buffer(64 * 1024);
    while (fds[0].fd >= 0 || fds[1].fd >= 0) {
      {
        std::lock_guard<std::mutex> lock(mutex_);
        if (stop_) break;
      }
      // Once the child has exited, everything it wrote is already in the pipes: read what is
      // there and stop (a grandchild holding a pipe open cannot keep us waiting).
      const bool exited = has_exited(pid_, false);
      const int ready = poll(fds, 2, exited ? 0 : 200);
      if (ready < 0 && errno == EINTR) continue;
      if (ready <= 0) {
        if (ready < 0 || exited) break;
        continue;
      }
      for (int i = 0; i < 2; ++i) {
        if (fds[i].fd < 0 || fds[i].revents == 0) continue;
        const ssize_t n = read(fds[i].fd, buffer.data(), buffer.size());
        if (n > 0) {
          if (i == 0) {
            on_stdout(buffer.data(), static_cast<std::size_t>(n));
          } else {
            err_text.append(buffer.data(), static_cast<std::size_t>(n));
            if (err_text.size() > 2 * kStderrKeep) err_text.erase(0, err_text.size() - kStderrKeep);
          }
        } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
          close(fds[i].fd);
          fds[i].fd = -1;
        }
      }
    }
    if (stream_error.empty()) decoder->finish();
  } catch (const RecordStreamError& e) {
    stream_error = e.what();
  } catch (const std::exception& e) {
    if (stream_error.empty())
      stream_error = path_ + ": cannot read the reader's output: " + e.what();
    stop_child();
  }
  for (auto& f : fds)
    if (f.fd >= 0) close(f.fd);
  if (err_text.size() > kStderrKeep) err_text.erase(0, err_text.size() - kStderrKeep);

  // Reap: wait for the exit without reaping (cancel() may still kill it), then reap under the
  // lock so cancel() never signals a reused pid.
  has_exited(pid_, true);
  std::lock_guard<std::mutex> lock(mutex_);
  int status = 0;
  pid_t r;
  do {
    r = waitpid(pid_, &status, WNOHANG);
  } while (r < 0 && errno == EINTR);
  status_ = r == pid_ ? status : -1;
  reaped_ = true;
  done_ = true;
  stream_error_ = std::move(stream_error);
  stderr_tail_ = std::move(err_text);
  observations_read_ = decoder ? decoder->observations_read() : 0;
  if (stream_error_.empty() && decoder) result_ = std::move(decoder->point());
  changed_.notify_all();
}

bool CaptureSubprocess::finished() {
  std::lock_guard<std::mutex> lock(mutex_);
  return done_;
}

void CaptureSubprocess::wait() {
  std::unique_lock<std::mutex> lock(mutex_);
  changed_.wait(lock, [this] { return done_; });
}

void CaptureSubprocess::cancel() {
  std::unique_lock<std::mutex> lock(mutex_);
  if (done_ || pid_ <= 0) return;
  stop_ = true;
  if (!reaped_) kill(pid_, SIGTERM);
  if (!changed_.wait_for(lock, std::chrono::seconds(2), [this] { return done_; })) {
    if (!reaped_) kill(pid_, SIGKILL);
    changed_.wait(lock, [this] { return done_; });
  }
}

void CaptureSubprocess::read_into(std::size_t index, CapturePoint& point) {
  wait();
  std::lock_guard<std::mutex> lock(mutex_);
  const bool exited = status_ >= 0 && WIFEXITED(status_);
  const bool signaled = status_ >= 0 && WIFSIGNALED(status_);
  if (exited && WEXITSTATUS(status_) != 0) {
    // The child's own message ("packetseq: PATH: cause") says best what went wrong.
    // Its last line when that is the CLI's error (noise before it is dropped), else all of it.
    std::string message = trim(stderr_tail_);
    const std::string prefix = "packetseq: ";
    const auto line = message.rfind('\n');
    const std::string last = line == std::string::npos ? message : message.substr(line + 1);
    if (last.compare(0, prefix.size(), prefix) == 0) message = last.substr(prefix.size());
    if (message.empty())
      message = stream_error_.empty() ? path_ + ": reader failed (exit status " +
                                            std::to_string(WEXITSTATUS(status_)) + ")"
                                      : stream_error_;
    throw std::runtime_error(message);
  }
  if (signaled && !killed_for_garbage_) {
    const std::string how = "reader stopped by signal " + std::to_string(WTERMSIG(status_));
    throw std::runtime_error(stream_error_.empty() ? path_ + ": " + how
                                                   : stream_error_ + " (" + how + ")");
  }
  if (!stream_error_.empty()) throw std::runtime_error(stream_error_);
  point.format = std::move(result_.format);
  point.filter = std::move(result_.filter);
  point.observations = std::move(result_.observations);
  point.warnings.insert(point.warnings.end(), result_.warnings.begin(), result_.warnings.end());
  result_ = CapturePoint{};
  for (auto& o : point.observations) o.point = index;
}

std::size_t CaptureSubprocess::append_to(Model& model, const std::string& name) {
  CapturePoint point;
  const std::size_t index = model.points.size();
  read_into(index, point);
  point.name = name;
  point.path = path_;
  model.points.push_back(std::move(point));
  return index;
}

void SubprocessSource::read(const SourceRequest& request, CapturePoint& point) {
  if (!request.follow_filter.empty())
    throw std::runtime_error(point.path +
                             ": follow mode selects connections in the open capture; this file "
                             "cannot be the first capture point");
  reader_->read_into(request.index, point);
}

}  // namespace plugin
}  // namespace packetseq
