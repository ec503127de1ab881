//===- Report.cpp - The per-layer compression report ----------------------===//
//
// The paper's per-layer table (Han et al. 2016, Tables 2-5) as text, and
// the same fields as JSON. Bytes are the stored bytes of docs/Format.md,
// equal to the payload of the dc.constant ops in the output IR.
//
//===----------------------------------------------------------------------===//

#include "dc/Dialect/DC/Transforms/Report.h"
#include "PassArguments.h"

#include "dc/Codec/Format.h"
#include "dc/Support/FileIO.h"
#include "dc/Support/Version.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/JSON.h"

using namespace mlir;
using namespace mlir::dc;
using ::dc::OutputFile;

static std::string shapeString(ArrayRef<int64_t> shape) {
  std::string s;
  llvm::raw_string_ostream os(s);
  llvm::interleave(shape, os, "x");
  return s;
}

static double ratio(uint64_t before, uint64_t after) {
  return after ? double(before) / double(after) : 0.0;
}

namespace {
struct Totals {
  uint64_t weights = 0, kept = 0, before = 0, noEntropy = 0, after = 0;
  explicit Totals(ArrayRef<LayerReport> layers) {
    for (const LayerReport &l : layers) {
      weights += l.weights;
      kept += l.kept;
      before += l.bytesBefore;
      noEntropy += l.bytesNoEntropy;
      after += l.bytesAfter;
    }
  }
};
} // namespace

static uint64_t streamBytes(std::optional<DenseResourceElementsAttr> stream) {
  return stream && *stream
             ? uint64_t(cast<RankedTensorType>(stream->getType()).getDimSize(0))
             : uint64_t(0);
}

void mlir::dc::describeStoredLayer(ConstantOp op, LayerReport &r) {
  CompressedTensorType type = op.getType();
  EncodingAttr enc = type.getEncoding();
  r.shape.assign(type.getShape().begin(), type.getShape().end());
  r.layout = stringifyLayout(enc.getLayout()).str();
  r.entropy = stringifyEntropy(enc.getEntropy()).str();
  r.weights = type.getNumElements();
  r.weightBits = enc.getWeightBits();
  r.indexBits = enc.getIndexBits();
  uint64_t numWeights = op.getNumWeights(), numGaps = op.getNumGaps();
  bool huffman = enc.getEntropy() == Entropy::Huffman;
  r.weightBitsCoded = r.indexBitsCoded = 0;
  if (numWeights) {
    r.weightBitsCoded = huffman
                            ? 8.0 * streamBytes(op.getWeights()) / numWeights
                            : double(r.weightBits);
    r.indexBitsCoded = huffman ? 8.0 * streamBytes(op.getGaps()) / numWeights
                               : double(numGaps) * r.indexBits / numWeights;
  }
  r.bytesBefore = r.weights * sizeof(float);
  r.bytesAfter = op.getStoredBytes();
  r.bytesNoEntropy = ::dc::codec::rawStoredBytes(
      enc.toCodecParams(),
      *::dc::codec::matrixShapeOf(r.shape.data(), r.shape.size()),
      op.getCodebook().size(), numWeights, numGaps);
}

void mlir::dc::printReportText(llvm::raw_ostream &os,
                               ArrayRef<LayerReport> layers,
                               ArrayRef<LeftWeight> left) {
  size_t nameWidth = 5, shapeWidth = 5;
  for (const LayerReport &l : layers) {
    nameWidth = std::max(nameWidth, l.name.size() + (l.form != "stored"));
    shapeWidth = std::max(shapeWidth, shapeString(l.shape).size());
  }
  os << "Deep Compression report: weight bits / index bits are per stored "
        "symbol, (H) after Huffman;\nbytes count everything stored "
        "(docs/Format.md); P+Q = pruning + quantization, H = Huffman.\n";
  os << llvm::left_justify("Layer", nameWidth) << "  "
     << llvm::left_justify("Shape", shapeWidth)
     << "  Kind       Weights  Kept%  Layout  WBits  WBits(H)  IBits  "
        "IBits(H)     Bytes   Bytes P+Q  Bytes P+Q+H   Ratio P+Q  "
        "Ratio P+Q+H\n";
  bool unstored = false;
  for (const LayerReport &l : layers) {
    unstored |= l.form != "stored";
    os << llvm::left_justify(l.form == "stored" ? l.name : l.name + "*",
                             nameWidth)
       << "  " << llvm::left_justify(shapeString(l.shape), shapeWidth) << "  "
       << llvm::left_justify(l.kind, 4)
       << llvm::format("  %12llu  %5.1f  %-6s  %5u  %8.2f  %5u  %8.2f  "
                       "%8llu  %10llu  %11llu  %9.1fx  %10.1fx\n",
                       (unsigned long long)l.weights,
                       l.weights ? 100.0 * l.kept / l.weights : 0.0,
                       l.layout.c_str(), l.weightBits, l.weightBitsCoded,
                       l.indexBits, l.indexBitsCoded,
                       (unsigned long long)l.bytesBefore,
                       (unsigned long long)l.bytesNoEntropy,
                       (unsigned long long)l.bytesAfter,
                       ratio(l.bytesBefore, l.bytesNoEntropy),
                       ratio(l.bytesBefore, l.bytesAfter));
  }
  Totals t(layers);
  os << llvm::left_justify("Total", nameWidth) << "  "
     << llvm::left_justify("", shapeWidth) << "      "
     << llvm::format("  %12llu  %5.1f  %-6s  %5s  %8s  %5s  %8s  %8llu  "
                     "%10llu  %11llu  %9.1fx  %10.1fx\n",
                     (unsigned long long)t.weights,
                     t.weights ? 100.0 * t.kept / t.weights : 0.0, "", "", "",
                     "", "", (unsigned long long)t.before,
                     (unsigned long long)t.noEntropy,
                     (unsigned long long)t.after, ratio(t.before, t.noEntropy),
                     ratio(t.before, t.after));
  if (unstored)
    os << "* not stored yet (a trainable form or codebook gather): what "
       << encodePassArgument() << " would store with its default options\n";
  if (!left.empty())
    os << "Left uncompressed: " << left.size() << " constant weight"
       << (left.size() == 1 ? "" : "s") << "\n";
  for (const LeftWeight &l : left)
    os << "  " << l.consumer << " operand " << l.operand << " " << l.type
       << " at " << l.location << ": " << l.reason << "\n";
}

