"""Builds one small ONNX model per imported operator (or exporter pattern) with the onnx package's
helpers and records ONNX Runtime's outputs, for Tests/KilnONNXTests/OperatorFixtureTests.swift.

Run from the repository root: /path/to/python Scripts/onnx-fixtures/make_operator_fixtures.py
(needs: pip install onnx onnxruntime numpy). Each model NAME has a float input `x` (some also a
boolean input `mask`) and one output `y`; it writes NAME.onnx, NAME.x.npy (NAME.mask.npy) and
NAME.y.npy into Tests/KilnONNXTests/Fixtures/operators. The script is not run in CI; its outputs
are committed.
"""
import os

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "KilnONNXTests", "Fixtures", "operators")
rng = np.random.default_rng(15)
node = helper.make_node


def weight(name, *shape, scale=0.5):
    return numpy_helper.from_array((rng.standard_normal(shape) * scale).astype(np.float32), name)


def ints(name, values):
    return numpy_helper.from_array(np.array(values, dtype=np.int64), name)


def floats(name, values):
    return numpy_helper.from_array(np.array(values, dtype=np.float32), name)


def save(name, nodes, initializers, x_shape, opset=17, x=None, mask_shape=None, y_type=TensorProto.FLOAT, check=True):
    inputs = [helper.make_tensor_value_info("x", TensorProto.FLOAT, x_shape)]
    feeds = {"x": rng.standard_normal(x_shape).astype(np.float32) if x is None else x.astype(np.float32)}
    if mask_shape is not None:
        inputs.append(helper.make_tensor_value_info("mask", TensorProto.BOOL, mask_shape))
        feeds["mask"] = rng.uniform(size=mask_shape) < 0.5
    def model(y_shape):
        output = helper.make_tensor_value_info("y", y_type, y_shape)
        graph = helper.make_graph(nodes, name, inputs, [output], initializers)
        built = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
        built.ir_version = 9
        return built

    def run(built):
        options = ort.SessionOptions()
        options.log_severity_level = 3  # the first run declares a scalar output
        session = ort.InferenceSession(built.SerializeToString(), options, providers=["CPUExecutionProvider"])
        return session.run(["y"], feeds)[0]

    y = run(model([]))  # the output's shape, for the declared output
    final = model(list(y.shape))
    if check:
        onnx.checker.check_model(final)
    path = os.path.join(OUT, name)
    onnx.save(final, path + ".onnx")
    y = run(final)
    for key, value in feeds.items():
        np.save(f"{path}.{key}.npy", value)
    np.save(path + ".y.npy", y if y_type == TensorProto.BOOL else y.astype(np.float32))
    print(name, {k: v.shape for k, v in feeds.items()}, "->", y.shape)


os.makedirs(OUT, exist_ok=True)

# The probes of issue 15: a float constant expanded by an int64 shape stays float; recurrent layers
# whose zero initial states the exporter builds from Shape(x).
save("expand_probe", [
    node("Constant", [], ["half"], value=floats("half", 0.5)),
    node("Shape", ["x"], ["s"]),
    node("Expand", ["half", "s"], ["e"]),
    node("Add", ["x", "e"], ["y"]),
], [], [2, 3])
S, B, I, HID = 5, 2, 3, 4
zero_state = [
    node("Shape", ["x"], ["xs"]),
    node("Gather", ["xs", "one"], ["batch"], axis=0),
    node("Unsqueeze", ["batch", "axes0"], ["batch1"]),
    node("Concat", ["ones", "batch1", "hidden"], ["state_shape"], axis=0),
    node("Constant", [], ["zero"], value=floats("zero", 0.0)),
    node("Expand", ["zero", "state_shape"], ["h0"]),
]
state_constants = [ints("one", 1), ints("axes0", [0]), ints("ones", [1]), ints("hidden", [HID])]
save("gru_no_state", zero_state + [
    node("GRU", ["x", "W", "R", "B", "", "h0"], ["Y", "Y_h"], hidden_size=HID),
    node("Add", ["Y_h", "Y_h"], ["y"]),
], state_constants + [weight("W", 1, 3 * HID, I), weight("R", 1, 3 * HID, HID), weight("B", 1, 6 * HID)], [S, B, I])
save("lstm_no_state", zero_state + [
    node("LSTM", ["x", "W", "R", "B", "", "h0", "h0"], ["Y", "Y_h", "Y_c"], hidden_size=HID),
    node("Squeeze", ["Y", "axes1"], ["y"]),
], state_constants + [ints("axes1", [1]), weight("W", 1, 4 * HID, I), weight("R", 1, 4 * HID, HID), weight("B", 1, 8 * HID)],
    [S, B, I])

