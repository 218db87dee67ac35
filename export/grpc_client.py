"""A gRPC request to a TF Serving model server (port 8500) for a keras-albert
export: raw text in, label names out.

    pip install tensorflow-serving-api grpcio
    python export/grpc_client.py --server localhost:8500 --model wordnet "a large burrowing animal"

A pair model takes `--pair` and two texts a line separated by a tab.
"""

import argparse

import grpc
import tensorflow as tf
from tensorflow_serving.apis import predict_pb2, prediction_service_pb2_grpc


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("texts", nargs="+")
    parser.add_argument("--server", default="localhost:8500")
    parser.add_argument("--model", default="wordnet")
    parser.add_argument("--pair", action="store_true", help="texts are 'a<TAB>b'")
    args = parser.parse_args()

    request = predict_pb2.PredictRequest()
    request.model_spec.name = args.model
    request.model_spec.signature_name = "serving_default"
    if args.pair:
        first, second = zip(*(text.split("\t", 1) for text in args.texts), strict=True)
        request.inputs["text_a"].CopyFrom(tf.make_tensor_proto(list(first)))
        request.inputs["text_b"].CopyFrom(tf.make_tensor_proto(list(second)))
    else:
        request.inputs["text"].CopyFrom(tf.make_tensor_proto(args.texts))
    with grpc.insecure_channel(args.server) as channel:
        stub = prediction_service_pb2_grpc.PredictionServiceStub(channel)
        response = stub.Predict(request, timeout=10.0)
    labels = tf.make_ndarray(response.outputs["label"])
    probabilities = tf.make_ndarray(response.outputs["probabilities"]).max(axis=-1)
    for text, label, probability in zip(args.texts, labels, probabilities, strict=True):
        print(f"{label.decode()}\t{probability:.3f}\t{text}")


if __name__ == "__main__":
    main()
