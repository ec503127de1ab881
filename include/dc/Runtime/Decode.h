/*===- Decode.h - Run-time decoding of dc payloads ----------------*- C -*-===*\
|*                                                                            *|
|* Freestanding C (no libc, no allocation): decodes a layer stored as         *|
|* docs/Format.md describes into caller-provided buffers, once, when a model  *|
|* is initialised. Generated code calls these through MLIR's C interface      *|
|* (memref descriptors); dc-compile links the same object into libraries      *|
|* that need no libc.                                                         *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#ifndef DC_RUNTIME_DECODE_H
#define DC_RUNTIME_DECODE_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A 1-D memref descriptor as MLIR passes it (llvm.emit_c_interface). */
typedef struct {
  void *allocated;
  void *aligned;
  int64_t offset;
  int64_t size;
  int64_t stride;
} dcrt_memref1d;

/* The layer header's codes, as generated code passes them (the `layout`
 * and `entropy` parameters below). The codec (dc::codec::Layout, Entropy in
 * include/dc/Codec/Format.h) and the dialect (#dc.encoding) use the same
 * values; both check it at compile time against these. */
enum { DCRT_LAYOUT_DENSE = 0, DCRT_LAYOUT_CSR = 1, DCRT_LAYOUT_CSC = 2 };
enum { DCRT_ENTROPY_NONE = 0, DCRT_ENTROPY_HUFFMAN = 1 };

/* The run-time forms a payload is decoded into (#dc.runtime's `form`; the
 * dialect checks the values against these): dense f32 values
 * (dcrt_decode_dense), the run-time CSR (dcrt_decode_csr and
 * dcrt_decode_csr_lines: positions, coordinates, codebook indices), or the
 * grid of codebook indices (dcrt_decode_indices). */
enum { DCRT_FORM_DENSE = 0, DCRT_FORM_CSR = 1, DCRT_FORM_GRID = 2 };

/* Return codes. */
enum {
  DCRT_OK = 0,
  DCRT_ERR_PARAMS = 1, /* parameters out of range */
  DCRT_ERR_STREAM = 2, /* a stream is short, too long or has padding bits */
  DCRT_ERR_CODE = 3,   /* a bit sequence matches no Huffman code */
  DCRT_ERR_DATA = 4,   /* an index, row pointer or position is out of range */
  DCRT_ERR_OUTPUT = 5, /* an output buffer is too small or malformed */
  DCRT_ERR_TABLE = 6,  /* a Huffman code-length table is invalid */
  DCRT_ERR_CPU = 7     /* the CPU lacks an instruction set the code needs */
};

/* The x86-64 instruction sets a library's code may need, as CPUID bits:
 * the words of dcrt_check_cpu's `required` table, and X(name, word, bit)
 * for each LLVM target feature dc-compile can check (a feature not listed
 * is not checked). DCRT_CPU_XCR0 is the register state the OS must enable
 * (XGETBV): x87/SSE (bits 0-1), AVX (2), AVX-512 (5-7). */
