/*
 * xml.c - character data for the XML replies (xml.h). Hand-written: expat
 * (our XML library) only parses; escaping five characters and dropping the
 * code points XML 1.0 §2.2 excludes needs no writer library.
 */
#include "xml.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "util.h"

/* XML 1.0 §2.2 Char: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]. */
static bool xml_char(uint32_t cp)
{
    return cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) ||
           (cp >= 0xE000 && cp <= 0xFFFD) || (cp >= 0x10000 && cp <= 0x10FFFF);
}

static void put_escaped(struct buf *b, const char *s, size_t n)
{
    const char *ent = NULL;
    if (n == 1) {
        switch (*s) {
        case '<':
            ent = "&lt;";
            break;
        case '>':
            ent = "&gt;";
            break;
        case '&':
            ent = "&amp;";
            break;
        case '"':
            ent = "&quot;";
            break;
        case '\'':
            ent = "&apos;";
            break;
        default:
            break;
        }
    }
    if (ent != NULL)
        buf_puts(b, ent);
    else
        buf_append(b, s, n);
}

void xml_put(struct buf *b, const char *s, enum xml_form form)
{
    size_t n = strlen(s), i = 0, adv;
    int brackets = 0; /* "]" just written in a CDATA section, up to 2 */
    if (form == XML_CDATA)
        buf_puts(b, "<![CDATA[");
    while (i < n) {
        uint32_t cp = utf8_decode(s + i, n - i, &adv);
        /* utf8_decode answers U+FFFD with adv 1 for a byte that is not UTF-8 */
        bool ok = xml_char(cp) && !(cp == 0xFFFD && adv != 3);
        if (ok && form == XML_ESCAPED)
            put_escaped(b, s + i, adv);
        else if (ok) {
            if (cp == '>' && brackets == 2) /* "]]>" would end the section */
                buf_puts(b, "]]><![CDATA[");
            buf_append(b, s + i, adv);
            brackets = cp == ']' ? (brackets < 2 ? brackets + 1 : 2) : 0;
        }
        i += adv;
    }
    if (form == XML_CDATA)
        buf_puts(b, "]]>");
}
