"""brightmart/albert_zh checkpoints convert exactly, against the outputs of
brightmart's own `modeling.py` (tools/make_brightmart_fixture.py).

Its architecture differs from Google's where the E -> H projection sits
(`embedding_projection="before_sum"`) and in its variable names; the converted
model then loads, fine-tunes and exports as any other.
"""

import functools
import gzip
import http.server
import json
import threading
import zipfile

import numpy as np
import pytest
import tensorflow as tf

from keras_albert import AlbertBackbone, AlbertClassifier
from keras_albert.cli import main
from keras_albert.convert import ConversionError, convert, save_hf
from keras_albert.export.runners import load_runner
from keras_albert.hub import resolve
from keras_albert.text.tokenizers import load_tokenizer
from keras_albert.text.wordpiece_tokenizer import AlbertWordPieceTokenizer
from tests.convert.conversion_fixtures import FIXTURES, fixture_copy, inputs

TOLERANCE = 1e-5  # max abs diff, float32 against brightmart's float32 graph
REFERENCE = np.load(FIXTURES / "brightmart" / "reference.npz")
OUTPUTS = ("sequence_output", "pooled_output")


def release_copy(tmp_path, heads=False):
    """The fixture under the names brightmart's release zips use
    (`albert_config_tiny.json`, `albert_model.ckpt`); with `heads`, plus
    pretraining-head tensors as its released checkpoints carry."""
    source = fixture_copy(tmp_path, "brightmart", None)
    (source / "albert_config.json").rename(source / "albert_config_tiny.json")
    reader = tf.train.load_checkpoint(str(source / "model.ckpt"))
    tensors = {name: reader.get_tensor(name) for name in reader.get_variable_to_shape_map()}
    for path in source.glob("model.ckpt*"):
        path.unlink()
    (source / "checkpoint").unlink()
    if heads:
        hidden = tensors["bert/pooler/dense/kernel"].shape[0]
        tensors["cls/predictions/output_bias"] = np.zeros(4827, "float32")
        tensors["cls/predictions/transform/dense/kernel"] = np.zeros((hidden, hidden),
                                                                     "float32")
        tensors["cls/seq_relationship/output_weights"] = np.zeros((2, hidden), "float32")
    tf.raw_ops.SaveV2(prefix=str(source / "albert_model.ckpt"), tensor_names=list(tensors),
                      shape_and_slices=[""] * len(tensors), tensors=list(tensors.values()))
    return source, tensors


def check_outputs(backbone, reference=REFERENCE):
    outputs = backbone(inputs())
    for name in OUTPUTS:
        np.testing.assert_allclose(np.asarray(outputs[name]), reference[name],
                                   atol=TOLERANCE, rtol=0, err_msg=name)


@pytest.fixture(scope="module")
def converted(tmp_path_factory):
    source, _ = release_copy(tmp_path_factory.mktemp("release"), heads=True)
    out = source.parent / "converted"
    with pytest.warns(UserWarning, match="pretraining heads .* not converted"):
        assert main(["convert", "--from", "original", str(source), "--out", str(out)]) == 0
    return out


def test_release_converts_exactly_with_its_vocabulary(converted):
    backbone = AlbertBackbone.from_pretrained(converted)
    assert backbone.embedding_projection == "before_sum"
    assert backbone.hidden_act == "gelu_new"  # its gelu is the tanh form
    check_outputs(backbone)
    tokenizer = load_tokenizer(converted)
    assert isinstance(tokenizer, AlbertWordPieceTokenizer) and tokenizer.lowercase
    assert (converted / "vocab.txt").read_bytes() == (
        FIXTURES / "brightmart" / "vocab.txt").read_bytes()


@pytest.mark.parametrize("first, second", [
    ("attention/output/LayerNorm/gamma", "output/LayerNorm/gamma"),
    ("attention/self/query/kernel", "attention/self/key/kernel"),
])
def test_reference_sees_swapped_weights(tmp_path, first, second):
    """Two same-shaped weights of the shared layer exchanged in the checkpoint:
    the outputs leave brightmart's, so the test above would catch a converter
    that mixed them up."""
    source, tensors = release_copy(tmp_path)
    prefix = "bert/encoder/layer_shared/"
    tensors[prefix + first], tensors[prefix + second] = (tensors[prefix + second],
                                                         tensors[prefix + first])
    tf.raw_ops.SaveV2(prefix=str(source / "albert_model.ckpt"), tensor_names=list(tensors),
                      shape_and_slices=[""] * len(tensors), tensors=list(tensors.values()))
    convert("original", source, tmp_path / "converted")
    with pytest.raises(AssertionError, match="sequence_output"):
        check_outputs(AlbertBackbone.from_pretrained(tmp_path / "converted"))


