#include "common/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

namespace vipa {
namespace {

std::string parent_dir(const std::string& path) {
  auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

Status make_dirs(const std::string& dir) {
  struct stat st;
  if (::stat(dir.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) return Ok{};
    return Error::sys(ENOTDIR, dir);
  }
  if (dir != "/" && dir != ".")
    if (auto s = make_dirs(parent_dir(dir)); !s) return s;
  if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST)
    return Error::sys(errno, dir + ": cannot create directory");
  return Ok{};
}

Status write_all(int fd, const std::string& content, const std::string& what) {
  size_t done = 0;
  while (done < content.size()) {
    ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Error::sys(errno, what + ": write");
    }
    done += static_cast<size_t>(n);
  }
  return Ok{};
}

Status fsync_dir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Error::sys(errno, dir + ": open");
  int rc = ::fsync(fd);
  int e = errno;
  ::close(fd);
  if (rc != 0) return Error::sys(e, dir + ": fsync");
  return Ok{};
}

}  // namespace

Status write_file_atomic(const std::string& path, const std::string& content, mode_t mode) {
  const std::string dir = parent_dir(path);
  if (auto s = make_dirs(dir); !s) return s;
  const std::string base = path.substr(path.rfind('/') + 1);  // npos + 1 == 0
  std::string tmp = dir + "/." + base + ".tmpXXXXXX";
  int fd = ::mkostemp(tmp.data(), O_CLOEXEC);
  if (fd < 0) return Error::sys(errno, tmp + ": cannot create");
  auto fail = [&](Error e) -> Status {
    ::close(fd);
    ::unlink(tmp.c_str());
    return e;
  };
  // mkostemp creates 0600; the record's mode must not depend on the umask either.
  if (::fchmod(fd, mode) != 0) return fail(Error::sys(errno, tmp + ": fchmod"));
  if (auto s = write_all(fd, content, tmp); !s) return fail(s.error());
  if (::fsync(fd) != 0) return fail(Error::sys(errno, tmp + ": fsync"));
  if (::close(fd) != 0) {
    int e = errno;
    ::unlink(tmp.c_str());
    return Error::sys(e, tmp + ": close");
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int e = errno;
    ::unlink(tmp.c_str());
    return Error::sys(e, path + ": rename");
  }
  return fsync_dir(dir);
}

}  // namespace vipa
