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
`strategy.num_replicas_in_sync` replicas (`check_global_batch`). Only the chief
writes (`is_chief`); `prepare_multi_worker` works around Keras' `fit` under
`MultiWorkerMirroredStrategy`, `wait_for_workers` keeps a cluster together
until the chief has written.
"""

import json
import os
import warnings

import tensorflow as tf

from keras_albert.checks import check_choice
from keras_albert.compat import forget_distribute_strategy, symbolic_build

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
    try:
        resolver = tf.distribute.cluster_resolver.TPUClusterResolver(tpu=tpu or "")
        tf.config.experimental_connect_to_cluster(resolver)
        tf.tpu.experimental.initialize_tpu_system(resolver)
    except (ValueError, RuntimeError, tf.errors.OpError) as error:
        message = str(error).strip().splitlines()[0] if str(error).strip() else ""
        raise ValueError(f"`--strategy tpu` found no TPU ({type(error).__name__}: "
                         f"{message}). Received: tpu={tpu!r}") from None
    return tf.distribute.TPUStrategy(resolver)


def check_global_batch(batch_size, strategy, name="default"):
    """`batch_size` (global) must split evenly over the replicas."""
    replicas = strategy.num_replicas_in_sync
    if batch_size % replicas:
        raise ValueError(f"`batch_size` must be a multiple of the {replicas} replicas "
                         f"of strategy {name!r}. Received: batch_size={batch_size}")


def xla_possible(strategy):
    """XLA cannot compile all-reduces between CPU devices: it neither places
    variables on several CPU devices of one process
    (https://www.tensorflow.org/xla/known_issues) nor compiles collectives on
    CPUs. A strategy with several replicas on CPUs therefore trains without it,
    with a warning; on GPUs and TPUs it stays on."""
    if strategy.num_replicas_in_sync == 1:
        return True
    if all("CPU" in device.upper() for device in strategy.extended.worker_devices):
        warnings.warn(f"XLA is off: it cannot all-reduce between the "
                      f"{strategy.num_replicas_in_sync} CPU replicas (it stays on "
                      "for GPUs and TPUs).", stacklevel=3)
        return False
    return True


def prepare_multi_worker(model, dataset=None):
    """Work around two failures of Keras 3's `fit` under
    `MultiWorkerMirroredStrategy` (keras-team/keras#20585); a no-op under
    other strategies. Call it on the compiled model, then run `fit` inside
    `strategy.scope()`.

    - `fit` first all-reduces a nested batch of distributed values to build
      the model symbolically, which `CollectiveAllReduce` cannot do: the model,
      losses, metrics and optimizer are built here from the first batch of
      `dataset` (None when the model builds itself before `fit`, as
      `AlbertTask.fit` does) and `fit` finds the strategy through its scope
      rather than the model's attribute, so that step is skipped;
    - it averages each step's logged scalars over workers with
      `reduce("MEAN", value, axis=0)`, which fails on scalars: the steps return
      their logs as vectors of one element, which that reduction averages.
    """
    strategy = model.distribute_strategy
    if not isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy):
        return
    with strategy.scope():
        if dataset is not None:
            symbolic_build(model, next(iter(dataset.take(1))))
        if not model.optimizer.built:
            model.optimizer.build(model.trainable_variables)
    forget_distribute_strategy(model)
    train_step, test_step = model.train_step, model.test_step

    def as_vectors(logs):
        return {name: tf.reshape(value, [1]) for name, value in logs.items()}

    model.train_step = lambda data: as_vectors(train_step(data))
    model.test_step = lambda data: as_vectors(test_step(data))


def wait_for_workers(strategy):
    """A barrier across a multi-worker cluster (a no-op otherwise): no worker
    leaves it before the chief has written what it writes."""
    if isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy):
        strategy.run(lambda: tf.distribute.get_replica_context().all_reduce(
            "SUM", tf.constant(1.0)))


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
