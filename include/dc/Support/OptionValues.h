//===- OptionValues.h - Enum options from one table of values ---*- C++ -*-===//
//
// An enum option's values (name, help) declared once, as a table that
// feeds its command-line parser (ODS pass options and llvm::cl::opt alike,
// through the optionValues modifier) and every other place that needs the
// names: parsing them elsewhere (symbolizeOption), listing them in a
// message (optionNames), printing a value (stringifyOption).
//
// In namespace mlir::dc (though MLIR-free) so that ODS and pass files name
// it without another top-level `dc` namespace in scope.
//
//===----------------------------------------------------------------------===//

#ifndef DC_SUPPORT_OPTIONVALUES_H
#define DC_SUPPORT_OPTIONVALUES_H

#include "llvm/ADT/StringRef.h"

#include <cstddef>
#include <optional>
#include <string>

namespace mlir::dc {

/// One value of an enum option: its name (on the command line and in
/// `layer` overrides) and its help.
template <typename E> struct OptionValue {
  E value;
  llvm::StringLiteral name, help;
};

/// An option modifier (like llvm::cl::values) that gives an enum option's
/// parser the values of a table; ODS passes it as the option's last
/// argument: `[{::mlir::dc::optionValues(::mlir::dc::kLayoutValues)}]`.
template <typename E, size_t N> struct OptionValues {
  const OptionValue<E> (&table)[N];
  template <typename Opt> void apply(Opt &option) const {
    for (const OptionValue<E> &v : table)
      option.getParser().addLiteralOption(v.name, v.value, v.help);
  }
};
template <typename E, size_t N>
OptionValues<E, N> optionValues(const OptionValue<E> (&table)[N]) {
  return {table};
}

/// The value named `name` in `table`, if any.
template <typename E, size_t N>
std::optional<E> symbolizeOption(const OptionValue<E> (&table)[N],
                                 llvm::StringRef name) {
  for (const OptionValue<E> &v : table)
    if (v.name == name)
      return v.value;
  return std::nullopt;
}

/// The names of `table`'s values joined by `separator`.
template <typename E, size_t N>
std::string optionNames(const OptionValue<E> (&table)[N],
                        llvm::StringRef separator) {
  std::string names;
  for (const OptionValue<E> &v : table) {
    if (!names.empty())
      names += separator;
    names += v.name;
  }
  return names;
}

/// The name of `value` in `table` ("" if it has none).
template <typename E, size_t N>
llvm::StringRef stringifyOption(const OptionValue<E> (&table)[N], E value) {
  for (const OptionValue<E> &v : table)
    if (v.value == value)
      return v.name;
  return "";
}

} // namespace mlir::dc

#endif // DC_SUPPORT_OPTIONVALUES_H
