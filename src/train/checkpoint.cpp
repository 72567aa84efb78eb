// Checkpoint files (see checkpoint.h): safetensors plus JSON metadata, atomic replace with fsync, a format version
// and a CRC-32 over tensors and metadata checked on load; and the global generator's state as text. Not the training
// loop's policy (fit.cpp).
#include <cnn/checkpoint.h>
#include <cnn/io.h>
#include <cnn/random.h>
#include <zlib.h>

#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

namespace cnn {

namespace fs = std::filesystem;

namespace {

constexpr const char* kFormatName = "cnnkit-checkpoint-";
constexpr int kFormatVersion = 2;  // 1: the CRC covered the tensors only
constexpr const char* kOptimizerPrefix = "optimizer.";
constexpr const char* kModelPrefix = "model.";

using Json = nlohmann::ordered_json;

// Doubles as shortest round-trip strings ("0.1", "inf"), so values come back bit for bit.
Json exact(const std::map<std::string, double>& values) {
  Json out = Json::object();
  for (const auto& [key, value] : values) out[key] = fmt::format("{}", value);
  return out;
}

std::map<std::string, double> from_exact(const Json& j, const std::string& path) {
  std::map<std::string, double> out;
  for (const auto& [key, value] : j.items()) {
    CNN_CHECK(value.is_string(), "checkpoint {}: value of \"{}\" is not a number string", path, key);
    const std::string text = value.get<std::string>();
    char* end = nullptr;
    out[key] = std::strtod(text.c_str(), &end);
    CNN_CHECK(end == text.c_str() + text.size(), "checkpoint {}: \"{}\" = \"{}\" is not a number", path, key, text);
  }
  return out;
}

std::string format() { return kFormatName + std::to_string(kFormatVersion); }

// CRC-32 over every tensor's bytes in order (as they lie in the file), then every metadata entry but the CRC itself
// (key and value, each followed by a NUL), in key order.
uint64_t crc_of(const StateDict& tensors, const std::map<std::string, std::string>& metadata) {
  uLong crc = crc32(0L, Z_NULL, 0);
  for (const auto& [name, t] : tensors) {
    const Tensor c = t.contiguous();
    const auto* bytes = static_cast<const Bytef*>(static_cast<const void*>(
        c.dtype() == DType::f32 ? static_cast<const void*>(c.data<float>()) : c.data<int64_t>()));
    size_t left = static_cast<size_t>(c.numel()) * dtype_size(c.dtype());
    while (left > 0) {
      const auto chunk = static_cast<uInt>(std::min<size_t>(left, 1u << 30));
      crc = crc32(crc, bytes, chunk);
      bytes += chunk;
      left -= chunk;
    }
  }
  for (const auto& [key, value] : metadata) {
    if (key == "crc32") continue;
    for (const std::string* text : {&key, &value})
      crc = crc32(crc, reinterpret_cast<const Bytef*>(text->c_str()), static_cast<uInt>(text->size() + 1));
  }
  return crc;
}

[[noreturn]] void bad(const std::string& path, const std::string& problem) {
  throw Error(
      fmt::format("checkpoint {}: {}; not loading it\nHINT: the file is damaged or was cut short (a crash "
                  "while copying it?); resume from another checkpoint, e.g. best.ckpt in the same folder",
                  path, problem));
}

}  // namespace

void save_checkpoint(const std::string& path, const Checkpoint& c) {
  StateDict tensors;
  for (const auto& [name, t] : c.model) tensors.insert(kModelPrefix + name, t);
  for (const auto& [name, t] : c.optimizer.state) tensors.insert(kOptimizerPrefix + name, t);
  Json meta{{"format", format()}, {"optimizer_param_groups", Json::array()}};
  for (const GroupOptions& g : c.optimizer.param_groups) meta["optimizer_param_groups"].push_back(exact(g));
  if (c.scheduler) meta["scheduler"] = exact(*c.scheduler);
  try {
    meta["state"] = Json::parse(c.state_json);
  } catch (const nlohmann::json::exception& e) {
    throw Error(fmt::format("checkpoint: the training state is not valid JSON ({})", e.what()));
  }
  std::map<std::string, std::string> metadata{{"format", format()}, {"checkpoint", meta.dump()}};
  metadata["crc32"] = std::to_string(crc_of(tensors, metadata));
  save_safetensors(path, tensors, metadata);  // atomic: PATH.tmp, fsync, rename, fsync of the folder
}

Checkpoint load_checkpoint(const std::string& path) {
  std::error_code ec;
  CNN_CHECK(fs::is_regular_file(path, ec),
            "checkpoint {} does not exist\nHINT: --resume takes a run's output "
            "folder (holding last.ckpt) or a .ckpt file",
            path);
  std::map<std::string, std::string> metadata;
  StateDict tensors;
  try {
    metadata = load_safetensors_metadata(path);
    tensors = load_safetensors(path);
  } catch (const Error& e) {
    bad(path, fmt::format("it does not read as a whole safetensors file ({})", e.what()));
  }
  const std::string found = metadata.count("format") ? metadata.at("format") : "";
  if (found.rfind(kFormatName, 0) == 0 && found != format())
    throw Error(fmt::format("checkpoint {}: format version {}, this cnnkit reads version {} only (version 2 added "
                            "the metadata to the CRC)\nHINT: train again, or resume with the cnnkit that wrote it",
                            path, found.substr(std::strlen(kFormatName)), kFormatVersion));
  if (found != format()) bad(path, fmt::format("format is '{}', expected '{}'", found, format()));
  if (metadata.count("crc32") == 0 || metadata.count("checkpoint") == 0 ||
      std::to_string(crc_of(tensors, metadata)) != metadata.at("crc32"))
    bad(path, "the CRC-32 of its tensors and metadata does not match the one recorded when it was written");
  Json meta;
  try {
    meta = Json::parse(metadata.at("checkpoint"));
  } catch (const std::exception& e) {
    bad(path, fmt::format("its metadata is not valid JSON ({})", e.what()));
  }
  if (!meta.is_object() || !meta.contains("optimizer_param_groups") || !meta["optimizer_param_groups"].is_array() ||
      (meta.contains("state") && !meta["state"].is_object()))
    bad(path, "its metadata lacks the optimizer_param_groups list or has a state that is not an object");
  Checkpoint c;
  const std::string model_prefix = kModelPrefix, opt_prefix = kOptimizerPrefix;
  for (const auto& [name, t] : tensors) {
    if (name.rfind(model_prefix, 0) == 0)
      c.model.insert(name.substr(model_prefix.size()), t);
    else if (name.rfind(opt_prefix, 0) == 0)
      c.optimizer.state.insert(name.substr(opt_prefix.size()), t);
    else
      bad(path, fmt::format("unexpected tensor \"{}\"", name));
  }
  for (const auto& g : meta.at("optimizer_param_groups")) c.optimizer.param_groups.push_back(from_exact(g, path));
  if (meta.contains("scheduler")) c.scheduler = from_exact(meta.at("scheduler"), path);
  c.state_json = meta.contains("state") ? meta.at("state").dump() : "{}";
  return c;
}

std::string resolve_checkpoint_path(const std::string& file_or_dir) {
  std::error_code ec;
  return fs::is_directory(file_or_dir, ec) ? (fs::path(file_or_dir) / "last.ckpt").string() : file_or_dir;
}

std::string get_rng_state() {
  Generator& g = default_generator();
  std::lock_guard<std::mutex> lock(g.mutex());
  std::ostringstream out;
  out << g.engine();
  return out.str();
}

void set_rng_state(const std::string& state) {
  Generator& g = default_generator();
  std::lock_guard<std::mutex> lock(g.mutex());
  std::istringstream in(state);
  std::mt19937_64 engine;
  in >> engine;
  CNN_CHECK(!in.fail(), "set_rng_state: the state text is not a generator state ({} characters)", state.size());
  g.engine() = engine;
}

}  // namespace cnn
