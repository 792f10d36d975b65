"""Start a new payload type: the first step of CONTRIBUTING.md's procedure (make payload-type).

    python codegen/scaffold_payload_type.py TYPE [--summary TEXT] [--no-image]

writes what every payload type needs, ready to be filled in:

- schemas/payloads/TYPE.json, its schema: one class with an image reference (unless
  --no-image), to be given the payload's real fields;
- its entry in schemas/index.json (stability "experimental" until it is frozen);
- its dispatch branch in schemas/job-v1.json, which selects the schema by payload.type;
- examples/OPERATION-basic.json, a valid job of the type;
- then runs `make gen`'s generator, so the model class exists, and adds the type's helper
  and its `guestkit-job new` form to python/guestkit_job_spec/typed/helpers.py.

What is left is said at the end, and `make test` names whatever is still missing
(tests/test_payload_types.py). Nothing is overwritten: an existing file or entry stops it.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = ROOT / "schemas"
HELPERS = ROOT / "python" / "guestkit_job_spec" / "typed" / "helpers.py"
DISPATCH_END = '\n      ]\n    },\n    "JobMetadata"'
"""Where the dispatch branches of schemas/job-v1.json end: a branch is added before it."""


def class_name(operation: str) -> str:
    """``guestkit.migrate-plan`` -> ``MigratePlanPayload``; the namespace is left out."""
    words = re.split(r"[._-]", operation.split(".", 1)[1] if "." in operation else operation)
    return "".join(word.capitalize() for word in words if word) + "Payload"


def schema(payload_type: str, operation: str, summary: str, image: bool) -> str:
    name = class_name(operation)
    properties = (
        {"image": {"$ref": "../common-v1.json#/$defs/ImageReference", "description": "The disk image to work on."}}
        if image
        else {}
    )
    document = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://guestkit.dev/schemas/payloads/{payload_type}.json",
        "title": f"{payload_type} payload",
        "description": f"Payload of `{operation}`: {summary}",
        "$ref": f"#/$defs/{name}",
        "$defs": {
            name: {
                "title": name,
                "type": "object",
                "description": f"What `{operation}` is given: {summary}",
                "required": ["image"] if image else [],
                "properties": properties,
            }
        },
    }
    return json.dumps(document, indent=2) + "\n"


def add_index_entry(payload_type: str, operation: str, version: int) -> None:
    path = SCHEMAS / "index.json"
    index = json.loads(path.read_text(encoding="utf-8"))
    index["payloads"][payload_type] = {
        "id": f"https://guestkit.dev/schemas/payloads/{payload_type}.json",
        "file": f"payloads/{payload_type}.json",
        "operation": operation,
        "version": version,
        "stability": "experimental",
    }
    path.write_text(json.dumps(index, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def add_dispatch_branch(payload_type: str) -> None:
    path = SCHEMAS / "job-v1.json"
    text = path.read_text(encoding="utf-8")
    if text.count(DISPATCH_END) != 1:
        raise SystemExit("schemas/job-v1.json: cannot find the end of the payload dispatch (allOf of Payload)")
    branch = (
        ",\n        {\n"
        f'          "if": {{"required": ["type"], "properties": {{"type": {{"const": "{payload_type}"}}}}}},\n'
        f'          "then": {{"properties": {{"data": {{"$ref": "payloads/{payload_type}.json"}}}}}}\n'
        "        }"
    )
    path.write_text(text.replace(DISPATCH_END, branch + DISPATCH_END), encoding="utf-8")


def example(payload_type: str, operation: str, image: bool) -> str:
    job = json.loads((ROOT / "examples" / "inspect-minimal.json").read_text(encoding="utf-8"))
    job["operation"] = operation
    job["payload"] = {
        "type": payload_type,
        "data": {"image": {"path": "/vms/web-01.qcow2", "format": "qcow2"}} if image else {},
    }
    return json.dumps(job, indent=2) + "\n"


def model_module(payload_type: str) -> str:
    """The module make gen writes the type's models to: ``system.echo.v1`` -> ``system_echo_v1``."""
    return re.sub(r"[.-]", "_", payload_type)


