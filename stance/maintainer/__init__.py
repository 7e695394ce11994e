"""Maintainer tools, run from a source checkout and left out of the wheel: building the
corpus splits and its statistics (`stance corpus`), and the benchmark (`stance bench`)."""
