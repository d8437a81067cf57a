"""The submission contract (clause 12.1-12.3): hostile models built with `onnx`, each refused."""

import json
import time
from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

from reference_impl.cli import main
from reference_impl.documents import DocumentError
from reference_impl.errors import InputError
from reference_impl.evaluate import synthetic
from reference_impl.model import contract, safety
from reference_impl.model.manifest import load_manifest

SCHEMAS = Path(__file__).resolve().parents[1] / "schemas"
LATENT = synthetic.LatentModel(dimension=8, sigma=0.5, size=32, seed=3)
PIXELS = 32 * 32 * 3


def write_manifest(folder: Path, **overrides) -> Path:
    path = folder / "manifest.json"
    path.write_text(json.dumps(synthetic.model_manifest(LATENT, {"V-L": 0.5}, **overrides)))
    return path


def embedding_graph(extra_nodes=(), output="emb", batch="batch", input_shape=None,
                    dimension=8, input_name="input", extra_init=(), final="embedding"):
    """Reshape + MatMul to `output`, then `extra_nodes` producing `final`."""
    rows = np.random.default_rng(0).normal(size=(PIXELS, min(dimension, 16))) / 50
    weights = numpy_helper.from_array(  # columns past 16 repeat: cheap to build
        np.resize(rows.astype(np.float32).T, (dimension, PIXELS)).T.copy(), "weights")
    nodes = [helper.make_node("Reshape", [input_name, "flat_shape"], ["flat"]),
             helper.make_node("MatMul", ["flat", "weights"], [output]), *extra_nodes]
    if not extra_nodes:
        nodes[-1].output[0] = final
    shape = input_shape or [batch, 3, 32, 32]
    return helper.make_graph(
        nodes, "g", [helper.make_tensor_value_info(input_name, TensorProto.FLOAT, shape)],
        [helper.make_tensor_value_info(final, TensorProto.FLOAT, [batch, dimension])],
        [numpy_helper.from_array(np.array([0, -1], dtype=np.int64), "flat_shape"), weights,
         *extra_init])


def save(folder: Path, graph, opsets=(("", 17),), name="model.onnx") -> Path:
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid(d, v)
                                                    for d, v in opsets])
    model.ir_version = 8
    path = folder / name
    onnx.save(model, str(path))
    return path


def run_checks(model, manifest, **limits):
    results, session = contract.check_model(model, load_manifest(manifest),
                                            safety.Limits(**limits) if limits else None)
    return results, session


def refused_by(results):
    assert not results[-1].passed, [r.record() for r in results]
    assert all(r.passed for r in results[:-1])
    return results[-1]


@pytest.fixture
def good(tmp_path):
    model = synthetic.onnx_linear_model(tmp_path / "model.onnx", LATENT)
    return model, write_manifest(tmp_path)


def test_a_good_model_passes_every_check(good):
    results, session = run_checks(*good)
    assert [r.check for r in results] == ["training-data", "opset", "custom-op-domain",
                                          "function-size", "external-data", "absurd-shape",
                                          "signature",
                                          "finite-output",
                                          "determinism", "batch-independence",
                                          "resource-limits"]
    assert all(r.passed for r in results) and session is not None


@pytest.mark.requirement("FRS-SUB-001", "FRS-SUB-002")
def test_manifest_examples_are_judged_by_load_manifest():
    folder = SCHEMAS / "examples" / "model-manifest"
    valid = sorted((folder / "valid").glob("*.json"))
    invalid = {p.stem: p for p in (folder / "invalid").glob("*.json")}
    assert valid and {"no-training-sources", "training-data-missing"} <= set(invalid)
    for path in valid:
        assert load_manifest(path).algorithm_id
    expected = json.loads((folder / "expected-errors.json").read_text())
    for path in invalid.values():
        with pytest.raises(DocumentError) as caught:
            load_manifest(path)
        assert [(f.keyword, f.pointer) for f in caught.value.findings] == [
            (expected[path.name]["keyword"], expected[path.name]["pointer"])], path.name


