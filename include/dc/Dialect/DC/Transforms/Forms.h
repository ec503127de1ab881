//===- Forms.h - The enum options of the dc passes --------------*- C++ -*-===//
//
// The value types of the passes' enum options (ODS `Option`s of these
// types; their generated code needs them before Passes.h.inc). The values
// of `init`, `layout` and `entropy` are declared once, in the tables below:
// ODS gives them to the option's parser (optionValues), the `layer`
// overrides parse and list them from the same tables.
//
//===----------------------------------------------------------------------===//

#ifndef DC_DIALECT_DC_TRANSFORMS_FORMS_H
#define DC_DIALECT_DC_TRANSFORMS_FORMS_H

#include "dc/Dialect/DC/Analysis/WeightForm.h"
#include "dc/Support/OptionValues.h"

#include "llvm/ADT/StringRef.h"

#include <cstddef>
#include <optional>
#include <string>

namespace mlir::dc {

/// What dc-prune and dc-quantize write (their `form` option).
enum class FormOption {
  Dense,     ///< an ordinary f32 constant
  Trainable, ///< the Pruned (dc-prune) or Quantized (dc-quantize) form
};

/// How dc-compress, dc-encode and dc-report write their report (their
/// `report-format` option).
enum class ReportFormat {
  Text, ///< the paper-style table
  Json, ///< one JSON object (docs/Compression.md)
};

/// k-means initialisation (`init`; the codec's KMeansInit, whose values it
/// has).
enum class InitOption {
  Linear,  ///< evenly spaced in [min, max] (the paper's best)
  Density, ///< evenly spaced in the CDF (quantiles)
  Random,  ///< k distinct weights picked with the seed
};

/// The storage layout dc-encode and dc-compress choose (`layout`).
enum class LayoutOption {
  Auto, ///< the smaller of csr and dense for each layer
  CSR,
  CSC,
  Dense,
};

/// The entropy coding of the streams (`entropy`).
enum class EntropyOption {
  Auto, ///< Huffman where it makes the layer smaller
  None,
  Huffman,
};

inline constexpr OptionValue<InitOption> kInitValues[] = {
    {InitOption::Linear, "linear",
     "evenly spaced in [min, max] (the paper's best; the default)"},
    {InitOption::Density, "density", "evenly spaced in the CDF (quantiles)"},
    {InitOption::Random, "random", "k distinct weights picked with the seed"},
};

inline constexpr OptionValue<LayoutOption> kLayoutValues[] = {
    {LayoutOption::Auto, "auto",
     "the smaller of csr and dense for each layer (the default)"},
    {LayoutOption::CSR, "csr", "compressed sparse rows"},
    {LayoutOption::CSC, "csc", "compressed sparse columns"},
    {LayoutOption::Dense, "dense", "every index, no position data"},
};

inline constexpr OptionValue<EntropyOption> kEntropyValues[] = {
    {EntropyOption::Auto, "auto",
     "Huffman where it makes the layer smaller (the default)"},
    {EntropyOption::None, "none", "fixed-width symbols"},
    {EntropyOption::Huffman, "huffman", "canonical Huffman codes"},
};


} // namespace mlir::dc

#endif // DC_DIALECT_DC_TRANSFORMS_FORMS_H
