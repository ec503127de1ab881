//===- Status.h - Errors of dc's MLIR-free libraries ------------*- C++ -*-===//
//
// The base layer (the codec, the data readers, the optimizers and the
// training loop) is MLIR-free and LLVM-free and is built without exceptions,
// like the LLVM it links with. Functions that can fail return a Status (or a
// StatusOr<T>) that carries a human-readable message.
//
//===----------------------------------------------------------------------===//

#ifndef DC_BASE_STATUS_H
#define DC_BASE_STATUS_H

#include <cassert>
#include <optional>
#include <string>
#include <utility>

namespace dc {

/// Success, or a failure with a message.
class [[nodiscard]] Status {
public:
  static Status success() { return Status(); }
  static Status error(std::string message) {
    Status s;
    s.failed = true;
    s.msg = std::move(message);
    return s;
  }
  bool ok() const { return !failed; }
  explicit operator bool() const { return ok(); }
  const std::string &message() const { return msg; }

private:
  bool failed = false;
  std::string msg;
};

/// A value, or a failure with a message.
template <typename T> class [[nodiscard]] StatusOr {
public:
  StatusOr(T value) : val(std::move(value)) {}
  StatusOr(Status status) : st(std::move(status)) {
    assert(!st.ok() && "StatusOr built from a successful Status");
  }
  bool ok() const { return val.has_value(); }
  explicit operator bool() const { return ok(); }
  const Status &status() const { return st; }
  const std::string &message() const { return st.message(); }
  T &operator*() { return *val; }
  const T &operator*() const { return *val; }
  T *operator->() { return &*val; }
  const T *operator->() const { return &*val; }

private:
  std::optional<T> val;
  Status st;
};

} // namespace dc

#endif // DC_BASE_STATUS_H