def add_helper(payload_type: str, operation: str, image: bool) -> str:
    """Append the helper and its form to typed/helpers.py; the helper's name."""
    name = class_name(operation)
    module = model_module(payload_type)
    function = re.sub(r"[.-]", "_", operation.split(".", 1)[1] if "." in operation else operation) + "_job"
    text = HELPERS.read_text(encoding="utf-8")
    imports = re.findall(r"^from \.models\.payloads\..*$", text, flags=re.M)
    line = f"from .models.payloads.{module} import {name}"
    text = text.replace(imports[-1], imports[-1] + "\n" + line, 1)  # ruff sorts it below
    if image:
        signature = "image: str | ImageReference, *, format: ImageFormat | None = None"
        payload = f"{name}(image=_image(ImageReference, image, format))"
        form = (
            'IMAGE,\n    make=lambda given: {f}(given["image"], format=given["format"]),\n'
            '    sample=("--image", "/vms/web-01.qcow2"),'
        )
    else:
        signature, payload = "", f"{name}()"
        form = "make=lambda given: {f}(),\n    sample=(),"
    text += (
        f"\n\ndef {function}({signature}) -> JobBuilder:\n"
        f'    """A ``{operation}`` job."""\n'
        f'    return _job("{payload_type}", {payload})\n\n\n'
        f'register(\n    {function},\n    "{payload_type}",\n    {form.format(f=function)}\n)\n'
    )
    HELPERS.write_text(text, encoding="utf-8")
    return function


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("payload_type", metavar="TYPE", help="the new payload type, e.g. guestkit.doctor.v1")
    parser.add_argument("--summary", default="see the specification.", help="what the operation does, one sentence")
    parser.add_argument("--no-image", dest="image", action="store_false", help="the payload has no disk image")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "python"))
    from guestkit_job_spec.protocol import resources

    payload_type = args.payload_type
    if not re.fullmatch(resources.common_def("PayloadType")["pattern"], payload_type):
        raise SystemExit(
            f"{payload_type!r} is not a payload type: <namespace>.<operation>.v<N>, e.g. guestkit.doctor.v1"
        )
    if payload_type in resources.payload_types():
        raise SystemExit(f"{payload_type} is registered already")
    operation, version = payload_type.rsplit(".v", 1)
    schema_path = SCHEMAS / "payloads" / f"{payload_type}.json"
    example_path = ROOT / "examples" / f"{operation.split('.', 1)[-1].replace('.', '-')}-basic.json"
    for path in (schema_path, example_path):
        if path.exists():
            raise SystemExit(f"{path.relative_to(ROOT)} exists already: nothing was changed")
    schema_path.write_text(schema(payload_type, operation, args.summary, args.image), encoding="utf-8")
    add_index_entry(payload_type, operation, int(version))
    add_dispatch_branch(payload_type)
    example_path.write_text(example(payload_type, operation, args.image), encoding="utf-8")
    subprocess.run([sys.executable, str(ROOT / "codegen" / "generate.py")], check=True)
    function = add_helper(payload_type, operation, args.image)
    ruff = Path(sys.executable).parent / "ruff"
    subprocess.run([str(ruff), "check", "--fix", "--quiet", str(HELPERS)], check=False)
    subprocess.run([str(ruff), "format", "--quiet", str(HELPERS)], check=False)
    written = [schema_path, SCHEMAS / "index.json", SCHEMAS / "job-v1.json", example_path, HELPERS]
    print("wrote:\n" + "".join(f"  {path.relative_to(ROOT)}\n" for path in written))
    print(
        "next (CONTRIBUTING.md, 'Adding a payload type'):\n"
        f"  1. give {schema_path.relative_to(ROOT)} its fields, each with a description and its default\n"
        f"  2. set every field in {example_path.relative_to(ROOT)}, so the generated cases reach them\n"
        f"  3. give {function}() in typed/helpers.py the arguments a caller needs, and its form the flags\n"
        "  4. describe the type in docs/job-protocol-v1.md, section 5: a row and a payload block\n"
        "  5. make gen && make cases && make test: tests/test_payload_types.py names what is missing"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
