// Fetching datasets: files over HTTP(S) or file:// through libcurl, resuming partial downloads, md5 checks, and
// unpacking .tar.gz archives; the official files of MNIST, Fashion-MNIST, CIFAR-10 and CIFAR-100.
// Not the readers (datasets.h): this only puts the files where they expect them.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace cnn {

/// One file to fetch: its name (also the name on disk), its address, its md5 and whether it is a .tar.gz to unpack.
struct RemoteFile {
  std::string name = {};
  std::string url = {};
  std::string md5 = {};  // lowercase hex
  bool extract = false;
};

struct DownloadOptions {
  /// Replaces the official base address: each file is fetched from mirror + "/" + name (file:///folder works).
  /// Empty: $CNN_DATASET_MIRROR when set, else the official addresses.
  std::string mirror = {};
  /// Called while a file arrives with (name, bytes so far, total bytes or 0 when unknown).
  std::function<void(const std::string&, int64_t, int64_t)> on_progress = {};
  /// Seconds to wait for a connection before calling the host unreachable.
  int64_t connect_timeout = 20;
};

/// What happened to one file.
struct DownloadReport {
  std::string name = {}, path = {};
  bool skipped = false;      // already present with the right md5
  int64_t resumed_from = 0;  // bytes of an earlier partial download kept
  int64_t bytes = 0;         // size of the complete file
};

/// Fetches `file` into `dir` (created if needed): skips it when dir/name already has the right md5; else appends
/// to dir/name.part (resuming where an interrupted download stopped), checks the md5 and renames. A wrong md5
/// deletes the .part and throws; an unreachable host throws an "offline" message (the .part is kept).
/// Extraction is separate (extract_tar_gz). Usage: DownloadReport r = download_file(file, "data/mnist");
DownloadReport download_file(const RemoteFile& file, const std::string& dir, const DownloadOptions& options = {});

/// The most bytes extract_tar_gz unpacks by default (the largest official archive, CIFAR-100, holds 185 MB).
inline constexpr uint64_t kMaxTarBytes = uint64_t{4} << 30;

/// Unpacks a .tar.gz (ustar, GNU long names, pax path records) into `dir`. Throws cnn::Error naming the entry and
/// writes nothing more for an absolute path, a ".." component, a hard or symbolic link, a device or fifo, a path
/// through a symlink already in dir, or regular files totalling more than max_bytes.
/// Returns the regular files written, relative to dir.
std::vector<std::string> extract_tar_gz(const std::string& archive, const std::string& dir,
                                        uint64_t max_bytes = kMaxTarBytes);

/// The md5 of a file, lowercase hex.
std::string md5_file(const std::string& path);
/// The md5 of bytes, lowercase hex.
std::string md5_hex(const void* data, size_t size);

/// Where a named dataset comes from and where it goes.
struct DatasetSource {
  std::string name;    // "mnist", "fashion-mnist", "cifar10", "cifar100"
  std::string folder;  // sub-folder of the data root: mnist, fashion-mnist, cifar-10-batches-bin, cifar-100-binary
  std::vector<RemoteFile> files;
  std::vector<std::string> expected;  // files that must exist in root/folder afterwards
};
/// The official files of a dataset (throws cnn::Error listing the names for an unknown one).
DatasetSource dataset_source(const std::string& name);
std::vector<std::string> downloadable_datasets();

/// Downloads and unpacks a named dataset under `root` (into root/<folder>), skipping what is already there.
/// Returns the folder holding the dataset. Usage: std::string dir = download_dataset("cifar10", "data");
std::string download_dataset(const std::string& name, const std::string& root, const DownloadOptions& options = {},
                             std::vector<DownloadReport>* reports = nullptr);

}  // namespace cnn
