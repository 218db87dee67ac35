"""The position in a streamed dataset, saved with each checkpoint, for an exact resume.

`text.pretraining_data.streamed_pretraining_dataset` cannot start at a step:
its position is its shuffle buffers, its place in each shard and its random
state. A `tf.data` iterator saves and restores all of these
(`tf.train.Checkpoint(iterator=...)`), and `DataCheckpoint` does so for the
iterator Keras' `fit` reads from, which `fit` makes itself: it wraps
`model.train_function` when training begins to catch that iterator at the first
step, restores into it the state saved with the checkpoint the run resumes
from before a batch is read, and writes its state into every new checkpoint
directory (`checkpoints.write_checkpoint`'s `extra`), next to the weights, so
the two are saved at once and never disagree.

Under a `tf.distribute` strategy `fit` reads from a `DistributedIterator`, which
TensorFlow cannot checkpoint (it feeds the devices through a multi-device
iterator, which is not trackable). There a run resumes by replaying the stream,
each worker its own part: it reads and drops the batches of the steps already
taken, which takes the time of reading them (not of training on them) and
reaches the uninterrupted run's position when every iterator of the dataset
reads the same stream (`fit` under a strategy first reads from an iterator of
its own).
"""

from pathlib import Path

import keras
import tensorflow as tf

DATA = "data"  # the prefix of the iterator's files in a checkpoint directory


def has_data_state(checkpoint):
    """Whether the checkpoint directory holds a data position."""
    return checkpoint is not None and (Path(checkpoint) / f"{DATA}.index").is_file()


class DataCheckpoint(keras.callbacks.Callback):
    """Catches the iterator `fit` trains from; restores it from `resume_from`
    (a checkpoint directory, or None to start at the beginning); `write`
    saves its position into a checkpoint directory."""

    def __init__(self, resume_from=None):
        super().__init__()
        self.resume_from = resume_from
        self.iterator = None
        self._train_function = None

    def on_train_begin(self, logs=None):
        train_function = self._train_function = self.model.train_function

        def caught(iterator):
            if self.iterator is None:
                self._catch(iterator)
            return train_function(iterator)

        self.model.train_function = caught

    def _catch(self, iterator):
        if not isinstance(iterator, tf.data.Iterator):
            raise TypeError(f"The data position can be saved only for a "
                            f"`tf.data` iterator. Received: "
                            f"iterator={type(iterator).__name__}")
        self.iterator = iterator
        if self.resume_from is not None:
            prefix = str(Path(self.resume_from) / DATA)
            try:
                tf.train.Checkpoint(iterator=iterator).read(prefix).assert_consumed()
            except (tf.errors.OpError, ValueError, AssertionError) as error:
                message = str(error).strip().splitlines()[0]
                raise ValueError(f"Cannot restore the data position of checkpoint "
                                 f"{self.resume_from} ({type(error).__name__}: "
                                 f"{message}). Received: "
                                 f"checkpoint={str(self.resume_from)!r}") from None

    def on_train_end(self, logs=None):
        self.model.train_function = self._train_function

    def write(self, directory):
        """Save the iterator's position (after the steps taken) into `directory`."""
        if self.iterator is not None:
            tf.train.Checkpoint(iterator=self.iterator).write(str(Path(directory) / DATA))


def resume_stream(stream, checkpoint, step, checkpointable):
    """`(dataset, DataCheckpoint or None)` of a streamed run resuming at `step`.

    Args:
        stream: callable step -> dataset (the batches from that step on, by
            replaying the stream).
        checkpoint: the checkpoint directory the run resumes from, or None.
        step: int. The step of that checkpoint (0 for a new run).
        checkpointable: bool. Whether `fit` will read from a `tf.data` iterator
            (no `tf.distribute` strategy); else the stream is replayed.
    """
    if not checkpointable:
        return stream(step), None
    if step and not has_data_state(checkpoint):  # written under a strategy
        return stream(step), DataCheckpoint()
    return stream(0), DataCheckpoint(checkpoint if step else None)