enum {
  DCRT_CPU_LEAF1_ECX = 0,
  DCRT_CPU_LEAF1_EDX = 1,
  DCRT_CPU_LEAF7_EBX = 2,
  DCRT_CPU_LEAF7_ECX = 3,
  DCRT_CPU_LEAF7_EDX = 4,
  DCRT_CPU_EXT1_ECX = 5, /* leaf 0x80000001 */
  DCRT_CPU_XCR0 = 6,
  DCRT_CPU_WORDS = 7
};
#define DCRT_X86_FEATURES(X)                                                   \
  X("sse3", DCRT_CPU_LEAF1_ECX, 0)                                             \
  X("pclmul", DCRT_CPU_LEAF1_ECX, 1)                                           \
  X("ssse3", DCRT_CPU_LEAF1_ECX, 9)                                            \
  X("fma", DCRT_CPU_LEAF1_ECX, 12)                                             \
  X("cx16", DCRT_CPU_LEAF1_ECX, 13)                                            \
  X("sse4.1", DCRT_CPU_LEAF1_ECX, 19)                                          \
  X("sse4.2", DCRT_CPU_LEAF1_ECX, 20)                                          \
  X("movbe", DCRT_CPU_LEAF1_ECX, 22)                                           \
  X("popcnt", DCRT_CPU_LEAF1_ECX, 23)                                          \
  X("aes", DCRT_CPU_LEAF1_ECX, 25)                                             \
  X("xsave", DCRT_CPU_LEAF1_ECX, 26)                                           \
  X("avx", DCRT_CPU_LEAF1_ECX, 28)                                             \
  X("f16c", DCRT_CPU_LEAF1_ECX, 29)                                            \
  X("rdrnd", DCRT_CPU_LEAF1_ECX, 30)                                           \
  X("sse", DCRT_CPU_LEAF1_EDX, 25)                                             \
  X("sse2", DCRT_CPU_LEAF1_EDX, 26)                                            \
  X("bmi", DCRT_CPU_LEAF7_EBX, 3)                                              \
  X("avx2", DCRT_CPU_LEAF7_EBX, 5)                                             \
  X("bmi2", DCRT_CPU_LEAF7_EBX, 8)                                             \
  X("avx512f", DCRT_CPU_LEAF7_EBX, 16)                                         \
  X("avx512dq", DCRT_CPU_LEAF7_EBX, 17)                                        \
  X("adx", DCRT_CPU_LEAF7_EBX, 19)                                             \
  X("avx512ifma", DCRT_CPU_LEAF7_EBX, 21)                                      \
  X("avx512cd", DCRT_CPU_LEAF7_EBX, 28)                                        \
  X("sha", DCRT_CPU_LEAF7_EBX, 29)                                             \
  X("avx512bw", DCRT_CPU_LEAF7_EBX, 30)                                        \
  X("avx512vl", DCRT_CPU_LEAF7_EBX, 31)                                        \
  X("avx512vbmi", DCRT_CPU_LEAF7_ECX, 1)                                       \
  X("avx512vbmi2", DCRT_CPU_LEAF7_ECX, 6)                                      \
  X("gfni", DCRT_CPU_LEAF7_ECX, 8)                                             \
  X("vaes", DCRT_CPU_LEAF7_ECX, 9)                                             \
  X("vpclmulqdq", DCRT_CPU_LEAF7_ECX, 10)                                      \
  X("avx512vnni", DCRT_CPU_LEAF7_ECX, 11)                                      \
  X("avx512bitalg", DCRT_CPU_LEAF7_ECX, 12)                                    \
  X("avx512vpopcntdq", DCRT_CPU_LEAF7_ECX, 14)                                 \
  X("avx512fp16", DCRT_CPU_LEAF7_EDX, 23)                                      \
  X("lzcnt", DCRT_CPU_EXT1_ECX, 5)
/* The XCR0 bits the OS sets when it saves AVX / AVX-512 registers. */
#define DCRT_XCR0_AVX 0x6u
#define DCRT_XCR0_AVX512 0xe6u

/* DCRT_OK when this CPU has every bit of `required` (DCRT_CPU_WORDS words,
 * XCR0 included), else DCRT_ERR_CPU. A library's <prefix>_init calls it
 * first, so code built for AVX2 or AVX-512 returns an error on an older CPU
 * instead of dying with SIGILL. DCRT_OK on other architectures. */
int32_t dcrt_check_cpu(const uint32_t *required);

/* The header of a layer (docs/Format.md section 7), as scalars. Both entry
 * points check every header rule the codec checks (docs/Format.md section 6)
 * before reading or writing anything: an input memref must have a
 * non-negative size and offset, stride 1 and data when not empty; streams
 * and tables the layout or entropy does not use must be empty. */
#define DCRT_LAYER_PARAMS                                                      \
  int64_t layout, int64_t weight_bits, int64_t index_bits, int64_t entropy,    \
      int64_t rows, int64_t cols, int64_t codebook_size, int64_t num_weights,  \
      int64_t num_gaps

/* Decodes a csr or csc layer into the run-time CSR: `positions` gets M + 1
 * little-endian int32 (M = rows for csr, cols for csc), `coordinates`
 * num_weights little-endian unsigned integers of `coordinate_bytes` (2 or 4)
 * bytes, and `indices` num_weights codebook indices of `index_bytes` (1 or 2)
 * bytes. Output buffers are raw bytes. Returns DCRT_OK or an error code;
 * outputs are unspecified on error. */
