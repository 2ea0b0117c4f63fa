// Writes one output file; on any failure the partly written file is removed again.
#pragma once

#include <cairo.h>

#include <cstdio>
#include <string>

namespace packetseq {

// Opens `path` for writing (throws RenderError "PATH: cause" on failure). Unless commit()
// succeeds, the destructor closes the file and deletes it when it is a regular file, so no
// half-written file stays behind (devices and symlinks such as /dev/stdout are left alone).
class OutputFile {
 public:
  explicit OutputFile(std::string path);
  ~OutputFile();
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  const std::string& path() const { return path_; }
  // Appends bytes; false (and a remembered cause) on error.
  bool write(const void* data, std::size_t size);
  // Flushes and closes; throws RenderError if anything failed.
  void commit();
  // The cause of the first write failure, or "" when none happened.
  const std::string& error() const { return error_; }

  // A cairo_write_func_t writing to the OutputFile passed as closure.
  static cairo_status_t cairo_write(void* closure, const unsigned char* data, unsigned int length);

 private:
  std::string path_;
  std::FILE* file_ = nullptr;
  std::string error_;
  bool committed_ = false;
};

}  // namespace packetseq
