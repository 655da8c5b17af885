#!/usr/bin/env python3
# gen_secure.py - writes the secure-mode (AES) fixtures of this directory.
# Key abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG, AppID wx1234567890abcdef,
# token xiangyang, timestamp 1700000000, nonce 12345, random 0123456789abcdef
# (the worked example of channels.md §1.5). Run it from this directory.
import base64, hashlib, struct
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

KEY = base64.b64decode("abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG=")
Q = "signature=9a21327631f0404549aa7b74b00276446727c928&timestamp=1700000000&nonce=12345"

def enc(msg, appid=b"wx1234567890abcdef", pad=None):
    p = b"0123456789abcdef" + struct.pack(">I", len(msg)) + msg + appid
    n = 32 - len(p) % 32
    p += bytes([n if pad is None else pad]) * n
    e = Cipher(algorithms.AES(KEY), modes.CBC(KEY[:16])).encryptor()
    return base64.b64encode(e.update(p) + e.finalize()).decode()

def sign(*parts):
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()

def write(name, encrypted, msig=None, expect=""):
    msig = msig or sign("xiangyang", "1700000000", "12345", encrypted)
    body = "<xml><ToUserName><![CDATA[gh_bot]]></ToUserName><Encrypt><![CDATA[%s]]></Encrypt></xml>" % encrypted
    with open(name + ".req", "w") as f:
        f.write("POST /webhook/wechat?%s&openid=oUser&encrypt_type=aes&msg_signature=%s\n\n%s" % (Q, msig, body))
    with open(name + ".expect", "w") as f:
        f.write(expect)

TEXT = ("<xml><ToUserName><![CDATA[gh_bot]]></ToUserName><FromUserName><![CDATA[oUser]]></FromUserName>"
        "<CreateTime>1700000000</CreateTime><MsgType><![CDATA[text]]></MsgType>"
        "<Content><![CDATA[积分]]></Content><MsgId>9876543210</MsgId></xml>").encode()
ok = "ext_id: 9876543210\nuser: oUser\ntext: 积分\nreply_ctx: gh_bot\\n1\\n1700000000\\n12345\n"
write("secure_text", enc(TEXT), expect=ok)
write("secure_bad_msg_signature", enc(TEXT), msig="0" * 40, expect="status: 403\nerror: msg_signature\n")
full = enc(TEXT)
raw = base64.b64decode(full)
write("secure_truncated", base64.b64encode(raw[:-16]).decode(), expect="status: 400\nerror: blocks\n")
write("secure_bad_padding", enc(TEXT, pad=0), expect="status: 400\nerror: padding\n")
write("secure_pad_too_big", enc(TEXT, pad=33), expect="status: 400\nerror: padding\n")
write("secure_wrong_appid", enc(TEXT, appid=b"wx0000000000000000"), expect="status: 400\nerror: AppID\n")
write("secure_not_base64", "not*base64!", expect="status: 400\nerror: base64\n")
# channels.md §1.5 verbatim: it decrypts to the reply XML of §1.4, which has no MsgId
DOC = ("Q3stYC6hdFzMh9T8HCvyDNc4Te10sIBQ2+qA3Q/WtO+XCFqjxtHH0tEOsGKFHYab+TOmM0E0iC527+fEz4zFYgjYqLhtEvob"
       "g46XCYZUErcFFdvMSybKiDwsue/KNF90sNUUqsamoGOCDAfJ3jO40/jFVU4xFtlA1WyJxEsoLMwPuBxi/sHBvOx8UUhqIFBWn7LM"
       "Ih8mgx04SNAz6l0Rwrg/HT5jG+S2hJn3Ujfr3P2jX90apq3QWhXu1yIA5cVgsT+K8lP18fHwJpGBLjr+kmqkuGFzSywv1aRagIyy"
       "1R6Q1VhYN1dvEcOqkpxrMmZBTPvn3x6FVxJp5JPaE/l2xA==")
write("secure_doc_example", DOC, msig="6c8ad55cd23c3d0cb21f185589eedd93ff981ac2",
      expect="status: 400\nerror: MsgId\n")
