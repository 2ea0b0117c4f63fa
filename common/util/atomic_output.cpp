// Temp-file-and-rename output so an error never leaves a partial or clobbered file.
#include "util/atomic_output.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <stdexcept>

namespace packetseq {

AtomicOutputSet::~AtomicOutputSet() {
  if (committed_) return;
  for (const auto& f : files_) g_unlink(f.temp.c_str());
}

std::size_t AtomicOutputSet::add(const std::string& final_path) {
  gchar* dir = g_path_get_dirname(final_path.c_str());
  gchar* base = g_path_get_basename(final_path.c_str());
  std::string pattern = std::string(dir) + G_DIR_SEPARATOR_S + "." + base + ".XXXXXX";
  g_free(dir);
  g_free(base);
  std::vector<char> buf(pattern.begin(), pattern.end());
  buf.push_back('\0');
  int fd = g_mkstemp_full(buf.data(), 0, 0644);
  if (fd < 0)
    throw std::runtime_error(final_path + ": cannot create output file: " + g_strerror(errno));
  close(fd);
  files_.push_back(File{final_path, buf.data()});
  return files_.size() - 1;
}

void AtomicOutputSet::commit() {
  for (const auto& f : files_)
    if (g_rename(f.temp.c_str(), f.final.c_str()) != 0)
      throw std::runtime_error(f.final + ": cannot write output file: " + g_strerror(errno));
  committed_ = true;
}

void write_file_atomically(const std::string& path, const std::string& content) {
  AtomicOutputSet out;
  out.add(path);
  GError* error = nullptr;
  if (!g_file_set_contents(out.temp_path(0).c_str(), content.data(),
                           static_cast<gssize>(content.size()), &error)) {
    std::string message = path + ": cannot write output file: " + error->message;
    g_error_free(error);
    throw std::runtime_error(message);
  }
  out.commit();
}

}  // namespace packetseq
