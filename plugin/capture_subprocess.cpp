// Child-process capture reading with GLib's spawn API, temp files instead of pipes (no deadlock
// when nobody reads while the child writes a large document).
#include "plugin/capture_subprocess.h"

#include <fcntl.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <stdexcept>
#include <thread>
#include <vector>

#include "export/json_model.h"

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

std::string make_temp(const char* pattern, int* fd) {
  GError* error = nullptr;
  gchar* name = nullptr;
  *fd = g_file_open_tmp(pattern, &name, &error);
  if (*fd < 0) {
    std::string message = error ? error->message : "cannot create a temporary file";
    if (error) g_error_free(error);
    throw std::runtime_error(message);
  }
  std::string path = name;
  g_free(name);
  return path;
}

std::string read_whole(const std::string& path) {
  gchar* contents = nullptr;
  gsize length = 0;
  if (!g_file_get_contents(path.c_str(), &contents, &length, nullptr)) return {};
  std::string text(contents, length);
  g_free(contents);
  return text;
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
  int out_fd = -1, err_fd = -1;
  out_file_ = make_temp("packetseq-XXXXXX.json", &out_fd);
  try {
    err_file_ = make_temp("packetseq-XXXXXX.err", &err_fd);
  } catch (...) {
    close(out_fd);
    g_unlink(out_file_.c_str());
    throw;
  }
  const int null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  std::vector<std::string> args = {
      program, "--observations-json", "--no-prompt", "-f", filter, "--", path};
  std::vector<gchar*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  GError* error = nullptr;
  GPid child = 0;
  const gboolean ok = g_spawn_async_with_fds(
      nullptr, argv.data(), nullptr,
      static_cast<GSpawnFlags>(G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_SEARCH_PATH), die_with_parent,
      nullptr, &child, null_fd, out_fd, err_fd, &error);
  close(out_fd);
  close(err_fd);
  if (null_fd >= 0) close(null_fd);
  if (!ok) {
    const std::string message = error ? error->message : "spawn failed";
    if (error) g_error_free(error);
    g_unlink(out_file_.c_str());
    g_unlink(err_file_.c_str());
    throw std::runtime_error(path + ": cannot start " + program + ": " + message);
  }
  pid_ = child;
}

CaptureSubprocess::~CaptureSubprocess() {
  try {
    cancel();
  } catch (...) {
  }
  if (!out_file_.empty()) g_unlink(out_file_.c_str());
  if (!err_file_.empty()) g_unlink(err_file_.c_str());
}

void CaptureSubprocess::reap(bool block) {
  if (exited_ || pid_ <= 0) return;
  int status = 0;
  pid_t r;
  do {
    r = waitpid(pid_, &status, block ? 0 : WNOHANG);
  } while (r < 0 && errno == EINTR);
  if (r == pid_ || (r < 0 && errno == ECHILD)) {
    exited_ = true;
    status_ = r == pid_ ? status : -1;
  }
}

bool CaptureSubprocess::finished() {
  reap(false);
  return exited_;
}

void CaptureSubprocess::wait() { reap(true); }

void CaptureSubprocess::cancel() {
  if (exited_ || pid_ <= 0) return;
  kill(pid_, SIGTERM);
  for (int i = 0; i < 100 && !finished(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  if (!exited_) {
    kill(pid_, SIGKILL);
    reap(true);
  }
}

void CaptureSubprocess::read_into(std::size_t index, CapturePoint& point) {
  wait();
  const bool success = status_ >= 0 && WIFEXITED(status_) && WEXITSTATUS(status_) == 0;
  if (!success) {
    std::string message = trim(read_whole(err_file_));
    // The CLI prefixes its messages with "packetseq: "; the file name follows.
    const std::string prefix = "packetseq: ";
    if (message.compare(0, prefix.size(), prefix) == 0) message = message.substr(prefix.size());
    if (message.empty()) {
      if (status_ >= 0 && WIFSIGNALED(status_))
        message = path_ + ": reader stopped by signal " + std::to_string(WTERMSIG(status_));
      else
        message = path_ + ": reader failed";
    }
    throw std::runtime_error(message);
  }
  Model read;
  try {
    append_points_from_json(read_whole(out_file_), path_ + " (packetseq --observations-json)",
                            read);
  } catch (const JsonImportError& e) {
    throw std::runtime_error(e.what());
  }
  if (read.points.size() != 1)
    throw std::runtime_error(path_ + ": reader returned " + std::to_string(read.points.size()) +
                             " capture points instead of one");
  CapturePoint& got = read.points[0];
  point.format = std::move(got.format);
  point.filter = std::move(got.filter);
  point.observations = std::move(got.observations);
  point.warnings.insert(point.warnings.end(), got.warnings.begin(), got.warnings.end());
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
