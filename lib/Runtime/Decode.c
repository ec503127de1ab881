/*===- Decode.c - Run-time decoding of dc payloads ------------------------===*\
|*                                                                            *|
|* Freestanding: no libc calls, no allocation, every read bounds-checked.     *|
|* Bits are read one at a time; this runs once per layer at initialisation.   *|
|* The compile-time codec (lib/Codec) is the reference these must match:     *|
|* they accept exactly the layers it accepts (unittests/Runtime, and the      *|
|* dc-fuzz-runtime-decode and dc-fuzz-runtime-api fuzzers in fuzz/).         *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#include "dc/Runtime/Decode.h"

enum { kDense = DCRT_LAYOUT_DENSE, kCSR = DCRT_LAYOUT_CSR, kCSC = DCRT_LAYOUT_CSC };
enum { kMaxLength = 15, kMaxAlphabet = 256 };

typedef struct {
  const uint8_t *data;
  uint64_t bytes;
  uint64_t pos; /* in bits */
} BitReader;

static BitReader reader(const dcrt_memref1d *m) {
  BitReader r;
  r.data = m ? (const uint8_t *)m->aligned + m->offset : 0;
  r.bytes = m && m->size > 0 ? (uint64_t)m->size : 0;
  r.pos = 0;
  return r;
}

static int readBit(BitReader *r, uint32_t *bit) {
  if (r->pos >= r->bytes * 8)
    return 0;
  *bit = (r->data[r->pos >> 3] >> (r->pos & 7)) & 1u;
  ++r->pos;
  return 1;
}

/* LSB-first fixed-width symbol. */
static int readBits(BitReader *r, unsigned n, uint32_t *value) {
  uint32_t v = 0, bit;
  for (unsigned i = 0; i < n; ++i) {
    if (!readBit(r, &bit))
      return 0;
    v |= bit << i;
  }
  *value = v;
  return 1;
}

/* The stream ends exactly at the last used bit; padding bits are zero. */
static int atEnd(const BitReader *r) {
  if ((r->pos + 7) / 8 != r->bytes)
    return 0;
  for (uint64_t b = r->pos; b < r->bytes * 8; ++b)
    if ((r->data[b >> 3] >> (b & 7)) & 1u)
      return 0;
  return 1;
}

/* A canonical Huffman code as counts per length and symbols in code order
 * (RFC 1951 / puff). */
typedef struct {
  uint16_t count[kMaxLength + 1];
  uint16_t symbol[kMaxAlphabet];
} Huffman;

/* Builds the decoding tables of a code-length table and checks it as
 * docs/Format.md section 5 ("Validity") and the codec's verifyCodeLengths
 * do: lengths 0..15; no used symbol, or exactly one of length 1, or a
 * complete code (Kraft sum exactly 1: neither over-subscribed nor
 * incomplete). */
static int buildHuffman(Huffman *h, const dcrt_memref1d *lengths,
                        uint64_t alphabet) {
  if (!lengths || (uint64_t)lengths->size != alphabet ||
      alphabet > kMaxAlphabet)
    return 0;
  const uint8_t *len = (const uint8_t *)lengths->aligned + lengths->offset;
  uint16_t offs[kMaxLength + 2];
  for (unsigned l = 0; l <= kMaxLength; ++l)
    h->count[l] = 0;
  uint32_t used = 0, kraft = 0; /* kraft in units of 2^-kMaxLength */
  uint64_t single = 0;
  for (uint64_t s = 0; s < alphabet; ++s) {
    if (len[s] > kMaxLength)
      return 0;
    h->count[len[s]]++;
    if (len[s]) {
      ++used;
      single = s;
      kraft += 1u << (kMaxLength - len[s]);
    }
  }
  if (used == 1 && len[single] != 1)
    return 0;
  if (used > 1 && kraft != (1u << kMaxLength))
    return 0;
  offs[1] = 0;
  for (unsigned l = 1; l <= kMaxLength; ++l)
    offs[l + 1] = (uint16_t)(offs[l] + h->count[l]);
  for (uint64_t s = 0; s < alphabet; ++s)
    if (len[s])
      h->symbol[offs[len[s]]++] = (uint16_t)s;
  return 1;
}

