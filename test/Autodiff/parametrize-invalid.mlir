// RUN: dc-opt %s -split-input-file -verify-diagnostics --dc-parametrize

// expected-error @+1 {{dc-parametrize: no function @forward with a body}}
module {
  func.func @other() {
    return
  }
}

// -----

// expected-error @+1 {{@forward is already parametrized (@forward.params exists)}}
func.func @forward(%w: tensor<2xf32>) -> tensor<2xf32> {
  return %w : tensor<2xf32>
}
func.func private @forward.params() -> (tensor<2xf32>)

// -----

// expected-warning @+1 {{dc-parametrize: no parameters selected in @forward}}
func.func @forward(%x: tensor<2xf32>) -> tensor<2xf32> {
  return %x : tensor<2xf32>
}
