# -*- Python -*-
# Runs the GoogleTest binaries of <build>/unittests as part of check-dc.

import os

import lit.formats

config.name = "DC-Unit"
config.suffixes = []
config.test_exec_root = os.path.join(config.dc_obj_root, "unittests")
config.test_source_root = config.test_exec_root
config.test_format = lit.formats.GoogleTest(".", "Tests")
