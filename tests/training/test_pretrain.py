import shutil

import numpy as np
import pydoc_data.topics

from keras_albert import AlbertPretrainer
from keras_albert.cli import main
from keras_albert.text import train_vocabulary


def test_pretrain_resumes_to_the_same_weights(tmp_path):
    corpus = tmp_path / "topics.txt"
    corpus.write_text("\n\n".join(list(pydoc_data.topics.topics.values())[:60]))
    train_vocabulary(corpus, 400, tmp_path / "vocab")
    command = ["pretrain", "--vocab", str(tmp_path / "vocab"), "--input", str(corpus),
               "--input-format", "plain", "--steps", "4", "--checkpoint-every", "2",
               "--batch-size", "4", "--sequence-length", "32", "--max-predictions", "5"]
    assert main([*command, "--out", str(tmp_path / "whole")]) == 0
    assert (tmp_path / "whole" / "log.csv").read_text().count("\n") == 3  # header + 2
    # An interrupted run: only the first checkpoint was written.
    first = tmp_path / "whole" / "checkpoints" / "step-000000002"
    shutil.copytree(first, tmp_path / "resumed" / "checkpoints" / first.name)
    (tmp_path / "resumed" / "checkpoints" / "latest").write_text(first.name)
    assert main([*command, "--out", str(tmp_path / "resumed")]) == 0
    whole = AlbertPretrainer.from_pretrained(tmp_path / "whole" / "model")
    resumed = AlbertPretrainer.from_pretrained(tmp_path / "resumed" / "model")
    for a, b in zip(whole.weights, resumed.weights):
        np.testing.assert_array_equal(a.numpy(), b.numpy(), err_msg=a.path)
