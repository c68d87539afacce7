from nobackdoor.analyzers.binary.ranking import AUTH_THRESHOLD, GATE_THRESHOLD, rank


def test_protocol_vocabulary_ranks_low():
    for word in [b"GET", b"POST", b"Content-Type", b"User-Agent", b"HTTP/1.1", b"keep-alive", b"root", b"admin",
                 b"-v", b"--help", b"/api/v1/status", b"%s=%d", b"show running-config", b"ssh-ed25519",
                 b"hmac-sha2-256", b"org.freedesktop.DBus.Error.AccessDenied", b"GetMachineId", b"ALRM",
                 b"\x7fELF\x01\x01\x01\x00", b"\x01\x00\x00\x00\x10\x00"]:
        assert rank(word).score < GATE_THRESHOLD, word


def test_rare_values_rank_high():
    assert rank(b"Qv7#Lm2x!Rk").password_like
    assert rank(b"Qv7#Lm2x!Rk").score >= AUTH_THRESHOLD
    assert rank(b"FactoryProbeTool/2.6").score >= AUTH_THRESHOLD
    assert rank(bytes.fromhex("9c41e708b35a12fd66c02e97710bd438")).score >= AUTH_THRESHOLD
    assert rank(b"X-Service-Pass: Zk4!mQ9rT").score >= AUTH_THRESHOLD
    assert GATE_THRESHOLD <= rank(b"XDBG#").score


def test_evidence_forms():
    r = rank(b"\x9c\x41ab")
    assert r.hex == "9c416162"
    assert r.printable == "\\x9cAab"


def test_asn1_object_identifiers_rank_low():
    """secp384r1 (1.3.132.0.34) and sha256 (2.16.840.1.101.3.4.2.1) are public constants; a random magic
    of the same length is not an OID (bad root or a final byte with the high bit set)."""
    assert rank(bytes.fromhex("2b81040022")).score <= 5
    assert rank(bytes.fromhex("608648016503040201")).score <= 5
    assert rank(bytes.fromhex("9c41e708b35a12fd")).score >= 50
    assert rank(bytes.fromhex("2b8104ff88")).score > 5
