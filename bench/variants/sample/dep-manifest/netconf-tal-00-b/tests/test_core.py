from netconf_tal.core import dump, load


def test_roundtrip():
    cfg = load("hostname = lubri\nntp = 192.0.2.184\n")
    assert load(dump(cfg)) == cfg