int32_t _mlir_ciface_dcrt_decode_csr(
    DCRT_LAYER_PARAMS, dcrt_memref1d *weights, dcrt_memref1d *gaps,
    dcrt_memref1d *row_ptr, dcrt_memref1d *weight_code_lengths,
    dcrt_memref1d *gap_code_lengths, int64_t coordinate_bytes,
    int64_t index_bytes, dcrt_memref1d *positions, dcrt_memref1d *coordinates,
    dcrt_memref1d *indices);

/* As dcrt_decode_csr, with each stored line of L positions (L = cols for
 * csr, rows for csc) split into run-time lines of `line_length` positions
 * (a divisor of L; 0 = L): `positions` gets M * L / line_length + 1 int32
 * and the coordinates are taken modulo line_length. A rank-4 conv weight
 * [F, C, KH, KW] stored as the matrix [F, C KH KW] becomes the run-time
 * levels (F, C, KH dense; KW compressed) with line_length = KW. */
int32_t _mlir_ciface_dcrt_decode_csr_lines(
    DCRT_LAYER_PARAMS, dcrt_memref1d *weights, dcrt_memref1d *gaps,
    dcrt_memref1d *row_ptr, dcrt_memref1d *weight_code_lengths,
    dcrt_memref1d *gap_code_lengths, int64_t coordinate_bytes,
    int64_t index_bytes, int64_t line_length, dcrt_memref1d *positions,
    dcrt_memref1d *coordinates, dcrt_memref1d *indices);

/* Decodes a layer into its codebook indices: `indices` gets rows * cols
 * little-endian unsigned integers of `index_bytes` (1 or 2) bytes,
 * row-major (the dense-quantized run-time form: generated code looks each
 * weight up in the codebook where it reads it). For a csr or csc layer the
 * pruned positions get index codebook_size (the caller's codebook has a
 * 0.0f there), which must fit in index_bytes too. With `transposed` = 1 the
 * indices are column-major (position (r, c) at c * rows + r: a fully
 * connected layer's W^T, the order the vector loops read it in). */
int32_t _mlir_ciface_dcrt_decode_indices(
    DCRT_LAYER_PARAMS, dcrt_memref1d *weights, dcrt_memref1d *gaps,
    dcrt_memref1d *row_ptr, dcrt_memref1d *weight_code_lengths,
    dcrt_memref1d *gap_code_lengths, int64_t index_bytes, int64_t transposed,
    dcrt_memref1d *indices);

/* Decodes any layer into a dense row-major float buffer of rows * cols
 * values (pruned positions 0.0f) using the codebook (f32). */
int32_t
_mlir_ciface_dcrt_decode_dense(DCRT_LAYER_PARAMS, dcrt_memref1d *weights,
                               dcrt_memref1d *gaps, dcrt_memref1d *row_ptr,
                               dcrt_memref1d *weight_code_lengths,
                               dcrt_memref1d *gap_code_lengths,
                               dcrt_memref1d *codebook, dcrt_memref1d *out);

/* Host only: dc-train's step libraries link the host BLAS and this routine
 * (HostBlas.c); dc-compile's self-contained libraries never call it.
 * C += op(A) op(B) in float32, row-major (cblas_sgemm with alpha = beta = 1):
 * op(A) is m x k (A stored k x m when trans_a is 1), op(B) k x n, C m x n;
 * a, b, c are the addresses of the first elements. Generated code calls it
 * with plain scalars (convert-linalg-to-blas), in this parameter order. */
void dcrt_host_sgemm(int64_t trans_a, int64_t trans_b, int64_t m, int64_t n,
                     int64_t k, int64_t a, int64_t lda, int64_t b, int64_t ldb,
                     int64_t c, int64_t ldc);

/* Host only: the number of threads the host BLAS uses (>= 1). */
void dcrt_host_set_threads(int64_t threads);

#ifdef __cplusplus
}
#endif

#endif /* DC_RUNTIME_DECODE_H */
