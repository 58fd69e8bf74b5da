"""Read the emotions of the faces in image files.

python -m ml.predict IMAGE... [--json] [--model PATH]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ml.cli import EXIT_FAILED, EXIT_OK, one_line, print_json, run
from ml.imageio import ImageDecodeError, decode_image
from ml.modelfile import DEFAULT_MODEL_PATH


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m ml.predict", description=__doc__.splitlines()[0])
    p.add_argument("images", nargs="+", type=Path, metavar="IMAGE", help="image files")
    p.add_argument(
        "--model",
        type=Path,
        default=DEFAULT_MODEL_PATH,
        help="the model bundle's .keras (its .tflite beside it is what runs)",
    )
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--no-tta", action="store_true", help="skip flip test-time augmentation")
    return p.parse_args(argv)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise ImageDecodeError("no such file") from None
    except IsADirectoryError:
        raise ImageDecodeError("is a directory, not an image") from None
    except OSError as exc:
        raise ImageDecodeError(f"cannot read the file ({exc.strerror or exc})") from None


def _describe(entry: dict[str, Any]) -> list[str]:
    if "error" in entry:
        return [f"{entry['path']}: error: {entry['error']}"]
    faces = entry["faces"]
    head = f"{entry['path']} ({entry['width']}x{entry['height']})"
    if not faces:
        return [f"{head}: no face found"]
    lines = [f"{head}: {len(faces)} face{'s' if len(faces) > 1 else ''}"]
    for i, face in enumerate(faces, 1):
        x, y, w, h = face["box"]
        others = sorted(face["probabilities"].items(), key=lambda kv: -kv[1])
        spread = ", ".join(f"{name} {p:.2f}" for name, p in others)
        flag = " (uncertain)" if face["uncertain"] else ""
        lines.append(
            f"  face {i} at x={x} y={y} w={w} h={h}: {face['emotion']} "
            f"{face['confidence']:.2f}{flag} [{spread}]"
        )
    group = entry.get("group")
    if group:
        lines.append(
            f"  group: {group['emotion']} {group['confidence']:.2f} "
            f"(mean of {group['face_count']} faces, weighted by face size)"
        )
    return lines


def predict(args: argparse.Namespace) -> int:
    entries: list[dict[str, Any]] = []
    recognizer = None
    for path in args.images:
        entry: dict[str, Any] = {"path": str(path)}
        try:
            # Decode before loading the model: a bad file is reported without waiting for it.
            rgb = decode_image(_read(path))
        except ImageDecodeError as exc:
            entry["error"] = one_line(exc)
        else:
            if recognizer is None:
                from ml.inference import EmotionRecognizer  # LiteRT only: no TensorFlow

                recognizer = EmotionRecognizer(args.model, tta=False if args.no_tta else None)
            entry.update(recognizer.recognize(rgb).as_dict())
        entries.append(entry)
        if not args.json:
            print("\n".join(_describe(entry)), flush=True)
    failed = [e for e in entries if "error" in e]
    if args.json:
        print_json({"images": entries, "ok": not failed})
    for entry in failed:
        print(f"error: {entry['path']}: {entry['error']}", file=sys.stderr)
    return EXIT_FAILED if failed else EXIT_OK


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    return run(lambda: predict(args), as_json=args.json)


if __name__ == "__main__":
    sys.exit(main())