# A causal mask from Shape alone (Trilu), positions from Range, and the Mod of shape arithmetic.
T = 5
save("causal_mask", [
    node("Shape", ["x"], ["s"]),
    node("Gather", ["s", "last"], ["t"], axis=0),
    node("Unsqueeze", ["t", "axes0"], ["t1"]),
    node("Concat", ["t1", "t1"], ["square"], axis=0),
    node("ConstantOfShape", ["square"], ["ones"], value=floats("one", [1.0])),
    node("Trilu", ["ones", "k1"], ["upper"], upper=1),
    node("Cast", ["upper"], ["upper_bool"], to=TensorProto.BOOL),
    node("Where", ["upper_bool", "minus_inf", "x"], ["masked"]),
    node("Range", ["zero", "t", "one"], ["positions"]),
    node("Mod", ["positions", "two"], ["parity"]),
    node("Cast", ["parity"], ["parity_f"], to=TensorProto.FLOAT),
    node("Add", ["masked", "parity_f"], ["shifted"]),
    node("Softmax", ["shifted"], ["y"], axis=-1),
], [ints("last", 1), ints("axes0", [0]), ints("k1", 1), floats("minus_inf", -np.inf), ints("zero", 0), ints("one", 1),
    ints("two", 2)], [T, T])

# Elementwise rounding, signs and remainders (x spans several steps, with halves).
halves = np.array([[-2.5, -1.5, -0.5, 0.5, 1.5, 2.5], [-2.7, -0.2, 0.0, 0.3, 1.7, 3.49]], np.float32)
for op in ["Floor", "Ceil", "Round", "Sign"]:
    save(op.lower(), [node(op, ["x"], ["y"])], [], [2, 6], x=halves)
save("mod_fmod", [node("Mod", ["x", "divisor"], ["y"], fmod=1)], [floats("divisor", [1.5, -1.5, 2.0, -0.75, 1.0, 3.0])],
     [2, 6], x=halves * 1.3)
save("isnan_isinf", [
    node("IsNaN", ["x"], ["n"]), node("IsInf", ["x"], ["i"]), node("IsInf", ["x"], ["p"], detect_negative=0),
    node("Cast", ["n"], ["nf"], to=TensorProto.FLOAT), node("Cast", ["i"], ["if"], to=TensorProto.FLOAT),
    node("Cast", ["p"], ["pf"], to=TensorProto.FLOAT),
    node("Concat", ["nf", "if", "pf"], ["y"], axis=0),
], [], [1, 5], x=np.array([[1.0, np.nan, np.inf, -np.inf, -3.0]]))
save("shrink", [node("Shrink", ["x"], ["y"], lambd=0.6, bias=0.25)], [], [3, 4])
save("celu", [node("Celu", ["x"], ["y"], alpha=0.7)], [], [3, 4])
save("mish", [node("Mish", ["x"], ["y"])], [], [3, 4], opset=18)

# Where and Equal on values computed at run time.
save("where_equal", [
    node("Round", ["x"], ["r"]),
    node("Equal", ["r", "zero"], ["is_zero"]),
    node("Neg", ["x"], ["minus"]),
    node("Where", ["is_zero", "x", "minus"], ["y"]),
], [floats("zero", 0.0)], [3, 4])

