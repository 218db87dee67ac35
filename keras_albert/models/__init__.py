from keras_albert.models.backbone import AlbertBackbone
from keras_albert.models.presets import PRESETS, count_backbone_params, get_preset
