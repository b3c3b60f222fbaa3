#!/usr/bin/env bash
# Regenerates Sources/KilnONNX/Generated/onnx.pb.swift from Scripts/onnx/onnx.proto.
#
# onnx.proto is the one shipped in the onnx Python package (onnx/onnx.proto, version 1.23.2 here):
#   python3 -c "import onnx, os; print(os.path.join(os.path.dirname(onnx.__file__), 'onnx.proto'))"
# protoc comes from grpcio-tools (pip install grpcio-tools); protoc-gen-swift is built from the
# swift-protobuf package Kiln depends on (about 9 minutes on 2 cores, once):
#   git clone https://github.com/apple/swift-protobuf && cd swift-protobuf && git checkout 1.39.0
#   swift build -c release --product protoc-gen-swift
# Usage: Scripts/generate-onnx-swift.sh PATH/TO/protoc-gen-swift
set -euo pipefail
plugin=${1:?usage: $0 PATH/TO/protoc-gen-swift}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root/Scripts/onnx"
python3 -m grpc_tools.protoc -I. --plugin=protoc-gen-swift="$plugin" \
  --swift_out="$root/Sources/KilnONNX/Generated" --swift_opt=Visibility=Package onnx.proto
echo "wrote Sources/KilnONNX/Generated/onnx.pb.swift"
