/*
 * xml.h - the one writer of text into the XML Yizhan answers with (Twilio's
 * TwiML, WeChat's passive reply). Whatever the text holds, the document
 * stays well-formed: characters XML 1.0 does not allow (C0 controls other
 * than tab, LF and CR, U+FFFE, U+FFFF, bytes that are not UTF-8) are
 * dropped here, so a worker's U+000B or ESC echoed to a volunteer cannot
 * break the reply.
 */
#ifndef BOT_XML_H
#define BOT_XML_H

struct buf;

enum xml_form {
    XML_ESCAPED, /* & < > " ' as entities */
    XML_CDATA,   /* one or more CDATA sections, split wherever s has "]]>" */
};

/* Append s (NUL-terminated) to b as character data in the given form. */
void xml_put(struct buf *b, const char *s, enum xml_form form);

#endif