# A boolean graph input (a key-padding mask), held by Kiln as a 0/1 float mask.
save("bool_mask", [
    node("Where", ["mask", "minus_big", "x"], ["masked"]),
    node("Softmax", ["masked"], ["y"], axis=-1),
], [floats("minus_big", -1e9)], [2, 6], mask_shape=[2, 6])

# Gelu (opset 20) in both approximations; LayerNormalization over the last two axes.
save("gelu", [node("Gelu", ["x"], ["y"])], [], [3, 4], opset=20)
save("gelu_tanh", [node("Gelu", ["x"], ["y"], approximate="tanh")], [], [3, 4], opset=20)
save("layer_norm_axes", [node("LayerNormalization", ["x", "scale", "bias"], ["y"], axis=-2, epsilon=1e-5)],
     [weight("scale", 3, 4), weight("bias", 3, 4)], [2, 3, 4])

# Tile and CumSum (forward, exclusive, reverse).
save("tile", [node("Tile", ["x", "repeats"], ["y"])], [ints("repeats", [2, 1, 3])], [2, 3, 2])
save("cumsum", [
    node("CumSum", ["x", "axis1"], ["a"]),
    node("CumSum", ["x", "axis_last"], ["b"], exclusive=1),
    node("CumSum", ["x", "axis1"], ["c"], reverse=1),
    node("CumSum", ["x", "axis1"], ["d"], reverse=1, exclusive=1),
    node("Concat", ["a", "b", "c", "d"], ["y"], axis=0),
], [ints("axis1", 1), ints("axis_last", -1)], [2, 4, 3])

# Einsum: batched products, attention scores, transposes, dots, reductions, implicit outputs.
einsums = {
    "einsum_bmm": ("bij,bjk->bik", [2, 3, 4], [2, 4, 5]),
    "einsum_attention": ("bhqd,bhkd->bhqk", [1, 2, 3, 4], [1, 2, 5, 4]),
    "einsum_outer": ("i,j->ij", [3], [4]),
    "einsum_implicit": ("ij,jk", [3, 4], [4, 2]),
    "einsum_rowdot": ("bi,bi->b", [3, 4], [3, 4]),
    "einsum_contract_two": ("bcij,cjk->bik", [2, 3, 2, 4], [3, 4, 5]),
}
for name, (equation, a_shape, b_shape) in einsums.items():
    save(name, [node("Einsum", ["x", "other"], ["y"], equation=equation)], [weight("other", *b_shape)], a_shape)
save("einsum_transpose", [node("Einsum", ["x"], ["y"], equation="abc->cab")], [], [2, 3, 4])
save("einsum_sum", [node("Einsum", ["x"], ["y"], equation="abc->b")], [], [2, 3, 4])

# 1-D convolutions and pooling (through Kiln's 2-D kernels with a unit axis), and 3-D.
save("conv1d", [node("Conv", ["x", "w", "b"], ["y"], pads=[2, 1], strides=[2], dilations=[2], group=2)],
     [weight("w", 6, 2, 3), weight("b", 6)], [2, 4, 11])
save("conv1d_same", [node("Conv", ["x", "w"], ["y"], auto_pad="SAME_UPPER", kernel_shape=[4])], [weight("w", 3, 2, 4)], [1, 2, 9])
save("conv_transpose1d", [node("ConvTranspose", ["x", "w", "b"], ["y"], strides=[2], pads=[1, 0], output_padding=[1])],
     [weight("w", 3, 2, 3), weight("b", 2)], [2, 3, 6])
