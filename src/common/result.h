// Errors as values: every fallible call returns Result<T>. No exceptions cross the event loop.
#pragma once

#include <cstring>
#include <string>
#include <utility>
#include <variant>

namespace vipa {

struct Error {
  int errnum = 0;       // an errno value when the error came from the kernel, else 0
  std::string message;  // human-readable; for config errors "FILE:LINE:COLUMN: text"

  static Error sys(int e, std::string what) {
    return Error{e, std::move(what) + ": " + std::strerror(e)};
  }
  static Error msg(std::string what) { return Error{0, std::move(what)}; }
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}
  Result(Error error) : v_(std::move(error)) {}

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const Error& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

struct Ok {};

// Result<void>
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Ok) {}
  Status(Error e) : err_(std::move(e)), failed_(true) {}
  bool ok() const { return !failed_; }
  explicit operator bool() const { return ok(); }
  const Error& error() const { return err_; }

 private:
  Error err_;
  bool failed_ = false;
};

}  // namespace vipa
