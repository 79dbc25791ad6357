"""Load the configuration: shipped defaults < user config dir < ``YUQING_*`` env < CLI flags.

Every problem is reported as ``file: path: reason`` (like Alertmanager). Merging rules: mappings
merge key by key; lists of mappings that all carry ``name`` (or ``code``) merge item by item on
that key, new items appended; other lists and scalars are replaced by the higher layer.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from yuqing.config.errors import ConfigError, ConfigErrors
from yuqing.config.models import SECTION_FILES, Config
from yuqing.config.settings import NON_SETTING_ENV, Secrets, Settings
from yuqing.config.source_files import key_hint, sources_d

DEFAULTS_DIR = Path(__file__).resolve().parent
_SECRET_KEY = re.compile(r"(password|passwd|secret|token|api_key|access_key|private_key)$", re.I)


@dataclass
class Origin:
    """Which layer (file, env var or flag) set a node; children mirror the data's shape."""

    source: str
    children: dict[Any, Origin] = field(default_factory=dict)
    index: int | None = None  # for a merged list item: its position in ``source``


def display_name(path: Path) -> str:
    """Shipped files read as ``config/<name>``; user files by their path as given."""
    try:
        return "config/" + path.resolve().relative_to(DEFAULTS_DIR).as_posix()
    except ValueError:
        return str(path)