static int decodeSymbol(const Huffman *h, BitReader *r, uint32_t *symbol) {
  int32_t code = 0, first = 0, index = 0;
  for (unsigned l = 1; l <= kMaxLength; ++l) {
    uint32_t bit;
    if (!readBit(r, &bit))
      return DCRT_ERR_STREAM;
    code |= (int32_t)bit;
    int32_t count = h->count[l];
    if (code - count < first) {
      *symbol = h->symbol[index + (code - first)];
      return DCRT_OK;
    }
    index += count;
    first = (first + count) << 1;
    code <<= 1;
  }
  return DCRT_ERR_CODE;
}

/* A stream of symbols: raw `bits`-wide or Huffman-coded. */
typedef struct {
  BitReader bits;
  int huffman;
  unsigned width;
  uint32_t alphabet;
  Huffman code;
} SymbolStream;

static int nextSymbol(SymbolStream *s, uint32_t *symbol) {
  if (s->huffman)
    return decodeSymbol(&s->code, &s->bits, symbol);
  if (!readBits(&s->bits, s->width, symbol))
    return DCRT_ERR_STREAM;
  return DCRT_OK;
}

typedef struct {
  int64_t layout, weightBits, indexBits, entropy, rows, cols, k, numWeights,
      numGaps;
} Params;

static unsigned bitWidth(uint64_t v) {
  unsigned n = 0;
  while (v) {
    ++n;
    v >>= 1;
  }
  return n;
}

/* What to do with each entry. */
typedef struct {
  int dense; /* 1: write codebook values into out, else the run-time CSR */
  /* With !dense: write each entry's codebook index at its row-major
   * position of `indices` (a sparse layout's dense-quantized form; the
   * caller filled the pruned positions) instead of the run-time CSR. */
  int grid;
  /* Indices (dense layout or grid) go column-major: position (r, c) at
   * c * rows + r. */
  int transposed;
  float *out;
  const float *codebook;
  uint8_t *positions, *coordinates, *indices; /* raw bytes, any alignment */
  unsigned coordinateBytes, indexBytes;
  /* The run-time CSR's line length: each stored line of `length` positions
   * is `length / subLength` run-time lines (0: one, the stored line). */
  uint64_t subLength;
} Sink;

static void store(uint8_t *base, uint64_t i, unsigned bytes, uint32_t v) {
  for (unsigned b = 0; b < bytes; ++b)
    base[i * bytes + b] = (uint8_t)(v >> (8 * b));
}

/* A 1-D byte or float buffer as generated code passes it: a non-negative
 * size and offset, contiguous, with data when it is not empty. */
static int validMemref(const dcrt_memref1d *m) {
  return m && m->size >= 0 && m->offset >= 0 &&
         (m->size <= 1 || m->stride == 1) && (m->size == 0 || m->aligned);
}

static int isEmpty(const dcrt_memref1d *m) { return m->size == 0; }

/* The header rules of docs/Format.md sections 1-3 and 6, as the codec's
 * verifyLayer checks them, before anything is read or written: the
 * parameters, R * C < 2^32, the entry and gap counts, and no stream or
 * table the layout and entropy do not use. */
static int checkParams(const Params *p, const dcrt_memref1d *weights,
                       const dcrt_memref1d *gaps, const dcrt_memref1d *rowPtr,
                       const dcrt_memref1d *weightLengths,
                       const dcrt_memref1d *gapLengths) {
  if (!validMemref(weights) || !validMemref(gaps) || !validMemref(rowPtr) ||
      !validMemref(weightLengths) || !validMemref(gapLengths))
    return DCRT_ERR_PARAMS;
  if (p->layout < kDense || p->layout > kCSC || p->weightBits < 1 ||
      p->weightBits > 8 || p->entropy < 0 || p->entropy > 1)
    return DCRT_ERR_PARAMS;
  int sparse = p->layout != kDense;
  if (sparse ? (p->indexBits < 1 || p->indexBits > 8) : p->indexBits != 0)
    return DCRT_ERR_PARAMS;
  if (p->rows < 1 || p->cols < 1 || p->rows >= ((int64_t)1 << 32) ||
      p->cols >= ((int64_t)1 << 32))
    return DCRT_ERR_PARAMS;
  uint64_t total = (uint64_t)p->rows * (uint64_t)p->cols;
  if (total >= ((uint64_t)1 << 32))
    return DCRT_ERR_PARAMS;
  if (p->k < 0 || p->k > ((int64_t)1 << p->weightBits) || p->numWeights < 0 ||
      p->numGaps < 0 || (p->numWeights > 0 && p->k == 0))
    return DCRT_ERR_PARAMS;
  if (sparse) {
    /* Every entry is a position; every gap symbol covers at least one. */
    if ((uint64_t)p->numWeights > total || p->numGaps < p->numWeights ||
        (uint64_t)p->numGaps > total)
      return DCRT_ERR_PARAMS;
  } else if ((uint64_t)p->numWeights != total || p->numGaps != 0 ||
             !isEmpty(gaps) || !isEmpty(rowPtr) || !isEmpty(gapLengths)) {
    return DCRT_ERR_PARAMS;
  }
  if (!p->entropy && (!isEmpty(weightLengths) || !isEmpty(gapLengths)))
    return DCRT_ERR_PARAMS;
  return DCRT_OK;
}

