# What `cmake --install` puts where (README.md, "Installing"):
#
#   bin/                 the tools (dc_install_tool, in tools/*/CMakeLists.txt)
#   lib/                 the libraries, libDCPlugin.so (tools/dc-plugin) and
#                        libdc_runtime.so (lib/Runtime)
#   lib/dc-runtime/      the run-time objects dc-compile, dc-run and dc-train
#                        link (lib/Runtime); the tools look for them at
#                        <dir of the executable>/../lib/dc-runtime
#   lib/cmake/dc/        the CMake package: find_package(DC) (dc_install_package
#                        below, cmake/DCConfig.cmake.in)
#   lib/pkgconfig/       dc-runtime.pc, the C run-time (lib/Runtime)
#   include/dc/          the headers, hand-written and generated (include/)
#   share/doc/dc/        the docs and the ODS reference (docs/)
#
# The layout is fixed (bin, lib, not GNUInstallDirs' lib64 or multiarch
# directories): the tools find their run-time objects relative to themselves,
# and add_mlir_library installs its archives to lib already.

set(DC_INSTALL_CMAKE_DIR lib/cmake/dc)
set(DC_INSTALL_DOC_DIR share/doc/dc)

# Installs a tool to bin/. An installed tool finds dc's libraries next to
# itself ($ORIGIN/../lib, as LLVM sets it up) and libMLIR/libLLVM where the
# MLIR it was built against has them (which is not a system directory on
# Debian: /usr/lib/llvm-22/lib).
function(dc_install_tool name)
  set_property(TARGET ${name} APPEND PROPERTY INSTALL_RPATH "${LLVM_LIBRARY_DIR}")
  install(TARGETS ${name} RUNTIME DESTINATION bin COMPONENT ${name})
endfunction()

# Installs the libraries into the export set DCTargets (namespace DC::) and
# the package files find_package(DC) reads. Called once at the end of the
# top CMakeLists.txt, when every target exists. add_mlir_library and
# add_llvm_library install their archives already (into export sets nobody
# installs); installing them again here puts them in dc's own export set.
# Every dc library a public one links is in the list: an export set must be
# closed under the link dependencies of its targets. The libraries' own
# include directories are build-tree paths ($<BUILD_INTERFACE:...>); the
# installed targets get include/ from INCLUDES DESTINATION, and MLIR's and
# LLVM's from DCConfig.cmake.
function(dc_install_package)
  set(libraries
    # MLIR-free
    DCBase DCCodec DCData DCOptim DCTrainLoop DCRuntime dc_runtime DCSupport
    # the dialect, its passes and the compiler
    MLIRDC MLIRDCAnalysis MLIRDCTransforms DCCodegen DCConversion DCPipelines
    DCCompile DCModels DCExecution DCAutodiff DCTraining DCTrain DCToolSupport
    # the ONNX front end (libonnx and protobuf, found by DCConfig.cmake)
    DCImport DCOnnxProto)
  install(TARGETS ${libraries}
    EXPORT DCTargets
    ARCHIVE DESTINATION lib COMPONENT dc-libraries
    LIBRARY DESTINATION lib COMPONENT dc-libraries
    RUNTIME DESTINATION bin COMPONENT dc-libraries
    INCLUDES DESTINATION include)
  install(EXPORT DCTargets
    NAMESPACE DC::
    DESTINATION ${DC_INSTALL_CMAKE_DIR}
    COMPONENT dc-cmake-package)

  include(CMakePackageConfigHelpers)
  # DCConfig.cmake finds the MLIR dc was built with first (a hint, not a
  # requirement: MLIR_DIR set by the consumer wins).
  set(DC_MLIR_DIR "${MLIR_DIR}")
  configure_package_config_file(
    ${DC_SOURCE_DIR}/cmake/DCConfig.cmake.in
    ${DC_BINARY_DIR}/cmake/DCConfig.cmake
    INSTALL_DESTINATION ${DC_INSTALL_CMAKE_DIR})
  # dc is 0.x: a minor version may break its API.
  write_basic_package_version_file(
    ${DC_BINARY_DIR}/cmake/DCConfigVersion.cmake
    VERSION ${PROJECT_VERSION}
    COMPATIBILITY SameMinorVersion)
  install(FILES
    ${DC_BINARY_DIR}/cmake/DCConfig.cmake
    ${DC_BINARY_DIR}/cmake/DCConfigVersion.cmake
    DESTINATION ${DC_INSTALL_CMAKE_DIR}
    COMPONENT dc-cmake-package)
endfunction()
