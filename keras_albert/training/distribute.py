"""`tf.distribute` strategies for training on more than one device or machine.

- `"default"`: one device (the first GPU if there is one, else the CPU).
- `"mirrored"`: synchronous data parallelism over every GPU of this machine; on
  a machine without GPUs, over its logical CPU devices (one unless
  `tf.config.set_logical_device_configuration` made more; used by the tests).
- `"multi-worker"`: `MultiWorkerMirroredStrategy` over the machines listed in
  the `TF_CONFIG` environment variable (each machine runs the same command with
  its own `task`); all replicas of all workers in one all-reduce.
- `"tpu"`: `TPUStrategy` on the TPU named by `tpu` (`"local"` on a TPU VM, or a
  TPU name/grpc address).

The batch size given to training is the global one, split evenly over
`strategy.num_replicas_in_sync` replicas.
"""

import json
import os

import tensorflow as tf

from keras_albert.checks import check_choice

STRATEGIES = ("default", "mirrored", "multi-worker", "tpu")


def _check_tf_config():
    raw = os.environ.get("TF_CONFIG")
    if not raw:
        raise ValueError("`--strategy multi-worker` needs the TF_CONFIG environment "
                         "variable (cluster and task of this worker). Received: "
                         "TF_CONFIG unset")
    try:
        config = json.loads(raw)
        workers = config["cluster"]["worker"]
        task = config["task"]
        index = int(task["index"])
    except (ValueError, KeyError, TypeError) as error:
        raise ValueError(f"TF_CONFIG is not a cluster spec with a task "
                         f"({type(error).__name__}: {error}). Received: "
                         f"TF_CONFIG={raw!r}") from None
    if task.get("type") == "worker" and not 0 <= index < len(workers):
        raise ValueError(f"TF_CONFIG task index {index} is outside the {len(workers)} "
                         f"workers. Received: TF_CONFIG={raw!r}")


def make_strategy(name="default", tpu=None):
    """The `tf.distribute.Strategy` called `name` (one of `STRATEGIES`)."""
    check_choice("strategy", name, STRATEGIES)
    if name == "default":
        return tf.distribute.get_strategy()
    if name == "mirrored":
        devices = (tf.config.list_logical_devices("GPU")
                   or tf.config.list_logical_devices("CPU"))
        return tf.distribute.MirroredStrategy([device.name for device in devices])
    if name == "multi-worker":
        _check_tf_config()
        return tf.distribute.MultiWorkerMirroredStrategy()
    resolver = tf.distribute.cluster_resolver.TPUClusterResolver(tpu=tpu or "")
    tf.config.experimental_connect_to_cluster(resolver)
    tf.tpu.experimental.initialize_tpu_system(resolver)
    return tf.distribute.TPUStrategy(resolver)


def is_chief(strategy):
    """Whether this process writes checkpoints, logs and the final model: always,
    but for the non-chief workers of a multi-worker cluster."""
    resolver = getattr(strategy, "cluster_resolver", None)
    if resolver is None or isinstance(
            resolver, tf.distribute.cluster_resolver.TPUClusterResolver):
        return True
    task_type, task_id = resolver.task_type, resolver.task_id
    if task_type in (None, "chief"):
        return True
    jobs = resolver.cluster_spec().jobs
    return task_type == "worker" and task_id == 0 and "chief" not in jobs
