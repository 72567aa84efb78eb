// The official files of the downloadable datasets (addresses and md5 sums as torchvision and the authors publish
// them) and download_dataset, which fetches, verifies and unpacks them. Not the transfer itself (download.cpp).
#include <cnn/download.h>
#include <cnn/error.h>

#include <filesystem>

namespace cnn {

namespace fs = std::filesystem;

namespace {

std::vector<RemoteFile> idx_files(const std::string& base,
                                  const std::vector<std::pair<std::string, std::string>>& md5s) {
  std::vector<RemoteFile> files;
  for (const auto& [name, md5] : md5s) files.push_back({name, base + name, md5, false});
  return files;
}

}  // namespace

std::vector<std::string> downloadable_datasets() { return {"mnist", "fashion-mnist", "cifar10", "cifar100"}; }

DatasetSource dataset_source(const std::string& name) {
  if (name == "mnist") {
    auto files = idx_files("https://ossci-datasets.s3.amazonaws.com/mnist/",
                           {{"train-images-idx3-ubyte.gz", "f68b3c2dcbeaaa9fbdd348bbdeb94873"},
                            {"train-labels-idx1-ubyte.gz", "d53e105ee54ea40749a09fcbcd1e9432"},
                            {"t10k-images-idx3-ubyte.gz", "9fb629c4189551a2d022fa330f9573f3"},
                            {"t10k-labels-idx1-ubyte.gz", "ec29112dd5afa0611ce80d1b7f02629c"}});
    std::vector<std::string> expected;
    for (const RemoteFile& f : files) expected.push_back(f.name);
    return {name, "mnist", files, expected};
  }
  if (name == "fashion-mnist") {
    auto files = idx_files("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
                           {{"train-images-idx3-ubyte.gz", "8d4fb7e6c68d591d4c3dfef9ec88bf0d"},
                            {"train-labels-idx1-ubyte.gz", "25c81989df183df01b3e8a0aad5dffbe"},
                            {"t10k-images-idx3-ubyte.gz", "bef4ecab320f06d8554ea6380940ec79"},
                            {"t10k-labels-idx1-ubyte.gz", "bb300cfdad3c16e7a12a480ee83cd310"}});
    std::vector<std::string> expected;
    for (const RemoteFile& f : files) expected.push_back(f.name);
    return {name, "fashion-mnist", files, expected};
  }
  if (name == "cifar10")
    return {name,
            "cifar-10-batches-bin",
            {{"cifar-10-binary.tar.gz", "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz",
              "c32a1d4ab5d03f1284b67883e8d87530", true}},
            {"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin",
             "test_batch.bin", "batches.meta.txt"}};
  if (name == "cifar100")
    return {name,
            "cifar-100-binary",
            {{"cifar-100-binary.tar.gz", "https://www.cs.toronto.edu/~kriz/cifar-100-binary.tar.gz",
              "03b5dce01913d631647c71ecec9e9cb8", true}},
            {"train.bin", "test.bin", "fine_label_names.txt", "coarse_label_names.txt"}};
  throw Error(fmt::format("download: unknown dataset '{}'; known: {}", name, fmt::join(downloadable_datasets(), ", ")));
}

std::string download_dataset(const std::string& name, const std::string& root, const DownloadOptions& options,
                             std::vector<DownloadReport>* reports) {
  const DatasetSource source = dataset_source(name);
  const fs::path folder = fs::path(root) / source.folder;
  std::error_code ec;
  auto all_present = [&] {
    for (const std::string& f : source.expected)
      if (!fs::is_regular_file(folder / f, ec)) return false;
    return true;
  };
  for (const RemoteFile& file : source.files) {
    if (!file.extract) {
      DownloadReport r = download_file(file, folder.string(), options);
      if (reports) reports->push_back(r);
      continue;
    }
    if (all_present()) {  // unpacked before: the archive itself is not needed again
      if (reports) reports->push_back({file.name, (folder / file.name).string(), true, 0, 0});
      continue;
    }
    DownloadReport r = download_file(file, root, options);
    extract_tar_gz(r.path, root);
    if (reports) reports->push_back(r);
  }
  for (const std::string& f : source.expected)
    CNN_CHECK(fs::is_regular_file(folder / f, ec),
              "download: {} is missing after unpacking {}\nHINT: the archive does not have the official layout "
              "({}/...); delete it and download again",
              (folder / f).string(), source.files.front().name, source.folder);
  return folder.string();
}

}  // namespace cnn
