"""A helper per registered payload type, and how ``guestkit-job new`` makes a job of each.

Each helper returns a JobBuilder with a fresh id, the operation and its payload, ready for
the envelope's setters and ``build()``. Where a payload takes an image or a list of named
things, a helper takes the plain form too: a path (format from its extension), a name.
Beside each helper, its form: the command-line flags a person gives ``guestkit-job new``
for that operation and how they become the helper's arguments. A new payload type gets
its helper and form here (``make payload-type`` writes a first one), and nowhere else:
the CLI reads FORMS, the package exports every helper of HELPERS.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..protocol import resources
from . import binding
from .builder import JobBuilder
from .models.common_v1 import BootTarget, FixPlan, ImageFormat, ImageReference
from .models.payloads.guestkit_agent_call_v1 import AgentCallPayload
from .models.payloads.guestkit_agent_doctor_v1 import AgentDoctorPayload
from .models.payloads.guestkit_agent_evidence_v1 import AgentEvidencePayload
from .models.payloads.guestkit_compare_v1 import CompareOptions, CompareOutput, ComparePayload
from .models.payloads.guestkit_convert_v1 import ConvertOptions, ConvertPayload, ConvertTarget
from .models.payloads.guestkit_doctor_v1 import DoctorPayload
from .models.payloads.guestkit_explore_v1 import ExploreAction, ExplorePayload
from .models.payloads.guestkit_fix_v1 import FixExecutionPolicy, FixImage, FixOperation, FixOutput, FixPayload
from .models.payloads.guestkit_inspect_v1 import InspectImage, InspectOptions, InspectOutput, InspectPayload
from .models.payloads.guestkit_migrate_plan_v1 import MigratePlanPayload
from .models.payloads.guestkit_passport_v1 import PassportPayload
from .models.payloads.guestkit_profile_v1 import ProfileName, ProfileOptions, ProfileOutput, ProfilePayload
from .models.payloads.guestkit_repair_v1 import RepairPayload


@dataclass(frozen=True)
class Flag:
    """One thing a person gives ``guestkit-job new``: ``--name METAVAR``, or ``--name`` and
    ``--no-name`` for a boolean (None when neither is given). Forms that share a flag name
    share one option: they must agree on what it takes (repeated, boolean, choices)."""

    name: str
    metavar: str
    help: str
    repeated: bool = False
    choices: tuple[str, ...] | None = None
    required: bool = True
    boolean: bool = False


@dataclass(frozen=True)
class Form:
    """How ``guestkit-job new`` makes a job of one payload type: the flags it takes, what they
    make (``make`` gets every flag's value by name, ``format`` too), and a sample command line."""

    payload_type: str
    flags: tuple[Flag, ...]
    make: Callable[[Mapping[str, Any]], JobBuilder]
    sample: tuple[str, ...]

    @property
    def operation(self) -> str:
        operation: str = resources.payload_types()[self.payload_type]["operation"]
        return operation


FORMS: dict[str, Form] = {}
"""The form of each operation that has one, by operation."""

HELPERS: dict[str, Callable[..., JobBuilder]] = {}
"""The helper of each payload type, by payload type."""


def register(
    function: Callable[..., JobBuilder],
    payload_type: str,
    *flags: Flag,
    make: Callable[[Mapping[str, Any]], JobBuilder],
    sample: Sequence[str],
) -> None:
    """Record ``function`` as the helper of ``payload_type``, with its form."""
    HELPERS[payload_type] = function
    form = Form(payload_type, flags, make, tuple(sample))
    FORMS[form.operation] = form


def image_format(path: str, keyword: str = "format") -> ImageFormat:
    """The image format a file name's extension names (``disk.qcow2`` -> ``qcow2``); when it
    names none, the error says to give it by ``keyword`` (``--keyword`` on the command line)."""
    named = _named_format(path)
    if named is None:
        flag = "--" + keyword.replace("_", "-")
        raise ValueError(
            f"cannot tell the image format of {path!r}; give it ({keyword}=, or {flag}), "
            f"one of {', '.join(IMAGE_FORMATS)}"
        )
    return named


def _named_format(path: str) -> ImageFormat | None:
    suffix = path.rsplit(".", 1)[-1].lower() if "." in path.rsplit("/", 1)[-1] else ""
    return suffix if suffix in IMAGE_FORMATS else None  # type: ignore[return-value]


def _image(kind: type[Any], image: str | Any, image_format_: ImageFormat | None, keyword: str = "format") -> Any:
    if not isinstance(image, str):
        return image
    return kind(path=image, format=image_format_ or image_format(image, keyword))


def _one_or_many(given: Any) -> list[Any]:
    """A list of what was given (names, operations), a string given alone as one item (not its characters)."""
    return [given] if isinstance(given, str) else list(given)


def _job(payload_type: str, payload: Any) -> JobBuilder:
    """A builder with a fresh id, the operation and the payload. No capability is required
    unasked: a worker runs only the operations it registers (match_worker checks that)."""
    operation = resources.payload_types()[payload_type]["operation"]
    return JobBuilder().generate_job_id().operation(operation).payload(payload_type, payload)


def _enum(payload_type: str, definition: str) -> tuple[str, ...]:
    """The values of an enumeration in a payload schema, for a flag's choices."""
    schema = resources.schemas_by_id()[resources.payload_types()[payload_type]["id"]]
    return tuple(schema["$defs"][definition]["enum"])


IMAGE = Flag("image", "PATH", "the image to work on")
IMAGE_FORMATS = tuple(resources.common_def("ImageFormat")["enum"])


def inspect_job(
    image: str | InspectImage,
    *,
    format: ImageFormat | None = None,
    options: InspectOptions | None = None,
    output: InspectOutput | None = None,
) -> JobBuilder:
    """A ``guestkit.inspect`` job; ``image`` is a path (format from its extension) or an ``InspectImage``."""
    payload = InspectPayload(image=_image(InspectImage, image, format), options=options, output=output)
    return _job("guestkit.inspect.v1", payload)


def _option_flags(payload_type: str, definition: str) -> tuple[Flag, ...]:
    """A --NAME/--no-NAME flag for each yes-or-no option of a payload schema, read from the schema."""
    schema = resources.schemas_by_id()[resources.payload_types()[payload_type]["id"]]
    properties = schema["$defs"][definition]["properties"]
    return tuple(
        Flag(name, "", spec.get("description", ""), required=False, boolean=True)
        for name, spec in properties.items()
        if "boolean" in (spec["type"] if isinstance(spec.get("type"), list) else [spec.get("type")])
    )


INSPECT_OPTIONS = _option_flags("guestkit.inspect.v1", "InspectOptions")


def _inspect_from_flags(given: Mapping[str, Any]) -> JobBuilder:
    chosen = {flag.name: given[flag.name] for flag in INSPECT_OPTIONS if given.get(flag.name) is not None}
    return inspect_job(given["image"], format=given["format"], options=InspectOptions(**chosen) if chosen else None)


register(
    inspect_job,
    "guestkit.inspect.v1",
    IMAGE,
    *INSPECT_OPTIONS,
    make=_inspect_from_flags,
    sample=("--image", "/vms/web-01.qcow2", "--include-packages"),
)


def profile_job(
    image: str | ImageReference,
    profiles: ProfileName | Sequence[ProfileName],
    *,
    format: ImageFormat | None = None,
    options: ProfileOptions | None = None,
    output: ProfileOutput | None = None,
) -> JobBuilder:
    """A ``guestkit.profile`` job evaluating ``profiles`` (e.g. ``["security", "compliance"]``, or one name)."""
    payload = ProfilePayload(
        image=_image(ImageReference, image, format),
        profiles=_one_or_many(profiles),  # names build() checks against the schema's list
        options=options,
        output=output,
    )
    return _job("guestkit.profile.v1", payload)


register(
    profile_job,
    "guestkit.profile.v1",
    IMAGE,
    Flag("profile", "NAME", "a profile to run", repeated=True, choices=_enum("guestkit.profile.v1", "ProfileName")),
    make=lambda given: profile_job(given["image"], given["profile"], format=given["format"]),
    sample=("--image", "/vms/db.qcow2", "--profile", "security", "--profile", "compliance"),
)


def fix_job(
    image: str | FixImage,
    operations: str | Sequence[FixOperation | str],
    *,
    format: ImageFormat | None = None,
    execution_policy: FixExecutionPolicy | None = None,
    output: FixOutput | None = None,
) -> JobBuilder:
    """A ``guestkit.fix`` job running ``operations`` in order: each a ``FixOperation`` or the
    name of one without options (``["fsck", "selinux_relabel"]``, or one name)."""
    payload = FixPayload(
        image=_image(FixImage, image, format),
        operations=[_fix_operation(item) for item in _one_or_many(operations)],
        execution_policy=execution_policy,
        output=output,
    )
    return _job("guestkit.fix.v1", payload)


def _fix_operation(item: FixOperation | str) -> FixOperation:
    if not isinstance(item, str):
        return item
    return FixOperation(type=item)  # type: ignore[arg-type]  # a name build() checks against the schema's list


register(
    fix_job,
    "guestkit.fix.v1",
    IMAGE,
    Flag(
        "fix",
        "OPERATION",
        "a fix to run, in order",
        repeated=True,
        choices=_enum("guestkit.fix.v1", "FixOperationType"),
    ),
    make=lambda given: fix_job(given["image"], given["fix"], format=given["format"]),
    sample=("--image", "/vms/app.qcow2", "--fix", "fsck", "--fix", "selinux_relabel"),
)


def _convert_from_flags(given: Mapping[str, Any]) -> JobBuilder:
    return convert_job(given["image"], given["target"], format=given["format"], target_format=given["target_format"])


def convert_job(
    source: str | ImageReference,
    target: str | ConvertTarget,
    *,
    format: ImageFormat | None = None,
    target_format: ImageFormat | None = None,
    options: ConvertOptions | None = None,
) -> JobBuilder:
    """A ``guestkit.convert`` job writing ``source`` as ``target``: each a path (its format from
    its extension, or ``format``/``target_format``) or a model object."""
    payload = ConvertPayload(
        source=_image(ImageReference, source, format),
        target=_image(ConvertTarget, target, target_format, "target_format"),
        options=options,
    )
    return _job("guestkit.convert.v1", payload)


register(
    convert_job,
    "guestkit.convert.v1",
    Flag("image", "SOURCE", "the image to convert"),
    Flag("target", "PATH", "the image to write"),
    Flag("target_format", "FORMAT", "its format (default: from its extension)", required=False, choices=IMAGE_FORMATS),
    make=_convert_from_flags,
    sample=("--image", "/in/crm.vmdk", "--target", "/vms/crm.qcow2"),
)  # fmt: skip


def compare_job(
    baseline: str | ImageReference,
    target: str | ImageReference,
    *,
    format: ImageFormat | None = None,
    target_format: ImageFormat | None = None,
    options: CompareOptions | None = None,
    output: CompareOutput | None = None,
) -> JobBuilder:
    """A ``guestkit.compare`` job comparing ``target`` with ``baseline``: each a path or a model
    object. A path's format: ``format`` for the baseline, ``target_format`` for the target, else
    its extension; a target without either has the baseline's ``format``."""
    if target_format is None and isinstance(target, str) and _named_format(target) is None:
        target_format = format
    payload = ComparePayload(
        baseline=_image(ImageReference, baseline, format),
        target=_image(ImageReference, target, target_format, "target_format"),
        options=options,
        output=output,
    )
    return _job("guestkit.compare.v1", payload)


register(
    compare_job,
    "guestkit.compare.v1",
    Flag("baseline", "PATH", "the reference image"),
    Flag("target", "PATH", "the image compared with the baseline"),
    Flag(
        "target_format",
        "FORMAT",
        "its format (default: from its extension, else --format)",
        required=False,
        choices=IMAGE_FORMATS,
    ),
    make=lambda given: compare_job(
        given["baseline"], given["target"], format=given["format"], target_format=given["target_format"]
    ),
    sample=("--baseline", "/vms/golden.qcow2", "--target", "/vms/web-01.qcow2"),
)


BOOT_TARGET = Flag(
    "boot_target",
    "PLATFORM",
    "the platform to judge or prepare for (default: kubevirt)",
    required=False,
    choices=tuple(resources.common_def("BootTarget")["enum"]),
)
PROXY_URL = Flag("proxy_url", "URL", "the running guest's agent proxy, e.g. http://10.0.0.5:8080")


def doctor_job(
    image: str | ImageReference,
    *,
    format: ImageFormat | None = None,
    target: BootTarget | None = None,
    explain: bool | None = None,
) -> JobBuilder:
    """A ``guestkit.doctor`` job: whether ``image`` boots on ``target`` (default kubevirt), and why not."""
    payload = DoctorPayload(image=_image(ImageReference, image, format), target=target, explain=explain)
    return _job("guestkit.doctor.v1", payload)


register(
    doctor_job,
    "guestkit.doctor.v1",
    IMAGE,
    BOOT_TARGET,
    *_option_flags("guestkit.doctor.v1", "DoctorPayload"),
    make=lambda given: doctor_job(
        given["image"], format=given["format"], target=given["boot_target"], explain=given["explain"]
    ),
    sample=("--image", "/vms/web-01.qcow2", "--boot-target", "kubevirt"),
)


REPAIR_OPTIONS = _option_flags("guestkit.repair.v1", "RepairPayload")


def repair_job(image: str | ImageReference, *, format: ImageFormat | None = None, **options: bool | None) -> JobBuilder:
    """A ``guestkit.repair`` job. A dry run unless ``dry_run=False``: the job always says which,
    as it always says ``enable_systemd`` (both default to true). ``options`` are the payload's
    yes-or-no members (``inject_qga=True``...); None leaves one at its default."""
    unknown = sorted(set(options) - {flag.name for flag in REPAIR_OPTIONS})
    if unknown:
        raise TypeError(f"repair_job() takes no option {', '.join(unknown)}; it takes {_names(REPAIR_OPTIONS)}")
    payload = RepairPayload(image=_image(ImageReference, image, format), **options)  # type: ignore[arg-type]
    return _job("guestkit.repair.v1", payload)


def _names(flags: Sequence[Flag]) -> str:
    return ", ".join(flag.name for flag in flags)


register(
    repair_job,
    "guestkit.repair.v1",
    IMAGE,
    *REPAIR_OPTIONS,
    make=lambda given: repair_job(
        given["image"], format=given["format"], **{flag.name: given[flag.name] for flag in REPAIR_OPTIONS}
    ),
    sample=("--image", "/vms/web-01.qcow2", "--inject-qga"),
)


def migrate_plan_job(
    image: str | ImageReference,
    *,
    format: ImageFormat | None = None,
    target: BootTarget | None = None,
    explain: bool | None = None,
    export_fix_plan: bool | None = None,
) -> JobBuilder:
    """A ``guestkit.migrate-plan`` job: how to move ``image`` to ``target`` (default kubevirt)."""
    payload = MigratePlanPayload(
        image=_image(ImageReference, image, format), target=target, explain=explain, export_fix_plan=export_fix_plan
    )
    return _job("guestkit.migrate-plan.v1", payload)


register(
    migrate_plan_job,
    "guestkit.migrate-plan.v1",
    IMAGE,
    BOOT_TARGET,
    *_option_flags("guestkit.migrate-plan.v1", "MigratePlanPayload"),
    make=lambda given: migrate_plan_job(
        given["image"],
        format=given["format"],
        target=given["boot_target"],
        explain=given["explain"],
        export_fix_plan=given["export_fix_plan"],
    ),
    sample=("--image", "/vms/web-01.vmdk", "--boot-target", "proxmox", "--export-fix-plan"),
)


def passport_job(
    image: str | ImageReference,
    *,
    format: ImageFormat | None = None,
    target: BootTarget | None = None,
    content_hash: bool | None = None,
    live_url: str | None = None,
) -> JobBuilder:
    """A ``guestkit.passport`` job: the cutover passport of ``image`` for ``target`` (default kubevirt)."""
    payload = PassportPayload(
        image=_image(ImageReference, image, format), target=target, content_hash=content_hash, live_url=live_url
    )
    return _job("guestkit.passport.v1", payload)


register(
    passport_job,
    "guestkit.passport.v1",
    IMAGE,
    BOOT_TARGET,
    *_option_flags("guestkit.passport.v1", "PassportPayload"),
    Flag("live_url", "URL", "attest the running guest through its agent proxy (http://...)", required=False),
    make=lambda given: passport_job(
        given["image"],
        format=given["format"],
        target=given["boot_target"],
        content_hash=given["content_hash"],
        live_url=given["live_url"],
    ),
    sample=("--image", "/vms/web-01.qcow2", "--boot-target", "aws"),
)


def explore_job(
    image: str | ImageReference,
    *,
    format: ImageFormat | None = None,
    action: ExploreAction | None = None,
    path: str | None = None,
) -> JobBuilder:
    """A ``guestkit.explore`` job: ``action`` (ls, the default; stat; cat) on ``path`` of the guest (default /)."""
    payload = ExplorePayload(image=_image(ImageReference, image, format), action=action, path=path)
    return _job("guestkit.explore.v1", payload)


register(
    explore_job,
    "guestkit.explore.v1",
    IMAGE,
    Flag(
        "action",
        "ACTION",
        "ls (the default), stat or cat",
        required=False,
        choices=_enum("guestkit.explore.v1", "ExploreAction"),
    ),
    Flag("guest_path", "PATH", "the path in the guest (default: /)", required=False),
    make=lambda given: explore_job(
        given["image"], format=given["format"], action=given["action"], path=given["guest_path"]
    ),
    sample=("--image", "/vms/web-01.qcow2", "--action", "cat", "--guest-path", "/etc/fstab"),
)


def agent_evidence_job(proxy_url: str, *, target: BootTarget | None = None) -> JobBuilder:
    """A ``guestkit.agent.evidence`` job: live evidence from the guest behind ``proxy_url``."""
    return _job("guestkit.agent.evidence.v1", AgentEvidencePayload(proxy_url=proxy_url, target=target))


register(
    agent_evidence_job,
    "guestkit.agent.evidence.v1",
    PROXY_URL,
    make=lambda given: agent_evidence_job(given["proxy_url"]),
    sample=("--proxy-url", "http://10.0.0.5:8080"),
)


def agent_doctor_job(proxy_url: str, *, target: BootTarget | None = None) -> JobBuilder:
    """A ``guestkit.agent.doctor`` job: the doctor run in the guest behind ``proxy_url``."""
    return _job("guestkit.agent.doctor.v1", AgentDoctorPayload(proxy_url=proxy_url, target=target))


register(
    agent_doctor_job,
    "guestkit.agent.doctor.v1",
    PROXY_URL,
    BOOT_TARGET,
    make=lambda given: agent_doctor_job(given["proxy_url"], target=given["boot_target"]),
    sample=("--proxy-url", "http://10.0.0.5:8080", "--boot-target", "kvm"),
)


def agent_call_job(proxy_url: str, method: str, *, params: Any = None) -> JobBuilder:
    """A ``guestkit.agent.call`` job: ``method`` of the guest agent behind ``proxy_url``, with
    ``params`` (any JSON value; None leaves them out, which the agent reads as null)."""
    return _job("guestkit.agent.call.v1", AgentCallPayload(proxy_url=proxy_url, method=method, params=params))


register(
    agent_call_job,
    "guestkit.agent.call.v1",
    PROXY_URL,
    Flag("method", "METHOD", "the agent's method, e.g. guestkit.getCapabilities"),
    Flag("params", "JSON", "the method's parameters", required=False),
    make=lambda given: agent_call_job(
        given["proxy_url"],
        given["method"],
        params=None if given["params"] is None else _json(given["params"], "params"),
    ),
    sample=("--proxy-url", "http://10.0.0.5:8080", "--method", "guestkit.getCapabilities"),
)


def _json(text: str, flag: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(f"--{flag} is not JSON: {error}") from None


def agent_fix_job(proxy_url: str, plan: FixPlan | Mapping[str, Any], *, target: BootTarget | None = None) -> JobBuilder:
    """A ``guestkit.agent.fix`` job: the guest agent behind ``proxy_url`` applies ``plan`` (a
    ``FixPlan``, or its JSON value as ``guestkit.repair`` or ``guestkit.migrate-plan`` gave it)."""
    payload = {"proxy_url": proxy_url, "plan": binding.to_json(plan)}
    if target is not None:
        payload["target"] = target
    return _job("guestkit.agent.fix.v1", payload)


register(
    agent_fix_job,
    "guestkit.agent.fix.v1",
    PROXY_URL,
    Flag("plan", "JSON", "the fix plan (a repair's or a migrate-plan's result has it as fix_plan)"),
    BOOT_TARGET,
    make=lambda given: agent_fix_job(given["proxy_url"], _json(given["plan"], "plan"), target=given["boot_target"]),
    sample=("--proxy-url", "http://10.0.0.5:8080", "--plan", '{"operations": []}'),
)


def echo_job(data: Mapping[str, Any] | None = None, /, **members: Any) -> JobBuilder:
    """A ``system.echo`` job, whose worker answers with its data unchanged: ``data`` and ``members``."""
    return _job("system.echo.v1", {**(data or {}), **members})


register(
    echo_job,
    "system.echo.v1",
    Flag("message", "TEXT", "a message the worker answers with", required=False),
    make=lambda given: echo_job() if given["message"] is None else echo_job(message=given["message"]),
    sample=("--message", "hello"),
)
