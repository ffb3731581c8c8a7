"""One tenant connection: where Transmit lives, which app we are, and what its tokens look like.

An `Environment` never holds the client secret: the secret lives in the OS keyring and is
handed to the API client as a callable, so nothing that serialises an environment can leak it.
Region presets only pre-fill the URLs; issuer, JWKS URL and audience stay editable because a
tenant with app-specific signing keys gets its own issuer (see docs/tenant.md).
"""

from __future__ import annotations

import dataclasses
import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

if TYPE_CHECKING:
    from transmit_admin.core.verify import VerifyPolicy

JWKS_PATH = "/cis/oidc/jwks"
# Transmit's hosted sandbox. Its issuer is undocumented, so it is only a hint for a `custom`
# environment: the user must confirm the issuer from a real token.
TRANSMIT_SANDBOX_HOST = "api.sbx.transmitsecurity.io"


class Region(StrEnum):
    US = "us"
    EU = "eu"
    CA = "ca"
    AU = "au"
    SANDBOX = "sandbox"  # this app's local loopback sandbox; its URLs come from the running server
    CUSTOM = "custom"


@dataclass(frozen=True)
class RegionPreset:
    """What a region pre-fills. An empty string means "must be given by the user"."""

    label: str
    base_url: str
    issuer: str
    jwks_url: str


def _hosted(label: str, host: str, issuer: str) -> RegionPreset:
    return RegionPreset(label, f"https://{host}", issuer, f"https://{host}{JWKS_PATH}")


REGION_PRESETS: Mapping[Region, RegionPreset] = MappingProxyType(
    {
        Region.US: _hosted("US / worldwide", "api.transmitsecurity.io", "https://userid.security"),
        Region.EU: _hosted("EU", "api.eu.transmitsecurity.io", "https://eu.userid.security"),
        Region.CA: _hosted("Canada", "api.ca.transmitsecurity.io", "https://ca.userid.security"),
        Region.AU: _hosted("Australia", "api.au.transmitsecurity.io", "https://au.userid.security"),
        Region.SANDBOX: RegionPreset("Local sandbox (this app)", "", "", ""),
        Region.CUSTOM: RegionPreset(
            "Custom (e.g. Transmit's hosted sandbox)",
            f"https://{TRANSMIT_SANDBOX_HOST}",
            "",
            f"https://{TRANSMIT_SANDBOX_HOST}{JWKS_PATH}",
        ),
    }
)


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost" or host.lower().endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_base_url(url: str) -> str:
    """Returns `url` normalised (no trailing slash, no `/cis`) or raises a readable ValueError.

    Plain http is refused unless the host is loopback: the client secret and user tokens
    travel on this connection.
    """
    text = url.strip()
    parts = urlsplit(text)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ValueError(f"{text!r} is not a web address; it should look like https://host")
    if parts.username is not None or parts.password is not None:
        raise ValueError("The address must not contain a user name or password.")
    if parts.query or parts.fragment:
        raise ValueError("The address must not contain '?' or '#' parts.")
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        raise ValueError(
            f"{parts.hostname} must be reached over https; plain http is only allowed for "
            "this computer (localhost, 127.0.0.1, ::1)."
        )
    try:
        parts.port  # noqa: B018 - urlsplit only validates the port when it is read
    except ValueError as exc:
        raise ValueError(f"{text!r} has an invalid port number.") from exc
    path = parts.path.rstrip("/")
    # People paste the documented API base (`https://host/cis`); the client adds `/cis` itself.
    path = path.removesuffix("/cis")
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


