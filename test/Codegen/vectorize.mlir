// RUN: dc-opt %s -split-input-file --dc-vectorize="vector-bits=256 registers=16" --canonicalize --cse | FileCheck %s
// RUN: dc-opt %s -split-input-file --dc-vectorize="vector-bits=0" | FileCheck %s --check-prefix=OFF

// OFF-LABEL: func.func @matmul
// OFF: linalg.generic

// C[4x40] += A[4x20] B[20x40], 8 lanes: tiles of 4 rows x 2 vectors (8
// accumulators carried through the reduction loop, stored once), a loop
// over the full 16-column tiles, then one 1-vector tile for columns 32..39.
// A is broadcast, B read with vector loads; multiply-adds may contract.
// CHECK-LABEL: func.func @matmul
// CHECK: scf.for %[[J:.*]] = %c0 to %c32 step %c16 {
// CHECK-COUNT-8: vector.load %arg2
// CHECK: scf.for %[[K:.*]] = %c0 to %c20 step %c1 iter_args({{.*}}) -> (vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>) {
// CHECK: %[[A:.*]] = memref.load %arg0[%c0, %[[K]]]
// CHECK: %[[B:.*]] = vector.load %arg1[%[[K]], %[[J]]] : memref<20x40xf32>, vector<8xf32>
// CHECK: %[[AB:.*]] = vector.broadcast %[[A]] : f32 to vector<8xf32>
// CHECK: arith.mulf %[[AB]], %[[B]] fastmath<contract> : vector<8xf32>
// CHECK: arith.addf {{.*}} fastmath<contract> : vector<8xf32>
// CHECK: scf.yield
// CHECK-COUNT-8: vector.store
// CHECK: scf.for {{.*}} = %c0 to %c20 step %c1 iter_args({{.*}}) -> (vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>)
// CHECK: vector.load %arg1[%{{.*}}, %c32]
// CHECK-NOT: linalg.generic
#a = affine_map<(d0, d1, d2) -> (d0, d2)>
#b = affine_map<(d0, d1, d2) -> (d2, d1)>
#c = affine_map<(d0, d1, d2) -> (d0, d1)>
func.func @matmul(%a: memref<4x20xf32>, %b: memref<20x40xf32>, %c: memref<4x40xf32>) {
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<4x20xf32>, memref<20x40xf32>) outs(%c : memref<4x40xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %m = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// 13 columns: 8 lanes, then 4, then the last one through a masked vector of
// 4. The body (cmpf + select, TorchScript's ReLU) is cloned on vectors.
// CHECK-LABEL: func.func @relu_tail
// CHECK: vector.load %arg0[%{{.*}}, %c0] : memref<2x13xf32>, vector<8xf32>
// CHECK: arith.cmpf ugt, {{.*}} : vector<8xf32>
// CHECK: arith.select {{.*}} : vector<8xi1>, vector<8xf32>
// CHECK: vector.store {{.*}} : memref<2x13xf32>, vector<8xf32>
// CHECK: vector.load %arg0[%{{.*}}, %c8] : memref<2x13xf32>, vector<4xf32>
// CHECK: %[[M:.*]] = vector.constant_mask [1] : vector<4xi1>
// CHECK: vector.maskedload %arg0[%{{.*}}, %c12], %[[M]]
// CHECK: vector.maskedstore %arg1[%{{.*}}, %c12], %[[M]]
func.func @relu_tail(%x: memref<2x13xf32>, %y: memref<2x13xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]}
      ins(%x : memref<2x13xf32>) outs(%y : memref<2x13xf32>) {
  ^bb0(%a: f32, %b: f32):
    %p = arith.cmpf ugt, %a, %zero : f32
    %r = arith.select %p, %a, %zero : f32
    linalg.yield %r : f32
  }
  return
}

// -----

