// write_file_atomic (see atomic_file.h): PATH.tmp, fsync, rename, fsync of the folder. Not a file format.
#include <cnn/atomic_file.h>
#include <cnn/error.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace cnn {

namespace fs = std::filesystem;

void fsync_path(const std::string& path, bool directory, std::string_view who) {
  const int fd = ::open(path.c_str(), directory ? O_RDONLY | O_DIRECTORY : O_RDONLY);
  CNN_CHECK(fd >= 0 || directory, "{}: cannot open {} to flush it ({})", who, path, std::strerror(errno));
  if (fd < 0) return;
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  CNN_CHECK(rc == 0 || directory, "{}: fsync of {} failed ({})\nHINT: is the disk full?", who, path,
            std::strerror(err));
}

void write_file_atomic(const std::string& path, const std::function<void(std::ostream&)>& write,
                       std::string_view who) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    CNN_CHECK(out.good(), "{}: cannot open {} for writing ({})\nHINT: check that the folder exists and is writable",
              who, tmp, std::strerror(errno));
    write(out);
    out.close();
    CNN_CHECK(out.good(), "{}: writing {} failed\nHINT: check free disk space", who, tmp);
  }
  fsync_path(tmp, false, who);
  std::error_code ec;
  fs::rename(tmp, path, ec);
  CNN_CHECK(!ec, "{}: cannot move {} to {} ({})", who, tmp, path, ec.message());
  const fs::path parent = fs::absolute(fs::path(path)).parent_path();
  fsync_path(parent.string(), true, who);
}

void write_file_atomic(const std::string& path, std::string_view bytes, std::string_view who) {
  write_file_atomic(
      path, [&](std::ostream& out) { out.write(bytes.data(), static_cast<std::streamsize>(bytes.size())); }, who);
}

}  // namespace cnn
