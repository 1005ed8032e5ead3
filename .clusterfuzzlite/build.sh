#!/bin/bash -eu
# SPDX-License-Identifier: BSD-2-Clause-Patent
# ClusterFuzzLite entry point: the project's own OSS-Fuzz build script.
exec "$SRC/rtprm/fuzz/oss-fuzz/build.sh"
