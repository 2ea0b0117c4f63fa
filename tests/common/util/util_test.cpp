// Atomic output files and time formatting.
#include <glib.h>
#include <glib/gstdio.h>
#include <gtest/gtest.h>

#include <fstream>
#include <limits>

#include "util/atomic_output.h"
#include "util/time_format.h"

namespace packetseq {
namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

class AtomicOutput : public ::testing::Test {
 protected:
  void SetUp() override {
    gchar* dir = g_dir_make_tmp("psq-XXXXXX", nullptr);
    ASSERT_NE(dir, nullptr);
    dir_ = dir;
    g_free(dir);
  }
  void TearDown() override {
    GDir* d = g_dir_open(dir_.c_str(), 0, nullptr);
    while (const char* n = g_dir_read_name(d)) g_unlink((dir_ + "/" + n).c_str());
    g_dir_close(d);
    g_rmdir(dir_.c_str());
  }
  int entries() {
    int n = 0;
    GDir* d = g_dir_open(dir_.c_str(), 0, nullptr);
    while (g_dir_read_name(d)) ++n;
    g_dir_close(d);
    return n;
  }
  std::string dir_;
};

TEST_F(AtomicOutput, CommitReplacesAndAbandonLeavesOldFileIntact) {
  const std::string path = dir_ + "/out.svg";
  write_file_atomically(path, "old");
  {
    AtomicOutputSet set;
    set.add(path);
    std::ofstream(set.temp_path(0)) << "half-written";
    // no commit: simulated error
  }
  EXPECT_EQ(slurp(path), "old");
  EXPECT_EQ(entries(), 1) << "temporary removed";
  {
    AtomicOutputSet set;
    set.add(path);
    std::ofstream(set.temp_path(0)) << "new";
    set.commit();
  }
  EXPECT_EQ(slurp(path), "new");
  EXPECT_EQ(entries(), 1);
}

TEST_F(AtomicOutput, UnwritableDirectoryNamesThePath) {
  try {
    write_file_atomically("/nonexistent-dir/out.png", "x");
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent-dir/out.png: cannot create output file"),
              std::string::npos);
  }
}

TEST(TimeFormat, AbsoluteRelativeAndDurations) {
  const std::int64_t t = 1472296485493525000LL;
  EXPECT_EQ(format_date_time(t), "2016-08-27 11:14:45.493525");
  EXPECT_EQ(format_time_of_day(t), "11:14:45.493525");
  EXPECT_EQ(format_relative(2614000), "+0.002614");
  EXPECT_EQ(format_relative(-1500000000), "-1.500000");
  EXPECT_EQ(format_duration(850000), "850 us");
  EXPECT_EQ(format_duration(12345678), "12.3 ms");
  EXPECT_EQ(format_duration(4250000000), "4.250 s");
  EXPECT_EQ(format_duration(7380LL * 1000000000), "2 h 03 min");
  EXPECT_EQ(format_offset(32420931000000LL), "+9 h 00 min 20.931000 s");
  EXPECT_EQ(format_offset(-350000000), "-0.350000 s");
  EXPECT_EQ(format_date_time(-1000), "1969-12-31 23:59:59.999999");
}

// Found by tests/fuzz/offset_fuzzer (regressions/offset): the extremes overflowed (UBSan).
TEST(TimeFormat, Int64ExtremesDoNotOverflow) {
  const std::int64_t lowest = std::numeric_limits<std::int64_t>::min();
  const std::int64_t highest = std::numeric_limits<std::int64_t>::max();
  EXPECT_EQ(format_date_time(lowest), "1677-09-21 00:12:43.145224");
  EXPECT_EQ(format_time_of_day(lowest), "00:12:43.145224");
  EXPECT_EQ(format_date_time(highest), "2262-04-11 23:47:16.854775");
  EXPECT_EQ(format_duration(lowest), "-2562047 h 47 min");
  EXPECT_EQ(format_duration(highest), "2562047 h 47 min");
  EXPECT_EQ(format_offset(lowest), "-2562047 h 47 min 16.854776 s");
  EXPECT_EQ(format_relative(lowest), "-9223372036.854775");
}

}  // namespace
}  // namespace packetseq
