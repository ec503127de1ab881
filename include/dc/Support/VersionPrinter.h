//===- VersionPrinter.h - dc's --version ------------------------*- C++ -*-===//

#ifndef DC_SUPPORT_VERSIONPRINTER_H
#define DC_SUPPORT_VERSIONPRINTER_H

namespace dc {

/// Makes --version print "dc <version> (LLVM/MLIR <version>)" (after
/// LLVM's own lines where a tool prints those, as dc-opt does). Call before
/// parsing the command line.
void addVersionPrinter();

} // namespace dc

#endif // DC_SUPPORT_VERSIONPRINTER_H
