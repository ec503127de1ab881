//===- PassArguments.h - The compression passes' names ----------*- C++ -*-===//
//
// The command-line names of the compression passes, for the library's
// messages ("run dc-quantize first"): each from its generated pass class
// (getArgumentName()), defined next to the pass.
//
//===----------------------------------------------------------------------===//

#ifndef DC_LIB_DIALECT_DC_TRANSFORMS_PASSARGUMENTS_H
#define DC_LIB_DIALECT_DC_TRANSFORMS_PASSARGUMENTS_H

#include "llvm/ADT/StringRef.h"

namespace mlir::dc {

llvm::StringRef compressPassArgument();
llvm::StringRef encodePassArgument();
llvm::StringRef quantizePassArgument();

} // namespace mlir::dc

#endif // DC_LIB_DIALECT_DC_TRANSFORMS_PASSARGUMENTS_H
