// Reads one capture file in a child `packetseq --observations-stream` process (never a second
// epan session inside Wireshark or tshark) and decodes the record stream it writes to a pipe.
#pragma once

#include <sys/types.h>

#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "model/model.h"
#include "pipeline/capture_source.h"

namespace packetseq {
namespace plugin {

// The packetseq CLI to run: $PACKETSEQ_BIN if set, else the installed binary next to this
// build's install prefix, else "packetseq" on $PATH. Empty if none is found.
std::string find_packetseq_program();

class CaptureSubprocess {
 public:
  // Starts `program --observations-stream --no-prompt -f FILTER -- PATH` with stdout and stderr
  // on pipes (no files anywhere) and stdin from /dev/null; the child gets SIGTERM if this process
  // dies. A thread drains both pipes while the child runs (decoding stdout as it arrives, keeping
  // the last 64 KB of stderr), so a large capture never blocks on a full pipe. Call from a
  // long-lived thread (the death signal follows the spawning thread). Throws std::runtime_error
  // "PATH: cause" if it cannot be started.
  CaptureSubprocess(const std::string& program, const std::string& path, const std::string& filter);
  ~CaptureSubprocess();  // cancels a running child and joins the draining thread
  CaptureSubprocess(const CaptureSubprocess&) = delete;
  CaptureSubprocess& operator=(const CaptureSubprocess&) = delete;

  // True once the child has exited and its output was read (never blocks).
  bool finished();
  // Blocks until the child has exited and its output was read.
  void wait();
  // Stops a running child (SIGTERM, then SIGKILL after a grace period) and reaps it.
  void cancel();
  pid_t pid() const { return pid_; }
  const std::string& path() const { return path_; }

  // After the child exited: appends the capture point it read to `model` (renumbered, with the
  // given name; clock source `none`) and returns its index. Throws std::runtime_error with the
  // child's own message ("PATH: cause") when it failed, or "PATH: cause" when its record stream
  // was cut short (e.g. the child was killed) or is not a valid stream.
  std::size_t append_to(Model& model, const std::string& name);
  // After the child exited: fills `point` (observations numbered `index`, format, filter,
  // warnings; path and name are left as they are). Throws as append_to.
  void read_into(std::size_t index, CapturePoint& point);

 private:
  void drain(int out_fd, int err_fd);  // the draining thread

  std::string path_;
  pid_t pid_ = -1;
  std::mutex mutex_;  // guards everything below (the thread, cancel() and readers share it)
  std::condition_variable changed_;
  bool reaped_ = false;  // the child was reaped (its pid may be reused: no more kill())
  bool done_ = false;    // reaped and both pipes read
  bool stop_ = false;    // cancel(): stop reading
  bool killed_for_garbage_ = false;
  int status_ = -1;           // wait status, -1 if unknown (reaped by someone else)
  std::string stream_error_;  // the decoder's message, empty if the stream was complete
  std::string stderr_tail_;
  std::uint64_t observations_read_ = 0;
  CapturePoint result_;
  std::thread thread_;
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
