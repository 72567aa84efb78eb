// ImageFolder: root/<class>/**/<image>, classes sorted by name, files found recursively and sorted, decoded on
// access, as torchvision.datasets.ImageFolder. Not the decoding itself (image_file.cpp).
#include <cnn/datasets.h>

#include <algorithm>
#include <filesystem>

namespace cnn {

namespace fs = std::filesystem;

namespace {

bool is_image_file(const fs::path& path) {
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext == ".png" || ext == ".jpg" || ext == ".jpeg" || ext == ".bmp";
}

}  // namespace

ImageFolder::ImageFolder(const std::string& root, ImageFolderOptions options)
    : root_(root), options_(std::move(options)) {
  std::error_code ec;
  CNN_CHECK(fs::is_directory(root, ec),
            "ImageFolder: no folder {}\nHINT: pass a folder holding one sub-folder of images per class", root);
  classes_ = find_classes(root);
  CNN_CHECK(!classes_.empty(),
            "ImageFolder: {} has no sub-folders\nHINT: put the images of each class in their own sub-folder "
            "(root/cat/1.png, root/dog/2.png); the sub-folder names become the class names",
            root);
  std::vector<std::string> empty;
  for (size_t label = 0; label < classes_.size(); ++label) {
    std::vector<std::string> files;
    const fs::path dir = fs::path(root) / classes_[label];
    for (auto it = fs::recursive_directory_iterator(dir, fs::directory_options::follow_directory_symlink, ec);
         it != fs::recursive_directory_iterator(); it.increment(ec))
      if (it->is_regular_file(ec) && is_image_file(it->path())) files.push_back(it->path().string());
    std::sort(files.begin(), files.end());
    if (files.empty()) empty.push_back(classes_[label]);
    for (std::string& f : files) samples_.emplace_back(std::move(f), static_cast<int64_t>(label));
  }
  CNN_CHECK(empty.empty(),
            "ImageFolder: found no image in the class folder{} {} of {}\nHINT: supported extensions are .png, .jpg, "
            ".jpeg and .bmp; remove empty class folders",
            empty.size() == 1 ? "" : "s", fmt::join(empty, ", "), root);
}

std::vector<std::string> ImageFolder::find_classes(const std::string& root) {
  std::vector<std::string> classes;
  std::error_code ec;
  for (const fs::directory_entry& entry : fs::directory_iterator(root, ec))
    if (entry.is_directory(ec)) classes.push_back(entry.path().filename().string());
  std::sort(classes.begin(), classes.end());
  return classes;
}

int64_t ImageFolder::label(int64_t i) const {
  CNN_CHECK(i >= 0 && i < size(), "ImageFolder: index {} out of range for a dataset of {} samples", i, size());
  return samples_[static_cast<size_t>(i)].second;
}

int64_t ImageFolder::get_into(int64_t i, Image& out, SampleRng& rng) const {
  const int64_t y = label(i);
  Image decoded = read_image(samples_[static_cast<size_t>(i)].first, options_.mode);
  out.reset_bytes(decoded.height, decoded.width, decoded.channels);
  out.bytes.swap(decoded.bytes);
  if (options_.transform) options_.transform->apply(out, rng);
  return y;
}

}  // namespace cnn