/* Decodes a layer whose parameters checkParams accepted. */
static int walk(const Params *p, dcrt_memref1d *weights, dcrt_memref1d *gaps,
                dcrt_memref1d *rowPtr, dcrt_memref1d *weightLengths,
                dcrt_memref1d *gapLengths, Sink *sink) {
  int sparse = p->layout != kDense;
  uint64_t rows = (uint64_t)p->rows, cols = (uint64_t)p->cols;

  SymbolStream w;
  w.bits = reader(weights);
  w.huffman = (int)p->entropy;
  w.width = (unsigned)p->weightBits;
  if (w.huffman && !buildHuffman(&w.code, weightLengths, (uint64_t)p->k))
    return DCRT_ERR_TABLE;

  if (!sparse) {
    for (uint64_t i = 0; i < rows * cols; ++i) {
      uint32_t s;
      int rc = nextSymbol(&w, &s);
      if (rc != DCRT_OK)
        return rc;
      if (s >= (uint64_t)p->k)
        return DCRT_ERR_DATA;
      if (sink->dense)
        sink->out[i] = sink->codebook[s];
      else
        store(sink->indices,
              sink->transposed ? (i % cols) * rows + i / cols : i,
              sink->indexBytes, s);
    }
    return atEnd(&w.bits) ? DCRT_OK : DCRT_ERR_STREAM;
  }

  int csc = p->layout == kCSC;
  uint64_t lines = csc ? cols : rows, length = csc ? rows : cols;
  uint32_t escape = (1u << p->indexBits) - 1;
  SymbolStream g;
  g.bits = reader(gaps);
  g.huffman = (int)p->entropy;
  g.width = (unsigned)p->indexBits;
  if (g.huffman &&
      !buildHuffman(&g.code, gapLengths, (uint64_t)1 << p->indexBits))
    return DCRT_ERR_TABLE;
  BitReader ptr = reader(rowPtr);
  unsigned ptrBits = bitWidth((uint64_t)p->numWeights);

  uint64_t done = 0, gapSymbols = 0;
  /* Run-time lines per stored line, and the next position to write. */
  uint64_t sub = sink->subLength ? sink->subLength : (length ? length : 1);
  uint64_t per = length ? length / sub : 1, next = 1;
  int csrOut = !sink->dense && !sink->grid;
  if (csrOut)
    store(sink->positions, 0, 4, 0);
  for (uint64_t line = 0; line < lines; ++line) {
    uint32_t end = 0;
    if (ptrBits && !readBits(&ptr, ptrBits, &end))
      return DCRT_ERR_STREAM;
    if (end < done || end - done > length || end > (uint64_t)p->numWeights)
      return DCRT_ERR_DATA;
    int64_t cursor = -1;
    for (; done < end; ++done) {
      for (;;) {
        uint32_t gap;
        int rc = nextSymbol(&g, &gap);
        if (rc != DCRT_OK)
          return rc;
        if (++gapSymbols > (uint64_t)p->numGaps)
          return DCRT_ERR_DATA;
        if (gap == escape) {
          cursor += escape;
          if (cursor >= (int64_t)length)
            return DCRT_ERR_DATA;
          continue;
        }
        cursor += (int64_t)gap + 1;
        break;
      }
      if (cursor >= (int64_t)length)
        return DCRT_ERR_DATA;
      uint32_t s;
      int rc = nextSymbol(&w, &s);
      if (rc != DCRT_OK)
        return rc;
      if (s >= (uint64_t)p->k)
        return DCRT_ERR_DATA;
      if (sink->dense || sink->grid) {
        uint64_t r = csc ? (uint64_t)cursor : line;
        uint64_t c = csc ? line : (uint64_t)cursor;
        if (sink->dense)
          sink->out[r * cols + c] = sink->codebook[s];
        else
          store(sink->indices, sink->transposed ? c * rows + r : r * cols + c,
                sink->indexBytes, s);
      } else {
        /* The run-time lines before this entry's end where it starts. */
        uint64_t at = line * per + (uint64_t)cursor / sub;
        for (; next <= at; ++next)
          store(sink->positions, next, 4, (uint32_t)done);
        store(sink->coordinates, done, sink->coordinateBytes,
              (uint32_t)((uint64_t)cursor % sub));
        store(sink->indices, done, sink->indexBytes, s);
      }
    }
    if (csrOut)
      for (; next <= (line + 1) * per; ++next)
        store(sink->positions, next, 4, (uint32_t)done);
  }
  if (done != (uint64_t)p->numWeights || gapSymbols != (uint64_t)p->numGaps ||
      !atEnd(&ptr) || !atEnd(&g.bits) || !atEnd(&w.bits))
    return DCRT_ERR_STREAM;
  return DCRT_OK;
}

