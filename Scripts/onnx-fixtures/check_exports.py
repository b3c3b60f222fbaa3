"""Exports every zoo model with `kiln export`, checks each file with onnx's checker
(full_check=True), runs it in ONNX Runtime and compares with `kiln run` of the zoo model on the
same inputs (largest |difference| over largest |value|, per model).

Run from the repository root after `swift build`:
    /path/to/python Scripts/onnx-fixtures/check_exports.py [MODEL ...]
(needs: pip install onnx onnxruntime numpy). Not run in CI: the Swift tests check the exports
structurally and by importing them back.
"""
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx
import onnxruntime as ort

KILN = os.path.join(".build", "debug", "kiln")


def file_name(name):
    return "".join(c if c.isalnum() or c in "._-" else "_" for c in name)


def check(name, directory):
    path = os.path.join(directory, name + ".onnx")
    subprocess.run([KILN, "export", name, "-o", path], check=True, capture_output=True)
    model = onnx.load(path)
    onnx.checker.check_model(model, full_check=True)
    rng = np.random.default_rng(0)
    feeds, arguments = {}, []
    for value in model.graph.input:
        tensor = value.type.tensor_type
        shape = [d.dim_value for d in tensor.shape.dim]
        if tensor.elem_type == onnx.TensorProto.FLOAT:
            feeds[value.name] = rng.standard_normal(shape).astype(np.float32)
        elif tensor.elem_type == onnx.TensorProto.BOOL:
            feeds[value.name] = rng.uniform(size=shape) < 0.5
        else:
            feeds[value.name] = rng.integers(0, 8, shape).astype(onnx.helper.tensor_dtype_to_np_dtype(tensor.elem_type))
        input_path = os.path.join(directory, f"{name}.{file_name(value.name)}.npy")
        np.save(input_path, feeds[value.name])
        arguments += ["--input", f"{value.name}={input_path}"]
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    expected = session.run(None, feeds)
    outputs = os.path.join(directory, name + ".out")
    os.makedirs(outputs, exist_ok=True)
    subprocess.run([KILN, "run", name, *arguments, "--output-dir", outputs, "--backend", "tcc"], check=True, capture_output=True)
    worst = 0.0
    for value, reference in zip(model.graph.output, expected):
        actual = np.load(os.path.join(outputs, file_name(value.name) + ".npy")).astype(np.float64)
        worst = max(worst, np.abs(actual - reference).max() / max(np.abs(reference).max(), 1e-30))
    return worst


def main():
    names = sys.argv[1:] or [line.split()[0] for line in subprocess.run([KILN, "models"], check=True, capture_output=True, text=True).stdout.splitlines()]
    failed = False
    with tempfile.TemporaryDirectory() as directory:
        for name in names:
            worst = check(name, directory)
            failed |= worst > 1e-5
            print(f"{name}: checker passed, ONNX Runtime vs kiln {worst:.2e}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