ReportRun mlir::dc::reportRunOf(ModuleOp module, StringRef pass) {
  ReportRun run{DC_VERSION_STRING, "", "", pass.str()};
  if (auto file = dyn_cast<FileLineColLoc>(module.getLoc()))
    run.input = file.getFilename().str();
  if (std::optional<StringRef> name = module.getSymName())
    run.module = name->str();
  return run;
}

void mlir::dc::printReportJSON(llvm::raw_ostream &os,
                               ArrayRef<LayerReport> layers,
                               ArrayRef<LeftWeight> left,
                               const ReportRun &run) {
  llvm::json::Array array;
  for (const LayerReport &l : layers) {
    llvm::json::Array shape;
    for (int64_t d : l.shape)
      shape.push_back(d);
    array.push_back(llvm::json::Object{
        {"name", l.name},
        {"form", l.form},
        {"shape", std::move(shape)},
        {"kind", l.kind},
        {"weights", int64_t(l.weights)},
        {"kept", int64_t(l.kept)},
        {"kept_percent", l.weights ? 100.0 * l.kept / l.weights : 0.0},
        {"layout", l.layout},
        {"entropy", l.entropy},
        {"weight_bits", l.weightBits},
        {"weight_bits_coded", l.weightBitsCoded},
        {"index_bits", l.indexBits},
        {"index_bits_coded", l.indexBitsCoded},
        {"bytes_before", int64_t(l.bytesBefore)},
        {"bytes_no_entropy", int64_t(l.bytesNoEntropy)},
        {"bytes_after", int64_t(l.bytesAfter)},
        {"ratio_no_entropy", ratio(l.bytesBefore, l.bytesNoEntropy)},
        {"ratio", ratio(l.bytesBefore, l.bytesAfter)},
    });
  }
  Totals t(layers);
  llvm::json::Object root{
      {"dc_version", run.version},
      {"input", run.input},
      {"module", run.module},
      {"pass", run.pass},
      {"layers", std::move(array)},
      {"total",
       llvm::json::Object{
           {"weights", int64_t(t.weights)},
           {"kept", int64_t(t.kept)},
           {"bytes_before", int64_t(t.before)},
           {"bytes_no_entropy", int64_t(t.noEntropy)},
           {"bytes_after", int64_t(t.after)},
           {"ratio_no_entropy", ratio(t.before, t.noEntropy)},
           {"ratio", ratio(t.before, t.after)},
       }},
  };
  llvm::json::Array leftArray;
  for (const LeftWeight &l : left)
    leftArray.push_back(llvm::json::Object{{"consumer", l.consumer},
                                           {"location", l.location},
                                           {"operand", l.operand},
                                           {"type", l.type},
                                           {"reason", l.reason}});
  root["uncompressed"] = std::move(leftArray);
  os << llvm::formatv("{0:2}", llvm::json::Value(std::move(root))) << "\n";
}

LogicalResult mlir::dc::writeReport(ModuleOp module,
                                    const ReportTarget &target,
                                    ArrayRef<LayerReport> layers,
                                    ArrayRef<LeftWeight> left) {
  StringRef path = target.path;
  if (path.empty())
    return success();
  // At the module's location, without the module printed after the
  // message (an I/O error is not about the IR).
  auto emitError = [&] { return mlir::emitError(module.getLoc()); };
  auto print = [&](llvm::raw_ostream &os) {
    if (target.format == ReportFormat::Json)
      printReportJSON(os, layers, left, reportRunOf(module, target.pass));
    else
      printReportText(os, layers, left);
  };
  // dc/Support/FileIO.h: stdout, a stream, or a temporary renamed over the
  // file; never half a report, and a failed write is an error.
  llvm::Expected<OutputFile> file = OutputFile::create(path);
  if (!file)
    return emitError() << "report: " << llvm::toString(file.takeError());
  print(file->os());
  if (llvm::Error error = file->commit())
    return emitError() << "report: " << llvm::toString(std::move(error));
  return success();
}

LogicalResult mlir::dc::checkReportPath(MLIRContext *context, StringRef path) {
  if (path.empty())
    return success();
  if (llvm::Error e = ::dc::toolFiles().checkOutput("report=", path)) {
    mlir::emitError(FileLineColLoc::get(context, path, 0, 0))
        << "report: " << llvm::toString(std::move(e));
    return failure();
  }
  return success();
}
