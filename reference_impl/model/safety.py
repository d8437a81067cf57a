"""Running an untrusted model safely (clause 12.2).

Before onnxruntime sees a byte of it, the model file is read with the `onnx` package
and refused when it
- is larger than MAX_MODEL_BYTES, or is not an ONNX model (InputError: exit 2);
- imports the default operator set outside SUPPORTED_OPSETS ("opset");
- uses an operator domain that is neither the default one nor declared in the manifest
  ("custom-op-domain");
- keeps tensor data in an external file outside the model's own folder, or in one that
  does not exist ("external-data");
- declares an input or output dimension above MAX_DIMENSION, or a per-sample input
  above MAX_INPUT_ELEMENTS ("absurd-shape");
- calls local functions that expand to more than MAX_FUNCTION_NODES nodes, or one that
  calls itself ("function-size"): onnxruntime inlines them while it loads.
The session then runs on the CPU provider only, with at most MAX_THREADS threads, the
process's address space capped at `Limits.memory_bytes` above its size while the model
loads and runs, and each batch bounded in time: a run past `Limits.seconds_per_batch`
is terminated ("time-per-batch"), and an allocation past the cap fails ("memory").
Loading is bounded in time too: a load past `Limits.seconds_to_load` is abandoned
("time-to-load").
"""

from __future__ import annotations

import math
import os
import resource
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from reference_impl import confined
from reference_impl.errors import InputError
from reference_impl.model.errors import ContractError
from reference_impl.model.manifest import Manifest

SUPPORTED_OPSETS = range(11, 22)        # default ("ai.onnx") domain, inclusive 11..21
DEFAULT_DOMAINS = {"", "ai.onnx"}
MAX_MODEL_BYTES = 2 * 1024 ** 3         # protobuf's own limit
MAX_DIMENSION = 4096                    # any declared static dimension but the batch
MAX_INPUT_ELEMENTS = 3 * 1024 * 1024    # one sample's input tensor, elements
MAX_THREADS = 2
# Nodes that the calls of a model's local functions expand to: onnxruntime inlines them
# while it loads, where no time limit can stop it, and the expansion grows exponentially
# with the nesting (20,000 nodes took 9 s to load, 177,000 over two minutes).
MAX_FUNCTION_NODES = 10_000


@dataclass(frozen=True)
class Limits:
    threads: int = 1
    memory_bytes: int = 4 * 1024 ** 3
    seconds_per_batch: float = 60.0
    seconds_to_load: float = 60.0

    def __post_init__(self):
        if not 1 <= self.threads <= MAX_THREADS:
            raise InputError(f"threads {self.threads} is not in 1..{MAX_THREADS}")
        if self.memory_bytes <= 0 or not 0 < self.seconds_per_batch < math.inf \
                or not 0 < self.seconds_to_load < math.inf:
            raise InputError("memory and time limits must be positive")


def read_model(path) -> object:
    """The model's protobuf, without loading external data; InputError if unreadable."""
    import onnx

    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise InputError(f"{path}: cannot read the model: {exc.strerror or exc}") from None
    if size > MAX_MODEL_BYTES:
        raise InputError(f"{path}: {size} bytes exceeds the {MAX_MODEL_BYTES}-byte limit")
    try:
        model = onnx.load(str(path), load_external_data=False)
    except Exception as exc:  # protobuf raises its own DecodeError and friends
        raise InputError(f"{path}: not an ONNX model ({type(exc).__name__}: {exc})") from None
    if not model.graph.node and not model.graph.output:
        raise InputError(f"{path}: not an ONNX model (no graph)")
    return model


def check_opset(model) -> str:
    versions = [o.version for o in model.opset_import if o.domain in DEFAULT_DOMAINS]
    if not versions:
        raise ContractError("opset", "the model imports no default (ai.onnx) operator set")
    version = max(versions)
    if version not in SUPPORTED_OPSETS:
        raise ContractError("opset", f"default opset {version} is outside the supported "
                            f"{SUPPORTED_OPSETS.start}..{SUPPORTED_OPSETS.stop - 1}")
    return f"default opset {version}"


def _graphs(graph):
    """The graph and every subgraph (Loop, If, Scan bodies), depth first."""
    import onnx

    yield graph
    for node in graph.node:
        for attribute in node.attribute:
            if attribute.type == onnx.AttributeProto.GRAPH:
                yield from _graphs(attribute.g)
            elif attribute.type == onnx.AttributeProto.GRAPHS:
                for sub in attribute.graphs:
                    yield from _graphs(sub)


def check_domains(model, declared: tuple[str, ...]) -> str:
    allowed = DEFAULT_DOMAINS | set(declared)
    used = {o.domain for o in model.opset_import}
    for graph in _graphs(model.graph):
        used |= {node.domain for node in graph.node}
    for function in model.functions:
        used |= {node.domain for node in function.node}
        used.add(function.domain)
    foreign = sorted(used - allowed)
    if foreign:
        raise ContractError("custom-op-domain", f"operator domain(s) {', '.join(foreign)} "
                            "not declared in the manifest's custom_op_domains")
    return "operator domains: " + ", ".join(sorted(d or "ai.onnx" for d in used))


