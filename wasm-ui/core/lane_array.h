// One lane's sorted array of events (a connection direction's packets, a
// thread's spans, running periods or instants, a counter's samples), as the
// model holds it: either its own std::vector, or a view of items that live
// elsewhere and outlive it. The view is what lets `lurk view --native` draw
// a lane straight out of the read-only mapping of its lane store
// (collector/server/lane_store.h) instead of copying the lane's bytes into
// the model first: at 100M events, copying the lanes of the groups a frame
// newly shows was most of a pan or zoom (bench/RESULTS.md).
//
// Reading is a std::vector's (size, data, [], begin/end, front/back) and
// costs one branch (view or not). Anything that changes the lane (loading,
// appending, sorting) goes through owned(), which first copies a view into
// a vector of its own: a view is never written through, so a mapping may be
// read-only. Views are made only by the lazy model's lane store, which
// drops every view before it unmaps (lane_cache.h).
#pragma once

#include <cstddef>
#include <utility>
#include <vector>

namespace lurk::ui {

template <typename T>
class LaneArray {
 public:
  LaneArray() = default;
  LaneArray(std::vector<T> owned) : owned_(std::move(owned)) {}  // NOLINT: a vector is a lane
  LaneArray& operator=(std::vector<T> owned) {
    owned_ = std::move(owned);
    view_ = nullptr;
    view_size_ = 0;
    return *this;
  }
  // `size` items at `data`, not copied: they must stay valid and unchanged
  // as long as this lane (or a copy of it) is read.
  static LaneArray view(const T* data, size_t size) {
    LaneArray lane;
    if (size > 0) lane.view_ = data, lane.view_size_ = size;
    return lane;
  }
  bool is_view() const { return view_ != nullptr; }

  size_t size() const { return view_ ? view_size_ : owned_.size(); }
  bool empty() const { return size() == 0; }
  const T* data() const { return view_ ? view_ : owned_.data(); }
  const T& operator[](size_t i) const { return data()[i]; }
  const T* begin() const { return data(); }
  const T* end() const { return data() + size(); }
  const T& front() const { return data()[0]; }
  const T& back() const { return data()[size() - 1]; }
  // The items it stands for: a view's count as its own (the memory a lane
  // costs the process once read, which the lane cache's budget counts).
  size_t capacity() const { return view_ ? view_size_ : owned_.capacity(); }

  // The lane's own vector, to change it (a view is copied into it first).
  std::vector<T>& owned() {
    if (view_) {
      owned_.assign(view_, view_ + view_size_);
      view_ = nullptr;
      view_size_ = 0;
    }
    return owned_;
  }
  // The vector's changes most loading code makes, through owned().
  T* data() { return owned().data(); }
  T& operator[](size_t i) { return owned()[i]; }
  T* begin() { return owned().data(); }
  T* end() { return owned().data() + owned_.size(); }
  T& front() { return owned().front(); }
  T& back() { return owned().back(); }
  void push_back(const T& item) { owned().push_back(item); }
  template <typename... Args>
  T& emplace_back(Args&&... args) {
    return owned().emplace_back(std::forward<Args>(args)...);
  }
  void reserve(size_t n) { owned().reserve(n); }
  void resize(size_t n) { owned().resize(n); }
  void shrink_to_fit() { owned().shrink_to_fit(); }
  void clear() {
    view_ = nullptr;
    view_size_ = 0;
    owned_.clear();
  }
  // Frees the lane's memory (a view: forgets it).
  void release() {
    view_ = nullptr;
    view_size_ = 0;
    std::vector<T>().swap(owned_);
  }

 private:
  std::vector<T> owned_;
  const T* view_ = nullptr;  // non-null: a view of view_size_ items
  size_t view_size_ = 0;
};

}  // namespace lurk::ui
