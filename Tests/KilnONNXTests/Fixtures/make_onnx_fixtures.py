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

# A convolutional network: Conv (pads, stride) -> BatchNormalization -> Relu -> MaxPool -> Conv (auto_pad, groups)
# -> LeakyRelu -> AveragePool -> GlobalAveragePool -> Flatten -> Gemm.
save("convnet", [
    helper.make_node("Conv", ["x", "cw1", "cb1"], ["c1"], pads=[1, 1, 1, 1], strides=[2, 2]),
    helper.make_node("BatchNormalization", ["c1", "bn_s", "bn_b", "bn_m", "bn_v"], ["b1"], epsilon=1e-3),
    helper.make_node("Relu", ["b1"], ["r1"]),
    helper.make_node("MaxPool", ["r1"], ["p1"], kernel_shape=[2, 2], strides=[2, 2]),
    helper.make_node("Conv", ["p1", "cw2"], ["c2"], auto_pad="SAME_UPPER", group=2),
    helper.make_node("LeakyRelu", ["c2"], ["l2"], alpha=0.2),
    helper.make_node("AveragePool", ["l2"], ["a2"], kernel_shape=[3, 3], strides=[1, 1], pads=[1, 1, 1, 1]),
    helper.make_node("HardSigmoid", ["a2"], ["h2"]),
    helper.make_node("GlobalAveragePool", ["h2"], ["g"]),
    helper.make_node("Flatten", ["g"], ["f"]),
    helper.make_node("Gemm", ["f", "fw", "fb"], ["y"], transB=1),
], [weight("cw1", 8, 3, 3, 3), weight("cb1", 8), numpy_helper.from_array(rng.uniform(0.5, 1.5, 8).astype(np.float32), "bn_s"),
    weight("bn_b", 8), weight("bn_m", 8), numpy_helper.from_array(rng.uniform(0.5, 2, 8).astype(np.float32), "bn_v"),
    weight("cw2", 8, 4, 3, 3), weight("fw", 5, 8), weight("fb", 5)], [2, 3, 16, 16], [2, 5])

# A transformer encoder block (post-norm): self-attention with 2 heads, residual, LayerNormalization,
# a GELU feed-forward written with Erf, residual, LayerNormalization.
T, D, H = 6, 8, 2
attention = [
    helper.make_node("MatMul", ["x", "wq"], ["q"]), helper.make_node("MatMul", ["x", "wk"], ["k"]),
    helper.make_node("MatMul", ["x", "wv"], ["v"]),
]
for name in ["q", "k", "v"]:
    attention += [helper.make_node("Reshape", [name, "heads_shape"], [name + "4"]),
                  helper.make_node("Transpose", [name + "4"], [name + "h"], perm=[0, 2, 1, 3])]
