"""Where configs live and the OmegaConf resolvers they use."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
# The config groups that make a model, whose chosen options name a run and set runs apart.
CHOICE_GROUPS = ("experiment", "data", "labels", "preprocess", "features", "model", "register")


def config_dir() -> Path:
    """The `conf/` folder: $STANCE_CONFIG_DIR, the copy inside a wheel, or the checkout's."""
    for candidate in (
        os.environ.get("STANCE_CONFIG_DIR"),
        PACKAGE_DIR / "conf",
        PACKAGE_DIR.parent / "conf",
    ):
        if candidate and (Path(candidate) / "config.yaml").is_file():
            return Path(candidate).resolve()
    raise FileNotFoundError(
        "no stance config found: set STANCE_CONFIG_DIR to a folder holding config.yaml"
    )


def _unique_token() -> str:
    import secrets

    return secrets.token_hex(3)


def project_root() -> Path:
    """$STANCE_ROOT, else the checkout this package runs from, else the current folder."""
    if os.environ.get("STANCE_ROOT"):
        return Path(os.environ["STANCE_ROOT"]).resolve()
    checkout = PACKAGE_DIR.parent
    if (checkout / "pyproject.toml").is_file() and (checkout / "conf").is_dir():
        return checkout
    return Path.cwd().resolve()


def register_resolvers() -> None:
    """Register once; safe to call again (tests, Hydra workers)."""
    from omegaconf import OmegaConf

    if not OmegaConf.has_resolver("as_tuple"):
        # sklearn validates ngram_range as a tuple; YAML only has lists.
        OmegaConf.register_new_resolver("as_tuple", lambda items: tuple(items))
    if not OmegaConf.has_resolver("stance_root"):
        OmegaConf.register_new_resolver("stance_root", lambda: str(project_root()))
    if not OmegaConf.has_resolver("env_or"):
        # An environment variable, or the default when it is unset or empty
        # (`MLFLOW_TRACKING_URI= stance-train` means no server, not the cwd's ./mlruns).
        OmegaConf.register_new_resolver(
            "env_or", lambda name, default: os.environ.get(name) or default
        )
    if not OmegaConf.has_resolver("unique"):
        # Run folders are named by the second they start in and this token, so two runs (or
        # sweeps, on machines sharing a file system) started together never share one.
        # Cached in the config, so a run's folder resolves to one name wherever it is read.
        OmegaConf.register_new_resolver("unique", _unique_token, use_cache=True)


@dataclass(frozen=True)
class Defaults:
    """The defaults the commands share, read from the same `conf/` files training uses."""

    models: Path
    tracking_uri: str
    experiment: str
    register_as: str

    @property
    def latest(self) -> Path:
        return self.models / "latest"


def defaults() -> Defaults:
    """`paths.models`, `tracking.uri`, `tracking.experiment` and `tracking.register_as` of
    the default config (`conf/paths/default.yaml`, `conf/tracking/local.yaml`), so Python
    holds no second copy of them. ``MLFLOW_TRACKING_URI`` wins, as in training."""
    from omegaconf import OmegaConf

    register_resolvers()
    root = config_dir()
    cfg = OmegaConf.create(
        {
            "paths": OmegaConf.load(root / "paths" / "default.yaml"),
            "tracking": OmegaConf.load(root / "tracking" / "local.yaml"),
        }
    )
    return Defaults(
        models=Path(cfg.paths.models),
        tracking_uri=str(cfg.tracking.uri),
        experiment=str(cfg.tracking.experiment),
        register_as=str(cfg.tracking.register_as),
    )


def default_choices() -> dict[str, str]:
    """The option each group of `CHOICE_GROUPS` takes in `conf/config.yaml`'s defaults."""
    from omegaconf import OmegaConf

    found = {}
    for entry in OmegaConf.load(config_dir() / "config.yaml").defaults:
        if isinstance(entry, str) or not hasattr(entry, "items"):
            continue
        for group, option in entry.items():
            if group in CHOICE_GROUPS:
                found[group] = str(option)
    return found
