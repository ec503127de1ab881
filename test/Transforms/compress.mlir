// RUN: dc-model-gen tiny | dc-opt --dc-compress="sparsity=0.5 fc-bits=2 index-bits=3" | FileCheck %s
// RUN: dc-model-gen tiny | dc-opt --dc-compress="sparsity=0.5 fc-bits=2 index-bits=3 report=-" -o /dev/null | FileCheck %s --check-prefix=REPORT
// RUN: dc-model-gen tiny | dc-opt --dc-compress="sparsity=0.5 fc-bits=2 index-bits=3 layer=fc2:skip=1 report=- report-format=json" -o /dev/null | FileCheck %s --check-prefix=JSON
// RUN: dc-model-gen tiny | mlir-opt --load-dialect-plugin=%dc_libs/libDCPlugin%shlibext --load-pass-plugin=%dc_libs/libDCPlugin%shlibext --pass-pipeline="builtin.module(dc-compress{sparsity=0.5 fc-bits=2 index-bits=3})" | FileCheck %s
// RUN: dc-model-gen tiny | dc-opt --dc-prune="sparsity=0.5" --dc-quantize="fc-bits=2" --dc-encode="index-bits=3" | FileCheck %s

// dc-compress on a model in torch-mlir's shape (dc-model-gen tiny: two
// nn.Linear layers): both weights become dc.constant + dc.decompress feeding
// the original transposes; the biases stay dense. The same result comes from
// stock mlir-opt with the plugin, and from the three stages run one by one.

// CHECK-LABEL: func @forward
// CHECK: %[[W1:.*]] = dc.constant {codebook = array<f32: {{[^>]*}}>{{.*}}weights = dense_resource<fc1_idx> : tensor<{{[0-9]+}}xi8>} : !dc.tensor<16x8xf32, #dc.encoding<[[ENC1:.*]]>>
// CHECK: %[[D1:.*]] = dc.decompress %[[W1]] : !dc.tensor<16x8xf32, #dc.encoding<[[ENC1]]>> -> tensor<16x8xf32>
// CHECK: arith.constant dense_resource<fc1_bias> : tensor<16xf32>
// CHECK: linalg.transpose ins(%[[D1]] : tensor<16x8xf32>)
// CHECK: %[[W2:.*]] = dc.constant {{.*}} : !dc.tensor<4x16xf32, #dc.encoding<[[ENC2:.*]]>>
// CHECK: %[[D2:.*]] = dc.decompress %[[W2]]
// CHECK: linalg.transpose ins(%[[D2]] : tensor<4x16xf32>)
// CHECK-NOT: dense_resource<fc{{[12]}}_weight>

// REPORT: Layer  Shape  Kind       Weights  Kept%  Layout
// REPORT-NEXT: fc1    16x8   fc             128   50.0
// REPORT-NEXT: fc2    4x16   fc              64   50.0
// REPORT-NEXT: Total                        192   50.0   768

// The run: dc's version, the input, the module and the pass as run, with
// every option (JSON objects print their keys sorted).
// JSON: "dc_version": "{{[0-9]+\.[0-9]+\.[0-9]+}}"
// JSON: "input": "<stdin>"
// JSON: "layers": [
// JSON: "name": "fc1"
// JSON-NOT: "name": "fc2"
// JSON: "module": "tiny"
// JSON: "pass": "dc-compress{conv-bits=8 {{.*}}fc-bits=2 index-bits=3 {{.*}}report-format=json {{.*}}sparsity=5.000000e-01}"
// JSON: "total": {
// JSON: "bytes_before": 512
