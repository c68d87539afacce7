// Documented historical back doors in network-equipment firmware (YARA-X syntax).
// Each rule's meta carries `source`: the public write-up the signature comes from.
// Only byte strings that the write-ups quote literally are used; each is unique enough to
// be matched on its own or together with the daemon's name.

rule dlink_xmlset_user_agent
{
    meta:
        description = "D-Link web server skips authentication for the User-Agent 'xmlset_roodkcableoj28840ybtide'"
        source = "Craig Heffner, 'Reverse Engineering a D-Link Backdoor', devttys0.com, 2013-10-12 (CVE-2013-6027)"
        severity = "critical"
    strings:
        $ua = "xmlset_roodkcableoj28840ybtide"
    condition:
        $ua
}

rule tenda_w302r_mfg_udp7329
{
    meta:
        description = "Tenda W302R/W330R MfgThread: UDP port 7329 runs commands prefixed 'w302r_mfg'"
        source = "Craig Heffner, 'From China, With Love', devttys0.com, 2013-10-17"
        severity = "critical"
    strings:
        $prefix = "w302r_mfg"
    condition:
        $prefix
}

rule juniper_screenos_master_password
{
    meta:
        description = "Juniper ScreenOS SSH/telnet master password disguised as a format string"
        source = "HD Moore, 'CVE-2015-7755: Juniper ScreenOS Authentication Backdoor', Rapid7 blog, 2015-12-20"
        severity = "critical"
    strings:
        $pw = "<<< %s(un='%s') = %u"
    condition:
        $pw
}

rule fortinet_fortios_ssh_challenge_secret
{
    meta:
        description = "FortiOS SSH 'Fortimanager_Access' challenge-response with a hard-coded secret"
        source = "Exploit published on Full Disclosure, 2016-01-09; Fortinet advisory FG-IR-16-001 (CVE-2016-1909)"
        severity = "critical"
    strings:
        $secret = "FGTAbc11*xy+Qqz27"
    condition:
        $secret
}

rule zyxel_zyfwp_account
{
    meta:
        description = "Zyxel firewalls/AP controllers: undocumented admin account 'zyfwp' with a fixed password"
        source = "Niels Teusink (EYE), 'Undocumented user account in Zyxel products', 2020-12-23 (CVE-2020-29583)"
        severity = "critical"
    strings:
        $password = "PrOw!aN_fXp"
    condition:
        $password
}

rule arris_password_of_the_day_default_seed
{
    meta:
        description = "ARRIS cable modems: 'password of the day' back door derived from the default seed MPSJKMDHAI"
        source = "Bernardo Rodrigues, 'ARRIS Cable Modem has a Backdoor in the Backdoor', w00tsec blog, 2015-11-19"
        severity = "critical"
    strings:
        $seed = "MPSJKMDHAI"
    condition:
        $seed
}

rule hikvision_auth_bypass_token
{
    meta:
        description = "Hikvision IP cameras: the URL parameter auth=YWRtaW46MTEK ('admin:11') bypasses login"
        source = "Monte Crypto, Full Disclosure post 'Hikvision IP camera backdoor', 2017-09-12 (CVE-2017-7921)"
        severity = "critical"
    strings:
        $token = "YWRtaW46MTEK"
    condition:
        $token
}

rule netis_igdmptd_udp53413
{
    meta:
        description = "Netis/Netcore routers: igdmptd listens on UDP 53413 with the built-in password 'netcore'"
        source = "Tim Yeh, 'Netis Routers Leave Wide Open Backdoor', Trend Micro blog, 2014-08-25"
        severity = "high"
    strings:
        $daemon = "igdmptd"
        $password = "netcore" fullword
    condition:
        uint32(0) == 0x464c457f and $daemon and $password
}

rule sercomm_scmm_tcp32764
{
    meta:
        description = "Sercomm configuration manager back door on TCP 32764 (message header 'ScMM'/'MMcS')"
        source = "Eloi Vanderbecken (Synacktiv), 'TCP/32764 backdoor', 2013-12-31 and 'Porting the backdoor', 2014-04"
        severity = "high"
    strings:
        $le = "ScMM"
        $be = "MMcS"
        $daemon = "scfgmgr"
    condition:
        uint32(0) == 0x464c457f and ($le or $be) and $daemon
}

rule xiongmai_opentelnet_magic
{
    meta:
        description = "Xiongmai (XMeye) DVR/NVR/camera firmware: a TCP message 'OpenTelnet:OpenOnce' to the maintenance port (9527/9530) starts a telnet console"
        source = "bashis, 'Xiongmai XMeye: OpenTelnet backdoor', full-disclosure / IPVM reports, 2017-2018; SEC Consult advisory on Xiongmai 'XMeye P2P Cloud', 2018-10-09"
        severity = "critical"
    strings:
        $magic = "OpenTelnet:OpenOnce"
    condition:
        $magic
}

rule netgear_telnetenabled_magic_packet
{
    meta:
        description = "Netgear telnetenabled: a Blowfish-encrypted 'magic packet' with the built-in credentials Gearguy/Geardog makes the router start telnetd"
        source = "OpenWrt wiki 'Netgear telnet console' and the netgear-telnetenable tool (insanid / yoshac), 2009-2013"
        severity = "critical"
    strings:
        $daemon = "telnetenabled"
        $user = "Gearguy"
        $pass = "Geardog"
    condition:
        $daemon and ($user or $pass)
}

rule zte_web_shell_cmd_page
{
    meta:
        description = "ZTE home gateway web server serves web_shell_cmd.gch, a page that runs shell commands as root for an administrative session"
        source = "CVE-2014-2321 (NVD): ZTE F460 and F660 cable modems, 'sendcmd' requests to web_shell_cmd.gch; exploit-db 36978"
        severity = "critical"
    strings:
        $page = "web_shell_cmd.gch"
    condition:
        $page
}