save("max_pool1d", [node("MaxPool", ["x"], ["y"], kernel_shape=[3], strides=[2], pads=[1, 1])], [], [2, 3, 10])
save("average_pool1d", [node("AveragePool", ["x"], ["y"], kernel_shape=[3], strides=[2], pads=[1, 1])], [], [2, 3, 10])
save("conv3d", [node("Conv", ["x", "w", "b"], ["y"], pads=[1, 0, 1, 1, 1, 0], strides=[2, 1, 2])],
     [weight("w", 4, 2, 3, 2, 3), weight("b", 4)], [1, 2, 5, 4, 6])
save("max_pool3d", [node("MaxPool", ["x"], ["y"], kernel_shape=[2, 3, 2], strides=[2, 1, 2], pads=[1, 1, 0, 0, 1, 1])], [],
     [1, 2, 5, 4, 6])
save("average_pool3d", [node("AveragePool", ["x"], ["y"], kernel_shape=[3, 2, 2], strides=[2, 2, 1], pads=[1, 0, 1, 1, 1, 0])],
     [], [1, 2, 5, 4, 6])

# A boolean output: a comparison combined with a boolean input by And, Or, Xor and Not.
save("bool_output", [
    node("Greater", ["x", "zero"], ["positive"]),
    node("And", ["positive", "mask"], ["both"]),
    node("Not", ["mask"], ["unmasked"]),
    node("Or", ["both", "unmasked"], ["either"]),
    node("Xor", ["either", "positive"], ["y"]),
], [floats("zero", 0.0)], [2, 5], mask_shape=[2, 5], y_type=TensorProto.BOOL)

# For the command-line tests: a dynamic batch axis, a boolean input and two outputs, one of them
# named like the exporter's values ("scores/max"). No reference output: the tests compare with
# Kiln's interpreter.
dynamic = helper.make_graph(
    [node("Where", ["mask", "x", "zero"], ["y"]), node("ReduceMax", ["x"], ["scores/max"], axes=[1], keepdims=0)],
    "dynamic_two_outputs",
    [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 4]),
     helper.make_tensor_value_info("mask", TensorProto.BOOL, ["batch", 4])],
    [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", 4]),
     helper.make_tensor_value_info("scores/max", TensorProto.FLOAT, ["batch"])],
    [floats("zero", 0.0)])
dynamic_model = helper.make_model(dynamic, opset_imports=[helper.make_opsetid("", 17)])
dynamic_model.ir_version = 9
onnx.checker.check_model(dynamic_model)
onnx.save(dynamic_model, os.path.join(OUT, "dynamic_two_outputs.onnx"))

# Reductions Kiln composes (axes as an attribute before opset 18, as an input since).
save("reduce_l1", [node("ReduceL1", ["x"], ["y"], axes=[1], keepdims=0)], [], [2, 3, 4])
save("reduce_l2", [node("ReduceL2", ["x", "axes"], ["y"])], [ints("axes", [-1])], [2, 3, 4], opset=18)
save("reduce_sum_square", [node("ReduceSumSquare", ["x"], ["y"], axes=[0, 2], keepdims=1)], [], [2, 3, 4])
save("reduce_log_sum_exp", [node("ReduceLogSumExp", ["x"], ["y"], axes=[1], keepdims=0)], [], [2, 3, 4],
     x=rng.standard_normal([2, 3, 4]) * 30)
save("reduce_prod", [node("ReduceProd", ["x"], ["y"], axes=[2], keepdims=1)], [], [2, 3, 4],
     x=np.where(rng.uniform(size=[2, 3, 4]) < 0.1, 0.0, rng.standard_normal([2, 3, 4]) + 0.5))
save("argmin", [node("ArgMin", ["x"], ["i"], axis=1, keepdims=0), node("Cast", ["i"], ["y"], to=TensorProto.FLOAT)],
     [], [3, 5, 2])
