"""Export a fine-tuned classifier for TF Serving and send it a REST request:
raw text in, label names out.

    python examples/serve_with_tf_serving.py --model classifier/model --base models \
        --name wordnet "a large burrowing animal" "move fast on foot"

This writes `models/wordnet/1/` (the layout TF Serving scans) and prints the
`:predict` request. With `--server http://HOST:8501` it posts the request to a
running model server (started with `--model_config_file` pointing at a config
like export/models.config; the server needs tensorflow-text's ops linked in,
see export/README.md) and prints its response. Without `--server` it answers
the same request in this process from the exported SavedModel, with
TensorFlow and tensorflow-text only, in the server's REST "row" format, so you
can see the response a client parses.
"""

import argparse
import json
import urllib.request

import numpy as np
import tensorflow as tf
import tensorflow_text  # noqa: F401  (registers the tokenizer ops the graph uses)


def request_body(texts, signature="serving_default"):
    return {"signature_name": signature, "instances": [{"text": text} for text in texts]}


def post(server, name, body):
    """POST `body` to a model server's REST `:predict` endpoint."""
    request = urllib.request.Request(
        f"{server.rstrip('/')}/v1/models/{name}:predict",
        data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def answer_locally(export_dir, body):
    """What the server answers to `body`: the signature run on the instances,
    one `{output: value}` object per instance ("row" format)."""
    signature = tf.saved_model.load(str(export_dir)).signatures[body["signature_name"]]
    columns = {key: tf.constant([row[key] for row in body["instances"]])
               for key in body["instances"][0]}
    outputs = {key: value.numpy() for key, value in signature(**columns).items()}

    def plain(value):
        if isinstance(value, bytes):
            return value.decode()
        return value.tolist() if isinstance(value, np.ndarray | np.generic) else value

    return {"predictions": [{key: plain(value[i]) for key, value in outputs.items()}
                            for i in range(len(body["instances"]))]}


def main(texts, model, base="models", name="wordnet", version=1, server=None):
    from keras_albert.export import export_saved_model

    export_dir = export_saved_model(model, base, name, version=version, overwrite=True)
    body = request_body(texts)
    print(f"POST /v1/models/{name}:predict\n{json.dumps(body, indent=2)}")
    response = post(server, name, body) if server else answer_locally(export_dir, body)
    for text, row in zip(texts, response["predictions"], strict=True):
        print(f"{row['label']}\t{max(row['probabilities']):.3f}\t{text}")
    return response


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("texts", nargs="+")
    parser.add_argument("--model", required=True, help="fine-tuned directory")
    parser.add_argument("--base", default="models")
    parser.add_argument("--name", default="wordnet")
    parser.add_argument("--version", type=int, default=1)
    parser.add_argument("--server", help="e.g. http://localhost:8501")
    main(**vars(parser.parse_args()))
