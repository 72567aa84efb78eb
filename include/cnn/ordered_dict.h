// OrderedDict: string keys in insertion order with fast lookup, as Python's dict; StateDict is name -> Tensor.
// Not a general container: keys are strings, values are cheap handles (Tensor, shared_ptr).
#pragma once

#include <cnn/error.h>
#include <cnn/tensor.h>

#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace cnn {

/// Keys kept in insertion order; inserting an existing key replaces its value in place (Python's dict).
/// Usage: for (const auto& [name, t] : model.state_dict()) fmt::print("{} {}\n", name, t.shape());
template <class V>
class OrderedDict {
 public:
  using Item = std::pair<std::string, V>;

  OrderedDict() = default;
  OrderedDict(std::initializer_list<Item> items) {
    for (const auto& item : items) insert(item.first, item.second);
  }

  /// Adds `key` at the end, or replaces its value where it already is. Returns the stored value.
  V& insert(const std::string& key, V value) {
    auto it = index_.find(key);
    if (it != index_.end()) return items_[it->second].second = std::move(value);
    index_.emplace(key, items_.size());
    items_.emplace_back(key, std::move(value));
    return items_.back().second;
  }
  bool contains(const std::string& key) const { return index_.count(key) != 0; }
  /// Pointer to the value, or nullptr when absent.
  const V* find(const std::string& key) const {
    auto it = index_.find(key);
    return it == index_.end() ? nullptr : &items_[it->second].second;
  }
  V* find(const std::string& key) {
    auto it = index_.find(key);
    return it == index_.end() ? nullptr : &items_[it->second].second;
  }
  /// The value for `key`; throws naming the key when absent.
  const V& at(const std::string& key) const {
    const V* v = find(key);
    CNN_CHECK(v != nullptr, "OrderedDict: no key \"{}\" (among {} keys)", key, items_.size());
    return *v;
  }
  V& at(const std::string& key) { return const_cast<V&>(std::as_const(*this).at(key)); }
  const V& operator[](const std::string& key) const { return at(key); }
  V& operator[](const std::string& key) { return at(key); }
  /// Removes `key` (keeping the order of the others); returns whether it was there.
  bool erase(const std::string& key) {
    auto it = index_.find(key);
    if (it == index_.end()) return false;
    items_.erase(items_.begin() + static_cast<std::ptrdiff_t>(it->second));
    index_.clear();
    for (size_t i = 0; i < items_.size(); ++i) index_.emplace(items_[i].first, i);
    return true;
  }

  size_t size() const { return items_.size(); }
  bool empty() const { return items_.empty(); }
  std::vector<std::string> keys() const {
    std::vector<std::string> k;
    for (const auto& item : items_) k.push_back(item.first);
    return k;
  }
  std::vector<V> values() const {
    std::vector<V> v;
    for (const auto& item : items_) v.push_back(item.second);
    return v;
  }
  const std::vector<Item>& items() const { return items_; }
  typename std::vector<Item>::const_iterator begin() const { return items_.begin(); }
  typename std::vector<Item>::const_iterator end() const { return items_.end(); }
  typename std::vector<Item>::iterator begin() { return items_.begin(); }
  typename std::vector<Item>::iterator end() { return items_.end(); }

 private:
  std::vector<Item> items_;
  std::unordered_map<std::string, size_t> index_;
};

/// A model's parameters and buffers by dotted name (PyTorch's state_dict keys), in registration order.
using StateDict = OrderedDict<Tensor>;

}  // namespace cnn