// 2x2 max pooling, stride 2: each window row is one masked load of the 7
// lanes that span 4 outputs, then a shuffle of the even lanes.
// CHECK-LABEL: func.func @pool
// CHECK: %[[M:.*]] = vector.constant_mask [7] : vector<8xi1>
// CHECK: %[[S:.*]] = vector.maskedload %arg0[{{.*}}], %[[M]], %{{.*}} : memref<1x2x8x8xf32>, vector<8xi1>, vector<8xf32> into vector<8xf32>
// CHECK: %[[E:.*]] = vector.shuffle %[[S]], %[[S]] [0, 2, 4, 6] : vector<8xf32>, vector<8xf32>
// CHECK: arith.maximumf %{{.*}}, %[[E]] : vector<4xf32>
func.func @pool(%x: memref<1x2x8x8xf32>, %w: memref<2x2xf32>, %y: memref<1x2x4x4xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2 * 2 + d4, d3 * 2 + d5)>, affine_map<(d0, d1, d2, d3, d4, d5) -> (d4, d5)>, affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]}
      ins(%x, %w : memref<1x2x8x8xf32>, memref<2x2xf32>) outs(%y : memref<1x2x4x4xf32>) {
  ^bb0(%a: f32, %b: f32, %c: f32):
    %m = arith.maximumf %c, %a : f32
    linalg.yield %m : f32
  }
  return
}

// -----

// A direct stride-1 NCHW convolution: vectors along ow, the output
// channels f as the register loop (the filter is broadcast, the input read
// at ow + kw), the reductions c, kh, kw carried.
// CHECK-LABEL: func.func @conv
// CHECK: scf.for %[[OH:.*]] = %c0 to %c6 step %c1 {
// CHECK: scf.for %{{.*}} = %c0 to %c3 step %c1 iter_args({{.*}}) -> (vector<4xf32>, vector<4xf32>, vector<4xf32>) {
// CHECK: vector.load %arg0[%c0, %{{.*}}, %{{.*}}, %{{.*}}] : memref<1x3x8x8xf32>, vector<4xf32>
// CHECK: memref.load %arg1[%c0,
// CHECK: memref.load %arg1[%c1,
// CHECK: memref.load %arg1[%c2,
// CHECK: vector.maskedload %arg2
// CHECK-NOT: linalg.generic
func.func @conv(%x: memref<1x3x8x8xf32>, %w: memref<3x3x3x3xf32>, %y: memref<1x3x6x6xf32>) {
  linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%x, %w : memref<1x3x8x8xf32>, memref<3x3x3x3xf32>) outs(%y : memref<1x3x6x6xf32>)
  return
}

// -----

// A fill (the yielded value comes from outside the body) is a broadcast.
// CHECK-LABEL: func.func @fill
// CHECK: %[[V:.*]] = vector.broadcast %arg0 : f32 to vector<8xf32>
// CHECK: vector.store %[[V]], %arg1[%c0] : memref<8xf32>, vector<8xf32>
func.func @fill(%v: f32, %y: memref<8xf32>) {
  linalg.fill ins(%v : f32) outs(%y : memref<8xf32>)
  return
}

// -----

