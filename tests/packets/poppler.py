"""poppler-utils (pdfinfo, pdftotext) on a PDF in memory, for tests that read packets."""

import shutil
import subprocess

import pytest

available = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils missing")


def run(tool: str, pdf: bytes, tmp_path, *args: str, output: tuple[str, ...] = ()) -> str:
    path = tmp_path / "packet.pdf"
    path.write_bytes(pdf)
    executable = shutil.which(tool)
    assert executable, tool
    # Our own PDF and fixed arguments: nothing untrusted reaches the command line.
    done = subprocess.run(  # noqa: S603
        [executable, *args, str(path), *output], capture_output=True, text=True, check=True
    )
    return done.stdout


def pdfinfo(pdf: bytes, tmp_path) -> dict:
    out = run("pdfinfo", pdf, tmp_path)
    return dict(line.split(":", 1) for line in out.splitlines() if ":" in line)


def pdftotext(pdf: bytes, tmp_path, *args: str) -> str:
    return run("pdftotext", pdf, tmp_path, *args, output=("-",))
