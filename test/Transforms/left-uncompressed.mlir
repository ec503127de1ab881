// Nothing silent (issue 14): every constant weight of a contraction or
// convolution that dc-compress leaves uncompressed is in the report with
// its reason and gets a located warning (unless skipped on request); a
// layer= option that matches no layer is an error; dc-compile warns when
// --dc-compress compressed nothing.
// RUN: dc-opt %s --dc-compress="sparsity=0.5 report=-" -o /dev/null 2>%t.err | FileCheck %s --check-prefix=REPORT
// RUN: FileCheck %s --check-prefix=WARN < %t.err
// RUN: dc-opt %s --dc-compress="sparsity=0.5 report=- report-format=json" -o /dev/null 2>/dev/null | FileCheck %s --check-prefix=JSON
// RUN: dc-opt %s --dc-compress="sparsity=0.5 layer=fc_ok:skip=1 report=-" -o /dev/null 2>%t.skip.err | FileCheck %s --check-prefix=SKIP
// RUN: not grep -q "fc_ok.*left uncompressed" %t.skip.err
// RUN: not dc-opt %s --dc-compress="sparsity=0.5 layer=fc9:skip=1" -o /dev/null 2>&1 | FileCheck %s --check-prefix=NOMATCH
// RUN: not dc-opt %s --dc-prune="sparsity=0.5 layer=fc9:sparsity=0.9" -o /dev/null 2>&1 | FileCheck %s --check-prefix=NOMATCH
// RUN: dc-opt %s --dc-compress="sparsity=0.5" -o %t.dc.mlir 2>/dev/null
// RUN: dc-opt %t.dc.mlir --dc-report=report=- | FileCheck %s --check-prefix=DCREPORT
// RUN: dc-model-gen tiny -o %t.tiny.mlir
// RUN: dc-compile %t.tiny.mlir --dc-compress="layer=linalg.matmul:skip=1" -o %t.lib.so --prefix=m --header=none 2>&1 | FileCheck %s --check-prefix=NOTHING

// REPORT: fc_ok 4x3 fc 12 50.0 csr
// REPORT: Left uncompressed: 2 constant weights
// REPORT-NEXT: linalg.matmul operand 1 tensor<4x3xf32> at loc("fc_negated"): it is computed by linalg.generic, which is not a view dc follows to a weight
// REPORT-NEXT: linalg.matmul operand 1 tensor<4x3xf16> at loc("fc_half"): its element type is f16 (dc compresses f32 weights)

// WARN: left-uncompressed.mlir: op 'fc_negated': warning: constant weight (operand 1, tensor<4x3xf32>) left uncompressed: it is computed by linalg.generic
// WARN: left-uncompressed.mlir: op 'fc_half': warning: constant weight (operand 1, tensor<4x3xf16>) left uncompressed: its element type is f16

// JSON: "uncompressed": [
// JSON: "consumer": "linalg.matmul",
// JSON: "reason": "it is computed by linalg.generic

// SKIP: Left uncompressed: 3 constant weights
// SKIP-NEXT: at loc("fc_ok"): skipped by a layer=NAME:skip=1 option

// NOMATCH: error: layer option 'fc9' matches no layer (the layers: fc_ok; a pattern is a layer name

// DCREPORT: Left uncompressed: 2 constant weights

// NOTHING: dc-compile: warning: --dc-compress compressed no weight: the library is the uncompressed model

#id = affine_map<(d0, d1) -> (d0, d1)>
module {
  func.func @forward(%x: tensor<1x4xf32>, %xh: tensor<1x4xf16>) -> (tensor<1x3xf32>, tensor<1x3xf32>, tensor<1x3xf16>) {
    %w = arith.constant dense<[[1.0, -2.0, 3.0], [0.5, 0.25, -1.0], [2.0, 0.0, 1.0], [-3.0, 1.5, 0.75]]> : tensor<4x3xf32>
    %z = arith.constant 0.0 : f32
    %e = tensor.empty() : tensor<1x3xf32>
    %acc = linalg.fill ins(%z : f32) outs(%e : tensor<1x3xf32>) -> tensor<1x3xf32>
    // Compressed: read directly.
    %y0 = linalg.matmul ins(%x, %w : tensor<1x4xf32>, tensor<4x3xf32>) outs(%acc : tensor<1x3xf32>) -> tensor<1x3xf32> loc("fc_ok")
    // Left: the weight is negated first (not a view).
    %w2 = arith.constant dense<[[1.0, -2.0, 3.0], [0.5, 0.25, -1.0], [2.0, 0.0, 1.0], [-3.0, 1.5, 0.7]]> : tensor<4x3xf32>
    %e2 = tensor.empty() : tensor<4x3xf32>
    %neg = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]} ins(%w2 : tensor<4x3xf32>) outs(%e2 : tensor<4x3xf32>) {
    ^bb0(%in: f32, %out: f32):
      %n = arith.negf %in : f32
      linalg.yield %n : f32
    } -> tensor<4x3xf32>
    %y1 = linalg.matmul ins(%x, %neg : tensor<1x4xf32>, tensor<4x3xf32>) outs(%acc : tensor<1x3xf32>) -> tensor<1x3xf32> loc("fc_negated")
    // Left: an f16 weight.
    %wh = arith.constant dense<[[1.0, -2.0, 3.0], [0.5, 0.25, -1.0], [2.0, 0.0, 1.0], [-3.0, 1.5, 0.5]]> : tensor<4x3xf16>
    %zh = arith.constant 0.0 : f16
    %eh = tensor.empty() : tensor<1x3xf16>
    %acch = linalg.fill ins(%zh : f16) outs(%eh : tensor<1x3xf16>) -> tensor<1x3xf16>
    %y2 = linalg.matmul ins(%xh, %wh : tensor<1x4xf16>, tensor<4x3xf16>) outs(%acch : tensor<1x3xf16>) -> tensor<1x3xf16> loc("fc_half")
    return %y0, %y1, %y2 : tensor<1x3xf32>, tensor<1x3xf32>, tensor<1x3xf16>
  }
}
