"""ШНОР Desktop: the district coordinator's programme for schools with low results."""

from __future__ import annotations

__version__ = "0.1.0"
APP_NAME = "ШНОР Desktop"
ORG_NAME = "ShnorDesktop"