def check_functions(model) -> str:
    """Count, without expanding them, the nodes that calls of local functions inline to
    (a function calling three that call three... is a bomb like YAML's nested aliases)."""
    bodies = {(f.domain, f.name): f.node for f in model.functions}
    size: dict[tuple[str, str], int] = {}

    def expanded(key: tuple[str, str], calling: tuple) -> int:
        if key in calling:
            raise ContractError("function-size", f"local function '{key[1]}' calls itself")
        if key not in size:
            size[key] = sum(expanded((n.domain, n.op_type), (*calling, key))
                            if (n.domain, n.op_type) in bodies else 1 for n in bodies[key])
            size[key] = min(size[key], MAX_FUNCTION_NODES + 1)  # no need to count further
        return size[key]

    total = sum(expanded((n.domain, n.op_type), ()) for graph in _graphs(model.graph)
                for n in graph.node if (n.domain, n.op_type) in bodies)
    if total > MAX_FUNCTION_NODES:
        raise ContractError("function-size", f"calls of local functions expand to more than "
                            f"{MAX_FUNCTION_NODES} nodes (refused before loading)")
    return f"local function calls expand to {total} nodes"


def check_external_data(model, folder: Path) -> str:
    import onnx

    root = Path(os.path.realpath(folder))
    tensors = []
    for graph in _graphs(model.graph):
        tensors += list(graph.initializer)
        for node in graph.node:
            for attribute in node.attribute:
                if attribute.type == onnx.AttributeProto.TENSOR:
                    tensors.append(attribute.t)
    files = set()
    for tensor in tensors:
        if tensor.data_location != onnx.TensorProto.EXTERNAL:
            continue
        location = next((e.value for e in tensor.external_data if e.key == "location"), "")
        try:  # confined to the model's folder, like every file a document cites
            target = confined.locate(location, root) if location else None
        except confined.Refused:
            target = None
        if target is None:
            raise ContractError("external-data", f"tensor '{tensor.name}' keeps its data at "
                                f"'{location}', outside the model's folder {root}")
        if not target.is_file():
            raise ContractError("external-data", f"tensor '{tensor.name}': external data "
                                f"file '{location}' does not exist")
        files.add(location)
    return f"{len(files)} external data file(s), all inside the model's folder"


def _dims(value_info) -> list[int | str]:
    shape = value_info.type.tensor_type.shape
    return [d.dim_value if d.HasField("dim_value") else (d.dim_param or "?")
            for d in shape.dim]


def check_shapes(model) -> str:
    for value in list(model.graph.input) + list(model.graph.output):
        dims = _dims(value)
        static = [d for d in dims[1:] if isinstance(d, int)]
        if any(d > MAX_DIMENSION for d in static):
            raise ContractError("absurd-shape", f"'{value.name}' declares shape {dims}: a "
                                f"dimension exceeds {MAX_DIMENSION}")
    initializers = {i.name for i in model.graph.initializer}
    for value in model.graph.input:
        if value.name in initializers:
            continue
        per_sample = int(np.prod([d for d in _dims(value)[1:] if isinstance(d, int)] or [1]))
        if per_sample > MAX_INPUT_ELEMENTS:
            raise ContractError("absurd-shape", f"input '{value.name}' declares {per_sample} "
                                f"elements per sample, above {MAX_INPUT_ELEMENTS}")
    return "declared shapes within limits"


def inspect(model_path, manifest: Manifest) -> list[tuple[str, str]]:
    """Every static check, in order; (check, detail) for each one that passed.

    Raises ContractError at the first check the model breaks, InputError if the file
    cannot be read as ONNX at all.
    """
    model = read_model(model_path)
    folder = Path(model_path).resolve().parent
    return [("opset", check_opset(model)),
            ("custom-op-domain", check_domains(model, manifest.custom_op_domains)),
            ("function-size", check_functions(model)),
            ("external-data", check_external_data(model, folder)),
            ("absurd-shape", check_shapes(model))]


@contextmanager
def address_space_limit(budget: int):
    """Cap this process's address space at its present size plus `budget` bytes.

    The soft RLIMIT_AS is lowered for the duration and restored afterwards, so an
    allocation by the model past the budget fails inside onnxruntime (a clean error)
    instead of exhausting the machine.  Linux only: without /proc the cap is skipped.
    """
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            current = int(statm.read().split()[0]) * resource.getpagesize()
    except OSError:  # no /proc (macOS): the memory limit cannot be enforced here
        yield
        return
    cap = current + int(budget)
    if hard != resource.RLIM_INFINITY:
        cap = min(cap, hard)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


