"""`presets`, `convert` and `cache`: models and where they come from."""

import os

from keras_albert.convert import CONVERTERS, convert
from keras_albert.hub import cache_root, clear, copy_pretrained, list_entries
from keras_albert.models.presets import PRESET_WEIGHTS, PRESETS, count_backbone_params


def _presets(args):
    for name, config in PRESETS.items():
        weights = PRESET_WEIGHTS[name] or "none (random: needs --vocab)"
        print(f"{name:20s} L={config['num_layers']:<3d} H={config['hidden_dim']:<5d} "
              f"E={config['embedding_dim']:<4d} {count_backbone_params(config):>12,d} "
              f"backbone parameters  weights: {weights}")


def _convert(args):
    if args.source_format is None or not os.path.exists(args.source):  # a name
        if args.lowercase is not None:
            raise ValueError("--cased/--uncased apply to a checkpoint on disk with "
                             f"--from; a name brings its own. Received: {args.source}")
        copy_pretrained(args.source, args.out, overwrite=args.overwrite)
        print(f"Wrote {args.source} to {args.out}")
        return
    print(f"Converting {args.source_format} checkpoint {args.source} ...")
    model = convert(args.source_format, args.source, args.out, overwrite=args.overwrite,
                    verbose=True, lowercase=args.lowercase)
    print(f"Wrote {type(model).__name__} ({model.count_params():,d} parameters) to "
          f"{args.out}")


def _cache(args):
    if args.action == "clear":
        print(f"Removed {clear()} converted models from {cache_root()}")
        return
    entries = list_entries()
    for entry in entries:
        source = entry["source"]
        revision = source.get("commit") or source.get("revision") or ""
        print(f"{source.get('name', '?')}  {revision[:12]}  "
              f"{entry['bytes'] / 1e6:.1f} MB  {entry['path']}")
    print(f"{len(entries)} converted models in {cache_root()}")


def add_parsers(commands):
    presets = commands.add_parser("presets", help="list the architecture presets")
    presets.set_defaults(run=_presets)
    convert = commands.add_parser(
        "convert", help="convert an original, transformers or keras-hub checkpoint, "
        "or a pretrained model by name"
    )
    convert.add_argument("--from", dest="source_format",
                         choices=CONVERTERS,
                         help="the format of a checkpoint on disk (a name needs none)")
    convert.add_argument("source", help="checkpoint directory (or .tar.gz/.zip release), or "
                         "a name: albert/albert-base-v2, hf://ORG/NAME@REV, a "
                         "keras-hub preset, a release archive's URL")
    convert.add_argument("--out", required=True, help="pretrained directory to write")
    convert.add_argument("--overwrite", action="store_true",
                         help="replace --out if it exists")
    case = convert.add_mutually_exclusive_group()
    case.add_argument("--cased", dest="lowercase", action="store_false", default=None,
                      help="the vocabulary is cased: do not lower-case text")
    case.add_argument("--uncased", dest="lowercase", action="store_true",
                      help="lower-case text before SentencePiece")
    convert.set_defaults(run=_convert)
    cache = commands.add_parser(
        "cache", help="list or clear the converted pretrained models "
        "(KERAS_ALBERT_CACHE)")
    cache.add_argument("action", choices=["list", "clear"])
    cache.set_defaults(run=_cache)
