//===- ResourceCheck.h - Resource blobs MLIR 22 cannot parse ----*- C++ -*-===//
//
// MLIR 22's parser of textual `dialect_resources` blobs (builtin's
// dense_resource) allocates with the blob's alignment, its first 4 bytes,
// and aborts when that is 0 (only a non-power-of-two other than 0 is an
// error upstream). dc's tools check their text inputs first, so such a file
// is a located error, not a crash.
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

} // namespace dc

#endif // DC_SUPPORT_RESOURCECHECK_H
