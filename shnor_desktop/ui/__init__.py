"""The PySide6 interface: main window, panels, dialogs and thin item models."""
