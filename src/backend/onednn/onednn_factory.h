// Creates the oneDNN backend without exposing dnnl.hpp to the rest of the library.
#pragma once

#include <cnn/backend.h>

#include <memory>

namespace cnn {

std::unique_ptr<Backend> make_onednn_backend();
/// Tells oneDNN's primitive cache and thread pool about a thread-count change.
void onednn_set_num_threads(int threads);

}  // namespace cnn
