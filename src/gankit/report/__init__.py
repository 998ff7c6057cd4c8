"""The run report: one self-contained HTML page built from a run folder's files.

``gankit report RUN_DIR`` writes ``RUN_DIR/report.html``, and ``gankit train``
writes it at the end of every run (also after an interrupt or a diverged
run). The page shows the loss and gradient-norm curves, the sample pictures
over training, the quality figures (and the evaluation history, beside a
real-data floor when ``metrics.json`` has one), the memorization check, the
timing, the warnings raised, and the resolved config. Pictures are embedded as
``data:`` URIs and the CSS and JS are inline, so the file opens offline.
"""

from gankit.report.page import build_report, render_report, write_report
from gankit.report.run_folder import RUN_MARKERS, NotARunFolderError, RunFolder, read_run_folder

__all__ = [
    "RUN_MARKERS",
    "NotARunFolderError",
    "RunFolder",
    "build_report",
    "read_run_folder",
    "render_report",
    "write_report",
]
