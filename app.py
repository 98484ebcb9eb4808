"""Deep Learning Limits Lab — start with ``streamlit run app.py``.

This file only starts the shell; the table of contents is ``core/demos.py``,
the frame is ``ui/shell.py``, and each demo is one page in ``pages/``.
"""

from ui.shell import run_app

run_app()
