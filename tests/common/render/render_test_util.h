// Helpers for back-end tests: a scratch directory, PNG pixel read-back, running poppler/xmllint.
#pragma once

#include <cairo.h>

#include <cstdint>
#include <string>

#include "display/display_list.h"

namespace packetseq::test {

// A fresh directory under /tmp, removed with its files when the object goes away.
class ScratchDir {
 public:
  ScratchDir();
  ~ScratchDir();
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

bool file_exists(const std::string& path);
std::string read_file(const std::string& path);

// A PNG read back with cairo; pixels as opaque 0xRRGGBB (the back end paints white first).
class PngImage {
 public:
  explicit PngImage(const std::string& path);
  ~PngImage();
  bool ok() const;
  int width() const;
  int height() const;
  std::uint32_t rgb(int x, int y) const;

 private:
  cairo_surface_t* surface_;
};

int red(std::uint32_t rgb);
int green(std::uint32_t rgb);
int blue(std::uint32_t rgb);

// True when `program` is on PATH.
bool have_program(const std::string& program);
// Runs a shell command; returns its stdout and sets *exit_code.
std::string run(const std::string& command, int* exit_code);

Color rgb_color(double r, double g, double b, double a = 1);

}  // namespace packetseq::test