class BoundedSession:
    """An onnxruntime CPU session with capped threads and memory and a time per batch."""

    def __init__(self, model_path, manifest: Manifest, limits: Limits | None = None):
        limits = limits or Limits()
        import onnxruntime as ort

        ort.set_default_logger_severity(4)
        self.limits = limits
        self.manifest = manifest
        options = ort.SessionOptions()
        options.intra_op_num_threads = limits.threads
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.log_severity_level = 4
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.add_session_config_entry("session.inter_op.allow_spinning", "0")
        try:
            with address_space_limit(limits.memory_bytes):
                # Constant folding would run the model's constant subgraphs while loading,
                # where no time limit can stop them; unfolded, they run inside the bound.
                self.session = _within(limits.seconds_to_load, lambda: ort.InferenceSession(
                    str(model_path), sess_options=options, providers=["CPUExecutionProvider"],
                    disabled_optimizers=["ConstantFolding"]))
        except ContractError:
            raise
        except Exception as exc:  # onnxruntime raises its own Fail/InvalidGraph/...
            message = _first_line(exc)
            if _is_memory(message):
                raise ContractError("memory", f"loading the model needs more than "
                                    f"{limits.memory_bytes} bytes") from None
            raise InputError(f"{model_path}: onnxruntime cannot load the model: "
                             f"{message}") from None
        self.input_name = self.session.get_inputs()[0].name
        self.output_names = [o.name for o in self.session.get_outputs()]

    def run(self, batch: np.ndarray) -> np.ndarray:
        return run_bounded(self, batch)


# Loads that ran past their time and still run: onnxruntime cannot be interrupted while
# it loads, so `frs` ends its process without waiting for them (`abandoned`).
_ABANDONED: list[threading.Thread] = []


def _within(seconds: float, load):
    """`load()`, given `seconds` in a thread of its own; ContractError "time-to-load"
    (the load abandoned, still running) when it takes longer."""
    outcome: dict = {}

    def run():
        try:
            outcome["value"] = load()
        except Exception as exc:  # re-raised in the caller's thread
            outcome["error"] = exc

    thread = threading.Thread(target=run, name="frs-model-load", daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        _ABANDONED.append(thread)
        raise ContractError("time-to-load", f"loading the model took longer than {seconds:g} s "
                            "(abandoned)")
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def abandoned() -> bool:
    """Whether a model load that ran out of time is still running in this process."""
    return any(thread.is_alive() for thread in _ABANDONED)


class Watchdog:
    """One daemon thread that terminates the armed run when its deadline passes.

    Arming and disarming cost two lock operations, not a thread per batch.
    """

    def __init__(self):
        self._condition = threading.Condition()
        self._armed = None  # (run options, deadline) or None
        self._thread = threading.Thread(target=self._watch, name="frs-watchdog", daemon=True)
        self._thread.start()

    def arm(self, options, seconds: float) -> None:
        with self._condition:
            self._armed = (options, time.monotonic() + seconds)
            self._condition.notify()

    def disarm(self) -> None:
        with self._condition:
            self._armed = None

    def _watch(self) -> None:
        with self._condition:
            while True:
                if self._armed is None:
                    self._condition.wait()
                    continue
                options, deadline = self._armed
                left = deadline - time.monotonic()
                if left > 0:
                    self._condition.wait(left)
                    continue
                options.terminate = True
                self._armed = None


_WATCHDOG: Watchdog | None = None


def watchdog() -> Watchdog:
    global _WATCHDOG
    if _WATCHDOG is None:
        _WATCHDOG = Watchdog()
    return _WATCHDOG


def run_bounded(bounded: BoundedSession, batch: np.ndarray) -> np.ndarray:
    """One batch through the model within the session's time and memory limits.

    A watchdog sets onnxruntime's RunOptions.terminate when the time per batch runs
    out ("time-per-batch"); an allocation past the memory budget fails ("memory").
    """
    import onnxruntime as ort

    limits = bounded.limits
    options = ort.RunOptions()
    options.log_severity_level = 4
    guard = watchdog()
    guard.arm(options, limits.seconds_per_batch)
    try:
        with address_space_limit(limits.memory_bytes):
            result = bounded.session.run(bounded.output_names[:1],
                                         {bounded.input_name: batch}, options)
    except Exception as exc:
        message = _first_line(exc)
        if options.terminate:
            raise ContractError("time-per-batch", f"a batch of {len(batch)} took longer than "
                                f"{limits.seconds_per_batch:g} s") from None
        if _is_memory(message):
            raise ContractError("memory", f"a batch of {len(batch)} needs more than "
                                f"{limits.memory_bytes} bytes") from None
        raise ContractError("run", f"onnxruntime failed on a batch of {len(batch)}: "
                            f"{message}") from None
    finally:
        guard.disarm()
    return result[0]


def _is_memory(message: str) -> bool:
    lowered = message.lower()
    return "alloc" in lowered or "bad_alloc" in lowered or "memory" in lowered


def _first_line(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
