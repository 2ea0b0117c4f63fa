// OutputFile: write, then commit or remove.
#include "render/output_file.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "render/render_error.h"

namespace packetseq {

OutputFile::OutputFile(std::string path) : path_(std::move(path)) {
  file_ = std::fopen(path_.c_str(), "wb");
  if (file_ == nullptr) {
    throw RenderError(path_ + ": cannot open for writing: " + std::strerror(errno));
  }
}

OutputFile::~OutputFile() {
  if (committed_) return;
  if (file_ != nullptr) std::fclose(file_);
  // Only a regular file can be half-written; never delete a device or a symlink's target
  // stand-in such as /dev/stdout.
  struct stat info;
  if (lstat(path_.c_str(), &info) == 0 && S_ISREG(info.st_mode)) std::remove(path_.c_str());
}

bool OutputFile::write(const void* data, std::size_t size) {
  if (!error_.empty()) return false;
  if (size > 0 && std::fwrite(data, 1, size, file_) != size) {
    error_ = std::string("write failed: ") + std::strerror(errno);
    return false;
  }
  return true;
}

void OutputFile::commit() {
  if (error_.empty() && std::fflush(file_) != 0) {
    error_ = std::string("write failed: ") + std::strerror(errno);
  }
  const bool closed = std::fclose(file_) == 0;
  file_ = nullptr;
  if (error_.empty() && !closed) error_ = std::string("close failed: ") + std::strerror(errno);
  if (!error_.empty()) throw RenderError(path_ + ": " + error_);  // destructor removes it
  committed_ = true;
}

cairo_status_t OutputFile::cairo_write(void* closure, const unsigned char* data,
                                       unsigned int length) {
  auto* out = static_cast<OutputFile*>(closure);
  return out->write(data, length) ? CAIRO_STATUS_SUCCESS : CAIRO_STATUS_WRITE_ERROR;
}

}  // namespace packetseq
