import numpy as np

from keras_albert import AlbertBackbone
from keras_albert.convert import convert
from tests.convert.conversion_fixtures import FIXTURES, TOLERANCE, fixture_copy, inputs


def test_preset_directory_gives_keras_hub_outputs(tmp_path):
    out = tmp_path / "converted"
    convert("keras-hub", fixture_copy(tmp_path, "keras_hub", None), out)
    backbone = AlbertBackbone.from_pretrained(out, execution="loop")
    reference = np.load(FIXTURES / "keras_hub" / "reference.npz")
    outputs = backbone(inputs())
    for key in ("sequence_output", "pooled_output"):
        np.testing.assert_allclose(np.asarray(outputs[key]), reference[key],
                                   atol=TOLERANCE, rtol=0, err_msg=key)
    assert (out / "spiece.model").is_file()
