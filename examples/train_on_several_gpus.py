"""Fine-tune a classifier on every GPU of a machine with `tf.distribute`.

    python examples/train_on_several_gpus.py --model my_albert/pretrain/model
    python examples/train_on_several_gpus.py --model my_albert/pretrain/model \
        --cpu-replicas 2     # try the same code on a machine without GPUs

`MirroredStrategy` keeps a copy of the weights on each GPU; every step splits
the global batch over them and all-reduces the gradients. The model, its
optimizer and its metrics are created inside `strategy.scope()`; the raw-text
dataset is the same as on one device. On GPUs the step compiles with XLA and
`--dtype mixed_bfloat16` halves memory and time; XLA cannot all-reduce between
CPU replicas, so `--cpu-replicas` trains without it. For several machines,
`keras-albert pretrain --strategy multi-worker` (with `TF_CONFIG`) does the
same for pretraining.
"""

import argparse

import numpy as np
import tensorflow as tf


def split_cpu(replicas):
    """Make `replicas` logical CPU devices; must run before TensorFlow starts."""
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(
        cpu, [tf.config.LogicalDeviceConfiguration()] * replicas)


def main(model, cpu_replicas=0, batch_size_per_replica=16, epochs=2, limit=2000,
         sequence_length=64, learning_rate=5e-4, dtype=None):
    if cpu_replicas:
        split_cpu(cpu_replicas)
    import keras

    from keras_albert import AlbertClassifier, AlbertTokenizer
    from keras_albert.datasets import load_wordnet
    from keras_albert.text import AlbertPreprocessor

    gpus = tf.config.list_logical_devices("GPU")
    devices = [device.name for device in gpus or tf.config.list_logical_devices("CPU")]
    strategy = tf.distribute.MirroredStrategy(devices)
    replicas = strategy.num_replicas_in_sync
    batch_size = batch_size_per_replica * replicas  # the global batch
    print(f"{replicas} replicas on {devices}; global batch {batch_size}")

    train = load_wordnet("train", limit=limit)
    texts = np.array([example["text"] for example in train])
    labels = np.array([example["label"] for example in train])
    tokenizer = AlbertTokenizer.from_pretrained(model)
    with strategy.scope():
        classifier = AlbertClassifier.from_pretrained(
            model, backbone_overrides={"dtype": dtype},
            num_classes=len(set(labels)), label_names=sorted(set(labels)),
            preprocessor=AlbertPreprocessor(tokenizer, sequence_length))
        classifier.compile(optimizer=keras.optimizers.AdamW(learning_rate),
                           jit_compile=bool(gpus))
    history = classifier.fit(texts, labels, batch_size=batch_size, epochs=epochs,
                             verbose=2)
    print(f"final training loss {history.history['loss'][-1]:.4f}")
    return {"replicas": replicas, **history.history}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True, help="pretrained directory")
    parser.add_argument("--cpu-replicas", type=int, default=0)
    parser.add_argument("--batch-size-per-replica", type=int, default=16)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--limit", type=int, default=2000, help="WordNet training rows")
    parser.add_argument("--dtype", choices=["mixed_bfloat16", "mixed_float16"])
    main(**vars(parser.parse_args()))
