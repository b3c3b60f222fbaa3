"""Builds the ONNX test models with the onnx package's helpers and records ONNX Runtime's outputs.

Run from this folder: python3 make_onnx_fixtures.py  (needs: pip install onnx onnxruntime numpy).
Each model NAME has one input `x` and one output `y`: NAME.onnx, NAME.x.npy, NAME.y.npy.
The script is not run in CI; its outputs are committed.
"""
import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

rng = np.random.default_rng(0)
OPSET = 17


def weight(name, *shape, scale=0.5):
    return numpy_helper.from_array((rng.standard_normal(shape) * scale).astype(np.float32), name)


def ints(name, values):
    return numpy_helper.from_array(np.array(values, dtype=np.int64), name)


def save(name, nodes, initializers, x_shape, y_shape, opset=OPSET, x=None):
    graph = helper.make_graph(
        nodes, name,
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, x_shape)],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, y_shape)],
        initializers)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, f"{name}.onnx")
    if x is None:
        x = rng.standard_normal(x_shape).astype(np.float32)
    y = ort.InferenceSession(f"{name}.onnx", providers=["CPUExecutionProvider"]).run(["y"], {"x": x})[0]
    np.save(f"{name}.x.npy", x)
    np.save(f"{name}.y.npy", y.astype(np.float32))
    print(name, x.shape, "->", y.shape)


# An MLP whose flatten goes through Shape -> Gather -> Unsqueeze -> Concat -> Reshape, as exporters write it.
save("mlp", [
    helper.make_node("Shape", ["x"], ["s"]),
    helper.make_node("Gather", ["s", "zero"], ["batch"], axis=0),
    helper.make_node("Unsqueeze", ["batch", "axes0"], ["batch1"]),
    helper.make_node("Concat", ["batch1", "minus1"], ["target"], axis=0),
    helper.make_node("Reshape", ["x", "target"], ["flat"]),
    helper.make_node("Gemm", ["flat", "w1", "b1"], ["h"], transB=1),
    helper.make_node("Relu", ["h"], ["r"]),
    helper.make_node("Gemm", ["r", "w2", "b2"], ["z"], alpha=0.5, beta=2.0),
    helper.make_node("Softmax", ["z"], ["y"], axis=-1),
], [weight("w1", 16, 12), weight("b1", 16), weight("w2", 16, 5), weight("b2", 5),
    ints("zero", 0), ints("axes0", [0]), ints("minus1", [-1])], [4, 3, 4], [4, 5])

# Shape operators and elementwise odds and ends.
save("shapes", [
    helper.make_node("Transpose", ["x"], ["t"], perm=[0, 2, 1]),
    helper.make_node("Split", ["t", "sizes"], ["a", "b"], axis=2),
    helper.make_node("Mul", ["a", "a"], ["a2"]),
    helper.make_node("Concat", ["a2", "b"], ["c"], axis=2),
    helper.make_node("Slice", ["c", "starts", "ends", "axes", "steps"], ["s"]),
    helper.make_node("Pad", ["s", "pads", "padvalue"], ["p"]),
    helper.make_node("ReduceMean", ["p"], ["m"], axes=[1], keepdims=1),
    helper.make_node("Sub", ["p", "m"], ["centered"]),
    helper.make_node("Clip", ["centered", "lo", "hi"], ["clipped"]),
    helper.make_node("Greater", ["clipped", "zerof"], ["positive"]),
    helper.make_node("Where", ["positive", "clipped", "zerof"], ["rectified"]),
    helper.make_node("Max", ["rectified", "centered"], ["mx"]),
    helper.make_node("Unsqueeze", ["mx", "uaxes"], ["u"]),
    helper.make_node("Squeeze", ["u", "uaxes"], ["sq"]),
    helper.make_node("Flatten", ["sq"], ["y"], axis=1),
], [ints("sizes", [1, 2]), ints("starts", [0, 1]), ints("ends", [100, -1]), ints("axes", [0, 1]), ints("steps", [1, 1]),
    ints("pads", [0, 1, 0, 0, 0, 2]), numpy_helper.from_array(np.array(0.5, np.float32), "padvalue"),
    numpy_helper.from_array(np.array(-0.7, np.float32), "lo"),
    numpy_helper.from_array(np.array(0.8, np.float32), "hi"), numpy_helper.from_array(np.array(0, np.float32), "zerof"),
    ints("uaxes", [1])], [2, 3, 4], [2, 15])
