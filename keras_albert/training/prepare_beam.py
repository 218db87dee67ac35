"""`prepare` on Apache Beam (`pip install keras-albert[beam]`).

The pipeline runs the tasks of `training.prepare_tasks`, the ones the local pool
runs, so its shards are the pool's byte for byte:

    Create(tasks) -> Reshuffle -> process_task          (parts in scratch)
                  -> ToList -> merges -> Reshuffle -> merge_shard   (the shards)

Only the tasks' small summaries travel through Beam; the examples go from the
workers to the part files and shards directly (scratch and `out` must be a file
system every worker reaches: `gs://` on Dataflow). Each summary is also written
to `scratch` as JSON under a temporary name, which is how the launching process
reads them back once the pipeline finishes, whichever runner ran it. A retried
bundle rewrites the same files.
"""

import json
import os

import apache_beam as beam
import tensorflow as tf
from apache_beam.options.pipeline_options import PipelineOptions

from keras_albert.training.prepare_tasks import merge_shard, merges, process_task

RESULTS = "results"


def _save(summary, directory, name):
    """Write one summary as `directory/name.json` (temporary name, then rename)."""
    path = os.path.join(directory, f"{name}.json")
    with tf.io.gfile.GFile(path + ".tmp", "w") as file:
        file.write(json.dumps(summary))
    tf.io.gfile.rename(path + ".tmp", path, overwrite=True)
    return summary


def _load(directory, prefix):
    paths = sorted(tf.io.gfile.glob(os.path.join(directory, f"{prefix}-*.json")))
    summaries = []
    for path in paths:
        with tf.io.gfile.GFile(path) as file:
            summaries.append(json.loads(file.read()))
    return summaries


def run_beam(tasks, settings, scratch, out, runner, pipeline_args):
    """Run the tasks and the merges as a Beam pipeline on `runner`.

    Returns:
        `(task summaries, shard entries)` as `prepare`'s local pool returns them.
    """
    results = os.path.join(scratch, RESULTS)
    tf.io.gfile.makedirs(results)
    options = PipelineOptions(pipeline_args, runner=runner)
    with beam.Pipeline(options=options) as pipeline:
        summaries = (
            pipeline
            | "Tasks" >> beam.Create(tasks)
            | "Spread tasks" >> beam.Reshuffle()
            | "Process" >> beam.Map(process_task, settings, scratch)
            | "Save task" >> beam.Map(lambda s: _save(s, results, f"task-{s['task']:05d}")))
        _ = (
            summaries
            | "All tasks" >> beam.combiners.ToList()
            | "Plan merges" >> beam.FlatMap(merges, settings, scratch, out)
            | "Spread merges" >> beam.Reshuffle()
            | "Merge" >> beam.MapTuple(merge_shard)
            | "Save shard" >> beam.Map(lambda e: _save(e, results, f"shard-{e['file']}")))
    summaries = _load(results, "task")
    if len(summaries) != len(tasks):
        raise ValueError(f"The Beam pipeline finished {len(summaries)} of {len(tasks)} "
                         f"tasks. Received: runner={runner!r}")
    return summaries, _load(results, "shard")