save("topk", [
    node("TopK", ["x", "k"], ["v", "i"], axis=1),
    node("Cast", ["i"], ["fi"], to=TensorProto.FLOAT),
    node("Concat", ["v", "fi"], ["y"], axis=1),
], [ints("k", [3])], [2, 6, 2])
save("topk_smallest", [
    node("TopK", ["x", "k"], ["v", "i"], axis=-1, largest=0),
    node("Cast", ["i"], ["fi"], to=TensorProto.FLOAT),
    node("Concat", ["v", "fi"], ["y"], axis=-1),
], [ints("k", [2])], [3, 5], x=np.array([[1, 3, 1, 0, 3], [2, 2, 2, 2, 2], [5, -1, 4, -1, 0]]))

# Scatters with import-time indices; the updates are computed from x.
save("scatter_elements", [
    node("Slice", ["x", "s0", "s1", "s_axis"], ["u"]),
    node("ScatterElements", ["x", "idx", "u"], ["y"], axis=1),
], [ints("s0", [0]), ints("s1", [2]), ints("s_axis", [1]), ints("idx", [[3, 0], [1, -1], [2, 2]])], [3, 4])
save("scatter_nd", [
    node("Neg", ["x"], ["nx"]),
    node("Slice", ["nx", "s0", "s1", "s_axis"], ["u"]),
    node("ScatterND", ["x", "idx", "u"], ["y"]),
], [ints("s0", [0]), ints("s1", [2]), ints("s_axis", [0]), ints("idx", [[3], [1]])], [4, 2, 3])
save("scatter_nd_elements", [
    node("Reshape", ["x", "flat_shape"], ["fx"]),
    node("Slice", ["fx", "s0", "s1", "s_axis"], ["u"]),
    node("ScatterND", ["x", "idx", "u"], ["y"]),
], [ints("flat_shape", [-1]), ints("s0", [0]), ints("s1", [3]), ints("s_axis", [0]),
    ints("idx", [[0, 2], [2, 1], [1, 0]])], [3, 3])

# GroupNormalization of opset 21 (scale and bias per channel) and 18 (per group; ONNX Runtime runs it,
# onnx's checker calls it deprecated).
save("group_norm18", [node("GroupNormalization", ["x", "scale", "bias"], ["y"], num_groups=2, epsilon=1e-5)],
     [weight("scale", 2), weight("bias", 2)], [2, 4, 3, 3], opset=18, check=False)
save("group_norm21", [node("GroupNormalization", ["x", "scale", "bias"], ["y"], num_groups=2, epsilon=1e-5)],
     [weight("scale", 4), weight("bias", 4)], [2, 4, 3, 3], opset=21)
save("size", [node("Size", ["x"], ["n"]), node("Cast", ["n"], ["nf"], to=TensorProto.FLOAT), node("Mul", ["x", "nf"], ["y"])],
     [], [2, 3])

# What PyTorch's exporter emits for torch.gather (indices computed at run time here, from an
# ArgMax, and constant), pixel_shuffle / pixel_unshuffle, softsign and thresholded ReLU.
save("gather_elements", [
    node("ArgMax", ["x"], ["best"], axis=1, keepdims=1),
    node("GatherElements", ["x", "best"], ["picked"], axis=1),
    node("GatherElements", ["x", "idx"], ["fixed"], axis=2),
    node("Mul", ["fixed", "picked"], ["y"]),
], [ints("idx", np.array([[[0, 2, -1]], [[1, 1, -3]]]))], [2, 3, 3])
save("depth_to_space", [node("DepthToSpace", ["x"], ["y"], blocksize=2)], [], [1, 8, 2, 3])
save("depth_to_space_crd", [node("DepthToSpace", ["x"], ["y"], blocksize=2, mode="CRD")], [], [1, 8, 2, 3])
save("space_to_depth", [node("SpaceToDepth", ["x"], ["y"], blocksize=2)], [], [1, 2, 4, 6])
save("softsign", [node("Softsign", ["x"], ["y"])], [], [3, 4])
save("thresholded_relu", [node("ThresholdedRelu", ["x"], ["y"], alpha=0.3)], [], [3, 4])
