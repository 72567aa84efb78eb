// safetensors files: 8-byte little-endian header length, a JSON header {name: {dtype, shape, data_offsets}},
// then the raw bytes. Every check on a read file throws with the path and a HINT; nothing here trusts the file.
#include <cnn/atomic_file.h>
#include <cnn/autograd.h>
#include <cnn/io.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>

namespace cnn {

static_assert(std::endian::native == std::endian::little, "safetensors: this reader assumes a little-endian host");

namespace {

constexpr uint64_t kMaxHeaderBytes = 100'000'000;  // the limit the reference implementation enforces

[[noreturn]] void fail(const std::string& path, const std::string& what, const std::string& hint) {
  throw Error(fmt::format("load_safetensors: {}: {}\nHINT: {}", path, what, hint));
}

struct DTypeInfo {
  const char* name;
  size_t bytes;
  DType loads_as;
};

constexpr DTypeInfo kDTypes[] = {
    {"F32", 4, DType::f32}, {"I64", 8, DType::i64}, {"F64", 8, DType::f32}, {"F16", 2, DType::f32},
    {"BF16", 2, DType::bf16}, {"I32", 4, DType::i64}, {"I16", 2, DType::i64}, {"I8", 1, DType::i8},
    {"U8", 1, DType::i64}, {"BOOL", 1, DType::i64},
};

// The safetensors name of a tensor dtype, as written (F32, I64, I8, BF16).
const char* stored_name(DType t) {
  switch (t) {
    case DType::f32: return "F32";
    case DType::i64: return "I64";
    case DType::i8: return "I8";
    case DType::bf16: return "BF16";
  }
  return "?";
}

const DTypeInfo* find_dtype(const std::string& name) {
  for (const auto& d : kDTypes)
    if (name == d.name) return &d;
  return nullptr;
}

float half_to_float(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  uint32_t exponent = (h >> 10) & 0x1fu, mantissa = h & 0x3ffu;
  uint32_t bits;
  if (exponent == 0x1f) {
    bits = sign | 0x7f800000u | (mantissa << 13);  // inf or nan
  } else if (exponent != 0) {
    bits = sign | ((exponent + 112) << 23) | (mantissa << 13);
  } else if (mantissa == 0) {
    bits = sign;
  } else {  // subnormal half: normalise
    exponent = 113;
    while ((mantissa & 0x400u) == 0) mantissa <<= 1, --exponent;
    bits = sign | (exponent << 23) | ((mantissa & 0x3ffu) << 13);
  }
  return std::bit_cast<float>(bits);
}

// Converts `count` elements of a stored dtype into the tensor's f32 or i64 data (F32, I64, I8 and BF16 load as
// they are).
void convert(const std::string& dtype, const char* src, int64_t count, const Tensor& out) {
  auto load = [src]<class T>(int64_t i) {
    T v;
    std::memcpy(&v, src + static_cast<size_t>(i) * sizeof(T), sizeof(T));
    return v;
  };
  if (out.dtype() == DType::f32) {
    float* dst = out.data<float>();
    for (int64_t i = 0; i < count; ++i) {
      if (dtype == "F64") dst[i] = static_cast<float>(load.operator()<double>(i));
      else dst[i] = half_to_float(load.operator()<uint16_t>(i));  // F16
    }
    return;
  }
  int64_t* dst = out.data<int64_t>();
  for (int64_t i = 0; i < count; ++i) {
    if (dtype == "I32") dst[i] = load.operator()<int32_t>(i);
    else if (dtype == "I16") dst[i] = load.operator()<int16_t>(i);
    else dst[i] = load.operator()<uint8_t>(i);  // U8, BOOL
  }
}

struct Entry {
  std::string name;
  const DTypeInfo* dtype;
  std::string dtype_name;
  Shape shape;
  uint64_t begin, end;
};

struct Header {
  uint64_t data_start = 0;  // 8 + header length
  uint64_t file_size = 0;
  nlohmann::json json;
};

Header read_header(std::ifstream& in, const std::string& path) {
  if (std::filesystem::is_directory(path)) fail(path, "is a directory", "pass the .safetensors file inside it");
  if (!in) fail(path, fmt::format("cannot open the file ({})", std::strerror(errno)), "check the path and permissions");
  in.seekg(0, std::ios::end);
  const std::streamoff end = in.tellg();
  if (end < 0) fail(path, "cannot determine the file size", "check that the path names a regular file");
  Header h;
  h.file_size = static_cast<uint64_t>(end);
  in.seekg(0);
  if (h.file_size < 8)
    fail(path, fmt::format("file is {} bytes, too short for the 8-byte header length", h.file_size),
         "the file is truncated or not a safetensors file");
  unsigned char len[8];
  in.read(reinterpret_cast<char*>(len), 8);
  uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | len[i];
  if (n > kMaxHeaderBytes || n > h.file_size - 8)
    fail(path, fmt::format("header length {} does not fit in the file ({} bytes)", n, h.file_size),
         "the file is truncated or not a safetensors file");
  std::string text(static_cast<size_t>(n), '\0');
  in.read(text.data(), static_cast<std::streamsize>(n));
  h.json = nlohmann::json::parse(text, nullptr, false);
  if (h.json.is_discarded() || !h.json.is_object())
    fail(path, "the header is not a JSON object", "the file is corrupt or not a safetensors file");
  h.data_start = 8 + n;
  return h;
}

std::vector<Entry> parse_entries(const Header& h, const std::string& path) {
  const uint64_t data_size = h.file_size - h.data_start;
  std::vector<Entry> entries;
  for (const auto& [name, v] : h.json.items()) {
    if (name == "__metadata__") continue;
    auto bad = [&, &name = name](const std::string& what) {
      fail(path, fmt::format("tensor \"{}\": {}", name, what), "the header is corrupt; re-export the file");
    };
    if (!v.is_object() || !v.contains("dtype") || !v.contains("shape") || !v.contains("data_offsets"))
      bad("expected an object with dtype, shape and data_offsets");
    if (!v["dtype"].is_string()) bad("dtype is not a string");
    Entry e{name, nullptr, v["dtype"].get<std::string>(), Shape(), 0, 0};
    e.dtype = find_dtype(e.dtype_name);
    if (e.dtype == nullptr)
      fail(path, fmt::format("tensor \"{}\" has dtype {}, which cnnkit cannot load", name, e.dtype_name),
           "supported dtypes are F32, I64, F64, F16, BF16, I32, I16, I8, U8 and BOOL; convert the tensor first");
    if (!v["shape"].is_array()) bad("shape is not an array");
    uint64_t numel = 1;
    for (const auto& d : v["shape"]) {
      if (!d.is_number_unsigned() || d.get<uint64_t>() > (uint64_t{1} << 40)) bad("shape holds a non-size value");
      numel *= d.get<uint64_t>();
      if (numel > (uint64_t{1} << 40)) bad("shape is implausibly large");
      e.shape.push_back(static_cast<int64_t>(d.get<uint64_t>()));
    }
    const auto& offsets = v["data_offsets"];
    if (!offsets.is_array() || offsets.size() != 2 || !offsets[0].is_number_unsigned() ||
        !offsets[1].is_number_unsigned())
      bad("data_offsets must be two non-negative integers");
    e.begin = offsets[0].get<uint64_t>();
    e.end = offsets[1].get<uint64_t>();
    if (e.begin > e.end || e.end > data_size)
      fail(path, fmt::format("tensor \"{}\": data_offsets [{}, {}] fall outside the {} data bytes", name, e.begin,
                             e.end, data_size), "the file is truncated or its header is corrupt");
    if (e.end - e.begin != numel * e.dtype->bytes)
      bad(fmt::format("data_offsets [{}, {}] span {} bytes, but shape {} of {} needs {}", e.begin, e.end,
                      e.end - e.begin, e.shape, e.dtype_name, numel * e.dtype->bytes));
    entries.push_back(std::move(e));
  }
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
  });
  // The tensors tile the data exactly: no gap, no overlap, nothing after the last one (a header length off by a
  // byte shifts every tensor and leaves a byte over).
  uint64_t at = 0;
  std::string previous = "the start of the data";
  for (const Entry& e : entries) {
    if (e.begin < at)
      fail(path, fmt::format("tensor \"{}\" starts at byte {} and overlaps {} (which ends at {})", e.name, e.begin,
                             previous, at), "the header is corrupt; re-export the file");
    if (e.begin > at)
      fail(path, fmt::format("tensor \"{}\" starts at byte {}, leaving {} unused bytes after {}", e.name, e.begin,
                             e.begin - at, previous), "the header is corrupt; re-export the file");
    at = e.end;
    previous = fmt::format("tensor \"{}\"", e.name);
  }
  if (at != data_size)
    fail(path, fmt::format("the data holds {} bytes but its tensors cover {}: {} bytes after {}", data_size, at,
                           data_size - at, previous),
         "the header length or offsets are wrong, or bytes were appended; re-export the file");
  return entries;
}

}  // namespace

