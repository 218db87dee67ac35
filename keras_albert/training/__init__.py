from keras_albert.training.lamb import AlbertLamb
from keras_albert.training.optimizer import albert_optimizer
from keras_albert.training.schedule import WarmupPolynomialDecay
