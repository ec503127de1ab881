//===- ResourceCheck.cpp - Resource blobs MLIR 22 cannot parse ------------===//

#include "dc/Support/ResourceCheck.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringRef.h"

llvm::Error dc::checkResourceBlobs(const llvm::MemoryBuffer &input) {
  llvm::StringRef text = input.getBuffer();
  if (text.starts_with("ML\xefR")) // bytecode
    return llvm::Error::success();
  size_t section = text.find("dialect_resources");
  if (section == llvm::StringRef::npos)
    return llvm::Error::success();
  for (size_t at = text.find("\"0x", section); at != llvm::StringRef::npos;
       at = text.find("\"0x", at + 3)) {
    llvm::StringRef alignment = text.substr(at + 3, 8);
    // MLIR itself prints an empty blob with alignment 0, and parses it.
    bool empty = text.substr(at + 11, 1) == "\"";
    if (alignment.size() < 8 || empty ||
        alignment.find_first_not_of('0') != llvm::StringRef::npos)
      continue;
    // The key: the identifier before the colon ahead of the blob.
    llvm::StringRef before = text.substr(0, at).rtrim();
    before.consume_back(":");
    before = before.rtrim();
    size_t start = before.find_last_of(" \t\n\r{,");
    llvm::StringRef key =
        start == llvm::StringRef::npos ? before : before.substr(start + 1);
    unsigned line = 1 + text.substr(0, at).count('\n');
    return llvm::createStringError(
        std::errc::invalid_argument,
        "%s:%u: resource blob '%s' has alignment 0 (its first 4 bytes); it "
        "must be a power of two",
        input.getBufferIdentifier().str().c_str(), line, key.str().c_str());
  }
  return llvm::Error::success();
}

llvm::Error dc::checkIntegerLists(const llvm::MemoryBuffer &input) {
  llvm::StringRef text = input.getBuffer();
  if (text.starts_with("ML\xefR")) // bytecode
    return llvm::Error::success();
  for (llvm::StringRef keyword : {"permutation", "dimensions"}) {
    for (size_t at = text.find(keyword); at != llvm::StringRef::npos;
         at = text.find(keyword, at + 1)) {
      // A whole word, then `=` and `[` (other spellings, e.g. the generic
      // form's array<i64: ...>, go through the attribute parser, which is
      // safe).
      if (at > 0 && (llvm::isAlnum(text[at - 1]) || text[at - 1] == '_'))
        continue;
      llvm::StringRef rest = text.substr(at + keyword.size()).ltrim();
      if (!rest.consume_front("="))
        continue;
      rest = rest.ltrim();
      if (!rest.starts_with("["))
        continue;
      rest = rest.drop_front().ltrim();
      bool ok = true;
      if (!rest.consume_front("]")) {
        while (true) {
          rest.consume_front("-");
          size_t digits = rest.find_first_not_of("0123456789");
          if (digits == 0 || digits == llvm::StringRef::npos) {
            ok = false;
            break;
          }
          rest = rest.drop_front(digits).ltrim();
          if (rest.consume_front("]"))
            break;
          if (!rest.consume_front(",")) {
            ok = false;
            break;
          }
          rest = rest.ltrim();
        }
      }
      if (ok)
        continue;
      llvm::StringRef before = text.substr(0, at);
      unsigned line = 1 + before.count('\n');
      size_t lineStart = before.rfind('\n');
      unsigned column =
          at - (lineStart == llvm::StringRef::npos ? 0 : lineStart + 1) + 1;
      return llvm::createStringError(
          std::errc::invalid_argument,
          "%s:%u:%u: malformed '%s' list: expected integers separated "
          "by ',' and a closing ']'",
          input.getBufferIdentifier().str().c_str(), line, column,
          keyword.str().c_str());
    }
  }
  return llvm::Error::success();
}

llvm::Error dc::checkParserHazards(const llvm::MemoryBuffer &input) {
  if (llvm::Error e = checkResourceBlobs(input))
    return e;
  return checkIntegerLists(input);
}
