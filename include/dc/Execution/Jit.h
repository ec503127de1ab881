//===- Jit.h - Run functions of a module in process -------------*- C++ -*-===//
//
// Upstream's plain lowering (one-shot bufferization with identity layouts,
// results as out-params, buffer deallocation, loops) and the MLIR
// ExecutionEngine: how dc-grad-check and dc-run execute tensor functions on
// host data, independently of dc's own lowering.
//
//===----------------------------------------------------------------------===//

#ifndef DC_EXECUTION_JIT_H
#define DC_EXECUTION_JIT_H

#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/Support/Error.h"

#include <memory>
#include <string>
#include <vector>

namespace mlir::dc {

/// A dense static tensor (f32, f64, i32 or i64) in host memory, its values
/// held as doubles (exact for all four), and the memref descriptor that the
/// compiled code sees while it is called.
struct HostTensor {
  RankedTensorType type;
  std::vector<double> values;

  explicit HostTensor(RankedTensorType t);
  /// Raw little-endian element bytes, and back (exactly values.size()
  /// elements of the element type).
  std::vector<char> bytes() const;
  void setBytes(const char *data);

  // Used by JitModule::call.
  void prepare();
  void read();
  void *descriptorPtr = nullptr;

private:
  std::vector<char> storage;
  std::vector<int64_t> descriptor;
};

/// Whether `t` is a tensor type HostTensor holds.
bool isHostTensorType(Type t);

class JitModule {
public:
  /// Marks `functions` llvm.emit_c_interface, lowers `module` in place and
  /// JIT-compiles it. The error says why not (the lowering's own
  /// diagnostics go to the context's handler first).
  static llvm::Expected<std::unique_ptr<JitModule>>
  compile(ModuleOp module, ArrayRef<std::string> functions);

  /// Calls @name: `inputs` are its arguments, `outputs` its results (in
  /// order, with their types).
  llvm::Error call(StringRef name, std::vector<HostTensor> &inputs,
                   std::vector<HostTensor> &outputs);

private:
  std::unique_ptr<ExecutionEngine> engine;
};

} // namespace mlir::dc

#endif // DC_EXECUTION_JIT_H
