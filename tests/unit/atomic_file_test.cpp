// write_file_atomic(): content, mode, parent creation, replacement, no temp files left.
#include "common/atomic_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

#include "common/read_file.h"
#include "test_tmpdir.h"

namespace vipa {
namespace {

TEST(AtomicFile, WritesWithModeAndCreatesParents) {
  TempDir dir;
  std::string path = dir.path() + "/a/b/record.toml";
  ASSERT_TRUE(write_file_atomic(path, "hello\n", 0600));
  auto text = read_file(path);
  ASSERT_TRUE(text);
  EXPECT_EQ(*text, "hello\n");
  struct stat st;
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
}

TEST(AtomicFile, ReplacesAndLeavesNoTempFile) {
  TempDir dir;
  std::string path = dir.path() + "/record.toml";
  ASSERT_TRUE(write_file_atomic(path, std::string(100000, 'x')));
  ASSERT_TRUE(write_file_atomic(path, "new"));
  EXPECT_EQ(*read_file(path), "new");
  struct stat st;
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0644u);
  int entries = 0;
  for (auto& e : std::filesystem::directory_iterator(dir.path())) {
    (void)e;
    ++entries;
  }
  EXPECT_EQ(entries, 1);
}

TEST(AtomicFile, FailsCleanlyWhenParentIsAFile) {
  TempDir dir;
  ASSERT_TRUE(write_file_atomic(dir.path() + "/file", "x"));
  auto s = write_file_atomic(dir.path() + "/file/record.toml", "y");
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().errnum, ENOTDIR);
}

TEST(ReadFile, MissingFile) {
  auto r = read_file("/nonexistent/x");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().errnum, ENOENT);
  EXPECT_EQ(r.error().message, "/nonexistent/x: cannot read: No such file or directory");
}

}  // namespace
}  // namespace vipa
