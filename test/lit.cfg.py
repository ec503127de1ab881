# -*- Python -*-
# lit configuration of the dc regression tests (check-dc).

import os

import lit.formats
from lit.llvm import llvm_config

config.name = "DC"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.dc_obj_root, "test")
config.excludes = ["Inputs", "CMakeLists.txt", "lit.cfg.py",
                   "lit.site.cfg.py"]

llvm_config.with_system_environment(["HOME", "INCLUDE", "LIB", "TMP", "TEMP",
                                     "ASAN_OPTIONS", "UBSAN_OPTIONS",
                                     "LSAN_OPTIONS"])
llvm_config.use_default_substitutions()

config.dc_tools_dir = os.path.join(config.dc_obj_root, "bin")
config.dc_libs_dir = os.path.join(config.dc_obj_root, "lib")
config.substitutions.append(("%dc_libs", config.dc_libs_dir))
config.substitutions.append(("%dc_tools", config.dc_tools_dir))
config.substitutions.append(("%shlibext", config.llvm_shlib_ext))
config.substitutions.append(("%dc_src", config.dc_src_root))
# The build tree itself, and what built it: install.test installs it
# (cmake --install) and builds out-of-tree consumers against the install.
config.substitutions.append(("%dc_obj_root", config.dc_obj_root))
config.substitutions.append(("%cmake", config.dc_cmake))
config.substitutions.append(("%make_program", config.dc_make_program))
config.substitutions.append(("%cxx", config.dc_cxx_compiler))

# The dc tools first, then LLVM's (FileCheck, not, the stock mlir-opt).
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
llvm_config.with_environment("PATH", config.dc_tools_dir, append_path=True)
tool_dirs = [config.dc_tools_dir, config.llvm_tools_dir]
stock_tools = ["mlir-opt", "mlir-runner", "mlir-translate"]
if config.dc_sanitizer:
    # A sanitizer build (scripts/test.sh, build-asan/): dc's tools and
    # libraries are instrumented, LLVM's are not. The stock mlir-opt and
    # mlir-runner load instrumented libraries (the plugin, libdc_runtime), so
    # they get the ASan runtime preloaded; nothing else does.
    import subprocess
    from lit.llvm.subst import ToolSubst
    runtime = subprocess.check_output(
        [config.dc_c_compiler, "-print-file-name=libclang_rt.asan-x86_64.so"],
        text=True).strip()
    stock_tools = [
        # Their own leaks (mlir-runner's JIT'd @main allocates its result
        # buffer and never frees it) are not dc's: leak checking stays on
        # for dc's tools only.
        ToolSubst(t, command="env LD_PRELOAD=%s ASAN_OPTIONS=%s %s" % (
            runtime,
            ":".join(filter(None, [os.environ.get("ASAN_OPTIONS", ""),
                                   "detect_leaks=0"])),
            os.path.join(config.llvm_tools_dir, t)))
        for t in stock_tools]
    config.available_features.add("sanitizer")
llvm_config.add_tool_substitutions(
    ["dc-opt", "dc-model-gen", "dc-compile", "dc-grad-check", "dc-run",
     "dc-train", "dc-import-onnx",
     "llvm-nm", "llvm-readelf"] +
    stock_tools, tool_dirs)

# dc-train's step libraries are cached in the build tree, shared by the tests.
config.environment["DC_CACHE_DIR"] = os.path.join(config.test_exec_root,
                                                  "step-cache")

# A C compiler for the harnesses that load dc-compile's libraries.
config.substitutions.append(
    ("%cc", os.path.join(config.llvm_tools_dir, "clang")))

# AArch64 libraries run under user-mode QEMU with Debian's cross libc.
if os.path.exists("/usr/bin/qemu-aarch64") and os.path.isdir(
        "/usr/aarch64-linux-gnu/lib"):
    config.available_features.add("qemu-aarch64")

# x86-64 libraries on older (or newer) CPUs than the host's: qemu-x86_64's
# models (dc-compile-cpu-check.test).
import platform
if platform.machine() == "x86_64" and os.path.exists("/usr/bin/qemu-x86_64"):
    config.available_features.add("qemu-x86_64")

# mlir-runner's support libraries (printMemrefF32 and friends).
llvm_lib_dir = os.path.join(os.path.dirname(config.llvm_tools_dir), "lib")
# ... and dc's run-time decoder (lib/Runtime), which @dc_init calls.
config.substitutions.append(
    ("%mlir_runner_libs",
     ",".join([os.path.join(llvm_lib_dir, "lib" + name + config.llvm_shlib_ext)
               for name in ["mlir_runner_utils", "mlir_c_runner_utils"]] +
              [os.path.join(config.dc_libs_dir,
                            "libdc_runtime" + config.llvm_shlib_ext)])))

# ONNX's own backend tests (Debian's libonnx-testdata), which the
# conformance runner (scripts/onnx-conformance.py) runs through dc.
onnx_testdata = "/usr/share/libonnx-testdata/data"
if os.path.isdir(os.path.join(onnx_testdata, "node")):
    config.available_features.add("onnx-testdata")
config.substitutions.append(("%onnx_testdata", onnx_testdata))
# ONNX models of the tests are written in protobuf's text format and encoded
# with protoc (Debian's protobuf-compiler) against libonnx-dev's onnx.proto.
config.substitutions.append(
    ("%onnx_encode", "protoc -I/usr/include/onnx /usr/include/onnx/onnx.proto "
                     "--encode=onnx.ModelProto"))
config.substitutions.append(
    ("%tensor_encode", "protoc -I/usr/include/onnx /usr/include/onnx/onnx.proto "
                       "--encode=onnx.TensorProto"))

if config.dc_enable_fuzzers:
    config.available_features.add("fuzzers")

# Tests that create device nodes (mknod) in their own folder need root.
if hasattr(os, "geteuid") and os.geteuid() == 0:
    config.available_features.add("root")

# The PyTorch comparisons run where Debian's python3-torch is installed
# (not in the default test run: scripts/test.sh does not install it).
import subprocess as _sp
if _sp.call(["/usr/bin/python3", "-c", "import torch, numpy"],
            stdout=_sp.DEVNULL, stderr=_sp.DEVNULL) == 0:
    config.available_features.add("torch")
    config.substitutions.append(("%torch_python", "/usr/bin/python3"))
