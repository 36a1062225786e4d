"""Start ШНОР Desktop: ``python -m shnor_desktop`` and the ``shnor-desktop`` entry point."""

from __future__ import annotations

from shnor_desktop import cli


def main() -> None:
    """Run the command line (or the GUI) and exit with its code."""
    raise SystemExit(cli.main())


if __name__ == "__main__":
    main()
