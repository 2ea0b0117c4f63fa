// Helpers for back-end tests.
#include "render_test_util.h"

#include <cairo.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace packetseq::test {

ScratchDir::ScratchDir() {
  std::string templ = (std::filesystem::temp_directory_path() / "packetseq-render-XXXXXX").string();
  if (mkdtemp(templ.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = templ;
}

ScratchDir::~ScratchDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

bool file_exists(const std::string& path) { return std::filesystem::exists(path); }

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

PngImage::PngImage(const std::string& path)
    : surface_(cairo_image_surface_create_from_png(path.c_str())) {}
PngImage::~PngImage() { cairo_surface_destroy(surface_); }
bool PngImage::ok() const { return cairo_surface_status(surface_) == CAIRO_STATUS_SUCCESS; }
int PngImage::width() const { return cairo_image_surface_get_width(surface_); }
int PngImage::height() const { return cairo_image_surface_get_height(surface_); }

std::uint32_t PngImage::rgb(int x, int y) const {
  if (x < 0 || y < 0 || x >= width() || y >= height()) throw std::out_of_range("pixel");
  const unsigned char* row =
      cairo_image_surface_get_data(surface_) + y * cairo_image_surface_get_stride(surface_);
  std::uint32_t argb;
  std::memcpy(&argb, row + 4 * x, 4);
  return argb & 0xffffffu;
}

int red(std::uint32_t rgb) { return (rgb >> 16) & 0xff; }
int green(std::uint32_t rgb) { return (rgb >> 8) & 0xff; }
int blue(std::uint32_t rgb) { return rgb & 0xff; }

bool have_program(const std::string& program) {
  int code = 0;
  run("command -v " + program + " >/dev/null 2>&1", &code);
  return code == 0;
}

std::string run(const std::string& command, int* exit_code) {
  std::string output;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) {
    *exit_code = -1;
    return output;
  }
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) output.append(buf, n);
  const int status = pclose(pipe);
  *exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return output;
}

Color rgb_color(double r, double g, double b, double a) { return Color{r, g, b, a}; }

}  // namespace packetseq::test