def test_pre_ln_variant_is_refused_in_one_line(tmp_path):
    source = fixture_copy(tmp_path, "brightmart", None)
    config = json.loads((source / "albert_config.json").read_text())
    (source / "albert_config.json").write_text(json.dumps({**config, "ln_type": "preln"}))
    with pytest.raises(ConversionError, match="ln_type='preln' is its pre-LN") as error:
        convert("original", source, tmp_path / "converted")
    assert "\n" not in str(error.value)
    assert not (tmp_path / "converted").exists()


def test_fine_tunes_and_refuses_transformers_format(converted, tmp_path):
    model = AlbertClassifier.from_pretrained(converted, num_classes=2)
    projection = model.backbone.embeddings.projection.kernel
    before = projection.numpy().copy()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(inputs(), np.array([0, 1]), epochs=1, verbose=0)
    assert not np.allclose(projection.numpy(), before)
    with pytest.raises(ConversionError, match="transformers' ALBERT has no "
                       "embedding_projection='before_sum'"):
        save_hf(model, tmp_path / "hf", tokenizer=load_tokenizer(converted))
    assert not (tmp_path / "hf").exists()


def test_exports_hold_brightmart_numbers_and_pass_verify(converted, tmp_path):
    """SavedModel (the brightmart graph's numbers, on token ids), TFLite with
    the WordPiece tokenizer inside and ONNX, all within verify's bounds on
    held-out Chinese text."""
    assert main(["export", "saved-model", str(converted), "--out", str(tmp_path / "serving"),
                 "--name", "zh"]) == 0
    saved = load_runner(tmp_path / "serving/zh/1").tokens(inputs())
    for name in OUTPUTS:
        np.testing.assert_allclose(saved[name], REFERENCE[name], atol=TOLERANCE, rtol=0)
    lite, onnx = tmp_path / "zh.tflite", tmp_path / "zh.onnx"
    assert main(["export", "tflite", str(converted), "--out", str(lite),
                 "--with-tokenizer"]) == 0
    assert main(["export", "onnx", str(converted), "--out", str(onnx)]) == 0
    with gzip.open(FIXTURES.parent / "chinese/debian_zh_lines.jsonl.gz", "rt",
                   encoding="utf-8") as f:
        lines = [json.loads(line) for line in f][:2000:40]
    data = tmp_path / "held_out.txt"
    data.write_text("".join(line.replace("\n", " ") + "\n" for line in lines), "utf-8")
    report = tmp_path / "report.json"
    assert main(["verify", str(converted), str(lite), str(onnx), "--data", str(data),
                 "--json", str(report)]) == 0
    report = json.loads(report.read_text())
    assert report["passed"]
    assert all(row["failures"] == [] for row in report["artifacts"])


def test_unshared_layers_are_refused(tmp_path):
    """A checkpoint with both brightmart's embedding and BERT's unshared
    layers is a BERT, not an ALBERT."""
    source, tensors = release_copy(tmp_path)
    tensors = {name.replace("/layer_shared/", "/layer_0/"): value
               for name, value in tensors.items()}
    tf.raw_ops.SaveV2(prefix=str(source / "albert_model.ckpt"), tensor_names=list(tensors),
                      shape_and_slices=[""] * len(tensors), tensors=list(tensors.values()))
    with pytest.raises(ConversionError, match="unshared layers"):
        convert("original", source, tmp_path / "converted")


def zip_release(source, path):
    """The release as brightmart ships it: a .zip with one top folder."""
    with zipfile.ZipFile(path, "w") as bundle:
        for file in sorted(source.iterdir()):
            bundle.write(file, f"albert_tiny/{file.name}")
    return path


def test_the_release_zip_by_url(tmp_path, caches):
    """brightmart's releases are .zip files on a web server: by URL, as
    `from_pretrained` takes Google's .tar.gz, from a server on 127.0.0.1."""
    source, _ = release_copy(tmp_path)
    served = tmp_path / "served"
    served.mkdir()
    zip_release(source, served / "albert_tiny.zip")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(served))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        backbone = AlbertBackbone.from_pretrained(
            f"http://127.0.0.1:{server.server_address[1]}/albert_tiny.zip")
    finally:
        server.shutdown()
        server.server_close()
    check_outputs(backbone)
    # On disk too, as a directory holding albert_config_tiny.json.
    assert AlbertBackbone.from_pretrained(source).embedding_projection == "before_sum"
    assert resolve(source).parent.parent == caches


def test_a_zip_member_outside_the_target_is_refused(tmp_path):
    path = tmp_path / "evil.zip"
    with zipfile.ZipFile(path, "w") as bundle:
        bundle.writestr("../outside.txt", "x")
    with pytest.raises(ConversionError, match="Unsafe member .*outside.txt"):
        convert("original", path, tmp_path / "converted")
    assert not (tmp_path / "outside.txt").exists()
