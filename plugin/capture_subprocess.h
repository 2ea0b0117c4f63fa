// Reads one capture file in a child `packetseq --observations-json` process (never a second
// epan session inside Wireshark or tshark) and imports the observations it prints.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <memory>
#include <string>

#include "model/model.h"
#include "pipeline/capture_source.h"

namespace packetseq {
namespace plugin {

// The packetseq CLI to run: $PACKETSEQ_BIN if set, else the installed binary next to this
// build's install prefix, else "packetseq" on $PATH. Empty if none is found.
std::string find_packetseq_program();

class CaptureSubprocess {
 public:
  // Starts `program --observations-json --no-prompt -f FILTER -- PATH`, stdout and stderr into
  // temporary files, stdin from /dev/null; the child gets SIGTERM if this process dies. Call from
  // a long-lived thread (the death signal follows the spawning thread). Throws
  // std::runtime_error "PATH: cause" if it cannot be started.
  CaptureSubprocess(const std::string& program, const std::string& path, const std::string& filter);
  ~CaptureSubprocess();  // cancels a running child; removes the temporary files
  CaptureSubprocess(const CaptureSubprocess&) = delete;
  CaptureSubprocess& operator=(const CaptureSubprocess&) = delete;

  // True once the child has exited (never blocks).
  bool finished();
  // Blocks until the child has exited.
  void wait();
  // Stops a running child (SIGTERM, then SIGKILL after a grace period) and reaps it.
  void cancel();
  pid_t pid() const { return pid_; }
  const std::string& path() const { return path_; }

  // After the child exited: appends the capture point it read to `model` (renumbered, with the
  // given name; clock source `none`) and returns its index. Throws std::runtime_error with the
  // child's own message ("PATH: cause") when it failed or printed unusable JSON.
  std::size_t append_to(Model& model, const std::string& name);
  // After the child exited: fills `point` (observations numbered `index`, format, filter,
  // warnings; path and name are left as they are). Throws as append_to.
  void read_into(std::size_t index, CapturePoint& point);

 private:
  void reap(bool block);

  std::string path_;
  pid_t pid_ = -1;
  bool exited_ = false;
  int status_ = 0;
  std::string out_file_;
  std::string err_file_;
};

// A capture file read by a finished (or running: read() waits) child, as a pipeline source.
// The child reads with the display filter it was started with; it cannot be the follow anchor.
class SubprocessSource : public CaptureSource {
 public:
  explicit SubprocessSource(std::shared_ptr<CaptureSubprocess> reader)
      : reader_(std::move(reader)) {}
  void read(const SourceRequest& request, CapturePoint& point) override;

 private:
  std::shared_ptr<CaptureSubprocess> reader_;
};

}  // namespace plugin
}  // namespace packetseq