@dataclass(frozen=True)
class Environment:
    name: str
    region: Region
    base_url: str
    client_id: str
    issuer: str
    jwks_url: str
    audiences: tuple[str, ...] = ()
    tenant_id: str | None = None
    leeway: int = 60
    redirect_uri: str | None = None
    production: bool = False

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise ValueError("An environment needs a name.")
        if not self.client_id.strip():
            raise ValueError("An environment needs the app's client ID.")
        if not self.issuer.strip():
            raise ValueError("An environment needs the token issuer (the `iss` of its tokens).")
        if self.leeway < 0:
            raise ValueError("The clock leeway cannot be negative.")
        # Normalise once here so every consumer sees the same URL and http is always checked.
        object.__setattr__(self, "region", Region(self.region))
        object.__setattr__(self, "base_url", check_base_url(self.base_url))
        object.__setattr__(self, "jwks_url", _check_jwks_url(self.jwks_url))
        object.__setattr__(self, "audiences", tuple(self.audiences))

    @classmethod
    def from_region(
        cls, name: str, region: Region | str, client_id: str, **overrides: Any
    ) -> Environment:
        """Builds an environment from a region preset; `overrides` replace any field.

        For `sandbox` and `custom` the base URL is required; the JWKS URL then defaults to the
        base URL's, and the issuer must be given (it is not derivable for those).
        """
        region = Region(region)
        preset = REGION_PRESETS[region]
        base_url = overrides.pop("base_url", None) or preset.base_url
        if not base_url:
            raise ValueError(f"The {preset.label} region needs a base URL.")
        jwks_url = overrides.pop("jwks_url", None)
        if not jwks_url:
            same_host = preset.base_url and check_base_url(base_url) == preset.base_url
            jwks_url = preset.jwks_url if same_host else check_base_url(base_url) + JWKS_PATH
        issuer = overrides.pop("issuer", None) or preset.issuer
        return cls(
            name=name,
            region=region,
            base_url=base_url,
            client_id=client_id,
            issuer=issuer,
            jwks_url=jwks_url,
            **overrides,
        )

    def verify_policy(self) -> VerifyPolicy:
        from transmit_admin.core.verify import VerifyPolicy

        return VerifyPolicy(
            issuers=(self.issuer,),
            audiences=self.audiences,
            tenant_id=self.tenant_id,
            leeway=self.leeway,
            client_id=self.client_id,  # an ID token's audience is the app's client id
        )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict. There is no secret field, so none can ever be written."""
        data = dataclasses.asdict(self)
        data["region"] = str(self.region)
        data["audiences"] = list(self.audiences)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Environment:
        """Reads `to_dict()` output; unknown keys (including any stray secret) are ignored."""
        try:
            audiences = data.get("audiences") or ()
            if isinstance(audiences, str) or not all(isinstance(a, str) for a in audiences):
                raise TypeError("audiences must be a list of strings")
            leeway = data.get("leeway", 60)
            if isinstance(leeway, bool) or not isinstance(leeway, int):
                raise TypeError("leeway must be a whole number of seconds")
            return cls(
                name=_text(data, "name"),
                region=Region(_text(data, "region")),
                base_url=_text(data, "base_url"),
                client_id=_text(data, "client_id"),
                issuer=_text(data, "issuer"),
                jwks_url=_text(data, "jwks_url"),
                audiences=tuple(audiences),
                tenant_id=_optional_text(data, "tenant_id"),
                leeway=leeway,
                redirect_uri=_optional_text(data, "redirect_uri"),
                production=bool(data.get("production", False)),
            )
        except (KeyError, TypeError) as exc:
            raise ValueError(f"The saved environment is incomplete or damaged: {exc}") from exc


def _check_jwks_url(url: str) -> str:
    checked = check_base_url(url)
    if not urlsplit(checked).path:
        raise ValueError("The JWKS URL needs a path, e.g. https://host/cis/oidc/jwks")
    # check_base_url strips `/cis` as a base-URL convenience; a JWKS URL keeps its exact path.
    return url.strip().rstrip("/")


def _text(data: Mapping[str, Any], key: str) -> str:
    value = data[key]
    if not isinstance(value, str):
        raise TypeError(f"{key} must be text")
    return value


def _optional_text(data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise TypeError(f"{key} must be text")
    return value or None
