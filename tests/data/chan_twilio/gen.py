#!/usr/bin/env python3
# gen.py - writes the Twilio request fixtures of this directory, signed as
# channels.md §3.2 says (token my_auth_token_123, URL
# https://bot.example.com/sms/twilio). Run it from this directory.
import base64, hashlib, hmac, urllib.parse

TOKEN, URL = b"my_auth_token_123", "https://bot.example.com/sms/twilio"

def sign(body):
    pairs = urllib.parse.parse_qsl(body, keep_blank_values=True, errors="surrogateescape")
    s = URL + "".join(k + v for k, v in sorted(set(pairs)))
    return base64.b64encode(hmac.new(TOKEN, s.encode("utf-8", "surrogateescape"), hashlib.sha1).digest()).decode()

def write(name, body, expect, sig=None):
    sig = sign(body) if sig is None else sig
    hdr = "X-Twilio-Signature: %s\n" % sig if sig != "" else ""
    with open(name + ".req", "w") as f:
        f.write("POST /webhook/twilio\nContent-Type: application/x-www-form-urlencoded\n%s\n%s" % (hdr, body))
    with open(name + ".expect", "w") as f:
        f.write(expect)

DOC = ("AccountSid=AC00000000000000000000000000000001&Body=%E4%BD%A0%E5%A5%BD+hello&From=%2B8613800000001"
       "&MessageSid=SM00000000000000000000000000000001&NumMedia=0&To=%2B15005550006")
assert sign(DOC) == "gGgaQwN82xF/bNqqgyRPTRzrz0A="
doc_ok = "ext_id: SM00000000000000000000000000000001\nuser: +8613800000001\ntext: 你好 hello\n"
write("doc_example", DOC, doc_ok, sig="gGgaQwN82xF/bNqqgyRPTRzrz0A=")
write("doc_example_tampered", DOC.replace("hello", "hellp"), "status: 403\nerror: X-Twilio-Signature\n",
      sig="gGgaQwN82xF/bNqqgyRPTRzrz0A=")
write("bad_signature", DOC, "status: 403\n", sig="gGgaQwN82xF/bNqqgyRPTRzrz0B=")
write("missing_signature", DOC, "status: 403\nerror: missing\n", sig="")
FULL = ("ToCountry=US&ToState=CA&SmsMessageSid=SM11111111111111111111111111111111&NumMedia=0&ToCity=&FromZip="
        "&SmsSid=SM11111111111111111111111111111111&FromState=&SmsStatus=received&FromCity=&Body=%E7%A7%AF%E5%88%86"
        "&FromCountry=CN&To=%2B15005550006&MessagingServiceSid=MG123&ToZip=&NumSegments=1"
        "&MessageSid=SM11111111111111111111111111111111&AccountSid=AC00000000000000000000000000000001"
        "&From=%2B8613800000002&ApiVersion=2010-04-01")
write("all_fields", FULL, "ext_id: SM11111111111111111111111111111111\nuser: +8613800000002\ntext: 积分\n")
MMS = ("AccountSid=AC1&Body=%E4%BA%95%E7%9B%96%E5%9D%8F%E4%BA%86&From=%2B8613800000003&MessageSid=MM22222222222222222222222222222222"
       "&NumMedia=2&MediaContentType0=image%2Fjpeg&MediaUrl0=https%3A%2F%2Fapi.twilio.com%2F2010-04-01%2FAccounts%2FAC1%2FMessages%2FMM2%2FMedia%2FME1"
       "&MediaContentType1=image%2Fpng&MediaUrl1=https%3A%2F%2Fapi.twilio.com%2F2010-04-01%2FAccounts%2FAC1%2FMessages%2FMM2%2FMedia%2FME2&To=%2B15005550006")
write("mms", MMS, "ext_id: MM22222222222222222222222222222222\nuser: +8613800000003\ntext: 井盖坏了\n"
      "media: https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM2/Media/ME1 image/jpeg\n"
      "media: https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM2/Media/ME2 image/png\n")
write("repeated_param", "MessageSid=SM3&From=%2B86138&Body=TD&X=b&X=a&X=b", "ext_id: SM3\nuser: +86138\ntext: TD\n")
write("empty_sms", "MessageSid=SM4&From=%2B86138&Body=&NumMedia=0", "status: 200\nerror: <Response/>\n")
write("missing_sid", "From=%2B86138&Body=hi", "status: 400\nerror: MessageSid\n")
write("bad_escape", "MessageSid=SM5&From=%2B86138&Body=%E4%ZZ", "status: 400\nerror: form\n", sig="x")
write("bad_media_url", "MessageSid=SM6&From=%2B86138&NumMedia=1&MediaUrl0=ftp%3A%2F%2Fx", "status: 400\nerror: MediaUrl\n")
write("not_utf8", "MessageSid=SM7&From=%2B86138&Body=%FF%FE", "status: 400\nerror: UTF-8\n")
