"""Where ArubaOS-Switch (ProCurve) holds secrets in its configuration: the values ``network/redact.py`` replaces.

The switch shows credentials in its configuration with ``include-credentials`` (hashed or in
clear) and ``encrypt-credentials`` (``encrypted-...`` forms, AES with a key common to every
HPE switch unless a pre-shared key is set: as good as clear). Values may be quoted; the
quotes stay around the placeholder. Written from the ArubaOS-Switch 16.x access security
guide ("Security credentials", "Encrypt-credentials: affected commands") and Oxidized's
``procurve.rb``.
"""

from __future__ import annotations

from .. import URL_PASSWORD, SecretRule

_WORD = r'(?:"[^"]*"|\S+)'  # a value, quoted (may hold spaces) or not
_VALUE = r'(?P<secret>"[^"]*"|\S+)'
_HASH = r"(?i:plaintext|sha1|sha256)"  # how a password is shown
_USERS = r"(?:manager|operator|port-access)"
_KEY = r"(?:encrypted-)?key"

SECRETS = (
    # password manager user-name "admin" sha1 "2fd4e1c6..."; password operator plaintext "..."; port-access
    SecretRule(rf"password {_USERS}(?: user-name {_WORD})? {_HASH} {_VALUE}"),
    SecretRule(rf"encrypted-password {_USERS}(?: user-name {_WORD})? {_VALUE}"),
    # aaa authentication local-user "tech" group "g" password sha1 "..."
    SecretRule(rf"aaa authentication local-user {_WORD}(?: (?!password\b){_WORD})*? password(?: {_HASH})? {_VALUE}"),
    # snmp-server community "public" unrestricted (the access level stays)
    SecretRule(rf"snmp-server community {_VALUE}"),
    # snmp-server host 10.0.0.5 community "public" [trap-level all]; older: snmp-server host 10.0.0.5 "public"
    SecretRule(r'snmp-server host \S+(?: community)? (?P<secret>"[^"]*"|(?!(?:community|trap-level|inform)\b)\S+)'),
    # snmpv3 user "mon" auth sha "AUTH" priv aes "PRIV" (the user name stays)
    SecretRule(rf'snmpv3 user {_WORD} auth \S+ {_VALUE}(?: priv \S+ (?P<secret_priv>"[^"]*"|\S+))?'),
    # tacacs-server key "..."; tacacs-server host 10.0.0.9 key "..."; encrypted-key; the same for radius-server
    SecretRule(rf"(?:tacacs|radius)-server(?: host \S+(?: (?!{_KEY}\b)\S+)*?)? {_KEY} {_VALUE}"),
    # aaa port-access supplicant 21 identity "pc" secret "..." (802.1X credentials; encrypted-secret)
    SecretRule(rf"aaa port-access(?: (?!(?:encrypted-)?secret\b){_WORD})*? (?:encrypted-)?secret {_VALUE}"),
    # sntp|ntp authentication key-id 1 authentication-mode md5 key-value "..."
    SecretRule(rf"s?ntp authentication key-id \d+ authentication-mode \S+ (?:encrypted-)?key-value {_VALUE}"),
    # encrypt-credentials pre-shared-key plaintext "..."
    SecretRule(rf"encrypt-credentials pre-shared-key (?:plaintext|hex) {_VALUE}"),
    URL_PASSWORD,
)
