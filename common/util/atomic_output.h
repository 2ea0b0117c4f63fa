// Output files written atomically: temp file in the target's directory, renamed on commit.
#pragma once

#include <string>
#include <vector>

namespace packetseq {

// A set of output files that appear together or not at all. Write each file to temp_path(i);
// commit() renames them all into place; if commit() is never reached, the destructor removes
// the temporaries and existing files at the final paths stay untouched.
class AtomicOutputSet {
 public:
  AtomicOutputSet() = default;
  AtomicOutputSet(const AtomicOutputSet&) = delete;
  AtomicOutputSet& operator=(const AtomicOutputSet&) = delete;
  ~AtomicOutputSet();

  // Reserves a temporary next to `final_path`; returns its index. Throws std::runtime_error
  // "PATH: cause" if the directory is not writable.
  std::size_t add(const std::string& final_path);
  const std::string& temp_path(std::size_t index) const { return files_[index].temp; }
  const std::string& final_path(std::size_t index) const { return files_[index].final; }
  std::size_t size() const { return files_.size(); }

  // Renames every temporary onto its final path. Throws std::runtime_error on failure.
  void commit();

 private:
  struct File {
    std::string final;
    std::string temp;
  };
  std::vector<File> files_;
  bool committed_ = false;
};

// Writes `content` to `path` atomically.
void write_file_atomically(const std::string& path, const std::string& content);

}  // namespace packetseq
