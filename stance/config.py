"""Where configs live and the OmegaConf resolvers they use."""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


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