void save_safetensors(const std::string& path, const StateDict& tensors,
                      const std::map<std::string, std::string>& metadata) {
  nlohmann::ordered_json header = nlohmann::ordered_json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  std::vector<Tensor> data;
  uint64_t offset = 0;
  for (const auto& [name, t] : tensors) {
    CNN_CHECK(name != "__metadata__", "save_safetensors: {}: \"__metadata__\" cannot name a tensor", path);
    CNN_CHECK(t.defined(), "save_safetensors: {}: tensor \"{}\" is undefined", path, name);
    const uint64_t bytes = static_cast<uint64_t>(t.numel()) * dtype_size(t.dtype());
    header[name] = {{"dtype", stored_name(t.dtype())},
                    {"shape", t.shape().dims()},
                    {"data_offsets", {offset, offset + bytes}}};
    offset += bytes;
    data.push_back(t.contiguous());
  }
  std::string text = header.dump();
  text.append((8 - text.size() % 8) % 8, ' ');  // pad so the data starts 8-byte aligned, as safetensors does
  unsigned char len[8];
  for (int i = 0; i < 8; ++i) len[i] = static_cast<unsigned char>(static_cast<uint64_t>(text.size()) >> (8 * i));
  write_file_atomic(
      path,
      [&](std::ostream& out) {
        out.write(reinterpret_cast<const char*>(len), 8);
        out.write(text.data(), static_cast<std::streamsize>(text.size()));
        for (const Tensor& t : data)
          out.write(static_cast<const char*>(t.impl()->storage->data()) + t.storage_offset() * dtype_size(t.dtype()),
                    static_cast<std::streamsize>(t.numel() * dtype_size(t.dtype())));
      },
      "save_safetensors");
}