static int fits(const dcrt_memref1d *m, uint64_t bytes) {
  return validMemref(m) && (uint64_t)m->size >= bytes;
}

int32_t _mlir_ciface_dcrt_decode_csr(
    DCRT_LAYER_PARAMS, dcrt_memref1d *weights, dcrt_memref1d *gaps,
    dcrt_memref1d *row_ptr, dcrt_memref1d *weight_code_lengths,
    dcrt_memref1d *gap_code_lengths, int64_t coordinate_bytes,
    int64_t index_bytes, dcrt_memref1d *positions, dcrt_memref1d *coordinates,
    dcrt_memref1d *indices) {
  return _mlir_ciface_dcrt_decode_csr_lines(
      layout, weight_bits, index_bits, entropy, rows, cols, codebook_size,
      num_weights, num_gaps, weights, gaps, row_ptr, weight_code_lengths,
      gap_code_lengths, coordinate_bytes, index_bytes, 0, positions,
      coordinates, indices);
}

int32_t _mlir_ciface_dcrt_decode_csr_lines(
    DCRT_LAYER_PARAMS, dcrt_memref1d *weights, dcrt_memref1d *gaps,
    dcrt_memref1d *row_ptr, dcrt_memref1d *weight_code_lengths,
    dcrt_memref1d *gap_code_lengths, int64_t coordinate_bytes,
    int64_t index_bytes, int64_t line_length, dcrt_memref1d *positions,
    dcrt_memref1d *coordinates, dcrt_memref1d *indices) {
  Params p = {layout, weight_bits,   index_bits,  entropy, rows,
              cols,   codebook_size, num_weights, num_gaps};
  int rc = checkParams(&p, weights, gaps, row_ptr, weight_code_lengths,
                       gap_code_lengths);
  if (rc != DCRT_OK)
    return rc;
  /* Positions are int32: at most 2^31 - 1 entries. */
  if (layout == kDense || (coordinate_bytes != 2 && coordinate_bytes != 4) ||
      (index_bytes != 1 && index_bytes != 2) ||
      num_weights > (int64_t)0x7fffffff)
    return DCRT_ERR_PARAMS;
  uint64_t lines = (uint64_t)(layout == kCSC ? cols : rows);
  uint64_t length = (uint64_t)(layout == kCSC ? rows : cols);
  /* line_length: 0 (the stored lines) or a divisor of their length. */
  uint64_t sub = line_length ? (uint64_t)line_length : length;
  if (line_length < 0 || (length && (sub == 0 || length % sub != 0)) ||
      (coordinate_bytes == 2 && sub > 65536) ||
      (index_bytes == 1 && codebook_size > 256))
    return DCRT_ERR_PARAMS;
  if (length)
    lines *= length / sub;
  /* No overflow: lines, num_weights < 2^32 (checkParams: rows * cols). */
  if (!fits(positions, 4 * (lines + 1)) ||
      !fits(coordinates, (uint64_t)coordinate_bytes * (uint64_t)num_weights) ||
      !fits(indices, (uint64_t)index_bytes * (uint64_t)num_weights))
    return DCRT_ERR_OUTPUT;
  Sink sink = {0};
  sink.positions = (uint8_t *)positions->aligned + positions->offset;
  sink.coordinates = (uint8_t *)coordinates->aligned + coordinates->offset;
  sink.indices = (uint8_t *)indices->aligned + indices->offset;
  sink.coordinateBytes = (unsigned)coordinate_bytes;
  sink.indexBytes = (unsigned)index_bytes;
  sink.subLength = length ? sub : 0;
  return walk(&p, weights, gaps, row_ptr, weight_code_lengths, gap_code_lengths,
              &sink);
}

