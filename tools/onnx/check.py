#!/usr/bin/python3
"""Runs the ONNX package's own checker (with full shape inference) on exported models.

Not part of CI. Usage, with Debian's python3-onnx (apt-get install python3-onnx; its onnx 1.12 knows opsets up to 17):
    STRATA_ONNX_DUMP=/tmp/onnx-models dotnet test -c Release tests/Strata.Onnx.Tests
    /usr/bin/python3 tools/onnx/check.py /tmp/onnx-models
Prints one line per model that fails and a summary; exits non-zero if any failed.
"""
import pathlib
import sys

import onnx
import onnx.checker
import onnx.defs


def main(folder: str) -> int:
    newest = onnx.defs.onnx_opset_version()
    checked = skipped = failed = 0
    for path in sorted(pathlib.Path(folder).glob("*.onnx")):
        model = onnx.load(str(path))
        opset = max(o.version for o in model.opset_import)
        if opset > newest:
            skipped += 1  # this onnx release does not know the opset
            continue
        try:
            onnx.checker.check_model(model, full_check=True)
            checked += 1
        except Exception as error:  # the checker raises several types
            failed += 1
            print(f"{path.name}: {error}")
    print(f"{checked} passed, {failed} failed, {skipped} skipped (opset above {newest})")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "."))