StateDict load_safetensors(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  const Header h = read_header(in, path);
  StateDict out;
  std::vector<char> buffer;
  for (const Entry& e : parse_entries(h, path)) {
    Tensor t = Tensor::empty(e.shape, e.dtype->loads_as);
    const auto bytes = static_cast<size_t>(e.end - e.begin);
    const bool native = e.dtype_name == stored_name(e.dtype->loads_as);
    char* dst = nullptr;
    if (native) {
      dst = static_cast<char*>(t.impl()->storage->data());
    } else {
      buffer.resize(bytes);
      dst = buffer.data();
    }
    in.seekg(static_cast<std::streamoff>(h.data_start + e.begin));
    in.read(dst, static_cast<std::streamsize>(bytes));
    if (!in) fail(path, fmt::format("reading tensor \"{}\" failed", e.name), "the file is truncated or unreadable");
    if (!native) convert(e.dtype_name, buffer.data(), t.numel(), t);
    out.insert(e.name, t);
  }
  return out;
}

std::map<std::string, std::string> load_safetensors_metadata(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  const Header h = read_header(in, path);
  std::map<std::string, std::string> out;
  if (!h.json.contains("__metadata__")) return out;
  const auto& meta = h.json["__metadata__"];
  if (!meta.is_object()) fail(path, "__metadata__ is not an object", "the header is corrupt; re-export the file");
  for (const auto& [k, v] : meta.items()) {
    if (!v.is_string()) fail(path, fmt::format("__metadata__ value of \"{}\" is not a string", k),
                             "safetensors metadata maps strings to strings");
    out[k] = v.get<std::string>();
  }
  return out;
}

void save_state_dict(const Module& module, const std::string& path) {
  save_safetensors(path, module.state_dict(), {{"format", "pt"}});
}

LoadResult load_state_dict_file(Module& module, const std::string& path, bool strict) {
  const StateDict state = load_safetensors(path);
  try {
    return module.load_state_dict(state, strict);
  } catch (const Error& e) {
    throw Error(fmt::format("{}: {}", path, e.what()));
  }
}

}  // namespace cnn
