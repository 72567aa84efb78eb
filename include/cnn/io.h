// Tensor files: safetensors read and write, so weights move to and from PyTorch (safetensors.torch).
// Not a data-set reader (data.h) and not pickle: PyTorch's .pt/.pth files are not read.
#pragma once

#include <cnn/module.h>
#include <cnn/ordered_dict.h>

#include <map>
#include <string>

namespace cnn {

/// Writes `tensors` as a .safetensors file (F32 / I64, little-endian, in the dict's order), with optional
/// string metadata in "__metadata__", atomically (write_file_atomic: PATH.tmp, fsync, rename). Usage: save_safetensors("model.safetensors", model.state_dict());
void save_safetensors(const std::string& path, const StateDict& tensors,
                      const std::map<std::string, std::string>& metadata = {});

/// Reads every tensor of a .safetensors file, in file-offset order. F32 and I64 load as is; F64, F16 and BF16
/// become f32; I32, I16, I8, U8 and BOOL become i64. Throws with the path and a HINT for a bad file.
StateDict load_safetensors(const std::string& path);

/// The "__metadata__" strings of a .safetensors file (empty when it has none).
std::map<std::string, std::string> load_safetensors_metadata(const std::string& path);

/// Saves a module's state_dict as safetensors. Usage: save_state_dict(model, "out/model.safetensors");
void save_state_dict(const Module& module, const std::string& path);

/// Loads a safetensors file into a module (see Module::load_state_dict for strict).
LoadResult load_state_dict_file(Module& module, const std::string& path, bool strict = true);

}  // namespace cnn