// A matvec over a large matrix (1024 x 512 x 4 bytes > 256 KB) is streamed
// in memory order: 4 of its rows at a time across all columns.
// CHECK-LABEL: func.func @matvec_stream
// CHECK: scf.for %[[KB:.*]] = %c0 to %c1024 step %c4 {
// CHECK: scf.for %{{.*}} = %c0 to %c512 step %c64 {
// CHECK: scf.for %[[K:.*]] = %c0 to %c4 step %c1 iter_args
// CHECK: arith.addi %[[KB]], %[[K]]
#a = affine_map<(d0, d1, d2) -> (d0, d2)>
#b = affine_map<(d0, d1, d2) -> (d2, d1)>
#c = affine_map<(d0, d1, d2) -> (d0, d1)>
func.func @matvec_stream(%a: memref<1x1024xf32>, %b: memref<1024x512xf32>, %c: memref<1x512xf32>) {
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<1x1024xf32>, memref<1024x512xf32>) outs(%c : memref<1x512xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %m = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// What the plan does not cover stays for convert-linalg-to-loops: an input
// that varies with the vector loop outside its innermost dimension (W read
// [n, k] with no constant to re-lay out), a body reading linalg.index, and
// a dynamic shape.
// CHECK-LABEL: func.func @left_alone
// CHECK-COUNT-3: linalg.generic
// CHECK-NOT: vector.
#a = affine_map<(d0, d1, d2) -> (d0, d2)>
#w = affine_map<(d0, d1, d2) -> (d1, d2)>
#c = affine_map<(d0, d1, d2) -> (d0, d1)>
#id = affine_map<(d0) -> (d0)>
func.func @left_alone(%a: memref<4x20xf32>, %w: memref<40x20xf32>, %c: memref<4x40xf32>, %i: memref<16xf32>, %d: memref<?xf32>) {
  linalg.generic {indexing_maps = [#a, #w, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %w : memref<4x20xf32>, memref<40x20xf32>) outs(%c : memref<4x40xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %m = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [#id], iterator_types = ["parallel"]} outs(%i : memref<16xf32>) {
  ^bb0(%o: f32):
    %n = linalg.index 0 : index
    %k = arith.index_cast %n : index to i32
    %f = arith.sitofp %k : i32 to f32
    linalg.yield %f : f32
  }
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]} ins(%d : memref<?xf32>) outs(%d : memref<?xf32>) {
  ^bb0(%x: f32, %o: f32):
    %s = arith.addf %x, %x : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// Codebook lookups (the dense-quantized run-time form: i8 indices read
// where the weight was): for a broadcast weight (a conv filter, broadcast
// along ow) the lookup stays one scalar load; for a vector-read index it is
// a vector.gather from the codebook.
// CHECK-LABEL: func.func @lookups
// CHECK: %[[I:.*]] = memref.load %arg1[
// CHECK: %[[IX:.*]] = arith.index_castui %[[I]] : i8 to index
// CHECK: %[[W:.*]] = memref.load %arg3[%[[IX]]] : memref<4xf32>
// CHECK: vector.broadcast %[[W]] : f32 to vector<8xf32>
// CHECK: %[[V:.*]] = vector.load %arg4[{{.*}}] : memref<3x8xi8>, vector<8xi8>
// CHECK: %[[VX:.*]] = arith.index_castui %[[V]] : vector<8xi8> to vector<8xindex>
// CHECK: vector.gather %arg3[%c0] [%[[VX]]], %{{.*}}, %{{.*}} : memref<4xf32>, vector<8xindex>, vector<8xi1>, vector<8xf32> into vector<8xf32>
func.func @lookups(%x: memref<1x2x5x10xf32>, %w: memref<3x2x3x3xi8>, %y: memref<1x3x3x8xf32>, %cb: memref<4xf32>, %v: memref<3x8xi8>, %z: memref<3x8xf32>) {
  linalg.generic {indexing_maps = [affine_map<(n, f, oh, ow, c, kh, kw) -> (n, c, oh + kh, ow + kw)>, affine_map<(n, f, oh, ow, c, kh, kw) -> (f, c, kh, kw)>, affine_map<(n, f, oh, ow, c, kh, kw) -> (n, f, oh, ow)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
      ins(%x, %w : memref<1x2x5x10xf32>, memref<3x2x3x3xi8>) outs(%y : memref<1x3x3x8xf32>) {
  ^bb0(%a: f32, %i: i8, %acc: f32):
    %ix = arith.index_castui %i : i8 to index
    %wv = memref.load %cb[%ix] : memref<4xf32>
    %m = arith.mulf %a, %wv : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]}
      ins(%v : memref<3x8xi8>) outs(%z : memref<3x8xf32>) {
  ^bb0(%i: i8, %o: f32):
    %ix = arith.index_castui %i : i8 to index
    %wv = memref.load %cb[%ix] : memref<4xf32>
    linalg.yield %wv : f32
  }
  return
}
