"""Where Cisco IOS holds secrets in its configuration: the values ``network/redact.py`` replaces.

Written from IOS 15.x ``show running-config`` and Oxidized's ``ios.rb`` (``remove_secret``),
keeping what is not secret: the user name and privilege of ``username``, the encryption type
digit, an SNMP community's access and ACL, an SNMPv3 target's user name.
"""

from __future__ import annotations

from .. import STATEMENT_END, URL_PASSWORD, SecretRule

_TYPE = r"(?: [0-9])?"  # the encryption type before a value: 0 (clear), 5/8/9 (hashes), 6 (AES), 7 (Vigenere)
_END = STATEMENT_END

SECRETS = (
    # enable secret 9 $9$...; enable password level 15 7 0822455D0A16
    SecretRule(rf"enable (?:secret|password)(?: level \d+)?{_TYPE} (?P<secret>\S+)"),
    # username admin privilege 15 secret 9 $9$...; username op password 7 ...; username x algorithm-type scrypt secret y
    SecretRule(rf"username \S+(?: (?!(?:secret|password) )\S+)*? (?:secret|password){_TYPE} (?P<secret>\S+)"),
    # snmp-server community S3cr3t RO 10 (the access and the ACL stay)
    SecretRule(r"snmp-server community (?P<secret>\S+)"),
    # snmp-server host 10.0.0.5 [vrf V] [informs|traps] [version 1|2c] COMMUNITY [udp-port N] [types]
    # (with version 3 the word there is a user name, not a secret: left alone)
    SecretRule(
        r"snmp-server host \S+(?: vrf \S+)?(?: (?:informs|traps))?(?: version (?:1|2c))?"
        r" (?P<secret>(?!(?:version|informs|traps|vrf)\b)\S+)"
    ),
    # snmp-server user U GROUP v3 [encrypted] auth sha AUTH [priv aes 128 PRIV] (IOS never shows it; a command may)
    SecretRule(
        r"snmp-server user \S+ \S+(?: remote \S+(?: udp-port \d+)?)? v3(?: encrypted)? auth \S+"
        r" (?P<secret>\S+)(?: priv (?:des|3des|aes(?: \d+)?) (?P<secret_priv>\S+))?"
    ),
    # tacacs-server key 7 ...; tacacs-server host 10.0.0.9 [port 49] key ...; the same for radius-server
    SecretRule(rf"(?:tacacs|radius)-server(?: host \S+(?: (?!key\b)\S+)*?)? key{_TYPE} (?P<secret>\S+)"),
    # tacacs server TAC1 / radius server R1 ->  key 7 ...,  pac key ...  (a digits-only word after "key"
    # is a key chain's key number, " key 1", not a secret)
    SecretRule(rf"(?:pac )?key [0-9] (?P<secret>\S+){_END}"),
    SecretRule(rf"(?:pac )?key (?P<secret>(?![0-9]+{_END})\S+){_END}"),
    # aaa group server tacacs+ G ->  server-private 10.0.0.9 key 7 ...
    SecretRule(rf"server-private \S+(?: (?!key\b)\S+)*? key{_TYPE} (?P<secret>\S+)"),
    # line con 0 / line vty 0 4 ->  password 7 0822455D0A16; secret lines of other sections
    SecretRule(rf"(?:password|secret){_TYPE} (?P<secret>\S+){_END}"),
    # ntp authentication-key 1 md5 104D000A0618 7
    SecretRule(r"ntp authentication-key \d+ \S+ (?P<secret>\S+)"),
    # key chain K ->  key 1 ->  key-string 7 ...; standby 1 authentication md5 key-string 7 ...
    SecretRule(rf"(?:standby \d+ authentication md5 )?key-string{_TYPE} (?P<secret>\S+)"),
    SecretRule(r"standby \d+ authentication (?:text )?(?P<secret>(?!md5\b)\S+)"),
    SecretRule(r"vrrp \d+ authentication text (?P<secret>\S+)"),
    # crypto isakmp key 6 ... address 0.0.0.0; crypto keyring ->  pre-shared-key address A key ...
    SecretRule(rf"crypto isakmp key{_TYPE} (?P<secret>\S+)"),
    SecretRule(rf"pre-shared-key(?: (?!key\b)\S+)*? key{_TYPE} (?P<secret>\S+)"),
    SecretRule(r"key config-key password-encrypt (?P<secret>\S+)"),
    # routing and link protocols
    SecretRule(rf"ip ospf message-digest-key \d+ md5{_TYPE} (?P<secret>\S+)"),
    SecretRule(rf"ip ospf authentication-key{_TYPE} (?P<secret>\S+)"),
    SecretRule(rf"neighbor \S+ password{_TYPE} (?P<secret>\S+)"),
    SecretRule(rf"ppp (?:chap|pap)(?: sent-username \S+)? password{_TYPE} (?P<secret>\S+)"),
    # wireless and 802.1X
    SecretRule(rf"(?:\S+ )*?wpa-psk (?:ascii|hex){_TYPE} (?P<secret>\S+)"),
    SecretRule(rf"security wpa psk set-key (?:ascii|hex){_TYPE} (?P<secret>\S+)"),
    SecretRule(rf"dot1x username \S+ password{_TYPE} (?P<secret>\S+)"),
    SecretRule(rf"(?:client \S+ )?server-key{_TYPE} (?P<secret>\S+)"),
    SecretRule(r"domain-password (?P<secret>\S+)"),
    SecretRule(rf"ip (?:ftp|http client) password{_TYPE} (?P<secret>\S+)"),
    URL_PASSWORD,
    # Safety nets, anywhere in a line: a type-7 value after a keyword, a crypt-style hash ($1$, $8$, $9$ ...)
    SecretRule(r"\b(?:password|secret|key|key-string|md5) 7 (?P<secret>[0-9A-Fa-f]{4,})\b", anywhere=True),
    SecretRule(r"(?<![^\s'\"])(?P<secret>\$(?:1|5|6|8|9|14)\$[^\s'\";,]+)", anywhere=True),
)