attention += [
    helper.make_node("Transpose", ["kh"], ["kt"], perm=[0, 1, 3, 2]),
    helper.make_node("MatMul", ["qh", "kt"], ["scores"]),
    helper.make_node("Div", ["scores", "sqrt_d"], ["scaled"]),
    helper.make_node("Softmax", ["scaled"], ["weights"], axis=-1),
    helper.make_node("MatMul", ["weights", "vh"], ["context"]),
    helper.make_node("Transpose", ["context"], ["ct"], perm=[0, 2, 1, 3]),
    helper.make_node("Reshape", ["ct", "model_shape"], ["merged"]),
    helper.make_node("MatMul", ["merged", "wo"], ["attended"]),
    helper.make_node("Add", ["x", "attended"], ["res1"]),
    helper.make_node("LayerNormalization", ["res1", "ln1_s", "ln1_b"], ["n1"], axis=-1, epsilon=1e-5),
    helper.make_node("MatMul", ["n1", "w1"], ["ff1"]), helper.make_node("Add", ["ff1", "b1"], ["ff1b"]),
    helper.make_node("Div", ["ff1b", "sqrt2"], ["ffd"]), helper.make_node("Erf", ["ffd"], ["ffe"]),
    helper.make_node("Add", ["ffe", "one"], ["ffa"]), helper.make_node("Mul", ["ff1b", "ffa"], ["ffm"]),
    helper.make_node("Mul", ["ffm", "half"], ["gelu"]),
    helper.make_node("MatMul", ["gelu", "w2"], ["ff2"]), helper.make_node("Add", ["ff2", "b2"], ["ff2b"]),
    helper.make_node("Add", ["n1", "ff2b"], ["res2"]),
    helper.make_node("LayerNormalization", ["res2", "ln2_s", "ln2_b"], ["y"], axis=-1, epsilon=1e-5),
]
scalar = lambda name, value: numpy_helper.from_array(np.array(value, np.float32), name)
save("transformer", attention, [
    weight("wq", D, D), weight("wk", D, D), weight("wv", D, D), weight("wo", D, D),
    ints("heads_shape", [1, T, H, D // H]), ints("model_shape", [1, T, D]), scalar("sqrt_d", np.sqrt(D // H)),
    numpy_helper.from_array(rng.uniform(0.5, 1.5, D).astype(np.float32), "ln1_s"), weight("ln1_b", D),
    weight("w1", D, 16), weight("b1", 16), weight("w2", 16, D), weight("b2", D),
    scalar("sqrt2", np.sqrt(2)), scalar("one", 1), scalar("half", 0.5),
    numpy_helper.from_array(rng.uniform(0.5, 1.5, D).astype(np.float32), "ln2_s"), weight("ln2_b", D),
], [1, T, D], [1, T, D])

# A bidirectional LSTM with biases and initial states, its Y output flattened; and a GRU (linear_before_reset).
S, B, I, HID = 5, 2, 3, 4
save("lstm", [
    helper.make_node("LSTM", ["x", "W", "R", "B", "", "h0", "c0"], ["Y", "Y_h", "Y_c"], hidden_size=HID, direction="bidirectional"),
    helper.make_node("Reshape", ["Y", "flat"], ["yf"]),
    helper.make_node("Reshape", ["Y_c", "flat"], ["cf"]),
    helper.make_node("Concat", ["yf", "cf"], ["y"], axis=0),
], [weight("W", 2, 4 * HID, I), weight("R", 2, 4 * HID, HID), weight("B", 2, 8 * HID),
    weight("h0", 2, B, HID), weight("c0", 2, B, HID), ints("flat", [-1])], [S, B, I], [S * 2 * B * HID + 2 * B * HID])
save("gru", [
    helper.make_node("GRU", ["x", "W", "R", "B"], ["Y", "Y_h"], hidden_size=HID, linear_before_reset=1),
    helper.make_node("GRU", ["x", "W2", "R2", "B2"], ["Z", "Z_h"], hidden_size=HID, direction="reverse"),
    helper.make_node("Add", ["Y_h", "Z_h"], ["y"]),
], [weight("W", 1, 3 * HID, I), weight("R", 1, 3 * HID, HID), weight("B", 1, 6 * HID),
    weight("W2", 1, 3 * HID, I), weight("R2", 1, 3 * HID, HID), weight("B2", 1, 6 * HID)], [S, B, I], [1, B, HID])

# A digits classifier (64 -> 32 -> 10) to fine-tune with kiln train: its weights are random, so
# fine-tuning has everything to learn.
save("digits_mlp", [
    helper.make_node("Gemm", ["x", "w1", "b1"], ["h"], transB=1),
    helper.make_node("Relu", ["h"], ["r"]),
    helper.make_node("Gemm", ["r", "w2", "b2"], ["y"], transB=1),
], [weight("w1", 32, 64, scale=0.2), weight("b1", 32, scale=0.0), weight("w2", 10, 32, scale=0.2), weight("b2", 10, scale=0.0)],
   [32, 64], [32, 10])
