// Backend selection (one dispatch point for every op) and the thread count.
#include <cnn/backend.h>
#include <omp.h>

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <thread>

#include "backend/onednn/onednn_factory.h"
#include "backend/ref/ref_backend.h"

namespace cnn {

namespace {

struct Registry {
  std::unique_ptr<Backend> ref = std::make_unique<RefBackend>();
  std::unique_ptr<Backend> onednn = make_onednn_backend();
  Backend* current = nullptr;

  Registry() {
    const char* env = std::getenv("CNN_BACKEND");
    current = find(env && *env ? env : "onednn");
  }
  Backend* find(const std::string& name) {
    if (name == "ref") return ref.get();
    if (name == "onednn") return onednn.get();
    throw Error(fmt::format("set_backend: unknown backend '{}' (expected one of: ref, onednn)", name));
  }
};

Registry& registry() {
  static Registry r;
  return r;
}

}  // namespace

Backend& backend() { return *registry().current; }
Backend& ref_backend() { return *registry().ref; }
void set_backend(const std::string& name) { registry().current = registry().find(name); }
std::vector<std::string> available_backends() { return {"onednn", "ref"}; }

void set_num_threads(int threads) {
  const int limit = 4 * std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  CNN_CHECK(threads >= 1 && threads <= limit,
            "set_num_threads: expected 1 to {} threads (4 x the {} hardware threads), got {}", limit, limit / 4, threads);
  omp_set_num_threads(threads);
  onednn_set_num_threads(threads);
}
int get_num_threads() { return omp_get_max_threads(); }

BackendGuard::BackendGuard(const std::string& name) : previous_(backend().name()) { set_backend(name); }
BackendGuard::~BackendGuard() { set_backend(previous_); }

}  // namespace cnn
