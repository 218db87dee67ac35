"""Real `tf.distribute` runs of the command line for the tests: two logical
CPU devices in one process (`mirrored`), or two worker processes on
127.0.0.1 (`multi_worker`)."""

import json
import os
import socket
import subprocess
import sys

# Two logical CPU devices must be configured before TensorFlow starts.
MIRRORED = """
import sys
import tensorflow as tf
cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(
    cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
from keras_albert.cli import main
sys.exit(main(sys.argv[1:]))
"""
TIMEOUT = 300


def environment(**extra):
    return {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", **extra}


def run_cli(args, mirrored=False):
    """`keras-albert ARGS` in a fresh process (on two logical CPU devices
    with `mirrored`); the `CompletedProcess`, its return code checked."""
    command = ["-c", MIRRORED] if mirrored else ["-m", "keras_albert.cli"]
    result = subprocess.run([sys.executable, *command, *args], check=False,
                            capture_output=True,
                            text=True, env=environment(), timeout=TIMEOUT)
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def _free_ports(count):
    sockets = [socket.socket() for _ in range(count)]
    for each in sockets:
        each.bind(("127.0.0.1", 0))
    ports = [each.getsockname()[1] for each in sockets]
    for each in sockets:
        each.close()
    return ports


def run_workers(args, count=2):
    """`keras-albert ARGS` in `count` worker processes of one
    `MultiWorkerMirroredStrategy` cluster on 127.0.0.1; their stdout, each
    return code checked."""
    workers = [f"127.0.0.1:{port}" for port in _free_ports(count)]
    processes = []
    for index in range(count):
        tf_config = json.dumps({"cluster": {"worker": workers},
                                "task": {"type": "worker", "index": index}})
        processes.append(subprocess.Popen(
            [sys.executable, "-m", "keras_albert.cli", *args],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env=environment(TF_CONFIG=tf_config)))
    try:
        results = [process.communicate(timeout=TIMEOUT) for process in processes]
    finally:
        for process in processes:
            process.kill()
    for process, (_, stderr) in zip(processes, results, strict=True):
        assert process.returncode == 0, stderr[-3000:]
    return [stdout for stdout, _ in results]
