"""Open Model Race: reproducible checks of 'Chinese open-weight models lead open-source AI'."""

__version__ = "0.1.0"
