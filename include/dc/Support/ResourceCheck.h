//===- ResourceCheck.h - Resource blobs MLIR 22 cannot parse ----*- C++ -*-===//
//
// MLIR 22's parser of textual `dialect_resources` blobs (builtin's
// dense_resource) allocates with the blob's alignment, its first 4 bytes,
// and aborts when that is 0 (only a non-power-of-two other than 0 is an
// error upstream). Its custom parsers of linalg.transpose's `permutation`
// and linalg.broadcast's and linalg.reduce's `dimensions` crash (SIGSEGV,
// after printing the syntax error) when the integer list is malformed
// (`[1 0]`, `[a, b]`, an unclosed `[1, 0`). dc's tools check their text
// inputs first, so such a file is a located error, not a crash.
//
//===----------------------------------------------------------------------===//

#ifndef DC_SUPPORT_RESOURCECHECK_H
#define DC_SUPPORT_RESOURCECHECK_H

#include "llvm/Support/Error.h"
#include "llvm/Support/MemoryBuffer.h"

namespace dc {

/// An error naming the file, line and key of the first hex resource blob
/// of `input` (MLIR text; bytecode is not checked) whose alignment is 0 and
/// that holds data (MLIR prints an empty blob with alignment 0).
llvm::Error checkResourceBlobs(const llvm::MemoryBuffer &input);

/// An error naming the file, line and column of the first `permutation = [`
/// or `dimensions = [` of `input` (MLIR text) whose list is not integers
/// separated by commas and closed by `]`.
llvm::Error checkIntegerLists(const llvm::MemoryBuffer &input);

/// Both checks: what dc's tools run on a text input before parsing it.
llvm::Error checkParserHazards(const llvm::MemoryBuffer &input);

} // namespace dc

#endif // DC_SUPPORT_RESOURCECHECK_H