def read_yaml(path: Path) -> dict[str, Any]:
    name = display_name(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(name, "", f"cannot read file: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(name, "", f"not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1} column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(name, where, f"invalid YAML: {problem}") from exc
    except ValueError as exc:  # PyYAML builds dates itself: 2099-13-45 raises ValueError
        raise ConfigError(name, "", f"invalid YAML value: {exc}") from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(
            name, "", f"expected a mapping at the top level, got {type(data).__name__}"
        )
    _reject_secrets(data, name, "")
    return data


def _reject_secrets(node: Any, file: str, path: str) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            sub = f"{path}.{key}" if path else str(key)
            if isinstance(key, str) and _SECRET_KEY.search(key) and value not in (None, ""):
                raise ConfigError(
                    file,
                    sub,
                    "secret values are not allowed in config files; put the value in an "
                    f"environment variable and reference it with '{key}_env'",
                )
            _reject_secrets(value, file, sub)
    elif isinstance(node, list):
        for i, item in enumerate(node):
            _reject_secrets(item, file, f"{path}[{i}]")


_ITEM_WHAT = {"sources": "source name", "departments": "department code", "rules": "rule name"}


def _item_key(items: list[Any]) -> str | None:
    for key in ("code", "name"):
        if items and all(isinstance(i, dict) and key in i for i in items):
            return key
    return None


def merge(
    base: Any, base_origin: Origin, over: Any, source: str, path: str = ""
) -> tuple[Any, Origin]:
    """Merge ``over`` (from ``source``) onto ``base``, returning the value and its origins."""
    if isinstance(base, dict) and isinstance(over, dict):
        out = dict(base)
        origin = Origin(base_origin.source, dict(base_origin.children))
        for key, value in over.items():
            sub = f"{path}.{key}" if path else str(key)
            if key in out:
                child = base_origin.children.get(key, Origin(base_origin.source))
                out[key], origin.children[key] = merge(out[key], child, value, source, sub)
            else:
                out[key], origin.children[key] = value, _origin_of(value, source)
        return out, origin
    if isinstance(base, list) and isinstance(over, list):
        key = _item_key(base) if base else None
        if key is not None and _item_key(over) == key:
            _check_unique(over, key, source, path)
            merged = list(base)
            origins = [
                base_origin.children.get(i, Origin(base_origin.source)) for i in range(len(base))
            ]
            index = {item[key]: i for i, item in enumerate(base)}
            for j, item in enumerate(over):
                if item[key] in index:
                    i = index[item[key]]
                    merged[i], origins[i] = merge(merged[i], origins[i], item, source, path)
                else:
                    merged.append(item)
                    origins.append(_origin_of(item, source))
                    i = len(merged) - 1
                origins[i].index = j
            return merged, Origin(source, dict(enumerate(origins)))
    return over, _origin_of(over, source)


def _check_unique(items: list[dict[str, Any]], key: str, source: str, path: str) -> None:
    seen: dict[Any, int] = {}
    what = _ITEM_WHAT.get(path.rsplit(".", 1)[-1], key)
    for i, item in enumerate(items):
        if item[key] in seen:
            raise ConfigError(
                source,
                f"{path}[{i}]",
                f"duplicate {what} {item[key]!r} (first at {path}[{seen[item[key]]}])",
            )
        seen[item[key]] = i


def _origin_of(value: Any, source: str) -> Origin:
    if isinstance(value, dict):
        return Origin(source, {k: _origin_of(v, source) for k, v in value.items()})
    if isinstance(value, list):
        return Origin(source, {i: _origin_of(v, source) for i, v in enumerate(value)})
    return Origin(source)


def _env_overrides(env: Mapping[str, str]) -> list[tuple[list[str], str, str]]:
    """``YUQING_DATABASE_URL`` -> (["database_url"], value, var); nested with ``__``."""
    out = []
    for var, value in sorted(env.items()):
        if not var.startswith("YUQING_") or var.endswith("_FILE"):
            continue
        name = var[len("YUQING_") :]
        if name in NON_SETTING_ENV or name.startswith("TEST"):
            continue
        parts = name.lower().split("__")
        if parts[0] in Settings.model_fields:
            out.append((parts, value, var))
    return out


def _set_path(
    data: dict[str, Any], origin: Origin, parts: list[str], value: Any, source: str
) -> None:
    for part in parts[:-1]:
        node = data.setdefault(part, {})
        if not isinstance(node, dict):
            node = data[part] = {}
        origin = origin.children.setdefault(part, Origin(source))
        data = node
    data[parts[-1]] = value
    origin.children[parts[-1]] = Origin(source)


def load(
    config_dir: Path | str | None = None,
    overrides: Mapping[str, Any] | None = None,
    env: Mapping[str, str] | None = None,
) -> Config:
    """Load, merge and validate the configuration; raise :class:`ConfigErrors` on any problem.

    ``overrides`` are CLI flags for settings, keyed by dotted path (``{"data_dir": "/srv"}``).
    """
    env = os.environ if env is None else env
    if config_dir is None and env.get("YUQING_CONFIG_DIR"):
        config_dir = env["YUQING_CONFIG_DIR"]
    user_dir = Path(config_dir) if config_dir is not None else None
    if user_dir is not None and not user_dir.is_dir():
        raise ConfigError(str(user_dir), "", "config directory does not exist")

    data: dict[str, Any] = {}
    origins = Origin("")
    files: list[str] = []
    errors: list[ConfigError] = []

    def layer(section: str, relative: str) -> None:
        for directory in (DEFAULTS_DIR, user_dir):
            if directory is None:
                continue
            path = directory / relative
            if not path.exists():
                continue
            try:
                content = read_yaml(path)
            except ConfigError as exc:
                errors.append(exc)
                continue
            name = display_name(path)
            files.append(name)
            base = data.get(section, {})
            base_origin = origins.children.get(section, Origin(name))
            try:
                data[section], origins.children[section] = merge(base, base_origin, content, name)
            except ConfigError as exc:
                errors.append(exc)

    if user_dir is not None:
        known = set(SECTION_FILES.values())
        for path in sorted(user_dir.glob("*.y*ml")):
            if path.name not in known:
                errors.append(
                    ConfigError(
                        str(path),
                        "",
                        f"unknown configuration file (expected: {', '.join(sorted(known))})",
                    )
                )
    for section, relative in SECTION_FILES.items():
        layer(section, relative)
        if section == "sources" and user_dir is not None:
            for path, content in sources_d(user_dir, errors):
                name = display_name(path)
                files.append(name)
                base = data.get("sources", {})
                base_origin = origins.children.get("sources", Origin(name))
                try:
                    data["sources"], origins.children["sources"] = merge(
                        base, base_origin, content, name
                    )
                except ConfigError as exc:
                    errors.append(exc)

    settings = data.setdefault("settings", {})
    settings_origin = origins.children.setdefault("settings", Origin("config/settings.yaml"))
    for parts, value, var in _env_overrides(env):
        _set_path(settings, settings_origin, parts, value, f"environment {var}")
    for dotted, value in (overrides or {}).items():
        if value is not None:
            _set_path(
                settings, settings_origin, dotted.split("."), value, f"command line ({dotted})"
            )

    gazetteer = settings.get("gazetteer", "qiqihar")
    if not (isinstance(gazetteer, str) and re.fullmatch(r"[A-Za-z0-9_-]+", gazetteer)):
        errors.append(
            ConfigError(
                origin_for(origins, ["settings", "gazetteer"]),
                "gazetteer",
                f"{gazetteer!r} is not a gazetteer name (a name such as qiqihar, for "
                "gazetteer/qiqihar.yaml in the config directory; not a path)",
            )
        )
    else:
        layer("gazetteer", f"gazetteer/{gazetteer}.yaml")
        if "gazetteer" not in data:
            errors.append(
                ConfigError(
                    origin_for(origins, ["settings", "gazetteer"]),
                    "gazetteer",
                    f"no gazetteer file gazetteer/{gazetteer}.yaml",
                )
            )
    if errors:
        raise ConfigErrors(errors)

    try:
        config = Config.model_validate(data)
    except ValidationError as exc:
        raise ConfigErrors([_to_config_error(e, data, origins) for e in exc.errors()]) from None
    problems = [
        _reference_error(origins, section, path, reason)
        for section, path, reason in config.reference_problems()
    ]
    if problems:
        raise ConfigErrors(problems)
    config.secrets = Secrets.from_env(env)
    config.config_dir = user_dir
    config.files = files
    return config


def origin_for(origins: Origin, loc: list[Any]) -> str:
    return _locate(origins, loc)[0]


def _locate(origins: Origin, loc: list[Any]) -> tuple[str, list[Any]]:
    """The file that set ``loc`` and the path as it reads in that file (list items that
    were merged by name keep their index in the file that defined them)."""
    node, shown = origins, []
    for depth, part in enumerate(loc):
        if part not in node.children:
            shown.extend(loc[depth:])
            break
        node = node.children[part]
        shown.append(node.index if isinstance(part, int) and node.index is not None else part)
    return node.source, shown


_PATH_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def _reference_error(origins: Origin, section: str, path: str, reason: str) -> ConfigError:
    loc: list[Any] = [section]
    for name, index in _PATH_PART.findall(path):
        loc.append(int(index) if index else name)
    file, shown = _locate(origins, loc)
    return ConfigError(file, format_path(shown[1:]), reason)


def _strip_union_tags(loc: tuple[Any, ...], data: Any) -> list[Any]:
    """Pydantic puts the discriminator value into error locations; the file has no such key."""
    out: list[Any] = []
    node = data
    for part in loc:
        if (
            isinstance(node, dict)
            and part not in node
            and part in (node.get("kind"), node.get("type"))
        ):
            continue
        out.append(part)
        if isinstance(node, dict):
            node = node.get(part)
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
        else:
            node = None
    return out


def format_path(parts: list[Any]) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _to_config_error(err: Any, data: dict[str, Any], origins: Origin) -> ConfigError:
    loc = _strip_union_tags(tuple(err["loc"]), data)
    file, shown = _locate(origins, loc)
    section, rest = loc[0], shown[1:]
    if file.startswith(("environment", "command line")):
        rest = [section, *rest] if section != "settings" else rest
    kind = err["type"]
    value = err.get("input")
    if kind == "extra_forbidden":
        reason = "unknown key" + key_hint(loc, data)
        if loc and isinstance(loc[-1], str) and "." in loc[-1]:
            head, _, tail = loc[-1].partition(".")
            reason += f" (a dotted key is not a path: nest it, `{head}:` then `  {tail}: …`)"
    elif kind == "missing":
        reason = "missing required key"
    elif kind == "union_tag_invalid":
        rest = [*rest, str(err.get("ctx", {}).get("discriminator", "")).strip("'")]
        tag = err.get("ctx", {}).get("tag")
        expected = err.get("ctx", {}).get("expected_tags", "")
        what = (
            "spider kind"
            if section == "sources"
            else "channel type"
            if section == "departments"
            else "type"
        )
        reason = f"unknown {what} {tag!r} (expected one of: {expected})"
    elif kind == "union_tag_not_found":
        reason = f"missing required key {err.get('ctx', {}).get('discriminator', '')}"
    elif kind in ("value_error", "assertion_error"):
        reason = str(err["msg"]).removeprefix("Value error, ").removeprefix("Assertion failed, ")
    else:
        reason = (
            f"{err['msg']} (got {value!r})"
            if not isinstance(value, dict | list)
            else str(err["msg"])
        )
    return ConfigError(file, format_path(rest), reason)