@pytest.mark.requirement("FRS-SUB-003")
def test_declared_untargeted_scraping_fails_sub_003_but_the_model_still_runs(tmp_path):
    model = synthetic.onnx_linear_model(tmp_path / "model.onnx", LATENT)
    honest = write_manifest(tmp_path)
    data = json.loads(honest.read_text())
    data["training_data"]["untargeted_scraping"] = True
    scraped = tmp_path / "scraped.json"
    scraped.write_text(json.dumps(data))
    results, session = contract.check_model(model, load_manifest(scraped))
    assert results[0].check == "training-data" and not results[0].passed
    assert "FRS-SUB-003" in results[0].detail
    assert all(r.passed for r in results[1:]) and session is not None
    assert contract.check_training_data(load_manifest(honest)).passed
    assert main(["model", "check", str(model), str(scraped)]) == 1


@pytest.mark.requirement("FRS-SUB-001")
def test_manifest_errors_name_the_file_and_pointer(tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text('{"schema_version": "0.1",\n "input": }')
    with pytest.raises(DocumentError) as caught:
        load_manifest(broken)
    assert [(f.line, f.keyword, f.found) for f in caught.value.findings] == [
        (2, "parse", "MalformedJSON")]
    manifest = synthetic.model_manifest(LATENT, {"V-L": 0.5})
    manifest["input"]["layout"] = "CHW"
    manifest["similarity"] = "hamming"
    path = tmp_path / "m.json"
    path.write_text(json.dumps(manifest, indent=2))
    with pytest.raises(DocumentError) as caught:
        load_manifest(path)
    assert [(f.file, f.pointer, f.keyword) for f in caught.value.findings] == [
        (str(path), "/input/layout", "enum"), (str(path), "/similarity", "enum")]
    assert '"layout": "CHW"' in path.read_text().splitlines()[caught.value.findings[0].line - 1]
    with pytest.raises(InputError, match="cannot read"):
        load_manifest(tmp_path / "missing.json")


@pytest.mark.requirement("FRS-SUB-004")
@pytest.mark.parametrize("opset", [10, 22])
def test_opset_outside_11_to_21_is_refused(tmp_path, opset):
    model = save(tmp_path, embedding_graph(), opsets=(("", opset),))
    broken = refused_by(run_checks(model, write_manifest(tmp_path))[0])
    assert broken.check == "opset" and str(opset) in broken.detail


@pytest.mark.requirement("FRS-SUB-004")
@pytest.mark.parametrize("opset", [11, 21])
def test_opset_11_and_21_are_supported(tmp_path, opset):
    model = save(tmp_path, embedding_graph(), opsets=(("", opset),))
    assert safety.check_opset(onnx.load(str(model))) == f"default opset {opset}"


@pytest.mark.requirement("FRS-SUB-005")
def test_undeclared_operator_domain_is_refused(tmp_path):
    steal = helper.make_node("Exfiltrate", ["emb"], ["embedding"], domain="evil.ops")
    model = save(tmp_path, embedding_graph([steal]), opsets=(("", 17), ("evil.ops", 1)))
    broken = refused_by(run_checks(model, write_manifest(tmp_path))[0])
    assert broken.check == "custom-op-domain" and "evil.ops" in broken.detail
    # Declared, it passes the domain check, and onnxruntime then cannot load it: exit 2.
    declared = write_manifest(tmp_path, custom_op_domains=["evil.ops"])
    assert "evil.ops" in safety.check_domains(onnx.load(str(model)), ("evil.ops",))
    with pytest.raises(InputError, match="onnxruntime cannot load"):
        run_checks(model, declared)


@pytest.mark.requirement("FRS-SUB-005")
def test_a_foreign_domain_hidden_in_a_subgraph_is_found(tmp_path):
    inner = helper.make_graph([helper.make_node("Hidden", ["emb"], ["out"], domain="evil.ops")],
                              "then", [], [helper.make_tensor_value_info("out",
                                                                         TensorProto.FLOAT,
                                                                         None)])
    other = helper.make_graph([helper.make_node("Identity", ["emb"], ["out2"])], "else", [],
                              [helper.make_tensor_value_info("out2", TensorProto.FLOAT, None)])
    cond = numpy_helper.from_array(np.array(True), "cond")
    branch = helper.make_node("If", ["cond"], ["embedding"], then_branch=inner,
                              else_branch=other)
    model = save(tmp_path, embedding_graph([branch], extra_init=[cond]))
    broken = refused_by(run_checks(model, write_manifest(tmp_path))[0])
    assert broken.check == "custom-op-domain"


def external(model_path: Path, location: str) -> None:
    """Move the weights of a saved model to external data at `location`."""
    model = onnx.load(str(model_path))
    tensor = next(t for t in model.graph.initializer if t.name == "weights")
    tensor.ClearField("raw_data")
    tensor.ClearField("float_data")
    tensor.data_location = TensorProto.EXTERNAL
    del tensor.external_data[:]
    entry = tensor.external_data.add()
    entry.key, entry.value = "location", location
    onnx.save(model, str(model_path))


@pytest.mark.requirement("FRS-SUB-006")
@pytest.mark.parametrize("location", ["../secret.bin", "sub/../../secret.bin"])
def test_external_data_outside_the_model_folder_is_refused(tmp_path, location):
    folder = tmp_path / "submission"
    folder.mkdir()
    (tmp_path / "secret.bin").write_bytes(b"\0" * PIXELS * 8 * 4)
    model = save(folder, embedding_graph())
    external(model, location)
    broken = refused_by(run_checks(model, write_manifest(folder))[0])
    assert broken.check == "external-data" and "outside the model's folder" in broken.detail


@pytest.mark.requirement("FRS-SUB-006")
def test_absolute_external_data_path_is_refused(tmp_path):
    model = save(tmp_path, embedding_graph())
    external(model, str(tmp_path / "weights.bin"))
    broken = refused_by(run_checks(model, write_manifest(tmp_path))[0])
    assert broken.check == "external-data"


@pytest.mark.requirement("FRS-SUB-006")
def test_external_data_inside_the_folder_is_loaded(tmp_path):
    graph = embedding_graph()
    path = tmp_path / "model.onnx"
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.save(model, str(path), save_as_external_data=True, location="weights.bin",
              size_threshold=1024)
    assert (tmp_path / "weights.bin").exists()
    results, session = run_checks(path, write_manifest(tmp_path))
    assert all(r.passed for r in results) and session is not None
    assert "1 external data file" in next(r.detail for r in results if r.check == "external-data")
    external(path, "missing.bin")
    broken = refused_by(run_checks(path, write_manifest(tmp_path))[0])
    assert broken.check == "external-data" and "does not exist" in broken.detail


@pytest.mark.requirement("FRS-SUB-007")
def test_absurd_declared_shapes_are_refused(tmp_path):
    huge = save(tmp_path, embedding_graph(input_shape=["batch", 3, 100_000, 100_000]))
    broken = refused_by(run_checks(huge, write_manifest(tmp_path))[0])
    assert broken.check == "absurd-shape" and "100000" in broken.detail
    wide = save(tmp_path, embedding_graph(dimension=5000), name="wide.onnx")
    broken = refused_by(run_checks(wide, write_manifest(tmp_path))[0])
    assert broken.check == "absurd-shape" and "5000" in broken.detail
    many = save(tmp_path, embedding_graph(input_shape=["batch", 4, 1024, 1024]),
                name="many.onnx")
    broken = refused_by(run_checks(many, write_manifest(tmp_path))[0])
    assert broken.check == "absurd-shape" and "elements per sample" in broken.detail


@pytest.mark.requirement("FRS-SUB-008")
def test_a_model_that_runs_too_long_is_terminated(tmp_path):
    body = helper.make_graph(
        [helper.make_node("Identity", ["cond_in"], ["cond_out"]),
         helper.make_node("Add", ["v_in", "zero"], ["v_out"])], "body",
        [helper.make_tensor_value_info("i", TensorProto.INT64, []),
         helper.make_tensor_value_info("cond_in", TensorProto.BOOL, []),
         helper.make_tensor_value_info("v_in", TensorProto.FLOAT, None)],
        [helper.make_tensor_value_info("cond_out", TensorProto.BOOL, []),
         helper.make_tensor_value_info("v_out", TensorProto.FLOAT, None)])
    loop = helper.make_node("Loop", ["trips", "keep", "emb"], ["embedding"], body=body)
    inits = [numpy_helper.from_array(np.array(10 ** 15, dtype=np.int64), "trips"),
             numpy_helper.from_array(np.array(True), "keep"),
             numpy_helper.from_array(np.zeros(1, dtype=np.float32), "zero")]
    model = save(tmp_path, embedding_graph([loop], extra_init=inits))
    started = time.monotonic()
    broken = refused_by(run_checks(model, write_manifest(tmp_path), seconds_per_batch=0.5)[0])
    assert broken.check == "time-per-batch" and "0.5 s" in broken.detail
    assert time.monotonic() - started < 10


@pytest.mark.requirement("FRS-SUB-008")
def test_heavy_constant_work_cannot_hide_in_loading(tmp_path):
    """Twelve 1536 x 1536 products of constants: about 85 GFLOP that constant folding
    would do while loading, beyond any time limit; the harness runs them in the bound."""
    value = helper.make_tensor("small", TensorProto.FLOAT, [1], [0.001])
    nodes = [helper.make_node("ConstantOfShape", ["square"], ["m0"], value=value)]
    nodes += [helper.make_node("MatMul", [f"m{k}", f"m{k}"], [f"m{k + 1}"]) for k in range(12)]
    nodes += [helper.make_node("ReduceSum", ["m12"], ["total"], keepdims=0),
              helper.make_node("Add", ["emb", "total"], ["embedding"])]
    square = numpy_helper.from_array(np.array([1536, 1536], dtype=np.int64), "square")
    model = save(tmp_path, embedding_graph(nodes, extra_init=[square]))
    started = time.monotonic()
    broken = refused_by(run_checks(model, write_manifest(tmp_path), seconds_per_batch=0.5)[0])
    assert broken.check == "time-per-batch"
    assert time.monotonic() - started < 10


@pytest.mark.requirement("FRS-SUB-008")
def test_a_model_that_needs_too_much_memory_is_refused(tmp_path):
    value = helper.make_tensor("one", TensorProto.FLOAT, [1], [1.0])
    nodes = [helper.make_node("ConstantOfShape", ["big_shape"], ["big"], value=value),
             helper.make_node("ReduceSum", ["big"], ["total"], keepdims=0),
             helper.make_node("Add", ["emb", "total"], ["embedding"])]
    shape = numpy_helper.from_array(np.array([1024, 1024, 256], dtype=np.int64), "big_shape")
    model = save(tmp_path, embedding_graph(nodes, extra_init=[shape]))  # 1 GiB at run time
    broken = refused_by(run_checks(model, write_manifest(tmp_path),
                                   memory_bytes=256 * 1024 ** 2)[0])
    assert broken.check == "memory" and str(256 * 1024 ** 2) in broken.detail


@pytest.mark.requirement("FRS-SUB-008")
def test_limits_are_bounded():
    with pytest.raises(InputError, match="threads"):
        safety.Limits(threads=8)
    with pytest.raises(InputError, match="positive"):
        safety.Limits(seconds_per_batch=0)


@pytest.mark.requirement("FRS-SUB-009")
def test_signature_must_match_the_manifest(tmp_path):
    manifest = write_manifest(tmp_path)
    cases = {
        "input is named 'data'": embedding_graph(input_name="data"),
        "output is named 'vector'": embedding_graph(final="vector"),
        "output.dimension is 8": embedding_graph(dimension=16),
        "fixes the batch dimension at 1": embedding_graph(batch=1),
        "needs [batch, 3, 32, 32]": embedding_graph(input_shape=["batch", 32, 32, 3]),
    }
    for i, (message, graph) in enumerate(cases.items()):
        model = save(tmp_path, graph, name=f"m{i}.onnx")
        broken = refused_by(run_checks(model, manifest)[0])
        assert broken.check == "signature" and message in broken.detail, broken.detail


@pytest.mark.requirement("FRS-SUB-010")
def test_non_finite_output_is_refused(tmp_path):
    nodes = [helper.make_node("Sub", ["emb", "big"], ["negative"]),
             helper.make_node("Sqrt", ["negative"], ["embedding"])]
    big = numpy_helper.from_array(np.array([1000.0], dtype=np.float32), "big")
    model = save(tmp_path, embedding_graph(nodes, extra_init=[big]))
    broken = refused_by(run_checks(model, write_manifest(tmp_path))[0])
    assert broken.check == "finite-output" and "NaN or infinite" in broken.detail
    assert contract.check_finite(np.ones((2, 3))) == "6 values, all finite"


@pytest.mark.requirement("FRS-SUB-011")
def test_a_nondeterministic_model_is_refused(tmp_path):
    nodes = [helper.make_node("RandomNormalLike", ["emb"], ["noise"], scale=1e-3),
             helper.make_node("Add", ["emb", "noise"], ["embedding"])]
    model = save(tmp_path, embedding_graph(nodes))
    broken = refused_by(run_checks(model, write_manifest(tmp_path))[0])
    assert broken.check == "determinism" and "differ by" in broken.detail
    a = np.eye(3)
    assert contract.check_determinism(a, a + 1e-9, "dot").startswith("scores repeat")
    with pytest.raises(Exception, match="determinism"):
        contract.check_determinism(a, a + np.diag([0, 0, 2e-6]), "dot")


@pytest.mark.requirement("FRS-SUB-012")
def test_a_batch_dependent_model_is_refused(tmp_path):
    nodes = [helper.make_node("ReduceMean", ["emb"], ["centre"], axes=[0], keepdims=1),
             helper.make_node("Sub", ["emb", "centre"], ["embedding"])]
    model = save(tmp_path, embedding_graph(nodes))
    broken = refused_by(run_checks(model, write_manifest(tmp_path))[0])
    assert broken.check == "batch-independence" and "batches of 1, 3 and 8" in broken.detail


@pytest.mark.requirement("FRS-SUB-012")
def test_batch_independence_passes_for_a_per_sample_model(good):
    manifest = load_manifest(good[1])
    session = safety.BoundedSession(good[0], manifest)
    batch = contract.test_batch(manifest)
    reference = contract.embed(session, batch, manifest)
    assert "agree" in contract.check_batch_independence(session, batch, reference, manifest)


@pytest.mark.requirement("FRS-SUB-009")
def test_frs_model_check_exit_codes_and_messages(good, tmp_path, capsys):
    model, manifest = good
    assert main(["model", "check", str(model), str(manifest)]) == 0
    assert "pass  batch-independence" in capsys.readouterr().out
    assert main(["model", "check", str(model), str(manifest), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["conforms"] is True
    wrong = write_manifest(tmp_path, output={"name": "embedding", "dtype": "float32",
                                             "dimension": 9})
    assert main(["model", "check", str(model), str(wrong)]) == 1
    err = capsys.readouterr().err
    assert "breaks its contract: signature" in err and "dimension is 9" in err
    junk = tmp_path / "junk.onnx"
    junk.write_bytes(b"this is not a model")
    assert main(["model", "check", str(junk), str(manifest)]) == 2
    assert "not an ONNX model" in capsys.readouterr().err
    assert main(["model", "check", str(tmp_path / "none.onnx"), str(manifest)]) == 2
    assert "cannot read the model" in capsys.readouterr().err
