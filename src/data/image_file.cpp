// Single image files through stb: read_image (PNG, JPEG, BMP, ... into u8 HWC with 3 or 1 channels) and
// write_image (PNG, JPEG, BMP by extension). Not a folder dataset (image_folder.cpp).
#include <cnn/datasets.h>
#include <stb/stb_image.h>
#include <stb/stb_image_write.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace cnn {

namespace {

std::string lower_extension(const std::string& path) {
  std::string ext = std::filesystem::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext;
}

}  // namespace

Image read_image(const std::string& path, ImageMode mode) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw Error(fmt::format("read_image: cannot open {} ({})\nHINT: check the path and the file's permissions", path,
                            std::strerror(errno)));
  in.seekg(0, std::ios::end);
  std::vector<unsigned char> file(static_cast<size_t>(std::max<std::streamoff>(in.tellg(), 0)));
  in.seekg(0);
  in.read(reinterpret_cast<char*>(file.data()), static_cast<std::streamsize>(file.size()));
  const int wanted = mode == ImageMode::rgb ? 3 : 1;
  int width = 0, height = 0, found = 0;
  unsigned char* pixels =
      stbi_load_from_memory(file.data(), static_cast<int>(file.size()), &width, &height, &found, wanted);
  if (pixels == nullptr)
    throw Error(fmt::format(
        "read_image: cannot decode {} ({} bytes): {}\nHINT: the file is corrupt or not an image stb reads (PNG, "
        "JPEG, BMP, GIF, TGA, PNM); remove or replace it",
        path, file.size(), stbi_failure_reason() ? stbi_failure_reason() : "unknown reason"));
  Image image;
  image.reset_bytes(height, width, wanted);
  std::memcpy(image.bytes.data(), pixels, image.bytes.size());
  stbi_image_free(pixels);
  return image;
}

void write_image(const std::string& path, const Image& image) {
  CNN_CHECK(image.is_bytes(),
            "write_image: {}: expected a u8 HWC image, got an f32 one {}\nHINT: write images "
            "before ToTensor",
            path, image.shape());
  CNN_CHECK(image.channels >= 1 && image.channels <= 4 && image.height > 0 && image.width > 0,
            "write_image: {}: cannot write an image of {} channels, {} x {}", path, image.channels, image.height,
            image.width);
  const std::string ext = lower_extension(path);
  const int w = static_cast<int>(image.width), h = static_cast<int>(image.height);
  const int c = static_cast<int>(image.channels);
  int ok = 0;
  if (ext == ".png")
    ok = stbi_write_png(path.c_str(), w, h, c, image.bytes.data(), w * c);
  else if (ext == ".jpg" || ext == ".jpeg")
    ok = stbi_write_jpg(path.c_str(), w, h, c, image.bytes.data(), 95);
  else if (ext == ".bmp")
    ok = stbi_write_bmp(path.c_str(), w, h, c, image.bytes.data());
  else
    throw Error(fmt::format("write_image: {}: unknown extension '{}'\nHINT: use .png, .jpg or .bmp", path, ext));
  CNN_CHECK(ok != 0, "write_image: cannot write {}\nHINT: check that the folder exists and is writable", path);
}

}  // namespace cnn
