"""PDFs drawn at the same moment in one process (a threaded server) come out whole.

reportlab's TrueType fonts are shared by every document and not thread-safe: while the GETs that
issue documents were driven beside concurrent writers, two credit reports drawn at once corrupted
each other's font subset (KeyError in ``makeSubset``, a 500).  ``core.pdf.render_pdf`` draws one at
a time per process.
"""

from __future__ import annotations

import io
import threading
from datetime import UTC, datetime

from pypdf import PdfReader

from registry.core import pdf as core_pdf

THREADS, EACH = 8, 4


def test_pdfs_drawn_in_many_threads_at_once_are_all_whole(app):
    results: list[bytes] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(THREADS)

    def draw(n: int) -> None:
        with app.app_context():
            style = core_pdf.styles()
            barrier.wait(timeout=60)
            for i in range(EACH):
                # Different characters in each document: each draws its own subset of the CJK font.
                text = "".join(chr(0x4E00 + (n * 997 + i * 131 + k * 7) % 20000) for k in range(400))
                meta = core_pdf.DocumentMeta(
                    title="信用报告", number=f"第{n}{i}号", issuing_unit="湖南省交通运输厅",
                    issued_at=datetime(2026, 10, 9, tzinfo=UTC), verification_code="0123456789ABCDEF",
                    verify_url="https://credit.example/verify/0123456789ABCDEF")
                try:
                    results.append(core_pdf.render_pdf(meta, [core_pdf.para(text, style["body"])]))
                except Exception as error:  # reported below, not lost in the thread
                    errors.append(error)

    threads = [threading.Thread(target=draw, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert errors == []
    assert len(results) == THREADS * EACH
    for data in results:
        assert len(PdfReader(io.BytesIO(data)).pages) >= 1