int32_t _mlir_ciface_dcrt_decode_indices(
    DCRT_LAYER_PARAMS, dcrt_memref1d *weights, dcrt_memref1d *gaps,
    dcrt_memref1d *row_ptr, dcrt_memref1d *weight_code_lengths,
    dcrt_memref1d *gap_code_lengths, int64_t index_bytes, int64_t transposed,
    dcrt_memref1d *indices) {
  Params p = {layout, weight_bits,   index_bits,  entropy, rows,
              cols,   codebook_size, num_weights, num_gaps};
  int rc = checkParams(&p, weights, gaps, row_ptr, weight_code_lengths,
                       gap_code_lengths);
  if (rc != DCRT_OK)
    return rc;
  /* A sparse layout's pruned positions get index codebook_size, which must
   * fit too. */
  int sparse = layout != kDense;
  int64_t largest = codebook_size - 1 + sparse;
  if ((index_bytes != 1 && index_bytes != 2) ||
      (index_bytes == 1 && largest > 255) || (transposed != 0 && transposed != 1))
    return DCRT_ERR_PARAMS;
  /* No overflow: rows * cols < 2^32. */
  uint64_t total = (uint64_t)rows * (uint64_t)cols;
  if (!fits(indices, (uint64_t)index_bytes * total))
    return DCRT_ERR_OUTPUT;
  Sink sink = {0};
  sink.grid = sparse;
  sink.transposed = (int)transposed;
  sink.indices = (uint8_t *)indices->aligned + indices->offset;
  sink.indexBytes = (unsigned)index_bytes;
  if (sparse)
    for (uint64_t i = 0; i < total; ++i)
      store(sink.indices, i, sink.indexBytes, (uint32_t)codebook_size);
  return walk(&p, weights, gaps, row_ptr, weight_code_lengths, gap_code_lengths,
              &sink);
}

int32_t
_mlir_ciface_dcrt_decode_dense(DCRT_LAYER_PARAMS, dcrt_memref1d *weights,
                               dcrt_memref1d *gaps, dcrt_memref1d *row_ptr,
                               dcrt_memref1d *weight_code_lengths,
                               dcrt_memref1d *gap_code_lengths,
                               dcrt_memref1d *codebook, dcrt_memref1d *out) {
  Params p = {layout, weight_bits,   index_bits,  entropy, rows,
              cols,   codebook_size, num_weights, num_gaps};
  int rc = checkParams(&p, weights, gaps, row_ptr, weight_code_lengths,
                       gap_code_lengths);
  if (rc != DCRT_OK)
    return rc;
  /* No overflow: rows * cols < 2^32 and codebook_size <= 256. */
  uint64_t n = (uint64_t)rows * (uint64_t)cols;
  if (!fits(codebook, (uint64_t)codebook_size) || !fits(out, n))
    return DCRT_ERR_OUTPUT;
  Sink sink = {0};
  sink.dense = 1;
  sink.out = (float *)out->aligned + out->offset;
  sink.codebook = (const float *)codebook->aligned + codebook->offset;
  for (uint64_t i = 0; i < n; ++i)
    sink.out[i] = 0.0f;
  return walk(&p, weights, gaps, row_ptr, weight_code_lengths, gap_code_lengths,
              &sink);
}
