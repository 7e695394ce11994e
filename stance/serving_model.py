"""The code of a logged stance model: MLflow runs this file when it loads the model."""

from mlflow.models import set_model

from stance.serving import StanceServingModel

set_model(StanceServingModel())
